package run

import (
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// AdamScope is the absolute scope of Adam's moment variables: the moments of
// variable "/conv1/weights" are "/adam/conv1/weights_m" and ".../weights_v".
const AdamScope = "/adam"

// adamUpdate applies one Adam step to vars, whose loss gradients are grads,
// with PyTorch's semantics (torch.optim.Adam, no weight decay, no amsgrad):
//
//	t ← t+1
//	m ← β1·m + (1−β1)·g
//	v ← β2·v + (1−β2)·g²
//	w ← w − (lr/(1−β1ᵗ)) · m / (√v/√(1−β2ᵗ) + ε)
//
// lr, β1, β2 and ε come from ParamLearningRate, ParamAdamBeta1,
// ParamAdamBeta2 and ParamAdamEpsilon; the bias corrections are computed in
// float64, as PyTorch does on the host. The step t is GoMLX's global step
// (optimizers.GetGlobalStepVar), so checkpoints name it. ctx must be the
// root context.
func adamUpdate(ctx *context.Context, g *Graph, vars []*context.Variable, grads []*Node) {
	d := Defaults()
	lr := context.GetParamOr(ctx, ParamLearningRate, d[ParamLearningRate].(float64))
	beta1 := context.GetParamOr(ctx, ParamAdamBeta1, d[ParamAdamBeta1].(float64))
	beta2 := context.GetParamOr(ctx, ParamAdamBeta2, d[ParamAdamBeta2].(float64))
	eps := context.GetParamOr(ctx, ParamAdamEpsilon, d[ParamAdamEpsilon].(float64))

	t := optimizers.IncrementGlobalStepGraph(ctx, g, dtypes.Float64)
	bc1 := OneMinus(Pow(Scalar(g, dtypes.Float64, beta1), t))
	bc2 := OneMinus(Pow(Scalar(g, dtypes.Float64, beta2), t))
	stepSize := Div(Scalar(g, dtypes.Float64, lr), bc1)
	bc2Sqrt := Sqrt(bc2)

	for i, v := range vars {
		grad := grads[i]
		dt := grad.DType()
		state := ctx.InAbsPath(AdamScope + v.Scope()).Checked(false).WithInitializer(initializers.Zero)
		mVar := state.VariableWithShape(v.Name()+"_m", v.Shape()).SetTrainable(false)
		vVar := state.VariableWithShape(v.Name()+"_v", v.Shape()).SetTrainable(false)
		m := Add(MulScalar(mVar.ValueGraph(g), beta1), MulScalar(grad, 1-beta1))
		sq := Add(MulScalar(vVar.ValueGraph(g), beta2), MulScalar(Square(grad), 1-beta2))
		mVar.SetValueGraph(m)
		vVar.SetValueGraph(sq)
		denom := AddScalar(Div(Sqrt(sq), ConvertDType(bc2Sqrt, dt)), eps)
		update := Mul(ConvertDType(stepSize, dt), Div(m, denom))
		v.SetValueGraph(Sub(v.ValueGraph(g), update))
	}
}
