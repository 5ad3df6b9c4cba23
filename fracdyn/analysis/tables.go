package analysis

import (
	"bufio"
	"io"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/fracdyn/fracdyn/fracdyn/diagnose"
	"github.com/fracdyn/fracdyn/fracdyn/fractal"
	"github.com/fracdyn/fracdyn/fracdyn/segraph"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
	"github.com/fracdyn/fracdyn/internal/fsutil"
)

// layerScale is one layer measured at one scale in one epoch.
type layerScale struct {
	layer     segraph.Layer                           // with Segments from the chosen estimator
	byMethod  map[fractal.Method]*fractal.LayerResult // every estimator
	feats     *segraph.Graph                          // the layer alone: ‖A‖ and ‖α‖ (segraph.Options.NormsOnly)
	gradNorms []float32                               // ‖∂L/∂S‖ on the probe batch
}

// measureColumns returns the per-segment values of ls's measures, one
// slice per column of segmentMeasures: each estimator's dimension and R²
// (nil when it was not computed: Options.AllEstimators unset), H, ‖A‖,
// ‖α‖ and the gradient norm.
func (ls *layerScale) measureColumns() [][]float32 {
	var cols [][]float32
	for _, m := range fractal.Methods() {
		if res := ls.byMethod[m]; res != nil {
			cols = append(cols, res.FD, res.FDR2)
		} else {
			cols = append(cols, nil, nil)
		}
	}
	return append(cols, ls.layer.Segments.H, ls.feats.ANorm, ls.feats.AlphaNorm, ls.gradNorms)
}

// segmentValues sets dst to segment s's measures from cols
// (measureColumns): NaN for a column not computed.
func segmentValues(dst []float32, cols [][]float32, s int) {
	for k, c := range cols {
		if c == nil {
			dst[k] = float32(math.NaN())
		} else {
			dst[k] = c[s]
		}
	}
}

// measureLayer segments a layer at scale r with Options.Method (every
// estimator with Options.AllEstimators) and
// computes its features and gradient norms.
func measureLayer(base segraph.Layer, grads []float32, r int, opts Options) (*layerScale, error) {
	ls := &layerScale{byMethod: map[fractal.Method]*fractal.LayerResult{}}
	for _, m := range fractal.Methods() {
		if m != opts.Method && !opts.AllEstimators {
			continue // its columns are NaN
		}
		lo := fractal.LayerOptions{Name: base.Info.Name, Method: m}
		if m != opts.Method {
			lo.Entropy = fractal.EntropySkip // H comes from opts.Method's call
		}
		v, err := base.Info.View(weights.PerKernel)
		if err != nil {
			return nil, err
		}
		res, err := fractal.LayerSegments(base.Weights, v.Shape, r, lo)
		if err != nil {
			return nil, err
		}
		ls.byMethod[m] = res
	}
	ls.layer = base
	ls.layer.Segments = ls.byMethod[opts.Method]
	var err error
	ls.feats, err = segraph.Build([]segraph.Layer{ls.layer}, segraph.Options{Pool: opts.Pool, DataFree: opts.DataFree, NormsOnly: true})
	if err != nil {
		return nil, err
	}
	ls.gradNorms = segmentNorms(grads, ls.layer.Segments)
	return ls, nil
}

// segmentNorms returns the Euclidean norm of each segment of t, a tensor
// laid out like the layer's weights: ‖S‖ = √(Σ x²), the squares summed in
// float64 row by row, each row left to right.
func segmentNorms(t []float32, seg *fractal.LayerResult) []float32 {
	out := make([]float32, seg.Len())
	if t == nil {
		for i := range out {
			out[i] = float32(math.NaN())
		}
		return out
	}
	v, r, ro, co := seg.View, seg.R, seg.RowOrigins, seg.ColOrigins
	sums := make([]float64, len(co)) // one band of segments
	for m := range v.Count {
		mat := t[m*v.Rows*v.Cols:][:v.Rows*v.Cols]
		for a, i0 := range ro {
			clear(sums)
			for x := range r {
				addSquares(sums, mat[(i0+x)*v.Cols:][:v.Cols], co, r)
			}
			band := out[(m*len(ro)+a)*len(co):][:len(co)]
			for b, ss := range sums {
				band[b] = float32(math.Sqrt(ss))
			}
		}
	}
	return out
}

// addSquares adds to sums[b] the squares of row[co[b] : co[b]+r] in order,
// four segments at a time: four independent sums in flight instead of one
// chain of additions.
func addSquares(sums []float64, row []float32, co []int, r int) {
	b := 0
	for ; b+4 <= len(co); b += 4 {
		x0, x1, x2, x3 := row[co[b]:][:r], row[co[b+1]:][:r], row[co[b+2]:][:r], row[co[b+3]:][:r]
		s0, s1, s2, s3 := sums[b], sums[b+1], sums[b+2], sums[b+3]
		for y := range r {
			s0 += float64(x0[y]) * float64(x0[y])
			s1 += float64(x1[y]) * float64(x1[y])
			s2 += float64(x2[y]) * float64(x2[y])
			s3 += float64(x3[y]) * float64(x3[y])
		}
		sums[b], sums[b+1], sums[b+2], sums[b+3] = s0, s1, s2, s3
	}
	for ; b < len(co); b++ {
		s := sums[b]
		for _, x := range row[co[b]:][:r] {
			s += float64(x) * float64(x)
		}
		sums[b] = s
	}
}

// segmentHeader is the header of the per-segment tables.
func segmentHeader() []string {
	h := []string{"epoch", "layer", "neuron", "channel", "row", "col", "r"}
	for _, m := range fractal.Methods() {
		h = append(h, "fd_"+string(m), "r2_"+string(m))
	}
	return append(h, "entropy", "a_norm", "alpha_norm", "grad_norm")
}

// writeSegments writes the per-segment table of one epoch. Rows are
// formatted in blocks, the blocks of a batch in parallel (a million-segment
// layer spends a second in float formatting), and written in order.
func writeSegments(path string, epoch int, layers []*layerScale) error {
	const block = 1 << 15
	workers := runtime.GOMAXPROCS(0)
	bufs := make([][]byte, workers)
	return fsutil.WriteFileAtomic(path, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		writeRow(bw, segmentHeader())
		for _, ls := range layers {
			n := ls.layer.Segments.Len()
			for s0 := 0; s0 < n; s0 += workers * block {
				var wg sync.WaitGroup
				for k := range workers {
					lo, hi := min(s0+k*block, n), min(s0+(k+1)*block, n)
					wg.Go(func() { bufs[k] = appendSegmentRows(bufs[k][:0], epoch, ls, lo, hi) })
				}
				wg.Wait()
				for _, b := range bufs {
					bw.Write(b)
				}
			}
		}
		return bw.Flush()
	})
}

// appendSegmentRows appends the table rows of segments [lo, hi) of ls.
func appendSegmentRows(buf []byte, epoch int, ls *layerScale, lo, hi int) []byte {
	seg := ls.layer.Segments
	cols := ls.measureColumns()
	meas := make([]float32, len(cols))
	var fc floatCache
	for s := lo; s < hi; s++ {
		id := seg.Segment(s)
		buf = strconv.AppendInt(buf, int64(epoch), 10)
		buf = append(buf, ',')
		buf = append(buf, ls.layer.Info.Name...)
		for _, v := range [...]int{id.Neuron, id.Channel, id.Row, id.Col, seg.R} {
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(v), 10)
		}
		segmentValues(meas, cols, s)
		for _, v := range meas {
			buf = fc.appendFloat(buf, v)
		}
		buf = append(buf, '\n')
	}
	return buf
}

func appendFloat(buf []byte, v float32) []byte {
	buf = append(buf, ',')
	return strconv.AppendFloat(buf, float64(v), 'g', -1, 32)
}

// floatCache remembers the text of recent float32 values, direct-mapped by
// their bits: the dimension columns of a table of 2×2 segments take a
// handful of values, whose formatting would otherwise dominate writing it.
type floatCache struct {
	bits [256]uint32
	used [256]bool
	text [256][16]byte // 'g' shortest float32 needs at most 15 bytes
	n    [256]uint8
}

// appendFloat is the package's appendFloat through the cache.
func (c *floatCache) appendFloat(buf []byte, v float32) []byte {
	b := math.Float32bits(v)
	i := (b * 0x9e3779b1) >> 24
	if !c.used[i] || c.bits[i] != b {
		t := strconv.AppendFloat(c.text[i][:0], float64(v), 'g', -1, 32)
		c.bits[i], c.used[i], c.n[i] = b, true, uint8(len(t))
	}
	buf = append(buf, ',')
	return append(buf, c.text[i][:c.n[i]]...)
}

func writeRow(w *bufio.Writer, cells []string) {
	for i, c := range cells {
		if i > 0 {
			w.WriteByte(',')
		}
		w.WriteString(c)
	}
	w.WriteByte('\n')
}

// layerRow is one row of layers.csv.
type layerRow struct {
	Layer      string
	Epoch, R   int
	Dims, R2s  map[fractal.Method]float64 // matrix-level
	SelfSim    fractal.Verdict
	MeanFD     float64 // mean per-segment FD (chosen estimator)
	MeanH      float64
	GradNorm   float64 // ‖∂L/∂W‖ of the layer on the probe batch
	SelfSimErr string
	Nulls      *layerNulls // nil: not computed
}

// matrixStats are the matrix-level estimates of one layer in one epoch.
type matrixStats struct {
	dims, r2s map[fractal.Method]float64 // every estimator but the paper's
	paper     map[int]float64            // the paper's single-scale dimension by r (NaN where r does not fit)
	verdict   fractal.Verdict            // a single matrix's, or the summary of many
	ssErr     string
	gradNorm  float64
}

// layerStats computes the matrix-level estimates of a layer once per epoch
// from its canonical weights w read as view gives them, with
// diagnose.SummarizeMatrices: the code analyze-model reports per layer. A
// layer of many matrices (a conv layer read per kernel) is measured matrix
// by matrix and each estimate is the mean over the matrices; a single
// matrix (a dense layer, an unfolded conv) has its estimators run
// concurrently (fc1's 6.4 million weights dominate the analysis of an
// epoch otherwise). The mask threshold, a quantile of |w|, is found once
// per matrix and shared by every estimator.
func layerStats(w []float32, view weights.View, grad []float32, scales []int) matrixStats {
	st := matrixStats{dims: map[fractal.Method]float64{}, r2s: map[fractal.Method]float64{}, paper: map[int]float64{}}
	var ss float64
	for _, g := range grad {
		ss += float64(g) * float64(g)
	}
	st.gradNorm = math.Sqrt(ss)
	for _, r := range scales {
		st.paper[r] = math.NaN()
	}
	sum, err := diagnose.SummarizeMatrices(w, view, diagnose.SummaryOptions{PaperScales: scales, Concurrent: view.Count == 1})
	if err != nil {
		st.ssErr = err.Error()
		return st
	}
	for _, e := range sum.Estimators {
		if e.Method != fractal.MethodPaper {
			st.dims[e.Method], st.r2s[e.Method] = e.Dimension.Mean, e.R2.Mean
		}
	}
	for _, r := range scales {
		st.paper[r] = sum.Paper[r].Mean
	}
	st.verdict = sum.Verdict
	return st
}

func layersHeader() []string {
	h := []string{"layer", "epoch", "r"}
	for _, m := range fractal.Methods() {
		h = append(h, "dim_"+string(m), "dim_r2_"+string(m))
	}
	h = append(h, "selfsim_dimension", "selfsim_r2", "scale_invariant", "selfsim_range_lo", "selfsim_range_hi",
		"selfsim_reason", "mean_segment_fd", "mean_entropy", "grad_norm")
	return append(h, nullColumns()...)
}

func writeLayers(path string, rows []layerRow) error {
	return fsutil.WriteFileAtomic(path, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		writeRow(bw, layersHeader())
		for _, r := range rows {
			cells := []string{r.Layer, strconv.Itoa(r.Epoch), strconv.Itoa(r.R)}
			for _, m := range fractal.Methods() {
				cells = append(cells, ftoa(r.Dims[m]), ftoa(r.R2s[m]))
			}
			reason := r.SelfSim.Reason
			if r.SelfSimErr != "" {
				reason = r.SelfSimErr
			}
			cells = append(cells, ftoa(r.SelfSim.Dimension), ftoa(r.SelfSim.R2), strconv.FormatBool(r.SelfSim.ScaleInvariant),
				strconv.Itoa(r.SelfSim.RangeLo), strconv.Itoa(r.SelfSim.RangeHi), csvQuote(reason),
				ftoa(r.MeanFD), ftoa(r.MeanH), ftoa(r.GradNorm))
			cells = append(cells, r.Nulls.cells()...)
			writeRow(bw, cells)
		}
		return bw.Flush()
	})
}

func ftoa(v float64) string { return strconv.FormatFloat(v, 'g', 8, 64) }

func mean32(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x)
	}
	return s / float64(max(len(v), 1))
}

// csvQuote quotes a CSV cell when needed (RFC 4180: double the quotes).
func csvQuote(s string) string {
	if !strings.ContainsAny(s, ",\"\n\r") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// writeSkipped writes skipped.csv: one row per skipped or thinned layer or
// graph (the header alone when nothing was).
func writeSkipped(path string, rows []Skip) error {
	return fsutil.WriteFileAtomic(path, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		writeRow(bw, []string{"epoch", "layer", "r", "graph", "action", "reason"})
		for _, s := range rows {
			writeRow(bw, []string{strconv.Itoa(s.Epoch), s.Layer, strconv.Itoa(s.R), s.Graph, s.Action, csvQuote(s.Reason)})
		}
		return bw.Flush()
	})
}
