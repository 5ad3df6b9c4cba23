package attractor

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// noiseMatrix is rows×cols of independent standard normals.
func noiseMatrix(rows, cols int, seed uint64) Series {
	rng := rand.New(rand.NewPCG(seed, 15))
	d := make([]float64, rows*cols)
	for i := range d {
		d[i] = rng.NormFloat64()
	}
	return Series{Data: d, Cols: cols}
}

// TestShortWhiteNoiseIsNotPeriodic (issue 15): white noise with too few
// steps for the spectral rules (a 64×64 matrix, 100 and 128 scalar steps)
// was called quasi-periodic, its correlation dimension NaN, because the
// ten line windows covered the whole spectrum. It must be neither
// periodic nor quasi-periodic, and with a NaN D2 it must be stochastic.
func TestShortWhiteNoiseIsNotPeriodic(t *testing.T) {
	cases := []struct {
		name string
		s    Series
	}{
		{"64×64 matrix", noiseMatrix(64, 64, 1)},
		{"100 steps", noiseMatrix(100, 1, 2)},
		{"128 steps", noiseMatrix(128, 1, 3)},
		{"200×3", noiseMatrix(200, 3, 4)},
	}
	for _, c := range cases {
		r, err := Analyze(c.s, Options{})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if r.Class == Periodic || r.Class == QuasiPeriodic {
			t.Errorf("%s: class %s (%s), D2 %v", c.name, r.Class, r.Reason, r.Correlation.D2)
		}
		if math.IsNaN(r.Correlation.D2) && r.Class != Stochastic {
			t.Errorf("%s: D2 NaN but class %s (%s), want %s", c.name, r.Class, r.Reason, Stochastic)
		}
	}
}

// TestSpectralRulesNeedResolvedSpectrum: Classify applies the spectral
// rules only with at least SpectralMinBins frequency bins.
func TestSpectralRulesNeedResolvedSpectrum(t *testing.T) {
	r := &Result{Contraction: 1, Spectrum: Spectrum{Cycles: 20, HarmonicPower: 0.99, LinePower: 0.99, Bins: SpectralMinBins - 1},
		Correlation: DimensionFit{D2: math.NaN()}, CorrelationNext: DimensionFit{D2: math.NaN()}, Dim: DimChoice{Dim: 1, Converged: true}}
	if c, why := Classify(r); c != Stochastic {
		t.Errorf("unresolved spectrum, NaN D2: %s (%s), want %s", c, why, Stochastic)
	}
	r.Spectrum.Bins = SpectralMinBins
	if c, why := Classify(r); c != Periodic {
		t.Errorf("resolved harmonic spectrum: %s (%s), want %s", c, why, Periodic)
	}
}

// TestAnalyzeTooShort: the smallest inputs are refused with ErrTooShort.
func TestAnalyzeTooShort(t *testing.T) {
	for _, n := range []int{1, 10, MinSteps - 1} {
		_, err := Analyze(noiseMatrix(n, 1, 5), Options{})
		if !errors.Is(err, ErrTooShort) {
			t.Errorf("%d steps: err %v, want ErrTooShort", n, err)
		}
	}
	// 64 steps with lag 10 in dimension 4 leave 24 < MinPoints points.
	_, err := Analyze(noiseMatrix(MinSteps, 1, 6), Options{Lag: 10, Dim: 4})
	if !errors.Is(err, ErrTooShort) {
		t.Errorf("64 steps, lag 10, dimension 4: err %v, want ErrTooShort", err)
	}
}

// TestAnalyzeContextCancelled: a cancelled context stops the analysis at
// the first check, and one cancelled mid-way stops it within one reference
// point of the stage that runs (the counting context below).
func TestAnalyzeContextCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := AnalyzeContext(ctx, noiseMatrix(400, 50, 7), Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled before: err %v, want context.Canceled", err)
	}
	cc := &countingCtx{Context: context.Background(), after: 100}
	_, err := AnalyzeContext(cc, noiseMatrix(400, 50, 7), Options{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled mid-way: err %v, want context.Canceled", err)
	}
	if cc.calls != cc.after+1 {
		t.Errorf("ctx.Err called %d times, want %d: the analysis went on after the cancellation", cc.calls, cc.after+1)
	}
}

// countingCtx reports cancellation from its after+1-th Err call on.
type countingCtx struct {
	context.Context
	after, calls int
}

func (c *countingCtx) Err() error {
	c.calls++
	if c.calls > c.after {
		return context.Canceled
	}
	return nil
}

// TestKDTreeWideIsOneLeaf: points wider than kdMaxWidth are not split (a
// tree over them prunes nothing and its boxes cost 2·d values per node) and
// searches over them still find the brute-force answers.
func TestKDTreeWideIsOneLeaf(t *testing.T) {
	const n, d = 300, kdMaxWidth + 1
	pts := noiseMatrix(n, d, 8).Data
	tree := newKDTree(pts, d)
	if len(tree.nodes) != 1 {
		t.Fatalf("%d nodes over %d-wide points, want 1", len(tree.nodes), d)
	}
	for i := 0; i < n; i += 17 {
		q := pts[i*d : (i+1)*d]
		j, got := tree.nearest(q, func(k int) bool { return k == i }, true)
		want, wj := math.Inf(1), -1
		for k := 0; k < n; k++ {
			s := 0.0
			for c := 0; c < d; c++ {
				e := pts[k*d+c] - q[c]
				s += e * e
			}
			if k != i && s < want {
				want, wj = s, k
			}
		}
		if j != wj || got != want {
			t.Fatalf("point %d: nearest %d at %v, brute force %d at %v", i, j, got, wj, want)
		}
	}
}

// TestWork: the bound grows with the square of the steps and linearly in
// the columns, and the options that limit it shrink it.
func TestWork(t *testing.T) {
	p1, c1 := Work(1000, 10, Options{})
	p2, c2 := Work(2000, 10, Options{})
	_, c3 := Work(1000, 20, Options{})
	if p2 != 4*p1 || c2 != 4*c1 || c3 != 2*c1 {
		t.Errorf("Work: pairs %v → %v, coords %v → %v (2× steps), %v (2× columns)", p1, p2, c1, c2, c3)
	}
	// 1000 refs × 1000 points × (10 dimensions + 4 more searches) pairs.
	if p1 != 1000*1000*14 {
		t.Errorf("pairs %v, want %v", p1, 1000*1000*14)
	}
	if _, c := Work(1000, 10, Options{MaxRefs: 100, MaxDim: 2}); c >= c1/10 {
		t.Errorf("MaxRefs 100, MaxDim 2: %v coordinates, not below a tenth of %v", c, c1)
	}
}
