package attractor

import "math"

// kdTree is a static k-d tree over n points of dimension d stored row-major,
// searched in the Euclidean norm. Nodes split at the median of the widest
// coordinate; leaves hold up to leafSize points. Distances are handled
// squared inside; no square root is taken in a search.
type kdTree struct {
	d     int
	pts   []float64 // permuted copy of the points, row-major
	idx   []int     // idx[k] is the original index of pts row k
	nodes []kdNode
}

type kdNode struct {
	lo, hi      int     // rows [lo, hi) of pts
	dim         int     // split coordinate, -1 for a leaf
	split       float64 // split value
	left, right int     // child node indices
	box         []float64
}

const leafSize = 12

// kdMaxWidth is the widest point set that is split into a tree. Beyond it
// a k-d tree prunes nothing (every leaf is visited) while each node costs
// a 2·d-value bounding box and a box distance per visit, so wider point
// sets are one leaf, searched exhaustively: the same answers at the cost
// of the distances alone.
const kdMaxWidth = 32

// newKDTree builds a tree over pts (n×d, row-major). It copies pts.
func newKDTree(pts []float64, d int) *kdTree {
	n := len(pts) / d
	t := &kdTree{d: d, idx: make([]int, n)}
	for i := range t.idx {
		t.idx[i] = i
	}
	t.build(pts, 0, n)
	t.pts = make([]float64, len(pts))
	for k, i := range t.idx {
		copy(t.pts[k*d:(k+1)*d], pts[i*d:(i+1)*d])
	}
	return t
}

// build creates the node for idx[lo:hi] and returns its index.
func (t *kdTree) build(pts []float64, lo, hi int) int {
	d := t.d
	box := make([]float64, 2*d) // min then max per coordinate
	for j := 0; j < d; j++ {
		box[j], box[d+j] = math.Inf(1), math.Inf(-1)
	}
	for _, i := range t.idx[lo:hi] {
		for j := 0; j < d; j++ {
			v := pts[i*d+j]
			box[j] = math.Min(box[j], v)
			box[d+j] = math.Max(box[d+j], v)
		}
	}
	id := len(t.nodes)
	t.nodes = append(t.nodes, kdNode{lo: lo, hi: hi, dim: -1, box: box})
	if hi-lo <= leafSize || d > kdMaxWidth {
		return id
	}
	dim, width := 0, -1.0
	for j := 0; j < d; j++ {
		if w := box[d+j] - box[j]; w > width {
			dim, width = j, w
		}
	}
	if width == 0 {
		return id // all points equal: keep as a leaf
	}
	mid := (lo + hi) / 2
	selectNth(t.idx[lo:hi], mid-lo, func(i int) float64 { return pts[i*d+dim] })
	split := pts[t.idx[mid]*d+dim]
	left := t.build(pts, lo, mid)
	right := t.build(pts, mid, hi)
	t.nodes[id].dim, t.nodes[id].split = dim, split
	t.nodes[id].left, t.nodes[id].right = left, right
	return id
}

// dist2 returns the squared distance between row k of the tree and q.
func (t *kdTree) dist2(k int, q []float64) float64 {
	p := t.pts[k*t.d : (k+1)*t.d]
	s := 0.0
	for j, v := range p {
		e := v - q[j]
		s += e * e
	}
	return s
}

// boxDist2 is the squared distance from q to the bounding box of node n.
func (t *kdTree) boxDist2(n *kdNode, q []float64) float64 {
	d := t.d
	s := 0.0
	for j, v := range q {
		if v < n.box[j] {
			e := n.box[j] - v
			s += e * e
		} else if v > n.box[d+j] {
			e := v - n.box[d+j]
			s += e * e
		}
	}
	return s
}

// nearest returns the original index of the point nearest to q among those
// for which skip returns false, and its squared distance; -1 if there is
// none. Points at distance zero are skipped when positive is true.
func (t *kdTree) nearest(q []float64, skip func(i int) bool, positive bool) (int, float64) {
	best, bestD := -1, math.Inf(1)
	var visit func(id int)
	visit = func(id int) {
		n := &t.nodes[id]
		if t.boxDist2(n, q) >= bestD {
			return
		}
		if n.dim < 0 {
			for k := n.lo; k < n.hi; k++ {
				i := t.idx[k]
				if skip(i) {
					continue
				}
				dk := t.dist2(k, q)
				if dk < bestD && (!positive || dk > 0) {
					best, bestD = i, dk
				}
			}
			return
		}
		first, second := n.left, n.right
		if q[n.dim] >= n.split {
			first, second = second, first
		}
		visit(first)
		visit(second)
	}
	visit(0)
	return best, bestD
}

// within calls fn(i, d2) for every point at squared distance d2 ≤ r2 from q.
func (t *kdTree) within(q []float64, r2 float64, fn func(i int, d2 float64)) {
	var visit func(id int)
	visit = func(id int) {
		n := &t.nodes[id]
		if t.boxDist2(n, q) > r2 {
			return
		}
		if n.dim < 0 {
			for k := n.lo; k < n.hi; k++ {
				if dk := t.dist2(k, q); dk <= r2 {
					fn(t.idx[k], dk)
				}
			}
			return
		}
		visit(n.left)
		visit(n.right)
	}
	visit(0)
}

// selectNth reorders idx so that idx[k] holds the element of rank k by key,
// with no larger key before it and no smaller key after it (Hoare's
// quickselect, median-of-three pivots; expected linear time).
func selectNth(idx []int, k int, key func(i int) float64) {
	lo, hi := 0, len(idx)-1
	for lo < hi {
		mid := (lo + hi) / 2
		a, b, c := key(idx[lo]), key(idx[mid]), key(idx[hi])
		pivot := max(min(a, b), min(max(a, b), c))
		i, j := lo, hi
		for i <= j {
			for key(idx[i]) < pivot {
				i++
			}
			for key(idx[j]) > pivot {
				j--
			}
			if i <= j {
				idx[i], idx[j] = idx[j], idx[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return
		}
	}
}
