package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/fracdyn/fracdyn/fracdyn/attractor"
	"github.com/fracdyn/fracdyn/fracdyn/dynamics"
	"github.com/fracdyn/fracdyn/fracdyn/run"
	"github.com/fracdyn/fracdyn/fracdyn/shard"
	"github.com/fracdyn/fracdyn/fracdyn/sweep"
)

func init() {
	register(&command{
		name:    "sweep",
		args:    "--out DIR",
		summary: "train short runs over learning rates and tabulate their attractor classes",
		run:     runSweep,
	})
}

const sweepHelp = `
Trains one run per learning rate into DIR/lr-<rate> (an existing run there
is resumed), analyses each run's loss, gradient norms and a sample of its
tracked segments (written to DIR/lr-<rate>/analysis/attractors.csv), and
writes DIR/sweep.csv: per learning rate, whether training diverged, the
final accuracy, the loss's attractor class and exponent, and how many
trajectories fell in each class. One seed per rate: tendencies, not
statistics.

Examples:
  fracdyn sweep --out runs/sweep --lr 6e-4,3e-3,2e-2
  fracdyn sweep --out runs/sweep-adam --lr 6e-4,0.05 --epochs 8 --set "epoch_images=6400"
`

func runSweep(ctx context.Context, args []string) error {
	c := commands["sweep"]
	fs := newFlagSet(c)
	out := fs.String("out", "", "parent directory of the runs (required)")
	lrs := fs.String("lr", "6e-4,3e-3,2e-2", "comma-separated Adam learning rates")
	preset := fs.String("preset", "quick", "hyperparameter preset of every run: "+presetNames())
	settings := fs.String("set", "", `further hyperparameters as "key=value;key=value" (see fracdyn train -h)`)
	epochs := fs.Int("epochs", 0, "epochs per run (default: the preset's)")
	arch := fs.String("arch", "", "model (default: the preset's, cnn): "+archNames())
	seed := fs.Int("seed", 0, "seed of every run (default: the preset's, 1)")
	dataDir := fs.String("data", "", "directory holding the IDX files (default: $FRACDYN_DATA, then the user cache)")
	download := fs.Bool("download", false, "download missing dataset files")
	perLayer := fs.Int("per-layer", 8, "tracked segments analysed per layer (-1: all)")
	windows := fs.Int("windows", 4, "epoch windows each trajectory is also analysed in (-1: none)")
	shardFlag := fs.String("shard", "", `do shard K/N of the learning rates (K from 0): the rates i with i mod N = K, `+
		`into DIR/shards/K-of-N for "fracdyn merge DIR"; "auto/N" or "auto" read K (and N) from `+
		`$JOB_COMPLETION_INDEX or $SLURM_ARRAY_TASK_ID (and $SLURM_ARRAY_TASK_COUNT)`)
	defaultUsage := fs.Usage
	fs.Usage = func() {
		defaultUsage()
		fmt.Fprint(fs.Output(), sweepHelp)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := wantArgs(fs.Args(), 0, "no arguments"); err != nil {
		return err
	}
	if *out == "" {
		return usageErrorf("--out DIR is required")
	}
	var rates []float64
	for _, f := range strings.Split(*lrs, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || !(v > 0) {
			return usageErrorf("--lr: %q is not a positive number", f)
		}
		rates = append(rates, v)
	}
	spec, err := shard.Parse(*shardFlag, os.Getenv)
	if err != nil {
		return usageErrorf("%v", err)
	}
	dir, items := *out, make([]string, len(rates))
	var owned []float64
	for i, lr := range rates {
		items[i] = strconv.FormatFloat(lr, 'g', -1, 64)
		if spec.Owns(i) {
			owned = append(owned, lr)
		}
	}
	if spec.Active() {
		dir = spec.Dir(*out)
	}
	// Flags become settings after --set, so they win, as in fracdyn train.
	extra := []string{*settings}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "epochs":
			extra = append(extra, fmt.Sprintf("%s=%d", run.ParamEpochs, *epochs))
		case "arch":
			extra = append(extra, fmt.Sprintf("%s=%s", run.ParamArch, *arch))
		case "seed":
			extra = append(extra, fmt.Sprintf("%s=%d", run.ParamSeed, *seed))
		}
	})
	all := strings.Join(extra, ";")
	params, err := run.NewContext(*preset)
	if err != nil {
		return usageErrorf("%v", err)
	}
	if err := run.SetParams(params, all); err != nil {
		return usageErrorf("%v", err)
	}
	b, data, err := backendAndData(ctx, params, *dataDir, *download)
	if err != nil {
		return err
	}
	start := time.Now()
	var res []sweep.Result
	if len(owned) > 0 {
		res, err = sweep.Run(ctx, sweep.Options{Out: dir, LearningRates: owned, Preset: *preset,
			Settings: all, Data: data, Backend: b, Log: os.Stderr,
			Table: dynamics.TableOptions{PerLayer: *perLayer, Windows: *windows}})
	} else {
		// A shard with no rate (N above the number of rates) writes an empty table.
		if err = os.MkdirAll(dir, 0o755); err == nil {
			err = sweep.WriteTable(filepath.Join(dir, sweep.File), nil)
		}
	}
	if err != nil {
		return err
	}
	if spec.Active() {
		m := shard.Manifest{Command: "sweep", Index: spec.Index, Count: spec.Count, Items: items,
			Tables: []shard.Table{{File: sweep.File, Key: "learning_rate"}}, Files: map[string]string{}}
		for _, it := range items {
			m.Files["lr-"+it] = it
		}
		if err := shard.WriteManifest(dir, m); err != nil {
			return err
		}
	}
	fmt.Printf("%-10s %-9s %-8s %-15s %-12s", "lr", "diverged", "accuracy", "loss class", "loss λ/step")
	for _, cl := range attractor.Classes() {
		fmt.Printf(" %14s", cl)
	}
	fmt.Println()
	for _, r := range res {
		fmt.Printf("%-10g %-9t %-8.4f %-15s %-12.4g", r.LearningRate, r.Diverged, r.EvalAccuracy, r.LossClass, r.LossLyapunov)
		for _, cl := range attractor.Classes() {
			fmt.Printf(" %14d", r.Counts[cl])
		}
		fmt.Println()
	}
	fmt.Fprintf(os.Stderr, "wrote %s in %s\n", filepath.Join(dir, sweep.File), time.Since(start).Round(time.Second))
	return nil
}
