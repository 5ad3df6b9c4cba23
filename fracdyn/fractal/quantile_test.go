package fractal

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// sortedQuantile is the textbook definition: sort |w|, interpolate.
func sortedQuantile(w []float64, q float64) float64 {
	a := make([]float64, len(w))
	for i, v := range w {
		a[i] = math.Abs(v)
	}
	slices.Sort(a)
	pos := q * float64(len(a)-1)
	lo := int(math.Floor(pos))
	if lo >= len(a)-1 {
		return a[len(a)-1]
	}
	return a[lo] + (pos-float64(lo))*(a[lo+1]-a[lo])
}

func TestQuantileKnownAnswers(t *testing.T) {
	for _, c := range []struct {
		w    []float64
		q    float64
		want float64
	}{
		{[]float64{3}, 0.5, 3},
		{[]float64{-1, 2, -3, 4}, 0, 1},
		{[]float64{-1, 2, -3, 4}, 1, 4},
		{[]float64{-1, 2, -3, 4}, 0.5, 2.5},   // between 2 and 3
		{[]float64{-1, 2, -3, 4}, 0.25, 1.75}, // pos 0.75
		{[]float64{0, 0, 0, 5}, 0.9, 3.5},     // pos 2.7: 0 + 0.7·5
	} {
		if got := Quantile(c.w, c.q); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("Quantile(%v, %v) = %v, want %v", c.w, c.q, got, c.want)
		}
	}
	if got := Quantile(nil, 0.5); !math.IsNaN(got) {
		t.Errorf("Quantile(nil) = %v, want NaN", got)
	}
	if got := Quantile([]float64{1, math.NaN(), 2}, 0.5); !math.IsNaN(got) {
		t.Errorf("Quantile with a NaN = %v, want NaN", got)
	}
}

// TestQuantileMatchesSort checks the selection against a full sort on
// random, tied, sorted and reversed inputs of many sizes.
func TestQuantileMatchesSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	gens := map[string]func(n int) []float64{
		"normal": func(n int) []float64 { return randNormal(rng, n) },
		"ties": func(n int) []float64 {
			w := make([]float64, n)
			for i := range w {
				w[i] = float64(rng.IntN(5) - 2)
			}
			return w
		},
		"sorted": func(n int) []float64 {
			w := randNormal(rng, n)
			slices.Sort(w)
			return w
		},
		"reversed": func(n int) []float64 {
			w := make([]float64, n)
			for i := range w {
				w[i] = float64(n - i)
			}
			return w
		},
	}
	for name, gen := range gens {
		for _, n := range []int{1, 2, 3, 17, 100, 1000, 65537} {
			w := gen(n)
			orig := slices.Clone(w)
			for _, q := range []float64{0, 0.01, 0.25, 0.5, 0.9, 0.975, 1} {
				if got, want := Quantile(w, q), sortedQuantile(w, q); got != want {
					t.Errorf("%s n=%d q=%v: Quantile = %v, sorted reference %v", name, n, q, got, want)
				}
			}
			if !slices.Equal(w, orig) {
				t.Fatalf("%s n=%d: Quantile modified its input", name, n)
			}
		}
	}
}

// randNormal returns n standard normal values from rng.
func randNormal(rng *rand.Rand, n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = rng.NormFloat64()
	}
	return w
}
