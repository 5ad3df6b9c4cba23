package fractal_test

import (
	"fmt"

	"github.com/fracdyn/fracdyn/fracdyn/fractal"
)

func ExampleValidScales() {
	fmt.Println(fractal.ValidScales(3, 3), fractal.ValidScales(10, 128), fractal.SegmentCount(10, 128, 3))
	// Output: [2] [2 3 4 5] 172
}

func ExampleSegment() {
	// A 3×3 kernel at r = 2: four overlapping segments (eq. 1 and its
	// footnote).
	w := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}
	segs, rows, cols := fractal.Segment(w, 3, 3, 2)
	for q := range rows {
		fmt.Println(rows[q], cols[q], segs[4*q:4*q+4])
	}
	// Output:
	// 0 0 [1 2 4 5]
	// 0 1 [2 3 5 6]
	// 1 0 [4 5 7 8]
	// 1 1 [5 6 8 9]
}

func ExampleBoxCount() {
	// A diagonal line in a 64×64 matrix has dimension 1.
	const n = 64
	w := make([]float64, n*n)
	for i := range n {
		w[i*n+i] = 1
	}
	f, _ := fractal.BoxCount(w, n, n, fractal.Options{Threshold: 0.5})
	fmt.Printf("D = %.3f, R² = %.3f, sizes %v, counts %v\n", f.Dimension, f.R2, f.Sizes, f.Counts)
	// Output: D = 1.000, R² = 1.000, sizes [1 2 4 8 16 32], counts [64 32 16 8 4 2]
}

func ExampleEntropy() {
	fmt.Printf("%.4f %.4f %.4f\n",
		fractal.Entropy([]float64{1, -1, 1, -1}), // ln 4
		fractal.Entropy([]float64{0, 0, 3, 0}),
		fractal.Entropy([]float64{0, 0, 0, 0})) // defined as 0
	// Output: 1.3863 0.0000 0.0000
}

func ExampleLayerSegments() {
	// A conv layer [out=1, in=2, 3, 3] at r = 2: 4 segments per kernel, kernel
	// (0, 0) first.
	w := []float32{
		1, 1, 1, 1, 1, 1, 1, 1, 1, // kernel (0,0): constant
		0, 0, 0, 0, 5, 0, 0, 0, 0, // kernel (0,1): one weight
	}
	lr, _ := fractal.LayerSegments(w, []int{1, 2, 3, 3}, 2, fractal.LayerOptions{Name: "conv", Threshold: 0.5})
	for i := range lr.Len() {
		id := lr.Segment(i)
		fmt.Printf("k=%d c=%d (%d,%d) FD=%.2f H=%.3f\n", id.Neuron, id.Channel, id.Row, id.Col, lr.FD[i], lr.H[i])
	}
	// Output:
	// k=0 c=0 (0,0) FD=2.00 H=1.386
	// k=0 c=0 (0,1) FD=2.00 H=1.386
	// k=0 c=0 (1,0) FD=2.00 H=1.386
	// k=0 c=0 (1,1) FD=2.00 H=1.386
	// k=0 c=1 (0,0) FD=0.00 H=0.000
	// k=0 c=1 (0,1) FD=0.00 H=0.000
	// k=0 c=1 (1,0) FD=0.00 H=0.000
	// k=0 c=1 (1,1) FD=0.00 H=0.000
}
