package diagnose

import (
	"math"
	"math/rand/v2"

	"github.com/fracdyn/fracdyn/fracdyn/model"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// randomWeights returns PyTorch-initialised weights for arch from seed (as
// modelfile's tests do).
func randomWeights(arch model.Arch, seed uint64) map[string][]float32 {
	rng := rand.New(rand.NewPCG(seed, seed))
	w := map[string][]float32{}
	for _, l := range model.Layers(arch) {
		bound := 1 / math.Sqrt(float64(numel(l.WeightShape[1:])))
		for _, p := range []struct {
			part  string
			shape []int
		}{{"weight", l.WeightShape}, {"bias", l.BiasShape}} {
			v := make([]float32, numel(p.shape))
			for i := range v {
				v[i] = float32((2*rng.Float64() - 1) * bound)
			}
			w[model.StateName(l, p.part)] = v
		}
	}
	return w
}

// testImages returns b pseudo-images [b,28,28] with MNIST-like statistics.
func testImages(b int) *tensors.Tensor {
	rng := rand.New(rand.NewPCG(9, 9))
	v := make([]float32, b*model.ImageSize*model.ImageSize)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return tensors.FromFlatDataAndDimensions(v, b, model.ImageSize, model.ImageSize)
}
