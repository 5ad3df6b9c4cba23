package fractal

import (
	"math"
	"testing"
)

// TestSierpinskiShapes: the generators' cell counts (8^l and 3^log2 n on
// cells) and box-counting dimensions on their own grids.
func TestSierpinskiShapes(t *testing.T) {
	sum := func(w []float64) (s float64) {
		for _, v := range w {
			s += v
		}
		return s
	}
	c, n := SierpinskiCarpet(4)
	if n != 81 || sum(c) != math.Pow(8, 4) {
		t.Errorf("carpet level 4: side %d with %v on cells, want 81 and 4096", n, sum(c))
	}
	tr := SierpinskiTriangle(64)
	if sum(tr) != math.Pow(3, 6) {
		t.Errorf("triangle 64: %v on cells, want 729", sum(tr))
	}
	for _, tc := range []struct {
		name  string
		w     []float64
		n     int
		sizes []int
		want  float64
	}{
		{"carpet", c, n, PowersOf(3, n/3), math.Log(8) / math.Log(3)},
		{"triangle", tr, 64, nil, math.Log(3) / math.Log(2)},
	} {
		f, err := BoxCount(tc.w, tc.n, tc.n, Options{Threshold: 0.5, Sizes: tc.sizes})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(f.Dimension-tc.want) > 1e-9 {
			t.Errorf("%s: D = %.6f, want %.6f", tc.name, f.Dimension, tc.want)
		}
	}
}
