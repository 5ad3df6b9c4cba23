// Command gomlxckpt writes a GoMLX checkpoint with GoMLX alone (no fracdyn
// code): the fixture of fracdyn/modelfile's GoMLX checkpoint reader.
//
// It builds a small channels-last CNN from GoMLX's own layers on [B,8,8,1]
// inputs:
//
//	/conv_0/conv/weights                 [3,3,1,8]   layers.Convolution (HWIO), + biases [8]
//	/conv_1/conv/weights                 [3,3,8,16]  stride 2, + biases [16]
//	/conv_1/batch_normalization/...      [16]        batchnorm: scale, offset, mean, variance, avg_weight
//	/fc_0/dense/weights                  [256,16]    layers.Dense ([in,out]), + biases [16]
//	/fc_0/layer_normalization/{gain,offset} [16]
//	/fc_1/dense/weights                  [16,10]    + biases [10]
//
// trains it with Adam on seeded random data and saves a checkpoint after
// step 1 and after the last step (checkpoints.Handler.Save), so the
// directory holds two checkpoints, the Adam moments and the global step.
//
//	go run ./fracdyn/modelfile/testdata/gomlxckpt -dir DIR [-steps 3] [-uncompressed]
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"

	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/simplego"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/checkpoints"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/layers/batchnorm"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

const batch = 16

func model(ctx *context.Context, _ any, inputs []*Node) []*Node {
	x := inputs[0] // [B,8,8,1], channels last
	x = layers.Convolution(ctx.In("conv_0"), x).Filters(8).KernelSize(3).PadSame().Done()
	x = activations.Relu(x)
	x = layers.Convolution(ctx.In("conv_1"), x).Filters(16).KernelSize(3).Strides(2).PadSame().Done()
	// The graph-built batch norm: simplego has no fused BatchNormForTraining.
	x = batchnorm.New(ctx.In("conv_1"), x, -1).UseBackendInference(false).Done()
	x = activations.Relu(x)
	// Stock simplego (v0.26.0) cannot differentiate a convolution (no
	// "Reverse" op): the conv stack is frozen, its kernels keep their
	// initial values, while the batch norm's averages and the dense layers
	// train.
	x = StopGradient(x)
	x = Reshape(x, x.Shape().Dimensions[0], -1) // [B,4·4·16]
	x = layers.Dense(ctx.In("fc_0"), x, true, 16)
	x = layers.LayerNormalization(ctx.In("fc_0"), x, -1).Done()
	x = activations.Relu(x)
	x = layers.Dense(ctx.In("fc_1"), x, true, 10)
	return []*Node{x}
}

func main() {
	dir := flag.String("dir", "", "checkpoint directory to write (created)")
	steps := flag.Int("steps", 3, "training steps")
	uncompressed := flag.Bool("uncompressed", false, "write the .bin uncompressed (default: gzip, GoMLX's default)")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "gomlxckpt: -dir is required")
		os.Exit(2)
	}
	if err := run(*dir, *steps, *uncompressed); err != nil {
		fmt.Fprintln(os.Stderr, "gomlxckpt:", err)
		os.Exit(1)
	}
}

func run(dir string, steps int, uncompressed bool) error {
	backend, err := backends.NewWithConfig("go")
	if err != nil {
		return err
	}
	ctx := context.New()
	ctx.SetParam(initializers.ParamInitialSeed, int64(42))
	ctx.SetParam(optimizers.ParamLearningRate, 0.01)
	cfg := checkpoints.Build(ctx).Dir(dir).Keep(-1)
	if uncompressed {
		cfg = cfg.WithCompression(checkpoints.BinUncompressed)
	}
	ckpt, err := cfg.Done()
	if err != nil {
		return err
	}
	trainer := train.NewTrainer(backend, ctx, model, losses.SparseCategoricalCrossEntropyLogits,
		optimizers.Adam().Done(), nil, nil)
	rng := rand.New(rand.NewPCG(1, 2))
	for step := 1; step <= steps; step++ {
		x := make([]float32, batch*8*8)
		for i := range x {
			x[i] = float32(rng.NormFloat64())
		}
		y := make([]int32, batch)
		for i := range y {
			y[i] = int32(rng.IntN(10))
		}
		inputs := tensors.FromFlatDataAndDimensions(x, batch, 8, 8, 1)
		labels := tensors.FromFlatDataAndDimensions(y, batch, 1)
		if _, err := trainer.TrainStep(nil, []*tensors.Tensor{inputs}, []*tensors.Tensor{labels}); err != nil {
			return err
		}
		if step == 1 || step == steps {
			if err := ckpt.Save(); err != nil {
				return err
			}
		}
	}
	return nil
}
