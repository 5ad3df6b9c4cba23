package model

import (
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck // GoMLX style.
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"

	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

// Hyperparameters read from the context.
const (
	// ParamConv selects how convolutions are computed: "im2col" (default:
	// patches gathered with Slice and Concatenate, then one DotGeneral; runs
	// and trains on every backend) or "conv" (GoMLX's ConvGeneral, fastest
	// on XLA).
	ParamConv = "model_conv"
)

// Variable names inside each layer's scope, ctx.In(layer.Name).
const (
	WeightsVar = "weights"
	BiasesVar  = "biases"
)

// Forward builds the forward pass of arch. images is [B, 28, 28] float32,
// already normalised. It returns the logits [B, 10] and, for each layer of
// Layers(arch), its output after activation and pooling (conv [B, C, H,
// W], dense [B, N]; the last is the logits).
//
// Variables live at ctx.In(layer.Name); Forward reuses those that exist (set
// by SetWeights, a checkpoint or an earlier graph, whatever ctx's Reuse
// setting) and creates the others with PyTorch's default initialisation,
// U(±1/√fan_in) for weights and biases, drawn from the context's random
// number generator (seed it with ctx.SetRNGStateFromSeed for repeatable
// weights).
func Forward(ctx *context.Context, arch Arch, images *Node) (logits *Node, acts []*Node) {
	images.AssertDims(-1, ImageSize, ImageSize)
	batch := images.Shape().Dimensions[0]
	layers := Layers(arch)
	acts = make([]*Node, 0, len(layers))
	var x *Node
	switch arch {
	case PaperCNN, PooledCNN:
		x = Reshape(images, batch, 1, ImageSize, ImageSize)
		useConvGeneral := context.GetParamOr(ctx, ParamConv, "im2col") == "conv"
		for _, l := range layers {
			switch l.Kind {
			case weights.Conv:
				if useConvGeneral {
					x = convGeneral(ctx.In(l.Name), x, l.WeightShape[0])
				} else {
					x = Conv3x3(ctx.In(l.Name), x, l.WeightShape[0])
				}
				if arch == PooledCNN {
					// max-pool(ReLU(x)) = ReLU(max-pool(x)), with the ReLU on a quarter of the values.
					x = MaxPool2x2(x)
				}
				x = Relu(x)
			case weights.Dense:
				if x.Rank() != 2 {
					x = Reshape(x, batch, -1) // Flatten in (C, H, W) order, as PyTorch.
				}
				x = Linear(ctx.In(l.Name), x, l.WeightShape[0])
				if len(acts) < len(layers)-1 {
					x = Relu(x)
				}
			}
			acts = append(acts, x)
		}
	case MLP:
		x = Reshape(images, batch, ImageSize*ImageSize)
		for i, l := range layers {
			x = Linear(ctx.In(l.Name), x, l.WeightShape[0])
			if i < len(layers)-1 {
				x = Relu(x)
			}
			acts = append(acts, x)
		}
	default:
		panic(fmt.Sprintf("model: unknown architecture %q", arch))
	}
	return x, acts
}

// Relu is max(x, 0), written as Where(x > 0, x, 0) so that its gradient is
// one Where (v where x > 0, else 0) instead of GoMLX's Max gradient, which
// also builds indicators for, and sums the gradient of, the zero side.
func Relu(x *Node) *Node {
	zero := ScalarZero(x.Graph(), x.DType())
	return Where(StopGradient(GreaterThan(x, zero)), x, zero)
}

// uniformInit is PyTorch's default initialiser for nn.Linear and nn.Conv2d
// weights and biases: U(-1/√fanIn, 1/√fanIn).
func uniformInit(ctx *context.Context, fanIn int) *context.Context {
	bound := 1 / math.Sqrt(float64(fanIn))
	return ctx.WithInitializer(initializers.RandomUniformFn(ctx, -bound, bound))
}

// Linear is a dense layer x·Wᵀ + b with W [out, in] (PyTorch layout) at
// ctx's "weights" and b [out] at "biases". x is [B, in].
func Linear(ctx *context.Context, x *Node, out int) *Node {
	x.AssertRank(2)
	in := x.Shape().Dimensions[1]
	ctx = uniformInit(ctx, in).Checked(false)
	w := ctx.VariableWithShape(WeightsVar, shapes.Make(x.DType(), out, in)).ValueGraph(x.Graph())
	b := ctx.VariableWithShape(BiasesVar, shapes.Make(x.DType(), out)).ValueGraph(x.Graph())
	y := DotGeneral(x, []int{1}, nil, w, []int{1}, nil) // [B, out]
	return Add(y, Reshape(b, 1, out))
}

// convParams returns the kernel [out, in, 3, 3] and bias [out] variables of
// a 3×3 convolution from in to out channels.
func convParams(ctx *context.Context, x *Node, out int) (kernel, bias *Node) {
	in := x.Shape().Dimensions[1]
	ctx = uniformInit(ctx, in*KernelSize*KernelSize).Checked(false)
	g := x.Graph()
	kernel = ctx.VariableWithShape(WeightsVar, shapes.Make(x.DType(), out, in, KernelSize, KernelSize)).ValueGraph(g)
	bias = ctx.VariableWithShape(BiasesVar, shapes.Make(x.DType(), out)).ValueGraph(g)
	return kernel, bias
}

// Conv3x3 is a 3×3 convolution with padding 1 and stride 1 of x [B, C, H,
// W] (channels first) to out channels, computed as im2col: the nine shifted
// copies of the zero-padded input and a row of ones are concatenated into
// patches [B, 9C+1, H·W] and contracted in one DotGeneral with the kernel
// and bias laid out as [out, 9C+1] (kernel transposed to [out, 3, 3, C],
// bias last). The bias rides in the product, so neither its broadcast add
// nor its gradient's reduction over B·H·W exists. The weights are broadcast
// over the batch ([B, out, 9C+1], small next to the patches) so that the
// product is batched and comes out as [B, out, H·W], and the gradients as
// [B, out, 9C+1] and [B, 9C+1, H·W]: no transposes of activations. Only
// Slice, Concatenate, Reshape, Transpose, BroadcastInDim and DotGeneral are
// used, so forward and gradient run on every backend.
func Conv3x3(ctx *context.Context, x *Node, out int) *Node {
	x.AssertRank(4)
	dims := x.Shape().Dimensions
	batch, h, w := dims[0], dims[2], dims[3]
	kernel, bias := convParams(ctx, x, out)
	k := ConvWeights(kernel, bias) // [out, 9C+1]
	kk := k.Shape().Dimensions[1]
	k = BroadcastToDims(Reshape(k, 1, out, kk), batch, out, kk)
	patches := Im2Col(x)                                                // [B, 9C+1, H·W]
	y := DotGeneral(k, []int{2}, []int{0}, patches, []int{1}, []int{0}) // [B, out, H·W]
	return Reshape(y, batch, out, h, w)
}

// ConvWeights lays out a kernel [out, C, 3, 3] and bias [out] as the
// [out, 9C+1] matrix that multiplies Im2Col's patches: column (3i+j)·C + c
// holds kernel[o, c, i, j], the last column the bias.
func ConvWeights(kernel, bias *Node) *Node {
	d := kernel.Shape().Dimensions
	out, in := d[0], d[1]
	k := TransposeAllAxes(kernel, 0, 2, 3, 1) // [out, 3, 3, C]
	k = Reshape(k, out, KernelSize*KernelSize*in)
	return Concatenate([]*Node{k, Reshape(bias, out, 1)}, 1)
}

// Im2Col returns the 3×3 patches of x [B, C, H, W] zero-padded by 1, with a
// row of ones appended for the bias: patches[b, (3i+j)·C + c, W·y + x] =
// xpad[b, c, y+i, x+j] and patches[b, 9C, ·] = 1, shape [B, 9C+1, H·W].
func Im2Col(x *Node) *Node {
	dims := x.Shape().Dimensions
	batch, in, h, w := dims[0], dims[1], dims[2], dims[3]
	g := x.Graph()
	zcol := Zeros(g, shapes.Make(x.DType(), batch, in, h, 1))
	xp := Concatenate([]*Node{zcol, x, zcol}, 3)
	zrow := Zeros(g, shapes.Make(x.DType(), batch, in, 1, w+2))
	xp = Concatenate([]*Node{zrow, xp, zrow}, 2) // [B, C, H+2, W+2]
	rows := make([]*Node, 0, KernelSize*KernelSize+1)
	for i := range KernelSize {
		for j := range KernelSize {
			shifted := Slice(xp, AxisRange(), AxisRange(), AxisRange(i, i+h), AxisRange(j, j+w))
			rows = append(rows, Reshape(shifted, batch, in, h*w))
		}
	}
	rows = append(rows, Ones(g, shapes.Make(x.DType(), batch, 1, h*w)))
	return Concatenate(rows, 1)
}

// convGeneral is Conv3x3 computed by GoMLX's ConvGeneral.
func convGeneral(ctx *context.Context, x *Node, out int) *Node {
	kernel, bias := convParams(ctx, x, out)
	axes := ConvolveAxesConfig{
		InputBatch: 0, InputChannels: 1, InputSpatial: []int{2, 3},
		KernelOutputChannels: 0, KernelInputChannels: 1, KernelSpatial: []int{2, 3},
		OutputBatch: 0, OutputChannels: 1, OutputSpatial: []int{2, 3},
	}
	y := ConvGeneral(x, kernel, axes, nil, [][2]int{{1, 1}, {1, 1}}, nil, nil, 1, 1)
	return Add(y, Reshape(bias, 1, out, 1, 1))
}

// MaxPool2x2 is a 2×2 max-pool with stride 2 of x [B, C, H, W] (H, W
// even), computed as a Reshape to [B, C, H/2, 2, W/2, 2] and a ReduceMax,
// whose gradient GoMLX builds from ops every backend has. The gradient goes
// to every element equal to its window's maximum; PyTorch picks one. They
// differ only on ties, which after a ReLU are windows of zeros whose
// gradient the ReLU then stops (pre-activations exactly 0 aside).
func MaxPool2x2(x *Node) *Node {
	x.AssertRank(4)
	d := x.Shape().Dimensions
	if d[2]%2 != 0 || d[3]%2 != 0 {
		panic(fmt.Sprintf("model: MaxPool2x2 needs even height and width, got %v", d))
	}
	y := Reshape(x, d[0], d[1], d[2]/2, 2, d[3]/2, 2)
	return ReduceMax(y, 3, 5)
}
