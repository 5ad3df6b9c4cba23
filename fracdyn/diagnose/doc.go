// Package diagnose is the data-free diagnosis of a model file
// (fracdyn/modelfile): per layer the fractal dimensions and entropies of
// its segments at each scale (fracdyn/fractal), every whole-matrix
// estimator, the spectral metrics (fracdyn/spectral) and null-model tests
// (fracdyn/null); the kernel graph over its layers (fracdyn/segraph); the
// activation maps of ONNX models; and the comparison of fractal measures
// with spectral α across models. fracdyn analyze-model and fracdyn
// compare are its command-line front ends, and write its tables (CSV and
// Parquet) in cmd/fracdyn.
//
// # The data-free analysis
//
// For every eligible tensor (AnalyzeOptions.Layers filters by glob) Analyze
// reports:
//
//   - per scale r (by default every valid scale of the layer, as fracdyn
//     analyze; a list restricts them): fractal.LayerSegments over the tensor's matrices
//     — each segment's dimension (AnalyzeOptions.Method, box counting by
//     default), its fit's R² and its entropy — as rows (segments.parquet) and as
//     mean/std per layer and scale (scales.csv);
//   - every whole-matrix estimator of fractal (bc, dbc, variogram, paper),
//     the matrix entropy and fractal.SelfSimilarity, over each matrix and
//     summarised per layer (for conv layers read per kernel, over the out·in
//     kernels): SummarizeMatrices, which the run analysis (fracdyn analyze,
//     layers.csv) calls too, so both give the same numbers for a layer;
//   - the spectral metrics of fracdyn/spectral (power-law α of the ESD of
//     WᵀW with its xmin, KS distance D, σ and tail size, λ_max, log norms,
//     α-weighted, stable rank, spectral entropy) — the columns of
//     WeightWatcher's details table. A conv kernel [out,in,kh,kw] pools the
//     eigenvalues of its kh·kw slices W[:,:,i,j] (out×in each) into one ESD,
//     as WeightWatcher does (in either conv view); every other tensor uses
//     its single matrix;
//   - each fractal and entropy measure against AnalyzeOptions.NullDraws
//     draws of each null model of package null (element and row/column
//     permutations, Gaussian): LayerReport.Nulls and ScaleSummary.Nulls,
//     the null columns (<measure>_<null>_null_mean, _null_sd, _z, _p and
//     <measure>_null_verdict) of details.csv, scales.csv and compare.csv.
//     A large tensor is tested on a leading block (null.MatrixBlock), its
//     segments on a seeded uniform random sample of null.SampleSize(r) of
//     them (null.SegmentTest); null_elements and
//     null_segments say how much a draw measured.
//
// details.csv holds one row per layer with all of these (cmd/fracdyn's detailsHeader).
// A layer that cannot be analysed (NaN weights) gets its error in the row;
// the others are still analysed. Measures that do not exist are NaN, not
// guessed: box counting has no fit on a 3×3 kernel, and a conv1 kernel
// [32,1,3,3] has nine 32×1 slices, nine eigenvalues, too few for a
// power-law fit (MinTail).
//
// # Kernel graph
//
// KernelGraph builds fracdyn/segraph's graph over a list of layers
// (Model.Layers; with activation maps, WithOutShapes gives them their
// output shapes) — in its data-free mode with weight-only features
// α = FD·H, or with activation maps (GraphOptions.Activations, below)
// α = A·FD·H — at one segment size (each layer uses its largest valid
// scale up to it), cutting conv kernels per kernel, and summarises its
// edges per pair of layers: counts, kernel weights and feature distances
// (graph.csv); every segment's FD, H, ‖A‖ and ‖α‖ go to
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
// For a file, the wiring is derived from its tensors: layers whose shapes
// do not chain (each layer's inputs the previous one's outputs, or a whole
// number of positions per channel after a conv) give no graph, and
// analyze-model says so. A conv feeding a dense layer is flattened in
// PyTorch's [C,H,W] order, or [H,W,C] when the conv is stored channels-last
// (HWIO).
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
// # Memory
//
// Analyze goes one tensor at a time: it reads a tensor, analyses it, passes
// per-segment rows to a callback (the CLI streams them to segments.parquet) and
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
// and with the default options (the 4.8 GB segments.csv streamed, when the
// table was CSV, under nice 10):
//
//	maximum resident set size 720,980 kB (704 MiB)
//	user 114.1 s, system 19.9 s, wall 13 min 34 s
//
// well under the 2 GiB target. A single tensor of 1 GiB would need about
// 5.5 GiB. Reproduce the benchmark with
//
//	FRACDYN_BENCH_MB=1024 go test -timeout 1h -run '^$' -bench AnalyzeLarge -benchtime 1x ./fracdyn/diagnose/
//
// (about 8 minutes per GiB on 2 cores).
package diagnose
