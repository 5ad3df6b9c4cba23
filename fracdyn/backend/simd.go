package backend

import "github.com/gomlx/gomlx/backends"

// Vector forms of the float32 elementwise kernels: AVX2 loops where the
// CPU has them (useAVX2), for contiguous or broadcast-scalar operands;
// each function reports whether it did the work, and callers fall back to
// their scalar loops when not.

// tanh32's constants, read by tanhAVX.
var (
	tanhHi, tanhLo                                   float32 = 9, -9
	tanhA13, tanhA11, tanhA9, tanhA7, tanhA5, tanhA3 float32 = -2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11, 5.12229709037114e-08, 1.48572235717979e-05, 6.37261928875436e-04
	tanhA1, tanhB6, tanhB4, tanhB2, tanhB0           float32 = 4.89352455891786e-03, 1.19825839466702e-06, 1.18534705686654e-04, 2.26843463243900e-03, 4.89352518554385e-03
)

// vecOp returns the index of op in the vector loops' tables, or −1.
func vecOp(op backends.OpType) int {
	switch op {
	case backends.OpTypeAdd:
		return 0
	case backends.OpTypeSub:
		return 1
	case backends.OpTypeMul:
		return 2
	case backends.OpTypeDiv:
		return 3
	}
	return -1
}

// vecBinary sets d[j] = a[j·sa] op b[j·sb] for j < len(d), where each of
// sa, sb is 0 (a repeated scalar) or 1 (contiguous), not both 0.
func vecBinary(op backends.OpType, d, a, b []float32, sa, sb int) bool {
	k := vecOp(op)
	n := len(d)
	if !useAVX2 || k < 0 || n == 0 {
		return false
	}
	switch {
	case sa == 1 && sb == 1:
		_, _ = a[n-1], b[n-1]
		vvLoops[k](&d[0], &a[0], &b[0], n)
	case sa == 1 && sb == 0:
		_ = a[n-1]
		vsLoops[k](&d[0], &a[0], b[0], n)
	case sa == 0 && sb == 1:
		_ = b[n-1]
		svLoops[k](&d[0], a[0], &b[0], n)
	default:
		return false
	}
	return true
}

// vecRows sets, for i < rows and j < n, d[i·sd + j] = a[i·sa + j] op
// b[i·sb] if scalarB, else b[i·sb] op a[i·sa + j]: an op between rows and
// one value per row, in one call however short the rows.
func vecRows(op backends.OpType, d, a, b []float32, rows, n, sd, sa, sb int, scalarB bool) bool {
	k := vecOp(op)
	if !useAVX2 || k < 0 || rows == 0 || n == 0 || sd < n || sa < 0 || sb < 0 {
		return false
	}
	_, _, _ = d[(rows-1)*sd+n-1], a[(rows-1)*sa+n-1], b[(rows-1)*sb]
	loops := svRowLoops
	if scalarB {
		loops = vsRowLoops
	}
	loops[k](&d[0], &a[0], &b[0], rows, n, sd, sa, sb)
	return true
}

// vecRowSums adds to dst[i·sd] the sum of the n contiguous values from
// a[i·sa], for i < rows.
func vecRowSums(dst, a []float32, rows, n, sd, sa int) bool {
	if !useAVX2 || rows == 0 || n == 0 || sd < 0 || sa < 0 {
		return false
	}
	_, _ = dst[(rows-1)*sd], a[(rows-1)*sa+n-1]
	rowSumsAVX(&dst[0], &a[0], rows, n, sd, sa)
	return true
}

// vecTanh does tanh32 on the longest prefix of x of a multiple of 8
// values (16 at a time with AVX-512) and returns its length.
func vecTanh(dst, x []float32) int {
	n := len(x) &^ 7
	if !useAVX2 || n == 0 {
		return 0
	}
	_ = dst[n-1]
	done := 0
	if useAVX512 && n >= 16 {
		done = n &^ 15
		tanhAVX512(&dst[0], &x[0], done)
	}
	if done < n {
		tanhAVX(&dst[done], &x[done], n-done)
	}
	return n
}
