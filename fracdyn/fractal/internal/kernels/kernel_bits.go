package kernels

import (
	"encoding/binary"
	"math"
)

// segmentFit holds what the per-segment fit of the fused kernel needs at one
// scale r: the regression abscissae x = −ln s over the box sizes s of
// sizes (fractal.SegmentSizes(r)), their mean and spread, ln k for the box counts, and
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
func newSegmentFit(sizes []int, r int, paper bool, segments int) segmentFit {
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
