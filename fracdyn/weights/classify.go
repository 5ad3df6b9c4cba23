package weights

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Tensor describes one stored tensor without its values.
type Tensor struct {
	Name  string
	DType string // element type as the source spells it ("float32", "F32", "Float32", ...); "" means float
	Shape []int  // as stored
	Kind  Kind
	// Layout is how Shape's axes are stored; LayoutUnknown for a segmented
	// kind means the layout could not be told (Why says why), and for
	// norm, bias and skipped tensors that it does not matter.
	Layout Layout
	// Why says how Kind and Layout were decided where the name and shape
	// alone do not ("GoMLX layers.Dense [in,out]", "assumed PyTorch
	// [out,in]: npz stores no layout"), or why a tensor is not segmented.
	Why string
}

// Elements returns the number of elements, the product of the shape.
func (t *Tensor) Elements() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// Convention is what a source knows about how its tensors are stored.
type Convention int

const (
	// PyTorch: safetensors, .pt state dicts, fracdyn's own runs. Weights
	// are [out,in], [out,in,k], [out,in,kh,kw]; a name whose last part is
	// "kernel" is read in the Keras/Flax layout instead.
	PyTorch Convention = iota
	// NumPy: .npz, which stores no layout. Names ending in "weight" are
	// PyTorch's, names ending in "kernel" Keras/Flax's; otherwise rank 2
	// is assumed [out,in] and rank 4 is told by shape (see ConvLayout).
	NumPy
	// ONNX initializers as exported: Conv [out,in,kh,kw], Gemm with
	// transB=1 [out,in].
	ONNX
	// ONNXMatMul is an ONNX initializer read as the right operand of a
	// MatMul, or of a Gemm with transB=0: [in,out].
	ONNXMatMul
	// GoMLX checkpoint and context variables, by scope:
	// ".../dense/weights" [in,out]; ".../conv/weights" [kh,kw,in,out]
	// (channels-last) or [out,in,kh,kw] (channels-first), told by shape;
	// ".../biases"; ".../embeddings"; normalisation scopes; optimizer state.
	GoMLX
	// Keras and Flax "kernel" variables: [in,out], [k,in,out],
	// [kh,kw,in,out].
	Keras
)

var conventionNames = [...]string{"pytorch", "numpy", "onnx", "onnx-matmul", "gomlx", "keras"}

func (c Convention) String() string {
	if c < 0 || int(c) >= len(conventionNames) {
		return fmt.Sprintf("Convention(%d)", int(c))
	}
	return conventionNames[c]
}

// MaxWindow is the largest side of a convolution window that ConvLayout
// takes for a kernel's spatial axes.
const MaxWindow = 7

// ConvLayout tells a rank-4 kernel stored [kh,kw,in,out] (HWIO) from one
// stored [out,in,kh,kw] (OIHW) by shape: the window is the pair of axes
// whose sides are both at most MaxWindow while the other pair has a side
// above it. When both pairs or neither fit (a [3,3,3,3] kernel) it returns
// LayoutUnknown and says why. Rank 3 is told the same way: [k,in,out]
// (KIO) when only the first axis fits, [out,in,k] (OIK) when only the last.
func ConvLayout(shape []int) (Layout, string) {
	fits := func(ds ...int) bool {
		for _, d := range ds {
			if d > MaxWindow {
				return false
			}
		}
		return true
	}
	switch len(shape) {
	case 4:
		first, last := fits(shape[0], shape[1]), fits(shape[2], shape[3])
		switch {
		case first && !last:
			return HWIO, fmt.Sprintf("shape read as channels-last [kh,kw,in,out]: a %d×%d window first", shape[0], shape[1])
		case last && !first:
			return OIHW, fmt.Sprintf("shape read as channels-first [out,in,kh,kw]: a %d×%d window last", shape[2], shape[3])
		}
		return LayoutUnknown, fmt.Sprintf("shape %v fits both [kh,kw,in,out] (channels-last) and [out,in,kh,kw] (channels-first)", shape)
	case 3:
		first, last := fits(shape[0]), fits(shape[2])
		switch {
		case first && !last:
			return KIO, fmt.Sprintf("shape read as channels-last [k,in,out]: a width-%d window first", shape[0])
		case last && !first:
			return OIK, fmt.Sprintf("shape read as channels-first [out,in,k]: a width-%d window last", shape[2])
		}
		return LayoutUnknown, fmt.Sprintf("shape %v fits both [k,in,out] (channels-last) and [out,in,k] (channels-first)", shape)
	}
	return LayoutUnknown, fmt.Sprintf("shape %v is not a convolution kernel", shape)
}

// FloatDType reports whether dt names a floating-point type in any of the
// spellings of numpy ("float32"), safetensors ("F32", "BF16"), GoMLX
// ("Float32") or ONNX; "" counts as float (the source did not say).
func FloatDType(dt string) bool {
	switch strings.ToLower(dt) {
	case "", "float64", "float32", "float16", "bfloat16", "f64", "f32", "f16", "bf16", "double", "float", "half":
		return true
	}
	return false
}

// Classify sets t.Kind, t.Layout and t.Why from t's name, dtype and stored
// shape under the source's convention, by the rules in the package
// documentation. A tensor whose layout cannot be told keeps its kind with
// LayoutUnknown and a Why that says so; Tensor.View then refuses it.
func Classify(t *Tensor, conv Convention) {
	t.Kind, t.Layout, t.Why = classify(t.Name, t.DType, t.Shape, conv)
}

func classify(name, dt string, shape []int, conv Convention) (Kind, Layout, string) {
	lname := strings.ToLower(name)
	last := lastPart(lname)
	if strings.HasSuffix(lname, ".grad") || strings.HasSuffix(lname, "_grad") {
		return Skipped, 0, "gradient, not a weight"
	}
	if strings.HasSuffix(lname, ".activation") { // a recorded run's snapshot (fracdyn/run.ActivationSuffix)
		return Skipped, 0, "activation map, not a weight"
	}
	if conv == GoMLX && (hasScope(lname, "adamoptimizer") || strings.HasSuffix(last, "_moment")) {
		return Skipped, 0, "optimizer state, not a weight"
	}
	if !FloatDType(dt) {
		return Skipped, 0, fmt.Sprintf("%s dtype, not a weight", dt)
	}
	n := 1
	for _, d := range shape {
		if d < 0 || (d > 0 && n > math.MaxInt/8/d) {
			return Skipped, 0, fmt.Sprintf("bad shape %v", shape)
		}
		if d == 0 {
			return Skipped, 0, "empty tensor"
		}
		n *= d
	}
	if len(shape) == 0 {
		return Skipped, 0, "scalar"
	}
	if len(shape) > 4 {
		return Skipped, 0, fmt.Sprintf("rank %d not mapped", len(shape))
	}
	switch conv {
	case GoMLX:
		k, l, why := classifyGoMLX(lname, last, shape)
		if k != Skipped && optimizerScope(lname) {
			return Skipped, 0, "optimizer state, not a weight"
		}
		return k, l, why
	case Keras:
		return classifyKeras(lname, last, shape, "")
	case ONNXMatMul:
		if len(shape) == 2 {
			return Dense, IO, "ONNX MatMul/Gemm transB=0 weight [in,out]"
		}
	case PyTorch, NumPy:
		if last == "kernel" {
			return classifyKeras(lname, last, shape, `name "kernel": Keras/Flax layout`)
		}
	}
	k, l, why := classifyPyTorch(lname, shape)
	if conv != NumPy || !k.Segmented() || strings.HasSuffix(lname, "weight") {
		return k, l, why
	}
	// npz stores no layout and the name does not say.
	switch len(shape) {
	case 2:
		if k == Dense {
			return k, l, "assumed PyTorch [out,in]: npz stores no layout"
		}
	case 3, 4:
		cl, cwhy := ConvLayout(shape)
		if cl == LayoutUnknown {
			return k, cl, "npz stores no layout and the " + cwhy
		}
		return k, cl, "npz stores no layout; " + cwhy
	}
	return k, l, why
}

// classifyPyTorch is the PyTorch (and ONNX) rule, by rank and name.
func classifyPyTorch(lname string, shape []int) (Kind, Layout, string) {
	switch len(shape) {
	case 1:
		return rank1(lname)
	case 2:
		if isEmbeddingName(lname) {
			return Embedding, OI, ""
		}
		return Dense, OI, ""
	case 3:
		return Conv1D, OIK, ""
	}
	return Conv, OIHW, ""
}

func classifyKeras(lname, last string, shape []int, why string) (Kind, Layout, string) {
	switch len(shape) {
	case 1:
		return rank1(lname)
	case 2:
		if isEmbeddingName(lname) {
			return Embedding, OI, why
		}
		return Dense, IO, why
	case 3:
		return Conv1D, KIO, why
	}
	return Conv, HWIO, why
}

func classifyGoMLX(lname, last string, shape []int) (Kind, Layout, string) {
	switch {
	case last == "biases":
		return Bias, 0, ""
	case last == "embeddings" && len(shape) == 2:
		return Embedding, OI, "GoMLX layers.Embedding [vocab,dim]"
	case hasScopeContaining(lname, "norm"):
		return Norm, 0, "normalisation scope"
	case len(shape) == 1:
		return Bias, 0, "1-D tensor taken as a bias"
	}
	conv := hasScopeContaining(lname, "conv")
	switch len(shape) {
	case 2:
		if last == "weights" && !conv {
			return Dense, IO, "GoMLX layers.Dense [in,out]"
		}
		return Dense, IO, "GoMLX rank-2 variable taken as [in,out] like layers.Dense"
	case 3:
		if !conv {
			return Skipped, 0, "rank-3 GoMLX variable outside a conv scope (a dense layer with several output axes?) not mapped"
		}
		l, why := ConvLayout(shape)
		if l == LayoutUnknown {
			return Conv1D, l, "GoMLX 1-D convolution: the " + why
		}
		return Conv1D, l, "GoMLX 1-D convolution: " + why
	}
	l, why := ConvLayout(shape)
	if l == LayoutUnknown {
		return Conv, l, "GoMLX convolution: the " + why
	}
	return Conv, l, "GoMLX convolution: " + why
}

// optimizerScope reports whether lname (a GoMLX scope path) lies under a
// top scope naming "adam" or "optimizer": optimizer state such as
// fracdyn's own "/adam/...", besides GoMLX's "/AdamOptimizer/...".
func optimizerScope(lname string) bool {
	rest := strings.TrimPrefix(lname, "/")
	top, _, nested := strings.Cut(rest, "/")
	return nested && (strings.Contains(top, "adam") || strings.Contains(top, "optimizer"))
}

// ClassifyKnown sets t's layout to the canonical one when known holds t's
// name with t's stored shape: a source that knows the model that wrote it
// overrides its convention's rule. A GoMLX checkpoint of fracdyn's own
// training is one: fracdyn's models create "/conv1/weights" [out,in,kh,kw]
// and "/fc1/weights" [out,in] themselves, in PyTorch layout, not through
// layers.Convolution and layers.Dense. It reports whether it applied;
// tensors that are not segmented are left alone.
func ClassifyKnown(t *Tensor, known map[string][]int, why string) bool {
	s, ok := known[t.Name]
	if !ok || !t.Kind.Segmented() || !slices.Equal(s, t.Shape) {
		return false
	}
	t.Layout, t.Why = CanonicalLayout(len(s)), why
	return true
}

func rank1(lname string) (Kind, Layout, string) {
	if isNormName(lname) {
		return Norm, 0, ""
	}
	if strings.Contains(lname, "bias") || strings.HasSuffix(lname, ".b") {
		return Bias, 0, ""
	}
	return Bias, 0, "1-D tensor taken as a bias"
}

// lastPart returns the name after its last '/' or '.'.
func lastPart(lname string) string {
	if i := strings.LastIndexAny(lname, "/."); i >= 0 {
		return lname[i+1:]
	}
	return lname
}

// hasScope reports whether one of the '/'-separated parts of lname is s.
func hasScope(lname, s string) bool {
	for _, p := range strings.Split(lname, "/") {
		if p == s {
			return true
		}
	}
	return false
}

// hasScopeContaining reports whether a scope (a '/'-separated part other
// than the variable's own name) contains s.
func hasScopeContaining(lname, s string) bool {
	parts := strings.Split(lname, "/")
	for _, p := range parts[:len(parts)-1] {
		if strings.Contains(p, s) {
			return true
		}
	}
	return false
}

func isNormName(lname string) bool {
	for _, s := range []string{"norm", "ln_", "ln.", ".ln", "bn", "running_mean", "running_var", "layer_norm", "gamma", "beta"} {
		if strings.Contains(lname, s) {
			return true
		}
	}
	return false
}

func isEmbeddingName(lname string) bool {
	for _, s := range []string{"embed", "wte", "wpe", "tok_emb", "pos_emb"} {
		if strings.Contains(lname, s) {
			return true
		}
	}
	return false
}

// CanonicalShape returns t's shape in canonical order (its Layout's
// CanonicalShape); an error for a segmented tensor whose layout is unknown
// names the tensor and the --layout flag.
func (t *Tensor) CanonicalShape() ([]int, error) {
	if t.Layout == LayoutUnknown {
		return nil, t.unknownLayout()
	}
	s, err := t.Layout.CanonicalShape(t.Shape)
	if err != nil {
		return nil, fmt.Errorf("tensor %q: %w", t.Name, err)
	}
	return s, nil
}

// View returns how t is read as matrices: its canonical shape's ViewOf
// (Count 0 for kinds that are not segmented). A segmented tensor with an
// unknown layout is an error naming it and the --layout flag.
func (t *Tensor) View(cv ConvView) (View, error) {
	if !t.Kind.Segmented() {
		return View{}, nil
	}
	s, err := t.CanonicalShape()
	if err != nil {
		return View{}, err
	}
	v, err := ViewOf(t.Kind, s, cv)
	if err != nil {
		return View{}, fmt.Errorf("tensor %q: %w", t.Name, err)
	}
	return v, nil
}

func (t *Tensor) unknownLayout() error {
	why := t.Why
	if why == "" {
		why = "layout not told"
	}
	return fmt.Errorf("tensor %q: cannot tell its layout (%s); set it with --layout '%s=LAYOUT' (LAYOUT one of oi, io, oihw, hwio, oik, kio)", t.Name, why, t.Name)
}
