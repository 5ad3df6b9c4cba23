package run

import (
	"fmt"
	"path/filepath"

	"github.com/fracdyn/fracdyn/fracdyn/arrayio"
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
	var names []string
	arrays := map[string]*arrayio.Array{}
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
			name := stateName(l.Name, p.part)
			w := tensors.MustCopyFlatData[float32](value)
			g := tensors.MustCopyFlatData[float32](out[1+2*i+j])
			if len(w) != len(g) || len(w) != shapeSize(p.shape) {
				return fmt.Errorf("%s: %d values and %d gradients for shape %v", name, len(w), len(g), p.shape)
			}
			names = append(names, name, name+GradSuffix)
			arrays[name] = arrayio.FromFloat32(w, p.shape...)
			arrays[name+GradSuffix] = arrayio.FromFloat32(g, p.shape...)
		}
	}
	names = append(names, LossEntry)
	arrays[LossEntry] = arrayio.FromFloat32(tensors.MustCopyFlatData[float32](out[0]), 1)
	path := filepath.Join(t.opts.Out, SnapshotsDir, snapshotName(epoch))
	return arrayio.WriteNPZ(path, names, arrays)
}

func shapeSize(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}
