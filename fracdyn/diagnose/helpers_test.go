package diagnose

import (
	"math/rand/v2"

	"github.com/fracdyn/fracdyn/fracdyn/model"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// testImages returns b pseudo-images [b,28,28] with MNIST-like statistics.
func testImages(b int) *tensors.Tensor {
	rng := rand.New(rand.NewPCG(9, 9))
	v := make([]float32, b*model.ImageSize*model.ImageSize)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return tensors.FromFlatDataAndDimensions(v, b, model.ImageSize, model.ImageSize)
}
