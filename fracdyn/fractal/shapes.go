package fractal

// Exact fractals with known dimensions, as 0/1 matrices: positive controls
// for the estimators (notebook 02, the tests).

// SierpinskiCarpet returns the level-l Sierpinski carpet as a row-major
// n×n 0/1 matrix, n = 3^l: cell (i, j) is off where some base-3 digit
// pair of i and j is (1, 1). Its dimension is ln 8/ln 3 ≈ 1.8928 on box
// sizes PowersOf(3, n/3).
func SierpinskiCarpet(level int) (w []float64, n int) {
	n = 1
	for range level {
		n *= 3
	}
	w = make([]float64, n*n)
	for i := range n {
		for j := range n {
			on := 1.0
			for a, b := i, j; a > 0 || b > 0; a, b = a/3, b/3 {
				if a%3 == 1 && b%3 == 1 {
					on = 0
					break
				}
			}
			w[i*n+j] = on
		}
	}
	return w, n
}

// SierpinskiTriangle returns the Sierpinski triangle as a row-major n×n
// 0/1 matrix: Pascal's triangle mod 2, cell (i, j) on where i&j = 0. For n
// a power of 2 its dimension is ln 3/ln 2 ≈ 1.5850 on box sizes 1, 2, 4, ….
func SierpinskiTriangle(n int) []float64 {
	w := make([]float64, n*n)
	for i := range n {
		for j := range n {
			if i&j == 0 {
				w[i*n+j] = 1
			}
		}
	}
	return w
}
