package fractal

import (
	"math"
)

// Entropy returns the Shannon entropy, in nats (natural log), of the
// magnitude distribution of a segment:
//
//	H(S) = −Σ_i p_i ln p_i,   p_i = |w_i| / Σ_j |w_j|,
//
// with 0·ln 0 = 0. It lies in [0, ln |S|]: ln |S| for a constant non-zero
// segment, 0 when one weight holds all the mass. An all-zero segment has no
// distribution; its entropy is defined as 0. Non-finite weights give NaN
// (LayerSegments reports them as errors).
func Entropy(seg []float64) float64 {
	var s float64
	for _, v := range seg {
		s += math.Abs(v)
	}
	if s == 0 {
		return 0
	}
	var h float64
	for _, v := range seg {
		if p := math.Abs(v) / s; p > 0 {
			h -= p * math.Log(p)
		}
	}
	return max(h, 0)
}

// Binning is a histogram over [Lo, Hi] in Bins equal bins, shared by every
// segment of a layer so that their histogram entropies compare.
type Binning struct {
	Lo, Hi float64
	Bins   int
}

// DefaultBins is the number of bins of NewBinning when none is given.
const DefaultBins = 16

// NewBinning returns the binning of bins (DefaultBins if ≤ 0) equal bins
// over the range of the finite values of w (the whole layer).
func NewBinning(w []float64, bins int) Binning {
	if bins <= 0 {
		bins = DefaultBins
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range w {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	if lo > hi {
		lo, hi = 0, 0
	}
	return Binning{Lo: lo, Hi: hi, Bins: bins}
}

// Bin returns the bin of v: 0 … Bins−1, values outside [Lo, Hi] clamped.
func (b Binning) Bin(v float64) int {
	if b.Hi <= b.Lo {
		return 0
	}
	k := int((v - b.Lo) / (b.Hi - b.Lo) * float64(b.Bins))
	return min(max(k, 0), b.Bins-1)
}

// Entropy returns the Shannon entropy, in nats, of the histogram of seg on
// the binning: H = −Σ_b (c_b/|S|) ln(c_b/|S|). A constant segment (one bin)
// has H = 0; an empty segment has H = 0.
func (b Binning) Entropy(seg []float64) float64 {
	if len(seg) == 0 {
		return 0
	}
	counts := make([]int, b.Bins)
	for _, v := range seg {
		counts[b.Bin(v)]++
	}
	var h float64
	n := float64(len(seg))
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log(p)
		}
	}
	return max(h, 0)
}
