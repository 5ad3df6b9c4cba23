package recorder

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/fracdyn/fracdyn/fracdyn/run"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// Options configure a Recorder.
type Options struct {
	// Dir is the run directory to write; it must not exist or be empty.
	Dir string
	// ModelFn and LossFn are the functions given to train.NewTrainer; the
	// recorder calls them (in inference mode) for the probe-batch
	// gradients of the snapshots.
	ModelFn train.ModelFn
	LossFn  train.LossFn
	// ProbeInputs and ProbeLabels are a fixed batch whose loss gradients
	// the snapshots hold. Required. probe.npz stores the first input as
	// "images" (float32, size-1 axes after the first dropped) and the first
	// label as "labels" (int32).
	ProbeInputs, ProbeLabels []*tensors.Tensor
	// SnapshotEvery is the number of steps of one epoch of the records:
	// after every SnapshotEvery steps the recorder writes a snapshot and a
	// row of epochs.csv. Use the dataset's steps per epoch for per-epoch
	// snapshots. Required.
	SnapshotEvery int
	// Eval, if set, is called at the end of every epoch of the records for
	// the held-out loss and accuracy of epochs.csv (NaN when nil).
	Eval func() (loss, accuracy float64, err error)
	// OnSnapshot, if set, is called after each snapshot is written, with
	// its epoch (0: the initial weights); live plots hook here.
	OnSnapshot func(epoch int) error

	// Track selects the tracked segments: "default" (every segment of a
	// first convolution layer, a seeded sample of TrackSample segments of
	// every other layer) or "all"; TrackR is their size r (default 2),
	// TrackSample the sample per layer (default 256), Seed the seed of the
	// sample.
	Track       string
	TrackR      int
	TrackSample int
	Seed        int64
	// Layouts overrides the layout of variables the shape cannot tell
	// ("GLOB=LAYOUT,...", see weights.ParseOverrides).
	Layouts string
	// Resume continues the run already in Dir after a kill: New loads the
	// checkpoint of its last finished epoch of the records into the
	// context (weights, optimizer state, global step, RNG state), and
	// Start checks that the run's config agrees and reloads its records up
	// to that epoch. Build the trainer and the loop after New, move the
	// dataset past the ResumeStep batches already trained, and run the loop
	// to the run's total step (train.Loop.RunToGlobalStep). Without Resume
	// a non-empty Dir is refused. A Dir without a run starts afresh.
	Resume bool

	// Model, Dataset, BatchSize, Optimizer and Loss describe the run in
	// config.json (Model is its "arch": default "gomlx"). BatchSize 0 is
	// read from the first training step.
	Model, Dataset  string
	BatchSize       int
	Optimizer, Loss string
}

// Recorder records a GoMLX training into a fracdyn run directory. See the
// package documentation.
type Recorder struct {
	opts    Options
	backend backends.Backend
	ctx     *context.Context

	layers    []Layer
	others    []*context.Variable
	acts      []int // the layers whose activation maps the probe graph returns, in order
	probeExec *context.Exec
	probeErr  error
	rec       *run.Recorder
	metric    *metric
	batchSize int
	epochLoss float64
	finished  bool
	resumed   int // the epoch a resume continues after; -1 for a fresh run
}

// New returns a recorder of the model whose variables live in ctx, trained
// on backend b (nil: backend.New()). It checks the options; Start (or the
// loop's start, with Attach) writes the run directory.
func New(b backends.Backend, ctx *context.Context, opts Options) (*Recorder, error) {
	switch {
	case opts.Dir == "":
		return nil, errors.New("recorder: Options.Dir: no run directory")
	case opts.ModelFn == nil || opts.LossFn == nil:
		return nil, errors.New("recorder: Options.ModelFn and Options.LossFn are required (the same as train.NewTrainer's)")
	case len(opts.ProbeInputs) == 0 || len(opts.ProbeLabels) == 0:
		return nil, errors.New("recorder: Options.ProbeInputs and ProbeLabels: no probe batch (the snapshots hold its gradients)")
	case opts.SnapshotEvery < 1:
		return nil, fmt.Errorf("recorder: Options.SnapshotEvery = %d: need the number of steps between snapshots (>= 1)", opts.SnapshotEvery)
	}
	if opts.Track == "" {
		opts.Track = "default"
	}
	if opts.Track != "default" && opts.Track != "all" {
		return nil, fmt.Errorf("recorder: Options.Track = %q: want \"default\" or \"all\"", opts.Track)
	}
	if opts.TrackR == 0 {
		opts.TrackR = 2
	}
	if opts.TrackSample == 0 {
		opts.TrackSample = 256
	}
	if opts.Model == "" {
		opts.Model = "gomlx"
	}
	if b == nil {
		var err error
		if b, err = backend.New(); err != nil {
			return nil, err
		}
	}
	r := &Recorder{opts: opts, backend: b, ctx: ctx, batchSize: opts.BatchSize, resumed: -1}
	r.metric = &metric{r: r}
	if opts.Resume {
		if _, err := os.Stat(filepath.Join(opts.Dir, run.ConfigFile)); err == nil {
			if r.resumed, err = run.LoadCheckpoint(opts.Dir, ctx); err != nil {
				return nil, fmt.Errorf("recorder: resuming %s: %w", opts.Dir, err)
			}
		}
	}
	return r, nil
}

// Resumed returns the last finished epoch of the records that New loaded
// the checkpoint of (Options.Resume), or -1 when the run starts afresh.
func (r *Recorder) Resumed() int { return r.resumed }

// ResumeStep returns the training steps already recorded that a resumed
// run continues after: Resumed()·SnapshotEvery, 0 for a fresh run. The
// dataset should be moved past that many batches (with fracdyn's
// mnist.Batches and SnapshotEvery its batches per epoch, SetEpoch(Resumed())).
func (r *Recorder) ResumeStep() int { return max(r.resumed, 0) * r.opts.SnapshotEvery }

// Dir returns the run directory.
func (r *Recorder) Dir() string { return r.opts.Dir }

// Layers returns the recorded layers (after Start).
func (r *Recorder) Layers() []Layer { return r.layers }

// Steps returns the steps recorded so far.
func (r *Recorder) Steps() []run.Step {
	if r.rec == nil {
		return nil
	}
	return r.rec.Steps()
}

// Start builds the probe-gradient graph (creating the model's variables
// if no step has run yet), discovers the layers, writes config.json,
// probe.npz and the snapshot of epoch 0. A second call does nothing.
//
// When Start creates the variables, a train.Trainer built on a checked
// context must then reuse them: Attach sets its context to
// ctx.Checked(false).
func (r *Recorder) Start() error {
	if r.rec != nil {
		return nil
	}
	if entries, err := os.ReadDir(r.opts.Dir); err == nil && len(entries) > 0 && !r.opts.Resume {
		return fmt.Errorf("recorder: %s exists and is not empty; the recorder writes a new run directory (Options.Resume continues a killed one)", r.opts.Dir)
	}
	overrides, err := weights.ParseOverrides(r.opts.Layouts)
	if err != nil {
		return fmt.Errorf("recorder: Options.Layouts: %w", err)
	}
	nIn := len(r.opts.ProbeInputs)
	r.probeExec, err = context.NewExec(r.backend, r.ctx.Checked(false), func(ctx *context.Context, nodes []*Node) []*Node {
		return r.probeGraph(ctx, nodes[:nIn], nodes[nIn:], overrides)
	})
	if err != nil {
		return fmt.Errorf("recorder: building the probe gradients: %w", err)
	}
	out, err := r.runProbe()
	if err != nil {
		return err
	}
	defer finalize(out)
	var old *run.Config
	if r.opts.Resume {
		if old, err = run.ReadConfig(r.opts.Dir); err == nil && r.batchSize == 0 {
			r.batchSize = old.BatchSize // the first step tells it in a fresh run
		}
	}
	cfg := r.config()
	if old != nil {
		cfg.Epochs = old.Epochs // checked as for run.Train: it may grow, not shrink
	}
	if r.rec, err = run.NewRecorder(r.opts.Dir, cfg); err != nil {
		return err
	}
	resume, err := r.rec.Create()
	if err != nil {
		return fmt.Errorf("recorder: %w", err)
	}
	images, shape, labels, err := probeArrays(r.opts.ProbeInputs[0], r.opts.ProbeLabels[0])
	if err != nil {
		return err
	}
	if err := r.rec.WriteProbe(images, shape, labels); err != nil {
		return fmt.Errorf("recorder: %w", err)
	}
	if resume && r.resumed >= 0 {
		cfg.Epochs = r.resumed
		return r.rec.Reload(r.resumed)
	}
	r.resumed = -1
	cfg.Epochs = 0
	if err := r.rec.WriteConfig(); err != nil {
		return fmt.Errorf("recorder: %w", err)
	}
	if err := r.rec.Commit(nil); err != nil {
		return fmt.Errorf("recorder: %w", err)
	}
	return r.snapshot(0, out)
}

// probeGraph is the graph of the snapshots: the probe loss, and for every
// layer its weight, bias and their gradients, all float32. Its first build
// discovers the layers.
func (r *Recorder) probeGraph(ctx *context.Context, inputs, labels []*Node, overrides weights.Overrides) []*Node {
	g := inputs[0].Graph()
	ctx.SetTraining(g, false)
	pred := r.opts.ModelFn(ctx, nil, inputs)
	fwd := slices.Clone(g.Nodes())
	loss := r.opts.LossFn(labels, pred)
	if !loss.Shape().IsScalar() {
		loss = ReduceAllMean(loss)
	}
	if r.layers == nil {
		layers, others, err := Layers(ctx, overrides)
		if err != nil {
			r.probeErr = err
			panic(err)
		}
		r.layers, r.others = layers, others
		inGraphOrder(g, r.layers, r.others)
	}
	var params []*Node
	for _, v := range r.paramVars() {
		params = append(params, v.ValueGraph(g))
	}
	grads := Gradient(loss, params...)
	out := []*Node{ConvertDType(loss, dtypes.Float32)}
	for i := range params {
		out = append(out, ConvertDType(params[i], dtypes.Float32), ConvertDType(grads[i], dtypes.Float32))
	}
	// The activation maps: found in the model's forward graph (the nodes
	// before the loss), their probe-batch means returned after the params.
	ws := make([]*Node, len(r.layers))
	for i, l := range r.layers {
		ws[i] = l.Weight.ValueGraph(g)
	}
	r.acts = r.acts[:0]
	for i, a := range activationNodes(fwd, ws) {
		if a == nil {
			continue
		}
		if m, shape := activationMean(r.layers[i].Layer, a); m != nil {
			r.layers[i].OutShape = shape
			r.acts = append(r.acts, i)
			out = append(out, m)
		}
	}
	return out
}

func (r *Recorder) runProbe() ([]*tensors.Tensor, error) {
	args := make([]any, 0, len(r.opts.ProbeInputs)+len(r.opts.ProbeLabels))
	for _, t := range append(slices.Clone(r.opts.ProbeInputs), r.opts.ProbeLabels...) {
		args = append(args, t)
	}
	out, err := r.probeExec.Exec(args...)
	if err != nil {
		if r.probeErr != nil {
			return nil, r.probeErr
		}
		return nil, fmt.Errorf("recorder: probe gradients: %w", err)
	}
	return out, nil
}

// inGraphOrder sorts layers and others by the order in which the model
// function read their variables in g, its forward order: the context's
// own order is the order of creation, which a checkpoint loaded before
// the model ran (a resume) changes. Prev is set to the layer before.
func inGraphOrder(g *Graph, layers []Layer, others []*context.Variable) {
	id := func(v *context.Variable) NodeId { return v.ValueGraph(g).Id() }
	slices.SortStableFunc(layers, func(a, b Layer) int { return cmp.Compare(id(a.Weight), id(b.Weight)) })
	for i := range layers {
		layers[i].Prev = i - 1
	}
	slices.SortStableFunc(others, func(a, b *context.Variable) int { return cmp.Compare(id(a), id(b)) })
}

// config returns the config.json of the run.
func (r *Recorder) config() *run.Config {
	o := r.opts
	probe := r.opts.ProbeInputs[0].Shape().Dimensions
	bs := r.batchSize
	if bs == 0 {
		bs = probe[0] // until the first step tells
	}
	c := &run.Config{Format: run.FormatVersion, Preset: "recorder", Arch: o.Model, Dataset: o.Dataset,
		BatchSize: bs, Optimizer: o.Optimizer, Loss: o.Loss,
		StepsPerEpoch: o.SnapshotEvery, EpochImages: o.SnapshotEvery * bs, ProbeSize: probe[0], Seed: o.Seed,
		LearningRate: context.GetParamOr(r.ctx, optimizers.ParamLearningRate, 0.0),
		Track:        run.TrackConfig{Mode: o.Track, R: o.TrackR, Sample: o.TrackSample},
		Backend:      backend.Describe(r.backend), Params: map[string]any{}}
	for _, l := range r.layers {
		c.Layers = append(c.Layers, l.Layer)
	}
	r.ctx.EnumerateParams(func(scope, key string, value any) {
		if scope != context.RootScope {
			key = scope + "/" + key
		}
		c.Params[key] = value
	})
	c.SetBuildInfo()
	return c
}

// Record files one step's statistics: the value of Metric (or StepStats)
// in that step's outputs. After every SnapshotEvery steps it commits an
// epoch: epochs.csv, the series and a snapshot. A diverging step (loss or
// gradient norm not finite, loss above run.MaxLoss) is written and
// returned as an error wrapping run.ErrDiverged.
func (r *Recorder) Record(stats *tensors.Tensor) error {
	if r.rec == nil {
		return errors.New("recorder: Record before Start")
	}
	n := r.opts.SnapshotEvery
	epoch := len(r.rec.Steps())/n + 1
	s, err := r.rec.RecordStep(epoch, tensors.MustCopyFlatData[float32](stats))
	if err != nil {
		if werr := r.rec.WriteSeries(); werr != nil {
			return errors.Join(fmt.Errorf("recorder: %w", err), werr)
		}
		return fmt.Errorf("recorder: %w", err)
	}
	r.epochLoss += s.Loss
	if s.Step%n != 0 {
		return nil
	}
	e := run.EpochStats{Epoch: epoch, TrainLoss: r.epochLoss / float64(n), EvalLoss: math.NaN(), EvalAccuracy: math.NaN()}
	r.epochLoss = 0
	if r.opts.Eval != nil {
		if e.EvalLoss, e.EvalAccuracy, err = r.opts.Eval(); err != nil {
			return fmt.Errorf("recorder: evaluating epoch %d: %w", epoch, err)
		}
	}
	cfg := r.rec.Config()
	cfg.Epochs = epoch
	if r.batchSize > 0 && cfg.BatchSize != r.batchSize {
		cfg.BatchSize, cfg.EpochImages = r.batchSize, r.batchSize*n
	}
	if err := r.rec.WriteConfig(); err != nil {
		return fmt.Errorf("recorder: %w", err)
	}
	if err := r.rec.Commit(&e); err != nil {
		return fmt.Errorf("recorder: epoch %d: %w", epoch, err)
	}
	out, err := r.runProbe()
	if err != nil {
		return err
	}
	defer finalize(out)
	return r.snapshot(epoch, out)
}

// paramVars returns the layers' weights and biases in snapshot order.
func (r *Recorder) paramVars() []*context.Variable {
	var vs []*context.Variable
	for _, l := range r.layers {
		vs = append(vs, l.Weight)
		if l.Bias != nil {
			vs = append(vs, l.Bias)
		}
	}
	return vs
}

// snapshot writes the snapshot of epoch from the probe graph's outputs.
func (r *Recorder) snapshot(epoch int, out []*tensors.Tensor) error {
	params := make([]run.Param, 0, 2*len(r.layers))
	var acts []run.Activation
	for j, i := range r.acts {
		l := r.layers[i]
		acts = append(acts, run.Activation{Layer: l.Name, Shape: l.OutShape,
			Mean: tensors.MustCopyFlatData[float32](out[len(out)-len(r.acts)+j])})
	}
	k := 1
	for _, l := range r.layers {
		for _, p := range []struct {
			part string
			v    *context.Variable
		}{{"weight", l.Weight}, {"bias", l.Bias}} {
			if p.v == nil {
				continue
			}
			params = append(params, run.Param{Layer: l.Name, Part: p.part, Shape: p.v.Shape().Dimensions,
				Value: tensors.MustCopyFlatData[float32](out[k]), Grad: tensors.MustCopyFlatData[float32](out[k+1])})
			k += 2
		}
	}
	if err := r.rec.WriteSnapshot(epoch, params, acts, tensors.MustCopyFlatData[float32](out[0])[0]); err != nil {
		return fmt.Errorf("recorder: snapshot of epoch %d: %w", epoch, err)
	}
	if err := run.SaveCheckpoint(r.opts.Dir, r.ctx, epoch); err != nil {
		return fmt.Errorf("recorder: %w", err)
	}
	if r.opts.OnSnapshot != nil {
		return r.opts.OnSnapshot(epoch)
	}
	return nil
}

// Finish writes the steps recorded since the last snapshot (steps.csv and
// the series hold every step; epochs.csv and the snapshots the finished
// epochs). Call it once training ends; Attach does, at the loop's end.
func (r *Recorder) Finish() error {
	if r.rec == nil {
		return nil
	}
	if err := r.rec.WriteSeries(); err != nil {
		return fmt.Errorf("recorder: %w", err)
	}
	return nil
}

// StepStats returns the step statistics that Optimizer's UpdateGraph built
// in graph g, for a custom training step to return and pass to Record.
func StepStats(ctx *context.Context, g *Graph) *Node {
	v, ok := ctx.InAbsPath(Scope).GetGraphParam(g, statsKey)
	if !ok {
		panic("recorder: StepStats: the step's graph has no statistics: update with Recorder.Optimizer first")
	}
	return v.(*Node)
}

// probeArrays returns the probe's first input as float32 with its size-1
// axes after the first dropped, and its first label as int32.
func probeArrays(in, lab *tensors.Tensor) ([]float32, []int, []int32, error) {
	dims := in.Shape().Dimensions
	shape := []int{dims[0]}
	for _, d := range dims[1:] {
		if d != 1 {
			shape = append(shape, d)
		}
	}
	images, ok := flatAs[float32](in, dtypes.Float32, dtypes.Float64)
	if !ok {
		return nil, nil, nil, fmt.Errorf("recorder: probe input of dtype %s: want float32 or float64", in.DType())
	}
	labels, ok := flatAs[int32](lab, dtypes.Int32, dtypes.Int64)
	if !ok {
		return nil, nil, nil, fmt.Errorf("recorder: probe label of dtype %s: want int32 or int64", lab.DType())
	}
	if len(labels) != dims[0] {
		return nil, nil, nil, fmt.Errorf("recorder: probe labels of shape %s for %d examples: want one label per example", lab.Shape(), dims[0])
	}
	return images, shape, labels, nil
}

func finalize(ts []*tensors.Tensor) {
	for _, t := range ts {
		_ = t.FinalizeAll()
	}
}

// flatAs copies t's values as D when t's dtype is narrow (D's own) or wide
// (its 64-bit twin), converting the wide ones; ok is false for any other.
func flatAs[D float32 | int32](t *tensors.Tensor, narrow, wide dtypes.DType) (out []D, ok bool) {
	switch t.DType() {
	case narrow:
		return tensors.MustCopyFlatData[D](t), true
	case wide:
		if wide == dtypes.Float64 {
			for _, x := range tensors.MustCopyFlatData[float64](t) {
				out = append(out, D(x))
			}
		} else {
			for _, x := range tensors.MustCopyFlatData[int64](t) {
				out = append(out, D(x))
			}
		}
		return out, true
	}
	return nil, false
}
