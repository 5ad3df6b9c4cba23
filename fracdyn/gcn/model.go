package gcn

import (
	"fmt"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
)

// Hyperparameters of the GCN autoencoder, read from the context with
// context.GetParamOr; the defaults are in the comments.
const (
	// ParamLayers is the number of GCN layers (default 2).
	ParamLayers = "gcn_layers"
	// ParamHidden is the width of the hidden layers (default 32).
	ParamHidden = "gcn_hidden"
	// ParamEmbedding is the width of the embeddings Z (default 16).
	ParamEmbedding = "gcn_embedding"
	// ParamActivation names the activation between layers, one of GoMLX's
	// activations ("relu", "tanh", "swish", ...; default "relu").
	ParamActivation = "gcn_activation"
	// ParamDropout is the dropout rate on each layer's input during
	// training (default 0).
	ParamDropout = "gcn_dropout"
	// ParamLearningRate is Adam's learning rate (default 0.01).
	ParamLearningRate = "gcn_learning_rate"
	// ParamEpochs is the number of full-batch training steps (default 200).
	ParamEpochs = "gcn_epochs"
	// ParamNegatives is the number of sampled non-edges per training edge
	// in each step (default 1).
	ParamNegatives = "gcn_negatives"
	// ParamEngine picks the training engine, "native" (default) or "gomlx"
	// (see Engine).
	ParamEngine = "gcn_engine"
)

// Defaults of the hyperparameters above.
const (
	DefaultLayers       = 2
	DefaultHidden       = 32
	DefaultEmbedding    = 16
	DefaultActivation   = "relu"
	DefaultDropout      = 0.0
	DefaultLearningRate = 0.01
	DefaultEpochs       = 200
	DefaultNegatives    = 1
)

// Propagate computes Â·x by message passing: each message k gathers row
// src[k] of x, scales it by coef[k], and the messages are summed into their
// destination rows dst[k] (Gather, then ScatterSum — the pattern of GoMLX's
// examples/ogbnmag/gnn). x: [N, F]; src, dst: [M] int32; coef: [M].
func Propagate(x, src, dst, coef *Node) *Node {
	x.AssertRank(2)
	m := src.Shape().Dimensions[0]
	src.AssertDims(m)
	dst.AssertDims(m)
	coef.AssertDims(m)
	msgs := Gather(x, ExpandAxes(src, -1))
	msgs = Mul(msgs, ExpandAxes(ConvertDType(coef, x.DType()), -1))
	return Scatter(ExpandAxes(dst, -1), msgs, x.Shape(), true, false)
}

// GraphNodes are the propagation operator's arrays as graph nodes.
type GraphNodes struct{ Src, Dst, Coef *Node }

// Encoder is the GCN: for each layer l, H ← act(Â · dropout(H) · W_l + b_l),
// with no activation after the last layer, whose width is ParamEmbedding.
// x: [N, F] node features; it returns the embeddings Z: [N, ParamEmbedding].
func Encoder(ctx *context.Context, x *Node, prop GraphNodes) *Node {
	ctx = ctx.In("gcn")
	x.AssertRank(2)
	nLayers := context.GetParamOr(ctx, ParamLayers, DefaultLayers)
	hidden := context.GetParamOr(ctx, ParamHidden, DefaultHidden)
	embed := context.GetParamOr(ctx, ParamEmbedding, DefaultEmbedding)
	act := activations.FromName(context.GetParamOr(ctx, ParamActivation, DefaultActivation))
	dropout := context.GetParamOr(ctx, ParamDropout, DefaultDropout)
	if nLayers < 1 {
		panic(fmt.Sprintf("gcn: %s must be >= 1, got %d", ParamLayers, nLayers))
	}
	h := x
	for l := range nLayers {
		lctx := ctx.Inf("layer_%d", l)
		out := hidden
		if l == nLayers-1 {
			out = embed
		}
		h = layers.DropoutStatic(lctx, h, dropout)
		in := h.Shape().Dimensions[1]
		w := lctx.VariableWithShape("weights", shapes.Make(h.DType(), in, out)).ValueGraph(h.Graph())
		b := lctx.WithInitializer(zeroInit).VariableWithShape("biases", shapes.Make(h.DType(), out)).ValueGraph(h.Graph())
		h = Dot(h, w)
		h = Propagate(h, prop.Src, prop.Dst, prop.Coef)
		h = Add(h, ExpandAxes(b, 0))
		if l < nLayers-1 {
			h = activations.Apply(act, h)
		}
	}
	return h
}

func zeroInit(g *Graph, shape shapes.Shape) *Node { return Zeros(g, shape) }

// PairLogits returns z_a·z_b for each pair: z [N, D], pairs [P, 2] int32 → [P].
func PairLogits(z, pairs *Node) *Node {
	p := pairs.Shape().Dimensions[0]
	pairs.AssertDims(p, 2)
	a := Gather(z, Slice(pairs, AxisRange(), AxisElem(0)))
	b := Gather(z, Slice(pairs, AxisRange(), AxisElem(1)))
	return ReduceSum(Mul(a, b), -1)
}

// ReconstructionLoss is the mean binary cross-entropy of σ(logits) against
// labels (1 for edges, 0 for non-edges), written stably:
// ℓ = softplus(x) − y·x.
func ReconstructionLoss(logits, labels *Node) *Node {
	labels = ConvertDType(labels, logits.DType())
	return ReduceAllMean(Sub(Softplus(logits), Mul(labels, logits)))
}
