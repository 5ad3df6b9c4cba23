package recorder_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/fracdyn/fracdyn/fracdyn/recorder"
	"github.com/fracdyn/fracdyn/fracdyn/run"
	"github.com/fracdyn/fracdyn/internal/testutil"
	"github.com/fracdyn/fracdyn/mnist"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/metrics"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// Example records a user-defined GoMLX model, trained with train.Loop, into
// a fracdyn run directory: the README's "Your own model" code.
func Example() {
	dir, _ := os.MkdirTemp("", "recorder-example-")
	defer os.RemoveAll(dir)
	pixels, labels := testutil.BarImages(64) // MNIST-shaped images of 10 classes
	set := &mnist.Set{Images: pixels, Labels: labels, N: 64, Rows: 28, Cols: 28}

	// The model: any GoMLX model function. Here a channels-last CNN.
	model := func(ctx *context.Context, _ any, inputs []*Node) []*Node {
		x := InsertAxes(inputs[0], -1) // [B,28,28] -> [B,28,28,1]
		x = activations.Relu(layers.Convolution(ctx.In("conv"), x).Filters(8).KernelSize(3).Strides(2).Done())
		x = Reshape(x, x.Shape().Dimensions[0], -1)
		return []*Node{layers.Dense(ctx.In("dense"), x, true, 10)}
	}
	loss := func(labels, logits []*Node) *Node { // labels [B] int32
		return losses.SparseCategoricalCrossEntropyLogits([]*Node{InsertAxes(labels[0], -1)}, logits)
	}

	b, err := backend.New()
	if err != nil {
		panic(err)
	}
	ctx := context.New()
	ds, _ := mnist.NewBatches("train", set, mnist.BatchOptions{BatchSize: 16})
	probeX, probeY, _, _ := mnist.Probe(set, 8, 1)
	rec, err := recorder.New(b, ctx, recorder.Options{
		Dir:     filepath.Join(dir, "run"),
		ModelFn: model, LossFn: loss,
		ProbeInputs:   []*tensors.Tensor{tensors.FromFlatDataAndDimensions(probeX, 8, 28, 28)},
		ProbeLabels:   []*tensors.Tensor{tensors.FromFlatDataAndDimensions(probeY, 8)},
		SnapshotEvery: ds.BatchesPerEpoch(), // a snapshot per epoch
	})
	if err != nil {
		panic(err)
	}
	trainer := train.NewTrainer(b, ctx, model, loss,
		rec.Optimizer(optimizers.Adam().Done()), []metrics.Interface{rec.Metric()}, nil)
	loop := train.NewLoop(trainer)
	rec.Attach(loop)
	if _, err := loop.RunEpochs(ds, 2); err != nil {
		panic(err)
	}

	// The run directory reads like one of fracdyn's own.
	r, err := run.Open(filepath.Join(dir, "run"))
	if err != nil {
		panic(err)
	}
	for _, l := range r.Config.Layers {
		fmt.Println(l.Name, l.Kind, l.Layout, l.WeightShape)
	}
	steps, _ := r.Steps()
	epochs, _ := r.SnapshotEpochs()
	fmt.Println(len(steps), "steps, snapshots", epochs)
	// Output:
	// conv conv hwio [8 1 3 3]
	// dense dense io [10 1352]
	// 8 steps, snapshots [0 1 2]
}
