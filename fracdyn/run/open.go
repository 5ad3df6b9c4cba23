package run

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/fracdyn/fracdyn/fracdyn/arrayio"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

// Files of snapshots and the probe batch.
const (
	SnapshotsDir = "snapshots"
	ProbeFile    = "probe.npz"
	// LossEntry is the npz entry of a snapshot holding the probe-batch loss.
	LossEntry = "loss"
	// GradSuffix ends the npz names of gradients: "conv1.weight.grad".
	GradSuffix = ".grad"
	// ActivationSuffix ends the npz names of activation maps:
	// "conv.activation" (see Activation).
	ActivationSuffix = ".activation"
)

func snapshotName(epoch int) string { return fmt.Sprintf("epoch-%03d.npz", epoch) }

// Run is a run directory opened for reading.
type Run struct {
	Dir    string
	Config Config
}

// Open opens the run directory dir, reading its config.json.
func Open(dir string) (*Run, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("opening run: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("opening run %s: not a directory", dir)
	}
	c, err := ReadConfig(dir)
	if err != nil {
		return nil, fmt.Errorf("opening run %s: %w", dir, err)
	}
	return &Run{Dir: dir, Config: *c}, nil
}

// Layer returns the layer called name, or an error listing the layers.
func (r *Run) Layer(name string) (weights.Layer, error) {
	var names []string
	for _, l := range r.Config.Layers {
		if l.Name == name {
			return l, nil
		}
		names = append(names, l.Name)
	}
	return weights.Layer{}, fmt.Errorf("run %s (%s) has no layer %q; its layers are %s",
		r.Dir, r.Config.Arch, name, strings.Join(names, ", "))
}

// SnapshotEpochs returns the epochs with a snapshot, in increasing order.
func (r *Run) SnapshotEpochs() ([]int, error) {
	entries, err := os.ReadDir(filepath.Join(r.Dir, SnapshotsDir))
	if err != nil {
		return nil, fmt.Errorf("run %s: listing snapshots: %w", r.Dir, err)
	}
	var epochs []int
	for _, e := range entries {
		num, ok := strings.CutPrefix(e.Name(), "epoch-")
		if !ok {
			continue
		}
		num, ok = strings.CutSuffix(num, ".npz")
		if n, err := strconv.Atoi(num); ok && err == nil {
			epochs = append(epochs, n)
		}
	}
	slices.Sort(epochs)
	return epochs, nil
}

// Snapshot is the state saved at the end of an epoch (epoch 0: before any
// step): weights and biases, and their loss gradients on the probe batch,
// keyed by PyTorch state-dict name ("conv1.weight", "conv1.bias").
type Snapshot struct {
	Epoch          int
	Weights, Grads map[string]*arrayio.Array
	Loss           float64 // mean cross-entropy on the probe batch
	// Activations holds the recorded activation maps by layer name (the
	// probe-batch mean of the layer's output, shaped its OutShape), for the
	// layers whose recorder wrote them (fracdyn/recorder); fracdyn's own
	// runs have none: the analysis recomputes them by their forward pass.
	Activations map[string][]float32
}

// Snapshot reads snapshots/epoch-NNN.npz and checks that it holds every
// parameter of the run's layers, and its gradient, with the right shape.
func (r *Run) Snapshot(epoch int) (*Snapshot, error) {
	path := filepath.Join(r.Dir, SnapshotsDir, snapshotName(epoch))
	_, arrays, err := arrayio.ReadNPZ(path)
	if err != nil {
		return nil, fmt.Errorf("run %s: snapshot of epoch %d: %w", r.Dir, epoch, err)
	}
	s := &Snapshot{Epoch: epoch, Weights: map[string]*arrayio.Array{}, Grads: map[string]*arrayio.Array{}}
	for _, l := range r.Config.Layers {
		for _, p := range []struct {
			name  string
			shape []int
		}{{l.WeightName(), l.StoredShape()}, {stateName(l.Name, "bias"), l.BiasShape}} {
			if len(p.shape) == 0 {
				continue // a layer without bias
			}
			name := p.name
			for _, key := range []string{name, name + GradSuffix} {
				a, ok := arrays[key]
				if !ok {
					return nil, fmt.Errorf("run %s: snapshot %s lacks %q", r.Dir, path, key)
				}
				if !slices.Equal(a.Shape, p.shape) {
					return nil, fmt.Errorf("run %s: snapshot %s: %q has shape %v, want %v", r.Dir, path, key, a.Shape, p.shape)
				}
			}
			s.Weights[name] = arrays[name]
			s.Grads[name] = arrays[name+GradSuffix]
		}
	}
	if a, ok := arrays[LossEntry]; ok && a.Len() == 1 {
		s.Loss = a.Float64s()[0]
	}
	for _, l := range r.Config.Layers {
		key := l.Name + ActivationSuffix
		a, ok := arrays[key]
		if !ok {
			continue
		}
		if len(l.OutShape) == 0 || !slices.Equal(a.Shape, l.OutShape) {
			return nil, fmt.Errorf("run %s: snapshot %s: %q has shape %v, want the layer's output shape %v", r.Dir, path, key, a.Shape, l.OutShape)
		}
		if s.Activations == nil {
			s.Activations = map[string][]float32{}
		}
		s.Activations[l.Name] = a.Float32s()
	}
	return s, nil
}

// LayerWeight returns the weight of l in canonical order (conv
// [out,in,kh,kw], dense [out,in]) whatever its stored layout
// (weights.Layer.Canonical): the stored values themselves for fracdyn's
// own runs, a permuted copy otherwise.
func (s *Snapshot) LayerWeight(l weights.Layer) ([]float32, error) { return s.canonical(s.Weights, l) }

// LayerGrad returns the probe-batch gradient of l's weight in canonical order.
func (s *Snapshot) LayerGrad(l weights.Layer) ([]float32, error) { return s.canonical(s.Grads, l) }

func (s *Snapshot) canonical(m map[string]*arrayio.Array, l weights.Layer) ([]float32, error) {
	a, ok := m[l.WeightName()]
	if !ok {
		_, err := s.get(m, l.Name)
		if err == nil {
			err = fmt.Errorf("snapshot of epoch %d has no %q", s.Epoch, l.WeightName())
		}
		return nil, err
	}
	return l.Canonical(nil, a.Float32s())
}

// Weight returns the weight of layer as stored (fracdyn's own runs: PyTorch
// layout, conv [out,in,kh,kw], dense [out,in]) or an error naming the
// layers there are. LayerWeight gives any layer's in canonical order.
func (s *Snapshot) Weight(layer string) (*arrayio.Array, error) { return s.get(s.Weights, layer) }

// Grad returns the probe-batch gradient of layer's weight.
func (s *Snapshot) Grad(layer string) (*arrayio.Array, error) { return s.get(s.Grads, layer) }

func (s *Snapshot) get(m map[string]*arrayio.Array, layer string) (*arrayio.Array, error) {
	if a, ok := m[stateName(layer, "weight")]; ok {
		return a, nil
	}
	var names []string
	for k := range m {
		if l, ok := strings.CutSuffix(k, ".weight"); ok {
			names = append(names, l)
		}
	}
	slices.Sort(names)
	return nil, fmt.Errorf("snapshot of epoch %d has no layer %q; its layers are %s", s.Epoch, layer, strings.Join(names, ", "))
}

// Steps reads steps.csv.
func (r *Run) Steps() ([]Step, error) {
	_, steps, err := readSteps(r.Dir)
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", r.Dir, err)
	}
	return steps, nil
}

// EpochStats reads epochs.csv.
func (r *Run) EpochStats() ([]EpochStats, error) {
	e, err := readEpochs(r.Dir)
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", r.Dir, err)
	}
	return e, nil
}

// Probe returns the probe batch: normalised images [P*28*28] and labels [P].
func (r *Run) Probe() (images []float32, labels []int32, err error) {
	path := filepath.Join(r.Dir, ProbeFile)
	_, arrays, err := arrayio.ReadNPZ(path)
	if err != nil {
		return nil, nil, fmt.Errorf("run %s: %w", r.Dir, err)
	}
	im, lb := arrays["images"], arrays["labels"]
	if im == nil || lb == nil || im.DType != arrayio.Float32 || lb.DType != arrayio.Int32 ||
		len(im.Shape) != 3 || len(lb.Shape) != 1 || im.Shape[0] != lb.Shape[0] {
		return nil, nil, fmt.Errorf("run %s: %s must hold images float32 [P,28,28] and labels int32 [P]", r.Dir, path)
	}
	return im.Data.([]float32), lb.Data.([]int32), nil
}

// TrackedSegments returns the index of the tracked segments and the series
// of their per-step gradient norms, float32 [steps, tracked].
func (r *Run) TrackedSegments() (index []TrackedSegment, series *arrayio.Array, err error) {
	return r.trackedSeries(SegmentsFile)
}

// TrackedSegmentMeans is TrackedSegments with the signed mean of each
// segment's gradient instead of its norm.
func (r *Run) TrackedSegmentMeans() (index []TrackedSegment, series *arrayio.Array, err error) {
	return r.trackedSeries(SegmentsMeanFile)
}

func (r *Run) trackedSeries(file string) ([]TrackedSegment, *arrayio.Array, error) {
	index, err := readSegmentsIndex(r.Dir)
	if err != nil {
		return nil, nil, fmt.Errorf("run %s: %w", r.Dir, err)
	}
	a, err := readNPYFloat32(filepath.Join(r.Dir, file))
	if err != nil {
		return nil, nil, fmt.Errorf("run %s: %w", r.Dir, err)
	}
	if len(a.Shape) != 2 || a.Shape[1] != len(index) {
		return nil, nil, fmt.Errorf("run %s: %s has shape %v, want [steps %d]", r.Dir, file, a.Shape, len(index))
	}
	return index, a, nil
}

func readNPYFloat32(path string) (*arrayio.Array, error) {
	a, err := arrayio.ReadNPY(path)
	if err != nil {
		return nil, err
	}
	if a.DType != arrayio.Float32 {
		return nil, fmt.Errorf("%s: dtype %s, want float32", path, a.DType)
	}
	return a, nil
}

func writeNPYFloat32(path string, data []float32, rows, cols int) error {
	return arrayio.WriteNPY(path, arrayio.FromFloat32(data, rows, cols))
}
