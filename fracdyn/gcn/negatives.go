package gcn

import (
	"fmt"
	"math/rand/v2"
	"sync"
)

// Negatives draws the non-edges of each training epoch of Fit: ratio·|E|
// pairs from sample that are not edges of the training graph, from a
// stream seeded by seed. Fits of one training topology with the same
// sampler, ratio and seed (a surrogate and its baselines, which differ only
// in edge weights) would draw the same pairs; sharing one Negatives among
// them draws each epoch once. Safe for concurrent use; an epoch's pairs are
// dropped once all its readers have had them.
type Negatives struct {
	mu      sync.Mutex
	rng     *rand.Rand
	sample  PairSampler
	train   EdgeSet
	k       int
	readers int
	drawn   int               // epochs drawn so far
	epochs  map[int]*negEpoch // drawn and not yet read by every reader
}

type negEpoch struct {
	pairs [][2]int32
	left  int // readers still to read it
}

// NewNegatives prepares the negatives of a training graph g for readers
// fits.
func NewNegatives(g *Edges, sample PairSampler, ratio int, seed uint64, readers int) (*Negatives, error) {
	if ratio < 1 || readers < 1 {
		return nil, fmt.Errorf("gcn.NewNegatives: need ratio >= 1 and readers >= 1, got %d and %d", ratio, readers)
	}
	return &Negatives{
		rng: rand.New(rand.NewPCG(seed, 0xae)), sample: sample, train: NewEdgeSet(g),
		k: ratio * g.NumEdges(), readers: readers, epochs: map[int]*negEpoch{},
	}, nil
}

// Len is the number of pairs of each epoch.
func (n *Negatives) Len() int { return n.k }

// Epoch returns the pairs of epoch i (0-based). Each reader must ask for
// every epoch once, in order.
func (n *Negatives) Epoch(i int) ([][2]int32, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for n.drawn <= i {
		pairs, err := SampleNonEdges(n.rng, n.sample, n.k, n.train)
		if err != nil {
			return nil, err
		}
		n.epochs[n.drawn] = &negEpoch{pairs: pairs, left: n.readers}
		n.drawn++
	}
	e, ok := n.epochs[i]
	if !ok {
		return nil, fmt.Errorf("gcn.Negatives: epoch %d was already read by all %d readers", i, n.readers)
	}
	if e.left--; e.left == 0 {
		delete(n.epochs, i)
	}
	return e.pairs, nil
}
