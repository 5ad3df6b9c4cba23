package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/fracdyn/fracdyn/fracdyn/analysis"
	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/fracdyn/fracdyn/fracdyn/fractal"
	"github.com/fracdyn/fracdyn/fracdyn/gcn"
	"github.com/fracdyn/fracdyn/fracdyn/segraph"
	"github.com/fracdyn/fracdyn/fracdyn/shard"
)

func init() {
	c := &command{
		name:    "analyze",
		args:    "RUN",
		summary: "segment features, kernel graphs and the GCN surrogate (Fig 2) of a run's snapshots, with baselines",
	}
	c.run = func(ctx context.Context, args []string) error { return runAnalyze(ctx, c, args) }
	register(c)
}

func runAnalyze(ctx context.Context, c *command, args []string) error {
	fs := newFlagSet(c)
	epochs := fs.String("epochs", "all", `epochs to analyse: "all" or a list "0,1,5"`)
	scales := fs.String("r", "all", `segment scales r: "all" (every valid scale of every layer) or a comma-separated list restricting them, e.g. "2,16,32"`)
	layers := fs.String("layers", "", "layers to analyse, comma-separated (default all)")
	kernel := fs.String("kernel", string(segraph.DefaultKernel), "edge kernel: laplacian exp(-d/γ), rbf exp(-d²/2γ²), paper γ·exp(d) (grows with distance)")
	gammas := fs.String("gamma", "1", "kernel spreads γ > 0, comma-separated")
	method := fs.String("method", string(fractal.MethodBoxCount), "per-segment dimension in α: bc, dbc, variogram, paper")
	allEst := fs.Bool("all-estimators", false, "compute every per-segment dimension estimator (bc, dbc, variogram, paper) at every scale; without it only --method's columns are filled (the others NaN)")
	dataFree := fs.Bool("data-free", false, "leave the activation map A out of α (no probe forward pass)")
	pool := fs.Int("pool", segraph.DefaultPool, "side of the grid conv activation maps are pooled to")
	seed := fs.Uint64("seed", analysis.DefaultSeed, "seed of splits, GCN initialisation, negatives and the random baseline")
	gcnEpochs := fs.Int("gcn-epochs", analysis.DefaultGCNEpochs, fmt.Sprintf("training epochs of each full-batch GCN autoencoder; a graph over --minibatch-nodes trains %d minibatch steps, or this many epochs of steps when given", analysis.DefaultMinibatchSteps))
	engine := fs.String("gcn-engine", string(gcn.EngineNative), "GCN engine: native (plain-Go sparse) or gomlx (Gather/Scatter graph)")
	set := fs.String("gcn-set", "", `more GCN hyperparameters "gcn_hidden=64;gcn_dropout=0.1"`)
	allPairs := fs.Bool("all-pairs", false, "join every segment of a layer with every segment of the next (small graphs only)")
	attractors := fs.Bool("attractors", true, "also classify the attractors of the per-step trajectories into analysis/attractors.csv")
	figures := fs.Bool("figures", false, "draw Fig 2 (segment features, kernel interactions) for the conv graph of each epoch")
	maxSegs := fs.Int("max-segments", 0, "skip a layer at a scale with more segments (0: no limit); skips are named in analysis/skipped.csv")
	maxEdges := fs.Int("max-edges", segraph.DefaultEdgeBudget, "edge budget of each graph: thin a graph with more edges to about this many (named in analysis/skipped.csv)")
	writeEdges := fs.Bool("edges", false, "write each graph's edge list to analysis/edges/epoch-NNN-rR-GRAPH.csv")
	clamp := fs.Bool("graph-clamp", false, "build each graph at every scale of its largest layer, a smaller layer cut at its nearest valid scale (default: only where its layers share a valid r)")
	noSample := fs.Bool("no-sample-edges", false, "skip a graph over --max-edges instead of thinning it")
	minibatch := fs.Int("minibatch-nodes", analysis.DefaultMinibatchNodes, "train the GCNs of a graph with more nodes in neighbour-sampled minibatches")
	convView := fs.String("conv-view", "kernel", "how layers.csv's whole-matrix estimators read a convolution: kernel (out·in kh×kw kernels, "+
		"averaged, as analyze-model does) or unfolded (one out×(in·kh·kw) matrix); segments are always cut per kernel")
	allowMissing := fs.Bool("allow-missing", false, "analyse what can be read when snapshots are missing or the tracked segments (steps-segments.npy) are unreadable, with a note naming each skipped input (without it they are errors)")
	nullDraws := nullDrawsFlag(fs)
	shardFlag := fs.String("shard", "", `do shard K/N of the work (K from 0): the selected epochs i with i mod N = K; writes RUN/analysis/shards/K-of-N `+
		`for "fracdyn merge RUN/analysis"; "auto/N" or "auto" read K (and N) from $JOB_COMPLETION_INDEX or $SLURM_ARRAY_TASK_ID (and $SLURM_ARRAY_TASK_COUNT)`)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "usage: fracdyn analyze [flags] RUN\n\n%s\n\nBy default every layer is analysed at every valid scale r (a 3×3 conv\nkernel at r=2, a 128×50176 fc1 at r=2..64); -r restricts the scales.\nWrites RUN/analysis: segments/epoch-NNN.parquet (one row per segment per r;\nread with analysis.ReadSegments), layers.csv, skipped.csv (every layer,\nscale or graph left out or thinned, and why), surrogate.json (AUC and AP\nof the surrogate and its baselines, with seeds, and the cross-scale\nresults) and, with --edges, edges/epoch-NNN-rR-GRAPH.csv. The graphs are\nbuilt at every scale their layers share (fc1-fc2 at r=2..5), each within\nthe --max-edges budget (thinned to it, by a fixed rule). The analysis is written into\nRUN/.analysis-tmp-XXXX and replaces RUN/analysis only when it completes; a\nfailed or interrupted analysis leaves the previous one as it was.\n\nflags:\n", c.summary)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := wantArgs(fs.Args(), 1, "one run directory"); err != nil {
		return err
	}
	cv, err := parseConvView(*convView)
	if err != nil {
		return err
	}
	spec, err := shard.Parse(*shardFlag, os.Getenv)
	if err != nil {
		return usageErrorf("%v", err)
	}
	opts := analysis.Options{DataFree: *dataFree, Pool: *pool, Seed: *seed, MaxSegments: *maxSegs, MaxEdges: *maxEdges,
		NoSampleEdges: *noSample, MinibatchNodes: *minibatch, WriteEdges: *writeEdges, ClampGraphScales: *clamp,
		Progress: os.Stderr, Method: fractal.Method(*method), Figures: *figures, AllPairs: *allPairs, ConvView: cv, AllowMissing: *allowMissing, Shard: spec, AllEstimators: *allEst}
	if opts.NullDraws, err = nullDrawsOption(*nullDraws); err != nil {
		return err
	}
	if *epochs != "all" {
		if opts.Epochs, err = parseInts(*epochs); err != nil {
			return usageErrorf("--epochs: %v", err)
		}
	}
	if *scales != "all" {
		if opts.Scales, err = parseInts(*scales); err != nil {
			return usageErrorf("--r: %v", err)
		}
	}
	if *layers != "" {
		opts.Layers = strings.Split(*layers, ",")
	}
	k, err := segraph.ParseKernel(*kernel)
	if err != nil {
		return usageErrorf("--kernel: %v", err)
	}
	opts.Kernel = k
	for _, s := range strings.Split(*gammas, ",") {
		g, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return usageErrorf("--gamma: %q is not a number", s)
		}
		if err := segraph.CheckGamma(g); err != nil {
			return usageErrorf("--gamma: %v", err)
		}
		opts.Gammas = append(opts.Gammas, g)
	}
	if _, err := fractal.ParseMethod(*method); err != nil {
		return usageErrorf("--method: %v", err)
	}
	if *pool < 1 {
		return usageErrorf("--pool must be >= 1")
	}
	// --gcn-epochs given, and only then, fixes the epochs of every fit:
	// by default a minibatch graph trains analysis.DefaultMinibatchSteps
	// steps, as the library's default analysis does.
	opts.GCN = map[string]any{gcn.ParamEngine: *engine}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "gcn-epochs" {
			opts.GCN[gcn.ParamEpochs] = *gcnEpochs
		}
	})
	if *set != "" {
		for _, kv := range strings.Split(*set, ";") {
			key, val, ok := strings.Cut(kv, "=")
			if !ok {
				return usageErrorf("--gcn-set: %q is not key=value", kv)
			}
			opts.GCN[strings.TrimSpace(key)] = parseValue(strings.TrimSpace(val))
		}
	}
	if *attractors {
		opts.Extra = append(opts.Extra, attractorStageAllowing(*allowMissing))
	}
	if opts.Backend, err = backend.New(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "backend: %s\n", backend.Describe(opts.Backend))
	rep, err := analysis.Analyze(ctx, fs.Arg(0), opts)
	if err != nil {
		return err
	}
	for _, res := range rep.Results {
		fmt.Fprintf(os.Stderr, "epoch %d r=%d %s γ=%g: AUC surrogate %.3f (AP %.3f) | gcn_unweighted %.3f | gcn_linear %.3f | cosine %.3f | random %.3f\n",
			res.Epoch, res.R, res.Graph, res.Gamma, res.Surrogate.AUC, res.Surrogate.AP,
			res.Baselines["gcn_unweighted"].AUC, res.Baselines["gcn_linear"].AUC, res.Baselines["cosine"].AUC, res.Baselines["random"].AUC)
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(os.Stderr, "note: %s\n", n)
	}
	if len(rep.Skipped) > 0 {
		fmt.Fprintf(os.Stderr, "note: %d layers or graphs skipped or thinned, listed in %s/%s/%s\n", len(rep.Skipped), fs.Arg(0), analysis.Dir, analysis.SkippedFile)
	}
	return nil
}

// parseInts parses "1,2,3".
func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("%q is not an integer", f)
		}
		out = append(out, v)
	}
	return out, nil
}

// parseValue reads an int, a float or else a string.
func parseValue(s string) any {
	if v, err := strconv.Atoi(s); err == nil {
		return v
	}
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		return v
	}
	return s
}
