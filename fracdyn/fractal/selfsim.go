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
	mask := opts.mask(w, tau)
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
