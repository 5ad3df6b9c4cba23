package fractal

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// TestEstimateDegenerate runs Estimate on the inputs of issue 15: a 2×2
// matrix whose two-point variogram slope gives D ≈ 4.41, a 1×500 row, an
// all-zero matrix whose box count is empty, and matrices below each
// method's MinSide. Each must give a named verdict or ErrTooSmall, never a
// number outside Range(method).
func TestEstimateDegenerate(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 7))
	noise := func(n, m int) []float64 {
		w := make([]float64, n*m)
		for i := range w {
			w[i] = rng.NormFloat64()
		}
		return w
	}
	cases := []struct {
		name       string
		w          []float64
		n, m       int
		method     Method
		tooSmall   bool
		degenerate string
		dim        float64 // checked when degenerate is constant or empty
	}{
		{"variogram 2×2", []float64{0, 1, 1, 0.65}, 2, 2, MethodVariogram, false, DegenerateUndefined, 0},
		{"variogram 1×500", noise(1, 500), 1, 500, MethodVariogram, true, "", 0},
		{"variogram 500×1", noise(500, 1), 500, 1, MethodVariogram, true, "", 0},
		{"bc all-zero 8×8", make([]float64, 64), 8, 8, MethodBoxCount, false, DegenerateConstant, 0},
		{"paper all-zero 8×8", make([]float64, 64), 8, 8, MethodPaper, false, DegenerateConstant, 0},
		{"dbc constant 8×8", constant(64, 3), 8, 8, MethodDBC, false, DegenerateConstant, 2},
		{"variogram constant 8×8", constant(64, 3), 8, 8, MethodVariogram, false, DegenerateConstant, 2},
		{"bc 1×8", noise(1, 8), 1, 8, MethodBoxCount, true, "", 0},
		{"dbc 1×8", noise(1, 8), 1, 8, MethodDBC, true, "", 0},
		{"paper 2×2", noise(2, 2), 2, 2, MethodPaper, true, "", 0},
		{"dbc 2×2 ramp", []float64{0, 1, 2, 3}, 2, 2, MethodDBC, false, DegenerateUndefined, 0},
	}
	for _, c := range cases {
		f, err := Estimate(c.w, c.n, c.m, c.method, Options{})
		if c.tooSmall {
			if !errors.Is(err, ErrTooSmall) {
				t.Errorf("%s: err %v, want ErrTooSmall", c.name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if f.Degenerate != c.degenerate || f.Reason == "" {
			t.Errorf("%s: degenerate %q (%s), want %q", c.name, f.Degenerate, f.Reason, c.degenerate)
		}
		switch c.degenerate {
		case DegenerateUndefined:
			if !math.IsNaN(f.Dimension) {
				t.Errorf("%s: D = %v, want NaN", c.name, f.Dimension)
			}
		default:
			if f.Dimension != c.dim {
				t.Errorf("%s: D = %v, want %v", c.name, f.Dimension, c.dim)
			}
		}
	}
}

// TestEstimateRegularInRange checks that regular inputs carry no verdict
// and a dimension inside Range: white noise and a full constant mask.
func TestEstimateRegularInRange(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 15))
	w := make([]float64, 64*64)
	for i := range w {
		w[i] = rng.NormFloat64()
	}
	for _, m := range Methods() {
		f, err := Estimate(w, 64, 64, m, Options{})
		lo, hi := Range(m)
		if err != nil || f.Degenerate != "" || !(f.Dimension >= lo && f.Dimension <= hi) {
			t.Errorf("%s on 64×64 noise: D %v degenerate %q (%s) err %v, want D in [%g, %g]", m, f.Dimension, f.Degenerate, f.Reason, err, lo, hi)
		}
	}
	f, err := Estimate(constant(64, 1), 8, 8, MethodBoxCount, Options{})
	if err != nil || f.Degenerate != "" || math.Abs(f.Dimension-2) > 1e-12 {
		t.Errorf("bc on all-ones 8×8: D %v degenerate %q err %v, want 2 and no verdict", f.Dimension, f.Degenerate, err)
	}
}

// TestEstimateContextCancelled: a cancelled context stops the estimators
// before their first box size or lag.
func TestEstimateContextCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	w := make([]float64, 16*16)
	for i := range w {
		w[i] = float64(i % 7)
	}
	for _, m := range []Method{MethodBoxCount, MethodDBC, MethodVariogram} {
		if _, err := EstimateContext(ctx, w, 16, 16, m, Options{}); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: err %v, want context.Canceled", m, err)
		}
	}
}

func constant(n int, v float64) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = v
	}
	return w
}
