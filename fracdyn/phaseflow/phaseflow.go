package phaseflow

import (
	"fmt"
	"math"
)

// Derivatives holds dL/dt and d²L/dt² at the interior samples of a curve.
type Derivatives struct {
	T  []float64 // times of the interior samples
	L  []float64 // the (smoothed, if asked) curve there
	D1 []float64 // dL/dt
	D2 []float64 // d²L/dt²
	// Index[k] is the index in the input of point k (k+1: the first input
	// sample has no central difference).
	Index []int
}

// Differentiate returns the first and second derivatives of y sampled at
// strictly increasing times t by the three-point formulas of the package
// documentation. smooth ≤ 1 leaves y as it is; smooth > 1 first takes the
// centred moving average over smooth samples (MovingAverage).
func Differentiate(t, y []float64, smooth int) (Derivatives, error) {
	var d Derivatives
	if len(t) != len(y) {
		return d, fmt.Errorf("phaseflow: %d times for %d values", len(t), len(y))
	}
	if len(y) < 3 {
		return d, fmt.Errorf("phaseflow: %d samples, need at least 3 for second differences", len(y))
	}
	for i := 1; i < len(t); i++ {
		if !(t[i] > t[i-1]) {
			return d, fmt.Errorf("phaseflow: times do not increase at sample %d (%v after %v)", i, t[i], t[i-1])
		}
	}
	if smooth > 1 {
		y = MovingAverage(nil, y, smooth)
	}
	n := len(y) - 2
	d = Derivatives{T: make([]float64, n), L: make([]float64, n), D1: make([]float64, n), D2: make([]float64, n), Index: make([]int, n)}
	for i := 1; i <= n; i++ {
		h1, h2 := t[i]-t[i-1], t[i+1]-t[i]
		a, b, c := y[i-1], y[i], y[i+1]
		k := i - 1
		d.T[k], d.L[k], d.Index[k] = t[i], b, i
		d.D1[k] = -h2/(h1*(h1+h2))*a + (h2-h1)/(h1*h2)*b + h1/(h2*(h1+h2))*c
		d.D2[k] = 2 * (a/(h1*(h1+h2)) - b/(h1*h2) + c/(h2*(h1+h2)))
	}
	return d, nil
}

// MovingAverage sets dst[i] to the mean of y over the centred window of
// width w (rounded up to odd), shrunk symmetrically near the ends, and
// returns dst (allocated when nil or short).
func MovingAverage(dst, y []float64, w int) []float64 {
	if len(dst) < len(y) {
		dst = make([]float64, len(y))
	}
	dst = dst[:len(y)]
	half := max(0, w/2)
	prefix := make([]float64, len(y)+1)
	for i, v := range y {
		prefix[i+1] = prefix[i] + v
	}
	for i := range y {
		h := min(half, i, len(y)-1-i)
		dst[i] = (prefix[i+h+1] - prefix[i-h]) / float64(2*h+1)
	}
	return dst
}

// EpochMeans averages y over the samples of each epoch, in order of first
// appearance: epochs[k] is the k-th distinct epoch and means[k] its mean.
func EpochMeans(epoch []int, y []float64) (epochs []int, means []float64) {
	pos := map[int]int{}
	var counts []float64
	for i, e := range epoch {
		k, ok := pos[e]
		if !ok {
			k = len(epochs)
			pos[e] = k
			epochs = append(epochs, e)
			means = append(means, 0)
			counts = append(counts, 0)
		}
		means[k] += y[i]
		counts[k]++
	}
	for k := range means {
		means[k] /= counts[k]
	}
	return epochs, means
}

// FractionalEpochs maps each step to a continuous epoch coordinate for
// colouring: the e-th epoch's steps spread evenly over [e−1, e), in order.
func FractionalEpochs(epoch []int) []float64 {
	out := make([]float64, len(epoch))
	for i := 0; i < len(epoch); {
		j := i
		for j < len(epoch) && epoch[j] == epoch[i] {
			j++
		}
		for k := i; k < j; k++ {
			out[k] = float64(epoch[i]-1) + float64(k-i)/float64(j-i)
		}
		i = j
	}
	return out
}

// ChunkMeans cuts the path (x_i, y_i) into chunks consecutive pieces of
// near-equal length and returns the mean point of each; NaNs are skipped.
func ChunkMeans(x, y []float64, chunks int) (mx, my []float64) {
	n := min(len(x), len(y))
	chunks = min(chunks, n)
	for c := 0; c < chunks; c++ {
		a, b := c*n/chunks, (c+1)*n/chunks
		sx, sy, k := 0.0, 0.0, 0
		for i := a; i < b; i++ {
			if math.IsNaN(x[i]) || math.IsNaN(y[i]) {
				continue
			}
			sx += x[i]
			sy += y[i]
			k++
		}
		if k > 0 {
			mx = append(mx, sx/float64(k))
			my = append(my, sy/float64(k))
		}
	}
	return mx, my
}
