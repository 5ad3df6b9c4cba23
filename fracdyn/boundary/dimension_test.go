package boundary

import (
	"math"
	"testing"
)

// raster is an n×n mask with the segments of a polyline drawn in unit
// coordinates [0, 1]², sampled densely enough to leave no gaps.
func raster(n int, pts [][2]float64) []bool {
	mask := make([]bool, n*n)
	for k := 0; k+1 < len(pts); k++ {
		a, b := pts[k], pts[k+1]
		steps := int(4*float64(n)*math.Hypot(b[0]-a[0], b[1]-a[1])) + 1
		for s := 0; s <= steps; s++ {
			f := float64(s) / float64(steps)
			x, y := a[0]+f*(b[0]-a[0]), a[1]+f*(b[1]-a[1])
			i, j := min(n-1, int(y*float64(n))), min(n-1, int(x*float64(n)))
			mask[i*n+j] = true
		}
	}
	return mask
}

// koch returns the points of a Koch curve of the given depth from (0, y0)
// to (1, y0).
func koch(depth int, y0 float64) [][2]float64 {
	pts := [][2]float64{{0, y0}, {1, y0}}
	for range depth {
		var next [][2]float64
		for k := 0; k+1 < len(pts); k++ {
			a, b := pts[k], pts[k+1]
			dx, dy := (b[0]-a[0])/3, (b[1]-a[1])/3
			p1 := [2]float64{a[0] + dx, a[1] + dy}
			p3 := [2]float64{a[0] + 2*dx, a[1] + 2*dy}
			// p2: the apex, p1 + (dx, dy) rotated by 60°.
			c, s := 0.5, math.Sqrt(3)/2
			p2 := [2]float64{p1[0] + c*dx - s*dy, p1[1] + s*dx + c*dy}
			next = append(next, a, p1, p2, p3)
		}
		pts = append(next, pts[len(pts)-1])
	}
	return pts
}

// TestDimensionKnownCurves checks the boundary's box counting on curves of
// known dimension: a straight line and a circle (1) and a Koch curve
// (log 4/log 3 ≈ 1.2619), rasterised at 1024×1024.
func TestDimensionKnownCurves(t *testing.T) {
	const n = 1024
	circle := make([][2]float64, 0, 2001)
	for k := 0; k <= 2000; k++ {
		a := 2 * math.Pi * float64(k) / 2000
		circle = append(circle, [2]float64{0.5 + 0.4*math.Cos(a), 0.5 + 0.4*math.Sin(a)})
	}
	tests := []struct {
		name string
		pts  [][2]float64
		want float64
		tol  float64
	}{
		{"diagonal line", [][2]float64{{0.05, 0.1}, {0.95, 0.8}}, 1, 0.04},
		{"circle", circle, 1, 0.03},
		{"Koch curve", koch(7, 0.2), math.Log(4) / math.Log(3), 0.05},
	}
	for _, tc := range tests {
		fit, err := Dimension(raster(n, tc.pts), n, n)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(fit.Dimension-tc.want) > tc.tol {
			t.Errorf("%s: D = %.4f (R² %.4f), want %.4f ± %.2f", tc.name, fit.Dimension, fit.R2, tc.want, tc.tol)
		}
		t.Logf("%s: D = %.4f, R² = %.4f, sizes %v", tc.name, fit.Dimension, fit.R2, fit.Sizes)
	}
}

// TestMaskOfSmoothScores: the boundary mask of a score grid split by a
// smooth curve has dimension 1.
func TestMaskOfSmoothScores(t *testing.T) {
	const n = 257
	scores := make([]float64, n*n)
	for i := range n {
		for j := range n {
			x, y := float64(j)/(n-1), float64(i)/(n-1)
			scores[i*n+j] = y - 0.3 - 0.2*math.Sin(3*x) // diverged above the curve
		}
	}
	mask, err := Mask(scores, n, n)
	if err != nil {
		t.Fatal(err)
	}
	fit, err := Dimension(mask, n-1, n-1)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(fit.Dimension-1) > 0.03 {
		t.Errorf("smooth boundary: D = %.4f, want 1 ± 0.03", fit.Dimension)
	}
}
