package model

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/fracdyn/fracdyn/internal/testutil"

	"github.com/fracdyn/fracdyn/fracdyn/arrayio"
	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck // GoMLX style.
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

func flat(t *tensors.Tensor) []float32 { return tensors.MustCopyFlatData[float32](t) }

func TestLayers(t *testing.T) {
	// Parameter counts of the PyTorch definitions (sum of numel over the state dict).
	for _, c := range []struct {
		arch   Arch
		params int
		fc1In  int
	}{
		{PaperCNN, 320 + 18_496 + 6_422_656 + 1_290, 50_176},
		{PooledCNN, 320 + 18_496 + 401_536 + 1_290, 3_136},
		{MLP, 200_960 + 32_896 + 1_290, 784},
	} {
		if got := NumParams(c.arch); got != c.params {
			t.Errorf("NumParams(%s) = %d, want %d", c.arch, got, c.params)
		}
		layers := Layers(c.arch)
		for i, l := range layers {
			if i > 0 && l.Kind == weights.Dense && layers[l.Prev].Kind == weights.Conv && prod(layers[l.Prev].OutShape) != l.WeightShape[1] {
				t.Errorf("%s %s: %d inputs, previous layer gives %v", c.arch, l.Name, l.WeightShape[1], layers[l.Prev].OutShape)
			}
			if l.Prev != i-1 {
				t.Errorf("%s %s: Prev = %d", c.arch, l.Name, l.Prev)
			}
		}
		fc1 := layers[slices.IndexFunc(layers, func(l weights.Layer) bool { return l.Name == "fc1" })]
		if fc1.WeightShape[1] != c.fc1In {
			t.Errorf("%s fc1 has %d inputs, want %d", c.arch, fc1.WeightShape[1], c.fc1In)
		}
	}
	if a, err := ParseArch(" CNN-pool "); err != nil || a != PooledCNN {
		t.Errorf("ParseArch(\" CNN-pool \") = %q, %v", a, err)
	}
	if _, err := ParseArch("resnet"); err == nil {
		t.Error("ParseArch(\"resnet\") succeeded")
	}
}

func TestForwardShapes(t *testing.T) {
	b := backend.MustNew()
	for _, arch := range Archs() {
		ctx := context.New()
		images := tensors.FromFlatDataAndDimensions(make([]float32, 2*28*28), 2, 28, 28)
		outs := context.MustExecOnceN(b, ctx, func(ctx *context.Context, x *Node) []*Node {
			logits, acts := Forward(ctx, arch, x)
			return append([]*Node{logits}, acts...)
		}, images)
		if d := outs[0].Shape().Dimensions; !slices.Equal(d, []int{2, NumClasses}) {
			t.Errorf("%s logits shape %v", arch, d)
		}
		for i, l := range Layers(arch) {
			want := append([]int{2}, l.OutShape...)
			if d := outs[i+1].Shape().Dimensions; !slices.Equal(d, want) {
				t.Errorf("%s %s activation shape %v, want %v", arch, l.Name, d, want)
			}
		}
	}
}

// TestConv3x3 checks the im2col convolution, and GoMLX's ConvGeneral
// through the backend wrapper, forward and gradients against loops.
func TestConv3x3(t *testing.T) {
	b := backend.MustNew()
	rng := rand.New(rand.NewPCG(5, 6))
	const B, C, O, H, W = 2, 3, 4, 5, 6
	x, k, bias, v := testutil.RandFloats(rng, B*C*H*W), testutil.RandFloats(rng, O*C*9), testutil.RandFloats(rng, O), testutil.RandFloats(rng, B*O*H*W)
	y, dx, dk, db := testutil.ConvLoops3x3(x, k, bias, v, B, C, O, H, W)
	for _, impl := range []string{"im2col", "conv"} {
		ctx := context.New()
		ctx.SetParam(ParamConv, impl)
		ctx.In("c").VariableWithValue(WeightsVar, tensors.FromFlatDataAndDimensions(k, O, C, 3, 3))
		ctx.In("c").VariableWithValue(BiasesVar, tensors.FromFlatDataAndDimensions(bias, O))
		outs := context.MustExecOnceN(b, ctx, func(ctx *context.Context, x, v *Node) []*Node {
			var out *Node
			if impl == "conv" {
				out = convGeneral(ctx.In("c"), x, O)
			} else {
				out = Conv3x3(ctx.In("c"), x, O)
			}
			g := x.Graph()
			kn := ctx.In("c").GetVariable(WeightsVar).ValueGraph(g)
			bn := ctx.In("c").GetVariable(BiasesVar).ValueGraph(g)
			grads := Gradient(ReduceAllSum(Mul(out, v)), x, kn, bn)
			return append([]*Node{out}, grads...)
		}, tensors.FromFlatDataAndDimensions(x, B, C, H, W), tensors.FromFlatDataAndDimensions(v, B, O, H, W))
		testutil.AssertClose(t, impl+" y", flat(outs[0]), y, 1e-5)
		testutil.AssertClose(t, impl+" ∂x", flat(outs[1]), dx, 1e-5)
		testutil.AssertClose(t, impl+" ∂kernel", flat(outs[2]), dk, 1e-5)
		testutil.AssertClose(t, impl+" ∂bias", flat(outs[3]), db, 1e-5)
	}
}

func TestMaxPool2x2(t *testing.T) {
	b := backend.MustNew()
	rng := rand.New(rand.NewPCG(7, 8))
	const B, C, H, W = 2, 3, 4, 6
	x, v := testutil.RandFloats(rng, B*C*H*W), testutil.RandFloats(rng, B*C*H/2*W/2)
	y, dx := make([]float32, len(v)), make([]float32, len(x))
	for bc := range B * C {
		for i := range H / 2 {
			for j := range W / 2 {
				best := -1
				for di := range 2 {
					for dj := range 2 {
						xi := (bc*H+2*i+di)*W + 2*j + dj
						if best < 0 || x[xi] > x[best] {
							best = xi
						}
					}
				}
				oi := (bc*H/2+i)*W/2 + j
				y[oi] = x[best]
				dx[best] += v[oi]
			}
		}
	}
	outs := MustExecOnceN(b, func(x, v *Node) []*Node {
		out := MaxPool2x2(x)
		return []*Node{out, Gradient(ReduceAllSum(Mul(out, v)), x)[0]}
	}, tensors.FromFlatDataAndDimensions(x, B, C, H, W), tensors.FromFlatDataAndDimensions(v, B, C, H/2, W/2))
	testutil.AssertClose(t, "maxpool", flat(outs[0]), y, 0)
	testutil.AssertClose(t, "∂x maxpool", flat(outs[1]), dx, 1e-6)
}

// initWeights builds arch on a fresh context seeded with seed and returns its weights.
func initWeights(t *testing.T, arch Arch, seed int64) map[string][]float32 {
	t.Helper()
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(seed); err != nil {
		t.Fatal(err)
	}
	images := tensors.FromFlatDataAndDimensions(make([]float32, 28*28), 1, 28, 28)
	context.MustExecOnce(backend.MustNew(), ctx, func(ctx *context.Context, x *Node) *Node {
		logits, _ := Forward(ctx, arch, x)
		return logits
	}, images)
	w, err := Weights(ctx, arch)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// TestInit checks PyTorch's default initialisation: every parameter in
// ±1/√fan_in, spread over the range, mean near 0, and repeatable by seed.
func TestInit(t *testing.T) {
	w := initWeights(t, PooledCNN, 42)
	for _, l := range Layers(PooledCNN) {
		fanIn := prod(l.WeightShape[1:])
		bound := 1 / math.Sqrt(float64(fanIn))
		for _, part := range []string{"weight", "bias"} {
			vals := w[StateName(l, part)]
			lo, hi, sum := slices.Min(vals), slices.Max(vals), 0.0
			for _, x := range vals {
				sum += float64(x)
			}
			if float64(lo) < -bound || float64(hi) > bound {
				t.Errorf("%s.%s in [%g, %g], want within ±%g", l.Name, part, lo, hi, bound)
			}
			if len(vals) >= 100 {
				// U(±bound): the extremes of n draws are within a few bound/n of the ends; the mean has sd bound/√(3n).
				if float64(hi) < 0.9*bound || float64(lo) > -0.9*bound {
					t.Errorf("%s.%s range [%g, %g] does not fill ±%g", l.Name, part, lo, hi, bound)
				}
				if m := sum / float64(len(vals)); math.Abs(m) > 5*bound/math.Sqrt(3*float64(len(vals))) {
					t.Errorf("%s.%s mean %g, want ≈0", l.Name, part, m)
				}
			}
		}
	}
	again, other := initWeights(t, PooledCNN, 42), initWeights(t, PooledCNN, 43)
	if !slices.Equal(w["conv2.weight"], again["conv2.weight"]) {
		t.Error("same seed gave different weights")
	}
	if slices.Equal(w["conv2.weight"], other["conv2.weight"]) {
		t.Error("different seeds gave the same weights")
	}
}

// TestSetWeights round-trips weights through a context and checks the
// forward pass uses them: an MLP with all weights 0 and fc3 bias b gives
// logits b.
func TestSetWeights(t *testing.T) {
	weights := map[string][]float32{}
	for _, l := range Layers(MLP) {
		weights[StateName(l, "weight")] = make([]float32, prod(l.WeightShape))
		weights[StateName(l, "bias")] = make([]float32, prod(l.BiasShape))
	}
	bias := []float32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	weights["fc3.bias"] = bias
	ctx := context.New()
	if err := SetWeights(ctx, MLP, weights); err != nil {
		t.Fatal(err)
	}
	got, err := Weights(ctx, MLP)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got["fc3.bias"], bias) || len(got["fc1.weight"]) != 256*784 {
		t.Errorf("Weights after SetWeights: fc3.bias %v, fc1.weight len %d", got["fc3.bias"], len(got["fc1.weight"]))
	}
	images := tensors.FromFlatDataAndDimensions(testutil.RandFloats(rand.New(rand.NewPCG(1, 1)), 28*28), 1, 28, 28)
	logits := context.MustExecOnce(backend.MustNew(), ctx, func(ctx *context.Context, x *Node) *Node {
		l, _ := Forward(ctx, MLP, x)
		return l
	}, images)
	testutil.AssertClose(t, "logits", flat(logits), bias, 0)

	arrays := map[string]*arrayio.Array{}
	for k, v := range weights {
		arrays[k] = arrayio.FromFloat32(v, len(v))
	}
	if err := SetWeightsArrays(ctx, MLP, arrays); err == nil {
		t.Error("SetWeightsArrays with flat fc1.weight succeeded")
	}
	arrays["fc1.weight"] = arrayio.FromFloat32(weights["fc1.weight"], 256, 784)
	arrays["fc2.weight"] = arrayio.FromFloat32(weights["fc2.weight"], 128, 256)
	arrays["fc3.weight"] = arrayio.FromFloat32(weights["fc3.weight"], 10, 128)
	arrays["fc3.bias"] = arrayio.FromFloat32([]float32{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}, 10)
	if err := SetWeightsArrays(ctx, MLP, arrays); err != nil {
		t.Fatal(err)
	}
	if got, _ := Weights(ctx, MLP); got["fc3.bias"][0] != 9 {
		t.Errorf("fc3.bias after SetWeightsArrays = %v", got["fc3.bias"])
	}

	delete(weights, "fc2.bias")
	if err := SetWeights(ctx, MLP, weights); err == nil {
		t.Error("SetWeights without fc2.bias succeeded")
	}
	weights["fc2.bias"] = make([]float32, 3)
	if err := SetWeights(ctx, MLP, weights); err == nil {
		t.Error("SetWeights with a short fc2.bias succeeded")
	}
}

// TestConvImplsAgree runs the pooled CNN with im2col and with GoMLX's
// ConvGeneral from the same weights: logits and every parameter's gradient
// of the cross-entropy agree.
func TestConvImplsAgree(t *testing.T) {
	b := backend.MustNew()
	weights := initWeights(t, PooledCNN, 7)
	rng := rand.New(rand.NewPCG(13, 14))
	images := tensors.FromFlatDataAndDimensions(testutil.RandFloats(rng, 2*28*28), 2, 28, 28)
	var results [2][]*tensors.Tensor
	for i, impl := range []string{"im2col", "conv"} {
		ctx := context.New()
		ctx.SetParam(ParamConv, impl)
		if err := SetWeights(ctx, PooledCNN, weights); err != nil {
			t.Fatal(err)
		}
		results[i] = context.MustExecOnceN(b, ctx, func(ctx *context.Context, x *Node) []*Node {
			logits, _ := Forward(ctx, PooledCNN, x)
			loss := ReduceAllSum(Mul(logits, logits)) // Any scalar that depends on every parameter.
			var params []*Node
			for _, l := range Layers(PooledCNN) {
				params = append(params, ctx.In(l.Name).GetVariable(WeightsVar).ValueGraph(x.Graph()),
					ctx.In(l.Name).GetVariable(BiasesVar).ValueGraph(x.Graph()))
			}
			return append([]*Node{logits}, Gradient(loss, params...)...)
		}, images)
	}
	for j := range results[0] {
		testutil.AssertClose(t, "im2col vs ConvGeneral", flat(results[0][j]), flat(results[1][j]), 1e-4)
	}
}
