// Package weights is fracdyn's one layout-aware view of weight tensors:
// what a stored tensor is (Kind), how its axes are stored (Layout), its
// canonical order, the 2-D matrices the fractal diagnosis segments (View),
// and the generic description of a network's weight layers (Layer) that
// the segment graph, α's activation maps and the kernel edges work from.
// Every command, the recorder and the notebooks read a layer's matrices
// through it, so the same layer gives the same numbers everywhere.
//
// # Layouts
//
// fracdyn segments tensors in the canonical (PyTorch) order: OI for dense
// weights, OIHW for 2-D and OIK for 1-D convolutions. Canonicalize permutes
// any other layout into it; fractal works on canonical shapes only.
//
//	layout  stored as          written by                                   how it is detected
//	oi      [out, in]          PyTorch Linear; ONNX Gemm transB=1;          PyTorch and ONNX conventions; npz names
//	                           fracdyn runs                                 ending "weight"; assumed for other npz
//	io      [in, out]          GoMLX layers.Dense; ONNX MatMul and          GoMLX ".../weights" outside a conv
//	                           Gemm transB=0; Keras/Flax Dense              scope; the ONNX reader's graph (MatMul,
//	                                                                        Gemm transB); names ending "kernel"
//	oihw    [out, in, kh, kw]  PyTorch Conv2d; ONNX Conv; GoMLX             PyTorch and ONNX conventions; GoMLX and
//	                           Convolution channels-first; fracdyn runs     npz by shape (ConvLayout)
//	hwio    [kh, kw, in, out]  GoMLX Convolution channels-last (its         names ending "kernel"; GoMLX and npz
//	                           default); Keras; Flax                        by shape (ConvLayout)
//	oik     [out, in, k]       PyTorch Conv1d; ONNX 1-D Conv                PyTorch and ONNX conventions; GoMLX by shape
//	kio     [k, in, out]       GoMLX 1-D channels-last; Keras Conv1D        "kernel" names; GoMLX by shape
//
// The source decides first (Convention): a fracdyn run, safetensors and
// .pt files are PyTorch; ONNX initializers are as exported, except the
// right operand of a MatMul or of a Gemm with transB=0, which the ONNX
// reader classifies as ONNXMatMul; GoMLX checkpoints and contexts map
// variables by scope; npz stores no layout, so names and shapes decide.
// A GoMLX convolution kernel is channels-last [kh,kw,in,out] or
// channels-first [out,in,kh,kw] by shape: the window is the pair of axes
// whose sides are at most MaxWindow (7) while the other pair has a larger
// side. When the shape does not tell (a [3,3,3,3] or [3,3,4,4] kernel) the
// tensor's Layout is LayoutUnknown and its Why says so; Tensor.View then
// returns an error naming the variable and the --layout flag. fracdyn never
// guesses. Overrides, parsed from --layout "GLOB=LAYOUT,...", set the
// layout of the tensors they match after Classify; LAYOUT is a name above
// or an alias resolved by rank ("pytorch", "gomlx", "keras", "flax",
// "channels-last", "channels-first", "matmul", "gemm").
//
// # Kinds
//
// Classify decides a tensor's Kind from its name, dtype and shape, in this
// order: names ending ".grad"/"_grad" or ".activation" (a recorded run's
// activation maps), GoMLX optimizer state
// ("/AdamOptimizer/..." and "..._moment"), non-float dtypes, scalars, empty
// tensors and rank ≥ 5 are Skipped, and so is any other GoMLX variable
// under a top scope naming "adam" or "optimizer" (fracdyn's own
// "/adam/..."); GoMLX ".../biases" are Bias,
// ".../embeddings" Embedding, and every variable in a scope whose name
// contains "norm" (batch_normalization, layer_normalization, rms_norm)
// Norm; rank 1 is Norm when the name says so ("norm", "bn", "ln_",
// "running_mean", "gamma", ...) and Bias otherwise; rank 2 is Embedding
// when the name says "embed", "wte", "wpe" and Dense otherwise; rank 3 is
// Conv1D; rank 4 is Conv. Norm, Bias and Skipped tensors are listed and
// not segmented. ClassifyKnown overrides the layout where the source
// knows the model that wrote it (a GoMLX checkpoint of fracdyn's own
// training stores PyTorch layout).
//
// # Views
//
// ViewOf reads a canonical tensor as matrices. A convolution [out,in,kh,kw]
// is, by default (PerKernel), the paper's out·in kernel matrices of kh×kw,
// matrix k·in+c being the kernel from input channel c to output channel k;
// with Unfolded (--conv-view unfolded) it is one out×(in·kh·kw) matrix. A
// 1×1 convolution is a dense layer per pixel and gives one out×in matrix in
// both views; a 1-D convolution gives one out×(in·k) matrix (1×k rows admit
// no r×r segment). A dense weight or an embedding is one matrix. Matrix j
// is always the contiguous row-major block [j·rows·cols, (j+1)·rows·cols)
// of the canonical tensor, so View.Shape can be handed to fractal as is.
//
// # Layers
//
// Layer describes one weight layer in forward order: name, kind, the stored
// weight's name and layout, the canonical weight shape, bias and output
// shapes, and the layer feeding it (Prev). It is the "layers" entry of a
// run's config.json: Kind marshals as "conv"/"dense", and Param and Layout
// are absent for fracdyn's own runs, whose snapshots hold PyTorch names
// ("conv1.weight") and layouts.
package weights
