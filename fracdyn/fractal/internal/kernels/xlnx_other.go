//go:build !amd64 || purego

package kernels

// HasAVX2 says whether XlnxRow, EntropyRow and bracketScan use their
// AVX2 kernels.
const HasAVX2 = false

// XlnxRow sets dst[i] = |src[i]|·ln|src[i]| (0 for 0) with Xlogx32.
// len(dst) ≥ len(src).
func XlnxRow(dst []float64, src []float32) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = Xlogx32(Abs32(v))
	}
}

// EntropyRow sets h[i] = max(ln s[i] − t[i]/s[i], 0), the entropy of a
// segment with Σ|w| = s[i] and Σ|w|·ln|w| = t[i], or 0 where s[i] = 0.
func EntropyRow(h []float32, s, t []float64) { entropyRowGo(h, s, t) }

// bracketScan is bracketScanGo.
func bracketScan(part []float32, lo, hi uint32, buf []uint32) ([]uint32, int, uint32) {
	return bracketScanGo(part, lo, hi, buf)
}

// MaskRow is maskRowGo.
func MaskRow(dst []uint8, src []float32, tauBits uint32) { maskRowGo(dst, src, tauBits) }

// QuadSums is quadSumsGo.
func QuadSums(dst []float64, src []float32, scale float64) { quadSumsGo(dst, src, scale) }

// band2AVX2 is never called without AVX2.
func band2AVX2(row0, row1, fd, fr2, h []float32, tau1 uint32, scale float32, tabs *[16]float32) uint32 {
	panic("fractal: band2AVX2 without AVX2")
}

// MaskRow2 is maskRow2Go.
func MaskRow2(hiPlane, inPlane []uint8, src []float32, lo, hi uint32, buf []uint32) ([]uint32, int, uint32) {
	return maskRow2Go(hiPlane, inPlane, src, lo, hi, buf)
}

// ResolveRows is resolveRowsGo.
func ResolveRows(dst, hiPlane, inPlane []uint8, rows, stride, words int, ge []uint64, p int) int {
	return resolveRowsGo(dst, hiPlane, inPlane, rows, stride, words, ge, p)
}
