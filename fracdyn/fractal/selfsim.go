package fractal

import (
	"fmt"
	"math"
)

// Thresholds of the SelfSimilarity verdict.
const (
	// SelfSimilarityMinR2 is the least R² of the log-log fit over a range of
	// scales for the matrix to count as scale-invariant there.
	SelfSimilarityMinR2 = 0.99
	// SelfSimilarityMinScales is the least number of scales in such a range.
	SelfSimilarityMinScales = 3
	// SelfSimilarityMinRatio is the least ratio r_hi/r_lo of such a range: a
	// power law claimed over less than a factor of 2 in scale says nothing.
	SelfSimilarityMinRatio = 2.0
)

// Verdict is the outcome of SelfSimilarity.
type Verdict struct {
	// Fit is the box-counting fit of ln N(r) against ln(1/ε_r) over every
	// valid scale r, N(r) the number of segments of eq. (1) holding an on
	// cell of the mask and 1/ε_r = √Q(r) the number of segments per side
	// (Q(r) = ⌈n/r⌉·⌈m/r⌉). Measuring the box side relative to the matrix
	// this way keeps the ceilings of eq. (1) out of the slope: a full matrix
	// has N = Q and D = 2 exactly at every r. Fit.Dimension is the slope;
	// Fit.Residuals() the residuals.
	Fit
	// Scales are the valid scales r, and ScaleDimensions the paper's
	// normalised single-scale dimension D_r (PaperFD) at each.
	Scales          []int
	ScaleDimensions []float64
	// ScaleInvariant is true when the fit over all valid scales passes the
	// test (R² ≥ SelfSimilarityMinR2, at least SelfSimilarityMinScales
	// scales spanning a factor SelfSimilarityMinRatio).
	ScaleInvariant bool
	// RangeLo..RangeHi is the widest range of consecutive valid scales that
	// passes the test (0, 0 when none does), RangeDimension its slope and
	// RangeR2 its R².
	RangeLo, RangeHi int
	RangeDimension   float64
	RangeR2          float64
	// Reason says why in words.
	Reason string
}

// SelfSimilarity tests whether the n×m matrix w looks the same across the
// scales of its segmentation: it counts, at every valid r, the segments that
// hold an on cell of the mask (τ from opts, shared by all scales), fits
// ln N(r) = c + D·ln √Q(r), and reports the slope, R², residuals, the
// per-scale dimensions and a verdict. A power law (a straight line) over a
// range of r means the mask is self-similar over that range; curvature
// (R² < SelfSimilarityMinR2) means the dimension depends on the scale.
// Fewer than SelfSimilarityMinScales valid scales cannot be judged.
func SelfSimilarity(w []float64, n, m int, opts Options) (Verdict, error) {
	if err := checkMatrix(w, n, m); err != nil {
		return Verdict{}, err
	}
	tau := opts.threshold(w)
	mask := Mask(w, tau)
	v := Verdict{Scales: ValidScales(n, m)}
	v.Method = MethodBoxCount
	v.Threshold = tau
	logN := make([]float64, len(v.Scales))
	for i, r := range v.Scales {
		c := countSegments(mask, n, m, r)
		q := SegmentCount(n, m, r)
		v.Sizes = append(v.Sizes, float64(r))
		v.Counts = append(v.Counts, float64(c))
		d := 0.0
		if c > 0 && q > 1 {
			d = 2 * math.Log(float64(c)) / math.Log(float64(q))
		}
		v.ScaleDimensions = append(v.ScaleDimensions, d)
		logN[i] = math.Log(float64(c))
	}
	if len(v.Scales) < SelfSimilarityMinScales {
		v.Reason = fmt.Sprintf("%d valid scale(s) for a %d×%d matrix; at least %d are needed to judge",
			len(v.Scales), n, m, SelfSimilarityMinScales)
		return v, nil
	}
	if v.Counts[0] == 0 {
		v.Reason = "the mask is empty"
		return v, nil
	}
	for i, r := range v.Scales {
		v.X = append(v.X, 0.5*math.Log(float64(SegmentCount(n, m, r))))
		v.Y = append(v.Y, logN[i])
	}
	v.Intercept, v.Slope, v.R2 = LinearFit(v.X, v.Y)
	v.Dimension = v.Slope
	v.ScaleInvariant = passes(v.Scales, v.R2)
	// Widest passing window of consecutive scales (ties: the smaller r).
	best := 0
	for lo := 0; lo < len(v.Scales); lo++ {
		for hi := len(v.Scales) - 1; hi-lo+1 > best && hi >= lo; hi-- {
			_, b, r2 := LinearFit(v.X[lo:hi+1], v.Y[lo:hi+1])
			if passes(v.Scales[lo:hi+1], r2) {
				best = hi - lo + 1
				v.RangeLo, v.RangeHi, v.RangeDimension, v.RangeR2 = v.Scales[lo], v.Scales[hi], b, r2
				break
			}
		}
	}
	switch {
	case v.ScaleInvariant:
		v.Reason = fmt.Sprintf("scale-invariant over all r = %d..%d: D = %.3f, R² = %.4f ≥ %.2f",
			v.Scales[0], v.Scales[len(v.Scales)-1], v.Dimension, v.R2, SelfSimilarityMinR2)
	case best > 0:
		v.Reason = fmt.Sprintf("not scale-invariant over all r (R² = %.4f < %.2f); scale-invariant over r = %d..%d with D = %.3f, R² = %.4f",
			v.R2, SelfSimilarityMinR2, v.RangeLo, v.RangeHi, v.RangeDimension, v.RangeR2)
	default:
		v.Reason = fmt.Sprintf("not scale-invariant: R² = %.4f < %.2f and no range of r passes", v.R2, SelfSimilarityMinR2)
	}
	return v, nil
}

func passes(scales []int, r2 float64) bool {
	return len(scales) >= SelfSimilarityMinScales &&
		float64(scales[len(scales)-1]) >= SelfSimilarityMinRatio*float64(scales[0]) &&
		r2 >= SelfSimilarityMinR2
}

// SelfSimilaritySeries runs SelfSimilarity on a sequence of n×m matrices,
// such as one layer's weights at successive epochs. The mask threshold is
// recomputed for each matrix unless opts.Threshold fixes it. The error names
// the index of a failing matrix.
func SelfSimilaritySeries(ws [][]float64, n, m int, opts Options) ([]Verdict, error) {
	out := make([]Verdict, len(ws))
	for i, w := range ws {
		v, err := SelfSimilarity(w, n, m, opts)
		if err != nil {
			return nil, fmt.Errorf("matrix %d of the series: %w", i, err)
		}
		out[i] = v
	}
	return out, nil
}

// MatrixReport holds every estimate of one matrix.
type MatrixReport struct {
	Rows, Cols     int
	BoxCount       Fit
	DBC            Fit
	Variogram      Fit
	Madogram       Fit
	Paper          []Fit // PaperFD at each valid scale, in increasing r
	SelfSimilarity Verdict
}

// AnalyzeMatrix runs every estimator on the n×m matrix w: box counting,
// differential box counting, the variogram and madogram, the paper's FD at
// each valid scale of the segmentation, and the self-similarity test. opts
// set the mask threshold (and sizes for the box counters).
func AnalyzeMatrix(w []float64, n, m int, opts Options) (*MatrixReport, error) {
	rep := &MatrixReport{Rows: n, Cols: m}
	var err error
	if rep.BoxCount, err = BoxCount(w, n, m, opts); err != nil {
		return nil, err
	}
	if rep.DBC, err = DifferentialBoxCount(w, n, m, Options{Sizes: opts.Sizes}); err != nil {
		return nil, err
	}
	if rep.Variogram, err = Variogram(w, n, m, Options{Order: 2}); err != nil {
		return nil, err
	}
	if rep.Madogram, err = Variogram(w, n, m, Options{Order: 1}); err != nil {
		return nil, err
	}
	for _, r := range ValidScales(n, m) {
		f, err := PaperFD(w, n, m, r, opts)
		if err != nil {
			return nil, err
		}
		rep.Paper = append(rep.Paper, f)
	}
	if rep.SelfSimilarity, err = SelfSimilarity(w, n, m, opts); err != nil {
		return nil, err
	}
	return rep, nil
}

// LayerMatrix returns a layer's weights as one float64 matrix for the
// matrix-level estimators: dense [out, in] as it is; conv [out, in, kh, kw]
// unfolded to [out, in·kh·kw] (row k holds every weight into output channel
// k, ordered by input channel, then kernel row and column). Segment-level
// analysis keeps conv kernels separate (MatrixViews); a 3×3 kernel has only
// one scale, too few to test self-similarity.
func LayerMatrix(weights []float32, shape []int) (w []float64, rows, cols int, err error) {
	view, err := MatrixViews(shape)
	if err != nil {
		return nil, 0, 0, err
	}
	if len(weights) != view.Count*view.Rows*view.Cols {
		return nil, 0, 0, fmt.Errorf("%d weights do not fill shape %v", len(weights), shape)
	}
	rows = shape[0]
	cols = len(weights) / rows
	w = make([]float64, len(weights))
	for i, v := range weights {
		w[i] = float64(v)
	}
	return w, rows, cols, nil
}

// LayerSelfSimilarity is SelfSimilarity on LayerMatrix(weights, shape).
func LayerSelfSimilarity(weights []float32, shape []int, opts Options) (Verdict, error) {
	w, rows, cols, err := LayerMatrix(weights, shape)
	if err != nil {
		return Verdict{}, err
	}
	return SelfSimilarity(w, rows, cols, opts)
}

// LayerSelfSimilaritySeries is LayerSelfSimilarity over one layer's weights
// at successive epochs (all of one shape). The error names the epoch index.
func LayerSelfSimilaritySeries(epochs [][]float32, shape []int, opts Options) ([]Verdict, error) {
	out := make([]Verdict, len(epochs))
	for i, w := range epochs {
		v, err := LayerSelfSimilarity(w, shape, opts)
		if err != nil {
			return nil, fmt.Errorf("epoch %d: %w", i, err)
		}
		out[i] = v
	}
	return out, nil
}
