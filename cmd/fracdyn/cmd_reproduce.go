package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/fracdyn/fracdyn/fracdyn/analysis"
	"github.com/fracdyn/fracdyn/fracdyn/dynamics"
	"github.com/fracdyn/fracdyn/fracdyn/model"
	"github.com/fracdyn/fracdyn/fracdyn/run"
)

func init() {
	c := &command{
		name:    "reproduce",
		args:    "",
		summary: "train, analyze and draw every figure in one go (the README's main command)",
	}
	c.run = func(ctx context.Context, args []string) error { return runReproduce(ctx, c, args) }
	register(c)
}

const reproduceHelp = `
Runs the three stages of the paper's pipeline and reports the time of each:

  1. train    the preset's model with snapshots          -> RUN (--run, default runs/PRESET)
  2. analyze  fractal tables, kernel graphs, GCN surrogate
              and baselines, attractor table              -> RUN/analysis
  3. figures  Fig 1, Fig 2, Fig 3 and the attractor summary -> OUT (PNG, SVG, manifest.json)

The paper preset's figures are the figures of record (./figures); any other
preset draws into ./figures/PRESET unless --out says otherwise.

Each stage resumes or redoes cheaply: training continues a finished or
interrupted run in RUN, so running reproduce again only redraws.

Examples:
  fracdyn reproduce --preset paper --data ../shared/data/mnist  # the 50-epoch paper run, into ./figures
  fracdyn reproduce --data ../shared/data/mnist                 # the quick preset, into ./figures/quick
`

func runReproduce(ctx context.Context, c *command, args []string) error {
	fs := newFlagSet(c)
	preset := fs.String("preset", "quick", "hyperparameter preset: "+presetNames())
	dataDir := fs.String("data", "", "directory holding the IDX files (default: $FRACDYN_DATA, then the user cache)")
	download := fs.Bool("download", false, "download missing dataset files")
	out := fs.String("out", "", "directory for the figures and manifest.json (default: figures for the paper preset, figures/PRESET otherwise)")
	runDir := fs.String("run", "", "run directory (default: runs/PRESET)")
	seed := fs.Int("seed", 1, "seed of training and analysis")
	arch := fs.String("arch", "", "model (default: the preset's, cnn): "+archNames())
	scales := fs.String("r", "all", `analysis scales r: "all" (every valid scale of every layer, as fracdyn analyze) or a comma-separated list`)
	settings := fs.String("set", "", `training hyperparameters as "key=value;key=value" (see "fracdyn train -h")`)
	defaultUsage := fs.Usage
	fs.Usage = func() { defaultUsage(); fmt.Fprint(fs.Output(), reproduceHelp) }
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return wantArgs(pos, 0, "no arguments")
	}
	if *runDir == "" {
		*runDir = filepath.Join("runs", *preset)
	}
	if *out == "" {
		*out = defaultFiguresDir(*preset)
	}
	params, err := run.NewContext(*preset)
	if err != nil {
		return usageErrorf("%v", err)
	}
	if err := run.SetParams(params, *settings); err != nil {
		return usageErrorf("--set: %v", err)
	}
	params.SetParam(run.ParamSeed, *seed)
	if *arch != "" {
		if _, err := model.ParseArch(*arch); err != nil {
			return usageErrorf("--arch: %v", err)
		}
		params.SetParam(run.ParamArch, *arch)
	}
	b, data, err := backendAndData(ctx, params, *dataDir, *download)
	if err != nil {
		return err
	}
	var timings []string
	stage := func(name string, start time.Time) {
		d := time.Since(start).Round(100 * time.Millisecond)
		timings = append(timings, fmt.Sprintf("%s %s", name, d))
		fmt.Fprintf(os.Stderr, "== %s done in %s\n", name, d)
	}

	fmt.Fprintf(os.Stderr, "== 1/3 train (%s preset) -> %s\n", *preset, *runDir)
	start := time.Now()
	r, err := run.Train(ctx, run.Options{Out: *runDir, Params: params, Data: data, Backend: b, Log: os.Stderr})
	if err != nil {
		return err
	}
	stage("train", start)

	fmt.Fprintf(os.Stderr, "== 2/3 analyze -> %s\n", filepath.Join(*runDir, analysis.Dir))
	start = time.Now()
	aopts := analysis.Options{Backend: b, Seed: uint64(*seed), Progress: os.Stderr, Extra: []analysis.Stage{attractorStage}}
	if *scales != "all" {
		if aopts.Scales, err = parseInts(*scales); err != nil {
			return usageErrorf("--r: %v", err)
		}
	}
	rep, err := analysis.Analyze(ctx, r.Dir, aopts)
	if err != nil {
		return err
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(os.Stderr, "note: %s\n", n)
	}
	stage("analyze", start)

	fmt.Fprintf(os.Stderr, "== 3/3 figures -> %s\n", *out)
	start = time.Now()
	m, err := writeFigures(ctx, r.Dir, *out, -1, []string{"png", "svg"}, analysis.Options{Backend: b, Seed: uint64(*seed)})
	if err != nil {
		return err
	}
	stage("figures", start)
	fmt.Fprintf(os.Stderr, "wrote %d figures and manifest.json to %s (%v)\n", len(m.Figures), *out, timings)
	if m.Partial {
		fmt.Fprintf(os.Stderr, "NOTE: trained on a partial dataset (the 10k MNIST test files split into train/eval); see manifest.json\n")
	}
	return nil
}

// defaultFiguresDir is where reproduce draws a preset's figures: the paper
// run's are the figures of record in ./figures, others go beside them.
func defaultFiguresDir(preset string) string {
	if preset == "paper" {
		return "figures"
	}
	return filepath.Join("figures", preset)
}

// attractorStage writes RUN/analysis/attractors.csv (package dynamics).
func attractorStage(ctx context.Context, r *run.Run, outDir string) error {
	return attractorStageAllowing(false)(ctx, r, outDir)
}

// attractorStageAllowing is attractorStage that, when allowMissing is set,
// analyses the other trajectories when the tracked segments' cannot be
// read, with a warning naming the file.
func attractorStageAllowing(allowMissing bool) analysis.Stage {
	return func(ctx context.Context, r *run.Run, outDir string) error {
		return dynamics.WriteAttractorTableContext(ctx, r, filepath.Join(outDir, dynamics.AttractorsFile), dynamics.TableOptions{
			Progress: os.Stderr, AllowMissing: allowMissing,
			Warn: func(s string) { fmt.Fprintf(os.Stderr, "warning: %s\n", s) }})
	}
}
