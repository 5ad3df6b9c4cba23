package fractal

import (
	"context"
	"fmt"
	"math"
)

// DefaultQuantile is the default mask threshold: a weight is "on" when |w| is
// at least the median of |w| over the matrix (or the whole layer, for
// per-segment estimates), so about half the weights are on. Zero weights are
// never on.
const DefaultQuantile = 0.5

// Options tune the dimension estimators. The zero value means the defaults.
type Options struct {
	// Quantile q ∈ (0, 1] of |w| used as the mask threshold τ of BoxCount
	// and PaperFD; 0 means DefaultQuantile.
	Quantile float64
	// Threshold, when > 0, is τ itself and overrides Quantile.
	Threshold float64
	// Sizes are box sizes (BoxCount, DifferentialBoxCount) or lags
	// (Variogram). nil means the estimator's default.
	Sizes []int
	// Order p of the power variation in Variogram: 2 is the variogram (the
	// default), 1 the madogram.
	Order float64
	// Mask, with Threshold set, is Mask(w, Threshold) of the matrix w
	// measured, for a caller running several estimators on one matrix:
	// BoxCount, PaperFD and SelfSimilarity read it instead of building
	// their own (a mask of another size is ignored).
	Mask []bool
}

// mask returns Mask(w, tau), or o.Mask when it is that mask.
func (o Options) mask(w []float64, tau float64) []bool {
	if o.Threshold > 0 && tau == o.Threshold && len(o.Mask) == len(w) {
		return o.Mask
	}
	return Mask(w, tau)
}

// threshold returns τ for w under o.
func (o Options) threshold(w []float64) float64 {
	if o.Threshold > 0 {
		return o.Threshold
	}
	q := o.Quantile
	if q == 0 {
		q = DefaultQuantile
	}
	return Quantile(w, q)
}

// Mask returns the binary mask of w at threshold τ: on where |w| ≥ τ and
// w ≠ 0.
func Mask(w []float64, tau float64) []bool {
	mask := make([]bool, len(w))
	for i, v := range w {
		a := math.Abs(v)
		mask[i] = a >= tau && a > 0
	}
	return mask
}

// BoxCount estimates the box-counting (Minkowski–Bouligand) dimension of the
// mask of the n×m matrix w (see Mask; τ from opts):
//
//	D = lim_{s→0} ln N(s) / ln(1/s),
//
// estimated as the least-squares slope of ln N(s) against ln(1/s), where
// N(s) is the number of s×s boxes of a grid anchored at (0, 0) that hold at
// least one "on" cell (boxes at the far edges may be partial). Source:
// Falconer, Fractal Geometry (2003), §3.1. Default sizes are the powers of 2
// up to min(n, m)/2; sizes that suit another grid (powers of 3 for a
// Sierpinski carpet) go in opts.Sizes; matrices too small for two such
// sizes use SegmentSizes(min(n, m)). An empty mask has D = 0 and R² = 0.
//
// The smallest matrix supported is 2×2 (MinSide): a shorter side leaves
// fewer than two default box sizes, and such a matrix is refused with an
// error wrapping ErrTooSmall. D lies in [0, 2]; Estimate marks an estimate
// outside it, or an empty mask, in Fit.Degenerate.
func BoxCount(w []float64, n, m int, opts Options) (Fit, error) {
	return boxCount(context.Background(), w, n, m, opts)
}

func boxCount(ctx context.Context, w []float64, n, m int, opts Options) (Fit, error) {
	if err := checkMatrix(w, n, m); err != nil {
		return Fit{}, err
	}
	if opts.Sizes == nil {
		if err := checkSide(MethodBoxCount, n, m); err != nil {
			return Fit{}, err
		}
	}
	tau := opts.threshold(w)
	f, err := boxCountMask(ctx, opts.mask(w, tau), n, m, opts.Sizes)
	f.Threshold = tau
	return f, err
}

// BoxCountMask is BoxCount on a given binary mask.
func BoxCountMask(mask []bool, n, m int, sizes []int) (Fit, error) {
	return boxCountMask(context.Background(), mask, n, m, sizes)
}

// boxCountMask is BoxCountMask stopping with ctx's error between box sizes.
func boxCountMask(ctx context.Context, mask []bool, n, m int, sizes []int) (Fit, error) {
	if len(mask) != n*m || n < 1 || m < 1 {
		return Fit{}, fmt.Errorf("mask of %d cells is not %d×%d", len(mask), n, m)
	}
	if sizes == nil {
		sizes = PowersOf(2, max(1, min(n, m)/2))
		if len(sizes) < 2 {
			sizes = SegmentSizes(min(n, m)) // small matrices: 1, 2, …, min(n, m)
		}
	}
	if len(sizes) < 2 {
		return Fit{}, fmt.Errorf("box counting needs at least two box sizes, a %d×%d matrix fits %v: %w", n, m, sizes, ErrTooSmall)
	}
	f := Fit{Method: MethodBoxCount}
	for _, s := range sizes {
		if err := ctx.Err(); err != nil {
			return Fit{}, err
		}
		if s < 1 || s > max(n, m) {
			return Fit{}, fmt.Errorf("box size %d does not fit a %d×%d matrix", s, n, m)
		}
		c := countBoxes(mask, n, m, s)
		f.Sizes = append(f.Sizes, float64(s))
		f.Counts = append(f.Counts, float64(c))
	}
	if f.Counts[0] == 0 {
		return f, nil // empty set: dimension 0 by convention
	}
	for i, s := range f.Sizes {
		f.X = append(f.X, -math.Log(s))
		f.Y = append(f.Y, math.Log(f.Counts[i]))
	}
	f.Intercept, f.Slope, f.R2 = LinearFit(f.X, f.Y)
	f.Dimension = f.Slope
	return f, nil
}

// countBoxes returns the number of s×s boxes (grid from (0,0), partial at the
// edges) holding an on cell.
func countBoxes(mask []bool, n, m, s int) int {
	bc := (m + s - 1) / s
	occ := make([]bool, bc)
	count := 0
	for i0 := 0; i0 < n; i0 += s {
		clear(occ)
		for i := i0; i < min(i0+s, n); i++ {
			row := mask[i*m : (i+1)*m]
			for j, on := range row {
				if on {
					occ[j/s] = true
				}
			}
		}
		for _, o := range occ {
			if o {
				count++
			}
		}
	}
	return count
}

// checkMatrix reports an empty matrix, a size mismatch, or a NaN/Inf entry.
func checkMatrix(w []float64, n, m int) error {
	if n < 1 || m < 1 {
		return fmt.Errorf("empty %d×%d matrix", n, m)
	}
	if len(w) != n*m {
		return fmt.Errorf("matrix has %d values, want %d×%d = %d", len(w), n, m, n*m)
	}
	for i, v := range w {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("non-finite value %v at (%d, %d)", v, i/m, i%m)
		}
	}
	return nil
}
