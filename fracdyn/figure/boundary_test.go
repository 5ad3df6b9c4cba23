package figure

import (
	"testing"
)

// TestWindowTicks: the labels of a narrow zoomed axis differ.
func TestWindowTicks(t *testing.T) {
	seen := map[string]bool{}
	for _, tk := range (windowTicks{}).Ticks(2.1003, 2.1378) {
		if tk.Label == "" {
			continue
		}
		if seen[tk.Label] {
			t.Errorf("label %q repeats", tk.Label)
		}
		seen[tk.Label] = true
	}
	if len(seen) < 2 {
		t.Errorf("only %d labels", len(seen))
	}
}

// TestStretchScores checks the rank stretch on a hand-worked case.
func TestStretchScores(t *testing.T) {
	got := StretchScores([]float64{-3, -1, 2, 5, 9})
	want := []float64{-1, -0.25, 0.25, 0.625, 1}
	for i := range want {
		if d := got[i] - want[i]; d > 1e-12 || d < -1e-12 {
			t.Fatalf("StretchScores = %v, want %v", got, want)
		}
	}
}
