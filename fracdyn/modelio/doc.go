// Package modelio reads the weights of trained models, outside ones and
// fracdyn's own, says (through fracdyn/weights) what each tensor is, how it
// is stored and how it maps to the 2-D matrices the fractal diagnosis
// segments, and exports fracdyn runs to other formats.
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
//     ONNX layouts are read from the graph: Conv kernels are [out,in,kh,kw]
//     as in PyTorch, Gemm weights with transB=1 are [out,in], and the right
//     operands of MatMul (and of Gemm without transB) are [in,out]
//     (weights.ONNXMatMul, said in TensorInfo.Why) and are transposed to
//     [out,in] when read (ReadCanonical). Tested on a file written by
//     torch.onnx.export.
//   - .npz: through fracdyn/arrayio (numpy's format), which stores no
//     layout: names and shapes decide (weights.NumPy).
//   - a GoMLX checkpoint directory, or one checkpoint's .json: see "GoMLX
//     checkpoints" below.
//   - any other directory: a fracdyn run (fracdyn/run); Options.Epoch picks
//     the snapshot, the last by default. The run's config.json layers say
//     what each weight is and how it is stored. Gradients in snapshots are
//     not listed.
//
// # GoMLX checkpoints
//
// A directory written by github.com/gomlx/gomlx/pkg/ml/context/checkpoints
// (v0.26.0, Handler.Save) holds pairs checkpoint-nNNNNNNN-DATE-TIME-step-SSSSSSSS.json
// and .bin (-initial instead of -step-… when the global step is 0). A
// directory is read as one when it holds checkpoint-*.json or .bin files
// and no config.json: fracdyn's own run directories hold GoMLX checkpoints
// in checkpoints/epoch-NNN/ (and a config.json), and stay runs. A path
// ending in .json is read as that one checkpoint.
//
// Which checkpoint: the latest by default — the last .json in name order,
// as GoMLX's Handler.ListCheckpoints orders them (the zero-padded counter
// nNNNNNNN comes first). Options.Checkpoint (the commands' -checkpoint)
// picks another by global step ("300" is the one whose name ends in
// -step-00000300; "0" or "initial" the -initial one; of several saves at
// one step, the latest) or by base name. ListCheckpoints lists them;
// compare -epochs takes every one.
//
// The .json is {"Params": [{Scope, Key, Value, ValueType}],
// "Variables": [{ParameterName, Dimensions, DType, Pos, Length}],
// "BinFormat": "gzip" | "uncompressed" (absent in files of GoMLX 0.24.1 and before)}.
// ParameterName is "var:" + scope + "/" + name ("var:/conv_0/conv/weights";
// a root-scope variable is "var://global_step"); a tensor is named by its
// scope path without "var:" ("/conv_0/conv/weights", "/global_step").
// DType is GoMLX's name ("Float32", "Int64", "Uint64", ...). The .bin is the
// variables' raw little-endian bytes back to back in .json order (Pos is the
// running sum of Length), either as is (BinUncompressed, and every .bin of
// GoMLX 0.24.1 and before) or after a header — the 17 bytes "gomlx_checkpoints", one
// byte n and n bytes "gzip" — as one gzip stream (BinGZIP, the default).
// As GoMLX does, the header decides; the .json's BinFormat must agree with
// it. Params (learning rate, seed, ...) become the model's metadata.
//
// Open validates everything before a value is read, so a bad checkpoint is
// an error naming the file or the variable before any output is written:
// a directory without a .json (or with a .bin and no .json); a .json that
// is not JSON; a ParameterName without "var:"; an unknown dtype; a Length
// that is not dimensions × dtype size; a Pos out of order; a missing
// .bin; a .bin holding fewer bytes than the .json lists (truncated: the
// error names the first variable past the end) or more (the .json does not
// match its .bin); a BinFormat that disagrees with the header. For a gzip
// .bin the size is known only by decompressing it, so Open reads the stream
// through once (checking its CRC) and keeps nothing.
//
// Reading is one variable at a time: an uncompressed .bin is read at the
// variable's offset (ReadAt in 1 MiB chunks); a gzip .bin is read forwards
// from where the last read stopped, rewinding only for an earlier
// variable, so reading in .json order (as Analyze does) decompresses the
// file once more, holding one variable. This reader is our own, not
// checkpoints.Load: GoMLX's loader reads only the latest checkpoint of a
// directory (picking another is unexported), decompresses the whole .bin
// into memory and then holds every variable at once, and needs a context
// to load into; ours picks any checkpoint, holds one variable, needs no
// backend, and its errors name the file and the variable.
//
// Measured once by hand (/usr/bin/time, 2 cores, load average 8) on the
// checkpoint of a quick paper-CNN run (checkpoints/epoch-002: 77,313,176
// bytes of variables, 26 variables, fracdyn's Adam state included), as
// written (uncompressed) and re-written as gzip (64 MB):
//
//	fracdyn inspect   uncompressed  0.06 s   17 MB max RSS
//	                  gzip          1.53 s   19 MB (the validating read)
//	fracdyn export    uncompressed  0.39 s   46 MB (holds the 25.8 MB of weights)
//	  (.safetensors)  gzip          1.91 s   48 MB; the two files are identical
//
// Kinds and layouts come from fracdyn/weights.Classify with the GoMLX
// convention: ".../dense/weights" are dense [in,out] (as is, by
// weights' rule, any other rank-2 variable outside a conv scope); ".../conv/weights"
// are conv kernels, channels-last [kh,kw,in,out] (layers.Convolution's
// default) or channels-first [out,in,kh,kw], told by shape
// (weights.ConvLayout: the window is the pair of axes of at most 7 while the
// other has a larger side); ".../biases" are biases, ".../embeddings"
// embeddings, and everything in a scope naming a normalisation
// (batch_normalization's scale, offset, mean, variance and avg_weight;
// layer_normalization's gain and offset; rms_norm) is norm — listed, not
// segmented; optimizer state (Adam's "/AdamOptimizer/..._1st_moment" and
// "_2nd_moment", its global_step; here also any variable under a top scope
// naming "adam" or "optimizer", such as fracdyn's own "/adam/..."), the
// global step, the learning rate and other scalars, metrics and the RNG
// state are skipped. A checkpoint of fracdyn's own training (a run's
// checkpoints/epoch-NNN/, whose params name the architecture, "arch")
// stores "/conv1/weights" [out,in,kh,kw] and "/fc1/weights" [out,in]
// built by fracdyn's models, not by GoMLX's layers: these are read in
// PyTorch layout (checked by hand: analyze-model on a quick cnn run's
// checkpoints/epoch-002 and on its epoch-2 snapshot gives identical
// details.csv rows for conv1, conv2 and fc2). TensorInfo.Shape and
// Layout are the stored ones and ReadFloat32 returns the values as stored;
// ReadCanonical (which Analyze, the kernel graph and ExportModel use)
// permutes them to canonical order, so a channels-last convolution is
// read, like any other, as out·in kernel matrices of kh×kw. A kernel whose
// shape fits both layouts ([3,3,3,3], or [3,3,1,4]: every side at most 7)
// is never guessed: Open fails with an error naming the variable and the
// --layout flag, and Options.Layout (-layout '/block/conv/weights=hwio')
// says it.
//
// Model.Layers holds the network's weight layers (weights.LayersOf): one
// per dense or conv weight, named by its scope ("/conv_1" for
// "/conv_1/conv/weights"), with its canonical shape, stored layout and
// bias, in variable order, each fed by the layer before it (Prev). This is
// a chain assumption: a checkpoint stores no graph, and variables are
// saved in the order the model function created them, which is forward
// order for a sequential model. For a kernel graph built from these layers
// it means every layer's segments are linked to the previous weight
// layer's only: a residual connection's skip is missing, and of two
// parallel branches the second is taken as fed by the first. Output shapes
// are unknown (empty). inspect prints the layers, and analyze-model builds
// its kernel graph over them: on the fixture below, /conv_0 → /conv_1 →
// /fc_0 → /fc_1.
//
// Tested on a checkpoint written by a program that uses only GoMLX and its
// simplego backend (testdata/gomlxckpt: layers.Convolution channels-last,
// layers.Dense, batch and layer normalisation, Adam, three train steps;
// the conv stack is frozen with StopGradient because stock simplego
// v0.26.0 cannot differentiate a convolution): its variables, kinds and
// layouts; its convolutions' canonical kernel matrices against the stored
// [kh,kw,in,out] kernel indexed by hand; gzip against uncompressed; and
// the analysis against that of the same weights exported to safetensors
// and npz (equal). A test reruns the generator and checks it still writes
// the fixture (identical values: seeded, pure-Go backend).
//
// # Kinds, layouts and matrices
//
// Each reader classifies its tensors with fracdyn/weights under the
// source's convention (Classify: safetensors as PyTorch, npz as NumPy,
// ONNX as exported or ONNXMatMul, a run by its layers); the rules, the
// layouts and how each is detected are in fracdyn/weights' documentation.
// Options.Layout (--layout "GLOB=LAYOUT,...") overrides the layout of the
// tensors it matches; a segmented tensor whose layout cannot be told is an
// error of OpenWith naming the tensor and --layout. TensorInfo.Matrices is
// the weights.View of the canonical tensor under Options.ConvView: a conv
// kernel is out·in matrices of kh×kw (the paper's view, the default) or one
// out×(in·kh·kw) matrix (weights.Unfolded); a 1×1 convolution gives one
// out×in matrix and a conv1d [out,in,k] one out×(in·k) matrix. ReadCanonical
// returns a tensor in canonical order, the order its matrices are cut from.
// A tensor is eligible for segmentation when its matrices admit a scale
// from fractal.ValidScales.
//
// Model.Layers describes the model's weight layers in forward order
// ([]weights.Layer): a run's config.json layers, or for any other file
// weights.LayersOf its tensors (dense and conv weights in file order, each
// fed by the one before, output shapes unknown).
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
//	FRACDYN_BENCH_MB=1024 go test -timeout 1h -run '^$' -bench AnalyzeLarge -benchtime 1x ./fracdyn/modelio/
//
// (about 8 minutes per GiB on 2 cores).
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
// # Exporters
//
// ExportModel writes a GoMLX checkpoint's weights to .safetensors or .npz
// in the canonical PyTorch layout (dense [out,in], conv [out,in,kh,kw];
// biases and normalisation parameters as stored), each named by ExportName
// ("/conv_0/conv/weights" → "conv_0.conv.weights"); optimizer state and
// counters are left out. ONNX is refused: the graph is not in the
// checkpoint.
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
