package modelio

import (
	"fmt"

	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

// kindOf returns modelio's Kind for a weights.Kind (same names).
func kindOf(k weights.Kind) Kind {
	for i, n := range kindNames {
		if n == k.String() {
			return Kind(i)
		}
	}
	return Skipped
}

// classifyGoMLX classifies the GoMLX variable t (stored name, dtype and
// shape) by weights.Classify with the GoMLX convention and the layout
// overrides, and returns the stored description. A segmented variable gets
// its canonical shape in t.Shape, the matrices of its per-kernel view and
// a Why naming its stored shape and layout. A segmented variable whose
// layout cannot be told is an error naming it and the --layout flag.
func classifyGoMLX(t *TensorInfo, ov weights.Overrides) (weights.Tensor, error) {
	wt := weights.Tensor{Name: t.Name, DType: string(t.DType), Shape: t.Shape}
	weights.Classify(&wt, weights.GoMLX)
	if _, err := ov.Apply(&wt); err != nil {
		return wt, err
	}
	t.Kind, t.Why = kindOf(wt.Kind), wt.Why
	if !wt.Kind.Segmented() {
		return wt, nil
	}
	canon, err := wt.CanonicalShape()
	if err != nil {
		return wt, err
	}
	v, err := wt.View(weights.PerKernel)
	if err != nil {
		return wt, err
	}
	t.Shape = canon
	t.Matrices = Mapping{Count: v.Count, Rows: v.Rows, Cols: v.Cols}
	t.Why = fmt.Sprintf("stored %s %v, read as %v", shapeText(wt.Shape), wt.Layout, shapeText(canon))
	if wt.Why != "" {
		t.Why += " (" + wt.Why + ")"
	}
	if v.Why != "" {
		t.Why += "; " + v.Why
	}
	return wt, nil
}

// readFloat32 returns variable name in the order of its TensorInfo's
// shape: a dense or conv weight canonicalised (weights.Canonicalize),
// anything else as stored.
func (r *gomlxReader) readFloat32(name string) ([]float32, error) {
	data, err := r.readStored(name)
	if err != nil {
		return nil, err
	}
	st := r.vars[r.byName[name]].stored
	if !st.Kind.Segmented() || st.Layout.Canonical() {
		return data, nil
	}
	out, _, err := weights.Canonicalize(nil, data, st.Shape, st.Layout)
	if err != nil {
		return nil, fmt.Errorf("%s: variable %q: %w", r.jsonPath, name, err)
	}
	return out, nil
}

// layers derives the checkpoint's weight layers (weights.LayersOf): one per
// dense or conv weight in variable order, each fed by the one before.
func (r *gomlxReader) layers() ([]weights.Layer, error) {
	ts := make([]weights.Tensor, len(r.vars))
	for i, v := range r.vars {
		ts[i] = v.stored
	}
	ls, err := weights.LayersOf(ts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.jsonPath, err)
	}
	return ls, nil
}
