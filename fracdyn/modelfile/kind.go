package modelfile

import (
	"fmt"
	"strings"

	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

// TensorInfo describes one stored tensor without its values: what
// fracdyn/weights decides about it (kind, stored layout) and how it is read
// as matrices.
type TensorInfo struct {
	Name  string
	DType DType
	Shape []int // as stored
	Kind  weights.Kind
	// Layout is how Shape is stored (weights.Classify under the source's
	// convention, or --layout); ReadCanonical permutes it to canonical order.
	Layout weights.Layout
	// Matrices is how the canonical tensor is read as 2-D matrices (set by
	// OpenWith under Options.ConvView); Count 0 for kinds not segmented.
	Matrices weights.View
	// Why says, for skipped tensors and unusual layouts or views, the rule
	// that applied ("integer dtype", "GoMLX layers.Dense [in,out]", "1×1
	// convolution read as dense out×in", ...).
	Why string
}

// Elements returns the number of elements, the product of the shape.
func (t TensorInfo) Elements() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// Eligible reports whether the tensor is segmented and its matrices admit at
// least one valid scale.
func (t TensorInfo) Eligible() bool { return len(t.Matrices.Scales()) > 0 }

// Tensor returns t as fracdyn/weights describes it.
func (t TensorInfo) Tensor() weights.Tensor {
	return weights.Tensor{Name: t.Name, DType: string(t.DType), Shape: t.Shape, Kind: t.Kind, Layout: t.Layout, Why: t.Why}
}

// Classify sets t.Kind, t.Layout and t.Why by weights.Classify from t's
// name, dtype and shape under the source's convention, and t.Matrices
// under the default per-kernel view (OpenWith sets the view asked for). A
// segmented tensor whose layout cannot be told gets no matrices; OpenWith
// refuses it.
func Classify(t *TensorInfo, conv weights.Convention) {
	wt := t.Tensor()
	weights.Classify(&wt, conv)
	t.Kind, t.Layout, t.Why = wt.Kind, wt.Layout, wt.Why
	t.Matrices = weights.View{}
	_ = t.setView(weights.PerKernel)
}

// setView sets t.Matrices from t's kind, layout and shape under cv, adding
// the view's rule to t.Why.
func (t *TensorInfo) setView(cv weights.ConvView) error {
	wt := t.Tensor()
	v, err := wt.View(cv)
	if err != nil {
		t.Matrices = weights.View{}
		return err
	}
	t.Matrices = v
	if v.Why != "" && !strings.Contains(t.Why, v.Why) {
		if t.Why != "" {
			t.Why += "; "
		}
		t.Why += v.Why
	}
	return nil
}

// CanonicalShape returns t's shape in canonical order (its stored shape for
// tensors that are not segmented).
func (t TensorInfo) CanonicalShape() []int {
	if !t.Kind.Segmented() || t.Layout == weights.LayoutUnknown {
		return t.Shape
	}
	s, err := t.Layout.CanonicalShape(t.Shape)
	if err != nil {
		return t.Shape
	}
	return s
}

// canonical returns data, t's values as stored, in canonical order.
func (t TensorInfo) canonical(data []float32) ([]float32, error) {
	if !t.Kind.Segmented() || t.Layout.Canonical() {
		return data, nil
	}
	out, _, err := weights.Canonicalize(nil, data, t.Shape, t.Layout)
	if err != nil {
		return nil, fmt.Errorf("tensor %q: %w", t.Name, err)
	}
	return out, nil
}
