package null

import (
	"math"
	"slices"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/fractal"
)

// TestSampleSegmentsSeededAndCovering: the segment sample of fc1 of the
// paper CNN at r = 2 (128×50176, 1,605,632 segments) is the same for a
// seed and another for another seed; its segments are distinct, whole r×r
// segments of the matrix, and spread over all of it: each of the 64 bands
// of rows and each tenth of the columns holds its share of the sample
// within 15% (a leading block would hold two bands and a third of the
// columns).
func TestSampleSegmentsSeededAndCovering(t *testing.T) {
	v := View{Count: 1, Rows: 128, Cols: 50176}
	s, err := SampleSegments(v, 2, 1<<16, 1)
	if err != nil {
		t.Fatal(err)
	}
	if s.Segments != 256*256 || s.Total != 64*25088 || s.Rows != 512 || s.Cols != 512 || s.D != len(s.Pos) {
		t.Fatalf("sample of %d of %d segments as a %d×%d grid, %d distinct of %d positions", s.Segments, s.Total, s.Rows, s.Cols, s.D, len(s.Pos))
	}
	again, _ := SampleSegments(v, 2, 1<<16, 1)
	other, _ := SampleSegments(v, 2, 1<<16, 2)
	if !slices.Equal(s.Pos, again.Pos) || slices.Equal(s.Pos, other.Pos) {
		t.Fatal("the sample is not a function of its seed")
	}
	bands, tenths := make([]int, 64), make([]int, 10)
	seen := map[int32]bool{}
	for c := range s.Segments {
		gi, gj := (c/256)*2, (c%256)*2
		p := s.Pos[gi*s.Cols+gj]
		for x := range 2 {
			for y := range 2 {
				if s.Pos[(gi+x)*s.Cols+gj+y] != p+int32(x*v.Cols+y) {
					t.Fatalf("grid cell %d is not an r×r segment of the matrix", c)
				}
			}
		}
		row, col := int(p)/v.Cols, int(p)%v.Cols
		if row%2 != 0 || col%2 != 0 || seen[p] {
			t.Fatalf("segment %d at (%d,%d): not an origin, or drawn twice", c, row, col)
		}
		seen[p] = true
		bands[row/2]++
		tenths[col*10/v.Cols]++
	}
	for b, n := range bands {
		if math.Abs(float64(n)-1024) > 0.15*1024 {
			t.Errorf("band %d holds %d sampled segments, want about 1024", b, n)
		}
	}
	for k, n := range tenths {
		if math.Abs(float64(n)-6553.6) > 0.15*6553.6 {
			t.Errorf("columns tenth %d hold %d sampled segments, want about 6554", k, n)
		}
	}
	// A stack of kernels: every quarter of the stack is sampled.
	c, err := SampleSegments(View{Count: 2048, Rows: 3, Cols: 3}, 2, 1024, 7)
	if err != nil {
		t.Fatal(err)
	}
	quarters := make([]int, 4)
	for e := 0; e < len(c.Pos); e += 4 { // the first element of each grid row pair is enough
		quarters[int(c.Pos[e])/9*4/2048]++
	}
	for q, n := range quarters {
		if n == 0 {
			t.Errorf("quarter %d of the kernel stack is never sampled", q)
		}
	}
}

// TestSegmentTestSamplesTheWholeMatrix: a 512×4096 matrix (524,288
// segments at r = 2) whose first 16 rows are a smooth ramp and the rest
// iid: the sampled observed mean segment FD is the whole matrix's within
// 0.01 (the leading block, all ramp, is far from it), the tests report
// SampleSize(2) = 16384 segments, and the permutation nulls match the whole
// matrix's shuffled value.
func TestSegmentTestSamplesTheWholeMatrix(t *testing.T) {
	v := View{Count: 1, Rows: 512, Cols: 4096}
	w := make([]float32, v.Len())
	rng := RNG(5, Gauss, 0)
	for i := range w {
		if i/v.Cols < 16 {
			w[i] = float32(i%v.Cols) / 4096
		} else {
			w[i] = float32(rng.NormFloat64())
		}
	}
	full, err := fractal.LayerSegments(w, []int{512, 4096}, 2, fractal.LayerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	whole := finiteMean(full.FD)
	lead := finiteMean(full.FD[:2*2048]) // two bands of segments
	res, segs, err := SegmentTest(w, v, 2, fractal.MethodBoxCount, float64(full.Threshold), []float64{whole, finiteMean(full.H)}, Options{Draws: 3, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	if segs != SampleSize(2) || segs != 128*128 {
		t.Fatalf("%d segments per draw, want %d", segs, 128*128)
	}
	obs := res[0][0].Observed
	if math.Abs(obs-whole) > 0.01 || math.Abs(lead-whole) < 0.05 {
		t.Errorf("sampled observed FD %.4f, whole %.4f, leading block %.4f", obs, whole, lead)
	}
	shuffled := make([]float32, len(w))
	ElementPermutation(shuffled, w, RNG(1, Perm, 0))
	sh, _ := fractal.LayerSegments(shuffled, []int{512, 4096}, 2, fractal.LayerOptions{Threshold: float64(full.Threshold)})
	if m := res[0][0].Mean; math.Abs(m-finiteMean(sh.FD)) > 0.01 {
		t.Errorf("perm null mean %.4f, a whole shuffled matrix %.4f", m, finiteMean(sh.FD))
	}
	again, _, _ := SegmentTest(w, v, 2, fractal.MethodBoxCount, float64(full.Threshold), []float64{whole, 0}, Options{Draws: 3, Seed: 9})
	if again[0][2].Mean != res[0][2].Mean || again[1][1].Mean != res[1][1].Mean {
		t.Error("the same seed gave different nulls")
	}
}
