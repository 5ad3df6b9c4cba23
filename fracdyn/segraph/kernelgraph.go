package segraph

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/pkg/core/graph"
)

// KernelGraph applies the kernel to a batch of distances (any shape) in a
// GoMLX graph; it is the graph twin of Weights.
func KernelGraph(dist *graph.Node, k Kernel, gamma float64) *graph.Node {
	if err := CheckGamma(gamma); err != nil {
		panic(err)
	}
	switch k {
	case KernelPaper:
		w := graph.MulScalar(graph.Exp(dist), gamma)
		return graph.Min(w, graph.Scalar(dist.Graph(), dist.DType(), math.MaxFloat32))
	case KernelLaplacian:
		return graph.Exp(graph.MulScalar(dist, -1/gamma))
	case KernelRBF:
		return graph.Exp(graph.MulScalar(graph.Square(dist), -1/(2*gamma*gamma)))
	}
	panic(fmt.Sprintf("segraph: unknown kernel %q", k))
}

// EdgeWeightsGraph computes the kernel weights of a batch of edges in a
// GoMLX graph: features x [N, d], src and tgt [E] int32 → weights [E], with
// δ as in Distances.
func EdgeWeightsGraph(x, src, tgt *graph.Node, k Kernel, gamma float64) *graph.Node {
	x.AssertRank(2)
	e := src.Shape().Dimensions[0]
	src.AssertDims(e)
	tgt.AssertDims(e)
	d := x.Shape().Dimensions[1]
	diff := graph.Sub(graph.Gather(x, graph.ExpandAxes(src, -1)), graph.Gather(x, graph.ExpandAxes(tgt, -1)))
	dist := graph.Sqrt(graph.MulScalar(graph.ReduceSum(graph.Square(diff), -1), 1/float64(d)))
	return KernelGraph(dist, k, gamma)
}
