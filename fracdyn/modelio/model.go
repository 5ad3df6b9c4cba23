package modelio

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Format is a model file format.
type Format string

const (
	Safetensors Format = "safetensors"
	ONNX        Format = "onnx"
	NPZ         Format = "npz"
	RunDir      Format = "run" // a directory written by "fracdyn train"
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
	src      source
}

// Options tune Open.
type Options struct {
	// Epoch picks the snapshot of a run directory; negative means the last.
	Epoch int
}

// DetectFormat returns the format of path from its extension, or RunDir
// for a directory.
func DetectFormat(path string) (Format, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if st.IsDir() {
		return RunDir, nil
	}
	if f, ok := formatOfExt(path); ok {
		return f, nil
	}
	return "", fmt.Errorf("%s: unknown model format (want .safetensors, .onnx, .npz or a run directory)", path)
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

// Open opens a model file or run directory with default options (the last
// snapshot of a run).
func Open(path string) (*Model, error) { return OpenWith(path, Options{Epoch: -1}) }

// OpenWith opens a model file or run directory.
func OpenWith(path string, opts Options) (*Model, error) {
	f, err := DetectFormat(path)
	if err != nil {
		return nil, err
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
		var epoch int
		m.src, epoch, err = openRun(path, opts.Epoch)
		m.Note = fmt.Sprintf("snapshot of epoch %d", epoch)
		m.Epoch = epoch
	}
	if err != nil {
		return nil, err
	}
	m.Tensors = m.src.tensors()
	if md, ok := m.src.(interface{ metadata() map[string]string }); ok {
		m.Metadata = md.metadata()
	}
	return m, nil
}

// ReadFloat32 decodes the tensor called name, converting to float32.
func (m *Model) ReadFloat32(name string) ([]float32, error) { return m.src.readFloat32(name) }

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

// Matrices calls fn for each 2-D matrix of the tensor info describes (see
// Mapping), passing the matrix index and its values widened to float64 in a
// buffer reused across calls. It returns fn's first error.
func Matrices(info TensorInfo, data []float32, fn func(j int, w []float64) error) error {
	mp := info.Matrices
	size := mp.Rows * mp.Cols
	if mp.Count*size != len(data) {
		return fmt.Errorf("tensor %q: mapping %v needs %d values, have %d", info.Name, mp, mp.Count*size, len(data))
	}
	buf := make([]float64, size)
	for j := 0; j < mp.Count; j++ {
		for i, v := range data[j*size : (j+1)*size] {
			buf[i] = float64(v)
		}
		if err := fn(j, buf); err != nil {
			return err
		}
	}
	return nil
}
