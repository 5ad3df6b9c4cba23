//go:build amd64 && !purego

package kernels

import (
	"slices"

	"golang.org/x/sys/cpu"
)

// HasAVX2 says whether XlnxRow, EntropyRow, QuadSums, MaskRow,
// MaskRow2, bracketScan and Band2Band use their AVX2 kernels.
var HasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA && cpu.X86.HasBMI1

//go:noescape
func xlnxRowAVX2(dst []float64, src []float32)

//go:noescape
func entropyRowAVX2(h []float32, s, t []float64)

//go:noescape
func quadSumsAVX2(dst []float64, src []float32, scale float32) (flags uint32)

//go:noescape
func maskRowAVX2(dst []uint8, src []float32, tauBits uint32)

//go:noescape
func band2AVX2(row0, row1, fd, fr2, h []float32, tau1 uint32, scale float32, tabs *[16]float32) (flags uint32)

//go:noescape
func maskRow2AVX2(hiPlane, inPlane []uint8, src []float32, lo, hi uint32, dst []uint32, pack *[256]uint64) (n, below int, flags uint32)

// leftPack[m] lists the lanes of the set bits of m in order, one byte each:
// maskRow2AVX2's VPERMD indices.
var leftPack = func() (t [256]uint64) {
	for m := range t {
		k := 0
		for y := range 8 {
			if m>>y&1 != 0 {
				t[m] |= uint64(y) << (8 * k)
				k++
			}
		}
	}
	return t
}()

//go:noescape
func resolveBMI2(dst, hiPlane, inPlane []uint8, rows, stride, words int, ge []uint64, p int) int

// hasBMI2 says whether ResolveRows uses resolveBMI2 (PDEP).
var hasBMI2 = cpu.X86.HasBMI2 && cpu.X86.HasPOPCNT

// XlnxRow sets dst[i] = |src[i]|·ln|src[i]| (0 for 0): eight at a time
// with AVX2 where the CPU has it, the logarithm in float32 (relative error
// of the product below 3e-7 for normal |src[i]|, absolute below 1e-36 for
// subnormals), the rest with Xlogx32 (float64). len(dst) ≥ len(src).
func XlnxRow(dst []float64, src []float32) {
	dst = dst[:len(src)]
	n := 0
	if HasAVX2 {
		n = len(src) &^ 7
		if n > 0 {
			xlnxRowAVX2(dst[:n], src[:n])
		}
	}
	for i := n; i < len(src); i++ {
		dst[i] = Xlogx32(Abs32(src[i]))
	}
}

// EntropyRow sets h[i] = max(ln s[i] − t[i]/s[i], 0), the entropy of a
// segment with Σ|w| = s[i] and Σ|w|·ln|w| = t[i], or 0 where s[i] = 0: four
// at a time with AVX2 where the CPU has it (ln within 2e-11), the rest with
// LnPos. s and t are at least as long as h.
func EntropyRow(h []float32, s, t []float64) {
	n := 0
	if HasAVX2 {
		n = len(h) &^ 3
		if n > 0 {
			entropyRowAVX2(h[:n], s[:n], t[:n])
		}
	}
	entropyRowGo(h[n:], s[n:], t[n:])
}

// bracketScan is the gathering pass of bracketRanks over part: it appends
// the bit patterns x of |w| with lo ≤ x ≤ hi to buf, and returns it with the
// count of x < lo and the OR of x + 2²³ (bit 31 set: a NaN or Inf in part).
// Eight at a time with AVX2 where the CPU has it, branch-free.
func bracketScan(part []float32, lo, hi uint32, buf []uint32) (out []uint32, below int, flags uint32) {
	if !HasAVX2 {
		return bracketScanGo(part, lo, hi, buf)
	}
	const block = 1 << 12
	var planes [2][block / 8]uint8 // maskRow2AVX2's planes, not needed here
	for len(part) >= 8 {
		blk := part[:min(block, len(part))&^7]
		part = part[len(blk):]
		buf = slices.Grow(buf, len(blk)+8) // each step stores eight lanes
		n, b, f := maskRow2AVX2(planes[0][:], planes[1][:], blk, lo, hi, buf[len(buf):cap(buf)], &leftPack)
		buf = buf[:len(buf)+n]
		below += b
		flags |= f
	}
	buf, b, f := bracketScanGo(part, lo, hi, buf)
	return buf, below + b, flags | f
}

// MaskRow packs the mask of src into dst: bit y of dst[j] is 1 when the bit
// pattern of |src[8j+y]| is at least tauBits (1 ≤ tauBits < 2³¹). dst holds
// at least ⌈len(src)/8⌉ bytes. Eight at a time with AVX2 where the CPU has
// it.
func MaskRow(dst []uint8, src []float32, tauBits uint32) {
	n := 0
	if HasAVX2 {
		n = len(src) &^ 7
		if n > 0 {
			maskRowAVX2(dst[:n/8], src[:n], tauBits)
		}
	}
	maskRowGo(dst[n/8:], src[n:], tauBits)
}

// QuadSums sets, for each group g of four weights a = scale·|src[4g…4g+3]|
// (g < len(src)/4), dst[2g] = Σ a and dst[2g+1] = Σ a·ln a: with AVX2 where
// the CPU has it, in float32 (relative error below 5e-7), else, or where a
// float32 sum overflows, with quadSumsGo (float64). scale is EntropyScale's.
func QuadSums(dst []float64, src []float32, scale float64) {
	if !HasAVX2 || quadSumsAVX2(dst, src, float32(scale)) != 0 {
		quadSumsGo(dst, src, scale)
	}
}

// MaskRow2 packs the two planes of the mask of src relative to a bracket
// [lo, hi] of bit patterns x = |w| (MaskRow's packing): hiPlane bit x > hi
// (on for any threshold in the bracket), inPlane bit lo ≤ x ≤ hi (decided
// by the threshold), and appends those x to buf in order. It returns buf,
// the count of x < lo and the OR of x + 2²³ (bit 31: a NaN or Inf). The
// planes hold at least ⌈len(src)/8⌉ bytes. Eight at a time with AVX2 where
// the CPU has it.
func MaskRow2(hiPlane, inPlane []uint8, src []float32, lo, hi uint32, buf []uint32) (out []uint32, below int, flags uint32) {
	n8 := 0
	if HasAVX2 {
		n8 = len(src) &^ 7
		if n8 > 0 {
			buf = slices.Grow(buf, n8+8) // each step stores eight lanes
			n, b, f := maskRow2AVX2(hiPlane[:n8/8], inPlane[:n8/8], src[:n8], lo, hi, buf[len(buf):cap(buf)], &leftPack)
			buf = buf[:len(buf)+n]
			below, flags = b, f
		}
	}
	buf, b, f := maskRow2Go(hiPlane[n8/8:], inPlane[n8/8:], src[n8:], lo, hi, buf)
	return buf, below + b, flags | f
}

// ResolveRows sets rows rows of dst (stride bytes apart, words 64-bit
// words each) to hiPlane | the bits of inPlane whose pattern is at least
// τ: ge holds, bit i, whether the i-th gathered pattern is (one word of
// slack past the last), and p is the first of them these rows use. It
// returns the next p. With BMI2, one PDEP per word.
func ResolveRows(dst, hiPlane, inPlane []uint8, rows, stride, words int, ge []uint64, p int) int {
	if hasBMI2 && rows > 0 && words > 0 {
		_ = dst[(rows-1)*stride+8*words-1]
		_, _ = hiPlane[(rows-1)*stride+8*words-1], inPlane[(rows-1)*stride+8*words-1]
		return resolveBMI2(dst, hiPlane, inPlane, rows, stride, words, ge, p)
	}
	return resolveRowsGo(dst, hiPlane, inPlane, rows, stride, words, ge, p)
}
