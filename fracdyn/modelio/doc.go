// Package modelio reads the weights of trained models, outside ones and
// fracdyn's own, says how each tensor maps to the 2-D matrices the fractal
// diagnosis segments, and exports fracdyn runs to other formats.
//
// # Formats
//
// Open picks the format from the path:
//
//   - .safetensors: read by this package. The file is an unsigned 64-bit
//     little-endian header length N, N bytes of JSON mapping each tensor
//     name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets
//     relative to the data section that follows the header) plus an
//     optional "__metadata__" string map, then the raw little-endian data.
//     Dtypes F64, F32, F16, BF16, I64, I32, I16, I8, U8 and BOOL are
//     decoded (to float32; F64 loses precision); U16/U32/U64/F8_* are listed
//     as skipped; any other dtype is an error. Every header entry is
//     validated on Open: data_offsets must match dtype size × elements and
//     lie inside the file, so a truncated file, a wrong header length or a
//     tensor larger than the file is an error naming the file and the
//     tensor, never a panic (fuzzed by FuzzSafetensors). go-huggingface
//     v0.3.1 has no safetensors reader, hence our own.
//   - .onnx: the graph's initializers, unmarshalled into onnx-gomlx's
//     ModelProto (onnx.Model.Proto) without onnx.Parse, which would also
//     start a backend and check the graph's inputs.
//     Raw data and the typed fields (float_data, int32_data, ...) are
//     decoded; initializers kept in external files are listed as skipped.
//     ONNX layouts are taken as stored: Conv kernels are [out,in,kh,kw] as in
//     PyTorch, Gemm weights with transB=1 are [out,in], MatMul weights (and
//     Gemm without transB) are [in,out] and say so in TensorInfo.Why (their
//     singular values and α are the same; their segment grid is the
//     transpose). Tested on a file written by torch.onnx.export.
//   - .npz: through fracdyn/arrayio (numpy's format).
//   - a directory: a fracdyn run (fracdyn/run); Options.Epoch picks the
//     snapshot, the last by default. Gradients in snapshots are not listed.
//
// # Kinds and matrices
//
// Classify decides from name, dtype and shape, in this order:
//
//   - names ending in ".grad"/"_grad", non-float dtypes (integer buffers such
//     as position_ids or num_batches_tracked), scalars, empty tensors and
//     rank ≥ 5: skipped;
//   - rank 1: norm when the name says so ("norm", "bn", "ln_", "running_mean",
//     "gamma", ...), otherwise bias; not segmented;
//   - rank 2: embedding [vocab,dim] when the name says "embed", "wte", "wpe",
//     otherwise dense [out,in]; one matrix as stored;
//   - rank 3, conv1d [out,in,k]: one out×(in·k) matrix (the unfolded
//     kernel a 1-D convolution multiplies by; per-kernel 1×k rows admit no
//     r×r segment); k = 1 gives out×in;
//   - rank 4, conv [out,in,kh,kw]: out·in matrices of kh×kw, one per
//     (output, input) channel pair, as the paper segments its kernels; a
//     1×1 convolution is a dense layer per pixel and gives one out×in
//     matrix.
//
// Matrix j of a Mapping is always the contiguous row-major block
// [j·rows·cols, (j+1)·rows·cols) of the stored tensor. A tensor is eligible
// for segmentation when its matrices admit a scale from
// fractal.ValidScales.
//
// # Streaming
//
// Open reads only headers (safetensors) or the file's directory. ReadFloat32
// decodes one tensor; the safetensors reader reads it with ReadAt in 1 MiB
// chunks, so a caller that handles one tensor at a time holds one decoded
// tensor (float32) plus its float64 matrix view at once, whatever the file
// size. ONNX protobufs and npz files are read whole (protobuf has no random
// access; npz files here are run snapshots).
//
// Analyze goes one tensor at a time: it reads a tensor, analyses it, passes
// per-segment rows to a callback (the CLI streams them to segments.csv) and
// keeps only the small per-layer report. A single-matrix layer is widened to
// float64 once and its float32 copy dropped; the mask threshold is computed
// once per matrix and shared by every estimator; for tensors of 1M elements
// or more, memory is collected and handed back to the OS between the steps
// (segmentation, each estimator, self-similarity, SVD) and after the layer
// (debug.FreeOSMemory), so that peak RSS follows the largest step of the
// largest layer, not the file: about 21 bytes per element of the largest
// tensor (its float64 copy, the SVD's copy, the masks) on top of the
// runtime. Measured with BenchmarkAnalyzeLarge (safetensors of [rows,64]
// Gaussian F32 tensors of at most 128 MiB, 2 shared cores, default scales,
// no segment table):
//
//	FRACDYN_BENCH_MB=16   one 16 MiB tensor     peak RSS  98 MiB    5 s
//	FRACDYN_BENCH_MB=256  two 128 MiB tensors   peak RSS 692 MiB  123 s
//
// A 1 GiB file of 128 MiB tensors peaks like the 256 MiB one (the
// memory of each layer is returned before the next is read), as measured
// once with the CLI: eight [524288,64] Gaussian F32 tensors (1,073,742,584
// bytes), "/usr/bin/time -v fracdyn analyze-model -no-segments big.safetensors"
// (default scales, graph and estimators), 2 cores shared with six other
// jobs:
//
//	maximum resident set size 713,672 kB (697 MiB), 1 GiB file
//	user 78.9 s, system 7.0 s, wall 6 min 31 s (21% of a core: contention)
//
// and with the default options (the 4.8 GB segments.csv streamed, under
// nice 10):
//
//	maximum resident set size 720,980 kB (704 MiB)
//	user 114.1 s, system 19.9 s, wall 13 min 34 s
//
// well under the 2 GiB target. A single tensor of 1 GiB would need about
// 5.5 GiB. Reproduce the benchmark with
//
//	FRACDYN_BENCH_MB=1024 go test -timeout 1h -run '^$' -bench AnalyzeLarge -benchtime 1x ./fracdyn/modelio/
//
// (about 8 minutes per GiB on 2 cores).
//
// # The data-free analysis
//
// For every eligible tensor (AnalyzeOptions.Layers filters by glob) Analyze
// reports:
//
//   - per scale r (DefaultScales 2, 4, 8, 16 where valid, or any list, or
//     every valid scale): fractal.LayerSegments over the tensor's matrices
//     — each segment's dimension (AnalyzeOptions.Method, box counting by
//     default), its fit's R² and its entropy — as rows (segments.csv) and as
//     mean/std per layer and scale (scales.csv);
//   - every whole-matrix estimator of fractal (bc, dbc, variogram, paper),
//     the matrix entropy and fractal.SelfSimilarity, over each matrix and
//     summarised per layer (for conv layers, over the out·in kernels);
//   - the spectral metrics of fracdyn/spectral (power-law α of the ESD of
//     WᵀW with its xmin, KS distance D, σ and tail size, λ_max, log norms,
//     α-weighted, stable rank, spectral entropy) — the columns of
//     WeightWatcher's details table. A conv kernel [out,in,kh,kw] pools the
//     eigenvalues of its kh·kw slices W[:,:,i,j] (out×in each) into one ESD,
//     as WeightWatcher does; every other tensor uses its mapped matrix;
//   - each fractal and entropy measure against AnalyzeOptions.NullDraws
//     draws of each null model of package null (element and row/column
//     permutations, Gaussian): LayerReport.Nulls and ScaleSummary.Nulls,
//     the null columns (<measure>_<null>_null_mean, _null_sd, _z, _p and
//     <measure>_null_verdict) of details.csv, scales.csv and compare.csv.
//     A large tensor is tested on a leading block (null.MatrixBlock), its
//     segments on about null.MaxSegments of them; null_elements and
//     null_segments say how much a draw measured.
//
// details.csv holds one row per layer with all of these (DetailsHeader).
// A layer that cannot be analysed (NaN weights) gets its error in the row;
// the others are still analysed. Measures that do not exist are NaN, not
// guessed: box counting has no fit on a 3×3 kernel, and a conv1 kernel
// [32,1,3,3] has nine 32×1 slices, nine eigenvalues, too few for a
// power-law fit (MinTail).
//
// # Kernel graph
//
// Segment connectivity is known only for fracdyn's own architectures.
// When a file holds every parameter of one (DetectArch: names and shapes
// of model.Layers), KernelGraph builds fracdyn/segraph's graph — in its
// data-free mode with weight-only features α = FD·H, or with activation
// maps (GraphOptions.Activations, below) α = A·FD·H — at one
// segment size (each layer uses its largest valid scale up to it) and
// summarises its edges per pair of layers: counts, kernel weights and
// feature distances (graph.csv); every segment's FD, H, ‖A‖ and ‖α‖ go to
// alpha.csv, the columns of the run analysis's segment tables. The paper
// CNN at r=8 has 12.8M edges between conv2 and fc1; at r=2 it would exceed segraph's edge bound, and
// analyze-model then reports that instead of a graph.
//
// # Activation maps of ONNX models
//
// With an input batch, the paper's full feature α = A·FD·H is available for
// ONNX models that onnx-gomlx can run (fracdyn analyze-model FILE.onnx
// -inputs BATCH.npy). onnx-gomlx's Model.CallGraph converts the ONNX graph
// to GoMLX up to any list of node outputs, not only the graph's outputs, so
// ONNXActivations asks it for one intermediate output per weight and runs
// them in one compiled graph. Which output is a layer's activation is read
// from the graph (ActivationOutputs): the output of the Conv, Gemm or
// MatMul node that has the weight as operand 0 or 1, followed while it has
// a single consumer through the ops that finish a layer — bias or scale
// arithmetic with a constant (Add, Mul, ...), BatchNormalization,
// element-wise activations (Relu, Sigmoid, Gelu, ...), MaxPool/AveragePool,
// Identity, Dropout — stopping at anything else (Flatten, Reshape, the next
// weighted op, a value used twice such as a residual). That is where
// model.Forward takes its activations for fracdyn's models: after the ReLU
// (and the 2×2 max-pool of cnn-pool), and the logits for the last layer.
// A is the mean over the batch of that output (conv [C,H,W], dense [N]),
// accumulated in float64 over chunks of 256 examples as analysis.Prober
// does; segraph then pools it to Pool×Pool per channel as in the run
// analysis. Tested: on exported MLP, CNN and pooled CNN, the ONNX maps
// equal the Prober's over model.Forward to 1e-5 relative, and the
// kernel graph's ‖α‖ per segment equals segraph's with the Prober's maps to
// 1e-4 and differs from the data-free α (TestONNXActivationsMatchProber).
// Checked by hand on a trained quick run (paper CNN, MNIST partial split,
// seed 1, epoch 5, eval accuracy 96.7%): analyze-model on its exported
// .onnx with -inputs RUN/probe.npz (64 images) writes alpha.csv whose
// a_norm and alpha_norm equal those of the run analysis's
// segments/epoch-005.csv on all 8,320 segments both tables hold (conv1 and
// conv2 at r=2; the run analysis has no fc1 at r=2 and the graph's fc
// layers use r=8 and 5) to 1.6e-7 relative, while the data-free α differs
// on 5,714 of them (up to 11× relative). The 55 s run on 2 shared cores
// includes compiling the ONNX graph.
//
// The kernel graph itself still needs a fracdyn architecture (the wiring
// between segments); for any other ONNX model the activation maps are
// computed and summarised in activations.csv, but no graph is built.
// A model with more than one input, or ops onnx-gomlx v0.3.4 lacks, gives
// an error naming the file.
//
// # Comparing runs
//
// ComparePoints and Correlate pair each layer's fractal measures (every
// whole-matrix estimator, the mean segment FD at the smallest scale, the
// matrix entropy) with its spectral α and give Pearson and Spearman
// correlations over the layers of all the models compared (fracdyn
// compare writes compare.csv, correlations.csv and a scatter figure).
//
// # Exporters
//
// Export writes a fracdyn model's weights (a run snapshot: RunWeights) by
// extension: .safetensors (F32, PyTorch state-dict names and layout,
// metadata with arch and run), .npz (float32 arrays, the snapshot layout,
// through fracdyn/arrayio), or .onnx (ExportONNX: a runnable opset-13 graph,
// "images" [batch,28,28] → "logits" [batch,10]). Tests export a run to all
// three, re-import them and get the same tensors bit for bit and the same
// analysis tables byte for byte as the run directory. Checked by hand on a
// trained paper-CNN run (5 epochs, eval accuracy 96.9%): PyTorch's
// load_state_dict(strict=True) takes the exported safetensors (read by a
// ten-line script) and classifies the run's probe batch at 96.9%; Debian's
// python3-onnx 1.12 onnx.checker.check_model(full_check=True) accepts the
// exported .onnx, with shape inference giving logits [batch,10].
//
// # What onnx-gomlx (v0.3.4) can and cannot do here
//
// It parses ONNX files (onnx.ReadFile, whole file in memory) and exposes the
// ModelProto, from which this package reads initializers; it converts ONNX
// graphs to GoMLX and runs them: the exported CNN, MLP and pooled CNN run on
// the pure-Go backend (through fracdyn/backend) and give logits equal to
// model.Forward to 1e-4 (TestExportONNXRunsUnderOnnxGoMLX: Reshape, Conv
// with pads, Relu, MaxPool, Flatten, Gemm with transB). No op is missing:
// the three graphs also run on stock simplego v0.26.0 (checked by hand),
// because the exporter always writes Conv's strides, so onnx-gomlx never
// hands simplego the nil strides it rejects, and forward MaxPool needs no
// SelectAndScatterMax (only its gradient would). It cannot export a
// GoMLX graph to ONNX: Model.ContextToONNX only updates the initializers of
// an ONNX model that already exists. Its protobuf types live in an internal
// package, so ExportONNX builds the ModelProto through protobuf reflection
// on onnx.Model's Proto field, using onnx-gomlx's own message descriptors.
// Initializers stored in external data files are not read.
package modelio
