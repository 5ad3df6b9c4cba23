package fractal

import (
	"math"
)

// surface2 is SegmentFD for the surface estimators (dbc, variogram) of one
// 2×2 segment w00 w01 / w10 w11, with the same arithmetic in the same order
// as DifferentialBoxCount and Variogram but no allocation: the per-segment
// path of a layer with a million 2×2 segments.
func surface2(method Method, w00, w01, w10, w11 float64) (d, r2 float64) {
	switch method {
	case MethodDBC: // sizes 1 and 2 of a 2×2 surface: N(1) = 4
		lo, hi := min(w00, w01, w10, w11), max(w00, w01, w10, w11)
		scale := 0.0
		if hi > lo {
			scale = 2 / (hi - lo)
		}
		n2 := math.Floor((hi-lo)*scale/2) - math.Floor(0/2.0) + 1
		_, d, r2 = LinearFit([]float64{math.Log(2), math.Log(1)}, []float64{math.Log(4), math.Log(n2)})
		return d, r2
	case MethodVariogram: // lags 1 (axis pairs) and √2 (diagonal pairs), p = 2
		sq := func(x float64) float64 { return math.Abs(x) * math.Abs(x) }
		v1 := (((sq(w01-w00) + sq(w10-w00)) + sq(w11-w01)) + sq(w11-w10)) / 8
		v2 := (sq(w11-w00) + sq(w10-w01)) / 4
		if v1 <= 0 || v2 <= 0 {
			return 2, 0 // flat along some lag: smooth by convention
		}
		_, slope, r2 := LinearFit([]float64{math.Log(1), math.Log(math.Sqrt2)}, []float64{math.Log(v1), math.Log(v2)})
		return 3 - slope/2, r2
	}
	panic("fractal: surface2 of " + string(method))
}
