package fractal

import (
	"math"

	"github.com/fracdyn/fracdyn/fracdyn/fractal/internal/kernels"
)

// band2Band measures every segment of one band at r = 2 (segment row origin
// i0 of the matrix mat): FD = log₂ k for k on cells, its R² (1 unless
// empty, 0 for the paper's form) and the entropy. On AVX2 the segments at
// origins 2b go eight at a time through band2AVX2 (float32 throughout, on
// |w|/τ: H within 2e-6), unless one of them has Σ|w|/τ outside
// [2⁻¹⁰⁰, 2¹¹⁰), where the whole band is measured in float64 as the rest
// are.
func (l *LayerResult) band2Band(mat []float32, i0 int, fd, fr2, hh []float32, tauBits uint64, paper bool) {
	m := l.View.Cols
	row0, row1 := mat[i0*m:][:m], mat[(i0+1)*m:][:m]
	n := 0
	if kernels.HasAVX2 {
		n = min(len(fd), m/2) &^ 7 // origins 2b, eight at a time
		tabs := kernels.Band2Tabs
		if paper {
			tabs = kernels.Band2TabsPaper
		}
		scale := float32(kernels.EntropyScale(math.Float32frombits(uint32(tauBits))))
		if n > 0 && kernels.Band2AVX2(row0[:2*n], row1[:2*n], fd[:n], fr2[:n], hh[:n], uint32(tauBits-1), scale, tabs) != 0 {
			n = 0
		}
	}
	kernels.Band2Go(row0, row1, l.ColOrigins[n:], fd[n:], fr2[n:], hh[n:], tauBits, paper)
}

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
