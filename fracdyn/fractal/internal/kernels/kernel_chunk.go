package kernels

import (
	"math"
	"math/bits"
)

// The segments of one column chunk of one band (segment row origin i0 of
// the matrix mat, segments [b0, b1), columns [c0, c0+tw)) for 2 < r ≤ 64,
// in two halves that may run apart: the sums Σ a and Σ a·ln a of each
// segment (into sums[b−b0] and xlnx[b−b0], for EntropyRow), from tl, which
// holds the chunk rows' |w|·ln|w| (row x at tl[x·tw:]) or, when quad (r a
// multiple of 4), their QuadSums (row x at tl[x·qw:], qw = 2·⌊tw/4⌋); and
// the box counts and fits of each segment (into fd[b] and fr2[b]) from mk,
// the chunk rows' packed masks (row x at mk[x·mw:]).
//
// Each segment row's mask is one uint64 (bit y for column y); box counts at
// size 2^lv come from OR-ing row pairs and folding bit pairs (v | v>>2^(lv−1),
// kept at multiples of 2^lv), then a popcount. Bits and rows past r stay 0,
// so the grid is anchored at the segment's origin with partial boxes at its
// far edges, as BoxCount's. r = 4 and 8 with a table of fits have
// straight-line versions.

// chunkSums sets the segments' sums for any 2 < r ≤ 64. A segment whose
// origin is off the groups of four (the last, shifted back) sums its raw
// weights with the float64 logarithm; its a is scale·|w| as quadSums'.
func (l *Bands) chunkSums(mat []float32, i0, b0, b1 int, sums, xlnx, tl []float64, quad bool, c0, tw int, scale float64) {
	qw := tw / 4 * 2
	r, m := l.R, l.View.Cols
	for b := b0; b < b1; b++ {
		j0 := l.ColOrigins[b]
		var s0, s1, t0, t1 float64
		off := j0 - c0
		for x := range r {
			row := mat[(i0+x)*m+j0:][:r]
			switch {
			case quad && off&3 == 0: // the sums of the row's groups of four
				q := tl[x*qw+off/2:][:r/2]
				for i := 0; i+3 < len(q); i += 4 {
					s0 += q[i]
					t0 += q[i+1]
					s1 += q[i+2]
					t1 += q[i+3]
				}
				if len(q)&3 != 0 {
					s0 += q[len(q)-2]
					t0 += q[len(q)-1]
				}
			case quad: // a last segment shifted back off the groups
				s, t := rawSums(row, scale)
				s0, t0 = s0+s, t0+t
			default:
				trow := tl[x*tw+off:][:r]
				y := 0
				for ; y+1 < r; y += 2 {
					s0 += math.Abs(float64(row[y]))
					s1 += math.Abs(float64(row[y+1]))
					t0 += trow[y]
					t1 += trow[y+1]
				}
				if y < r {
					s0 += math.Abs(float64(row[y]))
					t0 += trow[y]
				}
			}
		}
		sums[b-b0], xlnx[b-b0] = s0+s1, t0+t1
	}
}

// rawSums returns Σ a and Σ a·ln a over a = scale·|row| in float64: the
// sums of a segment row off the groups of four that QuadSums sums.
func rawSums(row []float32, scale float64) (s, t float64) {
	for _, v := range row {
		a := math.Abs(float64(v)) * scale
		s += a
		t += a * LnPos(a)
	}
	return s, t
}

// chunkCounts sets the segments' FD and R² for any 2 < r ≤ 64.
func (l *Bands) chunkCounts(b0, b1 int, fd, fr2 []float32, f *segmentFit, mk []uint8, c0, mw int) {
	r := l.R
	nsz := len(f.ys)
	var rows [65]uint64
	for b := b0; b < b1; b++ {
		off := l.ColOrigins[b] - c0
		k := 0
		for x := range r {
			mb := maskBits(mk[x*mw:], off, r)
			rows[x] = mb
			k += bits.OnesCount64(mb)
		}
		if k == 0 {
			continue // FD = 0, R² = 0
		}
		if f.paper {
			fd[b] = float32(f.lnInt[k] * f.invLnR)
			continue
		}
		ys := f.ys
		ys[0] = f.lnInt[k]
		idx := k
		nr := r
		for lv := 1; lv < nsz-1; lv++ {
			rows[nr] = 0 // pads an odd count
			nr = (nr + 1) / 2
			half, keep := uint(1)<<(lv-1), f.rowMask[lv]
			cnt := 0
			for i := range nr {
				v := rows[2*i] | rows[2*i+1]
				v = (v | v>>half) & keep
				rows[i] = v
				cnt += bits.OnesCount64(v)
			}
			ys[lv] = f.lnInt[cnt]
			idx = idx*f.radix[lv] + cnt
		}
		if f.table != nil {
			fd[b], fr2[b] = f.table[idx][0], f.table[idx][1]
			continue
		}
		ys[nsz-1] = 0 // one box of size r, on
		fd[b], fr2[b] = f.slope(ys)
	}
}

// chunkSums4 is chunkSums for r = 4 (quad): each segment row is one group.
func (l *Bands) chunkSums4(mat []float32, i0, b0, b1 int, sums, xlnx, tl []float64, c0, tw int, scale float64) {
	m, qw := l.View.Cols, tw/4*2
	q0, q1, q2, q3 := tl[:qw], tl[qw:2*qw], tl[2*qw:3*qw], tl[3*qw:4*qw]
	for b := b0; b < b1; b++ {
		j0 := l.ColOrigins[b]
		off := j0 - c0
		var s, t float64
		if off&3 == 0 {
			g := off / 2
			s = (q0[g] + q1[g]) + (q2[g] + q3[g])
			t = (q0[g+1] + q1[g+1]) + (q2[g+1] + q3[g+1])
		} else { // a last segment shifted back off the groups
			for x := range 4 {
				ds, dt := rawSums(mat[(i0+x)*m+j0:][:4], scale)
				s, t = s+ds, t+dt
			}
		}
		sums[b-b0], xlnx[b-b0] = s, t
	}
}

// chunkCounts4 is chunkCounts for r = 4 with a table of fits: N(1), N(2)
// from the 16 bits of the segment in straight-line code.
func (l *Bands) chunkCounts4(b0, b1 int, fd, fr2 []float32, f *segmentFit, mk []uint8, c0, mw int) {
	k0, k1, k2, k3 := mk[:mw], mk[mw:2*mw], mk[2*mw:3*mw], mk[3*mw:4*mw]
	rad := f.radix[1]
	for b := b0; b < b1; b++ {
		off := l.ColOrigins[b] - c0
		r0, r1 := maskBits(k0, off, 4), maskBits(k1, off, 4)
		r2, r3 := maskBits(k2, off, 4), maskBits(k3, off, 4)
		k := bits.OnesCount64(r0 | r1<<4 | r2<<8 | r3<<12)
		if k == 0 {
			continue // FD = 0, R² = 0
		}
		top, bot := r0|r1, r2|r3
		c := bits.OnesCount64((top|top>>1)&5 | ((bot|bot>>1)&5)<<4)
		e := f.table[k*rad+c]
		fd[b], fr2[b] = e[0], e[1]
	}
}

// chunkSums8 is chunkSums for r = 8 (quad): two groups per segment row.
func (l *Bands) chunkSums8(mat []float32, i0, b0, b1 int, sums, xlnx, tl []float64, c0, tw int, scale float64) {
	m, qw := l.View.Cols, tw/4*2
	for b := b0; b < b1; b++ {
		j0 := l.ColOrigins[b]
		off := j0 - c0
		var s0, s1, t0, t1 float64
		if off&3 == 0 {
			for x := range 8 {
				q := tl[x*qw+off/2:][:4]
				s0 += q[0]
				t0 += q[1]
				s1 += q[2]
				t1 += q[3]
			}
		} else { // a last segment shifted back off the groups
			for x := range 8 {
				ds, dt := rawSums(mat[(i0+x)*m+j0:][:8], scale)
				s0, t0 = s0+ds, t0+dt
			}
		}
		sums[b-b0], xlnx[b-b0] = s0+s1, t0+t1
	}
}

// chunkCounts8 is chunkCounts for r = 8 with a table of fits: the segment's
// mask is one uint64 (row x in byte x), and N(1), N(2), N(4) come from it by
// two rounds of row-pair ORs and bit-pair folds.
func (l *Bands) chunkCounts8(b0, b1 int, fd, fr2 []float32, f *segmentFit, mk []uint8, c0, mw int) {
	r1, r2 := f.radix[1], f.radix[2]
	for b := b0; b < b1; b++ {
		off := l.ColOrigins[b] - c0
		var seg uint64
		for x := range 8 {
			seg |= maskBits(mk[x*mw:], off, 8) << (8 * x)
		}
		k := bits.OnesCount64(seg)
		if k == 0 {
			continue // FD = 0, R² = 0
		}
		p := (seg | seg>>8) & 0x00ff00ff00ff00ff // rows 2i|2i+1 in byte 2i
		p = (p | p>>1) & 0x0055005500550055      // 2×2 boxes: even bits
		c2 := bits.OnesCount64(p)
		p = (p | p>>16) & 0x000000ff000000ff // 4-row bands in bytes 0, 4
		p = (p | p>>2) & 0x0000001100000011  // 4×4 boxes
		c4 := bits.OnesCount64(p)
		e := f.table[(k*r1+c2)*r2+c4]
		fd[b], fr2[b] = e[0], e[1]
	}
}

// chunkSumsAny and chunkCountsAny pick the version for r.
func (l *Bands) chunkSumsAny(mat []float32, i0, b0, b1 int, sums, xlnx, tl []float64, quad bool, c0, tw int, scale float64) {
	switch l.R {
	case 4:
		l.chunkSums4(mat, i0, b0, b1, sums, xlnx, tl, c0, tw, scale)
	case 8:
		l.chunkSums8(mat, i0, b0, b1, sums, xlnx, tl, c0, tw, scale)
	default:
		l.chunkSums(mat, i0, b0, b1, sums, xlnx, tl, quad, c0, tw, scale)
	}
}

func (l *Bands) chunkCountsAny(b0, b1 int, fd, fr2 []float32, f *segmentFit, mk []uint8, c0, mw int) {
	switch {
	case l.R == 4 && f.table != nil && !f.paper:
		l.chunkCounts4(b0, b1, fd, fr2, f, mk, c0, mw)
	case l.R == 8 && f.table != nil && !f.paper:
		l.chunkCounts8(b0, b1, fd, fr2, f, mk, c0, mw)
	default:
		l.chunkCounts(b0, b1, fd, fr2, f, mk, c0, mw)
	}
}
