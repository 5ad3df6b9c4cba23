package fractal

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// classicSegments is LayerSegments the two-pass way: the exact threshold
// first (thresholdAbs32), then fusedBands with the mask test inline.
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
	tau, bad, err := thresholdAbs32(w, opts.Quantile, opts.Threshold, 2)
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
	for c := range bracketChunks {
		at := (len(skewed) - bracketRun) * c / (bracketChunks - 1)
		for j := at; j < at+bracketRun; j++ {
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

// TestMaskRow2MatchesGo holds maskRow2 (the AVX2 kernel where the CPU has
// it) to maskRow2Go: the same planes, gathered patterns, count below and
// non-finite flag, for every length mod 8.
func TestMaskRow2MatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 13))
	src := make([]float32, 1003)
	for i := range src {
		src[i] = float32(rng.NormFloat64())
	}
	src[500] = float32(math.Inf(1))
	lo, hi := absBits(0.6), absBits(0.7)
	for _, n := range []int{1003, 1000, 999, 8, 7, 1, 0} {
		for _, b := range [][2]uint32{{lo, hi}, {0, hi}, {lo, lo}} {
			ph, pi := make([]uint8, n/8+1), make([]uint8, n/8+1)
			qh, qi := make([]uint8, n/8+1), make([]uint8, n/8+1)
			got, gb, gf := maskRow2(ph, pi, src[:n], b[0], b[1], []uint32{7})
			want, wb, wf := maskRow2Go(qh, qi, src[:n], b[0], b[1], []uint32{7})
			if !slices.Equal(got, want) || gb != wb || gf>>31 != wf>>31 || !slices.Equal(ph, qh) || !slices.Equal(pi, qi) {
				t.Fatalf("n=%d bracket %v: (%d gathered, below %d, flag %v), Go (%d, %d, %v)", n, b, len(got), gb, gf>>31, len(want), wb, wf>>31)
			}
		}
	}
}

// TestResolveRowsMatchesGo holds resolveRows (PDEP where the CPU has it) to
// resolveRowsGo on random planes and on/off bits.
func TestResolveRowsMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 14))
	const rows, stride, words = 5, 3*8 + 9, 3
	hiP, inP := make([]uint8, rows*stride), make([]uint8, rows*stride)
	for i := range hiP {
		hiP[i], inP[i] = uint8(rng.Uint32()), uint8(rng.Uint32())&uint8(rng.Uint32())
	}
	ge := make([]uint64, 10)
	for i := range ge[:9] {
		ge[i] = rng.Uint64()
	}
	got, want := make([]uint8, rows*stride), make([]uint8, rows*stride)
	for _, p := range []int{0, 5, 63, 64, 130} {
		pg := resolveRows(got, hiP, inP, rows, stride, words, ge, p)
		pw := resolveRowsGo(want, hiP, inP, rows, stride, words, ge, p)
		if pg != pw || !slices.Equal(got, want) {
			t.Fatalf("p=%d: next p %d, Go %d; rows equal %v", p, pg, pw, slices.Equal(got, want))
		}
	}
}
