package analysis

import (
	"bufio"
	gocontext "context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fracdyn/fracdyn/fracdyn/gcn"
	"github.com/fracdyn/fracdyn/fracdyn/segraph"
	"github.com/fracdyn/fracdyn/internal/fsutil"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// SurrogateResult is one row of surrogate.json: the GCN surrogate and its
// baselines on one graph of one epoch at one scale and one γ.
type SurrogateResult struct {
	Epoch     int      `json:"epoch"`
	R         int      `json:"r"`
	Graph     string   `json:"graph"`
	Layers    []string `json:"layers"`
	Scales    []int    `json:"scales"` // r of each layer
	Nodes     int      `json:"nodes"`
	Edges     int      `json:"edges"`
	TestEdges int      `json:"test_edges"` // held-out edges, and as many non-edges
	Kernel    string   `json:"kernel"`
	Gamma     float64  `json:"gamma"`
	// Surrogate: the GCN autoencoder on the kernel-weighted graph.
	Surrogate gcn.Metrics `json:"surrogate"`
	// Baselines: "random" (uniform scores), "cosine" (cosine similarity of
	// the raw node features [α, S], no GCN), "gcn_linear" (the same GCN on
	// the graph weighted by the linear similarity α·α instead of the
	// kernel), "gcn_unweighted" (the same GCN with every edge weight 1:
	// topology alone).
	Baselines map[string]gcn.Metrics `json:"baselines"`
	FinalLoss float64                `json:"final_loss"`
	Seeds     Seeds                  `json:"seeds"`
	// Seconds is the wall time of the graph's GCN fits and scores (run
	// concurrently), shared equally among its γ.
	Seconds float64 `json:"seconds"`
}

// Seeds are the seeds behind a result.
type Seeds struct {
	Split  uint64 `json:"split"`
	GCN    uint64 `json:"gcn"`
	Random uint64 `json:"random"`
}

// graphJob is one segment graph to evaluate.
type graphJob struct {
	name   string
	layers []*layerScale
}

// evalGraph builds the graph of a job, writes its edge list (to edgesPath,
// unless ""), and scores the
// surrogate and baselines for every γ. It returns the embeddings of the
// surrogate at the first γ (for the multi-scale report).
func evalGraph(cancel gocontext.Context, b backends.Backend, job graphJob, epoch, r int, opts Options, edgesPath string) ([]SurrogateResult, *segraph.Graph, *gcn.Autoencoder, error) {
	layers := make([]segraph.Layer, len(job.layers))
	for i, ls := range job.layers {
		layers[i] = ls.layer
	}
	g, err := segraph.Build(layers, segraph.Options{Pool: opts.Pool, DataFree: opts.DataFree, MaxEdges: opts.MaxEdges, AllPairs: opts.AllPairs,
		SampleEdges: !opts.NoSampleEdges})
	if err != nil {
		return nil, nil, nil, err
	}
	if edgesPath != "" {
		if err := writeEdges(edgesPath, g, opts); err != nil {
			return nil, nil, nil, err
		}
	}
	if err := cancel.Err(); err != nil {
		return nil, nil, nil, err
	}
	seeds := Seeds{Split: opts.Seed, GCN: opts.Seed + 1, Random: opts.Seed + 2}
	topo := &gcn.Edges{N: g.N(), Src: g.Src, Dst: g.Dst}
	sampler := gcn.LayerPairs(g.Groups())
	split, err := gcn.NewSplit(topo, opts.TestFraction, sampler, seeds.Split)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("graph %s: %w", job.name, err)
	}
	x, f := g.InputFeatures()
	// Large graphs train in neighbour-sampled minibatches (gcn.FitMinibatch);
	// small ones full batch, as before.
	minibatch := g.N() > opts.MinibatchNodes
	newCtx := func() *context.Context {
		ctx := context.New()
		ctx.SetParams(opts.GCN)
		if minibatch && context.GetParamOr(ctx, gcn.ParamBatchEdges, 0) <= 0 {
			// A fixed number of steps, whatever the graph's size.
			ctx.SetParam(gcn.ParamBatchEdges, DefaultBatchEdges)
			if context.GetParamOr(ctx, gcn.ParamBatches, 0) <= 0 {
				ctx.SetParam(gcn.ParamBatches, minibatchStepsPerEpoch)
			}
			if !opts.gcnEpochsSet {
				ctx.SetParam(gcn.ParamEpochs, max(1, DefaultMinibatchSteps/context.GetParamOr(ctx, gcn.ParamBatches, minibatchStepsPerEpoch)))
			}
		}
		return ctx
	}
	// Scores of the held-out edges, then as many non-edges, in one call:
	// a minibatch fit embeds only those pairs' ends (gcn.Autoencoder.Embed).
	test := append(slices.Clip(split.TestPos), split.TestNeg...)
	score := func(s func([][2]int32) []float64) gcn.Metrics {
		v := s(test)
		return gcn.Evaluate(v[:len(split.TestPos)], v[len(split.TestPos):])
	}
	// The GCN fits (two baselines that do not depend on γ, then one per γ)
	// are independent and deterministic: they run concurrently, each
	// scoring the held-out pairs as soon as it is trained, which fills both
	// cores where a fit alone has serial stretches, and all at once, so
	// that the negatives they share are dropped epoch by epoch.
	// They train on the same topology with the same sampler and seed, so
	// they draw the same negatives: draw them once.
	start := time.Now()
	weights := [][]float32{g.LinearWeights(), make([]float32, len(g.Src))}
	for i := range weights[1] {
		weights[1][i] = 1
	}
	for _, gamma := range opts.Gammas {
		weights = append(weights, g.EdgeWeights(opts.Kernel, gamma))
	}
	negs, err := gcn.NewNegatives(split.Train, sampler, context.GetParamOr(newCtx(), gcn.ParamNegatives, gcn.DefaultNegatives), seeds.GCN, len(weights))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("graph %s: %w", job.name, err)
	}
	fits := make([]*gcn.Autoencoder, len(weights))
	scores := make([]gcn.Metrics, len(weights))
	errs := make([]error, len(weights))
	var wg sync.WaitGroup
	for i, w := range weights {
		wg.Go(func() {
			fits[i], errs[i] = gcn.FitShared(cancel, b, newCtx(), x, f, split.TrainWith(w), negs, seeds.GCN)
			if errs[i] == nil {
				scores[i] = score(fits[i].Score)
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err == nil {
			continue
		}
		switch i {
		case 0:
			err = fmt.Errorf("graph %s, linear baseline: %w", job.name, err)
		case 1:
			err = fmt.Errorf("graph %s, unweighted baseline: %w", job.name, err)
		default:
			err = fmt.Errorf("graph %s, γ=%v: %w", job.name, opts.Gammas[i-2], err)
		}
		return nil, nil, nil, err
	}
	base := map[string]gcn.Metrics{}
	rng := rand.New(rand.NewPCG(seeds.Random, 0))
	rs := gcn.RandomScores(rng, 2*len(split.TestPos))
	base["random"] = gcn.Evaluate(rs[:len(split.TestPos)], rs[len(split.TestPos):])
	base["cosine"] = score(func(p [][2]int32) []float64 { return cosineScores(g, p) })
	base["gcn_linear"] = scores[0]
	base["gcn_unweighted"] = scores[1]
	seconds := time.Since(start).Seconds() / float64(len(opts.Gammas))

	out := make([]SurrogateResult, len(opts.Gammas))
	for i, gamma := range opts.Gammas {
		ae := fits[2+i]
		out[i] = SurrogateResult{
			Epoch: epoch, R: r, Graph: job.name, Layers: g.Layers, Scales: g.Scales,
			Nodes: g.N(), Edges: len(g.Src), TestEdges: len(split.TestPos),
			Kernel: string(opts.Kernel), Gamma: gamma,
			Surrogate: scores[2+i], Baselines: base,
			FinalLoss: ae.Losses[len(ae.Losses)-1], Seeds: seeds,
			Seconds: seconds,
		}
	}
	first := fits[2]
	return out, g, first, nil
}

// cosineScores is the cosine similarity of the raw features [α, S]
// (unscaled) of each pair's ends: the "cosine" baseline.
func cosineScores(g *segraph.Graph, pairs [][2]int32) []float64 {
	f := g.Dim + g.SegDim
	x := make([]float32, 2*len(pairs)*f)
	ends := make([][2]int32, len(pairs))
	for k, p := range pairs {
		for e, v := range p {
			row := x[(2*k+e)*f:]
			copy(row, g.Alpha[int(v)*g.Dim:(int(v)+1)*g.Dim])
			copy(row[g.Dim:], g.SegWeights[int(v)*g.SegDim:(int(v)+1)*g.SegDim])
		}
		ends[k] = [2]int32{int32(2 * k), int32(2*k + 1)}
	}
	return gcn.CosineScores(x, f, ends)
}

// writeEdges writes a graph's edge list: global node ids, each end's layer
// and segment index within its layer, the distance and the weight under
// the kernel at every γ.
func writeEdges(path string, g *segraph.Graph, opts Options) error {
	weights := make([][]float32, len(opts.Gammas))
	for i, gamma := range opts.Gammas {
		weights[i] = g.EdgeWeights(opts.Kernel, gamma)
	}
	layerOf := g.Groups()
	return fsutil.WriteFileAtomic(path, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		head := []string{"source", "target", "source_layer", "source_segment", "target_layer", "target_segment", "distance"}
		for _, gamma := range opts.Gammas {
			head = append(head, fmt.Sprintf("w_%s_%s", opts.Kernel, strconv.FormatFloat(gamma, 'g', -1, 64)))
		}
		writeRow(bw, head)
		var buf []byte
		for e := range g.Src {
			s, t := g.Src[e], g.Dst[e]
			ls, lt := layerOf[s], layerOf[t]
			buf = buf[:0]
			buf = strconv.AppendInt(buf, int64(s), 10)
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(t), 10)
			buf = append(buf, ',')
			buf = append(buf, g.Layers[ls]...)
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(int(s)-g.Offsets[ls]), 10)
			buf = append(buf, ',')
			buf = append(buf, g.Layers[lt]...)
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(int(t)-g.Offsets[lt]), 10)
			buf = appendFloat(buf, g.Dist[e])
			for i := range weights {
				buf = appendFloat(buf, weights[i][e])
			}
			buf = append(buf, '\n')
			bw.Write(buf)
		}
		return bw.Flush()
	})
}

// graphName joins layer names: "conv1-conv2".
func graphName(layers []*layerScale) string {
	names := make([]string, len(layers))
	for i, l := range layers {
		names[i] = l.layer.Info.Name
	}
	return strings.Join(names, "-")
}
