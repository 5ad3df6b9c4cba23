package recorder

import (
	"fmt"
	"strings"

	"github.com/fracdyn/fracdyn/fracdyn/weights"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Layer is one recorded layer: its description in config.json and the
// context variables of its weight and bias.
type Layer struct {
	weights.Layer
	Weight, Bias *context.Variable // Bias is nil for a layer without bias
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
// "model/dense_1"). Dense and 2-D convolution layers are recorded, with
// their bias when they have one; every other trainable variable
// (normalisation scales, embeddings, a 1-D convolution) is returned in
// others: its gradient counts in the global norm only. A convolution whose layout cannot be told
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
		if l.Kind != weights.Dense && l.Kind != weights.Conv {
			continue
		}
		if b == nil || len(l.BiasShape) != 1 {
			b, l.BiasShape = nil, nil
		}
		if l.Layout == weights.OI || l.Layout == weights.OIHW {
			l.Layout = weights.LayoutUnknown // canonical: absent in config.json, as for fracdyn's own runs
		}
		// The snapshots name the weight NAME.weight, as fracdyn's own runs do.
		l.Name, l.Param, l.Prev = strings.TrimPrefix(l.Name, "/"), "", len(layers)-1
		layers = append(layers, Layer{Layer: l, Weight: w, Bias: b})
		used[w] = true
		if b != nil {
			used[b] = true
		}
	}
	for _, v := range vars {
		if !used[v] {
			others = append(others, v)
		}
	}
	if len(layers) == 0 {
		return nil, nil, fmt.Errorf("recorder: the model has no dense or convolution layer among its %d trainable variables", len(vars))
	}
	return layers, others, nil
}
