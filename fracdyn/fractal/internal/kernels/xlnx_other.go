//go:build !amd64 || purego

package fractal

// hasXlnxAVX2 says whether xlnxRow, entropyRow and bracketScan use their
// AVX2 kernels.
const hasXlnxAVX2 = false

// xlnxRow sets dst[i] = |src[i]|·ln|src[i]| (0 for 0) with xlogx32.
// len(dst) ≥ len(src).
func xlnxRow(dst []float64, src []float32) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = xlogx32(abs32(v))
	}
}

// entropyRow sets h[i] = max(ln s[i] − t[i]/s[i], 0), the entropy of a
// segment with Σ|w| = s[i] and Σ|w|·ln|w| = t[i], or 0 where s[i] = 0.
func entropyRow(h []float32, s, t []float64) { entropyRowGo(h, s, t) }

// bracketScan is bracketScanGo.
func bracketScan(part []float32, lo, hi uint32, buf []uint32) ([]uint32, int, uint32) {
	return bracketScanGo(part, lo, hi, buf)
}

// maskRow is maskRowGo.
func maskRow(dst []uint8, src []float32, tauBits uint32) { maskRowGo(dst, src, tauBits) }

// quadSums is quadSumsGo.
func quadSums(dst []float64, src []float32, scale float64) { quadSumsGo(dst, src, scale) }

// band2AVX2 is never called without AVX2.
func band2AVX2(row0, row1, fd, fr2, h []float32, tau1 uint32, scale float32, tabs *[16]float32) uint32 {
	panic("fractal: band2AVX2 without AVX2")
}

// maskRow2 is maskRow2Go.
func maskRow2(hiPlane, inPlane []uint8, src []float32, lo, hi uint32, buf []uint32) ([]uint32, int, uint32) {
	return maskRow2Go(hiPlane, inPlane, src, lo, hi, buf)
}

// resolveRows is resolveRowsGo.
func resolveRows(dst, hiPlane, inPlane []uint8, rows, stride, words int, ge []uint64, p int) int {
	return resolveRowsGo(dst, hiPlane, inPlane, rows, stride, words, ge, p)
}
