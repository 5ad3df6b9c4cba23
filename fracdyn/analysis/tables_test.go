package analysis

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/fractal"
)

// TestFloatCache checks the cached float text against strconv on values
// that repeat, collide in the cache and differ in the last bit.
func TestFloatCache(t *testing.T) {
	var fc floatCache
	rng := rand.New(rand.NewPCG(1, 2))
	vals := []float32{0, 1, 1.5849625, -0, float32(math.NaN()), float32(math.Inf(-1)), math.MaxFloat32, math.SmallestNonzeroFloat32}
	for range 5000 {
		v := float32(rng.NormFloat64())
		vals = append(vals, v, math.Nextafter32(v, 10), vals[rng.IntN(len(vals))])
	}
	for _, v := range vals {
		if got, want := string(fc.appendFloat(nil, v)), string(appendFloat(nil, v)); got != want {
			t.Fatalf("cached %q, strconv %q for %v", got, want, v)
		}
	}
}

// TestSegmentNorms: each segment's norm is √(Σ x²) over exactly its r×r
// elements, summed in float64 row by row as a plain loop sums them, bit
// for bit, on stacks of matrices whose last segment along each side
// overlaps its neighbour, with fewer and more than four segments a band.
func TestSegmentNorms(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for _, c := range []struct {
		shape []int
		r     int
	}{{[]int{3, 2, 7, 11}, 3}, {[]int{2, 1, 5, 5}, 2}, {[]int{9, 40}, 4}} {
		n := 1
		for _, d := range c.shape {
			n *= d
		}
		w, g := make([]float32, n), make([]float32, n)
		for i := range w {
			w[i], g[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64()*1e3)
		}
		seg, err := fractal.LayerSegments(w, c.shape, c.r, fractal.LayerOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got, v := segmentNorms(g, seg), seg.View
		for s := range seg.Len() {
			id, base := seg.Segment(s), (s/seg.PerMatrix())*v.Rows*v.Cols
			var ss float64
			for a := range c.r {
				for b := range c.r {
					x := float64(g[base+(id.Row+a)*v.Cols+id.Col+b])
					ss += x * x
				}
			}
			if want := float32(math.Sqrt(ss)); got[s] != want {
				t.Fatalf("%v r=%d: segment %d at (%d, %d): norm %v, want %v", c.shape, c.r, s, id.Row, id.Col, got[s], want)
			}
		}
	}
	if nan := segmentNorms(nil, &fractal.LayerResult{FD: make([]float32, 3)}); len(nan) != 3 || !math.IsNaN(float64(nan[2])) {
		t.Errorf("no gradients: %v, want 3 NaN", nan)
	}
}
