package fractal

import (
	"context"
	"fmt"
	"math"
)

// DifferentialBoxCount estimates the dimension D ∈ [2, 3] of the n×m matrix w
// read as a grey-level surface z = w[i, j], by differential box counting
// (N. Sarkar and B. B. Chaudhuri, "An efficient approach to estimate fractal
// dimension of textural images", Pattern Recognition 27(9), 1994):
//
//	N(s) = Σ_blocks ( ⌊z_max/h⌋ − ⌊z_min/h⌋ + 1 ),  h = s·G/M,
//	D    = slope of ln N(s) against ln(M/s),
//
// over s×s blocks of a grid anchored at (0, 0) (partial at the far edges).
// Real values are first rescaled so that the surface spans a cube: z =
// (w − min w)/(max w − min w)·M with M = min(n, m), i.e. G = M grey levels
// and box height h = s. The roughness is D − 2. A constant matrix has D = 2.
// Default sizes: powers of 2 from 2 to M/2 (Sarkar and Chaudhuri's range);
// for matrices too small for two of them, 1 and 2.
//
// The smallest matrix supported is 2×2 (MinSide): with one row or column
// the surface has a single grey level. Smaller ones are refused with an
// error wrapping ErrTooSmall. D lies in [2, 3]; on small matrices the
// two-size slope can leave that range, which Estimate marks as
// DegenerateUndefined.
func DifferentialBoxCount(w []float64, n, m int, opts Options) (Fit, error) {
	return differentialBoxCount(context.Background(), w, n, m, opts)
}

// differentialBoxCount is DifferentialBoxCount stopping with ctx's error
// between box sizes.
func differentialBoxCount(ctx context.Context, w []float64, n, m int, opts Options) (Fit, error) {
	if err := checkMatrix(w, n, m); err != nil {
		return Fit{}, err
	}
	if err := checkSide(MethodDBC, n, m); err != nil {
		return Fit{}, err
	}
	M := min(n, m)
	sizes := opts.Sizes
	if sizes == nil {
		for s := 2; s <= M/2; s *= 2 {
			sizes = append(sizes, s)
		}
		if len(sizes) < 2 {
			sizes = []int{1, 2}
		}
	}
	if len(sizes) < 2 {
		return Fit{}, fmt.Errorf("differential box counting needs two box sizes, got %v", sizes)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range w {
		lo, hi = min(lo, v), max(hi, v)
	}
	scale := 0.0
	if hi > lo {
		scale = float64(M) / (hi - lo)
	}
	f := Fit{Method: MethodDBC}
	for _, s := range sizes {
		if err := ctx.Err(); err != nil {
			return Fit{}, err
		}
		if s < 1 || s > max(n, m) {
			return Fit{}, fmt.Errorf("box size %d does not fit a %d×%d matrix", s, n, m)
		}
		var total float64
		h := float64(s)
		for i0 := 0; i0 < n; i0 += s {
			for j0 := 0; j0 < m; j0 += s {
				bmin, bmax := math.Inf(1), math.Inf(-1)
				for i := i0; i < min(i0+s, n); i++ {
					for _, v := range w[i*m+j0 : i*m+min(j0+s, m)] {
						bmin, bmax = min(bmin, v), max(bmax, v)
					}
				}
				zmin, zmax := (bmin-lo)*scale, (bmax-lo)*scale
				total += math.Floor(zmax/h) - math.Floor(zmin/h) + 1
			}
		}
		f.Sizes = append(f.Sizes, float64(s))
		f.Counts = append(f.Counts, total)
		f.X = append(f.X, math.Log(float64(M)/float64(s)))
		f.Y = append(f.Y, math.Log(total))
	}
	f.Intercept, f.Slope, f.R2 = LinearFit(f.X, f.Y)
	f.Dimension = f.Slope
	return f, nil
}

// Variogram estimates the dimension D of the n×m matrix w read as a surface
// by the power-variation (variogram, madogram) method of T. Gneiting,
// H. Ševčíková and D. B. Percival, "Estimators of fractal dimension:
// assessing the roughness of time series and spatial data", Statistical
// Science 27(2), 2012. With the power variation of order p along rows and
// columns,
//
//	V_p(l) = 1/(2·N(l)) Σ |z(x + l·e) − z(x)|^p,   e ∈ {(0,1), (1,0)},
//
// a surface of Hurst index H has V_p(l) ∝ l^{pH} at small l, and
//
//	D = 3 − slope/p,   slope = d ln V_p / d ln l.
//
// p = 2 (default) is the variogram, p = 1 the madogram. Default lags are 1
// and 2, which Gneiting et al. recommend (bias grows with the lag). For a 2×2
// matrix, where lag 2 does not fit, the lags are 1 (axis pairs) and √2
// (diagonal pairs): the local estimate used for r = 2 segments. A constant
// surface has V_p ≡ 0 and D = 2 by convention. Unlike box counting, this
// estimator is nearly unbiased on fractional Brownian surfaces.
//
// The smallest matrix supported is 2×2 (MinSide): a single row or column
// is a curve, not a surface, and is refused with an error wrapping
// ErrTooSmall. D lies in [2, 3]; a slope that puts it outside (the 2×2
// local estimate, or sampling noise on rough input) is marked by Estimate
// as DegenerateUndefined.
func Variogram(w []float64, n, m int, opts Options) (Fit, error) {
	return variogram(context.Background(), w, n, m, opts)
}

// variogram is Variogram stopping with ctx's error between lags.
func variogram(ctx context.Context, w []float64, n, m int, opts Options) (Fit, error) {
	if err := checkMatrix(w, n, m); err != nil {
		return Fit{}, err
	}
	if err := checkSide(MethodVariogram, n, m); err != nil {
		return Fit{}, err
	}
	p := opts.Order
	if p == 0 {
		p = 2
	}
	f := Fit{Method: MethodVariogram}
	if opts.Sizes == nil && min(n, m) == 2 {
		f.Sizes = []float64{1, math.Sqrt2}
		f.Counts = []float64{axisVariation(w, n, m, 1, p), diagonalVariation(w, n, m, p)}
	} else {
		lags := opts.Sizes
		if lags == nil {
			lags = []int{1, 2}
		}
		if len(lags) < 2 {
			return Fit{}, fmt.Errorf("the variogram estimator needs two lags, got %v", lags)
		}
		for _, l := range lags {
			if err := ctx.Err(); err != nil {
				return Fit{}, err
			}
			if l < 1 || l >= max(n, m) {
				return Fit{}, fmt.Errorf("lag %d does not fit a %d×%d matrix", l, n, m)
			}
			f.Sizes = append(f.Sizes, float64(l))
			f.Counts = append(f.Counts, axisVariation(w, n, m, l, p))
		}
	}
	for i, v := range f.Counts {
		if v <= 0 {
			f.X, f.Y = nil, nil
			f.Dimension, f.R2 = 2, 0 // flat along some lag: smooth by convention
			return f, nil
		}
		f.X = append(f.X, math.Log(f.Sizes[i]))
		f.Y = append(f.Y, math.Log(v))
	}
	f.Intercept, f.Slope, f.R2 = LinearFit(f.X, f.Y)
	f.Dimension = 3 - f.Slope/p
	return f, nil
}

// axisVariation is V_p(l) over horizontal and vertical pairs at lag l.
func axisVariation(w []float64, n, m, l int, p float64) float64 {
	var sum float64
	count := 0
	for i := range n {
		for j := range m {
			v := w[i*m+j]
			if j+l < m {
				sum += powAbs(w[i*m+j+l]-v, p)
				count++
			}
			if i+l < n {
				sum += powAbs(w[(i+l)*m+j]-v, p)
				count++
			}
		}
	}
	if count == 0 {
		return 0
	}
	return sum / (2 * float64(count))
}

// diagonalVariation is V_p(√2) over both diagonal directions.
func diagonalVariation(w []float64, n, m int, p float64) float64 {
	var sum float64
	count := 0
	for i := 0; i+1 < n; i++ {
		for j := 0; j+1 < m; j++ {
			sum += powAbs(w[(i+1)*m+j+1]-w[i*m+j], p)
			sum += powAbs(w[(i+1)*m+j]-w[i*m+j+1], p)
			count += 2
		}
	}
	if count == 0 {
		return 0
	}
	return sum / (2 * float64(count))
}

func powAbs(d, p float64) float64 {
	d = math.Abs(d)
	switch p {
	case 1:
		return d
	case 2:
		return d * d
	}
	return math.Pow(d, p)
}
