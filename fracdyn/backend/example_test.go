package backend_test

import (
	"fmt"

	"github.com/fracdyn/fracdyn/fracdyn/backend"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck // GoMLX style.
)

// New gives the pure-Go backend unless GOMLX_BACKEND says otherwise; the
// gradient of Σ(x·W) below runs on it.
func ExampleNew() {
	b, err := backend.NewWithConfig(backend.Default)
	if err != nil {
		panic(err)
	}
	fmt.Println(b.Name())
	grads := MustExecOnceN(b, func(x, w *Node) []*Node {
		return Gradient(ReduceAllSum(MatMul(x, w)), x, w)
	}, [][]float32{{1, 2}}, [][]float32{{3, 4, 5}, {6, 7, 8}})
	fmt.Println(grads[0].Value(), grads[1].Value())
	// Output:
	// SimpleGo (go)
	// [[12 21]] [[1 1 1] [2 2 2]]
}

// fracdyn's own training opts into the wrapper's DotGeneral gradient; a
// process that never calls EnableDotGeneralGradient keeps GoMLX's own.
func ExampleEnableDotGeneralGradient() {
	b, err := backend.NewWithConfig(backend.Default)
	if err != nil {
		panic(err)
	}
	fmt.Println(backend.EnableDotGeneralGradient(b), backend.DotGeneralGradientEnabled())
	// Output:
	// true true
}
