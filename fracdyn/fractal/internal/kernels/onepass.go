package kernels

import (
	"fmt"
	"math"
	"math/bits"
	"sync"
)

// For 2 < r ≤ 64 the fused kernel reads the matrix once, although the mask
// threshold τ (a quantile of |w| over the whole layer) is only known after
// every weight has been seen. The first pass brackets τ between two bit
// patterns lo ≤ hi of a sample (as bracketRanks) and, one chunk of a band at
// a time, computes each segment's entropy and two packed planes of the
// mask of every chunk row: |w| > hi (on, whatever τ) and lo ≤ |w| ≤ hi
// (decided by τ), gathering the latter's bit patterns in scan order. The
// exact τ then comes from the gathered patterns of the weights each owns
// once (rows and columns that overlapping segments share belong to the
// first), and the second pass resolves the planes into the mask (reading
// the gathered patterns in the same order, not the matrix) and counts the
// boxes. A fixed threshold, or a layer too small for the sample, uses
// lo = hi = τ. When the bracket misses τ (a sample unlike the layer), the
// exact two-pass selection finds τ and the classic kernel runs instead.

// firstPassState is one worker's first-pass output over its units.
type firstPassState struct {
	hi, in []uint8  // planes, unit by unit, chunk by chunk, r rows of mw bytes
	vals   []uint32 // bit patterns inside the bracket, in scan order
	owned  [][2]int // ranges of vals that count toward the quantile
	below  int      // owned weights under the bracket
	flags  uint32   // OR of patterns + 2²³: bit 31 marks a NaN or Inf
}

// chunkGeometry is the layout of one band's column chunks.
type chunkGeometry struct {
	perChunk, chunks, mw int
}

func (l *Bands) chunkGeometry() chunkGeometry {
	per := max(1, chunkCols/l.R)
	return chunkGeometry{perChunk: per, chunks: (len(l.ColOrigins) + per - 1) / per, mw: (per*l.R+7)/8 + 9}
}

// OnePass measures the segments of every unit with the two passes above;
// q is the quantile of τ, thr a fixed threshold (> 0) or 0. It returns the
// index of a non-finite weight, or −1.
func (l *Bands) OnePass(w []float32, q, thr float64, workers int) (bad int, err error) {
	if q < 0 || q > 1 {
		return -1, fmt.Errorf("quantile %v outside [0, 1]", q)
	}
	units := l.View.Count * len(l.RowOrigins)
	workers = max(1, min(workers, units))
	exact := true
	var tau float32
	var lo, hi uint32
	switch {
	case thr > 0:
		tau = float32(thr)
	case len(w) < BracketMin:
		if tau, bad, err = ThresholdAbs32(w, q, 0, workers); err != nil || bad >= 0 {
			return bad, err
		}
	default:
		exact = false
		lo, hi, _ = SampleBracket(w, q)
	}
	if exact {
		lo = max(math.Float32bits(tau), 1)
		hi = lo
	}
	// H does not depend on the scale: the upper bracket is close enough.
	scale := EntropyScale(math.Float32frombits(hi))
	states := make([]*firstPassState, workers)
	parallelUnits(units, workers, func(wk, u0, u1 int) {
		states[wk] = l.firstPass(w, u0, u1, lo, hi, scale)
	})
	below, n := 0, 0
	var flags uint32
	for _, st := range states {
		flags |= st.flags
		below += st.below
		for _, o := range st.owned {
			n += o[1] - o[0]
		}
	}
	in := take[uint32](&uint32s, n)[:0]
	defer give(&uint32s, in)
	for _, st := range states {
		for _, o := range st.owned {
			in = append(in, st.vals[o[0]:o[1]]...)
		}
	}
	if flags&(1<<31) != 0 {
		return FirstNonFinite(w, workers), nil
	}
	if !exact {
		k, k1, frac := QuantileRanks(len(w), q)
		vk, vk1, ok := RanksInBracket(in, below, k, k1)
		if !ok { // the bracket missed: exact selection, then the classic kernel
			if vk, vk1, bad = RadixRanks(w, k, k1, workers); bad >= 0 {
				return bad, nil
			}
			l.Threshold = Interpolate(vk, vk1, frac)
			parallelUnits(units, workers, func(_, u0, u1 int) { l.FusedBands(w, u0, u1) })
			return -1, nil
		}
		tau = Interpolate(vk, vk1, frac)
	}
	l.Threshold = tau
	tauBits := uint64(max(math.Float32bits(tau), 1))
	parallelUnits(units, workers, func(wk, u0, u1 int) { l.secondPass(u0, u1, tauBits, states[wk]) })
	for _, st := range states {
		st.release()
	}
	return -1, nil
}

// release returns the state's buffers to the pools.
func (st *firstPassState) release() {
	give(&uint8s, st.hi)
	give(&uint8s, st.in)
	give(&uint32s, st.vals)
}

// parallelUnits runs f on workers contiguous ranges of [0, units).
func parallelUnits(units, workers int, f func(wk, u0, u1 int)) {
	var wg sync.WaitGroup
	for wk := range workers {
		u0, u1 := units*wk/workers, units*(wk+1)/workers
		wg.Go(func() { f(wk, u0, u1) })
	}
	wg.Wait()
}

// firstPass computes the entropies of units [u0, u1) and the planes of
// their chunk rows relative to the bracket [lo, hi].
func (l *Bands) firstPass(w []float32, u0, u1 int, lo, hi uint32, scale float64) *firstPassState {
	r, v := l.R, l.View
	m := v.Cols
	nb, ncol := len(l.RowOrigins), len(l.ColOrigins)
	geo := l.chunkGeometry()
	size := (u1 - u0) * geo.chunks * r * geo.mw
	st := &firstPassState{hi: take[uint8](&uint8s, size), in: take[uint8](&uint8s, size)}
	if lo != hi { // about 2δ of the weights fall in the bracket
		st.vals = take[uint32](&uint32s, (u1-u0)*r*m/32+1024)[:0]
	}
	quad := r%4 == 0
	tl := take[float64](&float64s, r*geo.perChunk*r+2*geo.perChunk)
	defer give(&float64s, tl)
	tl, sums, xlnx := tl[:r*geo.perChunk*r], tl[r*geo.perChunk*r:][:geo.perChunk], tl[r*geo.perChunk*r+geo.perChunk:]
	pos := 0
	for u := u0; u < u1; u++ {
		mt, a := u/nb, u%nb
		mat := w[mt*v.Rows*m:][:v.Rows*m]
		i0 := l.RowOrigins[a]
		ownRow := i0 // rows above belong to the previous band
		if a > 0 {
			ownRow = max(i0, l.RowOrigins[a-1]+r)
		}
		out := mt*nb*ncol + a*ncol
		hh := l.H[out : out+ncol]
		for b0 := 0; b0 < ncol; b0 += geo.perChunk {
			b1 := min(b0+geo.perChunk, ncol)
			c0, c1 := l.ColOrigins[b0], l.ColOrigins[b1-1]+r
			tw := c1 - c0
			qw := tw / 4 * 2
			ownCol := c0 // columns left of it belong to the previous chunk
			if b0 > 0 {
				ownCol = max(c0, l.ColOrigins[b0-1]+r)
			}
			hiP, inP := st.hi[pos:pos+r*geo.mw], st.in[pos:pos+r*geo.mw]
			pos += r * geo.mw
			for x := range r {
				src := mat[(i0+x)*m+c0 : (i0+x)*m+c1]
				if quad {
					QuadSums(tl[x*qw:(x+1)*qw], src, scale)
				} else {
					XlnxRow(tl[x*tw:(x+1)*tw], src)
				}
				n0 := len(st.vals)
				var below int
				var f uint32
				st.vals, below, f = MaskRow2(hiP[x*geo.mw:], inP[x*geo.mw:], src, lo, hi, st.vals)
				st.flags |= f
				if i0+x < ownRow {
					continue
				}
				if skip := ownCol - c0; skip > 0 {
					pin := prefixOnes(inP[x*geo.mw:], skip)
					n0 += pin
					below -= skip - pin - prefixOnes(hiP[x*geo.mw:], skip)
				}
				st.below += below
				if k := len(st.owned) - 1; k >= 0 && st.owned[k][1] == n0 {
					st.owned[k][1] = len(st.vals)
				} else if n0 < len(st.vals) {
					st.owned = append(st.owned, [2]int{n0, len(st.vals)})
				}
			}
			l.chunkSumsAny(mat, i0, b0, b1, sums, xlnx, tl, quad, c0, tw, scale)
			EntropyRow(hh[b0:b1], sums, xlnx)
		}
	}
	return st
}

// prefixOnes counts the set bits among the first n bits of a packed plane.
func prefixOnes(p []uint8, n int) int {
	c := 0
	for _, b := range p[:n/8] {
		c += bits.OnesCount8(b)
	}
	if n&7 != 0 {
		c += bits.OnesCount8(p[n/8] & (1<<(n&7) - 1))
	}
	return c
}

// secondPass resolves the planes of units [u0, u1) into masks at tauBits
// and measures the box counts of their segments.
func (l *Bands) secondPass(u0, u1 int, tauBits uint64, st *firstPassState) {
	r := l.R
	nb, ncol := len(l.RowOrigins), len(l.ColOrigins)
	geo := l.chunkGeometry()
	fit := newSegmentFit(l.Sizes, r, l.Paper, l.Len())
	mk := make([]uint8, r*geo.mw)
	// ge bit i: the i-th gathered pattern is on (one word of slack).
	ge := make([]uint64, len(st.vals)/64+2)
	for i, v := range st.vals {
		ge[i>>6] |= ((tauBits - 1 - uint64(v)) >> 63) << (i & 63)
	}
	pos, p := 0, 0
	for u := u0; u < u1; u++ {
		mt, a := u/nb, u%nb
		out := mt*nb*ncol + a*ncol
		fd, fr2 := l.FD[out:out+ncol], l.FDR2[out:out+ncol]
		for b0 := 0; b0 < ncol; b0 += geo.perChunk {
			b1 := min(b0+geo.perChunk, ncol)
			c0, c1 := l.ColOrigins[b0], l.ColOrigins[b1-1]+r
			words := (c1 - c0 + 63) / 64
			hiP, inP := st.hi[pos:pos+r*geo.mw], st.in[pos:pos+r*geo.mw]
			pos += r * geo.mw
			p = ResolveRows(mk, hiP, inP, r, geo.mw, words, ge, p)
			l.chunkCountsAny(b0, b1, fd, fr2, &fit, mk, c0, geo.mw)
		}
	}
}
