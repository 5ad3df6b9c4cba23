package boundary

import (
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX style
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Graph parameters, read from the context (scope "boundary") by the graph
// functions of this file.
const (
	// ParamNonlinearity is the hidden activation: "tanh" (default),
	// "relu" or "identity" (see Nonlinearity).
	ParamNonlinearity = "boundary_nonlinearity"
	// ParamLoss is the objective: "mse" (default) or "quadratic" (see
	// Loss).
	ParamLoss = "boundary_loss"
)

// Layout of a batch of B networks of width w on d = w inputs, N points:
//
//	x  [N, d]     inputs, shared by the whole batch
//	y  [N]        targets, shared
//	w0 [d, B, w]  input-layer weights; network b's matrix is w0[:, b, :]
//	w1 [B, w]     output-layer weights
//	lr0, lr1 [B]  learning rates of the two layers
//
// With w0 laid out [d, B·w], the input layer of all B networks is one
// matrix product x·w0 of shape [N, B·w], and its gradient is one product
// xᵀ·δ: two large GEMMs over the shared data instead of B small ones.

func nonlinearity(ctx *context.Context) Nonlinearity {
	return Nonlinearity(context.GetParamOr(ctx, ParamNonlinearity, string(NonlinearityTanh)))
}

// Hidden returns the activations h = φ(z) of a batch of networks (layout
// above), shape [N, B, w], with z = x·w0/√d, and a = g·z, the argument of
// φ's shape function: with ParamNonlinearity "tanh", φ(z) = tanh(√2 z) =
// tanh(a); "relu", φ(z) = √2·max(z, 0) = max(a, 0); "identity", φ(z) = z = a.
// The gain g (√2, √2, 1) and 1/√d scale the small x, not the product.
func Hidden(ctx *context.Context, x, w0 *Node) (a, h *Node) {
	n, d := x.Shape().Dim(0), x.Shape().Dim(1)
	b, w := w0.Shape().Dim(1), w0.Shape().Dim(2)
	gain := activationGain(ctx)
	a = DotGeneral(MulScalar(x, gain/math.Sqrt(float64(d))), []int{1}, nil, Reshape(w0, d, b*w), []int{0}, nil)
	a = Reshape(a, n, b, w)
	switch nonlinearity(ctx) {
	case NonlinearityTanh:
		h = Tanh(a)
	case NonlinearityRelu:
		h = Max(a, ZerosLike(a))
	default:
		h = a
	}
	return a, h
}

// activationGain is g of Hidden; it panics on an unknown nonlinearity.
func activationGain(ctx *context.Context) float64 {
	switch nonlinearity(ctx) {
	case NonlinearityTanh, NonlinearityRelu:
		return math.Sqrt2
	case NonlinearityIdentity:
		return 1
	}
	panic(fmt.Sprintf("boundary: unknown %s %q", ParamNonlinearity, nonlinearity(ctx)))
}

// Output returns the network outputs h·w1/w, shape [N, B]: the output
// layer's pre-activation divided by √w, and the result by √w again (the
// mean-field scaling of the paper).
func Output(h, w1 *Node) *Node {
	width := h.Shape().Dim(2)
	return ReduceSum(Mul(h, ExpandAxes(MulScalar(w1, 1/float64(width)), 0)), -1)
}

// MSEStep is one gradient-descent step of the mean squared error of a
// batch of networks (layout above). Gradients come from the data (xg, yg);
// the loss returned, shape [B], is the loss on (x, y) before the step.
// Full-batch training passes xg, yg = nil: the one forward pass serves
// both. Returns the new w0 and w1 and the loss.
//
// With e = out − y, δ = 2e/N (∂L/∂out) and N points, the gradients are
//
//	∂L/∂w1[b,j] = Σ_n h[n,b,j]·δ[n,b] / w,
//	∂L/∂w0[i,b,j] = (g·w1[b,j]/(w√d)) · Σ_n x[n,i]·δ[n,b]·s[n,b,j],
//
// where φ'(z) = g·s (tanh: s = 1 − h²; relu: s = [a > 0]; identity: s =
// 1). The factor w1[b,j] is taken out of the sum, so that the sum is a
// product with the shared xᵀ; for tanh it is split as xᵀ·δ − xᵀ·(h⊙hδ),
// hδ = h⊙δ being the product the w1 gradient sums: one pass over the
// [N, B, w] activations for the whole of the w0 gradient.
func MSEStep(ctx *context.Context, x, y, xg, yg, w0, w1, lr0, lr1 *Node) (newW0, newW1, loss *Node) {
	a, h := Hidden(ctx, x, w0)
	e := Sub(Output(h, w1), ExpandAxes(y, 1))
	loss = ReduceMean(Square(e), 0)
	if xg != nil {
		a, h = Hidden(ctx, xg, w0)
		e = Sub(Output(h, w1), ExpandAxes(yg, 1))
		x = xg
	}
	n, d := x.Shape().Dim(0), x.Shape().Dim(1)
	b, width := w0.Shape().Dim(1), w0.Shape().Dim(2)
	dout := MulScalar(e, 2/float64(n)) // δ = ∂L/∂out, [N, B]
	// Each elementwise product broadcasts one operand only, which the
	// backend's strided kernels take; [N, B, 1]·[1, B, w] would not.
	hd := Mul(h, ExpandAxes(dout, -1)) // [N, B, w]
	gradW1 := MulScalar(ReduceSum(hd, 0), 1/float64(width))
	xT := func(v *Node) *Node { // Σ_n x[n,i]·v[n,…], [d, …]
		dims := append([]int{d}, v.Shape().Dimensions[1:]...)
		return Reshape(DotGeneral(x, []int{0}, nil, Reshape(v, n, -1), []int{0}, nil), dims...)
	}
	var sum *Node // Σ_n x[n,i]·δ[n,b]·s[n,b,j], [d, B, w]
	switch nonlinearity(ctx) {
	case NonlinearityTanh: // s = 1 − h²
		sum = Sub(ExpandAxes(xT(dout), -1), xT(Mul(h, hd)))
	case NonlinearityRelu: // s = [a > 0]
		sum = xT(Mul(ConvertDType(GreaterThan(a, ZerosLike(a)), a.DType()), ExpandAxes(dout, -1)))
	default: // s = 1
		sum = BroadcastToDims(ExpandAxes(xT(dout), -1), d, b, width)
	}
	gain := activationGain(ctx)
	f := Mul(MulScalar(w1, gain/(float64(width)*math.Sqrt(float64(d)))), ExpandAxes(lr0, -1)) // lr0·g·w1/(w√d), [B, w]
	newW0 = Sub(w0, Mul(sum, ExpandAxes(f, 0)))
	newW1 = Sub(w1, Mul(gradW1, ExpandAxes(lr1, -1)))
	return newW0, newW1, loss
}

// QuadraticStep is one gradient-descent step of the convex control: the
// loss
//
//	L = mean_{n,k} z_{nk}² + mean_n (f_n·w1/w − y_n)²,   z = x·w0/√d,
//
// where f = φ(x·init/√d) [N, w] are fixed random features of the initial
// input layer init [d, w]. L is a positive semi-definite quadratic form in
// (w0, w1), separable by layer, so gradient descent diverges exactly when a
// learning rate exceeds 2/λ_max of its layer's Hessian: the boundary is two
// straight lines in the log learning-rate plane. Arguments and results are
// those of MSEStep.
func QuadraticStep(ctx *context.Context, x, y, xg, yg, w0, w1, lr0, lr1, init *Node) (newW0, newW1, loss *Node) {
	d, width := init.Shape().Dim(0), init.Shape().Dim(1)
	b := w0.Shape().Dim(1)
	parts := func(x, y *Node) (z, f, e *Node) {
		n := x.Shape().Dim(0)
		z = DotGeneral(MulScalar(x, 1/math.Sqrt(float64(d))), []int{1}, nil, Reshape(w0, d, b*width), []int{0}, nil)
		z = Reshape(z, n, b, width)
		_, f = Hidden(ctx, x, Reshape(init, d, 1, width))
		f = Reshape(f, n, width)
		out := MulScalar(DotGeneral(f, []int{1}, nil, w1, []int{1}, nil), 1/float64(width)) // [N, B]
		return z, f, Sub(out, ExpandAxes(y, 1))
	}
	z, f, e := parts(x, y)
	loss = Add(ReduceMean(Square(z), 0, 2), ReduceMean(Square(e), 0))
	if xg != nil {
		x = xg
		z, f, e = parts(xg, yg)
	}
	n := x.Shape().Dim(0)
	dz := MulScalar(z, 2/float64(n*width))
	gradW0 := DotGeneral(x, []int{0}, nil, Reshape(dz, n, b*width), []int{0}, nil)
	gradW0 = Reshape(MulScalar(gradW0, 1/math.Sqrt(float64(d))), d, b, width)
	dout := MulScalar(e, 2/float64(n*width))
	gradW1 := DotGeneral(dout, []int{0}, nil, f, []int{0}, nil) // [B, w]
	newW0 = Sub(w0, Mul(gradW0, Reshape(lr0, 1, b, 1)))
	newW1 = Sub(w1, Mul(gradW1, ExpandAxes(lr1, -1)))
	return newW0, newW1, loss
}
