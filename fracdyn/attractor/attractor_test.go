package attractor

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func lorenzSeries(n int, dt float64) Series {
	return Integrate(Lorenz(10, 28, 8.0/3), []float64{1, 1, 1}, dt, n, int(10/dt))
}

// Known exponents and dimensions of textbook attractors, from
// trajectories generated here.
func TestKnownAttractors(t *testing.T) {
	if testing.Short() {
		t.Skip("known-answer attractors take seconds")
	}
	lor := lorenzSeries(10000, 0.02)
	cases := []struct {
		name         string
		s            Series
		dt           float64
		lambda, lTol float64 // per time unit; NaN: not checked
		d2, dTol     float64
	}{
		// Largest exponent ln 2 per iteration.
		{"logistic r=4", Logistic(4, 0.3, 5000, 100), 1, math.Ln2, 0.1, math.NaN(), 0},
		// Grassberger & Procaccia 1983: D2 = 1.21; λ = 0.42.
		{"henon (x,y)", Henon(1.4, 0.3, 5000, 100), 1, 0.42, 0.1, 1.21, 0.1},
		{"henon x", Univariate(Henon(1.4, 0.3, 5000, 100).Column(0)), 1, 0.42, 0.1, 1.21, 0.1},
		// λ = 0.906 per time unit, D2 = 2.05.
		{"lorenz (x,y,z)", lor, 0.02, 0.906, 0.15, 2.05, 0.2},
		{"lorenz x", Univariate(lor.Column(0)), 0.02, 0.906, 0.15, 2.05, 0.2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r, err := Analyze(c.s, Options{Dt: c.dt})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("lag %d dim %d theiler %d: λ %.4g (R² %.3f, steps %d–%d), D2 %.4g (next %.4g), class %s",
				r.Lag.Lag, r.Dim.Dim, r.Theiler, r.Lyapunov, r.LyapunovFit.R2, r.LyapunovFit.From, r.LyapunovFit.To,
				r.Correlation.D2, r.CorrelationNext.D2, r.Class)
			if math.Abs(r.Lyapunov-c.lambda) > c.lTol {
				t.Errorf("λ = %.4g, want %.4g ± %g", r.Lyapunov, c.lambda, c.lTol)
			}
			if !math.IsNaN(c.d2) && math.Abs(r.Correlation.D2-c.d2) > c.dTol {
				t.Errorf("D2 = %.4g, want %.4g ± %g", r.Correlation.D2, c.d2, c.dTol)
			}
			if r.Class != Chaotic {
				t.Errorf("class %s (%s), want %s", r.Class, r.Reason, Chaotic)
			}
		})
	}
}

func whiteNoise(n int, seed uint64) Series {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return Univariate(x)
}

func TestClassify(t *testing.T) {
	quasi := make([]float64, 4000)
	for i := range quasi {
		tt := 0.1 * float64(i)
		quasi[i] = math.Sin(tt) + 0.7*math.Sin(math.Sqrt2*tt)
	}
	// Converging training, caricatured: exponential decay plus noise that
	// shrinks with the loss.
	rng := rand.New(rand.NewPCG(7, 7))
	loss := make([]float64, 2000)
	for i := range loss {
		l := 0.05 + 2.25*math.Exp(-float64(i)/150)
		loss[i] = l * (1 + 0.3*rng.NormFloat64())
	}
	// A learning rate too large: early loss spikes in the hundreds, then
	// a plateau at ln 10 with minibatch noise; no convergence.
	stuck := make([]float64, 2000)
	for i := range stuck {
		stuck[i] = math.Log(10) + 0.02*rng.NormFloat64()
		if i < 60 && i%3 == 0 {
			stuck[i] += 50 + 400*rng.Float64()
		}
	}
	cases := []struct {
		name string
		s    Series
		dt   float64
		want Class
	}{
		{"spikes then a noisy plateau", Univariate(stuck), 1, Stochastic},
		{"damped oscillator", Univariate(Integrate(DampedOscillator(1, 0.05), []float64{1, 0}, 0.05, 4000, 0).Column(0)), 0.05, FixedPoint},
		{"converging loss", Univariate(loss), 1, FixedPoint},
		{"constant", Univariate(make([]float64, 500)), 1, FixedPoint},
		{"sine", Sine(2*math.Pi*8, 4000), 1, Periodic},
		{"van der Pol μ=1", Univariate(Integrate(VanDerPol(1), []float64{1, 0}, 0.05, 6000, 1000).Column(0)), 0.05, Periodic},
		{"van der Pol (x,ẋ)", Integrate(VanDerPol(2), []float64{1, 0}, 0.05, 6000, 1000), 0.05, Periodic},
		{"two incommensurate tones", Univariate(quasi), 0.1, QuasiPeriodic},
		{"white noise", whiteNoise(2500, 1), 1, Stochastic},
		{"white noise (3 columns)", Series{Data: whiteNoise(4500, 2).Data, Cols: 3}, 1, Stochastic},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r, err := Analyze(c.s, Options{Dt: c.dt})
			if err != nil {
				t.Fatal(err)
			}
			if r.Class != c.want {
				t.Errorf("class %s (%s), want %s", r.Class, r.Reason, c.want)
			}
		})
	}
}

// White noise is never a low-dimensional attractor, whatever the seed.
func TestWhiteNoiseIsNotLowDimensional(t *testing.T) {
	for seed := uint64(10); seed < 13; seed++ {
		r, err := Analyze(whiteNoise(2000, seed), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if r.Class != Stochastic || r.Dim.Converged {
			t.Errorf("seed %d: class %s, FNN converged %v (%s)", seed, r.Class, r.Dim.Converged, r.Reason)
		}
	}
}

func TestEmbed(t *testing.T) {
	s := Series{Data: []float64{0, 10, 1, 11, 2, 12, 3, 13, 4, 14}, Cols: 2}
	e := Embed(s, 2, 2)
	want := []float64{0, 10, 2, 12, 1, 11, 3, 13, 2, 12, 4, 14}
	if e.N() != 3 || e.Width() != 4 || fmt.Sprint(e.Points) != fmt.Sprint(want) {
		t.Errorf("Embed = %d×%d %v, want 3×4 %v", e.N(), e.Width(), e.Points, want)
	}
}

func TestAutocorrelationAndLag(t *testing.T) {
	s := Sine(40, 4000).Data
	acf := Autocorrelation(s, 40)
	// ρ(τ) ≈ cos(2πτ/P) for a long sine.
	for _, tau := range []int{0, 5, 10, 20} {
		if want := math.Cos(2 * math.Pi * float64(tau) / 40); math.Abs(acf[tau]-want) > 0.02 {
			t.Errorf("ρ(%d) = %.4f, want %.4f", tau, acf[tau], want)
		}
	}
	// 1/e crossing of cos(2πτ/40): τ > 40·acos(1/e)/2π = 7.66.
	if c := ChooseLag(s, 40); c.ACFCrossing != 8 {
		t.Errorf("ACF crossing %d, want 8", c.ACFCrossing)
	}
	// MI of an independent sequence is near zero at every lag but 0,
	// where it is the entropy of the binning, ln bins.
	mi := MutualInformation(whiteNoise(20000, 3).Data, 3, 8)
	if math.Abs(mi[0]-math.Log(8)) > 1e-9 || mi[1] > 0.01 {
		t.Errorf("MI of noise = %v, want ln 8 then ≈ 0", mi)
	}
	if c := ChooseLag(Logistic(4, 0.3, 3000, 100).Data, 50); c.Lag != 1 {
		t.Errorf("logistic map lag %d, want 1", c.Lag)
	}
}

func TestFalseNeighbours(t *testing.T) {
	// The Hénon x series needs two delay coordinates, the logistic map one.
	f := FalseNeighbours(Univariate(Henon(1.4, 0.3, 3000, 100).Column(0)), 1, 3, 3, 1000)
	if f[0] < 0.3 || f[1] > FNNFraction {
		t.Errorf("Hénon x FNN fractions %v: want large at d=1, ≈0 at d=2", f)
	}
	if d := ChooseDim(Logistic(4, 0.3, 3000, 100), 1, 5, 3, 1000); d.Dim != 1 || !d.Converged {
		t.Errorf("logistic map dimension %+v, want 1", d)
	}
}

func TestAnalyzeErrors(t *testing.T) {
	if _, err := Analyze(Univariate(make([]float64, 10)), Options{}); err == nil {
		t.Error("10 steps: no error")
	}
	if _, err := Analyze(Univariate(append(make([]float64, 100), math.NaN())), Options{}); err == nil {
		t.Error("NaN: no error")
	}
	if _, err := Analyze(Series{Data: make([]float64, 101), Cols: 2}, Options{}); err == nil {
		t.Error("ragged: no error")
	}
}

// Results repeat exactly and marshal without NaN trouble.
func TestReportRepeatsAndMarshals(t *testing.T) {
	s := Sine(2*math.Pi*8, 1000)
	a, _ := Analyze(s, Options{})
	b, _ := Analyze(s, Options{})
	ja, err := json.Marshal(a.Report())
	if err != nil {
		t.Fatal(err)
	}
	jb, _ := json.Marshal(b.Report())
	if string(ja) != string(jb) {
		t.Errorf("two analyses differ:\n%s\n%s", ja, jb)
	}
	var m map[string]any
	if err := json.Unmarshal(ja, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"lyapunov", "lyapunov_r2", "correlation_dimension", "embedding", "class"} {
		if _, ok := m[k]; !ok {
			t.Errorf("report lacks %q: %s", k, ja)
		}
	}
}

func ExampleAnalyze() {
	r, err := Analyze(Logistic(4, 0.3, 4000, 100), Options{})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s, λ = %.2f per iteration (ln 2 = %.2f), embedding lag %d dimension %d\n",
		r.Class, r.Lyapunov, math.Ln2, r.Lag.Lag, r.Dim.Dim)
	// Output: chaotic, λ = 0.69 per iteration (ln 2 = 0.69), embedding lag 1 dimension 1
}

func TestFFTLength(t *testing.T) {
	for n, want := range map[int]int{47: 45, 1000: 1000, 1021: 1000, 47000: 46875, 8: 8, 7: 6} {
		if got := fftLength(n); got != want {
			t.Errorf("fftLength(%d) = %d, want %d", n, got, want)
		}
	}
}
