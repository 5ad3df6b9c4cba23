package diagnose

import (
	"fmt"
	"slices"

	"github.com/fracdyn/fracdyn/fracdyn/arrayio"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck // GoMLX style.
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/onnx-gomlx/onnx"
)

// Activation is the activation map A of the layer whose weight is Weight:
// the mean over the input batch of Output, the post-activation output of
// the node that multiplies by Weight.
type Activation struct {
	Weight string
	// Output names the ONNX node output taken; Ops the chain of ops from
	// the consuming node to it (e.g. "Conv Relu MaxPool").
	Output string
	Ops    []string
	// Shape is the per-example shape of Output (conv [C,H,W], dense [N]);
	// Mean holds its mean over the batch, row-major.
	Shape []int
	Mean  []float32
}

// Ops that produce a layer's weighted sum from its input and its weight.
var onnxWeightOps = map[string]bool{"Conv": true, "Gemm": true, "MatMul": true, "ConvTranspose": true}

// Ops that follow a weighted sum within the same layer: bias and scale
// arithmetic with a constant, normalisation, element-wise activations,
// pooling and no-ops. The activation map is taken after the last of them.
var onnxLayerTailOps = map[string]bool{
	"Add": true, "Sub": true, "Mul": true, "Div": true, "BatchNormalization": true,
	"Relu": true, "LeakyRelu": true, "PRelu": true, "Elu": true, "Selu": true, "Celu": true,
	"Sigmoid": true, "HardSigmoid": true, "Tanh": true, "Softplus": true, "Gelu": true,
	"HardSwish": true, "Clip": true, "MaxPool": true, "AveragePool": true,
	"Identity": true, "Dropout": true,
}

// ActivationOutputs finds, for each initializer in weights, the ONNX node
// output whose batch mean is the layer's activation map: start at the
// output of the Conv/Gemm/MatMul node that reads the weight, then follow
// the chain while the value has exactly one consumer, that consumer is a
// layer-tail op (onnxLayerTailOps), and any other operand of it is an
// initializer or constant (a bias, a scale). The weight must be operand 0
// or 1 of the node (operand 2 of Conv and Gemm is the bias). For fracdyn's own exports this
// is the output after ReLU (and max-pooling) that model.Forward returns, and
// the logits for the last layer. A weight no such node reads is absent from
// the result.
func ActivationOutputs(om *onnx.Model, weights []string) map[string][]string {
	g := om.Proto.Graph
	consts := map[string]bool{}
	for _, t := range g.Initializer {
		consts[t.Name] = true
	}
	consumers := map[string][]int{}
	for i, nd := range g.Node {
		if nd.OpType == "Constant" {
			for _, o := range nd.Output {
				consts[o] = true
			}
		}
		for _, in := range nd.Input {
			consumers[in] = append(consumers[in], i)
		}
	}
	graphOutputs := map[string]bool{}
	for _, o := range g.Output {
		graphOutputs[o.Name] = true
	}
	out := map[string][]string{}
	for _, w := range weights {
		var start = -1
		for _, i := range consumers[w] {
			// The weight is operand 0 or 1 (MatMul either side; Conv's and
			// Gemm's operand 2 is the bias).
			if nd := g.Node[i]; onnxWeightOps[nd.OpType] && slices.Index(nd.Input, w) < 2 {
				start = i
				break
			}
		}
		if start < 0 || len(g.Node[start].Output) == 0 {
			continue
		}
		chain := []string{g.Node[start].OpType}
		x := g.Node[start].Output[0]
		for !graphOutputs[x] && len(consumers[x]) == 1 {
			nd := g.Node[consumers[x][0]]
			if !onnxLayerTailOps[nd.OpType] || len(nd.Output) == 0 {
				break
			}
			others := true
			for _, in := range nd.Input {
				if in != x && in != "" && !consts[in] {
					others = false
				}
			}
			if !others {
				break
			}
			chain = append(chain, nd.OpType)
			x = nd.Output[0]
		}
		out[w] = append([]string{x}, chain...)
	}
	return out
}

// activationChunk bounds the examples per forward pass, to bound memory.
const activationChunk = 256

// ONNXActivations runs the ONNX model at path under onnx-gomlx on inputs (a
// batch shaped as the model's single input expects, batch first) and
// returns the activation map of each of weights that a Conv, Gemm or MatMul
// node reads (ActivationOutputs), in the order of weights. The batch is run
// in chunks of at most 256 examples and the sums accumulated in float64,
// as analysis.Prober does for fracdyn's own models, so the means agree with
// it to float32 rounding.
func ONNXActivations(b backends.Backend, path string, inputs *arrayio.Array, weights []string) (acts []Activation, err error) {
	defer func() {
		// onnx-gomlx panics on graphs it cannot convert; report them.
		if p := recover(); p != nil {
			acts, err = nil, fmt.Errorf("%s: running the model under onnx-gomlx: %v", path, p)
		}
	}()
	om, err := onnx.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(om.InputsNames) != 1 {
		return nil, fmt.Errorf("%s: model has %d inputs %q; activations need a model with one input", path, len(om.InputsNames), om.InputsNames)
	}
	if len(inputs.Shape) < 1 || inputs.Shape[0] < 1 {
		return nil, fmt.Errorf("%s: inputs of shape %v: want a batch, batch dimension first", path, inputs.Shape)
	}
	outputs := ActivationOutputs(om, weights)
	var names, outNames []string
	var chains [][]string
	for _, w := range weights {
		if c, ok := outputs[w]; ok {
			names, outNames, chains = append(names, w), append(outNames, c[0]), append(chains, c[1:])
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: no Conv, Gemm or MatMul node reads any of the %d weights", path, len(weights))
	}
	ctx := context.New()
	if err := om.VariablesToContext(ctx); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	exec, err := context.NewExec(b, ctx.Reuse(), func(ctx *context.Context, x *Node) []*Node {
		outs := om.CallGraph(ctx, x.Graph(), map[string]*Node{om.InputsNames[0]: x}, outNames...)
		for i, o := range outs {
			outs[i] = ReduceSum(o, 0)
		}
		return outs
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	n := inputs.Shape[0]
	per := inputs.Len() / n
	x := inputs.Float32s()
	sums := make([][]float64, len(names))
	acts = make([]Activation, len(names))
	for start := 0; start < n; start += activationChunk {
		end := min(start+activationChunk, n)
		batch := tensors.FromFlatDataAndDimensions(x[start*per:end*per], append([]int{end - start}, inputs.Shape[1:]...)...)
		out, err := exec.Exec(batch)
		if err != nil {
			return nil, fmt.Errorf("%s: forward pass on inputs %d–%d: %w", path, start, end-1, err)
		}
		for i, t := range out {
			v := tensors.MustCopyFlatData[float32](t)
			if sums[i] == nil {
				sums[i] = make([]float64, len(v))
				acts[i].Shape = slices.Clone(t.Shape().Dimensions)
			}
			t.MustFinalizeAll()
			for j, f := range v {
				sums[i][j] += float64(f)
			}
		}
	}
	for i, s := range sums {
		mean := make([]float32, len(s))
		for j, v := range s {
			mean[j] = float32(v / float64(n))
		}
		acts[i].Weight, acts[i].Output, acts[i].Ops, acts[i].Mean = names[i], outNames[i], chains[i], mean
	}
	return acts, nil
}

// WithOutShapes returns a copy of layers whose OutShape is set from the
// activation map of each layer's weight (Activation.Shape, per example),
// as the kernel graph needs to use the maps; layers without a map keep
// theirs.
func WithOutShapes(layers []weights.Layer, acts []Activation) []weights.Layer {
	out := slices.Clone(layers)
	for i, l := range out {
		for _, a := range acts {
			if a.Weight == l.WeightName() {
				out[i].OutShape = slices.Clone(a.Shape)
			}
		}
	}
	return out
}
