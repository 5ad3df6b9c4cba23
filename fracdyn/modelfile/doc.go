// Package modelfile reads the weights of trained models, outside ones and
// fracdyn's own, from model files (safetensors, ONNX, npz, GoMLX
// checkpoints, fracdyn runs), says (through fracdyn/weights) what each
// tensor is, how it is stored and how it maps to the 2-D matrices the
// fractal diagnosis segments, and writes models to safetensors, npz and
// ONNX. The diagnosis built on it is fracdyn/diagnose.
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
// variable, so reading in .json order (as diagnose.Analyze does) decompresses the
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
// ReadCanonical (which diagnose.Analyze, its kernel graph and ExportModel use)
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
package modelfile
