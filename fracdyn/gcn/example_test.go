package gcn_test

import (
	"fmt"

	"github.com/fracdyn/fracdyn/fracdyn/gcn"
)

// The Kipf–Welling operator of the path 0–1–2 applied to x = (1, 0, 0):
// d = (2, 3, 2), so Âx = (1/2, 1/√6, 0).
func ExampleNormalize() {
	g := &gcn.Edges{N: 3, Src: []int32{0, 1}, Dst: []int32{1, 2}}
	p := gcn.Normalize(g)
	y := make([]float32, 3)
	p.Apply(y, []float32{1, 0, 0}, 1)
	fmt.Printf("%.4f\n", y)
	// Output: [0.5000 0.4082 0.0000]
}

// Three of the four (positive, negative) pairs are ordered correctly.
func ExampleAUC() {
	pos := []float64{0.9, 0.8}
	neg := []float64{0.1, 0.85}
	fmt.Printf("AUC %.2f AP %.3f\n", gcn.AUC(pos, neg), gcn.AveragePrecision(pos, neg))
	// Output: AUC 0.75 AP 0.833
}
