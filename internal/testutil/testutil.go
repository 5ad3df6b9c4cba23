// Package testutil holds small helpers that several packages' tests share.
package testutil

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// RandFloats returns n standard-normal float32 values drawn from rng.
func RandFloats(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.NormFloat64())
	}
	return s
}

// AssertClose fails t unless got and want have the same length and every
// |got[i] − want[i]| ≤ tol·(1 + |want[i]|). A NaN never passes.
func AssertClose(t testing.TB, name string, got, want []float32, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", name, len(got), len(want))
	}
	for i := range got {
		if d := math.Abs(float64(got[i] - want[i])); !(d <= tol*(1+math.Abs(float64(want[i])))) {
			t.Fatalf("%s[%d] = %g, want %g", name, i, got[i], want[i])
		}
	}
}

// Allocated returns the bytes f allocates on the heap.
func Allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
