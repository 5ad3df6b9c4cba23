package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/fracdyn/fracdyn/fracdyn/gcn"
	"github.com/fracdyn/fracdyn/fracdyn/segraph"
	"gonum.org/v1/gonum/mat"
)

// MultiScaleResult relates the surrogate's embeddings of one graph at a
// fine and a coarse scale (the "fractal hypergraph"): every fine segment
// lies in one coarse segment of the same layer (segraph.Containment); each
// coarse segment and the fine segments it holds form a hyperedge. We fit a
// ridge-regularised linear map from the embedding of a fine segment's
// parent to the fine segment's own embedding on 85% of a seeded sample of
// at most MultiScaleNodes fine segments and report R² on the other 15%
// (SampledNodes says how many). The two GCNs are trained independently,
// so their embeddings live in unrelated bases; a linear map absorbs that.
// R2Shuffled is the same with each layer's parents permuted: the gap
// between the two is what the coarse scale knows about the fine one.
type MultiScaleResult struct {
	Epoch     int    `json:"epoch"`
	Graph     string `json:"graph"`
	FineR     int    `json:"fine_r"`
	CoarseR   int    `json:"coarse_r"`
	FineNodes int    `json:"fine_nodes"`
	// SampledNodes is the size of the seeded sample of fine segments the
	// fit uses (at most MultiScaleNodes; 15% of it held out).
	SampledNodes int     `json:"sampled_nodes"`
	Hyperedges   int     `json:"hyperedges"` // coarse segments with at least one fine member
	MeanSize     float64 `json:"mean_hyperedge_size"`
	R2           float64 `json:"r2"`
	R2Shuffled   float64 `json:"r2_shuffled"`
	Seed         uint64  `json:"seed"`
}

// MultiScaleNodes bounds the fine segments of a cross-scale fit: a larger
// graph's fit uses a seeded uniform sample of this many.
const MultiScaleNodes = 20_000

// scaleLevel is a graph at one scale with its surrogate embeddings.
type scaleLevel struct {
	r      int
	graph  *segraph.Graph
	layers []*layerScale
	ae     *gcn.Autoencoder
}

// relateScales computes the MultiScaleResult of a fine and a coarse level
// of the same layers.
func relateScales(fine, coarse *scaleLevel, epoch int, name string, seed uint64) (*MultiScaleResult, error) {
	if len(fine.layers) != len(coarse.layers) {
		return nil, fmt.Errorf("multi-scale: graphs have different layers")
	}
	n := fine.graph.N()
	parent := make([]int32, n)
	rng := rand.New(rand.NewPCG(seed, 0x5ca1e))
	shuffled := make([]int32, n)
	members := map[int32]int{}
	for l := range fine.layers {
		p, err := segraph.Containment(fine.layers[l].layer.Segments, coarse.layers[l].layer.Segments)
		if err != nil {
			return nil, err
		}
		off, coff := fine.graph.Offsets[l], int32(coarse.graph.Offsets[l])
		perm := rng.Perm(len(p))
		for i, c := range p {
			parent[off+i] = coff + c
			shuffled[off+i] = coff + p[perm[i]]
			members[coff+c]++
		}
	}
	res := &MultiScaleResult{Epoch: epoch, Graph: name, FineR: fine.r, CoarseR: coarse.r, FineNodes: n,
		Hyperedges: len(members), MeanSize: float64(n) / float64(len(members)), Seed: seed}
	// A seeded sample of at most MultiScaleNodes fine segments, 15% of it
	// held out: the fit's cost does not grow with the graph.
	perm := rand.New(rand.NewPCG(seed, 0x7e57)).Perm(n)
	sample := perm[:min(n, MultiScaleNodes)]
	res.SampledNodes = len(sample)
	nTest := int(math.Round(0.15 * float64(len(sample))))
	// Only the sampled fine segments and their parents (true and shuffled)
	// are embedded: row k of each matrix belongs to sample[k].
	m := len(sample)
	nodes, parents := make([]int32, m), make([]int32, 2*m)
	for k, i := range sample {
		nodes[k], parents[k], parents[m+k] = int32(i), parent[i], shuffled[i]
	}
	fz, cz := fine.ae.Embed(nodes), coarse.ae.Embed(parents)
	dc := coarse.ae.Dim
	var err error
	if res.R2, err = ridgeR2(cz[:m*dc], fz, dc, fine.ae.Dim, nTest); err != nil {
		return nil, err
	}
	if res.R2Shuffled, err = ridgeR2(cz[m*dc:], fz, dc, fine.ae.Dim, nTest); err != nil {
		return nil, err
	}
	return res, nil
}

// ridgeR2 fits y[k] ≈ [x[k], 1]·B by ridge regression (λ = 1e-3·trace/dc)
// on rows k ≥ nTest of x (m×dc, row-major) and y (m×df) and returns the R²
// over rows k < nTest, pooled over the output dimensions.
func ridgeR2(x, y []float32, dc, df, nTest int) (float64, error) {
	p := dc + 1
	m := len(y) / df
	nTrain := m - nTest
	if nTrain < p || nTest == 0 {
		return math.NaN(), nil
	}
	xtx := make([]float64, p*p) // upper triangle used
	xty := make([]float64, p*df)
	row := make([]float64, p)
	mean := make([]float64, df)
	for k := nTest; k < m; k++ {
		for j := range dc {
			row[j] = float64(x[k*dc+j])
		}
		row[dc] = 1
		yk := y[k*df : (k+1)*df]
		for a := range p {
			ra := row[a]
			xa := xtx[a*p:]
			for b := a; b < p; b++ {
				xa[b] += ra * row[b]
			}
			ya := xty[a*df:]
			for j, v := range yk {
				ya[j] += ra * float64(v)
			}
		}
		for j, v := range yk {
			mean[j] += float64(v) / float64(nTrain)
		}
	}
	var tr float64
	for a := range dc {
		tr += xtx[a*p+a]
	}
	lambda := 1e-3*tr/float64(dc) + 1e-12
	sym := mat.NewSymDense(p, nil)
	for a := range p {
		for b := a; b < p; b++ {
			v := xtx[a*p+b]
			if a == b && a < dc {
				v += lambda
			}
			sym.SetSym(a, b, v)
		}
	}
	var beta mat.Dense
	if err := beta.Solve(sym, mat.NewDense(p, df, xty)); err != nil {
		return math.NaN(), fmt.Errorf("multi-scale regression: %w", err)
	}
	// R² on the test rows, against the training mean.
	var sse, sst float64
	for k := range nTest {
		for j := range df {
			pred := beta.At(dc, j)
			for i := range dc {
				pred += float64(x[k*dc+i]) * beta.At(i, j)
			}
			v := float64(y[k*df+j])
			sse += (v - pred) * (v - pred)
			sst += (v - mean[j]) * (v - mean[j])
		}
	}
	if sst == 0 {
		return math.NaN(), nil
	}
	return 1 - sse/sst, nil
}
