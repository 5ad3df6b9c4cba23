package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/fracdyn/fracdyn/fracdyn/arrayio"
	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/fracdyn/fracdyn/fracdyn/boundary"
	"github.com/fracdyn/fracdyn/fracdyn/figure"
	"github.com/fracdyn/fracdyn/internal/fsutil"
	"github.com/fracdyn/fracdyn/internal/progress"
)

func init() {
	register(&command{
		name:    "boundary",
		args:    "--out DIR",
		summary: "the fractal boundary of trainability (Sohl-Dickstein 2024): train a grid of networks, map and measure the boundary",
		run:     runBoundary,
	})
}

const boundaryHelp = `
Trains one small network per point of a grid of hyperparameters (a
one-hidden-layer, mean-field network on random data, as in Sohl-Dickstein,
"The boundary of neural network trainability is fractal", 2024), all the
grid's networks batched into one compiled step, scores each run as
converged (negative) or diverged (positive), and measures the box-counting
dimension of the boundary between the two.

Written into DIR, for each zoom level k (0 is the --window):
  scores-k.npy     the R×R scores, float64, row i = y (row 0 at the bottom)
  mask-k.npy       the (R−1)×(R−1) boundary mask, uint8
  boundary-k.png   the landscape (and .svg with --svg), blue converged, red diverged
  mask-k.png       the boundary mask
and, over all levels:
  boxcount.png     ln N(s) against ln s per level
  boundary.json    the settings, each level's window, fit (D, R²) and the
                   median dimension over the levels

Windows are in log10 units: --phase-space lr puts the input layer's
learning rate on x and the output layer's on y; --phase-space init puts an
offset added to the input layer's initial weights on x and the learning
rate on y.

Examples:
  fracdyn boundary --out out/tanh --resolution 128 --steps 500
  fracdyn boundary --out out/zoom --zoom 4 --zoom-factor 4
  fracdyn boundary --out out/convex --loss quadratic --json
`

// boundaryOut receives the summary of "fracdyn boundary"; tests replace it.
var boundaryOut io.Writer = os.Stdout

// boundaryJSON is boundary.json and the output of --json.
type boundaryJSON struct {
	Nonlinearity    string          `json:"nonlinearity"`
	Loss            string          `json:"loss"`
	PhaseSpace      string          `json:"phase_space"`
	Width           int             `json:"width"`
	DataPoints      int             `json:"data_points"`
	Minibatch       int             `json:"minibatch"`
	Steps           int             `json:"steps"`
	Resolution      int             `json:"resolution"`
	Seed            uint64          `json:"seed"`
	Backend         string          `json:"backend"`
	Levels          []boundaryLevel `json:"levels"`
	MedianDimension *float64        `json:"median_dimension"`
	NetworkSteps    int             `json:"network_steps"`
	Seconds         float64         `json:"seconds"`
}

type boundaryLevel struct {
	Window    [4]float64   `json:"window"` // xmin, xmax, ymin, ymax (log10)
	Converged int          `json:"converged"`
	Fit       boundary.Fit `json:"fit"`
	Seconds   float64      `json:"seconds"`
}

func runBoundary(ctx context.Context, args []string) error {
	c := commands["boundary"]
	fs := newFlagSet(c)
	out := fs.String("out", "", "output directory (required)")
	nl := fs.String("nonlinearity", "tanh", "hidden activation: tanh, relu or identity (gain √2 for tanh and relu)")
	minibatch := fs.Int("minibatch", 0, "training points per gradient step, drawn with replacement (0: full batch)")
	single := fs.Bool("single-datapoint", false, "train on one data point")
	phase := fs.String("phase-space", "lr", "axes: lr (input-layer against output-layer learning rate) or init (input-weight offset against learning rate)")
	loss := fs.String("loss", "mse", "objective: mse (the paper's) or quadratic (the convex control, a smooth boundary)")
	res := fs.Int("resolution", 64, "grid points per axis")
	steps := fs.Int("steps", 500, "gradient steps per network")
	win := fs.String("window", "", "xmin,xmax,ymin,ymax in log10 units (default: the phase space's, see the package doc)")
	zoom := fs.Int("zoom", 1, "zoom levels; each next window is centred on the boundary cell nearest the last window's centre")
	factor := fs.Float64("zoom-factor", 4, "how many times smaller per side each zoom level's window is")
	width := fs.Int("width", 16, "hidden width (= input dimension)")
	seed := fs.Uint64("seed", 1, "seed of the data, the initial weights and the minibatches")
	chunk := fs.Int("chunk", boundary.DefaultChunk, "networks trained at once; lower it to save memory")
	svg := fs.Bool("svg", false, "also write the pictures as SVG")
	asJSON := fs.Bool("json", false, "print boundary.json instead of a text summary")
	defaultUsage := fs.Usage
	fs.Usage = func() {
		defaultUsage()
		fmt.Fprint(fs.Output(), boundaryHelp)
	}
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageErrorf("unexpected arguments %q", pos)
	}
	if *out == "" {
		return usageErrorf("--out DIR is required")
	}
	cfg := boundary.Config{Width: *width, Nonlinearity: boundary.Nonlinearity(*nl), Loss: boundary.Loss(*loss),
		PhaseSpace: boundary.PhaseSpace(*phase), Minibatch: *minibatch, SingleDatapoint: *single,
		Steps: *steps, Resolution: *res, Seed: *seed, Chunk: *chunk}
	cfg.Window = boundary.DefaultWindow(cfg)
	if *win != "" {
		if cfg.Window, err = boundary.ParseWindow(*win); err != nil {
			return usageErrorf("--window: %v", err)
		}
	}
	if err := cfg.Check(); err != nil {
		return usageErrorf("%v", err)
	}
	if *zoom < 1 {
		return usageErrorf("--zoom %d: at least 1 level", *zoom)
	}
	if *zoom > 1 && !(*factor > 1) {
		return usageErrorf("--zoom-factor %g: must be more than 1", *factor)
	}
	if cfg.Minibatch > cfg.DataPoints() {
		return usageErrorf("--minibatch %d: more than the %d training points", cfg.Minibatch, cfg.DataPoints())
	}
	b, err := backend.New()
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "backend: %s\n", backend.Describe(b))
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	bar := progress.New(os.Stderr, progress.Options{Title: "boundary", Total: *zoom * boundary.TotalSteps(cfg), Unit: "steps"})
	levels, err := boundary.Zoom(ctx, b, cfg, *zoom, *factor, bar)
	if err != nil {
		bar.Done("stopped")
		if len(levels) > 0 {
			if werr := writeBoundary(*out, cfg, b.Name(), levels, *svg); werr != nil {
				return fmt.Errorf("%w (and writing the finished levels: %v)", err, werr)
			}
		}
		return err
	}
	bar.Done("done")
	if err := writeBoundary(*out, cfg, b.Name(), levels, *svg); err != nil {
		return err
	}
	rep := boundaryReport(cfg, b.Name(), levels)
	if *asJSON {
		enc := json.NewEncoder(boundaryOut)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	for k, l := range rep.Levels {
		fmt.Fprintf(boundaryOut, "level %d  window %v  converged %d/%d  boundary cells %d  D %.3f  R² %.3f\n",
			k, l.Window, l.Converged, cfg.Resolution*cfg.Resolution, l.Fit.Cells, l.Fit.Dimension, l.Fit.R2)
	}
	if rep.MedianDimension != nil {
		fmt.Fprintf(boundaryOut, "median dimension %.3f over %d level(s); %d network-steps in %.1f s\n",
			*rep.MedianDimension, len(levels), rep.NetworkSteps, rep.Seconds)
	}
	fmt.Fprintf(os.Stderr, "wrote %s\n", *out)
	return nil
}

func boundaryReport(cfg boundary.Config, backendName string, levels []boundary.Level) boundaryJSON {
	rep := boundaryJSON{Nonlinearity: string(cfg.Nonlinearity), Loss: string(cfg.Loss), PhaseSpace: string(cfg.PhaseSpace),
		Width: cfg.Width, DataPoints: cfg.DataPoints(), Minibatch: cfg.Minibatch, Steps: cfg.Steps,
		Resolution: cfg.Resolution, Seed: cfg.Seed, Backend: backendName}
	var dims []float64
	for _, l := range levels {
		w := l.Window
		rep.Levels = append(rep.Levels, boundaryLevel{Window: [4]float64{w.XMin, w.XMax, w.YMin, w.YMax},
			Converged: l.Result.Converged, Fit: l.Fit, Seconds: l.Result.Elapsed.Seconds()})
		rep.NetworkSteps += l.Result.NetworkSteps()
		rep.Seconds += l.Result.Elapsed.Seconds()
		if l.Fit.Cells > 0 {
			dims = append(dims, l.Fit.Dimension)
		}
	}
	if len(dims) > 0 {
		rep.MedianDimension = num(boundary.Median(dims))
	}
	return rep
}

// writeBoundary writes the files of the finished levels (see boundaryHelp),
// each atomically.
func writeBoundary(dir string, cfg boundary.Config, backendName string, levels []boundary.Level, svg bool) error {
	n := cfg.Resolution
	xl, yl := "log10 input-layer learning rate", "log10 output-layer learning rate"
	if cfg.PhaseSpace == boundary.InitOffset {
		xl, yl = "log10 input-weight offset", "log10 learning rate"
	}
	exts := []string{".png"}
	if svg {
		exts = append(exts, ".svg")
	}
	var series []figure.BoxCountSeries
	for k, l := range levels {
		w := l.Window
		name := func(s string) string { return filepath.Join(dir, fmt.Sprintf("%s-%d", s, k)) }
		if err := arrayio.WriteNPY(name("scores")+".npy", arrayio.FromFloat64(l.Result.Scores, n, n)); err != nil {
			return err
		}
		m := make([]uint8, len(l.Mask))
		for i, on := range l.Mask {
			if on {
				m[i] = 1
			}
		}
		if err := arrayio.WriteNPY(name("mask")+".npy", arrayio.FromUint8(m, n-1, n-1)); err != nil {
			return err
		}
		title := fmt.Sprintf("%s, %s, level %d: D = %.3f", cfg.Nonlinearity, cfg.Loss, k, l.Fit.Dimension)
		land, err := figure.Boundary(figure.BoundaryLandscape{Scores: l.Result.Scores, Rows: n, Cols: n,
			XMin: w.XMin, XMax: w.XMax, YMin: w.YMin, YMax: w.YMax, Title: title, XLabel: xl, YLabel: yl})
		if err != nil {
			return err
		}
		dx, dy := (w.XMax-w.XMin)/float64(n-1)/2, (w.YMax-w.YMin)/float64(n-1)/2
		mp, err := figure.BoundaryMask(l.Mask, n-1, n-1, w.XMin+dx, w.XMax-dx, w.YMin+dy, w.YMax-dy, fmt.Sprintf("boundary, level %d", k))
		if err != nil {
			return err
		}
		for _, ext := range exts {
			for _, f := range []struct {
				p    *figure.Plot
				name string
			}{{land, name("boundary")}, {mp, name("mask")}} {
				if err := figure.Save(f.p, f.name+ext); err != nil {
					return err
				}
			}
		}
		series = append(series, figure.BoxCountSeries{Label: fmt.Sprintf("level %d", k),
			Sizes: l.Fit.Sizes, Counts: l.Fit.Counts, Dimension: l.Fit.Dimension})
	}
	bc, err := figure.BoundaryBoxCounts(series)
	if err != nil {
		return err
	}
	if err := figure.Save(bc, filepath.Join(dir, "boxcount.png")); err != nil {
		return err
	}
	data, err := json.MarshalIndent(boundaryReport(cfg, backendName, levels), "", "  ")
	if err != nil {
		return err
	}
	return fsutil.WriteFile(filepath.Join(dir, "boundary.json"), append(data, '\n'))
}
