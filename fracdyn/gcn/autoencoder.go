package gcn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// Autoencoder is a trained graph autoencoder: the GCN encoder's embeddings
// of every node, computed by message passing over the training graph only.
type Autoencoder struct {
	N, Dim     int
	Embeddings []float32 // [N, Dim] row-major
	Losses     []float64 // training loss per epoch
}

// Score returns the logit z_a·z_b of each pair; σ of it is the edge
// probability, but ranking metrics need only the logit.
func (a *Autoencoder) Score(pairs [][2]int32) []float64 {
	return DotScores(a.Embeddings, a.Dim, pairs)
}

// DotScores returns x_a·x_b for each pair, x an N×d row-major matrix.
func DotScores(x []float32, d int, pairs [][2]int32) []float64 {
	out := make([]float64, len(pairs))
	for i, p := range pairs {
		a, b := x[int(p[0])*d:int(p[0])*d+d], x[int(p[1])*d:int(p[1])*d+d]
		var s float64
		for j := range a {
			s += float64(a[j]) * float64(b[j])
		}
		out[i] = s
	}
	return out
}

// CosineScores returns the cosine similarity of rows a and b of x (N×d) for
// each pair; a zero row has similarity 0 with everything.
func CosineScores(x []float32, d int, pairs [][2]int32) []float64 {
	out := make([]float64, len(pairs))
	for i, p := range pairs {
		a, b := x[int(p[0])*d:int(p[0])*d+d], x[int(p[1])*d:int(p[1])*d+d]
		var ab, aa, bb float64
		for j := range a {
			ab += float64(a[j]) * float64(b[j])
			aa += float64(a[j]) * float64(a[j])
			bb += float64(b[j]) * float64(b[j])
		}
		if aa > 0 && bb > 0 {
			out[i] = ab / math.Sqrt(aa*bb)
		}
	}
	return out
}

// RandomScores returns k uniform scores in [0,1) from rng: the chance
// baseline (AUC ≈ 0.5, AP ≈ the positive fraction).
func RandomScores(rng *rand.Rand, k int) []float64 {
	out := make([]float64, k)
	for i := range out {
		out[i] = rng.Float64()
	}
	return out
}

// propTensors holds a propagation's arrays as tensors for an Exec.
func propTensors(p *Propagation) []*tensors.Tensor {
	return []*tensors.Tensor{
		tensors.FromFlatDataAndDimensions(p.Src, len(p.Src)),
		tensors.FromFlatDataAndDimensions(p.Dst, len(p.Dst)),
		tensors.FromFlatDataAndDimensions(p.Coef, len(p.Coef)),
	}
}

// Fit trains the GCN autoencoder on the graph g with node features x (N×f,
// row-major) and returns the embeddings. Each epoch is one full-batch Adam
// step on the mean binary cross-entropy of all training edges of g (label 1)
// and ParamNegatives·|E| non-edges drawn afresh by sample (label 0) that are
// not training edges. Message passing uses g only: hold test edges out of g
// (see NewSplit). Hyperparameters come from ctx (see the Param constants);
// the model's variables are created under ctx.In("gcn"), so pass a fresh
// context for a fresh model. The seed fixes the initial weights, dropout and
// the negatives: the same seed gives the same embeddings.
func Fit(backend backends.Backend, ctx *context.Context, x []float32, f int, g *Edges, sample PairSampler, seed uint64) (ae *Autoencoder, err error) {
	if len(x) != g.N*f {
		return nil, fmt.Errorf("gcn.Fit: features have %d values, want N·f = %d·%d", len(x), g.N, f)
	}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	if g.NumEdges() == 0 {
		return nil, fmt.Errorf("gcn.Fit: the training graph has no edges")
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("gcn.Fit: %v", r)
		}
	}()
	epochs := context.GetParamOr(ctx, ParamEpochs, DefaultEpochs)
	negRatio := context.GetParamOr(ctx, ParamNegatives, DefaultNegatives)
	lr := context.GetParamOr(ctx, ParamLearningRate, DefaultLearningRate)
	if err := ctx.SetRNGStateFromSeed(int64(seed & math.MaxInt64)); err != nil {
		return nil, err
	}
	prop := Normalize(g)
	xt := tensors.FromFlatDataAndDimensions(x, g.N, f)
	pt := propTensors(prop)
	opt := optimizers.Adam().LearningRate(lr).Done()

	trainStep, err := context.NewExec(backend, ctx, func(ctx *context.Context, in []*Node) *Node {
		ctx.SetTraining(in[0].Graph(), true)
		z := Encoder(ctx, in[0], GraphNodes{in[1], in[2], in[3]})
		loss := ReconstructionLoss(PairLogits(z, in[4]), in[5])
		opt.UpdateGraph(ctx, z.Graph(), loss)
		return loss
	})
	if err != nil {
		return nil, err
	}
	defer trainStep.Finalize()

	train := NewEdgeSet(g)
	rng := rand.New(rand.NewPCG(seed, 0xae))
	m := g.NumEdges()
	nNeg := negRatio * m
	pairs := make([]int32, 2*(m+nNeg))
	labels := make([]float32, m+nNeg)
	for e := range m {
		pairs[2*e], pairs[2*e+1] = g.Src[e], g.Dst[e]
		labels[e] = 1
	}
	ae = &Autoencoder{N: g.N}
	for range epochs {
		neg, err := SampleNonEdges(rng, sample, nNeg, train)
		if err != nil {
			return nil, err
		}
		for i, p := range neg {
			pairs[2*(m+i)], pairs[2*(m+i)+1] = p[0], p[1]
		}
		out, err := trainStep.Exec(xt, pt[0], pt[1], pt[2],
			tensors.FromFlatDataAndDimensions(pairs, m+nNeg, 2),
			tensors.FromFlatDataAndDimensions(labels, m+nNeg))
		if err != nil {
			return nil, err
		}
		ae.Losses = append(ae.Losses, float64(tensors.MustCopyFlatData[float32](out[0])[0]))
		out[0].MustFinalizeAll()
	}

	embed, err := context.NewExec(backend, ctx.Reuse(), func(ctx *context.Context, in []*Node) *Node {
		return Encoder(ctx, in[0], GraphNodes{in[1], in[2], in[3]})
	})
	if err != nil {
		return nil, err
	}
	defer embed.Finalize()
	out, err := embed.Exec(xt, pt[0], pt[1], pt[2])
	if err != nil {
		return nil, err
	}
	ae.Dim = out[0].Shape().Dimensions[1]
	ae.Embeddings = tensors.MustCopyFlatData[float32](out[0])
	out[0].MustFinalizeAll()
	return ae, nil
}
