package run

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

// modelSpec is what training needs from a model: its layers and a forward
// graph function whose variables live at ctx.In(layer.Name) as "weights"
// (PyTorch layout) and "biases".
type modelSpec struct {
	layers  []weights.Layer
	classes int
	// forward returns logits [B, classes] for images [B,28,28].
	forward func(ctx *context.Context, images *Node) *Node
}

// Variable names of a layer's parameters in the context.
const (
	weightsVar = "weights"
	biasesVar  = "biases"
)

// modelVars returns the weight and bias variables of every layer, in forward
// order (weights then bias). It panics if one is missing, naming it.
func (m *modelSpec) modelVars(ctx *context.Context) []*context.Variable {
	vars := make([]*context.Variable, 0, 2*len(m.layers))
	for _, l := range m.layers {
		for _, name := range []string{weightsVar, biasesVar} {
			v := ctx.In(l.Name).GetVariable(name)
			if v == nil {
				panic(fmt.Sprintf("run: model has no variable %s/%s", l.Name, name))
			}
			vars = append(vars, v)
		}
	}
	return vars
}

// crossEntropy returns the mean over the batch of −log softmax(logits)[label]
// (torch.nn.CrossEntropyLoss). logits [B,C] float32, labels [B] int32.
func crossEntropy(logits, labels *Node) *Node {
	return ReduceAllMean(exampleLosses(logits, labels))
}

// exampleLosses returns −log softmax(logits)[label] per example: [B].
func exampleLosses(logits, labels *Node) *Node {
	logits.AssertRank(2)
	labels.AssertRank(1)
	logp := LogSoftmax(logits, -1)
	oneHot := OneHot(labels, logits.Shape().Dimensions[1], logits.DType())
	return Neg(ReduceSum(Mul(logp, oneHot), -1))
}

// gradients builds the loss on (images, labels) and its gradients with
// respect to every model variable (modelVars order).
func (m *modelSpec) gradients(ctx *context.Context, images, labels *Node) (loss *Node, vars []*context.Variable, grads []*Node) {
	mctx := ctx.Checked(false)
	logits := m.forward(mctx, images)
	loss = crossEntropy(logits, labels)
	vars = m.modelVars(mctx)
	g := images.Graph()
	nodes := make([]*Node, len(vars))
	for i, v := range vars {
		nodes[i] = v.ValueGraph(g)
	}
	return loss, vars, Gradient(loss, nodes...)
}

// trainStep is the graph of one training step: loss and gradients of the
// batch, computed once, then Adam's update of every weight and bias. It
// returns the recorder's statistics of the step (Recorder.StatsGraph: the
// loss before the update, the global and per-layer gradient norms, and the
// tracked segments' gradient norms and signed means).
func (m *modelSpec) trainStep(ctx *context.Context, rec *Recorder, images, labels *Node) []*Node {
	loss, vars, grads := m.gradients(ctx, images, labels)
	g := images.Graph()
	layerGrads := make([]LayerGrad, len(m.layers))
	for i := range m.layers {
		layerGrads[i] = LayerGrad{Weight: grads[2*i], Bias: grads[2*i+1]}
	}
	stats := rec.StatsGraph(loss, layerGrads, nil)
	adamUpdate(ctx, g, vars, grads)
	return []*Node{stats}
}

// probeGradients is the graph of the snapshot gradients: the loss on the
// probe batch and its gradient for every weight and bias, without updating.
func (m *modelSpec) probeGradients(ctx *context.Context, images, labels *Node) []*Node {
	loss, _, grads := m.gradients(ctx, images, labels)
	return append([]*Node{loss}, grads...)
}

// evalBatch is the graph of evaluation: the summed cross-entropy and the
// number of correctly classified images of a batch.
func (m *modelSpec) evalBatch(ctx *context.Context, images, labels *Node) []*Node {
	logits := m.forward(ctx.Checked(false), images)
	lossSum := ReduceAllSum(exampleLosses(logits, labels))
	pred := ArgMax(logits, -1, dtypes.Int32)
	correct := ReduceAllSum(ConvertDType(Equal(pred, labels), dtypes.Float32))
	return []*Node{lossSum, correct}
}
