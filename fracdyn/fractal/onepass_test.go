package fractal

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/fractal/internal/kernels"
)

// classicSegments is LayerSegments the two-pass way: the exact threshold
// first (kernels.ThresholdAbs32), then fusedBands with the mask test inline.
func classicSegments(t *testing.T, w []float32, shape []int, r int, opts LayerOptions) *LayerResult {
	t.Helper()
	view, err := MatrixViews(shape)
	if err != nil {
		t.Fatal(err)
	}
	l := &LayerResult{R: r, View: view, Shape: shape, RowOrigins: Origins(view.Rows, r), ColOrigins: Origins(view.Cols, r),
		Method: opts.Method}
	if l.Method == "" {
		l.Method = MethodBoxCount
	}
	total := view.Count * l.PerMatrix()
	l.FD, l.FDR2, l.H = make([]float32, total), make([]float32, total), make([]float32, total)
	tau, bad, err := kernels.ThresholdAbs32(w, opts.Quantile, opts.Threshold, 2)
	if err != nil || bad >= 0 {
		t.Fatalf("threshold: %v, bad %d", err, bad)
	}
	l.Threshold = tau
	l.fusedBands(w, 0, view.Count*len(l.RowOrigins))
	return l
}

// TestOnePassMatchesClassic holds the one-read kernel (sampled bracket,
// planes, ownership of overlapping rows and columns, resolution) to the
// two-pass one on layers above the bracket's size, with overlapping last
// segments in both directions, several chunks per band, both methods, a
// fixed threshold, and a layer whose sample misses the quantile.
func TestOnePassMatchesClassic(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	gauss := make([]float32, 1030*1100)
	for i := range gauss {
		gauss[i] = float32(rng.NormFloat64() * 0.02)
		if i%29 == 0 {
			gauss[i] = 0
		}
		if i%17 == 0 {
			gauss[i] = gauss[max(i-1, 0)] // ties
		}
	}
	skewed := make([]float32, len(gauss)) // the sampled runs hold the large weights only
	for i := range skewed {
		skewed[i] = float32(rng.Float64() * 1e-3)
	}
	for c := range kernels.BracketChunks {
		at := (len(skewed) - kernels.BracketRun) * c / (kernels.BracketChunks - 1)
		for j := at; j < at+kernels.BracketRun; j++ {
			skewed[j] = float32(1 + rng.Float64())
		}
	}
	shape := []int{1030, 1100}
	for _, c := range []struct {
		name string
		w    []float32
		r    int
		opts LayerOptions
	}{
		{"r=3", gauss, 3, LayerOptions{}},
		{"r=4", gauss, 4, LayerOptions{}},
		{"r=6 quantile 0.9", gauss, 6, LayerOptions{Quantile: 0.9}},
		{"r=8", gauss, 8, LayerOptions{}},
		{"r=12", gauss, 12, LayerOptions{}},
		{"r=16 paper", gauss, 16, LayerOptions{Method: MethodPaper}},
		{"r=64", gauss, 64, LayerOptions{}},
		{"r=8 fixed threshold", gauss, 8, LayerOptions{Threshold: 0.01}},
		{"r=8 bracket missed", skewed, 8, LayerOptions{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := LayerSegments(c.w, shape, c.r, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			want := classicSegments(t, c.w, shape, c.r, c.opts)
			if got.Threshold != want.Threshold {
				t.Fatalf("τ = %v, want %v", got.Threshold, want.Threshold)
			}
			for i := range want.FD {
				if got.FD[i] != want.FD[i] || got.FDR2[i] != want.FDR2[i] || math.Abs(float64(got.H[i]-want.H[i])) > 2e-6 {
					t.Fatalf("segment %d %+v: (%v, %v, %v), two-pass (%v, %v, %v)", i, got.Segment(i),
						got.FD[i], got.FDR2[i], got.H[i], want.FD[i], want.FDR2[i], want.H[i])
				}
			}
		})
	}
}

// TestOnePassNonFinite checks that a NaN or Inf anywhere (also in rows and
// columns shared by overlapping segments) is reported at its position.
func TestOnePassNonFinite(t *testing.T) {
	shape := []int{1030, 1100}
	w := randomLayer(shape, 3)
	for _, at := range []int{5, 1100*1029 + 1099, 1100*1025 + 7} {
		saved := w[at]
		w[at] = float32(math.NaN())
		_, err := LayerSegments(w, shape, 8, LayerOptions{Name: "fc"})
		want := fmt.Sprintf("matrix element (%d, %d)", at/1100, at%1100)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("NaN at %d: error %v, want one naming %s", at, err, want)
		}
		w[at] = saved
	}
}
