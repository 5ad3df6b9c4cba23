// Package bardata is the generated training task of the tests: MNIST-shaped
// bar images (internal/testutil.BarImages) as an mnist.Data, the first
// images for training and the rest held out.
package bardata

import (
	"github.com/fracdyn/fracdyn/internal/testutil"
	"github.com/fracdyn/fracdyn/mnist"
)

// Data returns n bar images split into train training images and n−train
// evaluation images, marked as generated.
func Data(n, train int) *mnist.Data {
	pixels, labels := testutil.BarImages(n)
	all := &mnist.Set{Images: pixels, Labels: labels, N: n, Rows: 28, Cols: 28, Files: []string{"generated"}}
	return &mnist.Data{Train: all.Subset(seq(0, train)), Eval: all.Subset(seq(train, n)),
		Dataset: "mnist", Dir: "generated", Notes: []string{"generated bar patterns"}}
}

func seq(a, b int) []int {
	s := make([]int, b-a)
	for i := range s {
		s[i] = a + i
	}
	return s
}
