package kernels

import (
	"math"
)

// chunkCols is the width of the column chunks whose a·ln a the fused kernel
// computes at once (r ≤ 64): r·chunkCols float64 per worker.
const chunkCols = 1024

// FusedBands measures, for bc or paper with magnitude entropy, the segments
// of work units [u0, u1) (a unit is one band of segment rows of one matrix).
//
// It is branch-free where the data are random: the mask test |w| ≥ τ, w ≠ 0
// is an integer comparison of float32 bit patterns (monotone for |w|), and
// the box counts come from OR pyramids over a zero-padded power-of-two grid
// (boxes that only cover padding are empty and do not count, so the counts
// equal those of a grid anchored at the segment's origin): of bits for
// 2 < r ≤ 64 (chunkSums and chunkCounts, after XlnxRow or QuadSums and
// MaskRow over a column chunk of the band), of bytes beyond. r = 2 is
// Band2Band's.
func (l *Bands) FusedBands(w []float32, u0, u1 int) {
	r, v := l.R, l.View
	// τ' = max(τ, smallest positive float32) makes "a ≥ τ'" imply a > 0.
	tauBits := uint64(max(math.Float32bits(l.Threshold), 1))
	scale := EntropyScale(l.Threshold) // of quadSums: H does not depend on it
	m := v.Cols
	nb, ncol := len(l.RowOrigins), len(l.ColOrigins)
	paper := l.Paper
	sizes := l.Sizes
	fit := newSegmentFit(sizes, r, paper, l.Len())
	lnInt := fit.lnInt
	p := 1
	for p < r {
		p *= 2
	}
	mask := make([]uint8, p*p)                                    // level 0, zero outside the r×r segment
	lvl := [2][]uint8{make([]uint8, p*p/4), make([]uint8, p*p/4)} // ping-pong levels
	ys := make([]float64, len(sizes))
	// Segments per column chunk, and the chunk's a·ln a (2 < r ≤ 64).
	perChunk := max(1, chunkCols/r)
	quad := r%4 == 0 // segments sum groups of four (QuadSums)
	var tl, sums, xlnx []float64
	// Packed masks of the chunk's rows, 9 bytes of slack for maskBits.
	mw := (perChunk*r+7)/8 + 9
	var mk []uint8
	if r > 2 && r <= 64 { // r = 2 is Band2Band's, with no buffers
		tl = make([]float64, r*perChunk*r)
		sums, xlnx = make([]float64, perChunk), make([]float64, perChunk)
		mk = make([]uint8, r*mw)
	}
	for u := u0; u < u1; u++ {
		mt, a := u/nb, u%nb
		base := mt * v.Rows * m
		mat := w[base : base+v.Rows*m]
		i0 := l.RowOrigins[a]
		out := mt*nb*ncol + a*ncol
		fd, fr2, hh := l.FD[out:out+ncol], l.FDR2[out:out+ncol], l.H[out:out+ncol]
		if r == 2 {
			l.Band2Band(mat, i0, fd, fr2, hh, tauBits, paper)
			continue
		}
		if r <= 64 {
			// a·ln a of the band's rows, a chunk of columns at a time, then
			// the chunk's segments.
			for b0 := 0; b0 < ncol; b0 += perChunk {
				b1 := min(b0+perChunk, ncol)
				c0, c1 := l.ColOrigins[b0], l.ColOrigins[b1-1]+r
				tw := c1 - c0
				qw := tw / 4 * 2
				for x := range r {
					if src := mat[(i0+x)*m+c0 : (i0+x)*m+c1]; quad {
						QuadSums(tl[x*qw:(x+1)*qw], src, scale)
					} else {
						XlnxRow(tl[x*tw:(x+1)*tw], src)
					}
				}
				for x := range r {
					MaskRow(mk[x*mw:], mat[(i0+x)*m+c0:(i0+x)*m+c1], uint32(tauBits))
				}
				l.chunkSumsAny(mat, i0, b0, b1, sums, xlnx, tl, quad, c0, tw, scale)
				l.chunkCountsAny(b0, b1, fd, fr2, &fit, mk, c0, mw)
				EntropyRow(hh[b0:b1], sums, xlnx)
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
					a, c := Abs32(row[y]), Abs32(row[y+1])
					oa, oc := on32(a, tauBits), on32(c, tauBits)
					mrow[y], mrow[y+1] = uint8(oa), uint8(oc)
					k += oa + oc
					s0 += float64(a)
					s1 += float64(c)
					t0 += Xlogx32(a)
					t1 += Xlogx32(c)
				}
				if y < r {
					a := Abs32(row[y])
					o := on32(a, tauBits)
					mrow[y] = uint8(o)
					k += o
					s0 += float64(a)
					t0 += Xlogx32(a)
				}
			}
			if s, t := s0+s1, t0+t1; s > 0 {
				hh[b] = float32(max(LnPos(s)-t/s, 0))
			}
			if k == 0 {
				continue // FD = 0, R² = 0
			}
			if paper {
				fd[b] = float32(lnInt[k] * fit.invLnR)
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
			fd[b], fr2[b] = fit.slope(ys)
		}
	}
}

// on32 returns 1 when the float32 bit pattern of a ≥ 0 is at least tauBits
// (so a ≥ τ and, with tauBits ≥ 1, a > 0), else 0, without a branch.
func on32(a float32, tauBits uint64) int {
	return int(((uint64(math.Float32bits(a)) - tauBits) >> 63) ^ 1)
}
