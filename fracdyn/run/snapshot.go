package run

import (
	"fmt"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// writeSnapshot writes snapshots/epoch-NNN.npz: every weight and bias
// ("conv1.weight", PyTorch layout), its loss gradient on the probe batch
// ("conv1.weight.grad") and the probe-batch loss ("loss", float32 [1]).
func (t *trainer) writeSnapshot(epoch int) error {
	out, err := t.probeExec.Exec(t.probeImages, t.probeLabels)
	if err != nil {
		return fmt.Errorf("probe gradients: %w", err)
	}
	defer finalize(out)
	vars := t.spec.modelVars(t.ctx)
	if len(out) != 1+len(vars) {
		return fmt.Errorf("probe gradients: %d outputs for %d variables", len(out), len(vars))
	}
	params := make([]Param, 0, len(vars))
	for i, l := range t.spec.layers {
		for j, p := range []struct {
			part  string
			shape []int
		}{{"weight", l.WeightShape}, {"bias", l.BiasShape}} {
			v := vars[2*i+j]
			value, err := v.Value()
			if err != nil {
				return fmt.Errorf("reading %s: %w", v.ScopeAndName(), err)
			}
			params = append(params, Param{Layer: l.Name, Part: p.part, Shape: p.shape,
				Value: tensors.MustCopyFlatData[float32](value), Grad: tensors.MustCopyFlatData[float32](out[1+2*i+j])})
		}
	}
	return t.rec.WriteSnapshot(epoch, params, nil, tensors.MustCopyFlatData[float32](out[0])[0])
}

func shapeSize(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}
