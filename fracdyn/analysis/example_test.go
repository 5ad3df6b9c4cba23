package analysis_test

import (
	"fmt"

	"github.com/fracdyn/fracdyn/fracdyn/analysis"
	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/fracdyn/fracdyn/fracdyn/model"
)

// The activation maps A of the MLP with every weight zero and the biases
// of fc1, fc2, fc3 set to 0.5, -1 and 2: each layer then outputs its bias
// through its activation (ReLU on fc1 and fc2, so fc2 is 0; none on the
// logits of fc3), whatever the probe images are.
func ExampleProber() {
	b, err := backend.NewWithConfig(backend.Default)
	if err != nil {
		panic(err)
	}
	images := make([]float32, 3*28*28) // a probe batch of 3 images
	for i := range images {
		images[i] = float32(i%7) / 7
	}
	p, err := analysis.NewProber(b, model.MLP, images)
	if err != nil {
		panic(err)
	}
	biases := []float32{0.5, -1, 2}
	w := map[string][]float32{}
	for i, l := range model.Layers(model.MLP) {
		w[model.StateName(l, "weight")] = make([]float32, l.WeightShape[0]*l.WeightShape[1])
		bias := make([]float32, l.BiasShape[0])
		for j := range bias {
			bias[j] = biases[i]
		}
		w[model.StateName(l, "bias")] = bias
	}
	means, err := p.Means(w)
	if err != nil {
		panic(err)
	}
	for i, m := range means {
		fmt.Println(model.Layers(model.MLP)[i].Name, len(m), m[:3])
	}
	// Output:
	// fc1 256 [0.5 0.5 0.5]
	// fc2 128 [0 0 0]
	// fc3 10 [2 2 2]
}
