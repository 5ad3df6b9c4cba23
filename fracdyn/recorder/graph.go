package recorder

import (
	"fmt"

	"github.com/fracdyn/fracdyn/fracdyn/run"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/metrics"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// Scope is the absolute context scope under which the recorder keeps its
// per-graph values (no variables: checkpoints are not changed).
const Scope = "/fracdyn_recorder"

const statsKey = "step_stats"

// optimizer wraps the user's optimizer: it computes the gradients once,
// derives the step statistics from them and hands the same gradients to
// the wrapped optimizer.
type optimizer struct {
	inner optimizers.Interface
	r     *Recorder
}

// Optimizer returns inner wrapped so that the training step also computes
// what the recorder records. Give it to train.NewTrainer in place of inner,
// with Metric among the train metrics.
//
// The gradients are computed once, by
// Context.BuildTrainableVariablesGradientsGraph, and passed on through
// inner's UpdateGraphWithGradients (train.OptimizeWithGradients: GoMLX's
// Adam, SGD and others). An optimizer without it gets UpdateGraph, and the
// backward pass is then built twice in the step's graph.
func (r *Recorder) Optimizer(inner optimizers.Interface) optimizers.Interface {
	return &optimizer{inner: inner, r: r}
}

// UpdateGraph implements optimizers.Interface.
func (o *optimizer) UpdateGraph(ctx *context.Context, g *Graph, loss *Node) {
	r := o.r
	if r.rec == nil {
		panic("recorder: the training step was built before Recorder.Start: attach the recorder to the loop (Attach) or call Start before the first step")
	}
	grads := ctx.BuildTrainableVariablesGradientsGraph(loss)
	byVar := map[*context.Variable]*Node{}
	i := 0
	ctx.EnumerateVariables(func(v *context.Variable) {
		if v.Trainable && v.InUseByGraph(g) {
			byVar[v] = grads[i]
			i++
		}
	})
	layerGrads := make([]run.LayerGrad, len(r.layers))
	for j, l := range r.layers {
		layerGrads[j] = run.LayerGrad{Weight: byVar[l.Weight]}
		if l.Bias != nil {
			layerGrads[j].Bias = byVar[l.Bias]
		}
		if layerGrads[j].Weight == nil {
			panic(fmt.Sprintf("recorder: layer %q's weight %s is not used by the training step", l.Name, l.Weight.ScopeAndName()))
		}
		if l.Bias != nil && layerGrads[j].Bias == nil {
			layerGrads[j].Bias = Zeros(g, l.Bias.Shape())
		}
	}
	var others []*Node
	for _, v := range r.others {
		if gr, ok := byVar[v]; ok {
			others = append(others, gr)
		}
	}
	stats := r.rec.StatsGraph(loss, layerGrads, others)
	ctx.InAbsPath(Scope).SetGraphParam(g, statsKey, stats)
	if withGrads, ok := o.inner.(train.OptimizeWithGradients); ok {
		withGrads.UpdateGraphWithGradients(ctx, grads, loss.DType())
		return
	}
	o.inner.UpdateGraph(ctx, g, loss)
}

// Clear implements optimizers.Interface.
func (o *optimizer) Clear(ctx *context.Context) error { return o.inner.Clear(ctx) }

// metric returns the step statistics the optimizer computed as one of the
// training step's outputs, so that the loop's OnStep hook receives them.
type metric struct{ r *Recorder }

// Metric returns the train metric that carries the recorder's per-step
// statistics out of the training step. Add it to the trainer's train
// metrics (train.NewTrainer's trainMetrics), not to its eval metrics.
func (r *Recorder) Metric() metrics.Interface { return r.metric }

func (m *metric) Name() string           { return "fracdyn recorder" }
func (m *metric) ShortName() string      { return "‖∇‖" }
func (m *metric) ScopeName() string      { return "fracdyn_recorder" }
func (m *metric) MetricType() string     { return "gradient norm" }
func (m *metric) Reset(*context.Context) {}

// UpdateGraph returns the statistics vector of the step (loss, global and
// per-layer gradient norms, tracked segments' norms and means).
func (m *metric) UpdateGraph(ctx *context.Context, labels, predictions []*Node) *Node {
	g := predictions[0].Graph()
	v, ok := ctx.InAbsPath(Scope).GetGraphParam(g, statsKey)
	if !ok {
		// An evaluation graph, or a trainer whose optimizer is not
		// Recorder.Optimizer: nothing to carry.
		return Zeros(g, shapes.Make(dtypes.Float32, 1))
	}
	if len(labels) > 0 && labels[0].Rank() > 0 && m.r.batchSize == 0 {
		m.r.batchSize = labels[0].Shape().Dimensions[0]
	}
	return v.(*Node)
}

// PrettyPrint shows the step's global gradient norm.
func (m *metric) PrettyPrint(value *tensors.Tensor) string {
	if value.Size() < 2 {
		return "-"
	}
	return fmt.Sprintf("%.3g", tensors.MustCopyFlatData[float32](value)[1])
}
