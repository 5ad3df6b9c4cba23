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
	var err error
	if res.R2, err = ridgeR2(coarse.ae, fine.ae, parent, sample[nTest:], sample[:nTest]); err != nil {
		return nil, err
	}
	if res.R2Shuffled, err = ridgeR2(coarse.ae, fine.ae, shuffled, sample[nTest:], sample[:nTest]); err != nil {
		return nil, err
	}
	return res, nil
}

// ridgeR2 fits Z_fine[i] ≈ [Z_coarse[parent[i]], 1]·B by ridge regression
// (λ = 1e-3·trace/d) on the fine nodes train and returns the R² over the
// fine nodes test, pooled over the output dimensions.
func ridgeR2(coarse, fine *gcn.Autoencoder, parent []int32, train, test []int) (float64, error) {
	dc, df := coarse.Dim, fine.Dim
	p := dc + 1
	if len(train) < p || len(test) == 0 {
		return math.NaN(), nil
	}
	xtx := make([]float64, p*p) // upper triangle used
	xty := make([]float64, p*df)
	row := make([]float64, p)
	mean := make([]float64, df)
	for _, i := range train {
		par := int(parent[i])
		for j := range dc {
			row[j] = float64(coarse.Embeddings[par*dc+j])
		}
		row[dc] = 1
		y := fine.Embeddings[i*df : (i+1)*df]
		for a := range p {
			ra := row[a]
			xa := xtx[a*p:]
			for b := a; b < p; b++ {
				xa[b] += ra * row[b]
			}
			ya := xty[a*df:]
			for k, v := range y {
				ya[k] += ra * float64(v)
			}
		}
		for k, v := range y {
			mean[k] += float64(v) / float64(len(train))
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
	// R² on the test nodes, against the training mean.
	var sse, sst float64
	for _, i := range test {
		par := int(parent[i])
		for k := range df {
			pred := beta.At(dc, k)
			for j := range dc {
				pred += float64(coarse.Embeddings[par*dc+j]) * beta.At(j, k)
			}
			y := float64(fine.Embeddings[i*df+k])
			sse += (y - pred) * (y - pred)
			sst += (y - mean[k]) * (y - mean[k])
		}
	}
	if sst == 0 {
		return math.NaN(), nil
	}
	return 1 - sse/sst, nil
}
