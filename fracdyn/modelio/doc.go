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
//   - .onnx: the graph's initializers, through onnx-gomlx's onnx.ReadFile.
//     Raw data and the typed fields (float_data, int32_data, ...) are
//     decoded; initializers kept in external files are listed as skipped.
//     ONNX layouts are taken as stored: Conv kernels are [out,in,kh,kw] as in
//     PyTorch, Gemm weights with transB=1 are [out,in], MatMul weights are
//     [in,out] (their singular values and α are the same; their segment
//     grid is the transpose).
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
package modelio
