package modelfile

import (
	"fmt"
	"sort"

	"github.com/fracdyn/fracdyn/fracdyn/arrayio"
	"github.com/fracdyn/fracdyn/fracdyn/run"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

// memSource serves tensors already decoded by fracdyn/arrayio: .npz files
// and run snapshots, which are read whole.
type memSource struct {
	path   string
	infos  []TensorInfo
	arrays map[string]*arrayio.Array
	lays   []weights.Layer // a run's layers; nil for an npz file
}

func newMemSource(path string, arrays map[string]*arrayio.Array, conv weights.Convention) *memSource {
	s := &memSource{path: path, arrays: arrays}
	names := make([]string, 0, len(arrays))
	for n := range arrays {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		a := arrays[n]
		info := TensorInfo{Name: n, DType: DType(a.DType), Shape: append([]int(nil), a.Shape...)}
		Classify(&info, conv)
		s.infos = append(s.infos, info)
	}
	return s
}

func openNPZ(path string) (*memSource, error) {
	_, arrays, err := arrayio.ReadNPZ(path)
	if err != nil {
		return nil, err
	}
	return newMemSource(path, arrays, weights.NumPy), nil
}

// openRun opens the snapshot of epoch (the last when epoch < 0) of the run
// in dir. It returns the epoch opened.
func openRun(dir string, epoch int) (*memSource, int, error) {
	r, err := run.Open(dir)
	if err != nil {
		return nil, 0, err
	}
	epochs, err := r.SnapshotEpochs()
	if err != nil {
		return nil, 0, err
	}
	if len(epochs) == 0 {
		return nil, 0, fmt.Errorf("%s: run has no snapshots", dir)
	}
	if epoch < 0 {
		epoch = epochs[len(epochs)-1]
	}
	snap, err := r.Snapshot(epoch)
	if err != nil {
		return nil, 0, err
	}
	arrays := map[string]*arrayio.Array{}
	for n, a := range snap.Weights {
		arrays[n] = a
	}
	// The run says what each weight is and how it is stored.
	s := newMemSource(dir, arrays, weights.PyTorch)
	s.lays = r.Config.Layers
	for _, l := range r.Config.Layers {
		for i := range s.infos {
			if t := &s.infos[i]; t.Name == l.WeightName() {
				t.Kind, t.Layout, t.Why = l.Kind, l.StoredLayout(), ""
			}
		}
	}
	return s, epoch, nil
}

// layers returns a run's layers (nil for an npz file, whose layers are
// derived from its tensors).
func (s *memSource) layers() []weights.Layer { return s.lays }

func (s *memSource) tensors() []TensorInfo { return append([]TensorInfo(nil), s.infos...) }

func (s *memSource) readFloat32(name string) ([]float32, error) {
	a, ok := s.arrays[name]
	if !ok {
		return nil, fmt.Errorf("%s: no array %q", s.path, name)
	}
	return a.Float32s(), nil
}

func (s *memSource) close() error { s.arrays = nil; return nil }
