package gcn

import (
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"
)

// Edges is a weighted undirected graph on N nodes as an edge list: edge e
// joins Src[e] and Dst[e] with weight W[e] (nil W means every weight is 1).
// Each undirected edge is listed once; self loops are not allowed (the
// normalisation adds its own).
type Edges struct {
	N        int
	Src, Dst []int32
	W        []float32
}

// NumEdges is the number of undirected edges.
func (g *Edges) NumEdges() int { return len(g.Src) }

// Weight returns the weight of edge e.
func (g *Edges) Weight(e int) float32 {
	if g.W == nil {
		return 1
	}
	return g.W[e]
}

// Validate checks that the edge list is consistent: equal lengths, nodes in
// [0, N), no self loops, finite non-negative weights.
func (g *Edges) Validate() error {
	if g.N < 0 {
		return fmt.Errorf("graph: negative node count %d", g.N)
	}
	if len(g.Src) != len(g.Dst) || (g.W != nil && len(g.W) != len(g.Src)) {
		return fmt.Errorf("graph: edge list lengths differ: src %d, dst %d, weights %d", len(g.Src), len(g.Dst), len(g.W))
	}
	for e := range g.Src {
		s, d := g.Src[e], g.Dst[e]
		if s < 0 || int(s) >= g.N || d < 0 || int(d) >= g.N {
			return fmt.Errorf("graph: edge %d (%d,%d) has a node outside [0,%d)", e, s, d, g.N)
		}
		if s == d {
			return fmt.Errorf("graph: edge %d is a self loop on node %d", e, s)
		}
		if g.W != nil {
			if w := g.W[e]; !(w >= 0) || math.IsInf(float64(w), 0) {
				return fmt.Errorf("graph: edge %d (%d,%d) has weight %v; need finite and >= 0", e, s, d, w)
			}
		}
	}
	return nil
}

// Propagation is the Kipf–Welling operator Â = D^-1/2 (A+I) D^-1/2 of a
// graph as a list of directed messages sorted by destination: message k
// carries Coef[k]·x[Src[k]] into Dst[k]. Both directions of every edge and
// one self loop per node are present. RowStart[i]..RowStart[i+1] are the
// messages into node i (CSR by destination).
type Propagation struct {
	N        int
	Src, Dst []int32
	Coef     []float32
	RowStart []int32
	Degrees  []float64 // d_i = 1 + Σ_j w_ij
}

// Normalize builds the Kipf–Welling propagation of g:
//
//	d_i = 1 + Σ_j w_ij,   Â_ij = w_ij / √(d_i d_j),   Â_ii = 1/d_i.
//
// Repeated edges add up. It panics if g is invalid (see Validate).
func Normalize(g *Edges) *Propagation {
	if err := g.Validate(); err != nil {
		panic(err)
	}
	n := g.N
	deg := make([]float64, n)
	count := make([]int32, n+1)
	for i := range deg {
		deg[i] = 1
	}
	for e := range g.Src {
		w := float64(g.Weight(e))
		deg[g.Src[e]] += w
		deg[g.Dst[e]] += w
		count[g.Src[e]]++
		count[g.Dst[e]]++
	}
	p := &Propagation{N: n, Degrees: deg, RowStart: make([]int32, n+1)}
	m := 2*len(g.Src) + n
	p.Src, p.Dst, p.Coef = make([]int32, m), make([]int32, m), make([]float32, m)
	// Row i gets its self loop first, then its incoming edges in input order.
	for i := 0; i < n; i++ {
		p.RowStart[i+1] = p.RowStart[i] + count[i] + 1
	}
	next := make([]int32, n)
	inv := make([]float64, n)
	for i := range next {
		next[i] = p.RowStart[i]
		inv[i] = 1 / math.Sqrt(deg[i])
		k := next[i]
		p.Src[k], p.Dst[k], p.Coef[k] = int32(i), int32(i), float32(1/deg[i])
		next[i]++
	}
	for e := range g.Src {
		s, d := g.Src[e], g.Dst[e]
		c := float32(float64(g.Weight(e)) * inv[s] * inv[d])
		k := next[d]
		p.Src[k], p.Dst[k], p.Coef[k] = s, d, c
		next[d]++
		k = next[s]
		p.Src[k], p.Dst[k], p.Coef[k] = d, s, c
		next[s]++
	}
	return p
}

// NumMessages is the number of directed messages, 2|E| + N.
func (p *Propagation) NumMessages() int { return len(p.Src) }

// Apply sets dst = Â·x for x an N×f row-major matrix; dst must not alias x.
// It runs in parallel over blocks of rows and sums each row in message
// order, so the result does not depend on the number of goroutines.
func (p *Propagation) Apply(dst, x []float32, f int) {
	if len(x) != p.N*f || len(dst) != p.N*f {
		panic(fmt.Sprintf("gcn.Propagation.Apply: need %d×%d matrices, got len(x)=%d len(dst)=%d", p.N, f, len(x), len(dst)))
	}
	parallelRows(p.N, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			out := dst[i*f : (i+1)*f]
			clear(out)
			for k := p.RowStart[i]; k < p.RowStart[i+1]; k++ {
				c := p.Coef[k]
				s := int(p.Src[k]) * f
				row := x[s : s+f]
				row = row[:len(out)] // lets the compiler drop bounds checks
				j := 0
				for ; j+4 <= len(out); j += 4 {
					out[j] += c * row[j]
					out[j+1] += c * row[j+1]
					out[j+2] += c * row[j+2]
					out[j+3] += c * row[j+3]
				}
				for ; j < len(out); j++ {
					out[j] += c * row[j]
				}
			}
		}
	})
}

// Dense returns Â as a dense N×N row-major matrix, for tests on small graphs.
func (p *Propagation) Dense() []float64 {
	a := make([]float64, p.N*p.N)
	for k := range p.Src {
		a[int(p.Dst[k])*p.N+int(p.Src[k])] += float64(p.Coef[k])
	}
	return a
}

// parallelRows splits [0,n) into contiguous blocks run on GOMAXPROCS goroutines.
func parallelRows(n int, fn func(lo, hi int)) {
	workers := runtime.GOMAXPROCS(0)
	if n < 4096 || workers == 1 {
		fn(0, n)
		return
	}
	blocks := workers * 4
	step := (n + blocks - 1) / blocks
	var wg sync.WaitGroup
	sem := make(chan struct{}, workers)
	for lo := 0; lo < n; lo += step {
		hi := min(lo+step, n)
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			fn(lo, hi)
			<-sem
		}()
	}
	wg.Wait()
}

// sortPairs sorts edge pairs (a,b) lexicographically, in place.
func sortPairs(p [][2]int32) {
	sort.Slice(p, func(i, j int) bool {
		if p[i][0] != p[j][0] {
			return p[i][0] < p[j][0]
		}
		return p[i][1] < p[j][1]
	})
}
