package dynamics

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"

	"github.com/fracdyn/fracdyn/fracdyn/run"
)

// Kinds of trajectory.
const (
	KindLoss      = "loss"            // the minibatch loss
	KindGradNorm  = "grad_norm"       // ‖∇L‖ over all parameters
	KindLayerNorm = "layer_grad_norm" // ‖∇L‖ over one layer
	KindSegment   = "segment"         // ‖∂L/∂W_seg‖ of a tracked segment
	// KindSegmentVector is the vector of a layer's analysed segments'
	// norms, one multivariate trajectory (AnalyzeRun only).
	KindSegmentVector = "segment_vector"
)

// Trajectory is one per-step series of a run.
type Trajectory struct {
	Name   string // "loss", "grad_norm", "grad_norm_conv1", "conv1_n3_ch0_r0_c1"
	Kind   string
	Layer  string // "" for whole-model series
	Column int    // column in steps-segments.npy; -1 for other kinds; the width for KindSegmentVector
	Values []float64
}

// Trajectories are the per-step series of a run with their time axis.
type Trajectories struct {
	Epoch  []int // epoch of each step (1-based)
	Step   []int // global step number (1-based)
	Series []Trajectory
}

// SegmentName names a tracked segment: layer_nN_chC_rR_cC for conv
// kernels (output neuron N, input channel C), layer_rR_cC for dense
// matrices, R and C the block's origin. Names hold no commas, spaces or
// slashes, so they fit CSV fields and file names.
func SegmentName(s run.TrackedSegment) string {
	if s.Neuron < 0 {
		return fmt.Sprintf("%s_r%d_c%d", s.Layer, s.Row, s.Col)
	}
	return fmt.Sprintf("%s_n%d_ch%d_r%d_c%d", s.Layer, s.Neuron, s.Channel, s.Row, s.Col)
}

// LoadTrajectories reads steps.csv and, when the run has them, the tracked
// segments' gradient norms. perLayer > 0 keeps at most that many segments
// per layer, evenly spaced over the layer's tracked columns (a deterministic
// choice); perLayer ≤ 0 keeps all. A run without tracked segments (neither
// segments-index.csv nor steps-segments.npy) has the other series only; a
// run whose tracked segments cannot be read (one of the two files missing,
// a truncated or malformed array) is an error wrapping ErrSegments.
func LoadTrajectories(r *run.Run, perLayer int) (*Trajectories, error) {
	steps, err := r.Steps()
	if err != nil {
		return nil, err
	}
	if len(steps) == 0 {
		return nil, fmt.Errorf("run %s: no steps recorded", r.Dir)
	}
	tr := &Trajectories{Epoch: make([]int, len(steps)), Step: make([]int, len(steps))}
	loss := make([]float64, len(steps))
	gn := make([]float64, len(steps))
	layerNorms := make([][]float64, len(r.Config.Layers))
	for i := range layerNorms {
		layerNorms[i] = make([]float64, len(steps))
	}
	for i, s := range steps {
		tr.Epoch[i], tr.Step[i] = s.Epoch, s.Step
		loss[i], gn[i] = s.Loss, s.GradNorm
		for j, l := range r.Config.Layers {
			v, ok := s.LayerGradNorms[l.Name]
			if !ok {
				v = math.NaN()
			}
			layerNorms[j][i] = v
		}
	}
	tr.Series = append(tr.Series,
		Trajectory{Name: "loss", Kind: KindLoss, Column: -1, Values: loss},
		Trajectory{Name: "grad_norm", Kind: KindGradNorm, Column: -1, Values: gn})
	for j, l := range r.Config.Layers {
		tr.Series = append(tr.Series, Trajectory{Name: "grad_norm_" + l.Name, Kind: KindLayerNorm,
			Layer: l.Name, Column: -1, Values: layerNorms[j]})
	}
	if !hasTrackedSegments(r.Dir) {
		return tr, nil // a run without tracked segments still has its loss
	}
	index, series, err := r.TrackedSegments()
	if err != nil {
		return tr, fmt.Errorf("%w: %w", ErrSegments, err)
	}
	rows, cols := series.Shape[0], series.Shape[1]
	if rows != len(steps) {
		return tr, fmt.Errorf("%w: run %s: %d rows of segment norms for %d steps", ErrSegments, r.Dir, rows, len(steps))
	}
	data := series.Float64s()
	for _, c := range pickSegments(index, perLayer) {
		v := make([]float64, rows)
		for t := range v {
			v[t] = data[t*cols+c]
		}
		s := index[c]
		tr.Series = append(tr.Series, Trajectory{Name: SegmentName(s), Kind: KindSegment,
			Layer: s.Layer, Column: c, Values: v})
	}
	return tr, nil
}

// ErrSegments is wrapped by the error of LoadTrajectories when the tracked
// segments' trajectories cannot be read; the Trajectories it returns along
// with it hold the other series.
var ErrSegments = errors.New("tracked segments unreadable")

// hasTrackedSegments reports whether either file of the tracked segments
// exists in the run directory dir.
func hasTrackedSegments(dir string) bool {
	for _, f := range []string{run.SegmentsIndex, run.SegmentsFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); !errors.Is(err, fs.ErrNotExist) {
			return true
		}
	}
	return false
}

// pickSegments returns the columns kept: per layer, at most perLayer evenly
// spaced over its tracked columns, in column order.
func pickSegments(index []run.TrackedSegment, perLayer int) []int {
	byLayer := map[string][]int{}
	var order []string
	for _, s := range index {
		if _, ok := byLayer[s.Layer]; !ok {
			order = append(order, s.Layer)
		}
		byLayer[s.Layer] = append(byLayer[s.Layer], s.Column)
	}
	var out []int
	for _, l := range order {
		cols := byLayer[l]
		if perLayer <= 0 || len(cols) <= perLayer {
			out = append(out, cols...)
			continue
		}
		for k := 0; k < perLayer; k++ {
			out = append(out, cols[k*len(cols)/perLayer])
		}
	}
	return out
}

// finitePrefix returns the longest prefix of v without NaN or ±Inf (a
// diverged run ends in them).
func finitePrefix(v []float64) []float64 {
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return v[:i]
		}
	}
	return v
}
