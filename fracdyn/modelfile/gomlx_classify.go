package modelio

import (
	"slices"
	"strings"

	"github.com/fracdyn/fracdyn/fracdyn/model"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

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
// shape) by weights.Classify with the GoMLX convention, and two rules of
// this reader: a variable under a top scope naming "adam" or "optimizer"
// (fracdyn's own "/adam/...", besides GoMLX's "/AdamOptimizer/...") is
// optimizer state, and a weight of fracdyn's own models (own: see
// fracdynWeights) with its PyTorch shape is in PyTorch layout.
func classifyGoMLX(t *TensorInfo, own map[string][]int) {
	Classify(t, weights.GoMLX)
	top := strings.ToLower(strings.SplitN(strings.TrimPrefix(t.Name, "/"), "/", 2)[0])
	if t.Kind != weights.Skipped && strings.Contains(strings.TrimPrefix(t.Name, "/"), "/") &&
		(strings.Contains(top, "adam") || strings.Contains(top, "optimizer")) {
		t.Kind, t.Layout, t.Why, t.Matrices = weights.Skipped, weights.LayoutUnknown, "optimizer state, not a weight", weights.View{}
		return
	}
	if s, ok := own[t.Name]; ok && t.Kind.Segmented() && slices.Equal(s, t.Shape) {
		t.Layout = weights.CanonicalLayout(len(s))
		t.Why = "fracdyn's own model: PyTorch layout"
		_ = t.setView(weights.PerKernel)
	}
}
