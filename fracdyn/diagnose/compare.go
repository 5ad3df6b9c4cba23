package diagnose

import (
	"math"
	"sort"

	"github.com/fracdyn/fracdyn/fracdyn/null"
	"gonum.org/v1/gonum/stat"

	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

// ComparePoint pairs a layer's fractal measures with its spectral α.
type ComparePoint struct {
	Model, Layer string
	Kind         weights.Kind
	Alpha        float64 // power-law α of the ESD (NaN without a fit)
	AlphaSigma   float64
	// FD holds the mean whole-matrix dimension of each estimator by
	// method name ("bc", "dbc", "variogram", "paper").
	FD map[string]float64
	// SegmentFD is the mean per-segment dimension at the smallest scale
	// analysed, and SegmentR that scale.
	SegmentFD float64
	SegmentR  int
	Entropy   float64 // mean matrix entropy
	// Nulls are the measures against null models by CompareMeasures name
	// (nil when not computed).
	Nulls map[string][]null.Result
}

// ComparePoints extracts the comparison of every analysed layer of a model.
func ComparePoints(modelName string, reports []LayerReport) []ComparePoint {
	var out []ComparePoint
	for _, r := range reports {
		if r.Err != "" {
			continue
		}
		p := ComparePoint{Model: modelName, Layer: r.Info.Name, Kind: r.Info.Kind, Alpha: r.Spectral.Fit.Alpha,
			AlphaSigma: r.Spectral.Fit.Sigma, FD: map[string]float64{}, SegmentFD: math.NaN(), Entropy: r.Entropy.Mean}
		for _, e := range r.Estimators {
			p.FD[string(e.Method)] = e.Dimension.Mean
		}
		if len(r.Scales) > 0 {
			p.SegmentFD, p.SegmentR = r.Scales[0].FD.Mean, r.Scales[0].R
		}
		if r.Nulls != nil {
			p.Nulls = map[string][]null.Result{"entropy": r.Nulls.Tests["matrix_entropy"]}
			for _, m := range []string{"bc", "dbc", "variogram", "paper"} {
				p.Nulls[m] = r.Nulls.Tests["fd_"+m]
			}
			if len(r.Scales) > 0 && r.Scales[0].Nulls != nil {
				p.Nulls["segment"] = r.Scales[0].Nulls.Tests["fd_mean"]
			}
		}
		out = append(out, p)
	}
	return out
}

// CompareMeasures names the fractal measures correlated with α, in order.
var CompareMeasures = []string{"bc", "dbc", "variogram", "paper", "segment", "entropy"}

// Measure returns the named measure of p (CompareMeasures).
func (p ComparePoint) Measure(name string) float64 {
	switch name {
	case "segment":
		return p.SegmentFD
	case "entropy":
		return p.Entropy
	}
	if v, ok := p.FD[name]; ok {
		return v
	}
	return math.NaN()
}

// Correlation is the association of one measure with α over the layers
// where both are finite.
type Correlation struct {
	Measure           string
	Pearson, Spearman float64
	N                 int
}

// Correlate returns, for each of CompareMeasures, the Pearson and Spearman
// correlations with α across points (NaN with fewer than 3 layers).
func Correlate(points []ComparePoint) []Correlation {
	var out []Correlation
	for _, name := range CompareMeasures {
		var x, y []float64
		for _, p := range points {
			a, v := p.Alpha, p.Measure(name)
			if isFinite(a) && isFinite(v) {
				x, y = append(x, v), append(y, a)
			}
		}
		c := Correlation{Measure: name, N: len(x), Pearson: math.NaN(), Spearman: math.NaN()}
		if len(x) >= 3 {
			c.Pearson = stat.Correlation(x, y, nil)
			c.Spearman = stat.Correlation(ranks(x), ranks(y), nil)
		}
		out = append(out, c)
	}
	return out
}

// ranks returns the ranks of v (1-based, ties averaged).
func ranks(v []float64) []float64 {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return v[idx[a]] < v[idx[b]] })
	r := make([]float64, len(v))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && v[idx[j+1]] == v[idx[i]] {
			j++
		}
		avg := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			r[idx[k]] = avg
		}
		i = j + 1
	}
	return r
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
