package run

import (
	gocontext "context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/fracdyn/fracdyn/fracdyn/model"
	"github.com/fracdyn/fracdyn/internal/progress"
	"github.com/fracdyn/fracdyn/mnist"
	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// ErrDiverged is wrapped by the error Train returns when a step's loss or
// gradient norm is not finite.
var ErrDiverged = errors.New("training diverged")

// MaxLoss is the largest minibatch loss training accepts. A cross-entropy of
// 10⁴ nats is over four thousand times that of a uniform guess over 10
// classes: no run that learns passes it, while a diverging one (Adam at
// lr 10) can grow its loss to 10¹⁰ without ever producing a NaN.
const MaxLoss = 1e4

// Options configure Train.
type Options struct {
	// Out is the run directory. It is created if missing; if it holds a run
	// (config.json), training resumes after its last finished epoch.
	Out string
	// Params holds the hyperparameters: NewContext(preset) plus overrides.
	// It also becomes the model's context. nil means NewContext("paper").
	Params *context.Context
	// Data is the dataset, from LoadData (or mnist.Load with the same
	// dataset, seed and eval_images).
	Data *mnist.Data
	// Backend runs the graphs; nil means backend.New().
	Backend backends.Backend
	// Log receives progress and one line per epoch; nil is silent.
	Log io.Writer
	// OnStep, if set, is called after every step with its record.
	OnStep func(Step)
}

// LoadData loads the dataset the hyperparameters in params name
// (ParamDataset, ParamSeed, ParamEvalImages) from dir (see mnist.Load for
// the search order).
func LoadData(ctx gocontext.Context, params *context.Context, dir string, download bool, log io.Writer) (*mnist.Data, error) {
	c, err := hyperFromContext(params)
	if err != nil {
		return nil, err
	}
	return mnist.Load(ctx, mnist.Options{Dir: dir, Dataset: c.Dataset, Download: download,
		Seed: c.Seed, EvalImages: c.EvalImages, Progress: log})
}

// evalBatchSize is the number of held-out images evaluated per graph call.
const evalBatchSize = 250

// trainer holds the state of one call to Train.
type trainer struct {
	opts    Options
	cfg     *Config
	spec    *modelSpec
	rec     *Recorder
	ctx     *context.Context
	backend backends.Backend
	log     io.Writer
	bar     progress.Reporter // while epochs run; nil before

	stepExec, probeExec, evalExec *context.Exec
	probeImages                   *tensors.Tensor
	probeLabels                   *tensors.Tensor
}

// Train trains the model the hyperparameters describe and writes the run
// directory opts.Out (see the package documentation for its files). It
// resumes a run already in opts.Out when its configuration agrees. It
// returns the finished run; on error, files written so far stay
// consistent and readable.
func Train(ctx gocontext.Context, opts Options) (*Run, error) {
	t, startEpoch, err := newTrainer(opts)
	if err != nil {
		return nil, err
	}
	if err := t.loop(ctx, startEpoch); err != nil {
		return nil, err
	}
	return Open(opts.Out)
}

func newTrainer(opts Options) (*trainer, int, error) {
	if opts.Out == "" {
		return nil, 0, errors.New("train: no output directory")
	}
	if opts.Data == nil || opts.Data.Train == nil || opts.Data.Eval == nil {
		return nil, 0, errors.New("train: no data")
	}
	if opts.Params == nil {
		p, err := NewContext("paper")
		if err != nil {
			return nil, 0, err
		}
		opts.Params = p
	}
	if opts.Backend == nil {
		b, err := backend.New()
		if err != nil {
			return nil, 0, err
		}
		opts.Backend = b
	}
	// fracdyn's training uses the wrapper's DotGeneral gradient on the
	// pure-Go backend (two GEMMs, not GoMLX's batch×n×m×k product).
	backend.EnableDotGeneralGradient(opts.Backend)
	log := opts.Log
	if log == nil {
		log = io.Discard
	}
	cfg, err := hyperFromContext(opts.Params)
	if err != nil {
		return nil, 0, fmt.Errorf("train: %w", err)
	}
	arch, err := model.ParseArch(cfg.Arch)
	if err != nil {
		return nil, 0, fmt.Errorf("train: %s: %w", ParamArch, err)
	}
	cfg.Arch = string(arch)
	if opts.Data.Dataset != "" && opts.Data.Dataset != cfg.Dataset {
		return nil, 0, fmt.Errorf("train: data is %q but %s is %q", opts.Data.Dataset, ParamDataset, cfg.Dataset)
	}
	t := &trainer{opts: opts, cfg: &cfg, spec: specFor(arch), ctx: opts.Params, backend: opts.Backend, log: log}
	if err := t.fillConfig(); err != nil {
		return nil, 0, err
	}
	start, err := t.prepareDir()
	if err != nil {
		return nil, 0, err
	}
	if err := t.buildExecs(); err != nil {
		return nil, 0, err
	}
	return t, start, nil
}

// fillConfig completes the config from the data, the model and the backend.
func (t *trainer) fillConfig() error {
	c, d := t.cfg, t.opts.Data
	n := d.Train.N
	if c.EpochImages == 0 || c.EpochImages > n {
		c.EpochImages = n
	}
	c.StepsPerEpoch = c.EpochImages / c.BatchSize
	if c.StepsPerEpoch < 1 {
		return fmt.Errorf("train: %d training images per epoch is less than one batch of %d", c.EpochImages, c.BatchSize)
	}
	c.EpochImages = c.StepsPerEpoch * c.BatchSize
	if c.ProbeSize > n {
		return fmt.Errorf("train: probe of %d images but only %d training images", c.ProbeSize, n)
	}
	c.Data = DataInfo{Dir: d.Dir, Partial: d.Partial, Notes: d.Notes, TrainImages: d.Train.N, EvalImages: d.Eval.N}
	for _, f := range append(slices.Clone(d.Train.Files), d.Eval.Files...) {
		if !slices.Contains(c.Data.Files, f) {
			c.Data.Files = append(c.Data.Files, f)
		}
	}
	c.EvalImages = d.Eval.N
	c.Layers = t.spec.layers
	c.Backend = backend.Describe(t.backend)
	c.SetBuildInfo()
	rec, err := NewRecorder(t.opts.Out, c)
	if err != nil {
		return errors.New("train: " + strings.TrimPrefix(err.Error(), "recorder: "))
	}
	t.rec = rec
	return nil
}

// prepareDir creates or checks the run directory, and for a resume reloads
// the finished epochs' records and the checkpoint. It returns the last
// finished epoch (-1 for a fresh run: epoch 0 is the snapshot before any
// step, written by loop).
func (t *trainer) prepareDir() (int, error) {
	seed := t.cfg.Seed
	t.ctx.SetParam(context.ParamInitialSeed, seed)
	if err := t.ctx.SetRNGStateFromSeed(seed); err != nil {
		return 0, fmt.Errorf("train: seeding: %w", err)
	}
	resume, err := t.rec.Create()
	if err != nil {
		return 0, fmt.Errorf("train: %w", err)
	}
	if !resume {
		return -1, nil
	}
	last, err := t.loadCheckpoint()
	if err != nil {
		return 0, err
	}
	if last < 0 {
		// Interrupted before epoch 0 was committed: start afresh.
		return -1, t.rec.WriteConfig()
	}
	if err := t.rec.Reload(last); err != nil {
		return 0, fmt.Errorf("train: %w", err)
	}
	fmt.Fprintf(t.log, "resuming %s after epoch %d\n", t.opts.Out, last)
	return last, nil
}

// buildExecs builds the step, probe and evaluation executors and the probe
// batch, writing probe.npz if missing.
func (t *trainer) buildExecs() error {
	var err error
	t.stepExec, err = context.NewExec(t.backend, t.ctx, func(ctx *context.Context, images, labels *Node) []*Node {
		return t.spec.trainStep(ctx, t.rec, images, labels)
	})
	if err != nil {
		return fmt.Errorf("train: building the training step: %w", err)
	}
	t.probeExec, err = context.NewExec(t.backend, t.ctx, t.spec.probeGradients)
	if err != nil {
		return fmt.Errorf("train: building the probe gradients: %w", err)
	}
	t.evalExec, err = context.NewExec(t.backend, t.ctx, t.spec.evalBatch)
	if err != nil {
		return fmt.Errorf("train: building the evaluation: %w", err)
	}
	d := t.opts.Data.Train
	images, labels, _, err := mnist.Probe(d, t.cfg.ProbeSize, t.cfg.Seed)
	if err != nil {
		return fmt.Errorf("train: probe batch: %w", err)
	}
	t.probeImages = tensors.FromFlatDataAndDimensions(images, t.cfg.ProbeSize, d.Rows, d.Cols)
	t.probeLabels = tensors.FromFlatDataAndDimensions(labels, t.cfg.ProbeSize)
	if err := t.rec.WriteProbe(images, []int{t.cfg.ProbeSize, d.Rows, d.Cols}, labels); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	return nil
}

// loop trains epochs after start (−1: nothing done yet, so epoch 0's
// snapshot comes first).
func (t *trainer) loop(ctx gocontext.Context, start int) error {
	c := t.cfg
	fmt.Fprintf(t.log, "train: %s on %s (%d train, %d eval images%s), %d epochs × %d steps of %d, backend %s\n",
		c.Arch, c.Dataset, c.Data.TrainImages, c.Data.EvalImages, partialWord(c.Data.Partial),
		c.Epochs, c.StepsPerEpoch, c.BatchSize, c.Backend)
	if start < 0 {
		if err := t.finishEpoch(ctx, 0, 0, time.Now()); err != nil {
			return err
		}
		start = 0
	}
	if start >= c.Epochs {
		fmt.Fprintf(t.log, "train: all %d epochs already done\n", c.Epochs)
		return nil
	}
	bar := progress.New(t.log, progress.Options{Title: "train", Total: (c.Epochs - start) * c.StepsPerEpoch, Unit: "steps"})
	t.bar = bar
	defer func() { t.bar = nil }()
	batches, err := mnist.NewBatches("train", t.opts.Data.Train, mnist.BatchOptions{BatchSize: c.BatchSize, Shuffle: true, Seed: c.Seed})
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	done := 0
	acc := math.NaN()
	for epoch := start + 1; epoch <= c.Epochs; epoch++ {
		began := time.Now()
		batches.SetEpoch(epoch - 1)
		var lossSum float64
		for s := 0; s < c.StepsPerEpoch; s++ {
			if err := ctx.Err(); err != nil {
				bar.Done("interrupted")
				return t.abort(fmt.Errorf("train: stopped in epoch %d before step %d: %w", epoch, len(t.rec.Steps())+1, err))
			}
			images, labels, ok := batches.Next()
			if !ok {
				return fmt.Errorf("train: epoch %d ran out of batches at step %d", epoch, s)
			}
			step, err := t.step(epoch, images, labels)
			if err != nil {
				bar.Done("failed")
				return t.abort(err)
			}
			lossSum += step.Loss
			done++
			status := fmt.Sprintf("epoch %d/%d loss %.4f", epoch, c.Epochs, step.Loss)
			if !math.IsNaN(acc) {
				status += fmt.Sprintf(" acc %.2f%%", 100*acc)
			}
			bar.Update(done, status)
			if t.opts.OnStep != nil {
				t.opts.OnStep(step)
			}
		}
		if err := t.finishEpoch(ctx, epoch, lossSum/float64(c.StepsPerEpoch), began); err != nil {
			bar.Done("failed")
			return err
		}
		epochs := t.rec.Epochs()
		acc = epochs[len(epochs)-1].EvalAccuracy
	}
	epochs := t.rec.Epochs()
	last := epochs[len(epochs)-1]
	bar.Done(fmt.Sprintf("eval loss %.4f acc %.2f%%", last.EvalLoss, 100*last.EvalAccuracy))
	return nil
}

func partialWord(p bool) string {
	if p {
		return ", PARTIAL: split of the 10k test set"
	}
	return ""
}

// step runs one training step and records it.
func (t *trainer) step(epoch int, images []float32, labels []int32) (Step, error) {
	d := t.opts.Data.Train
	b := t.cfg.BatchSize
	out, err := t.stepExec.Exec(tensors.FromFlatDataAndDimensions(images, b, d.Rows, d.Cols),
		tensors.FromFlatDataAndDimensions(labels, b))
	if err != nil {
		return Step{}, fmt.Errorf("train: epoch %d step %d: %w", epoch, len(t.rec.Steps())+1, err)
	}
	defer finalize(out)
	s, err := t.rec.RecordStep(epoch, tensors.MustCopyFlatData[float32](out[0]))
	if err != nil {
		return s, fmt.Errorf("train: %w", err)
	}
	return s, nil
}

func finalize(ts []*tensors.Tensor) {
	for _, t := range ts {
		_ = t.FinalizeAll()
	}
}

// abort writes the steps recorded so far (with their tracked segments) and
// returns cause, or the write error joined to it.
func (t *trainer) abort(cause error) error {
	if err := t.rec.WriteSeries(); err != nil {
		return errors.Join(cause, err)
	}
	return cause
}

// finishEpoch evaluates, then writes in order the step records, epochs.csv,
// the snapshot and last the checkpoint, which commits the epoch for resume.
func (t *trainer) finishEpoch(ctx gocontext.Context, epoch int, trainLoss float64, began time.Time) error {
	wrap := func(err error) error { return fmt.Errorf("train: epoch %d: %w", epoch, err) }
	var stats *EpochStats
	if epoch > 0 {
		evalLoss, acc, err := t.evaluate(ctx)
		if err != nil {
			return t.abort(wrap(err))
		}
		e := EpochStats{Epoch: epoch, TrainLoss: trainLoss, EvalLoss: evalLoss, EvalAccuracy: acc,
			WallSeconds: time.Since(began).Seconds()}
		stats = &e
		t.say(fmt.Sprintf("epoch %d/%d: train loss %.4f, eval loss %.4f, eval accuracy %.2f%%, %.1fs",
			epoch, t.cfg.Epochs, e.TrainLoss, e.EvalLoss, 100*e.EvalAccuracy, e.WallSeconds))
	}
	if err := t.rec.Commit(stats); err != nil {
		return wrap(err)
	}
	if err := t.writeSnapshot(epoch); err != nil {
		return wrap(err)
	}
	if err := t.saveCheckpoint(epoch); err != nil {
		return wrap(err)
	}
	return nil
}

// say writes a line to the log, above the progress bar if one is shown.
func (t *trainer) say(line string) {
	if t.bar != nil && t.log != io.Discard {
		t.bar.Log(line)
		return
	}
	fmt.Fprintln(t.log, line)
}

// evaluate returns the mean cross-entropy and the accuracy on the eval set.
func (t *trainer) evaluate(ctx gocontext.Context) (loss, accuracy float64, err error) {
	d := t.opts.Data.Eval
	var lossSum, correct float64
	for lo := 0; lo < d.N; lo += evalBatchSize {
		if err := ctx.Err(); err != nil {
			return 0, 0, fmt.Errorf("stopped while evaluating: %w", err)
		}
		hi := min(lo+evalBatchSize, d.N)
		idx := make([]int, hi-lo)
		for i := range idx {
			idx[i] = lo + i
		}
		out, err := t.evalExec.Exec(tensors.FromFlatDataAndDimensions(d.Float32Images(idx), len(idx), d.Rows, d.Cols),
			tensors.FromFlatDataAndDimensions(d.Int32Labels(idx), len(idx)))
		if err != nil {
			return 0, 0, fmt.Errorf("evaluating: %w", err)
		}
		lossSum += float64(tensors.MustCopyFlatData[float32](out[0])[0])
		correct += float64(tensors.MustCopyFlatData[float32](out[1])[0])
		finalize(out)
	}
	return lossSum / float64(d.N), correct / float64(d.N), nil
}
