package backend

import (
	"math"
	"testing"
)

// TestTanh32 bounds the error of the float32 tanh kernel against math.Tanh
// over [−20, 20] and checks its special values.
func TestTanh32(t *testing.T) {
	const n = 400001
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(-20 + 40*float64(i)/float64(n-1))
	}
	got := make([]float32, n)
	tanh32(got, x)
	worst, at := 0.0, float32(0)
	for i, v := range x {
		want := math.Tanh(float64(v))
		if e := math.Abs(float64(got[i]) - want); e > worst {
			worst, at = e, v
		}
	}
	if worst > 4e-7 { // 3.4 float32 epsilons
		t.Errorf("tanh32: largest error %.3g at x = %g, want ≤ 4e-7", worst, at)
	}
	t.Logf("tanh32: largest error %.3g at x = %g", worst, at)
	special := []float32{0, float32(math.Inf(1)), float32(math.Inf(-1)), 1e-5}
	want := []float32{0, 1, -1, 1e-5}
	tanh32(got[:len(special)], special)
	for i := range special {
		if math.Abs(float64(got[i]-want[i])) > 1e-7 {
			t.Errorf("tanh32(%g) = %g, want %g", special[i], got[i], want[i])
		}
	}
	nan := []float32{float32(math.NaN())}
	tanh32(nan, nan)
	if !math.IsNaN(float64(nan[0])) {
		t.Errorf("tanh32(NaN) = %g, want NaN", nan[0])
	}
}
