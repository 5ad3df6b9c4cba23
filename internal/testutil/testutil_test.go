package testutil

import (
	"math"
	"math/rand/v2"
	"testing"
)

// recorder captures a Fatalf without stopping the test.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Fatalf(string, ...any) { r.failed = true }

func TestAssertClose(t *testing.T) {
	nan := float32(math.NaN())
	for _, c := range []struct {
		got, want []float32
		fail      bool
	}{
		{[]float32{1, 2}, []float32{1, 2}, false},
		{[]float32{1.001}, []float32{1}, false}, // within 1e-3·(1+1)
		{[]float32{1.01}, []float32{1}, true},
		{[]float32{nan}, []float32{nan}, true},
		{[]float32{1}, []float32{1, 2}, true},
	} {
		r := &recorder{TB: t}
		AssertClose(r, "x", c.got, c.want, 1e-3)
		if r.failed != c.fail {
			t.Errorf("AssertClose(%v, %v) failed = %v, want %v", c.got, c.want, r.failed, c.fail)
		}
	}
}

func TestAllocatedAndRandFloats(t *testing.T) {
	var sink []float32
	n := Allocated(func() { sink = RandFloats(rand.New(rand.NewPCG(1, 2)), 1<<20) })
	if n < 4<<20 || len(sink) != 1<<20 {
		t.Errorf("Allocated = %d bytes for 1 Mi float32, want at least 4 MiB", n)
	}
	again := RandFloats(rand.New(rand.NewPCG(1, 2)), 4)
	for i := range again {
		if again[i] != sink[i] {
			t.Fatalf("RandFloats is not repeatable by seed: %v vs %v", again, sink[:4])
		}
	}
}
