// Package testutil holds small helpers that several packages' tests share.
package testutil

import (
	"encoding/csv"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
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

// BarImages returns n generated 28×28 images and their labels, an easy
// task for the training tests: image i has label k = i mod 10 and a bright
// bar on row 2k+4 (columns 4–23) over uniform noise below 60. The noise is
// seeded, so the images are the same on every call.
func BarImages(n int) (pixels, labels []uint8) {
	rng := rand.New(rand.NewPCG(1, 1))
	pixels, labels = make([]uint8, n*28*28), make([]uint8, n)
	for i := range n {
		k := i % 10
		labels[i] = uint8(k)
		img := pixels[i*784 : (i+1)*784]
		for j := range img {
			img[j] = uint8(rng.IntN(60))
		}
		for c := 4; c < 24; c++ {
			img[(2*k+4)*28+c] = 255
		}
	}
	return pixels, labels
}

// ConvLoops3x3 is a direct 3×3, padding 1 convolution of x [B,C,H,W] with k
// [O,C,3,3] and bias [O], and the gradients of Σ v·y: the loops that convolution
// formulations are checked against.
func ConvLoops3x3(x, k, bias, v []float32, B, C, O, H, W int) (y, dx, dk, db []float32) {
	y, dx, dk, db = make([]float32, B*O*H*W), make([]float32, len(x)), make([]float32, len(k)), make([]float32, O)
	for bi := range B {
		for o := range O {
			for i := range H {
				for j := range W {
					oi := ((bi*O+o)*H+i)*W + j
					y[oi] = bias[o]
					db[o] += v[oi]
					for c := range C {
						for di := range 3 {
							for dj := range 3 {
								ii, jj := i+di-1, j+dj-1
								if ii < 0 || ii >= H || jj < 0 || jj >= W {
									continue
								}
								xi := ((bi*C+c)*H+ii)*W + jj
								ki := ((o*C+c)*3+di)*3 + dj
								y[oi] += x[xi] * k[ki]
								dx[xi] += v[oi] * k[ki]
								dk[ki] += v[oi] * x[xi]
							}
						}
					}
				}
			}
		}
	}
	return
}

// ReadCSV reads the whole CSV table at path, failing t on any error.
func ReadCSV(t testing.TB, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}

// CopyRun copies the directory src (a run) into a fresh temporary directory
// and returns the copy's path.
func CopyRun(t testing.TB, src string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "run")
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dir
}
