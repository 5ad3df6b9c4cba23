package fractal

import (
	"context"
	"fmt"
	"math"
)

// PaperFD is the paper's single-scale dimension FD = ln N / ln(1/r) of the
// n×m matrix w at scale r, with its sign and normalisation made explicit.
//
// N(r) is the number of r×r segments of eq. (1) (overlapping at the edges,
// see Origins) that hold at least one on cell of the mask (see Mask; τ from
// opts). Read literally with r in units of weights, ln(1/r) < 0 and the
// formula is negative; Fit.Literal keeps that value, −ln N / ln r. The
// Dimension measures r relative to the region instead: the box side is
// ε = 1/√Q of the matrix, Q = ⌈n/r⌉·⌈m/r⌉ the number of segments, so
//
//	D_r = ln N(r) / ln √Q(r) = 2·ln N(r) / ln Q(r),
//
// which is 2 for a matrix with every segment on, 1 for a single on row of a
// square matrix, and comparable with the slope-based estimators. A single
// segment (Q = 1) or an empty mask gives 0. R² is 0: one scale, no fit.
//
// The smallest matrix supported is 3×3 (MinSide; ValidScales is empty
// below). Scales outside ValidScales are checked by CheckScale; r beyond
// the shorter side is refused here. D lies in [0, 2].
func PaperFD(w []float64, n, m, r int, opts Options) (Fit, error) {
	if err := checkMatrix(w, n, m); err != nil {
		return Fit{}, err
	}
	if r < 1 || r > min(n, m) {
		return Fit{}, fmt.Errorf("scale r=%d does not fit a %d×%d matrix", r, n, m)
	}
	tau := opts.threshold(w)
	return PaperFDMask(opts.mask(w, tau), n, m, r, tau)
}

// PaperFDMask is PaperFD of the n×m matrix whose Mask at threshold tau is
// mask: computing the mask once serves every scale.
func PaperFDMask(mask []bool, n, m, r int, tau float64) (Fit, error) {
	if len(mask) != n*m {
		return Fit{}, fmt.Errorf("mask has %d cells, want %d×%d", len(mask), n, m)
	}
	if r < 1 || r > min(n, m) {
		return Fit{}, fmt.Errorf("scale r=%d does not fit a %d×%d matrix", r, n, m)
	}
	nOn := countSegments(mask, n, m, r)
	q := SegmentCount(n, m, r)
	f := Fit{Method: MethodPaper, Threshold: tau, Sizes: []float64{float64(r)}, Counts: []float64{float64(nOn)}}
	if nOn > 0 && q > 1 {
		f.Dimension = 2 * math.Log(float64(nOn)) / math.Log(float64(q))
	}
	if nOn > 0 && r > 1 {
		f.Literal = -math.Log(float64(nOn)) / math.Log(float64(r))
	}
	return f, nil
}

// countSegments returns how many segments of eq. (1) at scale r hold an on
// cell of mask.
func countSegments(mask []bool, n, m, r int) int {
	count := 0
	cols := Origins(m, r)
	for _, i0 := range Origins(n, r) {
		for _, j0 := range cols {
		scan:
			for i := i0; i < i0+r; i++ {
				for _, on := range mask[i*m+j0 : i*m+j0+r] {
					if on {
						count++
						break scan
					}
				}
			}
		}
	}
	return count
}

// SegmentSizes returns the box sizes used inside an r×r segment: the powers
// of 2 below r, then r itself (r = 2: 1, 2; r = 6: 1, 2, 4, 6).
func SegmentSizes(r int) []int {
	var s []int
	for v := 1; v < r; v *= 2 {
		s = append(s, v)
	}
	return append(s, r)
}

// SegmentFD estimates the dimension of one r×r segment (row-major) by method,
// with tau the mask threshold shared by the whole layer (BoxCount, PaperFD).
// It returns the dimension and the fit's R².
//
// A segment is its own region, with box sizes SegmentSizes(r), all of which
// fit. For r = 2 the sizes are 1 and 2 only, so each estimate is local: a
// two-point slope.
//
//   - bc: box counting of the mask. With k on cells, D = log₂ k at r = 2
//     (0, 1, log₂3 or 2; an empty segment has D = 0, R² = 0).
//   - paper: ln k / ln r, the paper's formula with box side 1/r of the
//     segment; equal to bc at r = 2.
//   - dbc: differential box counting with sizes SegmentSizes(r) (from 1).
//   - variogram: lags 1 and 2, or for r = 2 the axis lag 1 against the
//     diagonal lag √2.
func SegmentFD(seg []float64, r int, method Method, tau float64) (dim, r2 float64, err error) {
	if len(seg) != r*r {
		return 0, 0, fmt.Errorf("segment has %d values, want %d×%d", len(seg), r, r)
	}
	switch method {
	case MethodBoxCount, "":
		f, err := BoxCountMask(Mask(seg, tau), r, r, SegmentSizes(r))
		return f.Dimension, f.R2, err
	case MethodPaper:
		k := 0
		for _, on := range Mask(seg, tau) {
			if on {
				k++
			}
		}
		if k == 0 {
			return 0, 0, nil
		}
		return math.Log(float64(k)) / math.Log(float64(r)), 0, nil
	case MethodDBC:
		f, err := DifferentialBoxCount(seg, r, r, Options{Sizes: SegmentSizes(r)})
		return f.Dimension, f.R2, err
	case MethodVariogram:
		f, err := Variogram(seg, r, r, Options{})
		return f.Dimension, f.R2, err
	}
	return 0, 0, fmt.Errorf("unknown dimension method %q (want bc, dbc, variogram or paper)", method)
}

// ParseMethod returns the Method named s.
func ParseMethod(s string) (Method, error) {
	for _, m := range Methods() {
		if string(m) == s {
			return m, nil
		}
	}
	return "", fmt.Errorf("unknown dimension method %q (want bc, dbc, variogram or paper)", s)
}

// Estimate runs the estimator method on the n×m matrix w. For MethodPaper
// it uses the smallest valid scale. A matrix below the method's MinSide is
// refused with an error wrapping ErrTooSmall; a constant matrix, an empty
// mask or a dimension outside the method's Range is named in
// Fit.Degenerate (see Judge).
func Estimate(w []float64, n, m int, method Method, opts Options) (Fit, error) {
	return EstimateContext(context.Background(), w, n, m, method, opts)
}

// EstimateContext is Estimate stopping with ctx's error between box sizes
// or lags.
func EstimateContext(ctx context.Context, w []float64, n, m int, method Method, opts Options) (Fit, error) {
	var f Fit
	var err error
	switch method {
	case MethodBoxCount, "":
		f, err = boxCount(ctx, w, n, m, opts)
	case MethodDBC:
		f, err = differentialBoxCount(ctx, w, n, m, opts)
	case MethodVariogram:
		f, err = variogram(ctx, w, n, m, opts)
	case MethodPaper:
		rs := ValidScales(n, m)
		if len(rs) == 0 {
			return Fit{}, fmt.Errorf("a %d×%d matrix is %w for the paper's FD (the shorter side must be at least %d)", n, m, ErrTooSmall, MinSide(MethodPaper))
		}
		f, err = PaperFD(w, n, m, rs[0], opts)
	default:
		return Fit{}, fmt.Errorf("unknown dimension method %q (want bc, dbc, variogram or paper)", method)
	}
	if err != nil {
		return Fit{}, err
	}
	Judge(&f, w)
	return f, nil
}
