package attractor

import "testing"

// BenchmarkLyapunovCorrDim20k5D times the performance target: the
// Lyapunov exponent and the correlation dimension of a 20,000-point
// trajectory (Lorenz x, dt = 0.01) embedded in 5 dimensions with lag 17.
func BenchmarkLyapunovCorrDim20k5D(b *testing.B) {
	x := Integrate(Lorenz(10, 28, 8.0/3), []float64{1, 1, 1}, 0.01, 20000+4*17, 1000).Column(0)
	e := Embed(Univariate(x), 17, 5)
	b.ResetTimer()
	for b.Loop() {
		d := DivergenceCurve(e, 161, 1610)
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
