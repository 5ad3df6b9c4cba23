package fractal

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestValidScales(t *testing.T) {
	for _, tc := range []struct {
		n, m int
		want []int
	}{
		{3, 3, []int{2}}, // the paper's 3×3 kernels at r = 2
		{2, 2, nil},
		{1, 100, nil},
		{4, 4, []int{2}},
		{5, 4, []int{2}},
		{10, 128, []int{2, 3, 4, 5}}, // fc2
		{7, 9, []int{2, 3}},
		{28, 28, []int{2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}},
	} {
		if got := ValidScales(tc.n, tc.m); !slices.Equal(got, tc.want) {
			t.Errorf("ValidScales(%d, %d) = %v, want %v", tc.n, tc.m, got, tc.want)
		}
	}
	err := CheckScale(10, 128, 6)
	if err == nil || !strings.Contains(err.Error(), "2..5") {
		t.Errorf("CheckScale(10,128,6) = %v, want an error naming 2..5", err)
	}
}

// TestSegmentCountsAndEq1 checks Q = ⌈n/r⌉·⌈m/r⌉ for every valid r over a
// grid of sizes in [3, 300], and every element of every segment against
// eq. (1) with the overlap rule, written out independently.
func TestSegmentCountsAndEq1(t *testing.T) {
	sizes := []int{3, 4, 5, 7, 8, 12, 17, 31, 64, 100, 127, 128, 255, 300}
	for _, n := range sizes {
		for _, m := range sizes {
			w := make([]float64, n*m)
			for i := range w {
				w[i] = float64(i)
			}
			for _, r := range ValidScales(n, m) {
				segs, rows, cols := Segment(w, n, m, r)
				q := ((n + r - 1) / r) * ((m + r - 1) / r)
				if len(rows) != q || len(segs) != q*r*r || SegmentCount(n, m, r) != q {
					t.Fatalf("%d×%d r=%d: %d segments, want %d", n, m, r, len(rows), q)
				}
				nc := (m + r - 1) / r
				for s := range q {
					a, b := s/nc, s%nc
					// eq. (1): rows a·r … a·r+r−1, shifted back to end at n.
					i0, j0 := min(a*r, n-r), min(b*r, m-r)
					if rows[s] != i0 || cols[s] != j0 {
						t.Fatalf("%d×%d r=%d segment %d: origin (%d,%d), want (%d,%d)", n, m, r, s, rows[s], cols[s], i0, j0)
					}
					for x := range r {
						for y := range r {
							if got, want := segs[s*r*r+x*r+y], w[(i0+x)*m+j0+y]; got != want {
								t.Fatalf("%d×%d r=%d segment %d (%d,%d) = %v, want %v", n, m, r, s, x, y, got, want)
							}
						}
					}
				}
			}
		}
	}
}

func TestSegment3x3(t *testing.T) {
	w := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}
	segs, rows, cols := Segment32(w, 3, 3, 2)
	want := []float32{1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9}
	if !slices.Equal(segs, want) || !slices.Equal(rows, []int{0, 0, 1, 1}) || !slices.Equal(cols, []int{0, 1, 0, 1}) {
		t.Errorf("3×3 at r=2: %v %v %v", segs, rows, cols)
	}
}

func TestMatrixViews(t *testing.T) {
	v, err := MatrixViews([]int{64, 32, 3, 3})
	if err != nil || v != (MatrixView{Count: 2048, Rows: 3, Cols: 3, Conv: true}) {
		t.Errorf("conv: %+v %v", v, err)
	}
	v, err = MatrixViews([]int{10, 128})
	if err != nil || v != (MatrixView{Count: 1, Rows: 10, Cols: 128}) {
		t.Errorf("dense: %+v %v", v, err)
	}
	if _, err := MatrixViews([]int{3, 3, 3}); err == nil {
		t.Error("rank 3: no error")
	}
}

func TestEntropy(t *testing.T) {
	for _, tc := range []struct {
		seg  []float64
		want float64
	}{
		{[]float64{1, 1, 1, 1}, math.Log(4)},
		{[]float64{-2, 2, 2, -2}, math.Log(4)},
		{[]float64{0, 0, 5, 0}, 0},
		{[]float64{0, 0, 0, 0}, 0},
		{[]float64{1, 3}, -(0.25*math.Log(0.25) + 0.75*math.Log(0.75))},
	} {
		if got := Entropy(tc.seg); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("Entropy(%v) = %v, want %v", tc.seg, got, tc.want)
		}
	}
	b := Binning{Lo: 0, Hi: 4, Bins: 4}
	if got := b.Entropy([]float64{0.5, 1.5, 2.5, 3.5}); math.Abs(got-math.Log(4)) > 1e-12 {
		t.Errorf("histogram entropy of 4 bins = %v, want ln 4", got)
	}
	if got := b.Entropy([]float64{2, 2, 2, 2}); got != 0 {
		t.Errorf("histogram entropy of a constant = %v, want 0", got)
	}
}

func randomLayer(shape []int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 1))
	n := 1
	for _, d := range shape {
		n *= d
	}
	w := make([]float32, n)
	for i := range w {
		w[i] = float32(rng.NormFloat64())
		if i%17 == 0 {
			w[i] = 0 // zeros exercise 0·ln 0 and the mask
		}
	}
	return w
}

// TestLayerSegmentsMatchesReference checks the fused kernel and the
// reference path against Segment + SegmentFD + Entropy, segment by segment,
// with the documented order and IDs.
func TestLayerSegmentsMatchesReference(t *testing.T) {
	for _, tc := range []struct {
		shape []int
		r     int
	}{
		{[]int{4, 3, 3, 3}, 2},
		{[]int{2, 2, 5, 7}, 2},
		{[]int{37, 50}, 2},
		{[]int{20, 131}, 2}, // the float32 kernel, then a tail and an overlapping last segment
		{[]int{37, 50}, 3},
		{[]int{64, 64}, 8},
		{[]int{40, 45}, 6},
		{[]int{33, 70}, 16},
		{[]int{31, 29}, 13},
		{[]int{150, 130}, 4}, // table of fits
		{[]int{600, 602}, 8}, // table of fits, a last segment off the groups
		{[]int{130, 140}, 64},
		{[]int{141, 150}, 70},
	} {
		w := randomLayer(tc.shape, uint64(tc.r))
		view, _ := MatrixViews(tc.shape)
		w64 := make([]float64, len(w))
		for i, v := range w {
			w64[i] = float64(v)
		}
		tau := Quantile(w64, DefaultQuantile)
		for _, method := range Methods() {
			for _, workers := range []int{1, 3} {
				lr, err := LayerSegments(w, tc.shape, tc.r, LayerOptions{Name: "L", Method: method, Workers: workers})
				if err != nil {
					t.Fatal(err)
				}
				if math.Abs(float64(lr.Threshold)-tau) > 1e-6*tau {
					t.Fatalf("%v: threshold %v, want %v", tc.shape, lr.Threshold, tau)
				}
				per := view.Rows * view.Cols
				idx := 0
				for mat := range view.Count {
					segs, rows, cols := Segment(w64[mat*per:(mat+1)*per], view.Rows, view.Cols, tc.r)
					for s := range rows {
						seg := segs[s*tc.r*tc.r : (s+1)*tc.r*tc.r]
						d, r2, _ := SegmentFD(seg, tc.r, method, float64(lr.Threshold))
						h := Entropy(seg)
						id := lr.Segment(idx)
						wantID := SegmentID{Neuron: rows[s], Row: rows[s], Col: cols[s]}
						if view.Conv {
							wantID = SegmentID{Neuron: mat / tc.shape[1], Channel: mat % tc.shape[1], Row: rows[s], Col: cols[s]}
						}
						if id != wantID {
							t.Fatalf("%v segment %d: id %+v, want %+v", tc.shape, idx, id, wantID)
						}
						if math.Abs(float64(lr.FD[idx])-d) > 1e-5 || math.Abs(float64(lr.FDR2[idx])-r2) > 1e-5 ||
							math.Abs(float64(lr.H[idx])-h) > 1e-5 {
							t.Fatalf("%v r=%d %s segment %d: (FD %v, R² %v, H %v), want (%v, %v, %v)",
								tc.shape, tc.r, method, idx, lr.FD[idx], lr.FDR2[idx], lr.H[idx], d, r2, h)
						}
						idx++
					}
				}
				if idx != lr.Len() {
					t.Fatalf("%v: %d segments, want %d", tc.shape, lr.Len(), idx)
				}
			}
		}
	}
}

func TestLayerSegmentsHistogramEntropy(t *testing.T) {
	shape := []int{20, 30}
	w := randomLayer(shape, 3)
	lr, err := LayerSegments(w, shape, 4, LayerOptions{Entropy: EntropyHistogram, Bins: 8})
	if err != nil {
		t.Fatal(err)
	}
	w64 := make([]float64, len(w))
	for i, v := range w {
		w64[i] = float64(v)
	}
	b := Binning{Lo: float64(slices.Min(w)), Hi: float64(slices.Max(w)), Bins: 8}
	segs, _, _ := Segment(w64, 20, 30, 4)
	for s := range lr.Len() {
		if want := b.Entropy(segs[s*16 : (s+1)*16]); math.Abs(float64(lr.H[s])-want) > 1e-6 {
			t.Fatalf("segment %d: H = %v, want %v", s, lr.H[s], want)
		}
	}
}

func TestLayerSegmentsErrors(t *testing.T) {
	w := randomLayer([]int{8, 4, 3, 3}, 1)
	w[5*9+4] = float32(math.NaN()) // kernel (out 1, in 1), element (1, 1)
	_, err := LayerSegments(w, []int{8, 4, 3, 3}, 2, LayerOptions{Name: "conv2"})
	if err == nil {
		t.Fatal("NaN weight: no error")
	}
	for _, part := range []string{"conv2", "NaN", "out 1, in 1", "(1, 1)", "segment 20"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("NaN error %q does not name %q", err, part)
		}
	}
	w = randomLayer([]int{10, 128}, 1)
	w[3*128+77] = float32(math.Inf(-1))
	if _, err = LayerSegments(w, []int{10, 128}, 2, LayerOptions{Name: "fc2"}); err == nil ||
		!strings.Contains(err.Error(), "fc2") || !strings.Contains(err.Error(), "(3, 77)") {
		t.Errorf("Inf error: %v", err)
	}
	_, err = LayerSegments(make([]float32, 1280), []int{10, 128}, 7, LayerOptions{Name: "fc2"})
	if err == nil || !strings.Contains(err.Error(), "2..5") {
		t.Errorf("bad r: %v", err)
	}
	if _, err = LayerSegments(make([]float32, 1280), []int{10, 128}, 2, LayerOptions{Name: "fc2", Entropy: 7}); err == nil ||
		!strings.Contains(err.Error(), "fc2: unknown entropy kind 7") {
		t.Errorf("unknown entropy kind: error %v", err)
	}
	if _, err = LayerSegments(make([]float32, 10), []int{10}, 2, LayerOptions{}); err == nil {
		t.Error("rank 1: no error")
	}
}

// TestOriginsAllSizes checks the segment origins for every n in [3, 300] and
// every r ≤ n: ⌈n/r⌉ of them, r apart, the last one ending at the edge, so
// that the segments cover [0, n) with overlap only at the end. With Segment
// taking rows × cols of these origins, the count of segments of every n×m in
// [3, 300]² is ⌈n/r⌉·⌈m/r⌉.
func TestOriginsAllSizes(t *testing.T) {
	for n := 3; n <= 300; n++ {
		for r := 1; r <= n; r++ {
			o := Origins(n, r)
			q := (n + r - 1) / r
			if len(o) != q || o[q-1] != n-r {
				t.Fatalf("Origins(%d, %d) = %v", n, r, o)
			}
			for i := 0; i+1 < q; i++ {
				if o[i] != i*r || (i+2 < q && o[i+1]-o[i] != r) || o[i+1] > o[i]+r {
					t.Fatalf("Origins(%d, %d) = %v: gap or misplaced origin", n, r, o)
				}
			}
		}
	}
}
