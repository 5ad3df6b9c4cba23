package diagnose

import (
	"fmt"
	"math"

	"github.com/fracdyn/fracdyn/fracdyn/fractal"
	"github.com/fracdyn/fracdyn/fracdyn/null"
)

// NullMeasures name the per-layer measures of details.csv tested against
// the nulls (package null), in column order.
var NullMeasures = []string{"fd_bc", "fd_dbc", "fd_variogram", "fd_paper", "matrix_entropy", "selfsim_dimension"}

// ScaleNullMeasures name the per-scale measures of scales.csv tested
// against the nulls.
var ScaleNullMeasures = []string{"fd_mean", "entropy_mean"}

// LayerNulls are the null tests of a layer: by measure name, one Result
// per null of null.Kinds().
type LayerNulls struct {
	Draws    int                      // per null
	Elements int                      // per draw: the tensor's, or its leading block's (null.MatrixBlock)
	Tests    map[string][]null.Result // NullMeasures
}

// ScaleNulls are the null tests of a layer's segments at one scale.
type ScaleNulls struct {
	Draws    int
	Segments int                      // segments per draw (fewer than the layer's when sampled)
	Tests    map[string][]null.Result // ScaleNullMeasures
}

// tensorNulls computes the nulls of rep's layer-level measures and of
// each scale's segment means from the tensor's values, with
// opts.NullDraws draws per null and seed 1. A large tensor is tested on a
// leading block (null.MatrixBlock), its segments on a seeded uniform random
// sample of null.SampleSize(r) segments (null.SegmentTest).
func tensorNulls(rep *LayerReport, data []float32, opts AnalyzeOptions) error {
	info := rep.Info
	mp := info.Matrices
	draws := opts.NullDraws
	if draws <= 0 {
		draws = null.DefaultDraws
	}
	view := null.View{Count: mp.Count, Rows: mp.Rows, Cols: mp.Cols}
	block := null.MatrixBlock(view, draws, len(null.Kinds()))
	q := opts.Quantile
	if q == 0 {
		q = fractal.DefaultQuantile
	}
	// The observed threshold of a single matrix holds for its permutation
	// nulls; conv kernels get their own per matrix, as the observed ones do.
	var tau float64
	if mp.Count == 1 && block == view {
		tau = fractal.Quantile(widen(data), q)
	}
	methods := fractal.Methods()
	measure := func(x []float32, v null.View, k null.Kind) []float64 {
		sums := make([]float64, len(methods)+2)
		counts := make([]int, len(sums))
		add := func(i int, v float64) {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				sums[i] += v
				counts[i]++
			}
		}
		bi := info
		bi.Matrices.Count, bi.Matrices.Rows, bi.Matrices.Cols = v.Count, v.Rows, v.Cols
		err := bi.Matrices.Matrices(x, func(_ int, w []float64) error {
			fo := fractal.Options{Quantile: opts.Quantile, Threshold: tau}
			if v.Count > 1 || k == null.Gauss || tau == 0 || v != view {
				fo.Threshold = fractal.Quantile(w, q)
			}
			for i, m := range methods {
				if f, err := fractal.Estimate(w, v.Rows, v.Cols, m, fo); err == nil {
					add(i, f.Dimension)
				}
			}
			add(len(methods), fractal.Entropy(w))
			if ss, err := fractal.SelfSimilarity(w, v.Rows, v.Cols, fo); err == nil &&
				len(ss.Scales) >= fractal.SelfSimilarityMinScales && ss.Counts[0] > 0 {
				add(len(methods)+1, ss.Dimension)
			}
			return nil
		})
		out := make([]float64, len(sums))
		for i := range out {
			out[i] = math.NaN()
			if err == nil && counts[i] > 0 {
				out[i] = sums[i] / float64(counts[i])
			}
		}
		return out
	}
	est := map[fractal.Method]float64{}
	for _, e := range rep.Estimators {
		est[e.Method] = e.Dimension.Mean
	}
	var obs []float64
	for _, m := range methods {
		v, ok := est[m]
		if !ok {
			v = math.NaN()
		}
		obs = append(obs, v)
	}
	obs = append(obs, rep.Entropy.Mean, rep.SelfSim.Dimension.Mean)
	res, err := null.Test(data, view, obs, measure, null.Options{Draws: draws, Workers: opts.Workers, Block: block})
	if err != nil {
		return fmt.Errorf("%s: nulls: %w", info.Name, err)
	}
	rep.Nulls = &LayerNulls{Draws: draws, Elements: block.Len(), Tests: map[string][]null.Result{}}
	for i, m := range methods {
		rep.Nulls.Tests["fd_"+string(m)] = res[i]
	}
	rep.Nulls.Tests["matrix_entropy"] = res[len(methods)]
	rep.Nulls.Tests["selfsim_dimension"] = res[len(methods)+1]

	segNulls := null.NewSegmentNulls(data, view)
	for i := range rep.Scales {
		s := &rep.Scales[i]
		sr, segs, err := segNulls.Test(s.R, opts.Method, s.Threshold, []float64{s.FD.Mean, s.H.Mean}, null.Options{Draws: draws, Workers: opts.Workers})
		if err != nil {
			return fmt.Errorf("%s at r=%d: nulls: %w", info.Name, s.R, err)
		}
		s.Nulls = &ScaleNulls{Draws: draws, Segments: segs, Tests: map[string][]null.Result{"fd_mean": sr[0], "entropy_mean": sr[1]}}
	}
	return nil
}
