package fractal

import (
	"errors"
	"fmt"
	"math"
)

// ErrTooSmall is wrapped by the errors of the estimators for a matrix
// smaller than they support (see MinSide).
var ErrTooSmall = errors.New("too small")

// Names of the degenerate outcomes in Fit.Degenerate: an input on which an
// estimator's number means nothing, so callers report the name instead.
const (
	// DegenerateConstant: every value of the matrix is equal. The surface
	// estimators see a flat surface and report D = 2; box counting and the
	// paper's FD, on an all-zero matrix, see an empty mask (no weight is on:
	// the mask keeps |w| ≥ τ and w ≠ 0) and report D = 0. (A constant
	// non-zero matrix has a full mask and a regular D = 2 for them.)
	DegenerateConstant = "constant"
	// DegenerateEmpty: the mask is empty though the values differ (the
	// threshold is above every |w|); box counting reports D = 0.
	DegenerateEmpty = "empty mask"
	// DegenerateUndefined: the fitted slope gives a dimension outside the
	// estimator's Range (a two-point fit on a tiny matrix, or sampling
	// noise); Dimension is NaN and Fit.Reason has the value it would have
	// been.
	DegenerateUndefined = "undefined"
)

// Range returns the interval [lo, hi] the dimension of method lies in: [0,
// 2] for the mask estimators (bc, paper), [2, 3] for the surface ones (dbc,
// variogram).
func Range(method Method) (lo, hi float64) {
	switch method {
	case MethodDBC, MethodVariogram:
		return 2, 3
	}
	return 0, 2
}

// MinSide returns the shortest side of a matrix the method supports: 2 for
// bc (two box sizes), dbc and variogram (a surface needs two rows and two
// columns), 3 for paper (the smallest valid scale, see ValidScales).
func MinSide(method Method) int {
	if method == MethodPaper {
		return 3
	}
	return 2
}

// checkSide refuses an n×m matrix whose shorter side is below MinSide.
func checkSide(method Method, n, m int) error {
	if min(n, m) < MinSide(method) {
		return fmt.Errorf("a %d×%d matrix is %w for %s (the shorter side must be at least %d)", n, m, ErrTooSmall, method, MinSide(method))
	}
	return nil
}

// rangeSlack absorbs rounding at the ends of Range (a full mask gives
// 2·ln N/ln Q = 2 up to an ulp).
const rangeSlack = 1e-9

// Judge sets f.Degenerate and f.Reason when w (the matrix f was estimated
// on) is constant, when a mask estimate counted no box, or when
// f.Dimension lies outside Range(f.Method); in the last case it sets
// f.Dimension to NaN. A regular estimate is left as it is.
func Judge(f *Fit, w []float64) {
	constant := len(w) > 0
	for _, v := range w {
		if v != w[0] {
			constant = false
			break
		}
	}
	mask := f.Method == MethodBoxCount || f.Method == MethodPaper || f.Method == ""
	switch {
	case constant && (!mask || w[0] == 0):
		f.Degenerate = DegenerateConstant
		f.Reason = fmt.Sprintf("every value is %g", w[0])
		if mask {
			f.Reason += "; no weight is on (the mask keeps |w| ≥ τ and w ≠ 0), so no box is counted"
		}
	case mask && len(f.Counts) > 0 && f.Counts[0] == 0:
		f.Degenerate = DegenerateEmpty
		f.Reason = fmt.Sprintf("no |w| reaches the threshold %g, so no box is counted", f.Threshold)
	default:
		lo, hi := Range(f.Method)
		if d := f.Dimension; math.IsNaN(d) || d < lo-rangeSlack || d > hi+rangeSlack {
			f.Degenerate = DegenerateUndefined
			f.Reason = fmt.Sprintf("the fit gives D = %.4g, outside [%g, %g]", d, lo, hi)
			f.Dimension = math.NaN()
		}
	}
}
