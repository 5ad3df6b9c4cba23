package fractal

import (
	"math"
	"slices"

	"github.com/fracdyn/fracdyn/fracdyn/fractal/internal/kernels"
)

// Method names a fractal-dimension estimator.
type Method string

// The estimators. Each is documented at its function.
const (
	MethodBoxCount  Method = "bc"        // BoxCount: binary box counting of a thresholded mask
	MethodDBC       Method = "dbc"       // DifferentialBoxCount: grey-level surface, Sarkar & Chaudhuri 1994
	MethodVariogram Method = "variogram" // Variogram: power-variation surface estimator, Gneiting et al. 2012
	MethodPaper     Method = "paper"     // PaperFD: the paper's single-scale ln N / ln(1/r)
)

// Methods lists the estimators in the order the CLI shows them.
func Methods() []Method { return []Method{MethodBoxCount, MethodDBC, MethodVariogram, MethodPaper} }

// Fit is the result of a dimension estimate by a log-log regression.
//
// X and Y are the regression's abscissae and ordinates (for box counting
// X = ln(1/s) and Y = ln N(s)); Dimension is derived from the slope as each
// estimator documents. R2 is the coefficient of determination of the fit: 1
// for any two-point fit (exact, carrying no evidence of a power law), 0 where
// the fit is undefined.
type Fit struct {
	Method    Method
	Dimension float64
	Slope     float64
	Intercept float64
	R2        float64
	// Sizes are the box sizes s (box counting) or lags h (variogram), and
	// Counts the matching N(s) or variogram values γ(h).
	Sizes, Counts []float64
	X, Y          []float64
	// Threshold is the |w| cut of a binary mask (BoxCount, PaperFD).
	Threshold float64
	// Literal is the paper's formula read literally, ln N / ln(1/r) with r
	// in weights (negative for r > 1); PaperFD only.
	Literal float64
	// Degenerate names why Dimension carries no information ("" for a
	// regular estimate): DegenerateConstant, DegenerateEmpty or
	// DegenerateUndefined, set by Estimate (see Judge); Reason says more.
	Degenerate, Reason string
}

// Residuals returns Y − (Intercept + Slope·X) for each fitted point.
func (f *Fit) Residuals() []float64 {
	res := make([]float64, len(f.X))
	for i := range f.X {
		res[i] = f.Y[i] - (f.Intercept + f.Slope*f.X[i])
	}
	return res
}

// LinearFit returns the least-squares line y ≈ a + b·x and its R² = 1 −
// SS_res/SS_tot. With fewer than two distinct x it returns NaN slope. A
// perfect fit to constant y has R² = 1.
func LinearFit(x, y []float64) (a, b, r2 float64) {
	n := float64(len(x))
	if len(x) < 2 || len(x) != len(y) {
		return math.NaN(), math.NaN(), 0
	}
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= n
	my /= n
	var sxx, sxy, syy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxx += dx * dx
		sxy += dx * dy
		syy += dy * dy
	}
	if sxx == 0 {
		return math.NaN(), math.NaN(), 0
	}
	b = sxy / sxx
	a = my - b*mx
	if syy == 0 {
		return a, b, 1
	}
	ssres := syy - b*sxy
	r2 = 1 - ssres/syy
	return a, b, min(max(r2, 0), 1)
}

// Quantile returns the q-quantile (0 ≤ q ≤ 1) of |w| with linear
// interpolation between order statistics (numpy's default). w is not
// modified. NaN for empty w or when w holds a NaN. It copies the bit
// patterns of |w| once (as unsigned integers they sort as |w| does) and
// selects the two order statistics in linear time (kernels.SelectRank).
func Quantile(w []float64, q float64) float64 {
	if len(w) == 0 {
		return math.NaN()
	}
	a := make([]uint64, len(w))
	for i, v := range w {
		if math.IsNaN(v) {
			return math.NaN()
		}
		a[i] = math.Float64bits(v) &^ (1 << 63)
	}
	pos := q * float64(len(a)-1)
	lo := int(math.Floor(pos))
	if lo >= len(a)-1 {
		return math.Float64frombits(slices.Max(a))
	}
	var blo, bhi uint64
	if len(a) <= 64 { // a kernel: a sort is quicker than a histogram
		slices.Sort(a)
		blo, bhi = a[lo], a[lo+1]
	} else {
		blo = kernels.SelectRank(a, lo, make([]uint64, len(a)))
		bhi = kernels.NextRank(a, blo, lo+1)
	}
	vlo, vhi := math.Float64frombits(blo), math.Float64frombits(bhi)
	f := pos - float64(lo)
	return vlo + f*(vhi-vlo)
}

// PowersOf returns 1, base, base², … up to and including max.
func PowersOf(base, max int) []int {
	var s []int
	for v := 1; v <= max; v *= base {
		s = append(s, v)
	}
	return s
}
