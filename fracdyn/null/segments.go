package null

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"

	"github.com/fracdyn/fracdyn/fracdyn/fractal"
	"github.com/fracdyn/fracdyn/internal/ordinal"
)

// MaxSegmentElements bounds the weights a null draw's segments cover: a
// layer at a scale r with more segments than SampleSize(r) has its segment
// nulls measured on a seeded uniform random sample of SampleSize(r) of its
// r×r segments (SampleSegments), the same positions in the layer and in
// every draw. Tables give the segments per draw beside the null columns,
// so a sampled null says so.
const MaxSegmentElements = 1 << 16

// SampleSize returns the segments a null draw measures at scale r when the
// layer has more: MaxSegmentElements/r², at least 4.
func SampleSize(r int) int { return max(4, MaxSegmentElements/(r*r)) }

// SegmentSample is a set of r×r segments of a tensor read as V, gathered
// into one Rows×Cols matrix: segment s of the sample is the grid cell
// (s / (Cols/R), s mod (Cols/R)). Pos[e] is the flat index in the tensor
// of the grid's element e; Distinct[e] numbers the distinct positions (the
// last segment along a side overlaps its neighbour: Origins), D of them,
// in the order of their first element e.
type SegmentSample struct {
	V          View
	R          int
	Segments   int // sampled
	Total      int // segments of the tensor
	Rows, Cols int // the grid matrix
	Pos        []int32
	Distinct   []int32
	D          int
	// origins[s] is the matrix and the origin (row, column) in it of
	// sampled segment s; mats lists the matrices the sample touches in the
	// order of their first segment, and slot[s] is the index in mats of
	// segment s's matrix.
	origins [][3]int32
	mats    []int32
	slot    []int32
}

// SampleSegments draws n of the r×r segments of a tensor read as v (the
// segments of fractal.Origins on each side of each matrix) uniformly at
// random without replacement, with a generator seeded by seed, and lays
// them out as a grid of A×B segments, A = max(2, ⌊√n⌋), B = ⌊n/A⌋ (so a
// few fewer than n when n is not A·B). r must be a valid scale of v's
// matrices. Every segment of the tensor has the same chance, wherever it
// lies.
func SampleSegments(v View, r, n int, seed uint64) (*SegmentSample, error) {
	if err := fractal.CheckScale(v.Rows, v.Cols, r); err != nil {
		return nil, err
	}
	ro, co := fractal.Origins(v.Rows, r), fractal.Origins(v.Cols, r)
	per := len(ro) * len(co)
	total := v.Count * per
	a := 2
	for (a+1)*(a+1) <= n {
		a++
	}
	b := n / a
	if b < 2 || a*b > total {
		return nil, fmt.Errorf("null: a sample of %d segments of %d (%d×%d in %d matrices at r=%d) does not make a grid of at least 2×2", n, total, v.Rows, v.Cols, v.Count, r)
	}
	s := &SegmentSample{V: v, R: r, Segments: a * b, Total: total, Rows: a * r, Cols: b * r}
	rng := rand.New(rand.NewPCG(seed, 0x5e9_5a3b1e))
	picks := sample(total, s.Segments, rng)
	s.Pos = make([]int32, s.Rows*s.Cols)
	s.origins = make([][3]int32, len(picks))
	s.slot = make([]int32, len(picks))
	slots := map[int]int32{}
	for k, p := range picks {
		m, q := p/per, p%per
		i0, j0 := ro[q/len(co)], co[q%len(co)]
		s.origins[k] = [3]int32{int32(m), int32(i0), int32(j0)}
		t, ok := slots[m]
		if !ok {
			t = int32(len(s.mats))
			slots[m] = t
			s.mats = append(s.mats, int32(m))
		}
		s.slot[k] = t
		gi, gj := (k/b)*r, (k%b)*r
		for x := range r {
			src := (m*v.Rows+i0+x)*v.Cols + j0
			dst := (gi+x)*s.Cols + gj
			for y := range r {
				s.Pos[dst+y] = int32(src + y)
			}
		}
	}
	var distinct []int32
	s.Distinct, distinct = ordinal.Number(s.Pos)
	s.D = len(distinct)
	return s, nil
}

// Gather copies the sampled segments of src into dst (the grid).
func (s *SegmentSample) Gather(dst, src []float32) {
	for e, p := range s.Pos {
		dst[e] = src[p]
	}
}

// drawScratch is one worker's scratch for SegmentSample.draw, reused
// across draws.
type drawScratch struct {
	vals  []float32 // the D distinct positions' values
	picks []int32   // Perm: the indices of src drawn, in draw order
	taken []uint64  // Perm: a bitset over src, all clear between draws
	rows  []int     // RowCol: the row permutation of each touched matrix
	cols  []int     // RowCol: the column permutation of each touched matrix
}

// newScratch returns the scratch of draws of s, with taken a clear bitset
// over the tensor's values.
func (s *SegmentSample) newScratch(taken []uint64) *drawScratch {
	return &drawScratch{
		vals: make([]float32, s.D), picks: make([]int32, s.D), taken: taken,
		rows: make([]int, len(s.mats)*s.V.Rows), cols: make([]int, len(s.mats)*s.V.Cols),
	}
}

// draw fills dst (the grid) with the sampled segments of one draw of null
// k of src, exactly as the segments at the same positions of a whole
// drawn tensor: under Perm the D distinct positions get D elements of src
// drawn without replacement; under RowCol each touched matrix gets its
// own row and column permutation (drawn in the order of mats); under Gauss
// D iid normal values. The random draws come first and the reads of src
// after, so that the reads, free of the generator's dependency chain,
// overlap in memory.
func (s *SegmentSample) draw(dst, src []float32, k Kind, mu, sd float64, rng *rand.Rand, sc *drawScratch) {
	vals := sc.vals
	switch k {
	case Perm:
		if 4*s.D <= len(src) {
			taken, picks := sc.taken, sc.picks
			for d := 0; d < s.D; {
				j := rng.IntN(len(src))
				if taken[j/64]&(1<<(j%64)) == 0 {
					taken[j/64] |= 1 << (j % 64)
					picks[d] = int32(j)
					d++
				}
			}
			for d, j := range picks {
				vals[d] = src[j]
				taken[j/64] = 0 // clear for the next draw
			}
		} else {
			for d, j := range sample(len(src), s.D, rng) {
				vals[d] = src[j]
			}
		}
		for e, d := range s.Distinct {
			dst[e] = vals[d]
		}
	case RowCol:
		v, r := s.V, s.R
		for t := range s.mats {
			perm(sc.rows[t*v.Rows:(t+1)*v.Rows], rng)
			perm(sc.cols[t*v.Cols:(t+1)*v.Cols], rng)
		}
		b := s.Cols / r
		for k, o := range s.origins {
			t := int(s.slot[k])
			rows, cols := sc.rows[t*v.Rows:(t+1)*v.Rows], sc.cols[t*v.Cols+int(o[2]) : (t+1)*v.Cols][:r]
			gi, gj := (k/b)*r, (k%b)*r
			for x := range r {
				row := src[(int(o[0])*v.Rows+rows[int(o[1])+x])*v.Cols:][:v.Cols]
				out := dst[(gi+x)*s.Cols+gj:][:r]
				for y, j := range cols {
					out[y] = row[j]
				}
			}
		}
	case Gauss:
		gaussFill(vals[:s.D], mu, sd, rng)
		for e, d := range s.Distinct {
			dst[e] = vals[d]
		}
	default:
		panic("null: unknown kind " + string(k))
	}
}

// SegmentTest tests the mean segment dimension (method) and the mean
// segment entropy of a tensor src read as v at scale r (as
// fractal.LayerSegments measures them, r×r segments thresholded at a
// quantile of the layer) against opts.Draws draws of each null, observed
// = [mean FD, mean H] of the whole tensor. tau, when positive, is the
// layer's mask threshold; else it is computed.
//
// A tensor of at most SampleSize(r) segments is measured whole: every
// draw a whole null tensor, the permutations thresholded at tau (they keep
// every quantile of |w|), the Gaussian at its own. A larger one is
// measured on SampleSegments(v, r, SampleSize(r), opts.Seed): the observed
// value is recomputed on the sampled segments of src, and each draw is the
// same segments of a draw of the null (SegmentSample.draw), thresholded
// as the whole would be: tau for the permutations, the Gaussian sample's
// own quantile. It returns out[i][k] as Test does, and the segments
// measured per draw. SegmentNulls tests one tensor at many scales.
func SegmentTest(src []float32, v View, r int, method fractal.Method, tau float64, observed []float64, opts Options) ([][]Result, int, error) {
	return NewSegmentNulls(src, v).Test(r, method, tau, observed, opts)
}

// SegmentNulls is one tensor's segment nulls at any scale (SegmentTest):
// what every scale shares, the moments of the Gaussian null, is computed
// once. Its Test may be called concurrently.
type SegmentNulls struct {
	src    []float32
	v      View
	once   sync.Once
	mu, sd float64
	taken  sync.Pool // *[]uint64: clear bitsets over src, one per worker
}

// NewSegmentNulls returns the segment nulls of src read as v.
func NewSegmentNulls(src []float32, v View) *SegmentNulls {
	return &SegmentNulls{src: src, v: v}
}

// moments returns the mean and population standard deviation of the
// tensor, computed on the first call.
func (n *SegmentNulls) moments() (mu, sd float64) {
	n.once.Do(func() { n.mu, n.sd = moments(n.src) })
	return n.mu, n.sd
}

// Test is SegmentTest of the tensor at scale r.
func (n *SegmentNulls) Test(r int, method fractal.Method, tau float64, observed []float64, opts Options) ([][]Result, int, error) {
	src, v := n.src, n.v
	shape := []int{v.Rows, v.Cols}
	if v.Count > 1 {
		shape = []int{v.Count, 1, v.Rows, v.Cols}
	}
	if err := fractal.CheckScale(v.Rows, v.Cols, r); err != nil {
		return nil, 0, err
	}
	if tau <= 0 {
		t, err := fractal.LayerThreshold(src, fractal.LayerOptions{})
		if err != nil {
			return nil, 0, err
		}
		tau = float64(t)
	}
	measure := func(x []float32, shape []int, k Kind) []float64 {
		lo := fractal.LayerOptions{Method: method, Workers: 1}
		if k != Gauss {
			lo.Threshold = tau
		}
		res, err := fractal.LayerSegments(x, shape, r, lo)
		if err != nil {
			return []float64{nan(), nan()}
		}
		return []float64{finiteMean(res.FD), finiteMean(res.H)}
	}
	total := v.Count * fractal.SegmentCount(v.Rows, v.Cols, r)
	if total <= SampleSize(r) {
		res, err := Test(src, v, observed, func(x []float32, _ View, k Kind) []float64 { return measure(x, shape, k) }, opts)
		return res, total, err
	}
	o := opts.defaults(v)
	s, err := SampleSegments(v, r, SampleSize(r), o.Seed)
	if err != nil {
		return nil, 0, err
	}
	grid := []int{s.Rows, s.Cols}
	obs := make([]float32, len(s.Pos))
	s.Gather(obs, src)
	observed = measure(obs, grid, "")
	mu, sd := n.moments()
	nk := len(o.Kinds)
	vals := make([][][]float64, nk)
	for k := range vals {
		vals[k] = make([][]float64, o.Draws)
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(o.Workers, nk*o.Draws, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			taken, ok := n.taken.Get().(*[]uint64)
			if !ok {
				bits := make([]uint64, (len(src)+63)/64)
				taken = &bits
			}
			defer n.taken.Put(taken) // clear again after every draw
			buf, scratch := make([]float32, len(s.Pos)), s.newScratch(*taken)
			for j := range jobs {
				k, d := j/o.Draws, j%o.Draws
				s.draw(buf, src, o.Kinds[k], mu, sd, RNG(o.Seed, o.Kinds[k], d), scratch)
				vals[k][d] = measure(buf, grid, o.Kinds[k])
			}
		})
	}
	for j := range nk * o.Draws {
		jobs <- j
	}
	close(jobs)
	wg.Wait()
	out := make([][]Result, len(observed))
	for i, ob := range observed {
		out[i] = make([]Result, nk)
		draws := make([]float64, o.Draws)
		for k := range nk {
			for d := range o.Draws {
				draws[d] = vals[k][d][i]
			}
			out[i][k] = Compare(ob, draws, o.Kinds[k])
			out[i][k].Elements = len(s.Pos)
		}
	}
	return out, s.Segments, nil
}

// finiteMean is the mean of the finite values of v (NaN if none).
func finiteMean(v []float32) float64 {
	var s float64
	n := 0
	for _, x := range v {
		if f := float64(x); f == f && f-f == 0 {
			s += f
			n++
		}
	}
	if n == 0 {
		return nan()
	}
	return s / float64(n)
}
