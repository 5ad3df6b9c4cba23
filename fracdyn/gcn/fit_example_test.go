package gcn_test

import (
	"fmt"

	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/fracdyn/fracdyn/fracdyn/gcn"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Train the autoencoder on two 4-node cliques with no edge between them:
// it scores a pair inside a clique above a pair across the two.
func ExampleFit() {
	g := &gcn.Edges{N: 8}
	for _, base := range []int32{0, 4} {
		for a := base; a < base+4; a++ {
			for b := a + 1; b < base+4; b++ {
				g.Src, g.Dst = append(g.Src, a), append(g.Dst, b)
			}
		}
	}
	const f = 2 // node features: which half of the node list it is in, and a constant
	x := make([]float32, g.N*f)
	for i := range g.N {
		x[i*f] = float32(i / 4)
		x[i*f+1] = 1
	}
	b, err := backend.NewWithConfig(backend.Default)
	if err != nil {
		panic(err)
	}
	ctx := context.New()
	ctx.SetParam(gcn.ParamEpochs, 100)
	ae, err := gcn.Fit(b, ctx, x, f, g, gcn.UniformPairs(g.N), 1)
	if err != nil {
		panic(err)
	}
	s := ae.Score([][2]int32{{0, 1}, {5, 6}, {0, 5}, {2, 7}})
	fmt.Println(ae.N, len(ae.Losses), ae.Losses[len(ae.Losses)-1] < ae.Losses[0])
	fmt.Println("inside > across:", min(s[0], s[1]) > max(s[2], s[3]))
	// Output:
	// 8 100 true
	// inside > across: true
}
