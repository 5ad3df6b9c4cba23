//go:build amd64 && !purego

package fractal

import "golang.org/x/sys/cpu"

// hasXlnxAVX2 says whether xlnxRow uses the AVX2/FMA kernel.
var hasXlnxAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func xlnxRowAVX2(dst []float64, src []float32)

//go:noescape
func entropyRowAVX2(h []float32, s, t []float64)

// xlnxRow sets dst[i] = |src[i]|·ln|src[i]| (0 for 0), four at a time with
// AVX2 where the CPU has it (error < 2e-11·|src[i]| plus rounding), the rest
// with xlogx32. len(dst) ≥ len(src).
func xlnxRow(dst []float64, src []float32) {
	dst = dst[:len(src)]
	n := 0
	if hasXlnxAVX2 {
		n = len(src) &^ 3
		if n > 0 {
			xlnxRowAVX2(dst[:n], src[:n])
		}
	}
	for i := n; i < len(src); i++ {
		dst[i] = xlogx32(abs32(src[i]))
	}
}

// entropyRow sets h[i] = max(ln s[i] − t[i]/s[i], 0), the entropy of a
// segment with Σ|w| = s[i] and Σ|w|·ln|w| = t[i], or 0 where s[i] = 0: four
// at a time with AVX2 where the CPU has it (ln within 2e-11), the rest with
// lnPos. s and t are at least as long as h.
func entropyRow(h []float32, s, t []float64) {
	n := 0
	if hasXlnxAVX2 {
		n = len(h) &^ 3
		if n > 0 {
			entropyRowAVX2(h[:n], s[:n], t[:n])
		}
	}
	entropyRowGo(h[n:], s[n:], t[n:])
}
