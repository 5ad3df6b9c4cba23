package fractal

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestBoxCountKnownAnswers(t *testing.T) {
	const n = 256
	square := make([]float64, n*n)
	for i := range square {
		square[i] = 1
	}
	line := make([]float64, n*n)
	for j := range n {
		line[100*n+j] = 1
	}
	diag := make([]float64, n*n)
	for i := range n {
		diag[i*n+i] = 1
	}
	carpet, cn := SierpinskiCarpet(5)
	for _, tc := range []struct {
		name  string
		w     []float64
		n     int
		sizes []int
		want  float64
		tol   float64
	}{
		{"filled square", square, n, nil, 2, 0.02},
		{"horizontal line", line, n, nil, 1, 0.02},
		{"diagonal line", diag, n, nil, 1, 0.02},
		// Box sizes 1, 3, 9, 27, 81 tile the 243×243 base-3 grid exactly.
		{"Sierpinski carpet level 5", carpet, cn, PowersOf(3, cn/3), math.Log(8) / math.Log(3), 0.03},
	} {
		f, err := BoxCount(tc.w, tc.n, tc.n, Options{Threshold: 0.5, Sizes: tc.sizes})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if math.Abs(f.Dimension-tc.want) > tc.tol {
			t.Errorf("%s: D = %.4f, want %.4f ± %.2f (sizes %v counts %v)", tc.name, f.Dimension, tc.want, tc.tol, f.Sizes, f.Counts)
		}
		if f.R2 < 0.99 {
			t.Errorf("%s: R² = %.4f, want ≥ 0.99", tc.name, f.R2)
		}
	}
}

func TestBoxCountEmptyAndErrors(t *testing.T) {
	f, err := BoxCount(make([]float64, 16), 4, 4, Options{})
	if err != nil || f.Dimension != 0 || f.R2 != 0 {
		t.Errorf("all-zero matrix: D=%v R²=%v err=%v, want 0, 0, nil", f.Dimension, f.R2, err)
	}
	w := make([]float64, 16)
	w[5] = math.NaN()
	if _, err := BoxCount(w, 4, 4, Options{}); err == nil {
		t.Error("NaN matrix: no error")
	}
	if _, err := BoxCount(nil, 0, 4, Options{}); err == nil {
		t.Error("empty matrix: no error")
	}
}

func TestSurfaceEstimatorsOnFBM(t *testing.T) {
	const n = 256
	hs := []float64{0.3, 0.5, 0.8}
	var prevV, prevD float64
	for i, h := range hs {
		w := fbmSurface(n, h, uint64(7+i))
		v, err := Variogram(w, n, n, Options{})
		if err != nil {
			t.Fatal(err)
		}
		d, err := DifferentialBoxCount(w, n, n, Options{})
		if err != nil {
			t.Fatal(err)
		}
		mado, err := Variogram(w, n, n, Options{Order: 1})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("H=%.1f: variogram D=%.3f (want %.2f), madogram D=%.3f, DBC D=%.3f (R² %.3f)",
			h, v.Dimension, 3-h, mado.Dimension, d.Dimension, d.R2)
		if math.Abs(v.Dimension-(3-h)) > 0.15 {
			t.Errorf("H=%.1f: variogram D = %.3f, want %.2f ± 0.15", h, v.Dimension, 3-h)
		}
		if math.Abs(mado.Dimension-(3-h)) > 0.2 {
			t.Errorf("H=%.1f: madogram D = %.3f, want %.2f ± 0.2", h, mado.Dimension, 3-h)
		}
		if d.Dimension < 2 || d.Dimension > 3 {
			t.Errorf("H=%.1f: DBC D = %.3f outside [2, 3]", h, d.Dimension)
		}
		if i > 0 && (v.Dimension >= prevV || d.Dimension >= prevD) {
			t.Errorf("H=%.1f: dimensions do not fall as H rises: variogram %.3f→%.3f, DBC %.3f→%.3f",
				h, prevV, v.Dimension, prevD, d.Dimension)
		}
		prevV, prevD = v.Dimension, d.Dimension
	}
}

func TestSurfaceEstimatorsOnPlane(t *testing.T) {
	const n = 64
	w := make([]float64, n*n)
	for i := range n {
		for j := range n {
			w[i*n+j] = 0.3*float64(i) - 0.1*float64(j)
		}
	}
	d, err := DifferentialBoxCount(w, n, n, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(d.Dimension-2) > 0.05 {
		t.Errorf("plane: DBC D = %.3f, want 2 ± 0.05", d.Dimension)
	}
	v, _ := Variogram(w, n, n, Options{})
	if math.Abs(v.Dimension-2) > 0.05 {
		t.Errorf("plane: variogram D = %.3f, want 2 ± 0.05", v.Dimension)
	}
	c, _ := DifferentialBoxCount(make([]float64, n*n), n, n, Options{})
	if c.Dimension != 2 {
		t.Errorf("constant: DBC D = %v, want 2", c.Dimension)
	}
}

func TestPaperFD(t *testing.T) {
	const n = 64
	full := make([]float64, n*n)
	for i := range full {
		full[i] = 1
	}
	row := make([]float64, n*n)
	for j := range n {
		row[5*n+j] = 1
	}
	for _, r := range []int{2, 3, 5, 8, 32} {
		f, err := PaperFD(full, n, n, r, Options{Threshold: 0.5})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(f.Dimension-2) > 1e-12 {
			t.Errorf("full r=%d: D = %v, want 2", r, f.Dimension)
		}
		q := SegmentCount(n, n, r)
		if want := -math.Log(float64(q)) / math.Log(float64(r)); math.Abs(f.Literal-want) > 1e-12 {
			t.Errorf("full r=%d: literal = %v, want %v", r, f.Literal, want)
		}
		g, _ := PaperFD(row, n, n, r, Options{Threshold: 0.5})
		if math.Abs(g.Dimension-1) > 1e-12 {
			t.Errorf("row r=%d: D = %v, want 1", r, g.Dimension)
		}
	}
}

func TestSegmentFDLocal(t *testing.T) {
	// r = 2: D = log₂ k for k on cells, for bc and paper alike.
	for k, want := range []float64{0, 0, 1, math.Log2(3), 2} {
		seg := make([]float64, 4)
		for i := range k {
			seg[i] = 1
		}
		for _, m := range []Method{MethodBoxCount, MethodPaper} {
			d, _, err := SegmentFD(seg, 2, m, 0.5)
			if err != nil || math.Abs(d-want) > 1e-12 {
				t.Errorf("%s k=%d: D = %v (%v), want %v", m, k, d, err, want)
			}
		}
	}
	// A smooth 2×2 ramp: variogram V(√2) = 2·V(1), D = 3 − ln 2/(2·ln √2) = 2.
	d, _, _ := SegmentFD([]float64{0, 1, 1, 2}, 2, MethodVariogram, 0)
	if math.Abs(d-2) > 1e-9 {
		t.Errorf("ramp variogram D = %v, want 2", d)
	}
	if _, _, err := SegmentFD(make([]float64, 4), 2, "nope", 0); err == nil {
		t.Error("unknown method: no error")
	}
}

func TestSelfSimilarity(t *testing.T) {
	const n = 128
	full := make([]float64, n*n)
	for i := range full {
		full[i] = 1
	}
	v, err := SelfSimilarity(full, n, n, Options{Threshold: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	if !v.ScaleInvariant || math.Abs(v.Dimension-2) > 0.05 || v.RangeLo != 2 || v.RangeHi != 64 {
		t.Errorf("filled square: %+v", v.Reason)
	}
	// A single on cell: N(r) = 1 at every r, D = 0, a perfect (flat) fit.
	dot := make([]float64, n*n)
	dot[n*7+9] = 1
	v, _ = SelfSimilarity(dot, n, n, Options{Threshold: 0.5})
	if v.Dimension != 0 || !v.ScaleInvariant {
		t.Errorf("single cell: D = %v, verdict %q", v.Dimension, v.Reason)
	}
	// A square filled on its left half and a sparse grid on the right bends
	// the log-log line: the dimension depends on r.
	mixed := make([]float64, n*n)
	for i := range n {
		for j := range n {
			if j < 8 || (i%32 == 0 && j%32 == 0) {
				mixed[i*n+j] = 1
			}
		}
	}
	v, _ = SelfSimilarity(mixed, n, n, Options{Threshold: 0.5})
	if v.ScaleInvariant {
		t.Errorf("mixed: judged scale-invariant, R² = %v: %s", v.R2, v.Reason)
	}
	if len(v.Residuals()) != len(v.Scales) {
		t.Errorf("residuals: %d for %d scales", len(v.Residuals()), len(v.Scales))
	}
	small, _ := SelfSimilarity(make([]float64, 9), 3, 3, Options{})
	if small.ScaleInvariant || small.Reason == "" {
		t.Errorf("3×3: %+v", small)
	}
	series, err := SelfSimilaritySeries([][]float64{full, dot}, n, n, Options{Threshold: 0.5})
	if err != nil || len(series) != 2 || series[0].Dimension < 1.9 {
		t.Errorf("series: %v %v", series, err)
	}
}

// TestOptionsMask: BoxCount, PaperFD and SelfSimilarity given the matrix's
// mask in Options give the same results as building it, and a mask of
// another size, or without its threshold, is ignored: a mask of the wrong
// matrix would change them.
func TestOptionsMask(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	n, m := 24, 40
	w := make([]float64, n*m)
	for i := range w {
		w[i] = rng.NormFloat64()
	}
	tau := Quantile(w, DefaultQuantile)
	run := func(o Options) (Fit, Fit, Verdict) {
		bc, err1 := BoxCount(w, n, m, o)
		p, err2 := PaperFD(w, n, m, 3, o)
		ss, err3 := SelfSimilarity(w, n, m, o)
		if err1 != nil || err2 != nil || err3 != nil {
			t.Fatal(err1, err2, err3)
		}
		return bc, p, ss
	}
	bc, p, ss := run(Options{Threshold: tau})
	same := func(o Options) bool {
		b2, p2, s2 := run(o)
		return b2.Dimension == bc.Dimension && p2.Dimension == p.Dimension && s2.Dimension == ss.Dimension && s2.Counts[0] == ss.Counts[0]
	}
	if !same(Options{Threshold: tau, Mask: Mask(w, tau)}) {
		t.Error("the given mask changed the estimates")
	}
	if !same(Options{Threshold: tau, Mask: make([]bool, n*m-1)}) || !same(Options{Mask: make([]bool, n*m)}) {
		t.Error("a mask of another size, or without its threshold, was used")
	}
	if same(Options{Threshold: tau, Mask: make([]bool, n*m)}) {
		t.Error("an empty mask of the right size gave the matrix's estimates: the mask is not read")
	}
}
