package segraph

import (
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// BenchmarkBuildPaperConvGraph builds the paper CNN's conv1+conv2 segment
// graph at r=2 (8,320 nodes, 32,768 edges): α features, edges, distances.
func BenchmarkBuildPaperConvGraph(b *testing.B) {
	layers := paperLayers(b, []string{"conv1", "conv2"}, []int{2, 2}, false)
	b.ResetTimer()
	for range b.N {
		g, err := Build(layers, Options{})
		if err != nil {
			b.Fatal(err)
		}
		g.EdgeWeights(KernelLaplacian, 1)
	}
}

// BenchmarkKernelWeights compares the plain-Go kernel with the GoMLX graph
// (compiled once) on the conv graph's edges.
func BenchmarkKernelWeights(b *testing.B) {
	layers := paperLayers(b, []string{"conv1", "conv2"}, []int{2, 2}, false)
	g, err := Build(layers, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("go", func(b *testing.B) {
		w := make([]float32, len(g.Dist))
		for range b.N {
			Distances(g.Dist, g.Alpha, g.Dim, g.Src, g.Dst)
			Weights(w, g.Dist, KernelLaplacian, 1)
		}
	})
	b.Run("gomlx", func(b *testing.B) {
		exec := graph.MustNewExec(backend.MustNew(), func(x, s, t *graph.Node) *graph.Node {
			return EdgeWeightsGraph(x, s, t, KernelLaplacian, 1)
		})
		x := tensors.FromFlatDataAndDimensions(g.Alpha, g.N(), g.Dim)
		src := tensors.FromFlatDataAndDimensions(g.Src, len(g.Src))
		dst := tensors.FromFlatDataAndDimensions(g.Dst, len(g.Dst))
		exec.MustExec(x, src, dst)[0].MustFinalizeAll()
		b.ResetTimer()
		for range b.N {
			exec.MustExec(x, src, dst)[0].MustFinalizeAll()
		}
	})
}
