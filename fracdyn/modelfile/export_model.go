package modelfile

import (
	"fmt"
	"strings"

	"github.com/fracdyn/fracdyn/fracdyn/arrayio"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

// ExportName is the name a GoMLX variable is exported under: its scope path
// without the leading "/" and with "." for "/" ("/conv_0/conv/weights" →
// "conv_0.conv.weights"), a name safetensors and npz both accept.
func ExportName(name string) string {
	return strings.ReplaceAll(strings.TrimPrefix(name, "/"), "/", ".")
}

// ExportModel writes the weights of a GoMLX checkpoint m to path, .safetensors
// (F32, with metadata plus the source and checkpoint in the header) or .npz
// (float32): every tensor that is not skipped — dense and conv weights in
// the canonical PyTorch layout ([out,in], [out,in,kh,kw], as ReadFloat32
// returns them), embeddings, biases and normalisation parameters as stored
// — under ExportName. Optimizer state, step counters and other skipped
// variables are left out. It returns the number of tensors written. ONNX
// is refused: an ONNX graph needs one of fracdyn's architectures (Export).
// The tensors are held in memory until the file is written (atomically).
func ExportModel(path string, m *Model, metadata map[string]string) (int, error) {
	f, err := ExportFormat(path)
	if err != nil {
		return 0, err
	}
	if m.Format != GoMLX {
		return 0, fmt.Errorf("exporting %s: model files of format %s are not converted (runs and GoMLX checkpoints are)", m.Path, m.Format)
	}
	if f == ONNX {
		return 0, fmt.Errorf("%s: ONNX export builds the graph of one of fracdyn's architectures; %s is a GoMLX checkpoint, whose graph is not stored: export to .safetensors or .npz", path, m.Path)
	}
	var ts []NamedTensor
	for _, t := range m.Tensors {
		if t.Kind == weights.Skipped {
			continue
		}
		v, err := m.ReadCanonical(t.Name)
		if err != nil {
			return 0, fmt.Errorf("exporting to %s: %w", path, err)
		}
		ts = append(ts, NamedTensor{Name: ExportName(t.Name), Shape: t.CanonicalShape(), Data: v})
	}
	if len(ts) == 0 {
		return 0, fmt.Errorf("exporting %s: no weights to export (every variable is skipped; see fracdyn inspect)", m.Path)
	}
	if f == Safetensors {
		meta := map[string]string{"format": "pt", "producer": "fracdyn", "source": string(m.Format),
			"layout": "canonical PyTorch: dense [out,in], conv [out,in,kh,kw]"}
		if c := m.Metadata["checkpoint"]; c != "" {
			meta["checkpoint"] = c
		}
		for k, v := range metadata {
			meta[k] = v
		}
		return len(ts), WriteSafetensors(path, ts, meta)
	}
	names := make([]string, len(ts))
	arrays := map[string]*arrayio.Array{}
	for i, t := range ts {
		names[i] = t.Name
		arrays[t.Name] = arrayio.FromFloat32(t.Data, t.Shape...)
	}
	return len(ts), arrayio.WriteNPZ(path, names, arrays)
}
