package attractor

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The tree's answers equal brute force on random points with ties.
func TestKDTreeMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n, d = 700, 3
	pts := make([]float64, n*d)
	for i := range pts {
		pts[i] = math.Round(rng.Float64()*20) / 4 // coarse grid: many ties
	}
	tree := newKDTree(pts, d)
	dist2 := func(i int, q []float64) float64 {
		s := 0.0
		for j := 0; j < d; j++ {
			e := pts[i*d+j] - q[j]
			s += e * e
		}
		return s
	}
	for i := 0; i < n; i += 7 {
		q := pts[i*d : (i+1)*d]
		skip := func(k int) bool { return abs(k-i) <= 5 }
		_, got := tree.nearest(q, skip, true)
		want := math.Inf(1)
		for k := 0; k < n; k++ {
			if dk := dist2(k, q); !skip(k) && dk > 0 && dk < want {
				want = dk
			}
		}
		if got != want {
			t.Fatalf("point %d: nearest squared distance %v, brute force %v", i, got, want)
		}
		r2 := 1.3
		cnt := 0
		tree.within(q, r2, func(int, float64) { cnt++ })
		wantCnt := 0
		for k := 0; k < n; k++ {
			if dist2(k, q) <= r2 {
				wantCnt++
			}
		}
		if cnt != wantCnt {
			t.Fatalf("point %d: %d points within, brute force %d", i, cnt, wantCnt)
		}
	}
}
