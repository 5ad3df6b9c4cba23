package analysis

import (
	"fmt"
	"math"
	"time"

	"github.com/fracdyn/fracdyn/fracdyn/diagnose"
	"github.com/fracdyn/fracdyn/fracdyn/fractal"
	"github.com/fracdyn/fracdyn/fracdyn/null"
	"github.com/fracdyn/fracdyn/fracdyn/segraph"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

// nullMeasures names the measures of layers.csv tested against nulls, in
// column order.
var nullMeasures = []string{"dim_bc", "dim_dbc", "dim_variogram", "dim_paper", "selfsim_dimension", "mean_segment_fd", "mean_entropy"}

// nullColumns are the null columns appended to layers.csv.
func nullColumns() []string {
	var h []string
	for _, m := range nullMeasures {
		h = append(h, null.Columns(m, null.Kinds())...)
	}
	return append(h, "null_draws", "null_elements", "null_segments")
}

// layerNulls are the null tests of one row of layers.csv, by measure name.
type layerNulls struct {
	tests    map[string][]null.Result
	draws    int // per null
	elements int // matrix elements per draw (fewer than the layer's when sampled)
	segments int // segments per draw (the sample size when sampled)
}

// cells returns the row's cells matching nullColumns.
func (n *layerNulls) cells() []string {
	var c []string
	for _, m := range nullMeasures {
		var rs []null.Result
		if n != nil {
			rs = n.tests[m]
		}
		c = append(c, null.Cells(rs, null.Kinds(), ftoa)...)
	}
	if n == nil {
		return append(c, "", "", "")
	}
	return append(c, fmt.Sprint(n.draws), fmt.Sprint(n.elements), fmt.Sprint(n.segments))
}

// matrixNulls tests the matrix-level measures of layerStats (bc, dbc,
// variogram and self-similarity dimensions, the paper's FD at each scale)
// against the nulls of the layer's matrices as view reads them, each draw
// measured by the same code as the observed layer
// (diagnose.SummarizeMatrices, means over the matrices). It returns per
// scale r the tests of dim_bc, dim_dbc, dim_variogram, selfsim_dimension
// and dim_paper (the latter at r), and the draws per null and elements per
// draw. A large tensor is tested on a leading block (null.MatrixBlock).
func matrixNulls(name string, w []float32, view weights.View, scales []int, st matrixStats, draws int, seed uint64) (map[int]map[string][]null.Result, layerNulls, error) {
	full := null.View{Count: view.Count, Rows: view.Rows, Cols: view.Cols}
	k := draws
	if k <= 0 {
		k = null.DefaultDraws
	}
	block := null.MatrixBlock(full, k, len(null.Kinds()))
	methods := []fractal.Method{fractal.MethodBoxCount, fractal.MethodDBC, fractal.MethodVariogram}
	measure := func(x []float32, v null.View, _ null.Kind) []float64 {
		bv := view
		bv.Count, bv.Rows, bv.Cols = v.Count, v.Rows, v.Cols
		out := make([]float64, len(methods)+1+len(scales))
		for i := range out {
			out[i] = math.NaN()
		}
		// Sequential: null.Test already runs a draw per worker.
		sum, err := diagnose.SummarizeMatrices(x, bv, diagnose.SummaryOptions{PaperScales: scales})
		if err != nil {
			return out
		}
		for i, m := range methods {
			for _, e := range sum.Estimators {
				if e.Method == m {
					out[i] = e.Dimension.Mean
				}
			}
		}
		out[len(methods)] = sum.Verdict.Dimension
		for i, r := range scales {
			out[len(methods)+1+i] = sum.Paper[r].Mean
		}
		return out
	}
	obs := []float64{st.dims[fractal.MethodBoxCount], st.dims[fractal.MethodDBC], st.dims[fractal.MethodVariogram], st.verdict.Dimension}
	for _, r := range scales {
		obs = append(obs, st.paper[r])
	}
	res, err := null.Test(w, full, obs, measure, null.Options{Draws: k, Seed: seed, Block: block})
	if err != nil {
		return nil, layerNulls{}, fmt.Errorf("%s: nulls: %w", name, err)
	}
	out := map[int]map[string][]null.Result{}
	for i, r := range scales {
		out[r] = map[string][]null.Result{"dim_bc": res[0], "dim_dbc": res[1], "dim_variogram": res[2],
			"selfsim_dimension": res[3], "dim_paper": res[4+i]}
	}
	return out, layerNulls{draws: k, elements: block.Len()}, nil
}

// layerSegmentNulls returns the segment nulls of layer l's weights (its
// per-kernel view), one per layer and epoch, shared by its scales.
func (a *analyzer) layerSegmentNulls(l segraph.Layer) (*null.SegmentNulls, error) {
	if n, ok := a.segNulls[l.Index]; ok {
		return n, nil
	}
	v, err := l.Info.View(weights.PerKernel)
	if err != nil {
		return nil, err
	}
	n := null.NewSegmentNulls(l.Weights, null.View{Count: v.Count, Rows: v.Rows, Cols: v.Cols})
	a.segNulls[l.Index] = n
	return n, nil
}

// segmentNulls adds to row (when nulls are on and the row has its matrix
// nulls) the tests of the mean segment FD (Options.Method) and the mean
// segment entropy of ls at scale r against the nulls of its weight tensor
// (its per-kernel view), segmented as LayerSegments does
// (null.SegmentTest: a layer of more than null.SampleSize(r) segments on a
// seeded uniform random sample of them), the permutation nulls at the
// observed mask threshold.
func (a *analyzer) segmentNulls(row *layerRow, ls *layerScale, r int) error {
	if a.opts.NullDraws < 0 || row.Nulls == nil {
		return nil
	}
	start := time.Now()
	defer a.timed("nulls", start)
	seg := ls.layer.Segments
	sn, err := a.layerSegmentNulls(ls.layer)
	if err != nil {
		return err
	}
	res, n, err := sn.Test(r, a.opts.Method, float64(seg.Threshold), []float64{row.MeanFD, row.MeanH}, null.Options{Draws: a.opts.NullDraws, Seed: a.opts.Seed})
	if err != nil {
		return fmt.Errorf("%s at r=%d: nulls: %w", ls.layer.Info.Name, r, err)
	}
	tests := map[string][]null.Result{}
	for k, v := range row.Nulls.tests {
		tests[k] = v
	}
	tests["mean_segment_fd"], tests["mean_entropy"] = res[0], res[1]
	if total := seg.Len(); n < total {
		a.note(fmt.Sprintf("segment nulls of %s at r=%d: a seeded uniform random sample of %d of its %d segments (null_segments), the same positions in the layer and in every draw",
			ls.layer.Info.Name, r, n, total))
	}
	row.Nulls = &layerNulls{tests: tests, draws: row.Nulls.draws, elements: row.Nulls.elements, segments: n}
	return nil
}
