package boundary

import (
	"math/rand/v2"
)

// Problem is the data and the initial network shared by every grid point
// of an experiment, all drawn from the seed.
type Problem struct {
	Width, Points int
	X             []float32 // [Points, Width] inputs, N(0, 1)
	Y             []float32 // [Points] targets, N(0, 1)
	W0            []float32 // [Width, Width] initial input layer, N(0, 1)
	W1            []float32 // [Width] initial output layer, N(0, 1)
	seed          uint64
}

// Streams of the seed: each random quantity has its own PCG stream, so
// that changing one (say the number of points) leaves the others as they
// were.
const (
	streamWeights uint64 = 1 + iota
	streamData
	streamMinibatch
)

// NewProblem draws the data and the initial weights of c from c.Seed.
func NewProblem(c Config) *Problem {
	w, n := c.Width, c.DataPoints()
	p := &Problem{Width: w, Points: n, seed: c.Seed}
	rw := rand.New(rand.NewPCG(c.Seed, streamWeights))
	p.W0 = normals(rw, w*w)
	p.W1 = normals(rw, w)
	rd := rand.New(rand.NewPCG(c.Seed, streamData))
	p.X = normals(rd, n*w)
	p.Y = normals(rd, n)
	return p
}

func normals(r *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return v
}

// Minibatches returns, for each of steps steps, the indices of the size
// training points drawn with replacement for that step's gradient: the same
// draws for every grid point, as in the paper.
func (p *Problem) Minibatches(steps, size int) [][]int {
	r := rand.New(rand.NewPCG(p.seed, streamMinibatch))
	idx := make([][]int, steps)
	for t := range idx {
		idx[t] = make([]int, size)
		for k := range idx[t] {
			idx[t][k] = r.IntN(p.Points)
		}
	}
	return idx
}

// rows gathers the points idx of the data.
func (p *Problem) rows(idx []int) (x, y []float32) {
	w := p.Width
	x = make([]float32, 0, len(idx)*w)
	y = make([]float32, 0, len(idx))
	for _, i := range idx {
		x = append(x, p.X[i*w:(i+1)*w]...)
		y = append(y, p.Y[i])
	}
	return x, y
}
