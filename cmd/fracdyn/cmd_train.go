package main

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/fracdyn/fracdyn/fracdyn/model"
	"github.com/fracdyn/fracdyn/fracdyn/run"
	"github.com/fracdyn/fracdyn/mnist"
)

func init() {
	register(&command{
		name:    "train",
		args:    "--out DIR",
		summary: "train the paper's CNN (or another model) with per-epoch snapshots and per-step gradient records",
		run:     runTrain,
	})
}

const trainHelp = `
Trains a model on MNIST or Fashion-MNIST with Adam and writes a run
directory that the analysis commands read:

  config.json              every hyperparameter, seed, data files, backend, versions
  steps.csv                epoch,step,loss,grad_norm,grad_norm_<layer>... per step
  epochs.csv               epoch,train_loss,eval_loss,eval_accuracy,wall_seconds
  snapshots/epoch-NNN.npz  weights ("conv1.weight") and probe-batch gradients
                           ("conv1.weight.grad"); epoch 000 is before training
  probe.npz                the fixed probe batch (images, labels)
  steps-segments.npy       float32 [steps, tracked]: gradient norm per tracked segment
  steps-segments-mean.npy  the same with the signed mean of the segment's gradient
  segments-index.csv       column,layer,neuron,channel,row,col,r of each tracked segment
  checkpoints/epoch-NNN/   GoMLX checkpoint of the last finished epoch

Running again with the same --out resumes after the last finished epoch
(the settings must agree; --epochs may grow). Ctrl-C stops at a step
boundary and leaves the directory ready to resume.

Presets (--preset):
%s
Settings apply in order: preset, then --set, then the other flags.
Hyperparameters for --set "key=value;key=value" (defaults are the paper's):
  %s

Data: --data DIR, else $FRACDYN_DATA, else the user cache; with only the
10k MNIST test files present, they are split into train and eval sets and
the run is marked partial.

Examples:
  fracdyn train --data ../shared/data/mnist --preset quick --out runs/quick
  fracdyn train --preset paper --arch cnn-pool --seed 2 --out runs/pool
  fracdyn train --preset quick --set "learning_rate=0.001;probe_size=32" --out runs/lr1e-3
`

func runTrain(ctx context.Context, args []string) error {
	c := commands["train"]
	fs := newFlagSet(c)
	out := fs.String("out", "", "run directory to write (required); an existing run there is resumed")
	dataDir := fs.String("data", "", "directory holding the IDX files (default: $FRACDYN_DATA, then the user cache)")
	download := fs.Bool("download", false, "download missing dataset files")
	preset := fs.String("preset", "quick", "hyperparameter preset: "+presetNames())
	dataset := fs.String("dataset", "mnist", "dataset: "+strings.Join(mnist.Datasets(), ", "))
	arch := fs.String("arch", "cnn", "model: "+archNames())
	epochs := fs.Int("epochs", 0, "epochs to train (default: the preset's)")
	lr := fs.Float64("lr", 0, "Adam learning rate (default: the preset's, 6e-4)")
	batch := fs.Int("batch", 0, "batch size (default: the preset's, 64)")
	seed := fs.Int("seed", 1, "seed of initialisation, data order, probe batch and segment sample")
	track := fs.String("track", "default", `tracked segments: "default" (all of conv1, a seeded sample of each other layer) or "all"`)
	trackR := fs.Int("track-r", 2, "segment size r of the tracked segments")
	settings := fs.String("set", "", `hyperparameters as "key=value;key=value" (see below)`)
	defaultUsage := fs.Usage
	fs.Usage = func() {
		defaultUsage()
		fmt.Fprintf(fs.Output(), trainHelp, presetLines(), strings.Join(paramLines(), "\n  "))
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
	params, err := run.NewContext(*preset)
	if err != nil {
		return usageErrorf("%v", err)
	}
	if err := run.SetParams(params, *settings); err != nil {
		return usageErrorf("--set: %v", err)
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "dataset":
			params.SetParam(run.ParamDataset, *dataset)
		case "arch":
			params.SetParam(run.ParamArch, *arch)
		case "epochs":
			params.SetParam(run.ParamEpochs, *epochs)
		case "lr":
			params.SetParam(run.ParamLearningRate, *lr)
		case "batch":
			params.SetParam(run.ParamBatchSize, *batch)
		case "seed":
			params.SetParam(run.ParamSeed, *seed)
		case "track":
			params.SetParam(run.ParamTrack, *track)
		case "track-r":
			params.SetParam(run.ParamTrackR, *trackR)
		}
	})
	if a, _ := params.GetParam(run.ParamArch); a != nil {
		if _, err := model.ParseArch(fmt.Sprint(a)); err != nil {
			return usageErrorf("--arch: %v", err)
		}
	}

	b, data, err := backendAndData(ctx, params, *dataDir, *download)
	if err != nil {
		return err
	}
	start := time.Now()
	r, err := run.Train(ctx, run.Options{Out: *out, Params: params, Data: data, Backend: b, Log: os.Stderr})
	if err != nil {
		return err
	}
	stats, err := r.EpochStats()
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("wrote %s in %s", r.Dir, time.Since(start).Round(time.Second))
	if len(stats) > 0 {
		last := stats[len(stats)-1]
		msg += fmt.Sprintf(": epoch %d eval accuracy %.2f%% (%d held-out images), eval loss %.4f",
			last.Epoch, 100*last.EvalAccuracy, r.Config.Data.EvalImages, last.EvalLoss)
	}
	if r.Config.Data.Partial {
		msg += " [PARTIAL data: a split of the 10k test set]"
	}
	fmt.Fprintln(os.Stderr, msg)
	return nil
}

func presetNames() string {
	var names []string
	for _, p := range run.Presets() {
		names = append(names, p.Name)
	}
	return strings.Join(names, ", ")
}

func presetLines() string {
	var b strings.Builder
	for _, p := range run.Presets() {
		fmt.Fprintf(&b, "  %-7s %s\n", p.Name, p.Summary)
	}
	return b.String()
}

func archNames() string {
	var names []string
	for _, a := range model.Archs() {
		names = append(names, string(a))
	}
	return strings.Join(names, ", ")
}

func paramLines() []string {
	d := run.Defaults()
	var lines []string
	for _, k := range slices.Sorted(maps.Keys(d)) {
		lines = append(lines, fmt.Sprintf("%-14s %v", k, d[k]))
	}
	return lines
}
