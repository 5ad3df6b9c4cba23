package segraph

import (
	"fmt"
	"slices"

	"github.com/fracdyn/fracdyn/fracdyn/fractal"
)

// Containment maps each segment of a layer at a fine scale to the segment
// of the same matrix at a coarse scale that contains it: the coarse segment
// whose row and column ranges overlap the fine one's most (ties go to the
// lower origin). Where the coarse scale divides evenly this is exact
// containment (a segment at r lies inside one at 2r when r | origins); the
// shifted last segments of eq. (1) make it the best overlap otherwise.
// Grouping fine segments by their parent gives the hyperedges that tie the
// scales together.
func Containment(fine, coarse *fractal.LayerResult) ([]int32, error) {
	if !slices.Equal(fine.Shape, coarse.Shape) {
		return nil, fmt.Errorf("segraph.Containment: layer shapes differ: %v and %v", fine.Shape, coarse.Shape)
	}
	if coarse.R < fine.R {
		return nil, fmt.Errorf("segraph.Containment: coarse scale %d is finer than %d", coarse.R, fine.R)
	}
	rowParent := bestOverlap(fine.RowOrigins, fine.R, coarse.RowOrigins, coarse.R)
	colParent := bestOverlap(fine.ColOrigins, fine.R, coarse.ColOrigins, coarse.R)
	fq, cq := fine.PerMatrix(), coarse.PerMatrix()
	fc, cc := len(fine.ColOrigins), len(coarse.ColOrigins)
	out := make([]int32, fine.Len())
	for s := range out {
		mat, in := s/fq, s%fq
		a, b := in/fc, in%fc
		out[s] = int32(mat*cq + rowParent[a]*cc + colParent[b])
	}
	return out, nil
}

// bestOverlap returns, for each fine interval [o, o+rf), the index of the
// coarse interval [p, p+rc) that overlaps it most, the lowest index among
// ties. coarse must be ascending and cover every fine interval (as the
// origins of fractal.Origins do): only the coarse intervals that overlap
// can win, and they are the run that starts at the first p with p+rc > o,
// found by binary search.
func bestOverlap(fine []int, rf int, coarse []int, rc int) []int {
	out := make([]int, len(fine))
	for i, o := range fine {
		first, _ := slices.BinarySearchFunc(coarse, o, func(p, o int) int {
			if p+rc > o {
				return 1
			}
			return -1
		})
		best, bestLen := first, -1
		for j := first; j < len(coarse) && coarse[j] < o+rf; j++ {
			if l := min(o+rf, coarse[j]+rc) - max(o, coarse[j]); l > bestLen {
				best, bestLen = j, l
			}
		}
		out[i] = best
	}
	return out
}
