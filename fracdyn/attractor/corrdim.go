package attractor

import (
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/stat"
)

// Settings of the correlation-sum estimate.
const (
	// CorrBins is the number of log-spaced radii.
	CorrBins = 48
	// CorrDecades is how many decades below the largest radius they span.
	CorrDecades = 4.0
	// CorrMinPairs is the least number of pairs within r for C(r) to enter
	// a fit (its relative error is then at most about 1/√CorrMinPairs).
	CorrMinPairs = 200
	// CorrMaxC is the largest C(r) that may enter a fit: above it the
	// radius is comparable to the attractor and C saturates.
	CorrMaxC = 0.2
	// CorrWindow is the width of the scaling range, in bins (12 bins make a
	// decade, so 11 bins are a factor of about 8 in r).
	CorrWindow = 11
)

// CorrelationSum holds C(r), the fraction of pairs of points (|i − j| >
// Theiler) closer than r (Grassberger & Procaccia 1983).
type CorrelationSum struct {
	Radii []float64
	C     []float64
	Pairs []float64 // number of pairs within r
	Total float64   // number of pairs considered
}

// Correlate computes the correlation sum of e on CorrBins radii spanning
// CorrDecades decades up to a quarter of the attractor's extent (the
// largest coordinate range). At most maxRefs reference points, evenly
// spaced in time, are paired with all points through a k-d tree radius
// search, so the cost is O(maxRefs · (log N + pairs within r_max)). Fewer
// than two points, or a constant embedding, give an empty sum, whose
// FitCorrelation is NaN; Analyze refuses embeddings of fewer than
// MinPoints points (ErrTooShort) before calling it.
func Correlate(e *Embedding, theiler, maxRefs int) CorrelationSum {
	cs, _ := correlate(nil, e, theiler, maxRefs)
	return cs
}

// correlate is Correlate reporting to st and stopping with its context's
// error.
func correlate(st *stage, e *Embedding, theiler, maxRefs int) (CorrelationSum, error) {
	n, w := e.N(), e.Width()
	extent := 0.0
	for q := 0; q < w; q++ {
		lo, hi := math.Inf(1), math.Inf(-1)
		for t := 0; t < n; t++ {
			v := e.Points[t*w+q]
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		extent = math.Max(extent, hi-lo)
	}
	var cs CorrelationSum
	if extent == 0 || n < 2 {
		return cs, nil
	}
	rmax := extent / 4
	cs.Radii = make([]float64, CorrBins)
	floats.LogSpan(cs.Radii, rmax*math.Pow(10, -CorrDecades), rmax)
	counts := make([]float64, CorrBins)
	r2 := make([]float64, CorrBins)
	for b, r := range cs.Radii {
		r2[b] = r * r
	}
	tree := newKDTree(e.Points, w)
	stride := max(1, n/maxRefs)
	for i := 0; i < n; i += stride {
		if err := st.step(i/stride, (n+stride-1)/stride); err != nil {
			return CorrelationSum{}, err
		}
		lo, hi := max(0, i-theiler), min(n-1, i+theiler)
		cs.Total += float64(n - (hi - lo + 1))
		tree.within(e.Point(i), r2[CorrBins-1], func(j int, d2 float64) {
			if abs(j-i) <= theiler {
				return
			}
			// First bin whose radius is ≥ the distance.
			lo, hi := 0, CorrBins-1
			for lo < hi {
				mid := (lo + hi) / 2
				if r2[mid] >= d2 {
					hi = mid
				} else {
					lo = mid + 1
				}
			}
			counts[lo]++
		})
	}
	cs.Pairs = make([]float64, CorrBins)
	cs.C = make([]float64, CorrBins)
	acc := 0.0
	for b := range counts {
		acc += counts[b]
		cs.Pairs[b] = acc
		if cs.Total > 0 {
			cs.C[b] = acc / cs.Total
		}
	}
	return cs, nil
}

// DimensionFit is a correlation dimension with its scaling range.
type DimensionFit struct {
	D2       float64 // slope of ln C against ln r over the range
	R2       float64
	RMin     float64 // scaling range in r
	RMax     float64
	SlopeStd float64 // spread of local slopes in the range
}

// FitCorrelation chooses the scaling range of a correlation sum and fits
// the correlation dimension. Eligible radii have at least CorrMinPairs
// pairs and C(r) ≤ CorrMaxC. Local slopes are taken over three neighbouring
// radii; the scaling range is the window of CorrWindow eligible radii whose
// local slopes vary least, and D2 is the least-squares slope over it. With
// fewer eligible radii the whole eligible set is used; with fewer than
// three, D2 is NaN.
func FitCorrelation(cs CorrelationSum) DimensionFit {
	var lx, ly []float64
	for b, r := range cs.Radii {
		if cs.Pairs[b] >= CorrMinPairs && cs.C[b] <= CorrMaxC && cs.C[b] > 0 {
			lx = append(lx, math.Log(r))
			ly = append(ly, math.Log(cs.C[b]))
		}
	}
	nan := DimensionFit{D2: math.NaN(), R2: math.NaN(), SlopeStd: math.NaN()}
	if len(lx) < 3 {
		return nan
	}
	local := make([]float64, len(lx))
	for k := range lx {
		a, b := max(0, k-1), min(len(lx)-1, k+1)
		local[k] = (ly[b] - ly[a]) / (lx[b] - lx[a])
	}
	wn := min(CorrWindow, len(lx))
	bestA, bestStd := 0, math.Inf(1)
	for a := 0; a+wn <= len(lx); a++ {
		if s := stat.StdDev(local[a:a+wn], nil); s < bestStd {
			bestA, bestStd = a, s
		}
	}
	f := fitLine(lx, ly, bestA, bestA+wn-1)
	return DimensionFit{D2: f.Slope, R2: f.R2, RMin: math.Exp(lx[bestA]),
		RMax: math.Exp(lx[bestA+wn-1]), SlopeStd: bestStd}
}
