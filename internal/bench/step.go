// Package bench measures training fracdyn's models: Go benchmarks of a
// training step, an epoch and the probe-batch gradient pass for each
// architecture, and a PyTorch reference (pytorch_ref.py) of the same models
// and training, run side by side by run.sh, which writes the training
// section of BENCHMARKS.md.
package bench

import (
	"fmt"
	"math/rand/v2"

	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/fracdyn/fracdyn/fracdyn/model"
	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck // GoMLX style.
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// LearningRate is the paper's Adam learning rate.
const LearningRate = 6e-4

// Trainer runs training steps of one architecture: forward, mean softmax
// cross-entropy, backward and an Adam update, as one compiled graph.
type Trainer struct {
	Arch  model.Arch
	Batch int
	ctx   *context.Context
	step  *context.Exec
	grads *context.Exec
}

// NewTrainer builds the training step of arch for batches of batch images,
// with weights seeded by seed and the model's hyperparameters (e.g.
// model.ParamConv) from params, which may be nil.
func NewTrainer(b backends.Backend, arch model.Arch, batch int, seed int64, params map[string]any) (*Trainer, error) {
	backend.EnableDotGeneralGradient(b) // as fracdyn's own training does
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(seed); err != nil {
		return nil, err
	}
	ctx.SetParams(params)
	t := &Trainer{Arch: arch, Batch: batch, ctx: ctx}
	opt := optimizers.Adam().LearningRate(LearningRate).Done()
	var err error
	t.step, err = context.NewExec(b, ctx, func(ctx *context.Context, images, labels *Node) *Node {
		logits, _ := model.Forward(ctx, arch, images)
		loss := losses.SparseCategoricalCrossEntropyLogits([]*Node{Reshape(labels, -1, 1)}, []*Node{logits})
		loss = ReduceAllMean(loss)
		opt.UpdateGraph(ctx, images.Graph(), loss)
		return loss
	})
	if err != nil {
		return nil, fmt.Errorf("bench: building %s training step: %w", arch, err)
	}
	t.grads, err = context.NewExec(b, ctx, func(ctx *context.Context, images, labels *Node) []*Node {
		logits, _ := model.Forward(ctx, arch, images)
		loss := ReduceAllMean(losses.SparseCategoricalCrossEntropyLogits([]*Node{Reshape(labels, -1, 1)}, []*Node{logits}))
		var params []*Node
		for _, l := range model.Layers(arch) {
			for _, name := range []string{model.WeightsVar, model.BiasesVar} {
				params = append(params, ctx.In(l.Name).GetVariable(name).ValueGraph(images.Graph()))
			}
		}
		return append([]*Node{loss}, Gradient(loss, params...)...)
	})
	if err != nil {
		return nil, fmt.Errorf("bench: building %s gradient pass: %w", arch, err)
	}
	return t, nil
}

// Step runs one training step and returns the loss before the update.
func (t *Trainer) Step(images, labels *tensors.Tensor) (float32, error) {
	out, err := t.step.Exec(images, labels)
	if err != nil {
		return 0, err
	}
	loss := tensors.MustCopyFlatData[float32](out[0])[0]
	for _, o := range out {
		o.FinalizeAll()
	}
	return loss, nil
}

// Gradients runs the gradient pass without updating: the loss and the
// gradient of every parameter, as the probe batch is evaluated at each
// snapshot.
func (t *Trainer) Gradients(images, labels *tensors.Tensor) error {
	out, err := t.grads.Exec(images, labels)
	for _, o := range out {
		o.FinalizeAll()
	}
	return err
}

// SyntheticBatch returns a deterministic batch of n normalised-range images
// [n, 28, 28] and labels [n] for timing (the contents do not change the cost).
func SyntheticBatch(n int, seed uint64) (images, labels *tensors.Tensor) {
	rng := rand.New(rand.NewPCG(seed, 1))
	img := make([]float32, n*model.ImageSize*model.ImageSize)
	for i := range img {
		img[i] = float32(rng.NormFloat64())
	}
	lab := make([]int32, n)
	for i := range lab {
		lab[i] = int32(rng.IntN(model.NumClasses))
	}
	return tensors.FromFlatDataAndDimensions(img, n, model.ImageSize, model.ImageSize),
		tensors.FromFlatDataAndDimensions(lab, n)
}
