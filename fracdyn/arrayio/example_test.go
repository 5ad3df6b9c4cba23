package arrayio_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/fracdyn/fracdyn/fracdyn/arrayio"
)

// Write a 2×3 float32 matrix as .npy and .npz and read both back.
func Example() {
	dir, err := os.MkdirTemp("", "arrayio-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	a := arrayio.FromFloat32([]float32{1, 2, 3, 4.5, 5, 6}, 2, 3)
	npy := filepath.Join(dir, "w.npy")
	if err := arrayio.WriteNPY(npy, a); err != nil {
		panic(err)
	}
	back, err := arrayio.ReadNPY(npy)
	if err != nil {
		panic(err)
	}
	fmt.Println(back.DType, back.Shape, back.Float32s())

	npz := filepath.Join(dir, "snap.npz")
	err = arrayio.WriteNPZ(npz, []string{"fc.weight", "fc.bias"}, map[string]*arrayio.Array{
		"fc.weight": a, "fc.bias": arrayio.FromFloat64([]float64{0.25, -1}, 2)})
	if err != nil {
		panic(err)
	}
	names, arrays, err := arrayio.ReadNPZ(npz)
	if err != nil {
		panic(err)
	}
	fmt.Println(names, arrays["fc.bias"].DType, arrays["fc.bias"].Float64s())
	// Output:
	// float32 [2 3] [1 2 3 4.5 5 6]
	// [fc.weight fc.bias] float64 [0.25 -1]
}
