package recorder

import (
	"fmt"
	"strings"

	"github.com/fracdyn/fracdyn/fracdyn/run"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Layer is one recorded layer: its description in config.json and the
// context variables of its weight and bias.
type Layer struct {
	run.LayerInfo
	Weight, Bias *context.Variable
}

// Layers discovers the weight layers of a GoMLX model from the trainable
// variables of ctx, in the order they were created (the forward order of
// the model function): every variable is classified by weights.Classify
// with the GoMLX convention (layers.Dense "weights" [in,out] is dense IO;
// a convolution kernel is HWIO channels-last or OIHW channels-first, told
// by its shape; "biases" is the bias beside a weight; normalisation
// parameters and embeddings are not layers), then overrides (as parsed by
// weights.ParseOverrides) set layouts the shape cannot tell.
//
// A layer is named by its scope without the leading "/" ("conv_0",
// "model/dense_1"). Dense and 2-D convolution layers with a bias are
// recorded; every other trainable variable (normalisation scales, a 1-D
// convolution, a layer without bias) is returned in others: its gradient
// counts in the global norm only. A convolution whose layout cannot be told
// is an error naming the variable.
func Layers(ctx *context.Context, overrides weights.Overrides) (layers []Layer, others []*context.Variable, err error) {
	var ts []weights.Tensor
	var vars []*context.Variable
	byName := map[string]*context.Variable{}
	for v := range ctx.IterVariables() {
		if !v.Trainable {
			continue
		}
		t := weights.Tensor{Name: v.ScopeAndName(), DType: v.Shape().DType.String(), Shape: v.Shape().Dimensions}
		weights.Classify(&t, weights.GoMLX)
		if _, err := overrides.Apply(&t); err != nil {
			return nil, nil, err
		}
		ts = append(ts, t)
		vars = append(vars, v)
		byName[t.Name] = v
	}
	wl, err := weights.LayersOf(ts)
	if err != nil {
		return nil, nil, fmt.Errorf("recorder: %w (the recorder's --layout is Options.Layouts)", err)
	}
	used := map[*context.Variable]bool{}
	for _, l := range wl {
		w := byName[l.Param]
		b := byName[strings.TrimSuffix(l.Param, "weights")+"biases"]
		if (l.Kind != weights.Dense && l.Kind != weights.Conv) || len(l.BiasShape) != 1 || b == nil {
			continue
		}
		kind := map[weights.Kind]string{weights.Dense: "dense", weights.Conv: "conv"}[l.Kind]
		layout := l.Layout
		if layout == weights.OI || layout == weights.OIHW {
			layout = weights.LayoutUnknown // canonical: absent in config.json, as for fracdyn's own runs
		}
		info := run.LayerInfo{Name: strings.TrimPrefix(l.Name, "/"), Kind: kind, Layout: layout,
			WeightShape: l.WeightShape, BiasShape: l.BiasShape, Prev: len(layers) - 1}
		layers = append(layers, Layer{LayerInfo: info, Weight: w, Bias: b})
		used[w], used[b] = true, true
	}
	for _, v := range vars {
		if !used[v] {
			others = append(others, v)
		}
	}
	if len(layers) == 0 {
		return nil, nil, fmt.Errorf("recorder: the model has no dense or convolution layer with a bias among its %d trainable variables", len(vars))
	}
	return layers, others, nil
}
