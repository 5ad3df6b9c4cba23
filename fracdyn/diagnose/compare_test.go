package diagnose

import (
	"math"
	"slices"
	"testing"
)

func TestRanks(t *testing.T) {
	got := ranks([]float64{3, 1, 4, 1, 5})
	if want := []float64{3, 1.5, 4, 1.5, 5}; !slices.Equal(got, want) {
		t.Errorf("ranks = %v, want %v", got, want)
	}
}

func TestCorrelate(t *testing.T) {
	// bc = 2α exactly (Pearson 1); dbc = α³ (monotone: Spearman 1, Pearson
	// below 1); variogram = −α (−1, −1); a NaN α drops its layer.
	var pts []ComparePoint
	for _, a := range []float64{1, 2, 3, 4, math.NaN()} {
		pts = append(pts, ComparePoint{Alpha: a, FD: map[string]float64{"bc": 2 * a, "dbc": a * a * a, "variogram": -a}})
	}
	cs := Correlate(pts)
	byName := map[string]Correlation{}
	for _, c := range cs {
		byName[c.Measure] = c
	}
	check := func(name string, pearson, spearman float64) {
		c := byName[name]
		if c.N != 4 || math.Abs(c.Pearson-pearson) > 1e-3 || math.Abs(c.Spearman-spearman) > 1e-12 {
			t.Errorf("%s: %+v, want pearson %.4f spearman %g over 4", name, c, pearson, spearman)
		}
	}
	check("bc", 1, 1)
	check("dbc", 0.9514, 1) // corr((1,2,3,4), (1,8,27,64))
	check("variogram", -1, -1)
	if c := byName["paper"]; c.N != 0 || !math.IsNaN(c.Pearson) {
		t.Errorf("paper: %+v, want no data", c)
	}
}
