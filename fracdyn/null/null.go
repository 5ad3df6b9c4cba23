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
	gaussFill(dst, mu, sd, rng)
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

// Measure computes one or more measures of a tensor w read as v, drawn
// from null k (k is "" for the observed tensor), always the same number in
// the same order. It may be called concurrently. A NaN value is a measure
// with no fit on that tensor. Knowing k lets a measure reuse what a null
// keeps: a permutation keeps every quantile of |w|, so the observed mask
// threshold holds for it exactly.
type Measure[T float32 | float64] func(w []T, v View, k Kind) []float64

// Options tune Test. The zero value gives the defaults.
type Options struct {
	Draws   int    // draws per null; 0: DefaultDraws
	Kinds   []Kind // nulls; nil: Kinds()
	Seed    uint64 // 0: 1
	Workers int    // concurrent draws; 0: GOMAXPROCS
	// Block, when set, is the leading block that is measured, observed and
	// drawn alike: its first Count matrices, each cut to its first Rows
	// rows and Cols columns. Nulls are drawn from the whole tensor (see
	// DrawBlock), so a block is a sample of each null. Zero: the whole.
	Block View
}

// DefaultDraws is the number of draws per null. With the block sampling of
// MatrixBlock, nine draws per null keep the nulls of a snapshot within the
// time of its analysis (BENCHMARKS.md, "Null models"); the verdict then
// rests on the z-score, with the draws' range as a guard (see Result).
const DefaultDraws = 9

// BlockShare is the inverse of the share of a large tensor that the
// draws of MatrixBlock read together: 2, half the tensor, so that the
// matrix nulls of a snapshot cost about half its analysis (BENCHMARKS.md,
// "Null models": 0.68–0.88× of the analysis's CPU time with the whole
// tensor read once).
const BlockShare = 2

// SmallTensor is the size up to which MatrixBlock measures a single
// matrix whole, and MinMatrices the fewest matrices of a stack (conv
// kernels) it keeps.
const (
	SmallTensor = 1 << 16
	MinMatrices = 64
)

// MatrixBlock returns the block of a tensor read as v that each of draws
// draws of kinds nulls measures, so that all of them together cost about
// half as much as measuring the tensor once (BlockShare): a single matrix
// whole up to SmallTensor elements, else a leading block along its longer
// side (the shorter side kept whole, so box sizes up to it still fit, and
// the block at least square), about max(SmallTensor,
// v.Len()/(BlockShare·draws·kinds)) elements; of a stack of matrices,
// whose cost is per matrix, the leading max(MinMatrices,
// Count/(BlockShare·draws·kinds)) of them. The observed value is
// recomputed on the same block (Test), so a smaller block costs precision
// in both alike, not bias.
func MatrixBlock(v View, draws, kinds int) View {
	if draws <= 0 {
		draws = DefaultDraws
	}
	per := BlockShare * draws * max(kinds, 1)
	b := v
	if v.Count > 1 {
		b.Count = min(v.Count, max(MinMatrices, v.Count/per))
		return b
	}
	if n := v.Len(); n > SmallTensor {
		want := max(SmallTensor, n/per)
		if v.Rows <= v.Cols {
			b.Cols = min(v.Cols, max(v.Rows, want/v.Rows))
		} else {
			b.Rows = min(v.Rows, max(v.Cols, want/v.Cols))
		}
	}
	return b
}

func (o Options) defaults(v View) Options {
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
	if o.Block.Len() == 0 {
		o.Block = v
	}
	return o
}

// Block copies the leading block b of src (read as v) into dst.
func Block[T float32 | float64](dst, src []T, v, b View) {
	k := 0
	for m := range b.Count {
		for i := range b.Rows {
			row := src[(m*v.Rows+i)*v.Cols:]
			k += copy(dst[k:k+b.Cols], row[:b.Cols])
		}
	}
}

// DrawBlock fills dst (b.Len() values) with a block of shape b of a draw
// of null k from src read as v, using scratch (len(src) values) under the
// element permutation: the element permutation's block is a sample of b.Len()
// elements without replacement (a partial Fisher–Yates); the row/column
// permutation's, b.Count matrices drawn without replacement, each with
// b.Rows of its rows and b.Cols of its columns drawn without replacement in
// random order; the Gaussian's, b.Len() normal values. With b = v it is
// Draw.
func DrawBlock[T float32 | float64](dst, scratch, src []T, v, b View, k Kind, rng *rand.Rand) {
	mu, sd := moments(src)
	drawBlock(dst, scratch, src, v, b, k, mu, sd, rng)
}

// drawBlock is DrawBlock with the Gaussian's moments given.
func drawBlock[T float32 | float64](dst, scratch, src []T, v, b View, k Kind, mu, sd float64, rng *rand.Rand) {
	if b == v && k != Gauss {
		Draw(dst, src, v, k, rng)
		return
	}
	n := b.Len()
	switch k {
	case Perm:
		if 4*n <= len(src) { // few: rejection sampling over a bitset
			taken := make([]uint64, (len(src)+63)/64)
			for d := 0; d < n; {
				j := rng.IntN(len(src))
				if taken[j/64]&(1<<(j%64)) == 0 {
					taken[j/64] |= 1 << (j % 64)
					dst[d] = src[j]
					d++
				}
			}
			return
		}
		copy(scratch, src)
		for i := range n {
			j := i + rng.IntN(len(scratch)-i)
			scratch[i], scratch[j] = scratch[j], scratch[i]
		}
		copy(dst, scratch[:n])
	case RowCol:
		mats, rows, cols := sample(v.Count, b.Count, rng), make([]int, 0, b.Rows), make([]int, 0, b.Cols)
		d := 0
		for _, m := range mats {
			rows, cols = sampleInto(rows, v.Rows, b.Rows, rng), sampleInto(cols, v.Cols, b.Cols, rng)
			for _, i := range rows {
				row := src[(m*v.Rows+i)*v.Cols:]
				for _, j := range cols {
					dst[d] = row[j]
					d++
				}
			}
		}
	case Gauss:
		gaussFill(dst[:n], mu, sd, rng)
	default:
		panic("null: unknown kind " + string(k))
	}
}

// gaussFill fills dst with iid normal values of mean mu and standard
// deviation sd.
func gaussFill[T float32 | float64](dst []T, mu, sd float64, rng *rand.Rand) {
	for i := range dst {
		dst[i] = T(mu + sd*rng.NormFloat64())
	}
}

// sample returns k distinct indices of 0…n−1 in random order.
func sample(n, k int, rng *rand.Rand) []int { return sampleInto(nil, n, k, rng) }

func sampleInto(dst []int, n, k int, rng *rand.Rand) []int {
	if k*4 >= n {
		p := make([]int, n)
		perm(p, rng)
		return append(dst[:0], p[:k]...)
	}
	seen := make(map[int]bool, k)
	dst = dst[:0]
	for len(dst) < k {
		if j := rng.IntN(n); !seen[j] {
			seen[j] = true
			dst = append(dst, j)
		}
	}
	return dst
}

// Test computes measure on opts.Draws draws of each null of src (read as
// v) and compares observed (measure of src itself, len(observed) values)
// with them. It returns out[i][k]: measure i under null opts.Kinds[k].
// With opts.Block smaller than v, the block is what is measured: the
// observed values are recomputed on src's leading block and each draw is a
// block of its null (DrawBlock); every Result's Elements says so. Draws
// run concurrently, each with its own RNG (RNG), so the same seed gives
// the same numbers on any number of workers.
func Test[T float32 | float64](src []T, v View, observed []float64, measure Measure[T], opts Options) ([][]Result, error) {
	if len(src) != v.Len() {
		return nil, fmt.Errorf("null: %d values do not fill %d matrices of %d×%d", len(src), v.Count, v.Rows, v.Cols)
	}
	o := opts.defaults(v)
	b := o.Block
	if b.Count > v.Count || b.Rows > v.Rows || b.Cols > v.Cols || b.Len() <= 0 {
		return nil, fmt.Errorf("null: block %+v does not fit the tensor's %+v", b, v)
	}
	for _, k := range o.Kinds {
		if _, err := ParseKind(string(k)); err != nil {
			return nil, err
		}
	}
	if b != v {
		blk := make([]T, b.Len())
		Block(blk, src, v, b)
		observed = measure(blk, b, "")
	}
	nk := len(o.Kinds)
	mu, sd := moments(src)
	// vals[k][d] is the measures of draw d of null k.
	vals := make([][][]float64, nk)
	for k := range vals {
		vals[k] = make([][]float64, o.Draws)
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(o.Workers, nk*o.Draws) {
		wg.Go(func() {
			buf := make([]T, b.Len())
			var scratch []T
			if b != v && 4*b.Len() > len(src) {
				scratch = make([]T, len(src))
			}
			for j := range jobs {
				k, d := j/o.Draws, j%o.Draws
				drawBlock(buf, scratch, src, v, b, o.Kinds[k], mu, sd, RNG(o.Seed, o.Kinds[k], d))
				vals[k][d] = measure(buf, b, o.Kinds[k])
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
			out[i][k].Elements = b.Len()
		}
	}
	return out, nil
}
