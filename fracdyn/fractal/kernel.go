package fractal

import (
	"fmt"
	"math"
	"sync"
)

// abs32 clears the sign bit.
func abs32(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) }

// log2Small[k] = log₂ k for the on-counts of a 2×2 segment (log₂ 0 := 0).
var log2Small = [5]float32{0, 0, 1, float32(math.Log2(3)), 2}

// thresholdAbs32 returns the mask threshold of w: fixed when thr > 0, else the
// q-quantile of |w| (linear interpolation between order statistics, as
// numpy.quantile) found exactly by a two-pass radix selection on the float32
// bit patterns, without copying w. bad is the index of the first NaN or Inf
// weight, or −1.
func thresholdAbs32(w []float32, q, thr float64, workers int) (tau float32, bad int, err error) {
	if len(w) == 0 {
		return 0, -1, fmt.Errorf("empty weight tensor")
	}
	if q == 0 {
		q = DefaultQuantile
	}
	if q < 0 || q > 1 {
		return 0, -1, fmt.Errorf("quantile %v outside [0, 1]", q)
	}
	workers = max(1, min(workers, len(w)/(1<<16)+1))
	// Pass 1: histogram of the high 16 bits of |w|, and the first non-finite.
	hists := make([][]uint32, workers)
	bads := make([]int, workers)
	var wg sync.WaitGroup
	for wk := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lo, hi := len(w)*wk/workers, len(w)*(wk+1)/workers
			// Two interleaved histograms halve the stalls of consecutive
			// increments of one bucket; the OR of the bit patterns flags a
			// NaN or Inf anywhere (their exponent bits are all ones).
			h := make([]uint32, 2<<16)
			h0, h1 := h[:1<<16], h[1<<16:]
			part := w[lo:hi]
			var all uint32
			i := 0
			for ; i+1 < len(part); i += 2 {
				b0 := math.Float32bits(part[i]) &^ (1 << 31)
				b1 := math.Float32bits(part[i+1]) &^ (1 << 31)
				all |= (b0 + 0x00800000) | (b1 + 0x00800000)
				h0[b0>>16]++
				h1[b1>>16]++
			}
			if i < len(part) {
				b0 := math.Float32bits(part[i]) &^ (1 << 31)
				all |= b0 + 0x00800000
				h0[b0>>16]++
			}
			for j, c := range h1 {
				h0[j] += c
			}
			h = h0
			bads[wk] = -1
			if all&(1<<31) != 0 { // some |w| bit pattern ≥ 0x7f800000: find the first
				for j, v := range part {
					if math.Float32bits(v)&^(1<<31) >= 0x7f800000 {
						bads[wk] = lo + j
						break
					}
				}
			}
			hists[wk] = h
		}()
	}
	wg.Wait()
	for _, b := range bads {
		if b >= 0 {
			return 0, b, nil
		}
	}
	if thr > 0 {
		return float32(thr), -1, nil
	}
	hist := hists[0]
	for _, h := range hists[1:] {
		for i, c := range h {
			hist[i] += c
		}
	}
	pos := q * float64(len(w)-1)
	k := int(math.Floor(pos))
	frac := pos - float64(k)
	k1 := min(k+1, len(w)-1)
	bk, restK := bucketOf(hist, k)
	bk1, restK1 := bucketOf(hist, k1)
	// Pass 2: histograms of the low 16 bits inside the two buckets.
	lows := make([][2][]uint32, workers)
	for wk := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lo, hi := len(w)*wk/workers, len(w)*(wk+1)/workers
			l := [2][]uint32{make([]uint32, 1<<16), make([]uint32, 1<<16)}
			for _, v := range w[lo:hi] {
				b := math.Float32bits(v) &^ (1 << 31)
				if top := b >> 16; top == bk {
					l[0][b&0xffff]++
				} else if top == bk1 {
					l[1][b&0xffff]++
				}
			}
			lows[wk] = l
		}()
	}
	wg.Wait()
	low := lows[0]
	for _, l := range lows[1:] {
		for j := range 2 {
			for i, c := range l[j] {
				low[j][i] += c
			}
		}
	}
	vk := math.Float32frombits(bk<<16 | lowValue(low[0], restK))
	vk1 := vk
	if bk1 == bk {
		vk1 = math.Float32frombits(bk<<16 | lowValue(low[0], restK1))
	} else {
		vk1 = math.Float32frombits(bk1<<16 | lowValue(low[1], restK1))
	}
	return float32(float64(vk) + frac*(float64(vk1)-float64(vk))), -1, nil
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

// fusedBands measures, for bc or paper with magnitude entropy, the segments
// of work units [u0, u1) (a unit is one band of segment rows of one matrix).
//
// It is branch-free where the data are random: the mask test |w| ≥ τ, w ≠ 0
// is an integer comparison of float32 bit patterns (monotone for |w|), and
// the box counts come from an OR pyramid over a zero-padded power-of-two
// grid (boxes that only cover padding are empty and do not count, so the
// counts equal those of a grid anchored at the segment's origin).
func (l *LayerResult) fusedBands(w []float32, u0, u1 int) {
	r, v := l.R, l.View
	// τ' = max(τ, smallest positive float32) makes "a ≥ τ'" imply a > 0.
	tauBits := uint64(max(math.Float32bits(l.Threshold), 1))
	m := v.Cols
	nb, ncol := len(l.RowOrigins), len(l.ColOrigins)
	paper := l.Method == MethodPaper
	invLnR := 1 / math.Log(float64(r))
	// Regression abscissae x = −ln s over the sizes inside a segment.
	sizes := SegmentSizes(r)
	xs := make([]float64, len(sizes))
	var mx, sxx float64
	for i, s := range sizes {
		xs[i] = -math.Log(float64(s))
		mx += xs[i]
	}
	mx /= float64(len(xs))
	for _, x := range xs {
		sxx += (x - mx) * (x - mx)
	}
	p := 1
	for p < r {
		p *= 2
	}
	mask := make([]uint8, p*p)                                    // level 0, zero outside the r×r segment
	lvl := [2][]uint8{make([]uint8, p*p/4), make([]uint8, p*p/4)} // ping-pong levels
	ys := make([]float64, len(sizes))
	lnInt := make([]float64, r*r+1) // ln k for the box counts; ln 0 unused
	for i := 1; i < len(lnInt); i++ {
		lnInt[i] = math.Log(float64(i))
	}
	for u := u0; u < u1; u++ {
		mat, a := u/nb, u%nb
		base := mat * v.Rows * m
		i0 := l.RowOrigins[a]
		out := mat*nb*ncol + a*ncol
		fd, fr2, hh := l.FD[out:out+ncol], l.FDR2[out:out+ncol], l.H[out:out+ncol]
		if r == 2 {
			row0 := w[base+i0*m : base+i0*m+m]
			row1 := w[base+(i0+1)*m : base+(i0+1)*m+m]
			for b, j0 := range l.ColOrigins {
				a0, a1 := abs32(row0[j0]), abs32(row0[j0+1])
				a2, a3 := abs32(row1[j0]), abs32(row1[j0+1])
				k := on32(a0, tauBits) + on32(a1, tauBits) + on32(a2, tauBits) + on32(a3, tauBits)
				s := float64(a0) + float64(a1) + float64(a2) + float64(a3)
				t := (xlogx32(a0) + xlogx32(a1)) + (xlogx32(a2) + xlogx32(a3))
				fd[b] = log2Small[k]
				if !paper {
					fr2[b] = r2Small[k]
				}
				if s > 0 {
					hh[b] = float32(max(lnPos(s)-t/s, 0))
				}
			}
			continue
		}
		for b, j0 := range l.ColOrigins {
			var s0, s1, t0, t1 float64
			k := 0
			for x := range r {
				row := w[base+(i0+x)*m+j0 : base+(i0+x)*m+j0+r]
				mrow := mask[x*p : x*p+r]
				y := 0
				for ; y+1 < r; y += 2 {
					a, c := abs32(row[y]), abs32(row[y+1])
					oa, oc := on32(a, tauBits), on32(c, tauBits)
					mrow[y], mrow[y+1] = uint8(oa), uint8(oc)
					k += oa + oc
					s0 += float64(a)
					s1 += float64(c)
					t0 += xlogx32(a)
					t1 += xlogx32(c)
				}
				if y < r {
					a := abs32(row[y])
					o := on32(a, tauBits)
					mrow[y] = uint8(o)
					k += o
					s0 += float64(a)
					t0 += xlogx32(a)
				}
			}
			if s, t := s0+s1, t0+t1; s > 0 {
				hh[b] = float32(max(lnPos(s)-t/s, 0))
			}
			if k == 0 {
				continue // FD = 0, R² = 0
			}
			if paper {
				fd[b] = float32(lnInt[k] * invLnR)
				continue
			}
			// Box counts at sizes 2, 4, … < r by 2×2 ORs of the level below.
			ys[0] = lnInt[k]
			cur, cw := mask, p
			for lv := 1; lv < len(sizes)-1; lv++ {
				nw := cw / 2
				cnt := 0
				for I := range nw {
					top, bot := cur[2*I*cw:2*I*cw+cw], cur[(2*I+1)*cw:(2*I+1)*cw+cw]
					dst := lvl[lv%2][I*nw : I*nw+nw]
					for J := range dst {
						o := top[2*J] | top[2*J+1] | bot[2*J] | bot[2*J+1]
						dst[J] = o
						cnt += int(o)
					}
				}
				ys[lv] = lnInt[cnt]
				cur, cw = lvl[lv%2], nw
			}
			ys[len(sizes)-1] = 0 // one box of size r, on
			var my, sxy, syy float64
			for _, y := range ys {
				my += y
			}
			my /= float64(len(ys))
			for i, y := range ys {
				sxy += (xs[i] - mx) * (y - my)
				syy += (y - my) * (y - my)
			}
			slope := sxy / sxx
			fd[b] = float32(slope)
			if syy == 0 {
				fr2[b] = 1
			} else {
				fr2[b] = float32(min(max(1-(syy-slope*sxy)/syy, 0), 1))
			}
		}
	}
}

// r2Small[k] is the R² of a 2×2 segment with k on cells: 1 (a two-point fit)
// unless empty.
var r2Small = [5]float32{0, 1, 1, 1, 1}

// on32 returns 1 when the float32 bit pattern of a ≥ 0 is at least tauBits
// (so a ≥ τ and, with tauBits ≥ 1, a > 0), else 0, without a branch.
func on32(a float32, tauBits uint64) int {
	return int(((uint64(math.Float32bits(a)) - tauBits) >> 63) ^ 1)
}
