package segraph_test

import (
	"fmt"

	"github.com/fracdyn/fracdyn/fracdyn/segraph"
)

// The three kernels at distance 1 with γ = 2: the paper's literal form
// grows with the distance, the other two decay.
func ExampleKernel_Weight() {
	for _, k := range segraph.Kernels() {
		fmt.Printf("%-9s %.4f\n", k, k.Weight(1, 2))
	}
	// Output:
	// paper     5.4366
	// laplacian 0.6065
	// rbf       0.8825
}
