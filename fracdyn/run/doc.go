// Package run trains fracdyn's models with snapshots and per-step gradient
// records, and reads the run directories it writes.
//
// # Training
//
// Train runs the paper's procedure: a model from fracdyn/model (the paper
// CNN by default), softmax cross-entropy averaged over the batch
// (torch.nn.CrossEntropyLoss) and Adam with PyTorch's semantics (β1 0.9,
// β2 0.999, ε 1e-8, bias-corrected, ε added to √v̂; see adamUpdate). One
// compiled graph per step computes the loss, the gradients once, applies
// Adam to every weight and bias, and returns only what the records need:
// the loss, the global gradient norm, one norm per layer (weights and bias
// together), and the gradient norm and signed mean of every tracked segment.
// Adam's moments live in context variables under AdamScope and its step
// count is GoMLX's global step, so a GoMLX checkpoint holds the whole state.
//
// # Recording
//
// Everything Train writes but the checkpoints goes through Recorder, the
// one recording path: StatsGraph builds the step statistics (one float32
// vector) in the step's graph from its gradients, RecordStep files them and
// stops on divergence, Commit writes the series and epochs.csv,
// WriteSnapshot and WriteProbe the npz files, Create and Reload set up and
// resume the directory. fracdyn/recorder drives the same Recorder from any
// GoMLX train.Loop; its runs store each weight as the model does, with the
// layout in config.json's layers (Snapshot.LayerWeight canonicalises).
//
// Hyperparameters are GoMLX context parameters (the Param… constants) with
// the paper's values as defaults; NewContext applies a preset, SetParams
// GoMLX's "key=value;key=value" settings. Presets:
//
//   - paper: 50 epochs over the whole training set, batch 64, Adam 6e-4.
//   - quick: the same model and optimiser for QuickEpochs epochs of
//     QuickEpochImages images each, evaluated on QuickEvalImages held-out
//     images: 200 steps. Sized from the measured speed of the pure-Go
//     backend (0.58 s per step of 64 on two cores, BenchmarkStepCNN; about
//     130 s of CPU for a 250-step run with its evaluations and snapshots) to
//     finish in under six minutes even on a loaded machine; 250 steps reached
//     94.6% held-out accuracy after 100 steps and 96.9% after 250.
//
// Data order: epoch e (1-based) visits the training images in the order
// mnist.Batches gives epoch e−1 for the run's seed (a permutation fixed by
// (seed, epoch)); an epoch of EpochImages < N images takes the first
// EpochImages of that order, so each epoch sees a fresh draw. The last
// partial batch is dropped (PyTorch's default keeps it): every step has
// BatchSize images and one compiled graph serves them all. The paper preset
// thus runs ⌊60000/64⌋ = 937 steps per epoch. The probe batch is
// mnist.Probe of the training set: ProbeSize images fixed by the seed.
//
// Determinism: weights are initialised from the context RNG seeded with the
// run's seed; the models have no dropout; data order, probe and segment
// sample are seeded. On the pure-Go backend the same seed gives the same
// bytes in every file but config.json and epochs.csv (wall times), and a run
// interrupted and resumed gives the same bytes as one that was not (tested).
//
// # Tracked segments
//
// Weights are cut into r×r segments as the paper does (fractal.Origins: the
// last segment is shifted back to end at the edge): conv kernels
// [out,in,kh,kw] per (out,in) kernel, dense weights [out,in] as one matrix.
// ParamTrack "default" tracks every segment of the first layer when it is a
// convolution (the paper CNN's conv1: 32 kernels × 4 overlapping 2×2
// segments = 128) and a sample of ParamTrackSample (256) segments of every
// other layer, drawn without replacement by a PCG generator seeded by
// (seed, layer index) and kept in enumeration order. "all" tracks every
// segment of every layer at ParamTrackR, which for the paper CNN at r=2 is
// 1.6 M segments (13 MB per step): use it with a large r or a small model.
// Layers whose kernel is smaller than r are skipped (listed in config.json).
//
// Bytes per step, both series together (float32 norm and mean per segment):
// paper CNN default 896 segments, 7,168 B/step: 6.7 MB per paper epoch
// (937 steps), 336 MB for the 50 epochs; quick (200 steps) 1.4 MB; mlp
// default (3×256) 6,144 B/step.
//
// # Run directory
//
//	config.json              Config: hyperparameters, seed, data (dir, files,
//	                         partial flag and notes), layers, tracking, backend,
//	                         module and Go versions, every context parameter
//	steps.csv                epoch,step,loss,grad_norm,grad_norm_<layer>...
//	                         (step is global and 1-based; loss and norms are
//	                         of the step's batch before its update)
//	epochs.csv               epoch,train_loss,eval_loss,eval_accuracy,wall_seconds
//	                         (train_loss: mean of the epoch's step losses)
//	snapshots/epoch-NNN.npz  "conv1.weight", "conv1.bias", ... (PyTorch names
//	                         and layouts, float32), their probe-batch gradients
//	                         "conv1.weight.grad", ..., and the probe loss "loss"
//	                         [1]; epoch 000 is the initialisation
//	probe.npz                "images" float32 [P,28,28] (normalised), "labels" int32 [P]
//	steps-segments.npy       float32 [steps, tracked]: ‖∂L/∂W_seg‖₂ per step
//	steps-segments-mean.npy  float32 [steps, tracked]: mean of ∂L/∂W_seg per step
//	segments-index.csv       column,layer,neuron,channel,row,col,r (TrackedSegment)
//	checkpoints/epoch-NNN/   GoMLX checkpoint (pkg/ml/context/checkpoints) of the
//	                         last finished epoch: weights, Adam state, global
//	                         step, RNG state, hyperparameters
//
// Every file is written atomically (internal/fsutil: temporary file, sync,
// rename); the series files are rewritten whole at each epoch end (and when
// training stops early): for the paper preset about 8 GB of writes over the
// 50 epochs, tens of seconds against hours of training. The
// checkpoint is saved by GoMLX into a hidden temporary directory, synced and
// renamed into place, and is written last: it commits the epoch.
//
// Resume: Train on a directory holding config.json removes the temporary
// files of writes a killed process left, checks that the settings
// agree (an error names the first differing key; only epochs may change),
// loads the last checkpoint, truncates steps.csv, epochs.csv and the series
// to the finished epochs, and continues with the next epoch.
//
// Failures: a non-finite loss or gradient norm, or a loss above MaxLoss,
// stops training with an error wrapping ErrDiverged that names the epoch
// and step; the steps up to and
// including it are written and the snapshots of finished epochs stay. A
// failed write (read-only or full disk) returns an error naming the file;
// earlier snapshots are untouched. Cancelling the context stops before the
// next step (within one step's time), writes the steps so far and returns an
// error wrapping context.Canceled; the directory resumes cleanly.
//
// Open reads a run directory; its accessors check what they read and name
// the file and the problem (missing, truncated, wrong shape, unknown layer).
package run
