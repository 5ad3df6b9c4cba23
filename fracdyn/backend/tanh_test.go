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
	// Special values, alone (scalar loop) and 9 times over (33 values:
	// the vector loops too).
	special := []float32{0, float32(math.Inf(1)), float32(math.Inf(-1)), 1e-5, float32(math.NaN())}
	want := []float32{0, 1, -1, 1e-5, float32(math.NaN())}
	for _, reps := range []int{1, 9} {
		var in []float32
		for range reps {
			in = append(in, special...)
		}
		out := make([]float32, len(in))
		tanh32(out, in)
		for i, v := range in {
			w := want[i%len(want)]
			if math.IsNaN(float64(w)) != math.IsNaN(float64(out[i])) || math.Abs(float64(out[i]-w)) > 1e-7 {
				t.Errorf("tanh32(%g) = %g, want %g (%d values)", v, out[i], w, len(in))
			}
		}
	}
}
