package spectral_test

import (
	"fmt"

	"github.com/fracdyn/fracdyn/fracdyn/spectral"
)

func ExampleEigenvalues() {
	// diag(3, 2) padded to 3×2: σ = 3, 2 so WᵀW has eigenvalues 4 and 9.
	w := []float64{
		3, 0,
		0, 2,
		0, 0,
	}
	ev, _ := spectral.Eigenvalues(w, 3, 2)
	fmt.Printf("%.6g\n", ev)
	// Output: [4 9]
}
