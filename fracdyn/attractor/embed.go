package attractor

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/stat"
)

// Series is a trajectory: Len() rows (time) of Cols values (dimensions),
// row-major in Data.
type Series struct {
	Data []float64
	Cols int
}

// Len is the number of time steps.
func (s Series) Len() int {
	if s.Cols == 0 {
		return 0
	}
	return len(s.Data) / s.Cols
}

// Column returns a copy of column c.
func (s Series) Column(c int) []float64 {
	out := make([]float64, s.Len())
	for t := range out {
		out[t] = s.Data[t*s.Cols+c]
	}
	return out
}

// Univariate wraps a scalar series.
func Univariate(x []float64) Series { return Series{Data: x, Cols: 1} }

// Embedding is a time-delay embedding of a Series: point t is
//
//	y_t = (x_t, x_{t+τ}, …, x_{t+(m−1)τ}),
//
// each x a row of Cols values, so a point has Width = m·Cols coordinates.
type Embedding struct {
	Lag, Dim int
	Cols     int
	Points   []float64 // N×Width, row-major
}

// Width is the number of coordinates of one point.
func (e *Embedding) Width() int { return e.Dim * e.Cols }

// N is the number of points.
func (e *Embedding) N() int { return len(e.Points) / e.Width() }

// Point returns point t (a view, not a copy).
func (e *Embedding) Point(t int) []float64 {
	w := e.Width()
	return e.Points[t*w : (t+1)*w]
}

// Embed returns the delay embedding of s with lag τ ≥ 1 and dimension m ≥ 1.
// It has Len() − (m−1)τ points; it panics if that is less than one.
func Embed(s Series, lag, dim int) *Embedding {
	if lag < 1 || dim < 1 {
		panic(fmt.Sprintf("attractor.Embed: lag %d and dimension %d must be ≥ 1", lag, dim))
	}
	n := s.Len() - (dim-1)*lag
	if n < 1 {
		panic(fmt.Sprintf("attractor.Embed: %d steps are too few for lag %d, dimension %d", s.Len(), lag, dim))
	}
	c := s.Cols
	e := &Embedding{Lag: lag, Dim: dim, Cols: c, Points: make([]float64, n*dim*c)}
	for t := 0; t < n; t++ {
		p := e.Points[t*dim*c : (t+1)*dim*c]
		for k := 0; k < dim; k++ {
			copy(p[k*c:(k+1)*c], s.Data[(t+k*lag)*c:(t+k*lag+1)*c])
		}
	}
	return e
}

// Autocorrelation returns ρ(τ) for τ = 0…maxLag of x (biased estimator,
// normalised so that ρ(0) = 1; all zeros for a constant x).
func Autocorrelation(x []float64, maxLag int) []float64 {
	n := len(x)
	maxLag = min(maxLag, n-1)
	out := make([]float64, maxLag+1)
	mean := stat.Mean(x, nil)
	var v float64
	for _, xi := range x {
		v += (xi - mean) * (xi - mean)
	}
	if v == 0 {
		return out
	}
	for tau := 0; tau <= maxLag; tau++ {
		s := 0.0
		for t := 0; t+tau < n; t++ {
			s += (x[t] - mean) * (x[t+tau] - mean)
		}
		out[tau] = s / v
	}
	return out
}

// MutualInformation returns I(x_t; x_{t+τ}) in nats for τ = 0…maxLag,
// estimated with bins equiprobable bins per axis (Fraser & Swinney 1986 use
// adaptive partitions; equiprobable bins are the simple, unbiased-marginal
// form of the same idea).
func MutualInformation(x []float64, maxLag, bins int) []float64 {
	n := len(x)
	maxLag = min(maxLag, n-2)
	if maxLag < 0 {
		return nil
	}
	lab := rankBins(x, bins)
	out := make([]float64, maxLag+1)
	joint := make([]float64, bins*bins)
	pa := make([]float64, bins)
	pb := make([]float64, bins)
	for tau := 0; tau <= maxLag; tau++ {
		clear(joint)
		clear(pa)
		clear(pb)
		m := n - tau
		for t := 0; t < m; t++ {
			a, b := lab[t], lab[t+tau]
			joint[a*bins+b]++
			pa[a]++
			pb[b]++
		}
		mi := 0.0
		for a := 0; a < bins; a++ {
			for b := 0; b < bins; b++ {
				if p := joint[a*bins+b]; p > 0 {
					mi += p / float64(m) * math.Log(p*float64(m)/(pa[a]*pb[b]))
				}
			}
		}
		out[tau] = mi
	}
	return out
}

// rankBins labels each value with its quantile bin 0…bins−1 (ties share the
// bin of their first rank).
func rankBins(x []float64, bins int) []int {
	order := make([]int, len(x))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return x[order[a]] < x[order[b]] })
	lab := make([]int, len(x))
	for r := 0; r < len(order); {
		q := r
		for q < len(order) && x[order[q]] == x[order[r]] {
			q++
		}
		b := r * bins / len(x)
		for k := r; k < q; k++ {
			lab[order[k]] = b
		}
		r = q
	}
	return lab
}

// LagChoice says how a delay was chosen.
type LagChoice struct {
	Lag         int    // the chosen delay, in samples
	MIMinimum   int    // first local minimum of the mutual information, 0 if none
	ACFCrossing int    // first τ with ρ(τ) < 1/e, 0 if none
	Rule        string // "mi", "acf", "min(mi,acf)" or "default"
}

// ChooseLag picks the embedding delay for x: the smaller of the first local
// minimum of the mutual information (Fraser & Swinney 1986) and the first
// crossing of 1/e by the autocorrelation. Taking the smaller keeps maps
// (whose autocorrelation vanishes at lag 1) at τ = 1 and flows at the
// usual MI minimum. With neither found within maxLag it returns 1.
func ChooseLag(x []float64, maxLag int) LagChoice {
	var c LagChoice
	bins := max(4, min(64, int(math.Cbrt(float64(len(x))))))
	mi := MutualInformation(x, maxLag, bins)
	for tau := 1; tau+1 < len(mi); tau++ {
		if mi[tau] < mi[tau-1] && mi[tau] <= mi[tau+1] {
			c.MIMinimum = tau
			break
		}
	}
	acf := Autocorrelation(x, maxLag)
	for tau := 1; tau < len(acf); tau++ {
		if acf[tau] < 1/math.E {
			c.ACFCrossing = tau
			break
		}
	}
	switch {
	case c.MIMinimum > 0 && c.ACFCrossing > 0:
		c.Lag, c.Rule = min(c.MIMinimum, c.ACFCrossing), "min(mi,acf)"
	case c.MIMinimum > 0:
		c.Lag, c.Rule = c.MIMinimum, "mi"
	case c.ACFCrossing > 0:
		c.Lag, c.Rule = c.ACFCrossing, "acf"
	default:
		c.Lag, c.Rule = 1, "default"
	}
	return c
}
