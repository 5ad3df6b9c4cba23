// Package recorder records any GoMLX training into a fracdyn run directory,
// the format that fracdyn's analyses, figures and notebooks read (see
// fracdyn/run: config.json, steps.csv, epochs.csv, snapshots/epoch-NNN.npz,
// probe.npz, steps-segments.npy, steps-segments-mean.npy,
// segments-index.csv). The user brings the model function, the loss, the
// dataset and a probe batch; nothing about fracdyn's own architectures is
// assumed.
//
//	rec, err := recorder.New(backend, ctx, recorder.Options{Dir: "runs/mine",
//		ModelFn: modelFn, LossFn: lossFn, ProbeInputs: probeX, ProbeLabels: probeY,
//		SnapshotEvery: stepsPerEpoch})
//	trainer := train.NewTrainer(backend, ctx, modelFn, lossFn,
//		rec.Optimizer(optimizers.Adam().Done()), []metrics.Interface{rec.Metric()}, nil)
//	loop := train.NewLoop(trainer)
//	rec.Attach(loop)
//	_, err = loop.RunEpochs(ds, epochs)
//
// # What is recorded
//
// Every step: the loss (the trainer's total loss, the one the loop
// reports as its first metric), ‖∇L‖₂ over every trainable variable, ‖∇L‖₂
// of each layer (weight and bias together), and for each tracked r×r
// segment of the layers' weights the ℓ2 norm and the signed mean of its
// gradient (steps.csv and the two series). The tracked segments are chosen
// as for fracdyn's own runs (run.Recorder, run's package documentation):
// every segment of a first convolution layer and a seeded sample of
// TrackSample per other layer, or all of them.
//
// Every SnapshotEvery steps (an "epoch" of the records): a row of
// epochs.csv (the mean step loss, and the held-out loss and accuracy when
// Options.Eval is set, NaN otherwise) and snapshots/epoch-NNN.npz with
// every layer's weight and bias, as the model stores them, and their loss
// gradients on the probe batch ("conv.weight", "conv.weight.grad", ...).
// Epoch 0 is the initial weights. Finish (the loop's end) writes the steps
// after the last snapshot.
//
// # How the gradients are obtained
//
// GoMLX's train.Trainer computes the step's gradients inside its optimizer
// (optimizers.Interface.UpdateGraph) and hands the loop's OnStep hooks only
// the step's metrics. The recorder therefore wraps the optimizer: its
// UpdateGraph computes the gradients once
// (Context.BuildTrainableVariablesGradientsGraph), builds the statistics
// from them in the same graph (run.Recorder.StatsGraph: a few reductions
// and one gather of the tracked entries), and passes the same gradients on
// to the user's optimizer through UpdateGraphWithGradients
// (train.OptimizeWithGradients, which GoMLX's Adam and SGD implement). A
// train metric, Metric, returns the statistics vector as one of the step's
// outputs, so the OnStep hook receives it with the loss. The cost per step
// is those reductions and one transfer of 2 + layers + 2·tracked float32
// values; no backward pass is repeated and no variable is added (GoMLX
// checkpoints of the context are unchanged). An optimizer without
// UpdateGraphWithGradients still works, at the price of a second backward
// pass. The alternative, a separate compiled gradient graph run at the
// hook, would repeat the forward and backward pass of every step, on a
// batch the hook does not even see; it is used only for the snapshots'
// probe-batch gradients (in inference mode, so batch normalisation's
// statistics are not updated by it).
//
// A custom training loop uses the same pieces: call Start before the first
// step, update with Recorder.Optimizer(opt).UpdateGraph in the step's
// graph, return StepStats(ctx, g) as an output and pass it to Record after
// each step, and call Finish at the end.
//
// The gradients are GoMLX's own: the recorder does not switch on
// fracdyn/backend's cheaper DotGeneral gradient, which is process-wide and
// would change the user's model too. On the pure-Go backend, a model with
// a large dense layer should opt in itself, before building the trainer:
// backend.EnableDotGeneralGradient(b) (GoMLX v0.26.0's own gradient of a
// dense layer with in inputs and out outputs materialises batch·in·out
// floats: 1.6 GB for fc1 of the paper CNN at batch 64).
//
// # Layers and layouts
//
// Layers reads the model's trainable variables from the GoMLX context after
// the model function has run once (Start runs it on the probe batch) and
// classifies each by weights.Classify with the GoMLX convention: a
// layers.Dense weight is dense, stored [in,out] (layout io); a
// layers.Convolution kernel is a convolution, stored channels-last
// [kh,kw,in,out] (hwio, GoMLX's default) or channels-first [out,in,kh,kw]
// (oihw), told apart by its shape (the window axes are the pair of sides at
// most weights.MaxWindow while the other pair has a larger side). A kernel
// whose shape fits both, such as [3,3,1,4], is refused with an error naming
// the variable until Options.Layouts sets it ("*conv*/weights=hwio"; see
// weights.ParseOverrides). Biases ("biases" beside a weight) belong to
// their layer; normalisation parameters, embeddings and 1-D convolutions
// are not layers of the record (their gradients count in the global norm). config.json's layers give each layer's canonical
// PyTorch-order weight shape and its stored layout (the snapshots store
// the weights as the model does; run.Snapshot.LayerWeight canonicalises),
// so every reader segments the same out·in kernels of kh×kw. See
// fracdyn/weights for the layouts and the classification rules.
//
// The recorded run is read like fracdyn's own: run.Open, fracdyn analyze
// and fracdyn figures, with α = A·FD·H from the activation maps below.
//
// # Activation maps
//
// α's activation map A of a layer is the mean over the probe batch of the
// layer's output. The recorder cannot call a layer of an opaque model
// function, so it finds the layer's output in the probe graph the model
// function built: from the node of the layer's weight, through reshapes,
// transposes and dtype conversions, to the Dot, DotGeneral or ConvGeneral
// that consumes it, then forward through the element-wise operations that
// follow it alone (bias, inference-mode normalisation, the activation
// function, a residual sum), up to the first operation that is not
// element-wise on that shape (pooling, a flatten, a reduction such as
// layer normalisation's, the next layer). The last node every path from
// the product passes through is the map: a convolution followed by ReLU
// and max-pooling gives the ReLU's output before pooling; the last layer
// gives the logits. Its probe-batch mean is stored in each snapshot as
// "LAYER.activation" in canonical order (conv [C,H,W], dense [N]) and its
// shape as the layer's out_shape in config.json; fracdyn analyze reads it
// there (run.Snapshot.Activations) instead of running a forward pass. A
// layer whose output the walk cannot place (a dense layer over more than
// one axis, a convolution whose output has no channel axis its layout
// names) gets none, and the analysis of that layer is data-free only.
//
// # fracdyn's own training
//
// run.Train records through the same run.Recorder (StatsGraph in its step
// graph, RecordStep, Commit, WriteSnapshot, WriteProbe): one recording
// path. It keeps its own loop and its PyTorch-semantics Adam, its
// checkpoints and resume; this package adds the GoMLX train.Loop side.
//
// # Failures
//
// A step whose loss or global gradient norm is not finite, or whose loss
// exceeds run.MaxLoss, is written and stops the loop with an error wrapping
// run.ErrDiverged. Every file is written atomically.
//
// # Resume after a kill
//
// After each snapshot the recorder saves a GoMLX checkpoint of the whole
// context (weights, optimizer state, global step, RNG state) in
// RUN/checkpoints/epoch-NNN (run.SaveCheckpoint, atomically, the previous
// one removed): that commits the epoch of the records. A process killed
// later loses the steps since. With Options.Resume, New loads the last
// checkpoint into the context and Start checks the run's config against
// this one (run.Train's rule: a differing key is an error naming it),
// reloads the records up to that epoch and drops the rows after it. The
// user builds the trainer and the loop after New (train.NewLoop reads the
// global step), moves the dataset past ResumeStep batches and runs the
// remaining epochs or steps:
//
//	rec, err := recorder.New(b, ctx, recorder.Options{..., Resume: true})
//	ds.SetEpoch(rec.ResumeStep() / ds.BatchesPerEpoch()) // fracdyn's mnist.Batches
//	trainer := train.NewTrainer(...); loop := train.NewLoop(trainer); rec.Attach(loop)
//	_, err = loop.RunEpochs(ds, epochs-max(rec.Resumed(), 0))
//
// On the pure-Go backend, a seeded recording killed and resumed writes
// the same bytes as one never interrupted (TestResumeAfterKill). Without
// Resume, Start refuses a non-empty directory.
package recorder
