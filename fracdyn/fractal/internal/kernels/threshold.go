package kernels

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
	"sync"
)

// The threshold τ is an exact quantile of |w| over a layer, found on the
// float32 bit patterns of |w| (as unsigned integers they sort as |w| does).
//
// Large layers take one streaming pass: a fixed sample of the matrix
// (BracketChunks runs of BracketRun weights, spread evenly) brackets the
// wanted ranks between two sampled values L ≤ H (6 standard errors of the
// sample quantile either side); the pass counts the weights below L and
// gathers the bit patterns in [L, H] (about 2.5% of a large layer); an exact
// selection among those gives the ranks. When a bracket misses (a layer
// whose sample is unrepresentative), or for small layers, an exact two-pass
// radix selection (16 + 16 bits) runs instead. Either way the result is the
// exact order statistic, interpolated as numpy.quantile does.
const (
	BracketChunks = 512
	BracketRun    = 128
	BracketMin    = 1 << 20 // layers below this size use the radix selection
)

// ThresholdAbs32 returns the mask threshold of w: fixed when thr > 0, else the
// q-quantile of |w| (linear interpolation between order statistics, as
// numpy.quantile), exactly and without copying w. bad is the index of the
// first NaN or Inf weight, or −1.
func ThresholdAbs32(w []float32, q, thr float64, workers int) (tau float32, bad int, err error) {
	if len(w) == 0 {
		return 0, -1, fmt.Errorf("empty weight tensor")
	}
	if q == 0 {
		q = 0.5 // fractal.DefaultQuantile
	}
	if q < 0 || q > 1 {
		return 0, -1, fmt.Errorf("quantile %v outside [0, 1]", q)
	}
	workers = max(1, min(workers, len(w)/(1<<16)+1))
	if thr > 0 {
		return float32(thr), FirstNonFinite(w, workers), nil
	}
	k, k1, frac := QuantileRanks(len(w), q)
	var vk, vk1 uint32
	ok := false
	if len(w) >= BracketMin {
		vk, vk1, bad, ok = bracketRanks(w, q, k, k1, workers)
		if bad >= 0 {
			return 0, bad, nil
		}
	}
	switch {
	case ok:
	case len(w) <= SelectMax:
		if vk, vk1, bad = selectRanks(w, k, k1); bad >= 0 {
			return 0, bad, nil
		}
	default:
		if vk, vk1, bad = RadixRanks(w, k, k1, workers); bad >= 0 {
			return 0, bad, nil
		}
	}
	return Interpolate(vk, vk1, frac), -1, nil
}

// SelectMax is the size up to which ThresholdAbs32 selects the ranks from
// a copy of the bit patterns (selectRanks) instead of RadixRanks, whose
// two passes of 2¹⁶-bucket histograms outweigh a small tensor (a
// 65,536-weight null draw, a 3×3 conv layer).
const SelectMax = 1 << 18

// selectRanks is RadixRanks by selection on a copy of the bit patterns of
// |w|: the same exact order statistics k and k1.
func selectRanks(w []float32, k, k1 int) (vk, vk1 uint32, bad int) {
	b := take[uint32](&uint32s, len(w))
	defer give(&uint32s, b)
	var all uint32
	for i, v := range w {
		b[i] = AbsBits(v)
		all |= b[i] + 0x00800000
	}
	if bad = scanNonFinite(w, 0, all); bad >= 0 {
		return 0, 0, bad
	}
	vk, vk1, _ = RanksInBracket(b, 0, k, k1)
	return vk, vk1, -1
}

// QuantileRanks returns the order statistics k ≤ k1 of n values between
// which numpy.quantile interpolates at q, and the weight of k1.
func QuantileRanks(n int, q float64) (k, k1 int, frac float64) {
	pos := q * float64(n-1)
	k = int(math.Floor(pos))
	return k, min(k+1, n-1), pos - float64(k)
}

// Interpolate returns a + frac·(b − a) for the values of bit patterns a, b.
func Interpolate(vk, vk1 uint32, frac float64) float32 {
	a, b := float64(math.Float32frombits(vk)), float64(math.Float32frombits(vk1))
	return float32(a + frac*(b-a))
}

// AbsBits is the bit pattern of |v|.
func AbsBits(v float32) uint32 { return math.Float32bits(v) &^ (1 << 31) }

// parts runs f on workers contiguous parts [lo, hi) of [0, n) in parallel.
func parts(n, workers int, f func(wk, lo, hi int)) {
	var wg sync.WaitGroup
	for wk := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(wk, n*wk/workers, n*(wk+1)/workers)
		}()
	}
	wg.Wait()
}

// scanNonFinite returns the index of the first NaN or Inf in part, offset by
// lo, or −1 when flags (the OR of |w| bits + 2²³ over part) shows none: a
// pattern ≥ 0x7f800000 is the only one that carries into bit 31.
func scanNonFinite(part []float32, lo int, flags uint32) int {
	if flags&(1<<31) == 0 {
		return -1
	}
	for j, v := range part {
		if AbsBits(v) >= 0x7f800000 {
			return lo + j
		}
	}
	return -1
}

// FirstNonFinite returns the index of the first NaN or Inf weight, or −1.
func FirstNonFinite(w []float32, workers int) int {
	bads := make([]int, workers)
	parts(len(w), workers, func(wk, lo, hi int) {
		var all uint32
		for _, v := range w[lo:hi] {
			all |= AbsBits(v) + 0x00800000
		}
		bads[wk] = scanNonFinite(w[lo:hi], lo, all)
	})
	return firstOf(bads)
}

// firstOf returns the first index ≥ 0 of bads (one per part, in order), or −1.
func firstOf(bads []int) int {
	for _, b := range bads {
		if b >= 0 {
			return b
		}
	}
	return -1
}

// bracketRanks finds the bit patterns of the order statistics k and k1 of |w|
// in one pass, from a sampled bracket (see above). ok is false when the
// bracket misses k or k1; bad is the first non-finite weight, or −1.
func bracketRanks(w []float32, q float64, k, k1, workers int) (vk, vk1 uint32, bad int, ok bool) {
	lo, hi, delta := SampleBracket(w, q)
	// One pass: count |w| < lo, gather lo ≤ |w| ≤ hi.
	belows := make([]int, workers)
	gathered := make([][]uint32, workers)
	bads := make([]int, workers)
	parts(len(w), workers, func(wk, a, b int) {
		part := w[a:b]
		buf, below, all := bracketScan(part, lo, hi, make([]uint32, 0, int(float64(len(part))*(2*delta+0.01))+1024))
		belows[wk], gathered[wk], bads[wk] = below, buf, scanNonFinite(part, a, all)
	})
	if bad = firstOf(bads); bad >= 0 {
		return 0, 0, bad, false
	}
	below := 0
	for _, b := range belows {
		below += b
	}
	vk, vk1, ok = RanksInBracket(slices.Concat(gathered...), below, k, k1)
	return vk, vk1, -1, ok
}

// SampleBracket brackets the q-quantile of |w| by the bit patterns lo ≤ hi
// of two order statistics of a fixed sample, δ = 6 standard errors of the
// sample quantile (plus 4/n) either side of q.
func SampleBracket(w []float32, q float64) (lo, hi uint32, delta float64) {
	sample := make([]uint32, 0, BracketChunks*BracketRun)
	for c := range BracketChunks {
		at := (len(w) - BracketRun) * c / (BracketChunks - 1)
		for _, v := range w[at : at+BracketRun] {
			sample = append(sample, AbsBits(v))
		}
	}
	ns := float64(len(sample))
	delta = 6*math.Sqrt(q*(1-q)/ns) + 4/ns
	lo, hi = 0, math.MaxInt32 // |w| patterns are below 2³¹
	scratch := make([]uint32, len(sample))
	if r := (q - delta) * (ns - 1); r >= 0 {
		lo = SelectRank(sample, int(math.Floor(r)), scratch)
	}
	if r := (q + delta) * (ns - 1); r <= ns-1 {
		hi = SelectRank(sample, int(math.Ceil(r)), scratch)
	}
	return lo, hi, delta
}

// RanksInBracket returns the patterns of ranks k ≤ k1 of all weights, given
// below of them under the bracket and the patterns in (gathered); ok is
// false when the bracket misses either rank.
func RanksInBracket(in []uint32, below, k, k1 int) (vk, vk1 uint32, ok bool) {
	if k < below || k1 >= below+len(in) {
		return 0, 0, false
	}
	scratch := take[uint32](&uint32s, len(in))
	defer give(&uint32s, scratch)
	vk = SelectRank(in, k-below, scratch)
	return vk, NextRank(in, vk, k1-below), true
}

// NextRank returns the element of rank k1 of v given vk, the element of
// rank k1 − 1 or k1 (one pass instead of a second selection): vk when more
// than k1 elements are ≤ vk, else the smallest element above vk. Every
// element must be below 2⁶³.
func NextRank[T uint32 | uint64](v []T, vk T, k1 int) T {
	le, next := 0, ^T(0)
	for _, x := range v { // branch-free: x ≤ vk is a coin toss near the quantile
		gt := T(uint64((int64(vk) - int64(x)) >> 63)) // all ones where x > vk
		le += int(gt + 1)
		next = min(next, x|^gt)
	}
	if k1 < le {
		return vk
	}
	return next
}

// SelectRank returns the element of rank k (0-based, ascending) of v, which
// it leaves unchanged, using scratch (len(v) at least) as work space: an
// MSD radix selection, 11 bits per level, branch-free, then a sort of the
// last few.
func SelectRank[T uint32 | uint64](v []T, k int, scratch []T) T {
	lo, hi := slices.Min(v), slices.Max(v)
	src := v
	var h [1 << 11]uint32
	for len(src) > 64 && lo < hi {
		shift := uint(max(0, bits.Len64(uint64(hi-lo))-11))
		clear(h[:])
		for _, x := range src {
			h[(x-lo)>>shift]++
		}
		bk := T(0)
		for k >= int(h[bk]) {
			k -= int(h[bk])
			bk++
		}
		n := 0
		for _, x := range src { // in place once src is scratch: n never passes the reader
			scratch[n] = x
			n += int((uint64(((x-lo)>>shift)^bk) - 1) >> 63) // 1 where x is in bucket bk
		}
		src = scratch[:n]
		lo += bk << shift
		hi = min(hi, lo+(1<<shift-1))
	}
	if lo == hi {
		return lo
	}
	small := slices.Clone(src)
	slices.Sort(small)
	return small[k]
}

// RadixRanks finds the bit patterns of the order statistics k and k1 of |w|
// exactly in two passes: a histogram of the high 16 bits, then histograms of
// the low 16 bits inside the buckets of k and k1. bad is the first
// non-finite weight, or −1.
func RadixRanks(w []float32, k, k1, workers int) (vk, vk1 uint32, bad int) {
	hists := make([][]uint32, workers)
	bads := make([]int, workers)
	parts(len(w), workers, func(wk, lo, hi int) {
		// Two interleaved histograms halve the stalls of consecutive
		// increments of one bucket.
		h := take[uint32](&uint32s, 2<<16)
		h0, h1 := h[:1<<16], h[1<<16:]
		part := w[lo:hi]
		var all uint32
		i := 0
		for ; i+1 < len(part); i += 2 {
			b0, b1 := AbsBits(part[i]), AbsBits(part[i+1])
			all |= (b0 + 0x00800000) | (b1 + 0x00800000)
			h0[b0>>16]++
			h1[b1>>16]++
		}
		if i < len(part) {
			b0 := AbsBits(part[i])
			all |= b0 + 0x00800000
			h0[b0>>16]++
		}
		for j, c := range h1 {
			h0[j] += c
		}
		hists[wk], bads[wk] = h, scanNonFinite(part, lo, all)
	})
	defer func() {
		for _, h := range hists {
			give(&uint32s, h)
		}
	}()
	if bad = firstOf(bads); bad >= 0 {
		return 0, 0, bad
	}
	hist := hists[0][:1<<16]
	for _, h := range hists[1:] {
		h = h[:1<<16]
		for i, c := range h {
			hist[i] += c
		}
	}
	bk, restK := bucketOf(hist, k)
	bk1, restK1 := bucketOf(hist, k1)
	lows := make([][2][]uint32, workers)
	parts(len(w), workers, func(wk, lo, hi int) {
		h := take[uint32](&uint32s, 2<<16)
		l := [2][]uint32{h[:1<<16], h[1<<16:]}
		for _, v := range w[lo:hi] {
			b := AbsBits(v)
			if top := b >> 16; top == bk {
				l[0][b&0xffff]++
			} else if top == bk1 {
				l[1][b&0xffff]++
			}
		}
		lows[wk] = l
	})
	defer func() {
		for _, l := range lows {
			give(&uint32s, l[0][:2<<16])
		}
	}()
	low := lows[0]
	for _, l := range lows[1:] {
		for j := range 2 {
			for i, c := range l[j] {
				low[j][i] += c
			}
		}
	}
	vk = bk<<16 | lowValue(low[0], restK)
	if bk1 == bk {
		vk1 = bk<<16 | lowValue(low[0], restK1)
	} else {
		vk1 = bk1<<16 | lowValue(low[1], restK1)
	}
	return vk, vk1, -1
}

// bucketOf returns the bucket holding the element of rank k and k's rank
// within that bucket.
func bucketOf(hist []uint32, k int) (bucket uint32, rest int) {
	for i, c := range hist {
		if k < int(c) {
			return uint32(i), k
		}
		k -= int(c)
	}
	panic("fractal: rank beyond histogram")
}

// lowValue returns the low 16 bits of the element of rank rest.
func lowValue(hist []uint32, rest int) uint32 {
	b, _ := bucketOf(hist, rest)
	return b
}

// bracketScanGo appends the bit patterns x of |w| over part with
// lo ≤ x ≤ hi to buf, and returns it with the count of x < lo and the OR of
// x + 2²³ (bit 31 set: a NaN or Inf in part).
func bracketScanGo(part []float32, lo, hi uint32, buf []uint32) (out []uint32, below int, flags uint32) {
	for _, v := range part {
		x := AbsBits(v)
		flags |= x + 0x00800000
		if x-lo <= hi-lo { // rare (a few %), so well predicted
			buf = append(buf, x)
		}
		below += int((x - lo) >> 31) // x < lo: both are below 2³¹
	}
	return buf, below, flags
}

// maskRow2Go is MaskRow2 in plain Go.
func maskRow2Go(hiPlane, inPlane []uint8, src []float32, lo, hi uint32, buf []uint32) (out []uint32, below int, flags uint32) {
	for j := 0; j < len(src); j += 8 {
		var ph, pi uint8
		for y, v := range src[j:min(j+8, len(src))] {
			x := AbsBits(v)
			flags |= x + 0x00800000
			ph |= uint8((hi-x)>>31) << y // x > hi: both below 2³¹
			if x-lo <= hi-lo {
				pi |= 1 << y
				buf = append(buf, x)
			}
			below += int((x - lo) >> 31)
		}
		hiPlane[j/8], inPlane[j/8] = ph, pi
	}
	return buf, below, flags
}
