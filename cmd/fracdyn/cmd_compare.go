package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"image/color"

	"github.com/fracdyn/fracdyn/fracdyn/diagnose"
	"github.com/fracdyn/fracdyn/fracdyn/figure"
	"github.com/fracdyn/fracdyn/fracdyn/modelfile"
	"github.com/fracdyn/fracdyn/internal/fsutil"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

func init() {
	register(&command{
		name:    "compare",
		args:    "MODEL...",
		summary: "per-layer fractal dimensions vs spectral α across runs, GoMLX checkpoints or model files: table, figure, correlations",
		run:     runCompare,
	})
}

func runCompare(ctx context.Context, args []string) error {
	c := commands["compare"]
	fs := newFlagSet(c)
	out := fs.String("out", "compare", "output directory")
	layers := fs.String("layers", "", "glob over tensor names selecting the layers")
	measure := fs.String("measure", "bc", "fractal measure on the figure's y axis: bc, dbc, variogram, paper, segment or entropy")
	fig := fs.String("fig", "compare.png", "figure file name inside -out (extension picks the format)")
	epochs := fs.Bool("epochs", false, "compare every snapshot epoch of each run directory and every checkpoint of each GoMLX checkpoint directory, not only the last")
	checkpoint := fs.String("checkpoint", "", checkpointUsage+" (for every GoMLX checkpoint directory given)")
	layout := layoutFlag(fs)
	convView := convViewFlag(fs)
	nullDraws := nullDrawsFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() < 1 {
		return usageErrorf("want at least one run directory or model file")
	}
	overrides, err := parseLayout(*layout)
	if err != nil {
		return err
	}
	cv, err := parseConvView(*convView)
	if err != nil {
		return err
	}
	nd, err := nullDrawsOption(*nullDraws)
	if err != nil {
		return err
	}
	known := false
	for _, m := range diagnose.CompareMeasures {
		known = known || m == *measure
	}
	if !known {
		return usageErrorf("unknown -measure %q (want one of %s)", *measure, strings.Join(diagnose.CompareMeasures, ", "))
	}
	var all []diagnose.ComparePoint
	var perModel [][]diagnose.ComparePoint
	type input struct {
		path, name string
		epoch      int
		checkpoint string
	}
	var inputs []input
	for _, path := range fs.Args() {
		name := filepath.Base(filepath.Clean(path))
		f, err := modelfile.DetectFormat(path)
		if err == nil && f == modelfile.RunDir && *epochs {
			eps, err := modelfile.RunEpochs(path)
			if err != nil {
				return err
			}
			for _, e := range eps {
				inputs = append(inputs, input{path, fmt.Sprintf("%s@%d", name, e), e, ""})
			}
			continue
		}
		if err == nil && f == modelfile.GoMLX && *epochs {
			if st, err := os.Stat(path); err == nil && st.IsDir() {
				cks, err := modelfile.ListCheckpoints(path)
				if err != nil {
					return err
				}
				for _, c := range cks {
					inputs = append(inputs, input{path, name + "@" + c, -1, c})
				}
				continue
			}
		}
		in := input{path, name, -1, ""}
		if err == nil && f == modelfile.GoMLX {
			in.checkpoint = *checkpoint
		}
		inputs = append(inputs, in)
	}
	if *checkpoint != "" && !slices.ContainsFunc(inputs, func(in input) bool { return in.checkpoint != "" }) {
		return usageErrorf("-checkpoint %q: none of the models is a GoMLX checkpoint directory", *checkpoint)
	}
	var names []string
	for _, in := range inputs {
		path, name := in.path, in.name
		names = append(names, name)
		m, err := modelfile.OpenWith(path, modelfile.Options{Epoch: modelfile.AtEpoch(in.epoch), Checkpoint: in.checkpoint, ConvView: cv, Layout: overrides})
		if err != nil {
			return err
		}
		reports, err := diagnose.Analyze(ctx, m, diagnose.AnalyzeOptions{Layers: *layers, NullDraws: nd}, nil)
		m.Close()
		if err != nil {
			return err
		}
		pts := diagnose.ComparePoints(name, reports)
		fmt.Fprintf(os.Stderr, "%s: %d layers\n", name, len(pts))
		perModel = append(perModel, pts)
		all = append(all, pts...)
	}
	// The output directory is made once every model is read, so that a bad
	// input leaves nothing behind.
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	cors := diagnose.Correlate(all)
	for name, write := range map[string]func(io.Writer) error{
		"compare.csv":      func(w io.Writer) error { return writeCompare(w, all) },
		"correlations.csv": func(w io.Writer) error { return writeCorrelations(w, cors) },
	} {
		if err := fsutil.WriteFileAtomic(filepath.Join(*out, name), write); err != nil {
			return err
		}
	}
	p, err := compareFigure(perModel, names, *measure, cors)
	if err != nil {
		return err
	}
	figPath := filepath.Join(*out, *fig)
	if err := figure.Save(figure.NewPlot(p), figPath); err != nil {
		return err
	}
	fmt.Printf("%d layers from %d models → %s\n\ncorrelation with α (layers where both are finite):\n", len(all), len(inputs), *out)
	for _, c := range cors {
		fmt.Printf("  %-10s Pearson %7.3f  Spearman %7.3f  (%d layers)\n", c.Measure, c.Pearson, c.Spearman, c.N)
	}
	return nil
}

// compareFigure scatters each layer's measure against its α, one colour
// per model, each point labelled with its layer.
func compareFigure(perModel [][]diagnose.ComparePoint, names []string, measure string, cors []diagnose.Correlation) (*plot.Plot, error) {
	p := plot.New()
	p.X.Label.Text = "spectral α (power-law fit of the ESD of WᵀW)"
	p.Y.Label.Text = "fractal measure: " + measure
	for _, c := range cors {
		if c.Measure == measure {
			p.Title.Text = fmt.Sprintf("%s vs α: Pearson %.2f, Spearman %.2f (%d layers)", measure, c.Pearson, c.Spearman, c.N)
		}
	}
	for i, pts := range perModel {
		var xy plotter.XYs
		var labels []string
		for _, q := range pts {
			if v := q.Measure(measure); isFiniteF(q.Alpha) && isFiniteF(v) {
				xy = append(xy, plotter.XY{X: q.Alpha, Y: v})
				labels = append(labels, q.Layer)
			}
		}
		if len(xy) == 0 {
			continue
		}
		s, err := plotter.NewScatter(xy)
		if err != nil {
			return nil, err
		}
		s.GlyphStyle.Color = plotutil.Color(i)
		s.GlyphStyle.Shape = draw.CircleGlyph{}
		s.GlyphStyle.Radius = 3
		l, err := plotter.NewLabels(plotter.XYLabels{XYs: xy, Labels: labels})
		if err != nil {
			return nil, err
		}
		p.Add(s, l)
		p.Legend.Add(names[i], s)
		if band, err := nullBand(pts, measure); err != nil {
			return nil, err
		} else if band != nil {
			p.Add(band)
			if i == 0 {
				key := plotter.NewFunction(func(float64) float64 { return 0 })
				key.LineStyle = band.LineStyle
				p.Legend.Add("element-permutation null: mean ± 2 SD", key)
			}
		}
	}
	// Room above the points for the legend, and tick labels precise
	// enough for measures that vary in the third decimal.
	p.Legend.Top, p.Legend.Left = true, true
	p.Y.Max += 0.1*(p.Y.Max-p.Y.Min) + float64(len(perModel))*0.07*(p.Y.Max-p.Y.Min)
	p.Y.Tick.Marker = preciseTicks{}
	p.X.Tick.Marker = preciseTicks{}
	return p, nil
}

func isFiniteF(v float64) bool { return v == v && v-v == 0 }

// preciseTicks are gonum's default ticks labelled with 6 significant
// digits, so that close ticks do not share a label.
type preciseTicks struct{}

func (preciseTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'g', 6, 64)
		}
	}
	return ticks
}

// nullXY are the element-permutation null's mean ± 2 SD of each layer's
// measure, drawn as error bars.
type nullXY struct {
	plotter.XYs
	plotter.YErrors
}

// nullBand returns the error bars of the element-permutation null of
// measure at each point's α, or nil when no point has nulls.
func nullBand(pts []diagnose.ComparePoint, measure string) (*plotter.YErrorBars, error) {
	var b nullXY
	for _, q := range pts {
		rs := q.Nulls[measure]
		if len(rs) == 0 || !isFiniteF(q.Alpha) || !isFiniteF(rs[0].Mean) || !isFiniteF(rs[0].SD) {
			continue
		}
		b.XYs = append(b.XYs, plotter.XY{X: q.Alpha, Y: rs[0].Mean})
		b.YErrors = append(b.YErrors, struct{ Low, High float64 }{2 * rs[0].SD, 2 * rs[0].SD})
	}
	if len(b.XYs) == 0 {
		return nil, nil
	}
	e, err := plotter.NewYErrorBars(b)
	if err != nil {
		return nil, err
	}
	e.LineStyle.Color = color.Gray{Y: 120}
	e.LineStyle.Width = vg.Points(1.5)
	e.CapWidth = vg.Points(6)
	return e, nil
}
