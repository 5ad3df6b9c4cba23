package segraph

import (
	"fmt"

	"github.com/fracdyn/fracdyn/fracdyn/model"
)

// connect adds the edges between the segments of prev and of next, the
// layer it feeds. A segment of next reads some output units of prev: a
// conv kernel (out k, in c) reads prev's channel c; a dense segment whose
// columns span inputs [j, j+r) reads the prev units feeding those inputs
// (for a conv prev, the channels j/(H·W) of the flattened C,H,W output).
// It is joined to every segment of prev that belongs to one of those units:
// for a conv prev, every segment of the kernels of output channel c; for a
// dense prev, every segment whose rows cover one of the units. Each next
// segment thus meets one contiguous range of prev's segments.
func (g *Graph) connect(prev, next Layer, offPrev, offNext int, opts Options) error {
	ps, ns := prev.Segments, next.Segments
	prevUnits := 1
	for _, d := range prev.Info.OutShape {
		prevUnits *= d
	}
	want := prev.Info.OutShape[0]
	if next.Info.Kind == model.Dense {
		want = prevUnits
	}
	if next.Info.WeightShape[1] != want {
		return fmt.Errorf("segraph: %s has %d inputs but %s gives %d", next.Info.Name, next.Info.WeightShape[1], prev.Info.Name, want)
	}
	// rangeOf maps prev output units [uLo, uHi] to prev segments [lo, hi).
	rangeOf := func(uLo, uHi int) (int, int) {
		if prev.Info.Kind == model.Conv {
			per := prev.Info.WeightShape[1] * ps.PerMatrix()
			return uLo * per, (uHi + 1) * per
		}
		nc, r := len(ps.ColOrigins), ps.R
		a := 0
		for a < len(ps.RowOrigins)-1 && ps.RowOrigins[a]+r <= uLo {
			a++
		}
		b := a
		for b+1 < len(ps.RowOrigins) && ps.RowOrigins[b+1] <= uHi {
			b++
		}
		return a * nc, (b + 1) * nc
	}
	spatial := 1
	if prev.Info.Kind == model.Conv {
		spatial = prevUnits / prev.Info.OutShape[0]
	}
	ranges := make([][2]int32, ns.Len())
	before := len(g.Src)
	total := before
	for s := range ns.Len() {
		lo, hi := 0, ps.Len()
		if !opts.AllPairs {
			id := ns.Segment(s)
			if next.Info.Kind == model.Conv {
				lo, hi = rangeOf(id.Channel, id.Channel)
			} else {
				lo, hi = rangeOf(id.Col/spatial, (id.Col+ns.R-1)/spatial)
			}
		}
		ranges[s] = [2]int32{int32(lo), int32(hi)}
		total += hi - lo
		if total > opts.MaxEdges && !opts.SampleEdges {
			return fmt.Errorf("segraph: the graph of %v would have more than %d edges (at %s→%s); raise the scale r or the edge limit",
				g.Layers, opts.MaxEdges, prev.Info.Name, next.Info.Name)
		}
	}
	g.FullEdges += total - before
	stride := 1
	if total > opts.MaxEdges {
		var err error
		if stride, err = thinning(ranges, opts.MaxEdges-before); err != nil {
			return fmt.Errorf("segraph: %s→%s of the graph of %v: %w", prev.Info.Name, next.Info.Name, g.Layers, err)
		}
		total = before
		for _, rg := range ranges {
			total += kept(int(rg[1]-rg[0]), stride)
		}
	}
	g.Strides = append(g.Strides, stride)
	g.Src = append(make([]int32, 0, total), g.Src...)
	g.Dst = append(make([]int32, 0, total), g.Dst...)
	for s, rg := range ranges {
		n := rg[1] - rg[0]
		if n == 0 {
			continue
		}
		first := rg[0] + int32(s%stride)%n
		for p := first; p < rg[1]; p += int32(stride) {
			g.Src = append(g.Src, int32(offPrev)+p)
			g.Dst = append(g.Dst, int32(offNext+s))
		}
	}
	return nil
}

// kept bounds the edges a range of n predecessors keeps at stride k:
// ⌈n/k⌉ (connect keeps ⌈(n−o)/k⌉ ≥ 1 of them, from an offset o < n).
func kept(n, k int) int { return (n + k - 1) / k }

// thinning returns the smallest stride k ≥ 1 at which the ranges keep at
// most budget edges, or an error when even one edge per non-empty range
// (the largest useful stride) exceeds the budget.
func thinning(ranges [][2]int32, budget int) (int, error) {
	var total, nonEmpty, widest int
	for _, rg := range ranges {
		n := int(rg[1] - rg[0])
		total += n
		widest = max(widest, n)
		if n > 0 {
			nonEmpty++
		}
	}
	if nonEmpty > budget {
		return 0, fmt.Errorf("even one edge per segment (%d) exceeds the %d edges left under the edge limit; raise the scale r or the limit", nonEmpty, max(budget, 0))
	}
	count := func(k int) int {
		c := 0
		for _, rg := range ranges {
			c += kept(int(rg[1]-rg[0]), k)
		}
		return c
	}
	lo, hi := max(1, total/budget), max(1, widest) // count(hi) = nonEmpty ≤ budget
	for lo < hi {
		mid := (lo + hi) / 2
		if count(mid) <= budget {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo, nil
}
