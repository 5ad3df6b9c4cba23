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
	total := len(g.Src)
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
		if total > opts.MaxEdges {
			return fmt.Errorf("segraph: the graph of %v would have more than %d edges (at %s→%s); raise the scale r or the edge limit",
				g.Layers, opts.MaxEdges, prev.Info.Name, next.Info.Name)
		}
	}
	g.Src = append(make([]int32, 0, total), g.Src...)
	g.Dst = append(make([]int32, 0, total), g.Dst...)
	for s, rg := range ranges {
		for p := rg[0]; p < rg[1]; p++ {
			g.Src = append(g.Src, int32(offPrev)+p)
			g.Dst = append(g.Dst, int32(offNext+s))
		}
	}
	return nil
}
