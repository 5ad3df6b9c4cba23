package modelfile

import (
	"fmt"

	"github.com/fracdyn/fracdyn/fracdyn/arrayio"
	"github.com/fracdyn/fracdyn/fracdyn/model"
	"github.com/fracdyn/fracdyn/fracdyn/run"
)

// RunWeights reads the weights of the snapshot of opts.Epoch (the last when
// nil) of the run in dir, keyed by state-dict name in PyTorch layout
// (each weight read in canonical order, its stored layout taken from the
// run's layers or opts.Layout), with the run's architecture and the epoch
// read.
func RunWeights(dir string, opts Options) (model.Arch, map[string][]float32, int, error) {
	r, err := run.Open(dir)
	if err != nil {
		return "", nil, 0, err
	}
	arch, err := model.ParseArch(r.Config.Arch)
	if err != nil {
		return "", nil, 0, fmt.Errorf("run %s: %w", dir, err)
	}
	m, err := OpenWith(dir, opts)
	if err != nil {
		return "", nil, 0, err
	}
	defer m.Close()
	weights := map[string][]float32{}
	for _, l := range model.Layers(arch) {
		for _, part := range []string{"weight", "bias"} {
			name := model.StateName(l, part)
			v, err := m.ReadCanonical(name)
			if err != nil {
				return "", nil, 0, fmt.Errorf("run %s epoch %d: %w", dir, m.Epoch, err)
			}
			weights[name] = v
		}
	}
	return arch, weights, m.Epoch, nil
}

// stateTensors returns arch's parameters in forward order, weight then bias
// of each layer, with their PyTorch shapes.
func stateTensors(arch model.Arch, weights map[string][]float32) ([]NamedTensor, error) {
	var out []NamedTensor
	for _, l := range model.Layers(arch) {
		for _, p := range []struct {
			part  string
			shape []int
		}{{"weight", l.WeightShape}, {"bias", l.BiasShape}} {
			name := model.StateName(l, p.part)
			v, ok := weights[name]
			if !ok {
				return nil, fmt.Errorf("%s weights lack %q", arch, name)
			}
			if len(v) != numel(p.shape) {
				return nil, fmt.Errorf("%s %q has %d values, want %d for shape %v", arch, name, len(v), numel(p.shape), p.shape)
			}
			out = append(out, NamedTensor{Name: name, Shape: p.shape, Data: v})
		}
	}
	return out, nil
}

// ExportSafetensors writes arch's weights as F32 safetensors in PyTorch
// state-dict layout and names, loadable by torch's load_state_dict for the
// equivalent PyTorch module. metadata (plus "arch") goes in the header.
func ExportSafetensors(path string, arch model.Arch, weights map[string][]float32, metadata map[string]string) error {
	ts, err := stateTensors(arch, weights)
	if err != nil {
		return fmt.Errorf("exporting to %s: %w", path, err)
	}
	meta := map[string]string{"format": "pt", "arch": string(arch), "producer": "fracdyn"}
	for k, v := range metadata {
		meta[k] = v
	}
	return WriteSafetensors(path, ts, meta)
}

// ExportNPZ writes arch's weights as float32 arrays of an .npz file, named
// and shaped as the state dict (the layout of run snapshots).
func ExportNPZ(path string, arch model.Arch, weights map[string][]float32) error {
	ts, err := stateTensors(arch, weights)
	if err != nil {
		return fmt.Errorf("exporting to %s: %w", path, err)
	}
	names := make([]string, len(ts))
	arrays := map[string]*arrayio.Array{}
	for i, t := range ts {
		names[i] = t.Name
		arrays[t.Name] = arrayio.FromFloat32(t.Data, t.Shape...)
	}
	return arrayio.WriteNPZ(path, names, arrays)
}

// ExportFormat returns the export format named by path's extension.
func ExportFormat(path string) (Format, error) {
	if f, ok := formatOfExt(path); ok {
		return f, nil
	}
	return "", fmt.Errorf("%s: cannot export to this extension (want .safetensors, .onnx or .npz)", path)
}

// Export writes arch's weights to path in the format of its extension.
func Export(path string, arch model.Arch, weights map[string][]float32, metadata map[string]string) error {
	f, err := ExportFormat(path)
	if err != nil {
		return err
	}
	switch f {
	case Safetensors:
		return ExportSafetensors(path, arch, weights, metadata)
	case ONNX:
		return ExportONNX(path, arch, weights)
	default:
		return ExportNPZ(path, arch, weights)
	}
}

// RunEpochs returns the epochs of the run in dir that have a snapshot, in
// increasing order.
func RunEpochs(dir string) ([]int, error) {
	r, err := run.Open(dir)
	if err != nil {
		return nil, err
	}
	return r.SnapshotEpochs()
}
