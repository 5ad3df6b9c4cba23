package fractal

import (
	"encoding/binary"
	"math"
	"math/bits"
)

// segmentFit holds what the per-segment fit of the fused kernel needs at one
// scale r: the regression abscissae x = −ln s over the box sizes s of
// SegmentSizes(r), their mean and spread, ln k for the box counts, and
// 1/ln r for the paper's form.
type segmentFit struct {
	paper  bool
	xc     []float64 // x − x̄
	invSxx float64   // 1/Σ (x − x̄)²
	invN   float64   // 1/len(xc)
	lnInt  []float64 // ln k, k = 0 … r² (ln 0 unused)
	invLnR float64
	ys     []float64 // scratch: ln N(s)
	// For small r, the fit of every tuple of box counts N(1), N(2), …
	// below N(r) = 1, indexed in mixed radix: table[idx] = (FD, R²).
	radix   []int
	table   [][2]float32
	rowMask []uint64 // rowMask[lv]: bits at multiples of 2^lv
}

// fitTableMax bounds the entries of segmentFit.table (8 bytes each).
const fitTableMax = 1 << 13

// newSegmentFit returns the fit of scale r for a layer of the given number
// of segments (a table of fits when they are few and the segments many).
func newSegmentFit(r int, paper bool, segments int) segmentFit {
	sizes := SegmentSizes(r)
	f := segmentFit{paper: paper, xc: make([]float64, len(sizes)), ys: make([]float64, len(sizes)),
		lnInt: make([]float64, r*r+1), invLnR: 1 / math.Log(float64(r)), invN: 1 / float64(len(sizes))}
	var mx, sxx float64
	for i, s := range sizes {
		f.xc[i] = -math.Log(float64(s))
		mx += f.xc[i] * f.invN
	}
	for i := range f.xc {
		f.xc[i] -= mx
		sxx += f.xc[i] * f.xc[i]
	}
	f.invSxx = 1 / sxx
	for i := 1; i < len(f.lnInt); i++ {
		f.lnInt[i] = math.Log(float64(i))
	}
	// The count at size 2^lv is at most ⌈r/2^lv⌉².
	size := 1
	for lv := 0; lv < len(sizes)-1; lv++ {
		side := (r + (1 << lv) - 1) >> lv
		f.radix = append(f.radix, side*side+1)
		size *= side*side + 1
	}
	if size <= fitTableMax && segments >= size {
		f.table = make([][2]float32, size)
		counts := make([]int, len(f.radix))
		for idx := range f.table {
			rest, ok := idx, true
			for lv := len(counts) - 1; lv >= 0; lv-- {
				counts[lv] = rest % f.radix[lv]
				rest /= f.radix[lv]
				ok = ok && counts[lv] > 0
			}
			if !ok {
				continue // an empty level: never looked up
			}
			for lv, c := range counts {
				f.ys[lv] = f.lnInt[c]
			}
			f.ys[len(f.ys)-1] = 0
			f.table[idx][0], f.table[idx][1] = f.slope(f.ys)
		}
	}
	for lv := range 7 {
		var m uint64
		for b := 0; b < 64; b += 1 << lv {
			m |= 1 << b
		}
		f.rowMask = append(f.rowMask, m)
	}
	return f
}

// slope returns the least-squares slope of ys against the abscissae and the
// fit's R² (1 when every ys is equal): with centred abscissae x̃ (Σ x̃ = 0),
// slope = Σ x̃·y / Σ x̃², and R² = slope·Σ x̃·y / Σ (y − ȳ)².
func (f *segmentFit) slope(ys []float64) (d, r2 float32) {
	xc := f.xc[:len(ys)]
	var sy, sxy, syy float64
	for i, y := range ys {
		sy += y
		sxy += xc[i] * y
		syy += y * y
	}
	syy -= sy * sy * f.invN
	s := sxy * f.invSxx
	if syy <= 0 {
		return float32(s), 1
	}
	return float32(s), float32(min(max(s*sxy/syy, 0), 1))
}

// bitBand measures segments [b0, b1) of one band (segment row origin i0) of
// the matrix mat for 3 ≤ r ≤ 64: it writes their FD and R² into fd[b] and
// fr2[b], and their Σ|w| and Σ|w|·ln|w| into sums[b−b0] and xlnx[b−b0] (for
// entropyRow). Over the band's rows and columns [c0, c0+tw), tl holds
// |w|·ln|w| (row x at tl[x·tw:]), or, when quad (r a multiple of 4), the
// quadSums of each row (row x at tl[x·qw:], qw = 2·⌊tw/4⌋); mk holds their
// packed masks (maskRow), row x at mk[x·mw:].
//
// Each segment row's mask is one uint64 (bit y for column y); box counts at
// size 2^lv come from OR-ing row pairs and folding bit pairs (v | v>>2^(lv−1),
// kept at multiples of 2^lv), then a popcount. Bits and rows past r stay 0,
// so the grid is anchored at the segment's origin with partial boxes at its
// far edges, as BoxCount's.
func (l *LayerResult) bitBand(mat []float32, i0, b0, b1 int, fd, fr2 []float32, sums, xlnx []float64, f *segmentFit, tl []float64, quad bool, mk []uint8, c0, tw, mw int) {
	qw := tw / 4 * 2
	r, m := l.R, l.View.Cols
	nsz := len(f.ys)
	var rows [65]uint64
	for b := b0; b < b1; b++ {
		j0 := l.ColOrigins[b]
		var s0, s1, t0, t1 float64
		k := 0
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
				for _, v := range row {
					a := math.Abs(float64(v))
					s0 += a
					t0 += a * lnPos(a)
				}
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
			mb := maskBits(mk[x*mw:], off, r)
			rows[x] = mb
			k += bits.OnesCount64(mb)
		}
		sums[b-b0], xlnx[b-b0] = s0+s1, t0+t1
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

// onBit is 1 when the bit pattern b of some |w| is at least tauBits (so
// |w| ≥ τ and, with tauBits ≥ 1, |w| > 0), else 0, without a branch.
func onBit(b uint32, tauBits uint64) uint64 {
	return ((uint64(b) - tauBits) >> 63) ^ 1
}

// maskRowGo packs the mask of src into dst: bit y of dst[j] is 1 when the
// bit pattern of |src[8j+y]| is at least tauBits (tauBits ≥ 1).
func maskRowGo(dst []uint8, src []float32, tauBits uint32) {
	for j := 0; j < len(src); j += 8 {
		var b uint8
		for y, v := range src[j:min(j+8, len(src))] {
			b |= uint8(onBit(absBits(v), uint64(tauBits))) << y
		}
		dst[j/8] = b
	}
}

// maskBits returns r ≤ 64 bits of the packed mask row mk from bit j on.
// mk has at least 8 bytes past byte j/8.
func maskBits(mk []uint8, j, r int) uint64 {
	q, o := j>>3, uint(j&7)
	v := binary.LittleEndian.Uint64(mk[q:q+8]) >> o
	if r+int(o) > 64 {
		v |= uint64(mk[q+8]) << (64 - o)
	}
	if r < 64 {
		v &= 1<<r - 1
	}
	return v
}

// band4 is bitBand for r = 4 with a table of fits and sums of groups of four
// (quad): each segment row is one group, its mask 4 bits, and the counts
// N(1), N(2) come from the 16 bits of the segment in straight-line code.
func (l *LayerResult) band4(mat []float32, i0, b0, b1 int, fd, fr2 []float32, sums, xlnx []float64, f *segmentFit, tl []float64, mk []uint8, c0, tw, mw int) {
	m, qw := l.View.Cols, tw/4*2
	q0, q1, q2, q3 := tl[:qw], tl[qw:2*qw], tl[2*qw:3*qw], tl[3*qw:4*qw]
	k0, k1, k2, k3 := mk[:mw], mk[mw:2*mw], mk[2*mw:3*mw], mk[3*mw:4*mw]
	rad := f.radix[1]
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
				for _, v := range mat[(i0+x)*m+j0:][:4] {
					a := math.Abs(float64(v))
					s += a
					t += a * lnPos(a)
				}
			}
		}
		sums[b-b0], xlnx[b-b0] = s, t
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

// band8 is bitBand for r = 8 with a table of fits and sums of groups of four
// (quad): the segment's mask is one uint64 (row x in byte x), and the counts
// N(1), N(2), N(4) come from it by two rounds of row-pair ORs and bit-pair
// folds.
func (l *LayerResult) band8(mat []float32, i0, b0, b1 int, fd, fr2 []float32, sums, xlnx []float64, f *segmentFit, tl []float64, mk []uint8, c0, tw, mw int) {
	m, qw := l.View.Cols, tw/4*2
	r1, r2 := f.radix[1], f.radix[2]
	for b := b0; b < b1; b++ {
		j0 := l.ColOrigins[b]
		off := j0 - c0
		var s0, s1, t0, t1 float64
		var seg uint64
		if off&3 == 0 {
			for x := range 8 {
				q := tl[x*qw+off/2:][:4]
				s0 += q[0]
				t0 += q[1]
				s1 += q[2]
				t1 += q[3]
				seg |= maskBits(mk[x*mw:], off, 8) << (8 * x)
			}
		} else { // a last segment shifted back off the groups
			for x := range 8 {
				for _, v := range mat[(i0+x)*m+j0:][:8] {
					a := math.Abs(float64(v))
					s0 += a
					t0 += a * lnPos(a)
				}
				seg |= maskBits(mk[x*mw:], off, 8) << (8 * x)
			}
		}
		sums[b-b0], xlnx[b-b0] = s0+s1, t0+t1
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
