package attractor

import (
	"fmt"
	"testing"
)

// BenchmarkLyapunovCorrDim20k5D times the performance target: the
// Lyapunov exponent and the correlation dimension of a 20,000-point
// trajectory (Lorenz x, dt = 0.01) embedded in 5 dimensions with lag 17.
func BenchmarkLyapunovCorrDim20k5D(b *testing.B) {
	x := Integrate(Lorenz(10, 28, 8.0/3), []float64{1, 1, 1}, 0.01, 20000+4*17, 1000).Column(0)
	e := Embed(Univariate(x), 17, 5)
	b.ResetTimer()
	for b.Loop() {
		d := DivergenceCurve(e, 161, 1610, 8000)
		FitDivergence(d, 161)
		FitCorrelation(Correlate(e, 161, 4000))
	}
}

// BenchmarkAnalyzeLorenz20k times the full analysis (lag, FNN up to 10
// dimensions, Lyapunov, D2 twice, spectrum) of 20,000 Lorenz x samples.
func BenchmarkAnalyzeLorenz20k(b *testing.B) {
	x := Integrate(Lorenz(10, 28, 8.0/3), []float64{1, 1, 1}, 0.01, 20000, 1000).Column(0)
	b.ResetTimer()
	for b.Loop() {
		if _, err := Analyze(Univariate(x), Options{Dt: 0.01}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScaling times the Lyapunov exponent and the correlation
// dimension (defaults: 10·W divergence steps, 4000 reference points) of N
// Lorenz x samples embedded in 5 dimensions, for growing N.
func BenchmarkScaling(b *testing.B) {
	x := Integrate(Lorenz(10, 28, 8.0/3), []float64{1, 1, 1}, 0.01, 80000+4*17, 1000).Column(0)
	for _, n := range []int{5000, 10000, 20000, 40000, 80000} {
		e := Embed(Univariate(x[:n+4*17]), 17, 5)
		b.Run(fmt.Sprintf("N=%d/lyapunov", n), func(b *testing.B) {
			for b.Loop() {
				FitDivergence(DivergenceCurve(e, 161, 1610, 8000), 161)
			}
		})
		b.Run(fmt.Sprintf("N=%d/corrdim", n), func(b *testing.B) {
			for b.Loop() {
				FitCorrelation(Correlate(e, 161, 4000))
			}
		})
	}
}

// BenchmarkSurrogateTest10k times the surrogate test of a 10,000-point
// series (Lorenz x, dt 0.02, lag 8, m = 3, Theiler 40): 19 IAAFT
// surrogates, D2 and λ of the series and of each.
func BenchmarkSurrogateTest10k(b *testing.B) {
	x := Integrate(Lorenz(10, 28, 8.0/3), []float64{1, 1, 1}, 0.02, 10000, 500).Column(0)
	b.ResetTimer()
	for b.Loop() {
		if t := TestSurrogates(Univariate(x), 8, 3, 40, 100, 0.02, SurrogateOptions{}); !t.Beats {
			b.Fatal("Lorenz x does not beat its surrogates")
		}
	}
}
