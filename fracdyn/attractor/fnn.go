package attractor

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat"
)

// Thresholds of the false-nearest-neighbour test (Kennel, Brown & Abarbanel
// 1992).
const (
	// FNNRtol flags a neighbour as false when the distance added by the next
	// delay coordinate exceeds FNNRtol times the distance in dimension d.
	FNNRtol = 15.0
	// FNNAtol flags a neighbour as false when its distance in dimension d+1
	// exceeds FNNAtol times the attractor size R_A (the standard deviation
	// of the series).
	FNNAtol = 2.0
	// FNNFraction is the fraction of false neighbours below which a
	// dimension is accepted as unfolding the attractor.
	FNNFraction = 0.01
)

// DimChoice says how an embedding dimension was chosen.
type DimChoice struct {
	Dim int
	// Fractions[d-1] is the fraction of false nearest neighbours in
	// dimension d.
	Fractions []float64
	// Converged is true when Fractions[Dim-1] < FNNFraction. When no
	// dimension up to the maximum gets there, Dim is the one with the fewest
	// false neighbours and Converged is false: the series does not look like
	// a low-dimensional deterministic system.
	Converged bool
}

// FalseNeighbours returns the fraction of false nearest neighbours of s
// embedded with the given lag in dimension d = 1…maxDim. Nearest neighbours
// exclude points closer in time than theiler samples; at most maxRefs
// reference points (evenly spaced in time) are tested.
func FalseNeighbours(s Series, lag, maxDim, theiler, maxRefs int) []float64 {
	f, _ := falseNeighbours(nil, s, lag, maxDim, theiler, maxRefs)
	return f
}

// falseNeighbours is FalseNeighbours reporting to st and stopping with its
// context's error.
func falseNeighbours(st *stage, s Series, lag, maxDim, theiler, maxRefs int) ([]float64, error) {
	c := s.Cols
	ra := 0.0
	for j := 0; j < c; j++ {
		ra += stat.Variance(s.Column(j), nil)
	}
	ra = math.Sqrt(ra)
	var out []float64
	for d := 1; d <= maxDim; d++ {
		// Points need the extra coordinate x_{t+d·lag}.
		n := s.Len() - d*lag
		if n < 2*theiler+10 {
			break
		}
		e := Embed(Series{Data: s.Data[:(n+(d-1)*lag)*c], Cols: c}, lag, d)
		tree := newKDTree(e.Points, e.Width())
		stride := max(1, n/maxRefs)
		var tested, falseNN int
		if st != nil {
			st.name = fmt.Sprintf("false neighbours m=%d of %d", d, maxDim)
		}
		for i := 0; i < n; i += stride {
			if err := st.step(i/stride, (n+stride-1)/stride); err != nil {
				return nil, err
			}
			j, rd2 := tree.nearest(e.Point(i), func(k int) bool { return abs(k-i) <= theiler }, true)
			if j < 0 {
				continue
			}
			rd := math.Sqrt(rd2)
			extra := 0.0
			for q := 0; q < c; q++ {
				v := s.Data[(i+d*lag)*c+q] - s.Data[(j+d*lag)*c+q]
				extra += v * v
			}
			extra = math.Sqrt(extra)
			tested++
			if extra/rd > FNNRtol || math.Hypot(rd, extra)/ra > FNNAtol {
				falseNN++
			}
		}
		if tested == 0 {
			break
		}
		out = append(out, float64(falseNN)/float64(tested))
	}
	return out, nil
}

// ChooseDim picks the embedding dimension by false nearest neighbours: the
// first d ≤ maxDim whose fraction is below FNNFraction.
func ChooseDim(s Series, lag, maxDim, theiler, maxRefs int) DimChoice {
	return chooseDim(FalseNeighbours(s, lag, maxDim, theiler, maxRefs))
}

// chooseDim picks the dimension from the false-neighbour fractions f.
func chooseDim(f []float64) DimChoice {
	dc := DimChoice{Dim: 1, Fractions: f}
	if len(f) == 0 {
		return dc
	}
	best := 0
	for d, v := range f {
		if v < FNNFraction {
			dc.Dim, dc.Converged = d+1, true
			return dc
		}
		if v < f[best] {
			best = d
		}
	}
	dc.Dim = best + 1
	return dc
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}
