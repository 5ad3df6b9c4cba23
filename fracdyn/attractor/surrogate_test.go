package attractor

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestSurrogatesKeepWhatTheyClaim: FT keeps the Fourier amplitudes, AAFT
// and IAAFT the values exactly, IAAFT the amplitudes closely.
func TestSurrogatesKeepWhatTheyClaim(t *testing.T) {
	x := Henon(1.4, 0.3, 1000, 100).Column(0)
	amp := func(v []float64) []float64 { return newSpectralTool(v).amp }
	rng := rand.New(rand.NewPCG(1, 2))
	y := make([]float64, len(x))
	PhaseRandomized(y, x, rng)
	a, b := amp(x), amp(y)
	for k := range a {
		if math.Abs(a[k]-b[k]) > 1e-9*(1+a[k]) {
			t.Fatalf("FT: amplitude %d: %g vs %g", k, b[k], a[k])
		}
	}
	if slices.Equal(x, y) {
		t.Fatal("FT surrogate equals the series")
	}
	sx := slices.Sorted(slices.Values(x))
	for _, m := range []SurrogateMethod{AAFT, IAAFT} {
		surrogateColumn(y, x, m, drawPhases(len(x), rng), rng)
		if !slices.Equal(slices.Sorted(slices.Values(y)), sx) {
			t.Fatalf("%s: values differ from the series'", m)
		}
	}
	// IAAFT's spectrum: relative amplitude error below 5% in power.
	b = amp(y)
	var num, den float64
	for k := 1; k < len(a); k++ {
		num += (a[k] - b[k]) * (a[k] - b[k])
		den += a[k] * a[k]
	}
	if e := num / den; e > 0.05 {
		t.Errorf("IAAFT relative spectral error %.3g > 0.05", e)
	}
}

func ar1(n int, phi float64, seed uint64) Series {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := make([]float64, n)
	for i := 1; i < n; i++ {
		x[i] = phi*x[i-1] + rng.NormFloat64()
	}
	return Univariate(x)
}

// TestSurrogateValidation is the known answer of the surrogate test: the
// Lorenz and Hénon series beat their IAAFT surrogates at level 0.05 (D2
// lower than all 19), and a linear AR(1) process does not.
func TestSurrogateValidation(t *testing.T) {
	if testing.Short() {
		t.Skip("surrogate tests take seconds")
	}
	cases := []struct {
		name              string
		s                 Series
		lag, dim, theiler int
		dt                float64
		beats             bool
	}{
		{"henon x", Univariate(Henon(1.4, 0.3, 5000, 100).Column(0)), 1, 2, 1, 1, true},
		{"lorenz x", Univariate(lorenzSeries(10000, 0.02).Column(0)), 8, 3, 40, 0.02, true},
		{"ar1 0.9", ar1(10000, 0.9, 3), 5, 3, 10, 1, false},
	}
	for _, c := range cases {
		start := time.Now()
		st := TestSurrogates(c.s, c.lag, c.dim, c.theiler, 100, c.dt, SurrogateOptions{})
		t.Logf("%s: %v; D2 %.3g vs surrogates %.3g–%.3g (p %.3g); λ %.3g vs %.3g–%.3g (p %.3g)", c.name, time.Since(start),
			st.Correlation.Observed, slices.Min(st.Correlation.Surrogates), slices.Max(st.Correlation.Surrogates), st.Correlation.P,
			st.Lyapunov.Observed, slices.Min(st.Lyapunov.Surrogates), slices.Max(st.Lyapunov.Surrogates), st.Lyapunov.P)
		if st.Beats != c.beats || st.Count != 19 || st.Level != 0.05 {
			t.Errorf("%s: beats %v (level %v, %d surrogates), want %v", c.name, st.Beats, st.Level, st.Count, c.beats)
		}
	}
}
