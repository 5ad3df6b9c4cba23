package boundary

import (
	"math"
	"testing"
)

// TestScore checks the signed score on hand-computed trajectories.
func TestScore(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		name   string
		losses []float64
		want   float64
	}{
		// v = 1, 0.5, 0.25; tail mean 0.583 < 1: converged, −Σv.
		{"converged", []float64{4, 2, 1}, -1.75},
		// v = 1, 2, 4: diverged, Σ1/v = 1.75.
		{"diverged", []float64{1, 2, 4}, 1.75},
		// Non-finite losses become ScoreCap before normalising:
		// v = 1, 1e6/3, 1e6/3, Σ1/v = 1 + 6e-6.
		{"overflow", []float64{3, inf, math.NaN()}, 1 + 6e-6},
		// v = 1, 1e6 (2e7/1 capped): diverged.
		{"capped", []float64{1, 2e7}, 1 + 1e-6},
		// A constant loss does not converge (tail mean 1 is not < 1).
		{"constant", []float64{2, 2, 2, 2}, 4},
	}
	for _, tc := range tests {
		if got := Score(tc.losses); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s: Score(%v) = %.15g, want %.15g", tc.name, tc.losses, got, tc.want)
		}
	}
	// Only the last ScoreTail steps decide: a loss that dips below its
	// start early but ends above it diverged.
	l := make([]float64, 100)
	for i := range l {
		l[i] = 1
	}
	l[10] = 0.1
	for i := 100 - ScoreTail; i < 100; i++ {
		l[i] = 1.5
	}
	if s := Score(l); s <= 0 {
		t.Errorf("late rise: score %g, want > 0 (diverged)", s)
	}
}

// TestMask checks the 2×2 sign-change rule on a 3×3 grid.
func TestMask(t *testing.T) {
	// Row 0 is the bottom. Converged (−) on the left column only.
	scores := []float64{
		-1, 1, 2,
		-1, 1, 2,
		-1, -3, 2,
	}
	mask, err := Mask(scores, 3, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []bool{true, false, true, true}
	for i := range want {
		if mask[i] != want[i] {
			t.Fatalf("Mask = %v, want %v", mask, want)
		}
	}
	if _, err := Mask(scores, 2, 3); err == nil {
		t.Error("Mask of 9 scores as 2×3: no error")
	}
}

func TestMedian(t *testing.T) {
	if m := Median([]float64{3, 1, 2}); m != 2 {
		t.Errorf("median of 3,1,2 = %g, want 2", m)
	}
	if m := Median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("median of 4,1,3,2 = %g, want 2.5", m)
	}
	if !math.IsNaN(Median(nil)) {
		t.Error("median of nothing is not NaN")
	}
}

func TestParseWindow(t *testing.T) {
	w, err := ParseWindow("1.5,3.5,-2,2.25")
	if err != nil || w != (Window{1.5, 3.5, -2, 2.25}) {
		t.Errorf("ParseWindow = %v, %v", w, err)
	}
	for _, bad := range []string{"1,2,3", "2,1,0,1", "0,1,1,1", "a,b,c,d", "0,NaN,0,1"} {
		if _, err := ParseWindow(bad); err == nil {
			t.Errorf("ParseWindow(%q): no error", bad)
		}
	}
	z := Window{0, 4, 0, 2}.Zoom(1, 1, 4)
	if z != (Window{0.5, 1.5, 0.75, 1.25}) {
		t.Errorf("Zoom = %v", z)
	}
}
