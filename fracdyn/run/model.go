package run

import (
	"github.com/fracdyn/fracdyn/fracdyn/model"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// specFor returns the training view of one of fracdyn/model's networks.
func specFor(arch model.Arch) *modelSpec {
	return &modelSpec{
		layers:  model.Layers(arch),
		classes: model.NumClasses,
		forward: func(ctx *context.Context, images *Node) *Node {
			logits, _ := model.Forward(ctx, arch, images)
			return logits
		},
	}
}

// stateName is the PyTorch state-dict name of a layer's parameter, as
// model.StateName gives it: "conv1.weight", "conv1.bias".
func stateName(layer, part string) string { return layer + "." + part }
