package kernels

import (
	"encoding/binary"
	"math"
)

// Log2Small[k] = log₂ k for the on-counts of a 2×2 segment (log₂ 0 := 0).
var Log2Small = [5]float32{0, 0, 1, float32(math.Log2(3)), 2}

// R2Small[k] is the R² of a 2×2 segment with k on cells: 1 (a two-point fit)
// unless empty.
var R2Small = [5]float32{0, 1, 1, 1, 1}

// Abs32 clears the sign bit.
func Abs32(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) }

// OnBit is 1 when the bit pattern b of some |w| is at least tauBits (so
// |w| ≥ τ and, with tauBits ≥ 1, |w| > 0), else 0, without a branch.
func OnBit(b uint32, tauBits uint64) uint64 {
	return ((uint64(b) - tauBits) >> 63) ^ 1
}

// maskRowGo packs the mask of src into dst: bit y of dst[j] is 1 when the
// bit pattern of |src[8j+y]| is at least tauBits (tauBits ≥ 1).
func maskRowGo(dst []uint8, src []float32, tauBits uint32) {
	for j := 0; j < len(src); j += 8 {
		var b uint8
		for y, v := range src[j:min(j+8, len(src))] {
			b |= uint8(OnBit(AbsBits(v), uint64(tauBits))) << y
		}
		dst[j/8] = b
	}
}

// resolveRowsGo is ResolveRows without PDEP: one step per bit of inPlane,
// branch-free (the patterns lie next to τ, so "on" is a coin toss).
func resolveRowsGo(dst, hiPlane, inPlane []uint8, rows, stride, words int, ge []uint64, p int) int {
	for x := range rows {
		row, hrow, irow := dst[x*stride:], hiPlane[x*stride:], inPlane[x*stride:]
		for j := range words {
			on := binary.LittleEndian.Uint64(hrow[8*j:])
			for in := binary.LittleEndian.Uint64(irow[8*j:]); in != 0; in &= in - 1 {
				bit := ge[p>>6] >> (p & 63) & 1
				on |= in & -in & -bit
				p++
			}
			binary.LittleEndian.PutUint64(row[8*j:], on)
		}
	}
	return p
}

// band2Tables returns the lookup tables of band2AVX2: FD (then R², zero
// for the paper's form, which has no fit) by −k mod 8 for k on cells.
func band2Tables(paper bool) *[16]float32 {
	var t [16]float32
	for k := range 5 {
		t[(8-k)&7] = Log2Small[k]
		if !paper {
			t[8+(8-k)&7] = R2Small[k]
		}
	}
	return &t
}

var Band2Tabs, Band2TabsPaper = band2Tables(false), band2Tables(true)

// Band2Go measures the r = 2 segments at column origins of the two rows in
// float64: the on count k gives FD = log₂ k directly, and H = ln S − T/S.
func Band2Go(row0, row1 []float32, origins []int, fd, fr2, hh []float32, tauBits uint64, paper bool) {
	for b, j := range origins {
		a0, a1 := AbsBits(row0[j]), AbsBits(row0[j+1])
		a2, a3 := AbsBits(row1[j]), AbsBits(row1[j+1])
		k := OnBit(a0, tauBits) + OnBit(a1, tauBits) + OnBit(a2, tauBits) + OnBit(a3, tauBits)
		f0, f1 := math.Float32frombits(a0), math.Float32frombits(a1)
		f2, f3 := math.Float32frombits(a2), math.Float32frombits(a3)
		s := (float64(f0) + float64(f1)) + (float64(f2) + float64(f3))
		t := (Xlogx32(f0) + Xlogx32(f1)) + (Xlogx32(f2) + Xlogx32(f3))
		fd[b] = Log2Small[k]
		if !paper {
			fr2[b] = R2Small[k]
		}
		hh[b] = 0
		if s > 0 {
			hh[b] = float32(max(LnPos(s)-t/s, 0))
		}
	}
}

// Band2AVX2 measures eight r = 2 segments a step of the row pair row0,
// row1 (origins 2b) into fd, fr2 and h, in float32 on |w|/τ with tau1 =
// the bit pattern of τ minus one, scale the EntropyScale of τ and tabs
// Band2Tabs or Band2TabsPaper. A non-zero result means some segment's
// Σ|w|/τ left [2⁻¹⁰⁰, 2¹¹⁰): measure the band with Band2Go instead. Only
// where HasAVX2.
func Band2AVX2(row0, row1, fd, fr2, h []float32, tau1 uint32, scale float32, tabs *[16]float32) uint32 {
	return band2AVX2(row0, row1, fd, fr2, h, tau1, scale, tabs)
}

// Band2Band measures every segment of one band at r = 2 (segment row origin
// i0 of the matrix mat): FD = log₂ k for k on cells, its R² (1 unless
// empty, 0 for the paper's form) and the entropy. On AVX2 the segments at
// origins 2b go eight at a time through band2AVX2 (float32 throughout, on
// |w|/τ: H within 2e-6), unless one of them has Σ|w|/τ outside
// [2⁻¹⁰⁰, 2¹¹⁰), where the whole band is measured in float64 as the rest
// are.
func (l *Bands) Band2Band(mat []float32, i0 int, fd, fr2, hh []float32, tauBits uint64, paper bool) {
	m := l.View.Cols
	row0, row1 := mat[i0*m:][:m], mat[(i0+1)*m:][:m]
	n := 0
	if HasAVX2 {
		n = min(len(fd), m/2) &^ 7 // origins 2b, eight at a time
		tabs := Band2Tabs
		if paper {
			tabs = Band2TabsPaper
		}
		scale := float32(EntropyScale(math.Float32frombits(uint32(tauBits))))
		if n > 0 && Band2AVX2(row0[:2*n], row1[:2*n], fd[:n], fr2[:n], hh[:n], uint32(tauBits-1), scale, tabs) != 0 {
			n = 0
		}
	}
	Band2Go(row0, row1, l.ColOrigins[n:], fd[n:], fr2[n:], hh[n:], tauBits, paper)
}
