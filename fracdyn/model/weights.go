package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/fracdyn/fracdyn/fracdyn/arrayio"
)

// SetWeights stores PyTorch-named parameters ("conv1.weight", "conv1.bias",
// ...; see StateName) into ctx's variables for arch, creating variables
// that do not exist yet. Each value is flat in PyTorch's layout
// (Layer.WeightShape, Layer.BiasShape). Every parameter of arch must be
// present with the right length; names that are not parameters of arch
// (gradients, say) are ignored.
func SetWeights(ctx *context.Context, arch Arch, weights map[string][]float32) error {
	type item struct {
		scope, name string
		value       *tensors.Tensor
	}
	var items []item
	for _, l := range Layers(arch) {
		for _, p := range []struct {
			part, varName string
			shape         []int
		}{{"weight", WeightsVar, l.WeightShape}, {"bias", BiasesVar, l.BiasShape}} {
			key := StateName(l, p.part)
			data, ok := weights[key]
			if !ok {
				return fmt.Errorf("model: %s weights lack %q", arch, key)
			}
			if len(data) != prod(p.shape) {
				return fmt.Errorf("model: %s %q has %d values, want %d for shape %v", arch, key, len(data), prod(p.shape), p.shape)
			}
			items = append(items, item{l.Name, p.varName,
				tensors.FromFlatDataAndDimensions(slices.Clone(data), p.shape...)})
		}
	}
	for _, it := range items {
		scoped := ctx.In(it.scope)
		v := scoped.GetVariable(it.name)
		if v == nil {
			scoped.VariableWithValue(it.name, it.value)
			continue
		}
		if !v.Shape().Equal(it.value.Shape()) {
			return fmt.Errorf("model: variable %s/%s has shape %s, weights have %s", it.scope, it.name, v.Shape(), it.value.Shape())
		}
		if err := v.SetValue(it.value); err != nil {
			return fmt.Errorf("model: setting %s/%s: %w", it.scope, it.name, err)
		}
	}
	return nil
}

// Weights reads arch's parameters from ctx, keyed by PyTorch state-dict name
// (StateName), each a float32 slice in PyTorch layout. It fails if a
// variable is missing or has no value yet.
func Weights(ctx *context.Context, arch Arch) (map[string][]float32, error) {
	out := make(map[string][]float32, 2*len(Layers(arch)))
	for _, l := range Layers(arch) {
		for _, p := range []struct{ part, varName string }{{"weight", WeightsVar}, {"bias", BiasesVar}} {
			v := ctx.In(l.Name).GetVariable(p.varName)
			if v == nil {
				return nil, fmt.Errorf("model: %s has no variable %s/%s (build the model or SetWeights first)", arch, l.Name, p.varName)
			}
			t, err := v.Value()
			if err != nil {
				return nil, fmt.Errorf("model: reading %s/%s: %w", l.Name, p.varName, err)
			}
			data, err := tensors.CopyFlatData[float32](t)
			if err != nil {
				return nil, fmt.Errorf("model: reading %s/%s: %w", l.Name, p.varName, err)
			}
			out[StateName(l, p.part)] = data
		}
	}
	return out, nil
}

// SetWeightsArrays is SetWeights for arrays read from a snapshot (.npz):
// each parameter's shape must be the layer's PyTorch shape; values of any
// numeric dtype are converted to float32.
func SetWeightsArrays(ctx *context.Context, arch Arch, arrays map[string]*arrayio.Array) error {
	flat := make(map[string][]float32, len(arrays))
	for _, l := range Layers(arch) {
		for _, p := range []struct {
			part  string
			shape []int
		}{{"weight", l.WeightShape}, {"bias", l.BiasShape}} {
			key := StateName(l, p.part)
			a, ok := arrays[key]
			if !ok {
				return fmt.Errorf("model: %s weights lack %q", arch, key)
			}
			if !slices.Equal(a.Shape, p.shape) {
				return fmt.Errorf("model: %s %q has shape %v, want %v", arch, key, a.Shape, p.shape)
			}
			flat[key] = a.Float32s()
		}
	}
	return SetWeights(ctx, arch, flat)
}

// InitWeights returns PyTorch-named parameters of arch drawn as PyTorch's
// default initialisation draws them, from seed: every weight and bias of a
// layer uniform on [−b, b] with b = 1/√fan_in, fan_in = ∏ WeightShape[1:].
// The same seed gives the same values. It is for tests and examples that
// need weights without training.
func InitWeights(arch Arch, seed uint64) map[string][]float32 {
	rng := rand.New(rand.NewPCG(seed, seed))
	w := map[string][]float32{}
	for _, l := range Layers(arch) {
		bound := 1 / math.Sqrt(float64(prod(l.WeightShape[1:])))
		for _, p := range []struct {
			part  string
			shape []int
		}{{"weight", l.WeightShape}, {"bias", l.BiasShape}} {
			v := make([]float32, prod(p.shape))
			for i := range v {
				v[i] = float32((2*rng.Float64() - 1) * bound)
			}
			w[StateName(l, p.part)] = v
		}
	}
	return w
}
