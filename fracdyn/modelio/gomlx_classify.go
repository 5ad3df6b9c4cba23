package modelio

import (
	"fmt"
	"slices"
	"strings"

	"github.com/fracdyn/fracdyn/fracdyn/model"
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

// fracdynWeights returns, for a checkpoint written by fracdyn's own
// training (its params name a fracdyn architecture, "arch"), the variable
// name and PyTorch shape of each layer's weight: fracdyn's models create
// "/conv1/weights" [out,in,kh,kw] and "/fc1/weights" [out,in] themselves,
// in PyTorch layout, not through layers.Dense. nil for any other
// checkpoint.
func fracdynWeights(params map[string]string) map[string][]int {
	a, ok := params["arch"]
	if !ok {
		return nil
	}
	arch, err := model.ParseArch(a)
	if err != nil {
		return nil
	}
	out := map[string][]int{}
	for _, l := range model.Layers(arch) {
		out["/"+l.Name+"/weights"] = l.WeightShape
	}
	return out
}

// classifyGoMLX classifies the GoMLX variable t (stored name, dtype and
// shape) by weights.Classify with the GoMLX convention and the layout
// overrides, and returns the stored description. A weight of fracdyn's own
// models (own: see fracdynWeights) with its PyTorch shape is read in
// PyTorch layout. A segmented variable gets
// its canonical shape in t.Shape, the matrices of its per-kernel view and
// a Why naming its stored shape and layout. A segmented variable whose
// layout cannot be told is an error naming it and the --layout flag.
func classifyGoMLX(t *TensorInfo, ov weights.Overrides, own map[string][]int) (weights.Tensor, error) {
	wt := weights.Tensor{Name: t.Name, DType: string(t.DType), Shape: t.Shape}
	weights.Classify(&wt, weights.GoMLX)
	if top := strings.ToLower(strings.SplitN(strings.TrimPrefix(t.Name, "/"), "/", 2)[0]); wt.Kind != weights.Skipped &&
		strings.Contains(t.Name[1:], "/") && (strings.Contains(top, "adam") || strings.Contains(top, "optimizer")) {
		// Optimizer scopes other than GoMLX Adam's: fracdyn's own "/adam/...".
		wt.Kind, wt.Layout, wt.Why = weights.Skipped, weights.LayoutUnknown, "optimizer state, not a weight"
	}
	if s, ok := own[t.Name]; ok && wt.Kind.Segmented() && slices.Equal(s, t.Shape) {
		wt.Layout = weights.CanonicalLayout(len(s))
		wt.Why = "fracdyn's own model: PyTorch layout"
	}
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
