package gcn

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// PairSampler draws a candidate non-edge (a, b) for negative sampling.
type PairSampler func(rng *rand.Rand) (a, b int32)

// UniformPairs samples a, b uniformly among n nodes (a ≠ b is checked by
// the caller's rejection).
func UniformPairs(n int) PairSampler {
	return func(rng *rand.Rand) (int32, int32) {
		return int32(rng.IntN(n)), int32(rng.IntN(n))
	}
}

// LayerPairs samples pairs from consecutive groups: a node a uniformly among
// the nodes whose group g has a successor group g+1, and b uniformly in
// group g+1. groups[i] is node i's group (layer) index. This is the honest
// negative for a layered graph whose edges only join consecutive layers:
// uniform pairs would let a scorer win by telling layers apart.
func LayerPairs(groups []int32) PairSampler {
	if len(groups) == 0 {
		panic("gcn.LayerPairs: no two consecutive groups")
	}
	lo, hi := slices.Min(groups), slices.Max(groups)
	// members[g-lo] lists group g's nodes in order; members[hi-lo+1] is
	// the empty group after the last.
	count := make([]int, int(hi-lo)+2)
	for _, g := range groups {
		count[g-lo]++
	}
	members := make([][]int32, len(count))
	nFrom := 0
	for k := range len(count) - 1 {
		members[k] = make([]int32, 0, count[k])
		if count[k+1] > 0 {
			nFrom += count[k]
		}
	}
	from := make([]int32, 0, nFrom)
	for i, g := range groups {
		members[g-lo] = append(members[g-lo], int32(i))
		if count[g-lo+1] > 0 {
			from = append(from, int32(i))
		}
	}
	if len(from) == 0 {
		panic("gcn.LayerPairs: no two consecutive groups")
	}
	return func(rng *rand.Rand) (int32, int32) {
		a := from[rng.IntN(len(from))]
		next := members[groups[a]-lo+1]
		return a, next[rng.IntN(len(next))]
	}
}

// pairKey is an order-free key of an undirected pair.
func pairKey(a, b int32) uint64 {
	if a > b {
		a, b = b, a
	}
	return uint64(uint32(a))<<32 | uint64(uint32(b))
}

// EdgeSet is a set of undirected pairs: an open-addressing hash table of
// pairKeys with linear probing, several times faster than a Go map for the
// millions of lookups of negative sampling. The zero EdgeSet is empty and
// usable.
type EdgeSet struct {
	slots []uint64 // pairKey+1 (0 marks an empty slot); len is a power of 2
	n     int
}

// NewEdgeSet returns the set of g's edges.
func NewEdgeSet(g *Edges) EdgeSet {
	s := newEdgeSet(len(g.Src))
	for e := range g.Src {
		s.Add(g.Src[e], g.Dst[e])
	}
	return s
}

// newEdgeSet returns an empty set sized for about n pairs.
func newEdgeSet(n int) EdgeSet {
	size := 16
	for size < 2*n {
		size *= 2
	}
	return EdgeSet{slots: make([]uint64, size)}
}

// Len is the number of pairs in the set.
func (s *EdgeSet) Len() int { return s.n }

// slot returns the index where key+1 is stored or would go.
func (s *EdgeSet) slot(key uint64) int {
	mask := uint64(len(s.slots) - 1)
	i := (key * 0x9e3779b97f4a7c15) >> 32 & mask // Fibonacci hashing of both halves
	for {
		if v := s.slots[i]; v == 0 || v == key+1 {
			return int(i)
		}
		i = (i + 1) & mask
	}
}

// Has reports whether (a, b) is in the set, in either order.
func (s *EdgeSet) Has(a, b int32) bool {
	if s.n == 0 {
		return false
	}
	key := pairKey(a, b)
	return s.slots[s.slot(key)] == key+1
}

// Add puts (a, b) in the set and reports whether it was new.
func (s *EdgeSet) Add(a, b int32) bool {
	if 2*(s.n+1) > len(s.slots) {
		s.grow()
	}
	key := pairKey(a, b)
	i := s.slot(key)
	if s.slots[i] != 0 {
		return false
	}
	s.slots[i] = key + 1
	s.n++
	return true
}

// grow doubles the table (at least 16 slots) and reinserts every key.
func (s *EdgeSet) grow() {
	old := s.slots
	s.slots = make([]uint64, max(16, 2*len(old)))
	for _, v := range old {
		if v != 0 {
			s.slots[s.slot(v-1)] = v
		}
	}
}

// SampleNonEdges draws k distinct pairs (a ≠ b) from sample that are not in
// any of the excluded sets. It gives up with an error after 100·k+1000 draws.
func SampleNonEdges(rng *rand.Rand, sample PairSampler, k int, exclude ...EdgeSet) ([][2]int32, error) {
	out := make([][2]int32, 0, k)
	seen := newEdgeSet(k)
	for tries := 0; len(out) < k; tries++ {
		if tries > 100*k+1000 {
			return nil, fmt.Errorf("gcn: found only %d of %d non-edges after %d draws; the graph is too dense", len(out), k, tries)
		}
		a, b := sample(rng)
		if a == b || seen.Has(a, b) {
			continue
		}
		excluded := false
		for i := range exclude {
			if exclude[i].Has(a, b) {
				excluded = true
				break
			}
		}
		if excluded {
			continue
		}
		seen.Add(a, b)
		out = append(out, [2]int32{a, b})
	}
	return out, nil
}

// LinkSplit is a link-prediction split of a graph: Train keeps the training
// edges (the only ones message passing sees); TestPos are the held-out
// edges and TestNeg as many held-out non-edges.
type LinkSplit struct {
	Train            *Edges
	TrainIdx         []int // index in the full graph of each training edge
	TestPos, TestNeg [][2]int32
	All              EdgeSet // every edge of the full graph
}

// NewSplit holds out testFrac of g's edges (chosen by seed) and as many
// non-edges drawn by sample. Duplicate edges must have been merged.
func NewSplit(g *Edges, testFrac float64, sample PairSampler, seed uint64) (*LinkSplit, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	if !(testFrac > 0 && testFrac < 1) {
		return nil, fmt.Errorf("gcn: test fraction %v is not in (0,1)", testFrac)
	}
	m := g.NumEdges()
	nTest := int(float64(m)*testFrac + 0.5)
	if nTest < 1 || nTest >= m {
		return nil, fmt.Errorf("gcn: %d edges are too few to hold out %.0f%%", m, 100*testFrac)
	}
	rng := rand.New(rand.NewPCG(seed, 0x5eed5eed))
	perm := rng.Perm(m)
	s := &LinkSplit{All: NewEdgeSet(g)}
	train := &Edges{N: g.N}
	if g.W != nil {
		train.W = make([]float32, 0, m-nTest)
	}
	for i, e := range perm {
		if i < nTest {
			s.TestPos = append(s.TestPos, [2]int32{g.Src[e], g.Dst[e]})
			continue
		}
		s.TrainIdx = append(s.TrainIdx, e)
		train.Src = append(train.Src, g.Src[e])
		train.Dst = append(train.Dst, g.Dst[e])
		if g.W != nil {
			train.W = append(train.W, g.W[e])
		}
	}
	s.Train = train
	var err error
	s.TestNeg, err = SampleNonEdges(rng, sample, nTest, s.All)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// TrainWith returns the training graph with the weights w of the full
// graph's edges instead (same topology, same held-out edges): the split a
// baseline with other edge weights must share.
func (s *LinkSplit) TrainWith(w []float32) *Edges {
	t := &Edges{N: s.Train.N, Src: s.Train.Src, Dst: s.Train.Dst, W: make([]float32, len(s.TrainIdx))}
	for i, e := range s.TrainIdx {
		t.W[i] = w[e]
	}
	return t
}
