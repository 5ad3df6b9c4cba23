package run

import (
	"math"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/backend"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// TestAdamMatchesPyTorch runs four Adam steps on a 3-vector with given
// gradients and compares with torch.optim.Adam's update written in float64.
func TestAdamMatchesPyTorch(t *testing.T) {
	ctx, err := NewContext("paper")
	if err != nil {
		t.Fatal(err)
	}
	ctx.SetParam(ParamLearningRate, 0.1)
	w0 := []float32{1, -2, 0.5}
	wVar := ctx.In("layer").VariableWithValue("weights", w0)
	exec := context.MustNewExec(backend.MustNew(), ctx, func(ctx *context.Context, grad *Node) *Node {
		adamUpdate(ctx, grad.Graph(), []*context.Variable{wVar}, []*Node{grad})
		return wVar.ValueGraph(grad.Graph())
	})
	grads := [][]float32{{0.5, -1, 0}, {0.25, 2, 1e-3}, {-1, 0.5, 1e-3}, {0, 0, 3}}

	// Reference: torch/optim/adam.py, _single_tensor_adam.
	lr, b1, b2, eps := 0.1, 0.9, 0.999, 1e-8
	w := []float64{1, -2, 0.5}
	m, v := make([]float64, 3), make([]float64, 3)
	for step, g := range grads {
		tt := float64(step + 1)
		for i := range w {
			gi := float64(g[i])
			m[i] = b1*m[i] + (1-b1)*gi
			v[i] = b2*v[i] + (1-b2)*gi*gi
			denom := math.Sqrt(v[i])/math.Sqrt(1-math.Pow(b2, tt)) + eps
			w[i] -= lr / (1 - math.Pow(b1, tt)) * m[i] / denom
		}
		got := exec.MustExec(g)[0].Value().([]float32)
		for i := range w {
			if math.Abs(float64(got[i])-w[i]) > 1e-6*math.Max(1, math.Abs(w[i])) {
				t.Errorf("step %d w[%d] = %.8g, want %.8g", step+1, i, got[i], w[i])
			}
		}
	}
	if s := ctx.InspectVariable("/adam/layer", "weights_m"); s == nil {
		t.Error("no Adam moment variable /adam/layer/weights_m")
	}
}
