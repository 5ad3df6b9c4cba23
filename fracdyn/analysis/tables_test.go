package analysis

import (
	"math"
	"math/rand/v2"
	"testing"
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
