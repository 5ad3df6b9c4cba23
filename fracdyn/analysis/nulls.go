package analysis

import (
	"fmt"
	"math"
	"time"

	"github.com/fracdyn/fracdyn/fracdyn/fractal"
	"github.com/fracdyn/fracdyn/fracdyn/model"
	"github.com/fracdyn/fracdyn/fracdyn/null"
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
// against the nulls of the layer's 2-D matrix. It returns per scale r the
// tests of dim_bc, dim_dbc, dim_variogram, selfsim_dimension and dim_paper
// (the latter at r), and the draws per null and elements per draw. A
// large matrix is tested on a leading block of columns (null.MatrixBlock).
func matrixNulls(info model.Layer, w []float32, scales []int, st matrixStats, draws int, seed uint64) (map[int]map[string][]null.Result, layerNulls, error) {
	m, rows, cols := matrix2D(info, w)
	full := null.View{Count: 1, Rows: rows, Cols: cols}
	k := draws
	if k <= 0 {
		k = null.DefaultDraws
	}
	block := null.MatrixBlock(full, k, len(null.Kinds()))
	var tau float64 // the observed threshold, which the permutations keep; a block finds its own
	if block == full {
		tau = fractal.Quantile(m, fractal.DefaultQuantile)
	}
	var fits []int // scales where the paper's FD fits
	for _, r := range scales {
		if fractal.CheckScale(rows, cols, r) == nil {
			fits = append(fits, r)
		}
	}
	methods := []fractal.Method{fractal.MethodBoxCount, fractal.MethodDBC, fractal.MethodVariogram}
	measure := func(x []float64, v null.View, k null.Kind) []float64 {
		var opts fractal.Options
		t := tau
		if k == null.Gauss || v != full || t == 0 {
			t = fractal.Quantile(x, fractal.DefaultQuantile)
		}
		if t > 0 {
			opts.Threshold = t
		}
		out := make([]float64, 0, len(methods)+1+len(fits))
		for _, meth := range methods {
			d := math.NaN()
			if f, err := fractal.Estimate(x, v.Rows, v.Cols, meth, opts); err == nil {
				d = f.Dimension
			}
			out = append(out, d)
		}
		d := math.NaN()
		if ss, err := fractal.SelfSimilarity(x, v.Rows, v.Cols, opts); err == nil {
			d = ss.Dimension
		}
		out = append(out, d)
		for _, r := range fits {
			d := math.NaN()
			if fractal.CheckScale(v.Rows, v.Cols, r) == nil {
				if f, err := fractal.PaperFD(x, v.Rows, v.Cols, r, opts); err == nil {
					d = f.Dimension
				}
			}
			out = append(out, d)
		}
		return out
	}
	obs := []float64{st.dims[fractal.MethodBoxCount], st.dims[fractal.MethodDBC], st.dims[fractal.MethodVariogram], st.verdict.Dimension}
	for _, r := range fits {
		obs = append(obs, st.paper[r])
	}
	res, err := null.Test(m, full, obs, measure, null.Options{Draws: k, Seed: seed, Block: block})
	if err != nil {
		return nil, layerNulls{}, fmt.Errorf("%s: nulls: %w", info.Name, err)
	}
	out := map[int]map[string][]null.Result{}
	for _, r := range scales {
		t := map[string][]null.Result{"dim_bc": res[0], "dim_dbc": res[1], "dim_variogram": res[2], "selfsim_dimension": res[3]}
		for i, fr := range fits {
			if fr == r {
				t["dim_paper"] = res[4+i]
			}
		}
		out[r] = t
	}
	return out, layerNulls{draws: k, elements: block.Len()}, nil
}

// segmentNulls tests the mean segment FD (method) and the mean segment
// entropy of a layer at scale r against the nulls of its weight tensor,
// segmented as LayerSegments does (sampled per null.SegmentMeans). tau is
// the observed layer's mask threshold, which the permutation nulls keep.
// It returns the tests of mean_segment_fd and mean_entropy, and the
// segments measured per draw.
func segmentNulls(info model.Layer, w []float32, r int, method fractal.Method, tau float32, obsFD, obsH float64, draws int, seed uint64) (map[string][]null.Result, int, error) {
	v, err := fractal.MatrixViews(info.WeightShape)
	if err != nil {
		return nil, 0, err
	}
	measure, block, segs, err := null.SegmentMeans(info.WeightShape, r, method, float64(tau))
	if err != nil {
		return nil, 0, err
	}
	view := null.View{Count: v.Count, Rows: v.Rows, Cols: v.Cols}
	res, err := null.Test(w, view, []float64{obsFD, obsH}, measure, null.Options{Draws: draws, Seed: seed, Block: block})
	if err != nil {
		return nil, 0, fmt.Errorf("%s at r=%d: nulls: %w", info.Name, r, err)
	}
	return map[string][]null.Result{"mean_segment_fd": res[0], "mean_entropy": res[1]}, segs, nil
}

// segmentNulls adds the segment nulls of ls at scale r to row (when nulls
// are on and the row has its matrix nulls).
func (a *analyzer) segmentNulls(row *layerRow, ls *layerScale, r int) error {
	if a.opts.NullDraws < 0 || row.Nulls == nil {
		return nil
	}
	start := time.Now()
	defer a.timed("nulls", start)
	seg := ls.layer.Segments
	t, n, err := segmentNulls(ls.layer.Info, ls.layer.Weights, r, a.opts.Method, seg.Threshold, row.MeanFD, row.MeanH, a.opts.NullDraws, a.opts.Seed)
	if err != nil {
		return err
	}
	tests := map[string][]null.Result{}
	for k, v := range row.Nulls.tests {
		tests[k] = v
	}
	for k, v := range t {
		tests[k] = v
	}
	row.Nulls = &layerNulls{tests: tests, draws: row.Nulls.draws, elements: row.Nulls.elements, segments: n}
	return nil
}
