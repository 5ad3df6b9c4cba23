package null

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
)

// Kind names a null model of a weight tensor.
type Kind string

const (
	// Perm permutes every element of the tensor: the value distribution is
	// kept, the arrangement destroyed.
	Perm Kind = "perm"
	// RowCol permutes the rows and, independently, the columns of each
	// matrix of the tensor: each row (a neuron's weights) keeps its values,
	// the order of neurons and of inputs is destroyed.
	RowCol Kind = "rowcol"
	// Gauss draws iid normal values with the tensor's mean and variance.
	Gauss Kind = "gauss"
)

// Kinds lists the null models in table order.
func Kinds() []Kind { return []Kind{Perm, RowCol, Gauss} }

// ParseKind returns the Kind named s.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds() {
		if string(k) == s {
			return k, nil
		}
	}
	return "", fmt.Errorf("unknown null model %q (want perm, rowcol or gauss)", s)
}

// View is how a flat tensor is read as Count matrices of Rows×Cols, stored
// one after the other in row-major order.
type View struct{ Count, Rows, Cols int }

// Len is the number of elements of the view.
func (v View) Len() int { return v.Count * v.Rows * v.Cols }

// ElementPermutation sets dst to a uniformly random permutation of src
// (Fisher–Yates). dst and src have the same length and may be the same slice.
func ElementPermutation[T float32 | float64](dst, src []T, rng *rand.Rand) {
	if len(dst) != len(src) {
		panic("null: ElementPermutation: length mismatch")
	}
	copy(dst, src)
	for i := len(dst) - 1; i > 0; i-- {
		j := rng.IntN(i + 1)
		dst[i], dst[j] = dst[j], dst[i]
	}
}

// RowColPermutation sets each matrix of dst to the matching matrix of src
// with its rows permuted by a random π and its columns by an independent
// random σ: dst[i][j] = src[π(i)][σ(j)]. Each matrix gets its own π and σ.
// dst and src must not overlap.
func RowColPermutation[T float32 | float64](dst, src []T, v View, rng *rand.Rand) {
	if len(dst) != v.Len() || len(src) != v.Len() {
		panic("null: RowColPermutation: length does not match the view")
	}
	pr, pc := make([]int, v.Rows), make([]int, v.Cols)
	for k := range v.Count {
		perm(pr, rng)
		perm(pc, rng)
		base := k * v.Rows * v.Cols
		for i, pi := range pr {
			d := dst[base+i*v.Cols : base+(i+1)*v.Cols]
			s := src[base+pi*v.Cols : base+(pi+1)*v.Cols]
			for j, sj := range pc {
				d[j] = s[sj]
			}
		}
	}
}

// perm fills p with a random permutation of 0…len(p)−1.
func perm(p []int, rng *rand.Rand) {
	for i := range p {
		j := rng.IntN(i + 1)
		p[i] = p[j]
		p[j] = i
	}
}

// Gaussian fills dst with iid normal values of mean μ and standard
// deviation σ, the population moments of src.
func Gaussian[T float32 | float64](dst, src []T, rng *rand.Rand) {
	mu, sd := moments(src)
	for i := range dst {
		dst[i] = T(mu + sd*rng.NormFloat64())
	}
}

// moments returns the mean and the population standard deviation of x.
func moments[T float32 | float64](x []T) (mu, sd float64) {
	if len(x) == 0 {
		return 0, 0
	}
	for _, v := range x {
		mu += float64(v)
	}
	mu /= float64(len(x))
	for _, v := range x {
		d := float64(v) - mu
		sd += d * d
	}
	return mu, math.Sqrt(sd / float64(len(x)))
}

// Draw fills dst with one draw of null k of src read as v.
func Draw[T float32 | float64](dst, src []T, v View, k Kind, rng *rand.Rand) {
	switch k {
	case Perm:
		ElementPermutation(dst, src, rng)
	case RowCol:
		RowColPermutation(dst, src, v, rng)
	case Gauss:
		Gaussian(dst, src, rng)
	default:
		panic("null: unknown kind " + string(k))
	}
}

// RNG returns the generator of draw d of null k under seed: every draw has
// its own stream, so results do not depend on how draws are scheduled.
func RNG(seed uint64, k Kind, d int) *rand.Rand {
	var h uint64 = 1469598103934665603 // FNV-1a of the kind's name
	for i := 0; i < len(k); i++ {
		h = (h ^ uint64(k[i])) * 1099511628211
	}
	return rand.New(rand.NewPCG(seed, h^uint64(d)*0x9e3779b97f4a7c15))
}

// Measure computes one or more measures of a tensor, always the same
// number in the same order. It may be called concurrently. A NaN value is
// a measure with no fit on that tensor.
type Measure[T float32 | float64] func(w []T) []float64

// Options tune Test. The zero value gives the defaults.
type Options struct {
	Draws   int    // draws per null; 0: DefaultDraws
	Kinds   []Kind // nulls; nil: Kinds()
	Seed    uint64 // 0: 1
	Workers int    // concurrent draws; 0: GOMAXPROCS
}

// DefaultDraws is the number of draws per null. Nine draws per null keep
// the nulls of a snapshot within the time of its analysis (BENCHMARKS.md,
// "Null models"); the verdict then rests on the z-score, with the draws'
// range as a guard (see Result).
const DefaultDraws = 9

func (o Options) defaults() Options {
	if o.Draws <= 0 {
		o.Draws = DefaultDraws
	}
	if o.Kinds == nil {
		o.Kinds = Kinds()
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return o
}

// Test computes measure on opts.Draws draws of each null of src (read as
// v) and compares observed (measure of src itself, len(observed) values)
// with them. It returns out[i][k]: measure i under null opts.Kinds[k].
// Draws run concurrently, each with its own RNG (RNG), so the same seed
// gives the same numbers on any number of workers.
func Test[T float32 | float64](src []T, v View, observed []float64, measure Measure[T], opts Options) ([][]Result, error) {
	if len(src) != v.Len() {
		return nil, fmt.Errorf("null: %d values do not fill %d matrices of %d×%d", len(src), v.Count, v.Rows, v.Cols)
	}
	o := opts.defaults()
	for _, k := range o.Kinds {
		if _, err := ParseKind(string(k)); err != nil {
			return nil, err
		}
	}
	nk := len(o.Kinds)
	// vals[k][d] is the measures of draw d of null k.
	vals := make([][][]float64, nk)
	for k := range vals {
		vals[k] = make([][]float64, o.Draws)
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(o.Workers, nk*o.Draws) {
		wg.Go(func() {
			buf := make([]T, len(src))
			for j := range jobs {
				k, d := j/o.Draws, j%o.Draws
				Draw(buf, src, v, o.Kinds[k], RNG(o.Seed, o.Kinds[k], d))
				vals[k][d] = measure(buf)
			}
		})
	}
	for j := range nk * o.Draws {
		jobs <- j
	}
	close(jobs)
	wg.Wait()
	out := make([][]Result, len(observed))
	for i, obs := range observed {
		out[i] = make([]Result, nk)
		draws := make([]float64, o.Draws)
		for k := range nk {
			for d := range o.Draws {
				if len(vals[k][d]) != len(observed) {
					return nil, fmt.Errorf("null: the measure returned %d values for %d observed", len(vals[k][d]), len(observed))
				}
				draws[d] = vals[k][d][i]
			}
			out[i][k] = Compare(obs, draws, o.Kinds[k])
		}
	}
	return out, nil
}
