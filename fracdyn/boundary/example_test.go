package boundary_test

import (
	"fmt"

	"github.com/fracdyn/fracdyn/fracdyn/boundary"
)

// A run whose loss halves each step converged (negative score); one whose
// loss doubles diverged (positive). The boundary mask marks the cells
// between grid points of both signs.
func ExampleScore() {
	fmt.Println(boundary.Score([]float64{4, 2, 1}))
	fmt.Println(boundary.Score([]float64{1, 2, 4}))
	mask, _ := boundary.Mask([]float64{
		-1, 1,
		-1, -1,
	}, 2, 2)
	fmt.Println(mask)
	// Output:
	// -1.75
	// 1.75
	// [true]
}
