package null_test

import (
	"fmt"
	"math"

	"github.com/fracdyn/fracdyn/fracdyn/fractal"
	"github.com/fracdyn/fracdyn/fracdyn/null"
)

// A smooth 32×32 bump has a lower box-counting dimension (its median mask
// is one disc) than any rearrangement of its values.
func ExampleTest() {
	const n = 32
	w := make([]float64, n*n)
	for i := range n {
		for j := range n {
			x, y := float64(i-n/2)/n, float64(j-n/2)/n
			w[i*n+j] = math.Exp(-8 * (x*x + y*y))
		}
	}
	bc := func(x []float64, v null.View, _ null.Kind) []float64 {
		f, _ := fractal.Estimate(x, v.Rows, v.Cols, fractal.MethodBoxCount, fractal.Options{})
		return []float64{f.Dimension}
	}
	v := null.View{Count: 1, Rows: n, Cols: n}
	res, _ := null.Test(w, v, bc(w, v, ""), bc, null.Options{Draws: 19, Seed: 1})
	for _, r := range res[0] {
		fmt.Printf("%-6s beyond %v, p %.2f\n", r.Kind, r.Beyond, r.P)
	}
	fmt.Println(null.Verdict(res[0]))
	// Output:
	// perm   beyond true, p 0.10
	// rowcol beyond true, p 0.10
	// gauss  beyond true, p 0.10
	// beyond all nulls
}
