package segraph

import (
	"fmt"

	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

// connect adds the edges between the segments of prev and of next, the
// layer it feeds. A segment of next reads some output units of prev: a
// conv kernel (out k, in c) reads prev's channel c; a dense segment whose
// columns span inputs [j, j+r) reads the prev units feeding those inputs
// (for a conv prev, the channels j/(H·W) of the flattened C,H,W output, or
// j mod C of the H,W,C output of a conv stored channels-last).
// It is joined to every segment of prev that belongs to one of those units:
// for a conv prev, every segment of the kernels of output channel c; for a
// dense prev, every segment whose rows cover one of the units. Each next
// segment thus meets one contiguous range of prev's segments.
func (g *Graph) connect(prev, next Layer, offPrev, offNext int, opts Options) error {
	ps, ns := prev.Segments, next.Segments
	channels := prev.Info.WeightShape[0] // prev's output channels (conv) or units (dense)
	prevUnits := 1
	for _, d := range prev.Info.OutShape {
		prevUnits *= d
	}
	if len(prev.Info.OutShape) == 0 {
		// Output shape unknown (layers derived from a file's tensors): a
		// dense layer has WeightShape[0] units; a conv layer feeding a dense
		// one has as many outputs as that layer has inputs.
		prevUnits = channels
		if prev.Info.Kind == weights.Conv && next.Info.Kind == weights.Dense {
			prevUnits = next.Info.WeightShape[1]
			if prevUnits%channels != 0 {
				return fmt.Errorf("segraph: %s has %d inputs, not a multiple of the %d channels of %s", next.Info.Name, prevUnits, channels, prev.Info.Name)
			}
		}
	}
	want := channels
	if next.Info.Kind == weights.Dense {
		want = prevUnits
	}
	if next.Info.WeightShape[1] != want {
		return fmt.Errorf("segraph: %s has %d inputs but %s gives %d", next.Info.Name, next.Info.WeightShape[1], prev.Info.Name, want)
	}
	// rangeOf maps prev output units [uLo, uHi] to prev segments [lo, hi).
	rangeOf := func(uLo, uHi int) [2]int32 {
		if prev.Info.Kind == weights.Conv {
			per := prev.Info.WeightShape[1] * ps.PerMatrix()
			return [2]int32{int32(uLo * per), int32((uHi + 1) * per)}
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
		return [2]int32{int32(a * nc), int32((b + 1) * nc)}
	}
	spatial := 1
	if prev.Info.Kind == weights.Conv {
		spatial = prevUnits / channels
	}
	// A channels-last convolution (stored [kh,kw,in,out]) flattens its
	// [H,W,C] output with the channel fastest: input j of the dense layer
	// reads channel j mod C. Otherwise (PyTorch's [C,H,W]) channel j/(H·W).
	channelsLast := prev.Info.Kind == weights.Conv && prev.Info.StoredLayout() == weights.HWIO && spatial > 1
	// Each next segment meets one range of prev's segments, or two where a
	// channels-last column span wraps around the channels.
	ranges := make([][2][2]int32, ns.Len())
	before := len(g.Src)
	total := before
	for s := range ns.Len() {
		rg := [2][2]int32{{0, int32(ps.Len())}}
		if !opts.AllPairs {
			id := ns.Segment(s)
			switch {
			case next.Info.Kind == weights.Conv:
				rg[0] = rangeOf(id.Channel, id.Channel)
			case channelsLast && ns.R >= channels:
				rg[0] = rangeOf(0, channels-1)
			case channelsLast:
				c0, c1 := id.Col%channels, (id.Col+ns.R-1)%channels
				if c0 <= c1 {
					rg[0] = rangeOf(c0, c1)
				} else {
					rg[0], rg[1] = rangeOf(0, c1), rangeOf(c0, channels-1)
				}
			default:
				rg[0] = rangeOf(id.Col/spatial, (id.Col+ns.R-1)/spatial)
			}
		}
		ranges[s] = rg
		total += int(rg[0][1]-rg[0][0]) + int(rg[1][1]-rg[1][0])
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
			total += kept(predecessors(rg), stride)
		}
	}
	g.Strides = append(g.Strides, stride)
	g.Src = append(make([]int32, 0, total), g.Src...)
	g.Dst = append(make([]int32, 0, total), g.Dst...)
	for s, rg := range ranges {
		n := int32(predecessors(rg))
		if n == 0 {
			continue
		}
		// The i-th predecessor of s runs through rg[0], then rg[1].
		len0 := rg[0][1] - rg[0][0]
		for i := int32(s%stride) % n; i < n; i += int32(stride) {
			p := rg[0][0] + i
			if i >= len0 {
				p = rg[1][0] + i - len0
			}
			g.Src = append(g.Src, int32(offPrev)+p)
			g.Dst = append(g.Dst, int32(offNext+s))
		}
	}
	return nil
}

// predecessors is the number of prev segments in a next segment's ranges.
func predecessors(rg [2][2]int32) int { return int(rg[0][1] - rg[0][0] + rg[1][1] - rg[1][0]) }

// kept bounds the edges a range of n predecessors keeps at stride k:
// ⌈n/k⌉ (connect keeps ⌈(n−o)/k⌉ ≥ 1 of them, from an offset o < n).
func kept(n, k int) int { return (n + k - 1) / k }

// thinning returns the smallest stride k ≥ 1 at which the ranges keep at
// most budget edges, or an error when even one edge per non-empty range
// (the largest useful stride) exceeds the budget.
func thinning(ranges [][2][2]int32, budget int) (int, error) {
	var total, nonEmpty, widest int
	for _, rg := range ranges {
		n := predecessors(rg)
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
			c += kept(predecessors(rg), k)
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
