package spectral

import (
	"errors"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// paretoSamples returns n draws from p(x) ∝ x^(-alpha), x ≥ xmin.
func paretoSamples(rng *rand.Rand, n int, alpha, xmin float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = xmin * math.Pow(1-rng.Float64(), -1/(alpha-1))
	}
	return x
}

func TestPowerLawRecoversPareto(t *testing.T) {
	// Tolerance: 3 standard errors (α−1)/√n of the MLE at the true xmin.
	for _, tc := range []struct {
		alpha float64
		n     int
	}{{2.0, 2000}, {2.5, 2000}, {3.5, 2000}, {5.0, 2000}} {
		rng := rand.New(rand.NewPCG(1, uint64(tc.alpha*10)))
		x := paretoSamples(rng, tc.n, tc.alpha, 1)
		fit, err := PowerLaw(x)
		if err != nil {
			t.Fatal(err)
		}
		tol := 3 * (tc.alpha - 1) / math.Sqrt(float64(fit.NTail))
		if math.Abs(fit.Alpha-tc.alpha) > tol {
			t.Errorf("α=%g: fitted %.3f (xmin %.3g, tail %d), want within %.3f", tc.alpha, fit.Alpha, fit.Xmin, fit.NTail, tol)
		}
		if fit.KS > 0.1 {
			t.Errorf("α=%g: KS distance %.3f, want < 0.1 for exact Pareto data", tc.alpha, fit.KS)
		}
	}
}

func TestPowerLawFindsTailAboveBody(t *testing.T) {
	// A uniform body on [0,1) below a Pareto tail from xmin=2: the KS
	// choice of xmin must land near 2 and recover the tail's α.
	rng := rand.New(rand.NewPCG(7, 7))
	x := paretoSamples(rng, 1000, 3, 2)
	for range 1000 {
		x = append(x, rng.Float64())
	}
	fit, err := PowerLaw(x)
	if err != nil {
		t.Fatal(err)
	}
	if fit.Xmin < 1.5 || fit.Xmin > 3 {
		t.Errorf("xmin = %.3f, want about 2", fit.Xmin)
	}
	if math.Abs(fit.Alpha-3) > 0.25 {
		t.Errorf("α = %.3f, want 3 ± 0.25", fit.Alpha)
	}
}

func TestPowerLawTooFew(t *testing.T) {
	if _, err := PowerLaw([]float64{1, 2, 3, 0, -1}); !errors.Is(err, ErrTooFew) {
		t.Errorf("err = %v, want ErrTooFew", err)
	}
}

// randomOrthogonal returns the Q factor of an n×n Gaussian matrix.
func randomOrthogonal(rng *rand.Rand, n int) *mat.Dense {
	g := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			g.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(g)
	var q mat.Dense
	qr.QTo(&q)
	return &q
}

func TestEigenvaluesOfBuiltMatrix(t *testing.T) {
	// W = U diag(σ) Vᵀ with σ² Pareto(α=2.5): the eigenvalues of WᵀW are
	// the chosen σ² and their fitted α is 2.5 within 3 standard errors.
	const n, m, alpha = 400, 300, 2.5
	rng := rand.New(rand.NewPCG(3, 3))
	lam := paretoSamples(rng, m, alpha, 1)
	sig := mat.NewDense(n, m, nil)
	for i, l := range lam {
		sig.Set(i, i, math.Sqrt(l))
	}
	var w mat.Dense
	w.Mul(randomOrthogonal(rng, n), sig)
	w.Mul(&w, randomOrthogonal(rng, m).T())
	ev, err := Eigenvalues(w.RawMatrix().Data, n, m)
	if err != nil {
		t.Fatal(err)
	}
	sort.Float64s(lam)
	for i := range lam {
		if math.Abs(ev[i]-lam[i]) > 1e-9*lam[len(lam)-1] {
			t.Fatalf("eigenvalue %d = %g, want %g", i, ev[i], lam[i])
		}
	}
	d, err := Analyze(w.RawMatrix().Data, n, m)
	if err != nil {
		t.Fatal(err)
	}
	if tol := 3 * (alpha - 1) / math.Sqrt(float64(d.Fit.NTail)); math.Abs(d.Fit.Alpha-alpha) > tol {
		t.Errorf("α = %.3f (tail %d), want %g ± %.3f", d.Fit.Alpha, d.Fit.NTail, alpha, tol)
	}
	if math.Abs(d.LambdaMax-lam[m-1]) > 1e-9*lam[m-1] {
		t.Errorf("λmax = %g, want %g", d.LambdaMax, lam[m-1])
	}
}

func TestMarchenkoPastur(t *testing.T) {
	// Gaussian N×M with unit variance: the eigenvalues of WᵀW/N fill the
	// Marchenko–Pastur support; the edges hold to within 10% at this size
	// (finite-size Tracy–Widom fluctuations are O(N^(-2/3))).
	const n, m = 800, 200
	rng := rand.New(rand.NewPCG(5, 5))
	w := make([]float64, n*m)
	for i := range w {
		w[i] = rng.NormFloat64()
	}
	ev, err := Eigenvalues(w, n, m)
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := MarchenkoPasturEdges(n, m, 1)
	first, last := ev[0]/n, ev[len(ev)-1]/n
	if math.Abs(first-lo)/lo > 0.1 || math.Abs(last-hi)/hi > 0.1 {
		t.Errorf("spectrum [%.3f, %.3f], Marchenko–Pastur edges [%.3f, %.3f]", first, last, lo, hi)
	}
	mean := 0.0
	for _, v := range ev {
		mean += v / n
	}
	mean /= float64(len(ev))
	if math.Abs(mean-1) > 0.02 {
		t.Errorf("mean eigenvalue of WᵀW/N = %.4f, want 1", mean)
	}
	// A random matrix has no heavy tail: its fitted α is far above the
	// 2–6 range WeightWatcher reports for trained layers.
	d := FromEigenvalues(ev, n, m)
	if d.Fit.Alpha < 6 {
		t.Errorf("Marchenko–Pastur α = %.2f, want > 6 (no heavy tail)", d.Fit.Alpha)
	}
}

func TestEigenvaluesErrors(t *testing.T) {
	if _, err := Eigenvalues([]float64{1, 2, 3}, 2, 2); err == nil {
		t.Error("wrong length: no error")
	}
	if _, err := Eigenvalues([]float64{1, math.NaN(), 3, 4}, 2, 2); err == nil {
		t.Error("NaN: no error")
	}
}

// BenchmarkAnalyzePaperFC1 measures the paper CNN's largest layer, fc1
// (128×50176, stored [out,in]).
func BenchmarkAnalyzePaperFC1(b *testing.B) {
	const n, m = 128, 50176
	rng := rand.New(rand.NewPCG(1, 1))
	w := make([]float64, n*m)
	for i := range w {
		w[i] = rng.NormFloat64()
	}
	b.ResetTimer()
	for range b.N {
		if _, err := Analyze(w, n, m); err != nil {
			b.Fatal(err)
		}
	}
}
