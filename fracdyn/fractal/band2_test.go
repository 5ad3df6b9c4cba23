package fractal

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/fractal/internal/kernels"
)

// TestBand2KernelMatchesGo holds kernels.Band2Band (the float32 AVX2 kernel where
// the CPU has it) to kernels.Band2Go (float64) on rows with zeros, ties at the
// threshold and every width mod 16: the same FD and R², H within 2e-6.
func TestBand2KernelMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 11))
	for _, m := range []int{2, 15, 16, 17, 33, 64, 255, 1000} {
		for _, paper := range []bool{false, true} {
			mat := make([]float32, 2*m)
			for i := range mat {
				mat[i] = float32(rng.NormFloat64() * 0.02)
				switch i % 13 {
				case 0:
					mat[i] = 0
				case 5:
					mat[i] = 0.01 // exactly the threshold below
				}
			}
			tauBits := uint64(math.Float32bits(0.01))
			l := &LayerResult{R: 2, View: MatrixView{Rows: 2, Cols: m}, ColOrigins: Origins(m, 2)}
			n := len(l.ColOrigins)
			fd, fr2, h := make([]float32, n), make([]float32, n), make([]float32, n)
			l.bands().Band2Band(mat, 0, fd, fr2, h, tauBits, paper)
			wfd, wfr2, wh := make([]float32, n), make([]float32, n), make([]float32, n)
			kernels.Band2Go(mat[:m], mat[m:], l.ColOrigins, wfd, wfr2, wh, tauBits, paper)
			for b := range n {
				if fd[b] != wfd[b] || fr2[b] != wfr2[b] || math.Abs(float64(h[b]-wh[b])) > 2e-6 {
					t.Fatalf("m=%d paper=%v segment %d: (%v, %v, %v), float64 (%v, %v, %v)",
						m, paper, b, fd[b], fr2[b], h[b], wfd[b], wfr2[b], wh[b])
				}
			}
		}
	}
}

// TestLayerSegmentsR2Scales checks r = 2 on layers of tiny and huge weights
// (where the float32 kernel hands the band to float64) and mixed ones:
// entropies and dimensions do not depend on the scale of the weights.
func TestLayerSegmentsR2Scales(t *testing.T) {
	shape := []int{6, 40}
	base := randomLayer(shape, 5)
	ref, err := LayerSegments(base, shape, 2, LayerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, scale := range []float64{1e-38, 1e-33, 1e-20, 1e20, 1e33, 1e36} {
		t.Run(fmt.Sprint(scale), func(t *testing.T) {
			w := make([]float32, len(base))
			for i, v := range base {
				w[i] = float32(float64(v) * scale)
			}
			lr, err := LayerSegments(w, shape, 2, LayerOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for i := range lr.H {
				// Subnormal weights (scale 1e-38) keep fewer digits.
				tol := 1e-5
				if scale < 1e-37 {
					tol = 1e-2
				}
				if lr.FD[i] != ref.FD[i] || math.Abs(float64(lr.H[i]-ref.H[i])) > tol {
					t.Fatalf("segment %d: (FD %v, H %v) at scale %g, (%v, %v) at 1", i, lr.FD[i], lr.H[i], scale, ref.FD[i], ref.H[i])
				}
			}
		})
	}
}

// TestEntropySkip checks that EntropySkip leaves the dimensions alone, zeroes
// H for the per-segment methods and keeps the fused kernels' H.
func TestEntropySkip(t *testing.T) {
	shape := []int{8, 3, 3, 3}
	w := randomLayer(shape, 9)
	for _, m := range Methods() {
		full, err := LayerSegments(w, shape, 2, LayerOptions{Method: m})
		if err != nil {
			t.Fatal(err)
		}
		skip, err := LayerSegments(w, shape, 2, LayerOptions{Method: m, Entropy: EntropySkip})
		if err != nil {
			t.Fatal(err)
		}
		fused := m == MethodBoxCount || m == MethodPaper
		for i := range full.FD {
			wantH := float32(0)
			if fused {
				wantH = full.H[i]
			}
			if skip.FD[i] != full.FD[i] || skip.FDR2[i] != full.FDR2[i] || skip.H[i] != wantH {
				t.Fatalf("%s segment %d: skip (%v, %v, H %v), full (%v, %v, H %v)", m, i,
					skip.FD[i], skip.FDR2[i], skip.H[i], full.FD[i], full.FDR2[i], full.H[i])
			}
		}
	}
}

// TestSurface2MatchesSegmentFD holds the allocation-free 2×2 path of dbc and
// the variogram to SegmentFD, bit for bit, on random, tied, constant and
// zero segments.
func TestSurface2MatchesSegmentFD(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 15))
	segs := [][4]float64{{0, 0, 0, 0}, {1, 1, 1, 1}, {1, 1, 1, 2}, {-3, 0, 0, 3}, {0.1, 0.1, 0.2, 0.2}, {1, 2, 2, 1}}
	for range 20000 {
		var s [4]float64
		for i := range s {
			s[i] = float64(float32(rng.NormFloat64() * 0.02))
			if rng.IntN(7) == 0 {
				s[i] = s[max(i-1, 0)]
			}
		}
		segs = append(segs, s)
	}
	for _, m := range []Method{MethodDBC, MethodVariogram} {
		for _, s := range segs {
			want, wantR2, err := SegmentFD(s[:], 2, m, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got, gotR2 := surface2(m, s[0], s[1], s[2], s[3]); got != want || gotR2 != wantR2 {
				t.Fatalf("%s %v: (%v, %v), SegmentFD (%v, %v)", m, s, got, gotR2, want, wantR2)
			}
		}
	}
}
