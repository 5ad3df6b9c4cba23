package mnist_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/fracdyn/fracdyn/mnist"
)

// Write a tiny IDX set of two 2×3 images with their labels, read it back
// and normalize the pixels as the model sees them.
func ExampleReadImages() {
	dir, err := os.MkdirTemp("", "mnist-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	images := filepath.Join(dir, "t10k-images-idx3-ubyte")
	labels := filepath.Join(dir, "t10k-labels-idx1-ubyte")
	if err := mnist.WriteImages(images, []uint8{0, 128, 255, 10, 20, 30, 255, 0, 0, 0, 0, 255}, 2, 2, 3); err != nil {
		panic(err)
	}
	if err := mnist.WriteLabels(labels, []uint8{7, 3}); err != nil {
		panic(err)
	}

	pixels, n, rows, cols, err := mnist.ReadImages(images)
	if err != nil {
		panic(err)
	}
	ls, err := mnist.ReadLabels(labels)
	if err != nil {
		panic(err)
	}
	set := &mnist.Set{Images: pixels, Labels: ls, N: n, Rows: rows, Cols: cols}
	fmt.Println(n, rows, cols, set.Int32Labels([]int{1, 0}))
	fmt.Println(set.Pixels(1))
	fmt.Printf("%.4f\n", set.Float32Images([]int{0})[:3])
	// Output:
	// 2 2 3 [3 7]
	// [255 0 0 0 0 255]
	// [-0.4242 1.2050 2.8215]
}
