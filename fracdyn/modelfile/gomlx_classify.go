package modelfile

import (
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
// shape) by weights.Classify with the GoMLX convention and, for a
// checkpoint of fracdyn's own training, weights.ClassifyKnown with its
// models' weights (own: see fracdynWeights), which are in PyTorch layout.
func classifyGoMLX(t *TensorInfo, own map[string][]int) {
	Classify(t, weights.GoMLX)
	wt := t.Tensor()
	if weights.ClassifyKnown(&wt, own, "fracdyn's own model: PyTorch layout") {
		t.Layout, t.Why = wt.Layout, wt.Why
		_ = t.setView(weights.PerKernel)
	}
}
