package fractal

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/fracdyn/fracdyn/fracdyn/fractal/internal/kernels"
)

// EntropyKind selects how LayerSegments measures the entropy of a segment.
type EntropyKind int

const (
	// EntropyMagnitude is Entropy: p_i = |w_i| / Σ|w| (the default).
	EntropyMagnitude EntropyKind = iota
	// EntropyHistogram is Binning.Entropy over a binning of the whole layer.
	EntropyHistogram
	// EntropySkip leaves out the entropy where it costs extra: the
	// per-segment methods (dbc, variogram) leave H zero. The fused bc and
	// paper kernels compute the magnitude entropy regardless. For callers
	// that take H from another call at the same scale.
	EntropySkip
)

// LayerOptions tune LayerSegments. The zero value gives the defaults: box
// counting, a median threshold over the layer, magnitude entropy, and one
// worker per available CPU.
type LayerOptions struct {
	Name      string  // the layer's name, used in errors ("conv1")
	Method    Method  // per-segment dimension: bc (default), paper, dbc, variogram
	Quantile  float64 // mask threshold as a quantile of |w| over the layer; 0: DefaultQuantile
	Threshold float64 // when > 0, the mask threshold itself
	Entropy   EntropyKind
	Bins      int // histogram bins for EntropyHistogram; 0: DefaultBins
	Workers   int // goroutines; 0: runtime.GOMAXPROCS(0)
}

// LayerResult holds the per-segment measures of one layer at one scale r.
//
// Segment order: for a conv layer [out, in, kh, kw], for each output channel
// k, for each input channel c, the segments of kernel matrix (k, c) in
// row-major origin order; for a dense layer [out, in], the segments of the
// one matrix in row-major origin order. Segment i is therefore segment
// i mod Q of matrix i / Q, with Q = len(RowOrigins)·len(ColOrigins).
type LayerResult struct {
	Layer      string
	Shape      []int
	R          int
	View       MatrixView
	RowOrigins []int // origins along the matrix rows (Origins(View.Rows, R))
	ColOrigins []int
	Threshold  float32 // mask threshold τ over the layer
	Method     Method
	Sizes      []int // box sizes inside a segment (SegmentSizes(R)) for bc
	// FD, FDR2 and H are the dimension, its fit's R² and the entropy (nats)
	// of each segment, in segment order.
	FD, FDR2, H []float32
}

// SegmentID locates a segment of a layer.
//
// Neuron is the output unit the segment belongs to: for conv the output
// channel k; for dense the first of the R output units (matrix rows
// Row..Row+R−1) it spans. Channel is the input channel c for conv, and 0 for
// dense. Row and Col are the segment's origin in its 2-D matrix.
type SegmentID struct {
	Neuron, Channel, Row, Col int
}

// Len returns the number of segments.
func (l *LayerResult) Len() int { return len(l.FD) }

// PerMatrix returns the number of segments of each 2-D matrix.
func (l *LayerResult) PerMatrix() int { return len(l.RowOrigins) * len(l.ColOrigins) }

// Segment returns the location of segment i.
func (l *LayerResult) Segment(i int) SegmentID {
	q := l.PerMatrix()
	mat, s := i/q, i%q
	id := SegmentID{Row: l.RowOrigins[s/len(l.ColOrigins)], Col: l.ColOrigins[s%len(l.ColOrigins)]}
	if l.View.Conv {
		id.Neuron, id.Channel = mat/l.Shape[1], mat%l.Shape[1]
	} else {
		id.Neuron = id.Row
	}
	return id
}

// LayerSegments cuts every 2-D matrix of a layer (see MatrixViews) into r×r
// segments by eq. (1) and measures each with a fractal dimension and an
// entropy, in one streaming pass that never materialises the segments. The
// mask threshold τ is a quantile of |w| over the whole layer, so every
// segment is masked alike. weights is the tensor in PyTorch layout, shape its
// dimensions. r must be a valid scale of the matrices (CheckScale).
//
// bc and paper with magnitude entropy run a fused float32 kernel; dbc,
// variogram and histogram entropy go through the float64 reference
// functions per segment. NaN or Inf weights are an error naming the layer,
// the segment and the position.
func LayerSegments(weights []float32, shape []int, r int, opts LayerOptions) (*LayerResult, error) {
	name, view, method, err := checkLayer(weights, shape, r, opts)
	if err != nil {
		return nil, err
	}
	if _, err := ParseMethod(string(method)); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if opts.Entropy < EntropyMagnitude || opts.Entropy > EntropySkip {
		return nil, fmt.Errorf("%s: unknown entropy kind %d", name, opts.Entropy)
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	res := &LayerResult{
		Layer: name, Shape: append([]int(nil), shape...), R: r, View: view,
		RowOrigins: Origins(view.Rows, r), ColOrigins: Origins(view.Cols, r),
		Method: method,
	}
	if method == MethodBoxCount {
		res.Sizes = SegmentSizes(r)
	}
	total := view.Count * res.PerMatrix()
	res.FD = make([]float32, total)
	res.FDR2 = make([]float32, total)
	res.H = make([]float32, total)
	fused := (method == MethodBoxCount || method == MethodPaper) && opts.Entropy != EntropyHistogram
	if fused && r > 2 && r <= 64 { // one read of the matrix (kernels' onepass.go)
		q := opts.Quantile
		if q == 0 {
			q = DefaultQuantile
		}
		b := res.bands()
		bad, err := b.OnePass(weights, q, opts.Threshold, workers)
		res.Threshold = b.Threshold
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if bad >= 0 {
			return nil, res.nonFinite(weights, bad)
		}
		return res, nil
	}
	tau, bad, err := kernels.ThresholdAbs32(weights, opts.Quantile, opts.Threshold, workers)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if bad >= 0 {
		return nil, res.nonFinite(weights, bad)
	}
	res.Threshold = tau
	var binning Binning
	if opts.Entropy == EntropyHistogram {
		binning = binning32(weights, opts.Bins)
	}
	// Work units: one band of segment rows of one matrix.
	units := view.Count * len(res.RowOrigins)
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for wk := range workers {
		u0, u1 := units*wk/workers, units*(wk+1)/workers
		if u0 == u1 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if fused {
				res.fusedBands(weights, u0, u1)
			} else {
				errs[wk] = res.referenceBands(weights, u0, u1, binning, opts.Entropy)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return res, nil
}

// LayerAllScales runs LayerSegments at every valid scale of the layer's
// matrices, in increasing r.
func LayerAllScales(weights []float32, shape []int, opts LayerOptions) ([]*LayerResult, error) {
	view, err := MatrixViews(shape)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", opts.Name, err)
	}
	var out []*LayerResult
	for _, r := range ValidScales(view.Rows, view.Cols) {
		lr, err := LayerSegments(weights, shape, r, opts)
		if err != nil {
			return nil, err
		}
		out = append(out, lr)
	}
	return out, nil
}

// bands returns l's segment grid and result slices as the fused kernels
// take them (the slices are shared: the kernels write l's results).
func (l *LayerResult) bands() *kernels.Bands {
	return &kernels.Bands{
		View: kernels.View{Count: l.View.Count, Rows: l.View.Rows, Cols: l.View.Cols},
		R:    l.R, RowOrigins: l.RowOrigins, ColOrigins: l.ColOrigins, Sizes: SegmentSizes(l.R),
		Paper: l.Method == MethodPaper, Threshold: l.Threshold, FD: l.FD, FDR2: l.FDR2, H: l.H,
	}
}

// fusedBands measures the segments of work units [u0, u1) (one band of
// segment rows of one matrix each) with the fused kernel at l.Threshold.
func (l *LayerResult) fusedBands(w []float32, u0, u1 int) { l.bands().FusedBands(w, u0, u1) }

// nonFinite builds the error for the non-finite weight at flat index idx.
func (l *LayerResult) nonFinite(w []float32, idx int) error {
	v := l.View
	per := v.Rows * v.Cols
	mat, in := idx/per, idx%per
	i, j := in/v.Cols, in%v.Cols
	// The first segment (in segment order) that holds (i, j).
	a := 0
	for a < len(l.RowOrigins)-1 && !(i >= l.RowOrigins[a] && i < l.RowOrigins[a]+l.R) {
		a++
	}
	b := 0
	for b < len(l.ColOrigins)-1 && !(j >= l.ColOrigins[b] && j < l.ColOrigins[b]+l.R) {
		b++
	}
	seg := mat*l.PerMatrix() + a*len(l.ColOrigins) + b
	id := l.Segment(seg)
	where := fmt.Sprintf("matrix element (%d, %d)", i, j)
	if v.Conv {
		where = fmt.Sprintf("kernel (out %d, in %d) element (%d, %d)", mat/l.Shape[1], mat%l.Shape[1], i, j)
	}
	return fmt.Errorf("%s: non-finite weight %v at %s, in segment %d (neuron %d, channel %d, origin (%d, %d)) at r=%d",
		l.Layer, w[idx], where, seg, id.Neuron, id.Channel, id.Row, id.Col, l.R)
}

// referenceBands measures the segments of units [u0, u1) with the float64
// reference functions.
func (l *LayerResult) referenceBands(w []float32, u0, u1 int, bins Binning, kind EntropyKind) error {
	r, v := l.R, l.View
	seg := make([]float64, r*r)
	nb := len(l.RowOrigins)
	for u := u0; u < u1; u++ {
		mat, a := u/nb, u%nb
		base := mat * v.Rows * v.Cols
		i0 := l.RowOrigins[a]
		for b, j0 := range l.ColOrigins {
			for x := range r {
				row := w[base+(i0+x)*v.Cols+j0 : base+(i0+x)*v.Cols+j0+r]
				for y, val := range row {
					seg[x*r+y] = float64(val)
				}
			}
			idx := mat*l.PerMatrix() + a*len(l.ColOrigins) + b
			var d, r2 float64
			if r == 2 && (l.Method == MethodDBC || l.Method == MethodVariogram) {
				d, r2 = surface2(l.Method, seg[0], seg[1], seg[2], seg[3])
			} else {
				var err error
				if d, r2, err = SegmentFD(seg, r, l.Method, float64(l.Threshold)); err != nil {
					return fmt.Errorf("segment %d: %w", idx, err)
				}
			}
			var h float64
			switch kind {
			case EntropyMagnitude:
				h = Entropy(seg)
			case EntropyHistogram:
				h = bins.Entropy(seg)
			}
			l.FD[idx], l.FDR2[idx], l.H[idx] = float32(d), float32(r2), float32(h)
		}
	}
	return nil
}

func binning32(w []float32, bins int) Binning {
	lo, hi := float32(math.Inf(1)), float32(math.Inf(-1))
	for _, v := range w {
		lo, hi = min(lo, v), max(hi, v)
	}
	if bins <= 0 {
		bins = DefaultBins
	}
	return Binning{Lo: float64(lo), Hi: float64(hi), Bins: bins}
}

// checkLayer validates the arguments of LayerSegments and
// LayerSegmentsGraph and returns the layer's name for errors, its matrix
// view and the method (default box counting).
func checkLayer(weights []float32, shape []int, r int, opts LayerOptions) (string, MatrixView, Method, error) {
	name := opts.Name
	if name == "" {
		name = "layer"
	}
	view, err := MatrixViews(shape)
	if err != nil {
		return name, view, "", fmt.Errorf("%s: %w", name, err)
	}
	if len(weights) != view.Count*view.Rows*view.Cols {
		return name, view, "", fmt.Errorf("%s: %d weights do not fill shape %v", name, len(weights), shape)
	}
	if err := CheckScale(view.Rows, view.Cols, r); err != nil {
		return name, view, "", fmt.Errorf("%s: %w", name, err)
	}
	method := opts.Method
	if method == "" {
		method = MethodBoxCount
	}
	return name, view, method, nil
}
