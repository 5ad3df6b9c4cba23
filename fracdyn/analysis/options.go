package analysis

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/fracdyn/fracdyn/fracdyn/fractal"
	"github.com/fracdyn/fracdyn/fracdyn/gcn"
	"github.com/fracdyn/fracdyn/fracdyn/run"
	"github.com/fracdyn/fracdyn/fracdyn/segraph"
	"github.com/fracdyn/fracdyn/fracdyn/shard"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
	"github.com/gomlx/gomlx/backends"
)

// Options configure Analyze. The zero value gives the defaults.
type Options struct {
	// Epochs to analyse; nil means every snapshot.
	Epochs []int
	// Scales r; nil means every valid scale of every layer
	// (fractal.ValidScales: a 3×3 conv kernel at r = 2, the paper CNN's
	// 128×50176 fc1 at r = 2…64, its 10×128 fc2 at r = 2…5). A list
	// restricts the analysis to those scales; each layer is tabulated at
	// the listed scales valid for it.
	Scales []int
	// Layers restricts the analysis to these layer names; nil means all.
	Layers []string
	// Kernel and Gammas weight the edges (default laplacian, γ = 1).
	Kernel segraph.Kernel
	Gammas []float64
	// Method is the per-segment dimension estimator used in α (default
	// box counting). The segment tables have a column pair per estimator;
	// only Method's is computed unless AllEstimators (the others are NaN):
	// at every scale of fc1 the other three would quadruple the
	// per-segment pass.
	Method        fractal.Method
	AllEstimators bool
	// DataFree leaves A out of α (no probe forward pass).
	DataFree bool
	// ClampGraphScales builds a graph at every scale of its largest layer,
	// each smaller layer cut at its nearest valid scale (fc2, 10×128, at
	// r = 5 in the fc1–fc2 graphs of r = 6…64). By default a graph is
	// built only at the scales all its layers share (fc1–fc2 at r = 2…5),
	// and the others are named in skipped.csv.
	ClampGraphScales bool
	// AllPairs joins every segment of a layer with every segment of the
	// next in the graphs (segraph.Options.AllPairs; small graphs only).
	AllPairs bool
	// Pool is the side of the pooled activation grid (segraph.Options).
	Pool int
	// ConvView is how the whole-matrix estimators of layers.csv read a
	// conv kernel: per kernel (weights.PerKernel, the default: each of the
	// out·in kh×kw kernels measured and the results averaged, exactly as
	// analyze-model does) or unfolded to one out×(in·kh·kw) matrix. The
	// segment tables and graphs always cut conv kernels per kernel: the
	// segment graph's wiring is per kernel.
	ConvView weights.ConvView
	// Seed fixes the splits, the GCN initialisations, the negatives and
	// the random baseline (default 1).
	Seed uint64
	// TestFraction of edges held out (default 0.15).
	TestFraction float64
	// GCN holds gcn.Param… hyperparameters (nil: gcn's defaults, with
	// DefaultGCNEpochs epochs).
	GCN map[string]any
	// MaxSegments, when positive, skips a layer at a scale with more
	// segments (default: no limit). Each skip is named in Report.Skipped
	// and skipped.csv.
	MaxSegments int
	// MaxEdges is each graph's edge budget (default
	// segraph.DefaultEdgeBudget): a graph with more is thinned
	// (segraph.Options.SampleEdges), keeping about one edge in k of each
	// over-full connection, and named in skipped.csv and Report.Skipped
	// ("thinned", with the edges kept of the full count and the strides).
	// NoSampleEdges skips such a graph instead.
	MaxEdges      int
	NoSampleEdges bool
	// MinibatchNodes: a graph with more nodes trains its GCNs in
	// neighbour-sampled minibatches, DefaultMinibatchSteps steps of
	// DefaultBatchEdges training edges in all (gcn.ParamBatchEdges,
	// gcn.ParamBatches and gcn.ParamEpochs, unless GCN sets the batch
	// size or the epochs), whatever its size; smaller graphs train full
	// batch for DefaultGCNEpochs epochs. Default DefaultMinibatchNodes.
	MinibatchNodes int
	// WriteEdges writes each graph's edge list to
	// edges/epoch-NNN-rR-GRAPH.csv (off by default: at r = 2 the fc1–fc2
	// list alone is tens of MB of text per snapshot).
	WriteEdges bool
	// Backend runs the probe forward pass (and the GCN with the gomlx
	// engine).
	Backend backends.Backend
	// Progress receives progress reports (nil: none).
	Progress io.Writer
	// Figures, when set, draws Fig 2 for the conv graph of each epoch:
	// fig2-features-epoch-NNN-LAYER.png (‖α‖ per segment, one heat map per
	// neuron) and fig2-kernels-epoch-NNN.png (kernel interactions and edge
	// weight distributions at FigureGammas).
	Figures bool
	// FigureGammas are the γ of the kernel figure (default 0.1, 1, 10).
	FigureGammas []float64
	// NullDraws is the number of draws per null model (package null) of
	// the per-layer measures in layers.csv: 0 means null.DefaultDraws, a
	// negative number no nulls.
	NullDraws int
	// Extra stages run after the per-epoch work, in order, with the run
	// and the analysis directory: the hook for other analyses (e.g. the
	// dynamics helper's attractors.csv). They write into the temporary
	// directory that replaces RUN/analysis once every stage succeeded.
	Extra []Stage
	// AllowMissing analyses the snapshots there are when some epochs'
	// snapshots are missing (a gap in 0…last, or an epoch of epochs.csv
	// without its snapshot), noting each skipped epoch in Report.Notes.
	// Without it a missing snapshot is an error wrapping ErrMissing.
	AllowMissing bool
	// Shard splits the work over processes by epoch (fracdyn/shard): the
	// selected epochs are the items, and this process analyses those it
	// owns into RUN/analysis/shards/K-of-N with a manifest; fracdyn merge
	// RUN/analysis assembles the shards into what one process writes
	// (layers.csv and skipped.csv by epoch, surrogate.json's results by
	// epoch, the per-epoch files moved whole). The Extra stages run in the
	// shard owning the first epoch. The zero Spec: one process.
	Shard shard.Spec
	// GCPercent is Go's garbage-collection target (debug.SetGCPercent)
	// while Analyze runs, restored when it returns: 0 means
	// DefaultGCPercent, a negative number leaves the process's setting
	// alone, as does a GOGC environment variable. The analysis allocates
	// large pointer-free arrays scale after scale, which the collector
	// marks at little cost, while every page the heap grows by costs a
	// page fault (about 7 µs each on the machine of BENCHMARKS.md).
	GCPercent int

	gcnEpochsSet bool // GCN sets gcn.ParamEpochs (withDefaults)
}

// Stage is an extra analysis stage over a run, writing into outDir.
type Stage func(ctx context.Context, r *run.Run, outDir string) error

const (
	DefaultSeed         = 1
	DefaultTestFraction = 0.15
	DefaultGCNEpochs    = 100
	// DefaultMinibatchNodes is the node count above which a graph's GCNs
	// train in minibatches: DefaultMinibatchSteps steps of
	// DefaultBatchEdges training edges (and as many sampled non-edges),
	// minibatchStepsPerEpoch to an epoch (gcn.ParamBatches: each epoch a
	// uniform sample of the training edges), unless Options.GCN sets
	// gcn.ParamBatchEdges or gcn.ParamEpochs.
	DefaultMinibatchNodes  = 20_000
	DefaultBatchEdges      = 512
	DefaultMinibatchSteps  = 120
	minibatchStepsPerEpoch = 4
	// DefaultGCPercent is the default Options.GCPercent: a heap that grows
	// to 1.5× the live data instead of Go's 2× (one paper-CNN snapshot:
	// peak RSS 1.5 GB instead of 2.1 GB, 30% fewer page faults).
	DefaultGCPercent = 50
)

// withDefaults fills the zero fields and validates the rest.
func (o Options) withDefaults() (Options, error) {
	if o.Scales != nil {
		o.Scales = slices.Clone(o.Scales)
	}
	slices.Sort(o.Scales)
	o.Scales = slices.Compact(o.Scales)
	for _, r := range o.Scales {
		if r < 2 {
			return o, fmt.Errorf("scale r=%d: need r >= 2", r)
		}
	}
	if o.Kernel == "" {
		o.Kernel = segraph.DefaultKernel
	}
	if _, err := segraph.ParseKernel(string(o.Kernel)); err != nil {
		return o, err
	}
	if o.Gammas == nil {
		o.Gammas = []float64{1}
	}
	for _, g := range o.Gammas {
		if err := segraph.CheckGamma(g); err != nil {
			return o, err
		}
	}
	if o.FigureGammas == nil {
		o.FigureGammas = []float64{0.1, 1, 10}
	}
	for _, g := range o.FigureGammas {
		if err := segraph.CheckGamma(g); err != nil {
			return o, err
		}
	}
	if o.Method == "" {
		o.Method = fractal.MethodBoxCount
	}
	if _, err := fractal.ParseMethod(string(o.Method)); err != nil {
		return o, err
	}
	if o.Seed == 0 {
		o.Seed = DefaultSeed
	}
	if o.TestFraction == 0 {
		o.TestFraction = DefaultTestFraction
	}
	if !(o.TestFraction > 0 && o.TestFraction < 1) || math.IsNaN(o.TestFraction) {
		return o, fmt.Errorf("test fraction %v is not in (0,1)", o.TestFraction)
	}
	gcnParams := map[string]any{gcn.ParamEpochs: DefaultGCNEpochs}
	_, o.gcnEpochsSet = o.GCN[gcn.ParamEpochs]
	for k, v := range o.GCN {
		gcnParams[k] = v
	}
	o.GCN = gcnParams
	if o.MaxSegments < 0 {
		o.MaxSegments = 0
	}
	if o.MinibatchNodes <= 0 {
		o.MinibatchNodes = DefaultMinibatchNodes
	}
	if o.MaxEdges <= 0 {
		o.MaxEdges = segraph.DefaultEdgeBudget
	}
	return o, nil
}
