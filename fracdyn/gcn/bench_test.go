package gcn

import (
	"math/rand/v2"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// randomGraph has n nodes and about k·n random edges.
func randomGraph(n, k int, seed uint64) *Edges {
	rng := rand.New(rand.NewPCG(seed, 1))
	g := &Edges{N: n}
	m := k * n
	g.Src, g.Dst, g.W = make([]int32, 0, m), make([]int32, 0, m), make([]float32, 0, m)
	for range m {
		a, b := int32(rng.IntN(n)), int32(rng.IntN(n))
		if a == b {
			continue
		}
		g.Src, g.Dst, g.W = append(g.Src, a), append(g.Dst, b), append(g.W, rng.Float32())
	}
	return g
}

func benchFit(b *testing.B, n, k, f, epochs int) {
	g := randomGraph(n, k, 1)
	x := make([]float32, n*f)
	rng := rand.New(rand.NewPCG(2, 2))
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	be := backend.MustNew()
	b.ResetTimer()
	for range b.N {
		ctx := context.New()
		ctx.SetParam(ParamEpochs, epochs)
		if _, err := Fit(be, ctx, x, f, g, UniformPairs(n), 1); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFitConvGraph is 20 epochs of the autoencoder on a graph the size
// of the paper CNN's conv1+conv2 segment graph at r=2.
func BenchmarkFitConvGraph(b *testing.B) { benchFit(b, 8320, 4, 20, 20) }
