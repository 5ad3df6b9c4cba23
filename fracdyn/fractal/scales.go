package fractal

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

// ValidScales returns the scales r the paper allows for an n×m matrix, in
// increasing order: 2 <= r <= ⌊min(n,m)/2⌋. Provisional; see the paper's
// four cases.
func ValidScales(n, m int) []int {
	hi := min(n, m) / 2
	var rs []int
	for r := 2; r <= hi; r++ {
		rs = append(rs, r)
	}
	return rs
}
