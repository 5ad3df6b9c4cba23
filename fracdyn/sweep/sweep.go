// Package sweep trains one short run per learning rate (preset "quick" by
// default: the paper CNN and Adam, a few epochs of a few thousand images),
// analyses each with fracdyn/dynamics, and tabulates the whole-run
// attractor classes per learning rate in sweep.csv ("fracdyn sweep"). It
// is the simplest honest form of the paper's roadmap item "dissipative or
// conservative behaviour under hyperparameter sampling": one seed per rate
// and short runs, so the table shows tendencies, not statistics.
package sweep

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"github.com/fracdyn/fracdyn/fracdyn/attractor"
	"github.com/fracdyn/fracdyn/fracdyn/dynamics"
	"github.com/fracdyn/fracdyn/fracdyn/run"
	"github.com/fracdyn/fracdyn/internal/fsutil"
	"github.com/fracdyn/fracdyn/mnist"
	"github.com/gomlx/gomlx/backends"
)

// File is the table Run writes in its output directory.
const File = "sweep.csv"

// Options configure Run.
type Options struct {
	// Out is the parent directory; the run of learning rate η goes to
	// Out/lr-η (an existing run there is resumed, so a sweep can be
	// continued).
	Out           string
	LearningRates []float64
	// Preset and Settings ("key=value;…", see run.SetParams) give every
	// run's other hyperparameters; the preset defaults to "quick".
	Preset, Settings string
	Data             *mnist.Data // from run.LoadData
	Backend          backends.Backend
	Table            dynamics.TableOptions // how each run is analysed
	Log              io.Writer             // progress; nil is silent
}

// Result is one learning rate of a sweep.
type Result struct {
	LearningRate float64
	Dir          string
	Diverged     bool           // training stopped on a non-finite loss
	EvalAccuracy float64        // after the last finished epoch; NaN if none
	Rows         []dynamics.Row // the run's attractor table
	Counts       map[attractor.Class]int
	Failed       int    // whole-run trajectories that could not be analysed
	LossClass    string // class of the loss trajectory ("" if not analysed)
	LossLyapunov float64
}

// Run trains one run per learning rate, analyses each run's trajectories
// (writing its analysis/attractors.csv) and writes Out/sweep.csv, the
// attractor classes per learning rate: the paper's roadmap question of
// dissipative or conservative behaviour under hyperparameter sampling, in
// its simplest form. A run that diverges is kept and analysed up to its
// last finite step.
func Run(ctx context.Context, o Options) ([]Result, error) {
	if len(o.LearningRates) == 0 {
		return nil, errors.New("sweep: no learning rates")
	}
	if o.Out == "" {
		return nil, errors.New("sweep: no output directory")
	}
	if o.Preset == "" {
		o.Preset = "quick"
	}
	if o.Table.Progress == nil {
		o.Table.Progress = o.Log
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	var results []Result
	for _, lr := range o.LearningRates {
		if !(lr > 0) {
			return nil, fmt.Errorf("sweep: learning rate %v is not positive", lr)
		}
		params, err := run.NewContext(o.Preset)
		if err != nil {
			return nil, fmt.Errorf("sweep: %w", err)
		}
		if err := run.SetParams(params, o.Settings); err != nil {
			return nil, fmt.Errorf("sweep: %w", err)
		}
		params.SetParam(run.ParamLearningRate, lr)
		dir := filepath.Join(o.Out, "lr-"+strconv.FormatFloat(lr, 'g', -1, 64))
		if o.Log != nil {
			fmt.Fprintf(o.Log, "sweep: learning rate %g → %s\n", lr, dir)
		}
		res := Result{LearningRate: lr, Dir: dir, EvalAccuracy: nanValue()}
		r, err := run.Train(ctx, run.Options{Out: dir, Params: params, Data: o.Data, Backend: o.Backend, Log: o.Log})
		switch {
		case errors.Is(err, run.ErrDiverged):
			res.Diverged = true
			if r, err = run.Open(dir); err != nil {
				return results, fmt.Errorf("sweep: learning rate %g: %w", lr, err)
			}
		case err != nil:
			return results, fmt.Errorf("sweep: learning rate %g: %w", lr, err)
		}
		if stats, err := r.EpochStats(); err == nil && len(stats) > 0 {
			res.EvalAccuracy = stats[len(stats)-1].EvalAccuracy
		}
		rows, err := dynamics.AnalyzeRun(ctx, r, o.Table)
		if err != nil {
			return results, fmt.Errorf("sweep: learning rate %g: %w", lr, err)
		}
		if err := os.MkdirAll(filepath.Join(dir, "analysis"), 0o755); err != nil {
			return results, fmt.Errorf("sweep: %w", err)
		}
		if err := dynamics.WriteTable(filepath.Join(dir, "analysis", dynamics.AttractorsFile), rows); err != nil {
			return results, err
		}
		res.Rows, res.Counts = rows, dynamics.ClassCounts(rows)
		for _, row := range rows {
			if row.Window != 0 {
				continue
			}
			if row.Result == nil {
				res.Failed++
			} else if row.Kind == dynamics.KindLoss {
				res.LossClass, res.LossLyapunov = string(row.Result.Class), row.Result.Lyapunov
			}
		}
		results = append(results, res)
		if err := WriteTable(filepath.Join(o.Out, File), results); err != nil {
			return results, err
		}
	}
	return results, nil
}

func nanValue() float64 { return math.NaN() }

// WriteTable writes one line per learning rate: the run, whether it
// diverged, its final accuracy, the loss's class and exponent, and the
// number of whole-run trajectories in each attractor class.
func WriteTable(path string, results []Result) error {
	return fsutil.WriteFileAtomic(path, func(w io.Writer) error {
		fmt.Fprint(w, "learning_rate,run,diverged,eval_accuracy,loss_class,loss_lyapunov")
		for _, c := range attractor.Classes() {
			fmt.Fprintf(w, ",%s", c)
		}
		fmt.Fprintln(w, ",failed")
		for _, r := range results {
			fmt.Fprintf(w, "%s,%s,%t,%s,%s,%s", strconv.FormatFloat(r.LearningRate, 'g', -1, 64),
				filepath.Base(r.Dir), r.Diverged, num(r.EvalAccuracy), r.LossClass, num(r.LossLyapunov))
			for _, c := range attractor.Classes() {
				fmt.Fprintf(w, ",%d", r.Counts[c])
			}
			if _, err := fmt.Fprintf(w, ",%d\n", r.Failed); err != nil {
				return err
			}
		}
		return nil
	})
}

func num(x float64) string { return strconv.FormatFloat(x, 'g', 6, 64) }
