package fractal

import (
	"fmt"
)

// Origins returns the start indices of the r-long segments that cover
// [0, n): 0, r, 2r, ... and, where r does not divide n, a last segment shifted
// back to start at n-r so that it ends at the edge and overlaps its
// neighbour (the paper's footnote to eq. 1). There are ⌈n/r⌉ origins.
// It panics unless 1 <= r <= n.
func Origins(n, r int) []int {
	if r < 1 || r > n {
		panic("fractal.Origins: need 1 <= r <= n")
	}
	q := (n + r - 1) / r
	o := make([]int, q)
	for i := range o {
		o[i] = i * r
	}
	o[q-1] = n - r
	return o
}

// ValidScales returns the scales r at which an n×m matrix is segmented, in
// increasing order.
//
// The paper (section 2) bounds r by the parity of the matrix sides, in four
// cases (paraphrased):
//
//	n, m both even:        2 ≤ r ≤ min(n, m)/2
//	n even, m odd:         2 ≤ r ≤ min(n, m−1)/2
//	n odd,  m even:        2 ≤ r ≤ min(n−1, m)/2
//	n, m both odd:         2 ≤ r ≤ min(n−1, m−1)/2
//
// All four are the single rule 2 ≤ r ≤ ⌊min(n, m)/2⌋: at least two segments
// fit along the shorter side. Read literally, they leave a 3×3 kernel with
// no scale at all (⌊3/2⌋ = 1), yet the paper segments its 3×3 conv kernels
// at r = 2 into four overlapping segments. ValidScales follows the paper's
// practice: where the rule gives nothing and min(n, m) = 3, it returns [2]
// (two overlapping segments per side, by the overlap rule of Origins).
// Matrices with a side shorter than 3 have no valid scale (nil).
func ValidScales(n, m int) []int {
	lo, hi := ScaleRange(n, m)
	if hi < lo {
		return nil
	}
	rs := make([]int, 0, hi-lo+1)
	for r := lo; r <= hi; r++ {
		rs = append(rs, r)
	}
	return rs
}

// ScaleRange returns the bounds of ValidScales(n, m): lo = 2 and
// hi = ⌊min(n,m)/2⌋, or hi = 2 for min(n,m) = 3. hi < lo when there is none.
func ScaleRange(n, m int) (lo, hi int) {
	s := min(n, m)
	if s == 3 {
		return 2, 2
	}
	return 2, s / 2
}

// CheckScale returns an error that names the valid range unless r is a valid
// scale of an n×m matrix.
func CheckScale(n, m, r int) error {
	lo, hi := ScaleRange(n, m)
	if hi < lo {
		return fmt.Errorf("a %d×%d matrix has no valid scale (the shorter side must be at least 3)", n, m)
	}
	if r < lo || r > hi {
		return fmt.Errorf("scale r=%d out of range for a %d×%d matrix: valid r is %d..%d", r, n, m, lo, hi)
	}
	return nil
}

// SegmentCount returns Q = ⌈n/r⌉·⌈m/r⌉, the number of r×r segments of an n×m
// matrix.
func SegmentCount(n, m, r int) int {
	return ((n + r - 1) / r) * ((m + r - 1) / r)
}

// Segment cuts the row-major n×m matrix w into its r×r segments by the
// paper's eq. (1): segment (i, j) holds w[rows[i]+a, cols[j]+b] for
// 0 ≤ a, b < r, with origins from Origins (the last segment along a side is
// shifted back to end at the edge). Segments are returned as one row-major
// tensor [Q, r, r] in row-major origin order, with the row and column origin
// of each segment. It panics unless 1 ≤ r ≤ min(n, m) and len(w) = n·m.
func Segment(w []float64, n, m, r int) (segs []float64, rows, cols []int) {
	return segment(w, n, m, r)
}

// Segment32 is Segment for float32 matrices.
func Segment32(w []float32, n, m, r int) (segs []float32, rows, cols []int) {
	return segment(w, n, m, r)
}

func segment[T float32 | float64](w []T, n, m, r int) (segs []T, rows, cols []int) {
	if len(w) != n*m {
		panic(fmt.Sprintf("fractal.Segment: len(w)=%d, want %d×%d", len(w), n, m))
	}
	ro, co := Origins(n, r), Origins(m, r)
	q := len(ro) * len(co)
	segs = make([]T, 0, q*r*r)
	rows = make([]int, 0, q)
	cols = make([]int, 0, q)
	for _, i0 := range ro {
		for _, j0 := range co {
			rows = append(rows, i0)
			cols = append(cols, j0)
			for a := range r {
				segs = append(segs, w[(i0+a)*m+j0:(i0+a)*m+j0+r]...)
			}
		}
	}
	return segs, rows, cols
}

// MatrixView says how a weight tensor is read as 2-D matrices.
type MatrixView struct {
	Count      int // number of matrices
	Rows, Cols int // each is Rows×Cols, row-major, consecutive in memory
	Conv       bool
}

// MatrixViews maps a weight tensor in PyTorch layout to the 2-D matrices that
// are segmented, as the paper does:
//
//   - conv [out, in, kh, kw]: out·in kernel matrices kh×kw, matrix k·in+c
//     being the kernel from input channel c to output channel k;
//   - dense [out, in]: one out×in matrix (row i holds the weights into output
//     neuron i).
//
// Other ranks are an error.
func MatrixViews(shape []int) (MatrixView, error) {
	for _, d := range shape {
		if d <= 0 {
			return MatrixView{}, fmt.Errorf("weight shape %v has an empty dimension", shape)
		}
	}
	switch len(shape) {
	case 2:
		return MatrixView{Count: 1, Rows: shape[0], Cols: shape[1]}, nil
	case 4:
		return MatrixView{Count: shape[0] * shape[1], Rows: shape[2], Cols: shape[3], Conv: true}, nil
	}
	return MatrixView{}, fmt.Errorf("weight shape %v: want a dense [out,in] or conv [out,in,kh,kw] tensor", shape)
}
