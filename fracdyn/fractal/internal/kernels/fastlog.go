package kernels

import "math"

// lnTab[i] = ln(1 + i/1024) and lnInv[i] = 2⁻⁵²/(1 + i/1024): the tables of
// LnPos.
var lnTab, lnInv = func() (t, inv [1024]float64) {
	for i := range t {
		m := 1 + float64(i)/1024
		t[i] = math.Log(m)
		inv[i] = math.Ldexp(1, -52) / m
	}
	return t, inv
}()

// LnPos returns ln x for a positive, normal float64 x, to within 3e-13
// (absolute, plus rounding of e·ln 2) and without a branch: with x = 2^e·(1 + i/1024 + δ), the top 10
// bits of the mantissa pick ln(1 + i/1024) from a table, the low 42 bits
// give d = δ/(1 + i/1024) < 2⁻¹⁰ exactly, and ln(1 + d) is three terms of
// its series (error < d⁴/4). The fused layer kernel uses it for the
// entropy where the AVX2 kernels (xlnx_amd64.s) do not run, and for the
// rows' tails.
func LnPos(x float64) float64 {
	b := math.Float64bits(x)
	e := int(b>>52) - 1023
	i := (b >> 42) & 1023
	d := float64(b&(1<<42-1)) * lnInv[i]
	return float64(e)*math.Ln2 + lnTab[i] + d*(1-d*(0.5-d*(1.0/3)))
}

// Xlogx32 returns a·ln a for a float32 a ≥ 0, with 0·ln 0 = 0, without a
// branch: float32 subnormals are normal as float64, and LnPos(0) is the
// finite −1023·ln 2, so that 0·LnPos(0) = 0.
func Xlogx32(a float32) float64 {
	x := float64(a)
	return x * LnPos(x)
}

// entropyRowGo is EntropyRow with LnPos.
func entropyRowGo(h []float32, s, t []float64) {
	for i := range h {
		h[i] = 0
		if s[i] > 0 {
			h[i] = float32(max(LnPos(s[i])-t[i]/s[i], 0))
		}
	}
}

// quadSumsGo sets, for each group g of four weights a = scale·|src[4g…4g+3]|
// (g < len(src)/4), dst[2g] = Σ a and dst[2g+1] = Σ a·ln a.
func quadSumsGo(dst []float64, src []float32, scale float64) {
	for g := 0; g+3 < len(src); g += 4 {
		var s, t float64
		for _, v := range src[g : g+4] {
			a := math.Abs(float64(v)) * scale
			s += a
			t += a * LnPos(a)
		}
		dst[g/2], dst[g/2+1] = s, t
	}
}

// EntropyScale is the factor the vector entropy kernels multiply |w| by
// before their float32 logarithm, 1/τ for a mask threshold τ in
// [2⁻¹⁰⁰, 2¹⁰⁰] (else 1): typical weights then have |ln a| of a few units,
// where float32 logarithms are accurate in absolute terms, whatever the
// layer's scale. H = ln S − (Σ a ln a)/S does not depend on it.
func EntropyScale(tau float32) float64 {
	if t := float64(tau); t >= 0x1p-100 && t <= 0x1p100 {
		return 1 / t
	}
	return 1
}
