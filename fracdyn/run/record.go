package run

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/fracdyn/fracdyn/fracdyn/arrayio"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
)

// Recorder writes the records of one training into a run directory: the
// config, one row of steps.csv and one row of each tracked-segment series
// per step, epochs.csv, the snapshots and the probe batch. It is the one
// recording path of fracdyn: Train uses it, and so does fracdyn/recorder,
// which attaches it to any GoMLX train.Loop.
//
// The step statistics are computed in the training step's own graph
// (StatsGraph, from the gradients the step computes anyway) and come back
// as one float32 vector that RecordStep files. Every file is written
// atomically; the series are rewritten whole at each Commit.
//
// A Recorder is not safe for concurrent use.
type Recorder struct {
	dir  string
	cfg  *Config
	plan *trackPlan

	// MaxLoss is the largest step loss RecordStep accepts; 0 means MaxLoss.
	MaxLoss float64

	layerNames         []string
	steps              []Step
	epochs             []EpochStats
	segNorms, segMeans []float32 // [len(steps), tracked]
}

// NewRecorder returns a recorder of a run described by cfg into dir. It
// plans the tracked segments from cfg.Layers, cfg.Track (Mode, R, Sample)
// and cfg.Seed, and fills cfg.Track's derived fields. It writes nothing:
// Create does.
func NewRecorder(dir string, cfg *Config) (*Recorder, error) {
	if dir == "" {
		return nil, errors.New("recorder: no run directory")
	}
	if len(cfg.Layers) == 0 {
		return nil, errors.New("recorder: the model has no dense or convolution layer to record")
	}
	if err := checkLayers(cfg.Layers); err != nil {
		return nil, fmt.Errorf("recorder: %w", err)
	}
	r := &Recorder{dir: dir, cfg: cfg}
	for _, l := range cfg.Layers {
		r.layerNames = append(r.layerNames, l.Name)
	}
	t := &cfg.Track
	r.plan = planTracking(cfg.Layers, t.Mode, t.R, t.Sample, cfg.Seed)
	if len(r.plan.segments) == 0 {
		return nil, fmt.Errorf("recorder: %s = %d is larger than every layer's kernel or matrix; nothing to track", ParamTrackR, t.R)
	}
	t.Segments = len(r.plan.segments)
	t.BytesPerStep = 2 * 4 * len(r.plan.segments)
	t.SkippedLayers = r.plan.skipped
	t.SeriesFile, t.MeanFile, t.IndexFile = SegmentsFile, SegmentsMeanFile, SegmentsIndex
	return r, nil
}

// Dir returns the run directory.
func (r *Recorder) Dir() string { return r.dir }

// Config returns the run's config (shared, not a copy).
func (r *Recorder) Config() *Config { return r.cfg }

// Tracked returns the tracked segments in column order.
func (r *Recorder) Tracked() []TrackedSegment { return r.plan.segments }

// Steps returns the steps recorded so far (shared, not a copy).
func (r *Recorder) Steps() []Step { return r.steps }

// Epochs returns the epochs committed so far (shared, not a copy).
func (r *Recorder) Epochs() []EpochStats { return r.epochs }

// StatsLen is the length of the vector StatsGraph returns:
// 2 + layers + 2·tracked.
func (r *Recorder) StatsLen() int { return 2 + len(r.cfg.Layers) + 2*len(r.plan.segments) }

// Create creates dir (and its snapshots directory) and removes the
// temporary files a killed write left. If dir holds a run, it checks that
// its config agrees with this one for a resume (an error names the first
// differing key) and returns true; the caller then calls Reload with the
// last finished epoch. Otherwise it refuses a non-empty directory, writes
// config.json and returns false.
func (r *Recorder) Create() (resume bool, err error) {
	dir := r.dir
	if err := os.MkdirAll(filepath.Join(dir, SnapshotsDir), 0o755); err != nil {
		return false, fmt.Errorf("creating run directory: %w", err)
	}
	removeStaleTemps(dir, filepath.Join(dir, SnapshotsDir))
	old, err := ReadConfig(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return false, fmt.Errorf("%s holds a run whose config cannot be read: %w", dir, err)
	}
	if old == nil {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if e.Name() != SnapshotsDir && e.Name()[0] != '.' {
				return false, fmt.Errorf("%s is not empty and holds no %s; refusing to write a run into it", dir, ConfigFile)
			}
		}
		return false, r.WriteConfig()
	}
	if err := r.cfg.checkResume(old); err != nil {
		return false, fmt.Errorf("%s: %w", dir, err)
	}
	return true, nil
}

// WriteConfig writes config.json.
func (r *Recorder) WriteConfig() error { return writeConfig(r.dir, r.cfg) }

// removeStaleTemps removes the temporary files (".NAME.tmp-*", see
// fsutil.WriteFileAtomic) that a process killed in the middle of a write
// left in dirs. Only one trainer may write a run directory at a time.
func removeStaleTemps(dirs ...string) {
	for _, d := range dirs {
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			if n := e.Name(); strings.HasPrefix(n, ".") && strings.Contains(n, ".tmp-") && !e.IsDir() {
				os.Remove(filepath.Join(d, n))
			}
		}
	}
}

// Reload reads back the records of epochs 1..last, drops any rows of a
// later, unfinished epoch, and rewrites config.json. Every epoch has
// cfg.StepsPerEpoch steps.
func (r *Recorder) Reload(last int) error {
	if err := r.reload(last); err != nil {
		return fmt.Errorf("resuming %s after epoch %d: %w", r.dir, last, err)
	}
	return r.WriteConfig()
}

func (r *Recorder) reload(last int) error {
	dir := r.dir
	r.steps, r.epochs, r.segNorms, r.segMeans = nil, nil, nil, nil
	if last <= 0 {
		return nil
	}
	want := last * r.cfg.StepsPerEpoch
	_, steps, err := readSteps(dir)
	if err != nil {
		return err
	}
	epochs, err := readEpochs(dir)
	if err != nil {
		return err
	}
	for _, s := range steps {
		if s.Epoch <= last {
			r.steps = append(r.steps, s)
		}
	}
	for _, e := range epochs {
		if e.Epoch <= last {
			r.epochs = append(r.epochs, e)
		}
	}
	if len(r.steps) != want || len(r.epochs) != last {
		return fmt.Errorf("%s has %d steps and %s %d epochs up to epoch %d, want %d and %d",
			StepsFile, len(r.steps), EpochsFile, len(r.epochs), last, want, last)
	}
	tracked := len(r.plan.segments)
	for _, f := range []struct {
		name string
		dst  *[]float32
	}{{SegmentsFile, &r.segNorms}, {SegmentsMeanFile, &r.segMeans}} {
		a, err := readNPYFloat32(filepath.Join(dir, f.name))
		if err != nil {
			return err
		}
		if len(a.Shape) != 2 || a.Shape[1] != tracked || a.Shape[0] < want {
			return fmt.Errorf("%s has shape %v, want at least [%d %d]", f.name, a.Shape, want, tracked)
		}
		*f.dst = append([]float32(nil), a.Data.([]float32)[:want*tracked]...)
	}
	return nil
}

// LayerGrad is the loss gradient of one layer's parameters, as stored in
// the model (the layer's Layout): Weight is required, Bias may be nil.
type LayerGrad struct{ Weight, Bias *Node }

// StatsGraph builds, in a training step's graph, the statistics RecordStep
// files, packed in one float32 vector of StatsLen():
//
//	[0]                      loss (the step's batch, before its update)
//	[1]                      ‖∇L‖₂ over the layers' weights and biases and others
//	[2 : 2+L]                ‖∇L‖₂ over each layer's weight and bias
//	[2+L : 2+L+T]            ‖∇L‖₂ over each tracked r×r weight segment
//	[2+L+T : 2+L+2T]         mean of ∇L over each tracked segment (signed)
//
// grads has one entry per layer of the config, in order; others are the
// gradients of trainable variables outside the layers (normalisation
// parameters, embeddings), which count in the global norm only.
func (r *Recorder) StatsGraph(loss *Node, grads []LayerGrad, others []*Node) *Node {
	if len(grads) != len(r.cfg.Layers) {
		panic(fmt.Sprintf("run: StatsGraph: %d layer gradients for %d layers", len(grads), len(r.cfg.Layers)))
	}
	f32 := func(x *Node) *Node { return ConvertDType(x, dtypes.Float32) }
	sumSq := func(x *Node) *Node { return ReduceAllSum(Square(f32(x))) }
	layerSq := make([]*Node, len(grads), len(grads)+len(others))
	weightGrads := map[string]*Node{}
	for i, l := range r.cfg.Layers {
		gw, gb := grads[i].Weight, grads[i].Bias
		weightGrads[l.Name] = f32(gw)
		if gb != nil {
			layerSq[i] = Add(sumSq(gw), sumSq(gb))
		} else {
			layerSq[i] = sumSq(gw)
		}
	}
	layerNorms := Sqrt(Stack(layerSq, 0))
	all := layerSq
	for _, o := range others {
		all = append(all, sumSq(o))
	}
	gradNorm := Sqrt(ReduceAllSum(Stack(all, 0)))
	segNorms, segMeans := segmentStats(r.plan, weightGrads)
	return Concatenate([]*Node{Reshape(f32(loss), 1), Reshape(gradNorm, 1), layerNorms, segNorms, segMeans}, 0)
}

// RecordStep files the statistics of one step (StatsGraph's vector) as
// step len(Steps())+1 of epoch. It returns an error wrapping ErrDiverged
// when the loss or the gradient norm is not finite or the loss exceeds
// MaxLoss; the step is recorded all the same, so that the series show it.
func (r *Recorder) RecordStep(epoch int, stats []float32) (Step, error) {
	L, T := len(r.cfg.Layers), len(r.plan.segments)
	if len(stats) != r.StatsLen() {
		return Step{}, fmt.Errorf("recorder: step statistics of length %d, want %d (2 + %d layers + 2·%d segments)", len(stats), r.StatsLen(), L, T)
	}
	s := Step{Epoch: epoch, Step: len(r.steps) + 1, LayerGradNorms: make(map[string]float64, L),
		Loss: float64(stats[0]), GradNorm: float64(stats[1])}
	for i, name := range r.layerNames {
		s.LayerGradNorms[name] = float64(stats[2+i])
	}
	r.steps = append(r.steps, s)
	r.segNorms = append(r.segNorms, stats[2+L:2+L+T]...)
	r.segMeans = append(r.segMeans, stats[2+L+T:]...)
	limit := r.MaxLoss
	if limit == 0 {
		limit = MaxLoss
	}
	if !isFinite(s.Loss) || !isFinite(s.GradNorm) || s.Loss > limit {
		return s, fmt.Errorf("epoch %d step %d: loss %g (limit %g), gradient norm %g: %w (try a lower learning rate); snapshots up to epoch %d are kept",
			epoch, s.Step, s.Loss, limit, s.GradNorm, ErrDiverged, epoch-1)
	}
	return s, nil
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// WriteSeries writes steps.csv, the tracked-segment series and their index.
func (r *Recorder) WriteSeries() error {
	if err := writeSteps(r.dir, r.layerNames, r.steps); err != nil {
		return err
	}
	tracked := len(r.plan.segments)
	if err := writeNPYFloat32(filepath.Join(r.dir, SegmentsFile), r.segNorms, len(r.steps), tracked); err != nil {
		return err
	}
	if err := writeNPYFloat32(filepath.Join(r.dir, SegmentsMeanFile), r.segMeans, len(r.steps), tracked); err != nil {
		return err
	}
	return writeSegmentsIndex(r.dir, r.plan.segments)
}

// Commit appends e (when not nil) to the epochs and writes the series and
// epochs.csv. Snapshot and, for Train, the checkpoint come after it.
func (r *Recorder) Commit(e *EpochStats) error {
	if e != nil {
		r.epochs = append(r.epochs, *e)
	}
	if err := r.WriteSeries(); err != nil {
		return err
	}
	return writeEpochs(r.dir, r.epochs)
}

// Param is one layer parameter of a snapshot: its values as the model
// stores them and its loss gradient on the probe batch.
type Param struct {
	Layer string // layer name
	Part  string // "weight" or "bias"
	Shape []int  // stored shape
	Value []float32
	Grad  []float32
}

// Activation is one layer's activation map in a snapshot: the mean over
// the probe batch of the layer's output, in the canonical order of its
// weights.Layer.OutShape (conv [C,H,W], dense [N]), the A of α = A·FD·H.
type Activation struct {
	Layer string // layer name
	Shape []int  // the layer's OutShape
	Mean  []float32
}

// WriteSnapshot writes snapshots/epoch-NNN.npz: every param as
// "LAYER.PART" and its gradient as "LAYER.PART.grad", in the order given,
// then each activation map as "LAYER.activation" (ActivationSuffix) and
// the probe-batch loss "loss" float32 [1].
func (r *Recorder) WriteSnapshot(epoch int, params []Param, acts []Activation, probeLoss float32) error {
	var names []string
	arrays := map[string]*arrayio.Array{}
	for _, p := range params {
		name := stateName(p.Layer, p.Part)
		if len(p.Value) != len(p.Grad) || len(p.Value) != shapeSize(p.Shape) {
			return fmt.Errorf("%s: %d values and %d gradients for shape %v", name, len(p.Value), len(p.Grad), p.Shape)
		}
		names = append(names, name, name+GradSuffix)
		arrays[name] = arrayio.FromFloat32(p.Value, p.Shape...)
		arrays[name+GradSuffix] = arrayio.FromFloat32(p.Grad, p.Shape...)
	}
	for _, a := range acts {
		name := a.Layer + ActivationSuffix
		if len(a.Mean) != shapeSize(a.Shape) {
			return fmt.Errorf("%s: %d values for shape %v", name, len(a.Mean), a.Shape)
		}
		names = append(names, name)
		arrays[name] = arrayio.FromFloat32(a.Mean, a.Shape...)
	}
	names = append(names, LossEntry)
	arrays[LossEntry] = arrayio.FromFloat32([]float32{probeLoss}, 1)
	return arrayio.WriteNPZ(filepath.Join(r.dir, SnapshotsDir, snapshotName(epoch)), names, arrays)
}

// WriteProbe writes probe.npz ("images" float32 [P, ...], "labels" int32
// [P]) unless it exists with the same content.
func (r *Recorder) WriteProbe(images []float32, imageShape []int, labels []int32) error {
	path := filepath.Join(r.dir, ProbeFile)
	if _, err := os.Stat(path); err == nil {
		_, arrays, err := arrayio.ReadNPZ(path)
		if err == nil && arrays["images"] != nil && arrays["labels"] != nil &&
			equalF32(arrays["images"].Float32s(), images) && equalI32(arrays["labels"], labels) {
			return nil
		}
	}
	return arrayio.WriteNPZ(path, []string{"images", "labels"}, map[string]*arrayio.Array{
		"images": arrayio.FromFloat32(images, imageShape...),
		"labels": arrayio.FromInt32(labels, len(labels)),
	})
}

func equalF32(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

func equalI32(a *arrayio.Array, b []int32) bool {
	v, ok := a.Data.([]int32)
	if !ok || len(v) != len(b) {
		return false
	}
	for i := range v {
		if v[i] != b[i] {
			return false
		}
	}
	return true
}
