package null

import (
	"math"
	"slices"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/fractal"
)

func TestGeneratorsKeepWhatTheyClaim(t *testing.T) {
	v := View{Count: 2, Rows: 3, Cols: 4}
	src := make([]float64, v.Len())
	for i := range src {
		src[i] = float64(i*i%17) - 5
	}
	dst := make([]float64, len(src))
	ElementPermutation(dst, src, RNG(1, Perm, 0))
	a, b := slices.Clone(src), slices.Clone(dst)
	slices.Sort(a)
	slices.Sort(b)
	if !slices.Equal(a, b) {
		t.Fatalf("permutation changed the values: %v vs %v", a, b)
	}
	if slices.Equal(src, dst) {
		t.Fatal("permutation left the tensor as it was")
	}
	RowColPermutation(dst, src, v, RNG(1, RowCol, 0))
	for k := range v.Count {
		// Each row of the null is a row of the source with its columns
		// permuted by one σ shared by all rows of the matrix.
		var rowsSrc, rowsDst [][]float64
		for i := range v.Rows {
			r := slices.Clone(src[(k*v.Rows+i)*v.Cols : (k*v.Rows+i+1)*v.Cols])
			slices.Sort(r)
			rowsSrc = append(rowsSrc, r)
			r = slices.Clone(dst[(k*v.Rows+i)*v.Cols : (k*v.Rows+i+1)*v.Cols])
			slices.Sort(r)
			rowsDst = append(rowsDst, r)
		}
		for _, r := range rowsDst {
			if !slices.ContainsFunc(rowsSrc, func(s []float64) bool { return slices.Equal(s, r) }) {
				t.Fatalf("matrix %d: null row %v is no source row", k, r)
			}
		}
	}
	big := make([]float64, 100_000)
	for i := range big {
		big[i] = 3 + 2*math.Sin(float64(i))
	}
	g := make([]float64, len(big))
	Gaussian(g, big, RNG(7, Gauss, 0))
	mu0, sd0 := moments(big)
	mu, sd := moments(g)
	if math.Abs(mu-mu0) > 0.02 || math.Abs(sd-sd0) > 0.02 {
		t.Fatalf("gaussian moments %.4f±%.4f, want %.4f±%.4f within 0.02", mu, sd, mu0, sd0)
	}
}

func TestCompareKnownAnswers(t *testing.T) {
	draws := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}
	r := Compare(10, draws, Perm)
	// mean 5, sample SD √7.5, z = 5/√7.5; outside every draw: p = 2/10.
	if r.Mean != 5 || math.Abs(r.SD-math.Sqrt(7.5)) > 1e-12 || math.Abs(r.Z-5/math.Sqrt(7.5)) > 1e-12 || r.P != 0.2 {
		t.Fatalf("got %+v", r)
	}
	if r.Beyond {
		t.Fatal("z 1.83 must not be beyond")
	}
	r = Compare(5, draws, Perm) // the median draw: 5 above (incl. itself), 5 below
	if r.P != 1 || r.Z != 0 || r.Beyond {
		t.Fatalf("median: got %+v", r)
	}
	r = Compare(3, draws, Perm) // #≤3 = 3: p = 2·4/10
	if math.Abs(r.P-0.8) > 1e-12 {
		t.Fatalf("p = %v, want 0.8", r.P)
	}
	tight := []float64{1, 1.01, 0.99, 1, 1.02, 0.98, 1, 1.01, 0.99}
	if r := Compare(2, tight, Gauss); !r.Beyond || r.Z < 3 {
		t.Fatalf("far value: %+v", r)
	}
	if r := Compare(1, []float64{1, 1, 1}, Perm); r.Z != 0 || r.Beyond {
		t.Fatalf("equal to a constant null: %+v", r)
	}
	if r := Compare(2, []float64{1, 1, 1}, Perm); !math.IsInf(r.Z, 1) || !r.Beyond {
		t.Fatalf("off a constant null: %+v", r)
	}
	if r := Compare(math.NaN(), draws, Perm); !math.IsNaN(r.Z) || r.Beyond {
		t.Fatalf("NaN observed: %+v", r)
	}
	if got := Verdict([]Result{{Kind: Perm, Z: 5, Beyond: true}, {Kind: RowCol, Z: 1}, {Kind: Gauss, Z: 9, Beyond: true}}); got != "beyond perm gauss" {
		t.Fatalf("verdict %q", got)
	}
}

// boxCount is the whole-matrix box-counting dimension at the median mask.
func boxCount(rows, cols int) Measure[float64] {
	return func(w []float64, v View, _ Kind) []float64 {
		f, err := fractal.Estimate(w, v.Rows, v.Cols, fractal.MethodBoxCount, fractal.Options{})
		if err != nil {
			return []float64{math.NaN()}
		}
		return []float64{f.Dimension}
	}
}

// TestValidationPatternedVersusIID is the known answer of the issue: a
// smooth matrix stands far from its nulls, an iid matrix does not.
func TestValidationPatternedVersusIID(t *testing.T) {
	const n = 64
	v := View{Count: 1, Rows: n, Cols: n}
	smooth := make([]float64, n*n)
	iid := make([]float64, n*n)
	rng := RNG(42, Gauss, 99)
	for i := range n {
		for j := range n {
			// A smooth bump: the median mask is one disc, dimension 2 at
			// large boxes and a 1-D edge at small ones.
			x, y := float64(i-n/2)/n, float64(j-n/2)/n
			smooth[i*n+j] = math.Exp(-(x*x + y*y) * 8)
			iid[i*n+j] = rng.NormFloat64()
		}
	}
	measure := boxCount(n, n)
	// The whole matrix, and a sampled block of half its columns (observed
	// and drawn alike), give the same verdicts.
	for _, opts := range []Options{{Draws: 19, Seed: 3}, {Draws: 19, Seed: 3, Block: View{1, n, n / 2}}} {
		validate(t, v, smooth, iid, measure, opts)
	}
}

func validate(t *testing.T, v View, smooth, iid []float64, measure Measure[float64], opts Options) {
	t.Helper()
	for _, c := range []struct {
		name   string
		w      []float64
		beyond bool
	}{{"smooth", smooth, true}, {"iid", iid, false}} {
		obs := measure(c.w, v, "")
		res, err := Test(c.w, v, obs, measure, opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res[0] {
			t.Logf("%s %v (%d elements)", c.name, r, r.Elements)
			if r.Beyond != c.beyond {
				t.Errorf("%s under %s: beyond = %v, want %v (%v)", c.name, r.Kind, r.Beyond, c.beyond, r)
			}
			if c.beyond && opts.Block.Len() == 0 && math.Abs(r.Z) < 10 {
				t.Errorf("%s under %s: |z| = %.3g, want ≥ 10 on the whole matrix", c.name, r.Kind, math.Abs(r.Z))
			}
			if !c.beyond && math.Abs(r.Z) > 2.5 {
				t.Errorf("%s under %s: |z| = %.3g, want ≤ 2.5", c.name, r.Kind, math.Abs(r.Z))
			}
		}
	}
}

func TestSeedGivesSameNumbersOnAnyWorkers(t *testing.T) {
	v := View{Count: 1, Rows: 16, Cols: 16}
	w := make([]float64, v.Len())
	for i := range w {
		w[i] = float64(i % 7)
	}
	m := boxCount(16, 16)
	obs := m(w, v, "")
	a, err := Test(w, v, obs, m, Options{Draws: 5, Seed: 9, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Test(w, v, obs, m, Options{Draws: 5, Seed: 9, Workers: 4})
	for k := range a[0] {
		if a[0][k] != b[0][k] {
			t.Fatalf("null %s: %+v vs %+v", a[0][k].Kind, a[0][k], b[0][k])
		}
	}
	// fc1 of the paper CNN: 27 draws of 128×929 read about half its 6.4M
	// weights (BlockShare).
	if b := MatrixBlock(View{1, 128, 50176}, 0, 3); b != (View{1, 128, 929}) {
		t.Fatalf("fc1 block %+v", b)
	}
	if b := MatrixBlock(View{1, 524288, 64}, 0, 3); b != (View{1, 9709, 64}) {
		t.Fatalf("tall block %+v", b)
	}
	if b := MatrixBlock(View{2048, 3, 3}, 0, 3); b != (View{64, 3, 3}) {
		t.Fatalf("conv2 block %+v, want MinMatrices kernels (2048/54 is fewer)", b)
	}
	if b := MatrixBlock(View{32, 3, 3}, 0, 3); b != (View{32, 3, 3}) {
		t.Fatalf("conv1 block %+v, want whole", b)
	}
	if _, err := Test(w[:10], v, obs, m, Options{}); err == nil {
		t.Fatal("want an error for a tensor that does not fill its view")
	}
}
