package gcn

import (
	gocontext "context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	fdbackend "github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/fracdyn/fracdyn/internal/ordinal"
	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// Autoencoder is a trained graph autoencoder: a GCN encoder that embeds
// nodes by message passing over the training graph only.
//
// A full-batch fit (Fit) holds every node's embedding. A minibatch fit
// (FitMinibatch) holds the trained encoder and embeds the nodes asked for
// exactly, over their whole receptive field (every neighbour, no
// sampling), so that scoring a few held-out pairs of a graph of millions of
// nodes costs only those pairs' neighbourhoods.
type Autoencoder struct {
	N, Dim int
	Losses []float64 // training loss per epoch
	// MaxBatchNodes is the most nodes one step's computation graph held
	// (FitMinibatch; 0 for full-batch training).
	MaxBatchNodes int

	all []float32 // [N, Dim]: every node's embedding (full-batch fits)
	// Minibatch fits: the trained encoder, the node features and the
	// sampler of whole receptive fields (its buffers, guarded by mu, are
	// the training sampler's).
	encoder *nativeGCN
	x       []float32
	mu      sync.Mutex
	exact   *neighbourSampler
}

// Embed returns the embeddings of nodes, [len(nodes), Dim] row-major: row i
// is that of nodes[i]. Nodes may repeat. It is safe for concurrent use.
func (a *Autoencoder) Embed(nodes []int32) []float32 {
	for _, v := range nodes {
		if v < 0 || int(v) >= a.N {
			panic(fmt.Sprintf("gcn.Autoencoder.Embed: node %d outside [0,%d)", v, a.N))
		}
	}
	out := make([]float32, len(nodes)*a.Dim)
	if a.all != nil {
		for i, v := range nodes {
			copy(out[i*a.Dim:(i+1)*a.Dim], a.all[int(v)*a.Dim:])
		}
		return out
	}
	index, distinct := ordinal.Number(nodes)
	a.mu.Lock()
	z := a.encoder.embedNodes(a.exact, a.x, distinct)
	a.mu.Unlock()
	for i, k := range index {
		copy(out[i*a.Dim:(i+1)*a.Dim], z[int(k)*a.Dim:])
	}
	return out
}

// Score returns the logit z_a·z_b of each pair; σ of it is the edge
// probability, but ranking metrics need only the logit.
func (a *Autoencoder) Score(pairs [][2]int32) []float64 {
	ends := make([]int32, 0, 2*len(pairs))
	for _, p := range pairs {
		ends = append(ends, p[0], p[1])
	}
	z := a.Embed(ends)
	local := make([][2]int32, len(pairs))
	for i := range local {
		local[i] = [2]int32{int32(2 * i), int32(2*i + 1)}
	}
	return DotScores(z, a.Dim, local)
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
// (see NewSplit). Hyperparameters come from ctx (see the Param constants),
// ParamEngine picks the engine (the GoMLX one runs on backend; the native
// one ignores it). The GoMLX engine creates its variables under
// ctx.In("gcn"), so pass a fresh context for a fresh model. The seed fixes
// the initial weights, dropout and the negatives: the same seed gives the
// same embeddings. Setting ParamBatchEdges in ctx trains with FitMinibatch
// instead.
func Fit(backend backends.Backend, ctx *context.Context, x []float32, f int, g *Edges, sample PairSampler, seed uint64) (*Autoencoder, error) {
	return FitContext(gocontext.Background(), backend, ctx, x, f, g, sample, seed)
}

// FitContext is Fit that stops between epochs once cancel is done,
// returning an error wrapping cancel.Err().
func FitContext(cancel gocontext.Context, backend backends.Backend, ctx *context.Context, x []float32, f int, g *Edges, sample PairSampler, seed uint64) (*Autoencoder, error) {
	negs, err := NewNegatives(g, sample, context.GetParamOr(ctx, ParamNegatives, DefaultNegatives), seed, 1)
	if err != nil {
		return nil, fmt.Errorf("gcn.Fit: %w", err)
	}
	return fit(cancel, backend, ctx, x, f, g, negs, seed, nil)
}

// FitShared is FitContext with negatives shared among fits of the same
// training topology, sampler, ratio and seed (see Negatives): it gives the
// same result as FitContext with that sampler and seed. With
// ParamBatchEdges set it trains with FitMinibatch, which reads no epoch of
// negs: count only the other fits as negs's readers.
func FitShared(cancel gocontext.Context, backend backends.Backend, ctx *context.Context, x []float32, f int, g *Edges, negs *Negatives, seed uint64) (*Autoencoder, error) {
	return fit(cancel, backend, ctx, x, f, g, negs, seed, nil)
}

// fit is FitShared with optional initial weights (for tests that compare engines).
func fit(cancel gocontext.Context, backend backends.Backend, ctx *context.Context, x []float32, f int, g *Edges, negs *Negatives, seed uint64, init *nativeGCN) (ae *Autoencoder, err error) {
	if len(x) != g.N*f {
		return nil, fmt.Errorf("gcn.Fit: features have %d values, want N·f = %d·%d", len(x), g.N, f)
	}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	if g.NumEdges() == 0 {
		return nil, fmt.Errorf("gcn.Fit: the training graph has no edges")
	}
	if context.GetParamOr(ctx, ParamBatchEdges, 0) > 0 && init == nil {
		// Minibatches asked for: sampled neighbourhoods, own negatives.
		return FitMinibatch(cancel, ctx, x, f, g, negs.sample, seed)
	}
	epochs := context.GetParamOr(ctx, ParamEpochs, DefaultEpochs)
	negRatio := context.GetParamOr(ctx, ParamNegatives, DefaultNegatives)
	lr := context.GetParamOr(ctx, ParamLearningRate, DefaultLearningRate)
	engine := Engine(context.GetParamOr(ctx, ParamEngine, string(EngineNative)))
	if epochs < 1 || negRatio < 1 || !(lr > 0) {
		return nil, fmt.Errorf("gcn.Fit: need %s >= 1, %s >= 1, %s > 0; got %d, %d, %v", ParamEpochs, ParamNegatives, ParamLearningRate, epochs, negRatio, lr)
	}
	prop := Normalize(g)

	var step func(pairs []int32, labels []float32) (float64, error)
	var embed func() ([]float32, int, error)
	var finalize func()
	switch engine {
	case EngineNative:
		rng := rand.New(rand.NewPCG(seed, 0x1417))
		m := init
		if m == nil {
			if m, err = newNativeGCN(ctx, f, rng); err != nil {
				return nil, err
			}
		}
		opt := &adam{lr: lr, b1: 0.9, b2: 0.999, eps: 1e-7}
		st := m.newState(g.N)
		step = func(pairs []int32, labels []float32) (float64, error) {
			return m.trainEpoch(prop, x, pairs, labels, opt, rng, st), nil
		}
		embed = func() ([]float32, int, error) {
			m.forward(prop, x, nil, st)
			return st.out[len(st.out)-1], m.dims[len(m.dims)-1], nil
		}
	case EngineGoMLX:
		step, embed, finalize, err = gomlxEngine(backend, ctx, x, f, prop, lr, seed, init)
		if err != nil {
			return nil, err
		}
		defer finalize()
	default:
		return nil, fmt.Errorf("gcn.Fit: unknown engine %q (want %q or %q)", engine, EngineNative, EngineGoMLX)
	}

	m := g.NumEdges()
	nNeg := negRatio * m
	if negs.Len() != nNeg {
		return nil, fmt.Errorf("gcn.Fit: the shared negatives have %d pairs an epoch, want %s·|E| = %d", negs.Len(), ParamNegatives, nNeg)
	}
	pairs := make([]int32, 2*(m+nNeg))
	labels := make([]float32, m+nNeg)
	for e := range m {
		pairs[2*e], pairs[2*e+1] = g.Src[e], g.Dst[e]
		labels[e] = 1
	}
	ae = &Autoencoder{N: g.N}
	for range epochs {
		if err := cancel.Err(); err != nil {
			return nil, fmt.Errorf("gcn.Fit: stopped at epoch %d: %w", len(ae.Losses), err)
		}
		neg, err := negs.Epoch(len(ae.Losses))
		if err != nil {
			return nil, err
		}
		for i, p := range neg {
			pairs[2*(m+i)], pairs[2*(m+i)+1] = p[0], p[1]
		}
		loss, err := step(pairs, labels)
		if err != nil {
			return nil, err
		}
		if math.IsNaN(loss) {
			return nil, fmt.Errorf("gcn.Fit: the loss became NaN at epoch %d; lower %s", len(ae.Losses), ParamLearningRate)
		}
		ae.Losses = append(ae.Losses, loss)
	}
	ae.all, ae.Dim, err = embed()
	return ae, err
}

// gomlxEngine builds the GoMLX training step and embedding computation.
func gomlxEngine(backend backends.Backend, ctx *context.Context, x []float32, f int, prop *Propagation, lr float64, seed uint64, init *nativeGCN) (
	step func([]int32, []float32) (float64, error), embed func() ([]float32, int, error), finalize func(), err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("gcn.Fit: %v", r)
		}
	}()
	if backend == nil {
		return nil, nil, nil, fmt.Errorf("gcn.Fit: the gomlx engine needs a backend")
	}
	// fracdyn's own training: the wrapper's DotGeneral gradient on the
	// pure-Go backend.
	fdbackend.EnableDotGeneralGradient(backend)
	if err := ctx.SetRNGStateFromSeed(int64(seed & math.MaxInt64)); err != nil {
		return nil, nil, nil, err
	}
	ctx = ctx.Checked(false)
	if init != nil {
		for l := range init.w {
			lctx := ctx.In("gcn").Inf("layer_%d", l)
			lctx.VariableWithValue("weights", tensors.FromFlatDataAndDimensions(slices.Clone(init.w[l]), init.dims[l], init.dims[l+1]))
			lctx.VariableWithValue("biases", tensors.FromFlatDataAndDimensions(slices.Clone(init.b[l]), init.dims[l+1]))
		}
	}
	n := prop.N
	xt := tensors.FromFlatDataAndDimensions(x, n, f)
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
		return nil, nil, nil, err
	}
	embedExec, err := context.NewExec(backend, ctx, func(ctx *context.Context, in []*Node) *Node {
		return Encoder(ctx, in[0], GraphNodes{in[1], in[2], in[3]})
	})
	if err != nil {
		trainStep.Finalize()
		return nil, nil, nil, err
	}
	finalize = func() { trainStep.Finalize(); embedExec.Finalize() }
	step = func(pairs []int32, labels []float32) (float64, error) {
		out, err := trainStep.Exec(xt, pt[0], pt[1], pt[2],
			tensors.FromFlatDataAndDimensions(pairs, len(labels), 2),
			tensors.FromFlatDataAndDimensions(labels, len(labels)))
		if err != nil {
			return 0, err
		}
		defer out[0].MustFinalizeAll()
		return float64(tensors.MustCopyFlatData[float32](out[0])[0]), nil
	}
	embed = func() ([]float32, int, error) {
		out, err := embedExec.Exec(xt, pt[0], pt[1], pt[2])
		if err != nil {
			return nil, 0, err
		}
		defer out[0].MustFinalizeAll()
		return tensors.MustCopyFlatData[float32](out[0]), out[0].Shape().Dimensions[1], nil
	}
	return step, embed, finalize, nil
}
