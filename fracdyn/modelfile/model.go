package modelfile

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

// Format is a model file format.
type Format string

const (
	Safetensors Format = "safetensors"
	ONNX        Format = "onnx"
	NPZ         Format = "npz"
	RunDir      Format = "run" // a directory written by "fracdyn train"
	// GoMLX is a checkpoint of github.com/gomlx/gomlx/pkg/ml/context/checkpoints:
	// a directory of checkpoint-*.json + .bin pairs, or one pair's .json.
	GoMLX Format = "gomlx"
)

// source is one open model file.
type source interface {
	tensors() []TensorInfo
	readFloat32(name string) ([]float32, error)
	close() error
}

// Model is an open model file whose tensors are read one at a time.
type Model struct {
	Path   string
	Format Format
	// Tensors lists every stored tensor in file order (offset order for
	// safetensors, initializer order for ONNX, sorted names for npz).
	Tensors []TensorInfo
	// Note says what was opened where the path alone does not (the run
	// snapshot's epoch).
	Note string
	// Epoch is the snapshot epoch of a run directory, −1 for a file.
	Epoch int
	// Metadata is the file's free-form metadata: a safetensors header's
	// "__metadata__", an ONNX model's producer and opset.
	Metadata map[string]string
	// Layers are the model's weight layers in forward order, the generic
	// description the kernel graph works from: a run's config.json layers,
	// or for any other file weights.LayersOf its tensors (file order, each
	// layer fed by the one before, output shapes unknown).
	Layers []weights.Layer
	src    source
}

// Options tune Open.
type Options struct {
	// Epoch picks the snapshot of a run directory (AtEpoch(n)); nil, the
	// zero value, means the last, so OpenWith(path, Options{}) reads what
	// Open(path) reads.
	Epoch *int
	// Checkpoint picks the checkpoint of a GoMLX checkpoint directory: ""
	// for the latest, a global step ("300": the one whose name ends in
	// -step-00000300; "0" or "initial" for one saved before training), or a
	// checkpoint's base name ("checkpoint-n0000002-20250101-120000-step-00000300",
	// with or without .json).
	Checkpoint string
	// ConvView is how convolutions are read as matrices: per kernel (the
	// paper's, the default) or unfolded to out×(in·kh·kw).
	ConvView weights.ConvView
	// Layout overrides the layout of the tensors it matches (--layout).
	Layout weights.Overrides
}

// DetectFormat returns the format of path from its extension; for a
// directory, GoMLX when it holds checkpoint-*.json or .bin files and no
// config.json (a fracdyn run, whose checkpoints/ subdirectories hold GoMLX
// checkpoints too, stays a run), RunDir otherwise.
func DetectFormat(path string) (Format, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if st.IsDir() {
		if isGoMLXDir(path) {
			return GoMLX, nil
		}
		if f, ok := formatOfExt(path); ok {
			return "", fmt.Errorf("%s is a directory, not a %s file", path, f)
		}
		return RunDir, nil
	}
	if f, ok := formatOfExt(path); ok {
		return f, nil
	}
	if strings.EqualFold(filepath.Ext(path), gomlxJSONSuffix) {
		return GoMLX, nil
	}
	return "", fmt.Errorf("%s: unknown model format (want .safetensors, .onnx, .npz, a GoMLX checkpoint directory or .json, or a run directory)", path)
}

// formatOfExt returns the file format named by path's extension.
func formatOfExt(path string) (Format, bool) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".safetensors":
		return Safetensors, true
	case ".onnx":
		return ONNX, true
	case ".npz":
		return NPZ, true
	}
	return "", false
}

// AtEpoch returns Options.Epoch for epoch e: nil (the last) when e < 0.
func AtEpoch(e int) *int {
	if e < 0 {
		return nil
	}
	return &e
}

// Open opens a model file or run directory with default options (the last
// snapshot of a run): OpenWith(path, Options{}).
func Open(path string) (*Model, error) { return OpenWith(path, Options{}) }

// OpenWith opens a model file or run directory.
func OpenWith(path string, opts Options) (*Model, error) {
	f, err := DetectFormat(path)
	if err != nil {
		return nil, err
	}
	if opts.Checkpoint != "" && f != GoMLX {
		return nil, fmt.Errorf("%s: a GoMLX checkpoint was picked (%q) but this is not a GoMLX checkpoint directory (format %s)", path, opts.Checkpoint, f)
	}
	m := &Model{Path: path, Format: f, Epoch: -1}
	switch f {
	case Safetensors:
		m.src, err = openSafetensors(path)
	case ONNX:
		m.src, err = openONNX(path)
	case NPZ:
		m.src, err = openNPZ(path)
	case RunDir:
		epoch := -1
		if opts.Epoch != nil {
			epoch = *opts.Epoch
		}
		m.src, m.Epoch, err = openRun(path, epoch)
		m.Note = fmt.Sprintf("snapshot of epoch %d", m.Epoch)
	case GoMLX:
		var r *gomlxReader
		if r, err = openGoMLXPath(path, opts.Checkpoint); err == nil {
			m.src = r
			m.Note = "checkpoint " + r.meta["checkpoint"]
		}
	}
	if err != nil {
		return nil, err
	}
	m.Tensors = m.src.tensors()
	if err := m.resolve(opts); err != nil {
		m.src.close()
		return nil, err
	}
	if md, ok := m.src.(interface{ metadata() map[string]string }); ok {
		m.Metadata = md.metadata()
	}
	return m, nil
}

// resolve applies the layout overrides, sets every tensor's view and
// derives the layers. A segmented tensor whose layout cannot be told is an
// error naming it and --layout.
func (m *Model) resolve(opts Options) error {
	for i := range m.Tensors {
		t := &m.Tensors[i]
		wt := t.Tensor()
		ok, err := opts.Layout.Apply(&wt)
		if err != nil {
			return fmt.Errorf("%s: %w", m.Path, err)
		}
		if ok {
			t.Layout, t.Why = wt.Layout, wt.Why
		}
		if err := t.setView(opts.ConvView); err != nil {
			return fmt.Errorf("%s: %w", m.Path, err)
		}
	}
	if ls, ok := m.src.(interface{ layers() []weights.Layer }); ok && ls.layers() != nil {
		m.Layers = ls.layers()
		return nil
	}
	ts := make([]weights.Tensor, len(m.Tensors))
	for i, t := range m.Tensors {
		ts[i] = t.Tensor()
	}
	var err error
	m.Layers, err = weights.LayersOf(ts)
	if err != nil {
		return fmt.Errorf("%s: %w", m.Path, err)
	}
	return nil
}

// ReadFloat32 decodes the tensor called name as stored, converting to
// float32.
func (m *Model) ReadFloat32(name string) ([]float32, error) { return m.src.readFloat32(name) }

// ReadCanonical decodes the tensor called name and returns it in canonical
// order (fracdyn/weights: conv [out,in,kh,kw], dense [out,in]), the order
// its Matrices read.
func (m *Model) ReadCanonical(name string) ([]float32, error) {
	info, ok := m.Info(name)
	if !ok {
		return nil, fmt.Errorf("%s: no tensor %q", m.Path, name)
	}
	data, err := m.src.readFloat32(name)
	if err != nil {
		return nil, err
	}
	out, err := info.canonical(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", m.Path, err)
	}
	return out, nil
}

// Info returns the description of the tensor called name.
func (m *Model) Info(name string) (TensorInfo, bool) {
	for _, t := range m.Tensors {
		if t.Name == name {
			return t, true
		}
	}
	return TensorInfo{}, false
}

// Close releases the file.
func (m *Model) Close() error { return m.src.close() }
