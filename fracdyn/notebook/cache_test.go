package notebook

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
)

type result struct {
	FD   []float64
	Name string
}

// TestCached: the second call with the same key reads the disk, another
// key computes, an error is passed on and not stored, a corrupt entry is
// recomputed.
func TestCached(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("FRACDYN_CACHE", dir)
	calls := 0
	compute := func(v float64) func() (result, error) {
		return func() (result, error) {
			calls++
			return result{FD: []float64{v, math.NaN()}, Name: "conv1"}, nil
		}
	}
	type key struct {
		Run   string
		Epoch int
	}
	a, err := Cached("fd", key{"runs/quick", 5}, compute(1.5))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Cached("fd", key{"runs/quick", 5}, compute(99))
	if err != nil {
		t.Fatal(err)
	}
	if calls != 1 || b.FD[0] != 1.5 || !math.IsNaN(b.FD[1]) || b.Name != a.Name {
		t.Errorf("second call: %d computations, got %+v, want %+v from the cache", calls, b, a)
	}
	c, _ := Cached("fd", key{"runs/quick", 4}, compute(2))
	if calls != 2 || c.FD[0] != 2 {
		t.Errorf("another key: %d computations, got %+v", calls, c)
	}
	boom := errors.New("boom")
	if _, err := Cached("fd", key{"x", 1}, func() (result, error) { return result{}, boom }); !errors.Is(err, boom) {
		t.Errorf("error %v, want boom", err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "fd-*.gob"))
	if len(files) != 2 {
		t.Fatalf("cache holds %v, want 2 entries", files)
	}
	for _, f := range files {
		os.WriteFile(f, []byte("garbage"), 0o644)
	}
	d, err := Cached("fd", key{"runs/quick", 5}, compute(3))
	if err != nil || calls != 3 || d.FD[0] != 3 {
		t.Errorf("corrupt entry: %d computations, got %+v, %v", calls, d, err)
	}
	if _, err := Cached("fd", func() {}, compute(1)); err == nil {
		t.Error("a key that is not JSON: no error")
	}
}
