package model_test

import (
	"fmt"

	"github.com/fracdyn/fracdyn/fracdyn/model"
)

// The paper's CNN: its weight layers, their canonical shapes and the
// number of trainable parameters.
func ExampleLayers() {
	arch, err := model.ParseArch("cnn")
	if err != nil {
		panic(err)
	}
	for _, l := range model.Layers(arch) {
		fmt.Println(l.Name, l.Kind, l.WeightShape, l.BiasShape)
	}
	fmt.Println("params:", model.NumParams(arch))
	// Output:
	// conv1 conv [32 1 3 3] [32]
	// conv2 conv [64 32 3 3] [64]
	// fc1 dense [128 50176] [128]
	// fc2 dense [10 128] [10]
	// params: 6442762
}
