package fractal

import (
	"math"
	"math/cmplx"
	"math/rand/v2"

	"gonum.org/v1/gonum/dsp/fourier"
)

// fbmSurface returns an n×n fractional Brownian surface of Hurst index h by
// spectral synthesis: Gaussian Fourier coefficients of amplitude
// |k|^−(h+1) (power spectrum ∝ |k|^−(2h+2)) on a periodic grid sub times
// finer, inverse FFT, and every sub-th point. Sampling a finer synthesis
// restores the high frequencies that a grid of n cuts off at its Nyquist
// limit, which would otherwise make small lags too smooth for small h.
func fbmSurface(n int, h float64, seed uint64) []float64 {
	return fbmSurfaceSub(n, 4, h, seed)
}

func fbmSurfaceSub(n, sub int, h float64, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	N := sub * n
	coef := make([]complex128, N*N)
	for i := range N {
		ki := float64(min(i, N-i))
		for j := range N {
			kj := float64(min(j, N-j))
			k := math.Hypot(ki, kj)
			if k == 0 {
				continue
			}
			amp := math.Pow(k, -(h + 1))
			coef[i*N+j] = complex(rng.NormFloat64()*amp, rng.NormFloat64()*amp)
		}
	}
	fft := fourier.NewCmplxFFT(N)
	row := make([]complex128, N)
	for i := range N {
		fft.Sequence(row, coef[i*N:(i+1)*N])
		copy(coef[i*N:], row)
	}
	col := make([]complex128, N)
	for j := range N {
		for i := range N {
			col[i] = coef[i*N+j]
		}
		fft.Sequence(row, col)
		for i := range N {
			coef[i*N+j] = row[i]
		}
	}
	out := make([]float64, n*n)
	for i := range n {
		for j := range n {
			out[i*n+j] = real(coef[i*sub*N+j*sub])
		}
	}
	_ = cmplx.Abs
	return out
}
