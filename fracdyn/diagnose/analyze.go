package diagnose

import (
	"context"
	"fmt"
	"math"
	"path"
	"runtime/debug"
	"slices"

	"github.com/fracdyn/fracdyn/fracdyn/fractal"
	"github.com/fracdyn/fracdyn/fracdyn/modelfile"
	"github.com/fracdyn/fracdyn/fracdyn/spectral"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

// AnalyzeOptions tune Analyze. The zero value gives the defaults.
type AnalyzeOptions struct {
	// Scales are the segment sizes r; nil means every valid scale of each
	// layer's matrices (fractal.ValidScales), as fracdyn analyze. A list
	// restricts them: each layer uses those of the list valid for it.
	// AllScales (every valid scale) overrides a list.
	Scales    []int
	AllScales bool
	// Layers is a glob (path.Match) over tensor names; "" means every
	// eligible tensor.
	Layers string
	// Method is the per-segment dimension estimator (fractal.Method; ""
	// means box counting).
	Method fractal.Method
	// Quantile of |w| used as the mask threshold; 0 means fractal's default.
	Quantile float64
	// Workers bounds fractal's goroutines; 0 means GOMAXPROCS.
	Workers int
	// Progress, if set, is called as each layer starts.
	Progress func(i, n int, info modelfile.TensorInfo)
	// Keep, if set, picks the selected tensors to analyse by their index
	// in the selection (Selected's order); the others are skipped. It
	// splits the work over shards (fracdyn/shard).
	Keep func(i int, info modelfile.TensorInfo) bool
	// NullDraws is the number of draws per null model (package null) of
	// the per-layer and per-scale measures: 0 means null.DefaultDraws, a
	// negative number no nulls.
	NullDraws int
}

// largeTensor is the element count from which Analyze collects garbage
// between the steps of a layer and returns memory to the OS after it: the
// collections cost milliseconds against seconds of analysis, and keep the
// heap near its live size instead of twice it.
const largeTensor = 1 << 20

// settle collects garbage and returns it to the OS when n elements make a
// large tensor: freed multi-megabyte spans are otherwise kept by the
// runtime and add up across the estimators' temporaries.
func settle(n int) {
	if n >= largeTensor {
		debug.FreeOSMemory()
	}
}

// SegmentRow is one segment of one layer at one scale.
type SegmentRow struct {
	Layer                     string
	R, Matrix                 int
	Neuron, Channel, Row, Col int
	FD, FDR2, Entropy         float64
}

// Stat summarises values: mean and standard deviation (population) of
// the N finite ones; Undefined counts the NaN and infinite ones (an
// estimator with no fit), which are left out.
type Stat struct {
	Mean, Std float64
	N         int
	Undefined int
}

// StatOf returns the Stat of v.
func StatOf[T float32 | float64](v []T) Stat { return statOf(v) }

func statOf[T float32 | float64](v []T) Stat {
	var s Stat
	var sum float64
	for _, x := range v {
		if f := float64(x); math.IsNaN(f) || math.IsInf(f, 0) {
			s.Undefined++
		} else {
			sum += f
			s.N++
		}
	}
	if s.N == 0 {
		s.Mean, s.Std = math.NaN(), math.NaN()
		return s
	}
	s.Mean = sum / float64(s.N)
	for _, x := range v {
		if f := float64(x); !math.IsNaN(f) && !math.IsInf(f, 0) {
			s.Std += (f - s.Mean) * (f - s.Mean)
		}
	}
	s.Std = math.Sqrt(s.Std / float64(s.N))
	return s
}

// ScaleSummary summarises a layer's segments at one scale r.
type ScaleSummary struct {
	R, Segments int
	Threshold   float64 // mask threshold τ over the layer
	FD, FDR2, H Stat
	Nulls       *ScaleNulls // nil: not computed
}

// EstimatorSummary is one whole-matrix dimension estimator over a layer's
// matrices: the dimension and R² of each matrix's fit, summarised.
type EstimatorSummary struct {
	Method    fractal.Method
	Dimension Stat
	R2        Stat
	Failed    int // matrices the estimator could not fit (too small, empty)
}

// SelfSimSummary summarises fractal.SelfSimilarity over a layer's matrices.
type SelfSimSummary struct {
	Judged, Invariant int  // matrices with enough scales, and those passing
	Dimension, R2     Stat // over judged matrices
	// Reason is the verdict's explanation for a single-matrix layer, or a
	// count for a layer of many.
	Reason string
}

// LayerReport is the data-free diagnosis of one weight tensor.
type LayerReport struct {
	Info       modelfile.TensorInfo
	Scales     []ScaleSummary
	Estimators []EstimatorSummary
	Entropy    Stat // whole-matrix entropy fractal.Entropy over matrices
	SelfSim    SelfSimSummary
	// Spectral are the WeightWatcher metrics; for a conv kernel [out,in,kh,kw]
	// the eigenvalues of its kh·kw out×in slices are pooled into one ESD, as
	// WeightWatcher does.
	Spectral spectral.Details
	// Err is set when the layer could not be analysed (NaN weights, say);
	// the other layers still are.
	Err string
	// Nulls are the layer's measures against null models (nil: not
	// computed).
	Nulls *LayerNulls
}

// layerScales returns the scales to use for info under opts.
func layerScales(info modelfile.TensorInfo, opts AnalyzeOptions) []int {
	valid := info.Matrices.Scales()
	if opts.AllScales || opts.Scales == nil {
		return valid
	}
	want := opts.Scales
	var out []int
	for _, r := range want {
		if slices.Contains(valid, r) {
			out = append(out, r)
		}
	}
	return out
}

// Selected returns the tensors of m that Analyze visits: eligible ones
// whose names match the glob.
func Selected(m *modelfile.Model, glob string) ([]modelfile.TensorInfo, error) {
	var out []modelfile.TensorInfo
	for _, t := range m.Tensors {
		if !t.Eligible() {
			continue
		}
		if glob != "" {
			ok, err := path.Match(glob, t.Name)
			if err != nil {
				return nil, fmt.Errorf("bad layer glob %q: %w", glob, err)
			}
			if !ok {
				continue
			}
		}
		out = append(out, t)
	}
	return out, nil
}

// Analyze runs the data-free diagnosis on every selected tensor of m, one
// tensor in memory at a time: segmentation at each scale with the chosen
// estimator and entropy per segment (passed to segment, which may be nil),
// every whole-matrix estimator, the matrix entropy, the self-similarity
// test, and the spectral metrics. It stops early when ctx is cancelled.
func Analyze(ctx context.Context, m *modelfile.Model, opts AnalyzeOptions, segment func(SegmentRow) error) ([]LayerReport, error) {
	sel, err := Selected(m, opts.Layers)
	if err != nil {
		return nil, err
	}
	var reports []LayerReport
	for i, info := range sel {
		if err := ctx.Err(); err != nil {
			return reports, err
		}
		if opts.Keep != nil && !opts.Keep(i, info) {
			continue
		}
		if opts.Progress != nil {
			opts.Progress(i, len(sel), info)
		}
		data, err := m.ReadCanonical(info.Name)
		if err != nil {
			return reports, err
		}
		large := len(data) >= largeTensor
		rep, err := AnalyzeTensor(info, data, opts, segment)
		if err != nil {
			return reports, err
		}
		reports = append(reports, rep)
		if large {
			// Hand a large layer's memory back before reading the next one,
			// so that peak RSS follows the largest layer, not the sum.
			debug.FreeOSMemory()
		}
	}
	return reports, nil
}

// AnalyzeTensor is Analyze for one tensor already decoded, data in
// canonical order (Model.ReadCanonical). Only errors of
// segment are returned; a failure of the analysis itself is recorded in
// the report's Err.
func AnalyzeTensor(info modelfile.TensorInfo, data []float32, opts AnalyzeOptions, segment func(SegmentRow) error) (LayerReport, error) {
	rep := LayerReport{Info: info}
	src := data // for the nulls: data itself is let go below
	shape := info.Matrices.Shape
	lopts := fractal.LayerOptions{Name: info.Name, Method: opts.Method, Quantile: opts.Quantile, Workers: opts.Workers}
	for _, r := range layerScales(info, opts) {
		lr, err := fractal.LayerSegments(data, shape, r, lopts)
		if err != nil {
			rep.Err = err.Error()
			return rep, nil
		}
		settle(len(data))
		fd, r2, h := lr.FD, lr.FDR2, lr.H
		rep.Scales = append(rep.Scales, ScaleSummary{R: r, Segments: lr.Len(), Threshold: float64(lr.Threshold),
			FD: statOf(fd), FDR2: statOf(r2), H: statOf(h)})
		if segment == nil {
			continue
		}
		q := lr.PerMatrix()
		for s := range lr.Len() {
			id := lr.Segment(s)
			row := SegmentRow{Layer: info.Name, R: r, Matrix: s / q, Neuron: id.Neuron, Channel: id.Channel,
				Row: id.Row, Col: id.Col, FD: float64(fd[s]), FDR2: float64(r2[s]), Entropy: float64(h[s])}
			if err := segment(row); err != nil {
				return rep, err
			}
		}
	}

	mp := info.Matrices
	sum := newMatrixSummarizer(mp, SummaryOptions{Options: fractal.Options{Quantile: opts.Quantile}})
	cshape := info.CanonicalShape()
	convSpec := info.Kind == weights.Conv && len(cshape) == 4 && cshape[2]*cshape[3] > 1
	var err error
	if mp.Count == 1 && !convSpec {
		// One matrix: widen it once and let the float32 copy go, so that a
		// large layer is held once in float64 (plus the estimators'
		// temporaries) rather than twice.
		w := widen(data)
		data = nil
		settle(len(w))
		if err = sum.add(w); err == nil {
			settle(len(w))
			rep.Spectral, err = spectral.Analyze(w, mp.Rows, mp.Cols)
		}
	} else {
		err = mp.Matrices(data, func(_ int, w []float64) error { return sum.add(w) })
		if err == nil && convSpec {
			rep.Spectral, err = convSpectral(cshape, data)
		} else if err == nil {
			rep.Spectral, err = spectral.Analyze(widen(data), mp.Rows, mp.Cols)
		}
	}
	if err != nil {
		rep.Err = fmt.Sprintf("%s: %v", info.Name, err)
		return rep, nil
	}
	ms := sum.result()
	rep.Estimators, rep.Entropy, rep.SelfSim = ms.Estimators, ms.Entropy, ms.SelfSim
	if opts.NullDraws >= 0 {
		if err := tensorNulls(&rep, src, opts); err != nil {
			rep.Err = err.Error()
		}
	}
	return rep, nil
}

// convSpectral returns the spectral details of a canonical conv kernel
// [out,in,kh,kw]: the pooled ESD of its kh·kw slices W[:,:,i,j], each out×in.
func convSpectral(shape []int, data []float32) (spectral.Details, error) {
	out, in, kh, kw := shape[0], shape[1], shape[2], shape[3]
	slice := make([]float64, out*in)
	var ev []float64
	for p := range kh * kw {
		for o := range out {
			for c := range in {
				slice[o*in+c] = float64(data[(o*in+c)*kh*kw+p])
			}
		}
		e, err := spectral.Eigenvalues(slice, out, in)
		if err != nil {
			return spectral.Details{}, err
		}
		ev = append(ev, e...)
	}
	slices.Sort(ev)
	return spectral.FromEigenvalues(ev, out, in), nil
}

func widen(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}
