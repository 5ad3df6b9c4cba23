package figure

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"sort"

	"github.com/fracdyn/fracdyn/fracdyn/attractor"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// AttractorEntry is one analysed trajectory for AttractorSummary.
type AttractorEntry struct {
	// Layer groups entries on the class-count panel ("" is shown as
	// "model": whole-model series such as the loss).
	Layer string
	// Whole marks an analysis of the whole run; only these are counted in
	// the class bars. The others are epoch windows.
	Whole bool
	// EpochFrom, EpochTo bound the window analysed (epochs, inclusive).
	EpochFrom, EpochTo float64
	Lyapunov           float64 // per step
	Class              attractor.Class
}

// classColors gives each attractor class a fixed colour.
var classColors = map[attractor.Class]color.Color{
	attractor.FixedPoint:    color.RGBA{R: 0x1b, G: 0x9e, B: 0x77, A: 0xff},
	attractor.Periodic:      color.RGBA{R: 0x75, G: 0x70, B: 0xb3, A: 0xff},
	attractor.QuasiPeriodic: color.RGBA{R: 0xe7, G: 0x29, B: 0x8a, A: 0xff},
	attractor.Chaotic:       color.RGBA{R: 0xd9, G: 0x5f, B: 0x02, A: 0xff},
	attractor.Stochastic:    color.RGBA{R: 0x66, G: 0x66, B: 0x66, A: 0xff},
}

// AttractorSummary draws two panels side by side (a 1×2 grid): the number of whole-run trajectories of each attractor class
// per layer (stacked bars), and the largest Lyapunov exponent against the
// epoch window, one point per windowed trajectory and a line through each
// layer's median. Without windowed entries the second panel shows the
// whole-run exponents at the run's middle epoch.
func AttractorSummary(entries []AttractorEntry) (*Grid, error) {
	counts, err := attractorCounts(entries)
	if err != nil {
		return nil, err
	}
	lyap, err := lyapunovByWindow(entries)
	if err != nil {
		return nil, err
	}
	return &Grid{Plots: [][]*plot.Plot{{counts, lyap}}, W: 2 * Width, H: Height}, nil
}

func attractorLayer(l string) string {
	if l == "" {
		return "model"
	}
	return l
}

// attractorLayers lists the layers of entries in order of first appearance.
func attractorLayers(entries []AttractorEntry, keep func(AttractorEntry) bool) []string {
	var out []string
	for _, e := range entries {
		if l := attractorLayer(e.Layer); keep(e) && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// classCounts counts the whole-run entries of each class per layer.
func classCounts(entries []AttractorEntry) (layers []string, counts map[attractor.Class]plotter.Values) {
	layers = attractorLayers(entries, func(e AttractorEntry) bool { return e.Whole })
	counts = map[attractor.Class]plotter.Values{}
	for _, c := range attractor.Classes() {
		counts[c] = make(plotter.Values, len(layers))
	}
	for _, e := range entries {
		if e.Whole {
			counts[e.Class][slices.Index(layers, attractorLayer(e.Layer))]++
		}
	}
	return layers, counts
}

func attractorCounts(entries []AttractorEntry) (*plot.Plot, error) {
	layers, counts := classCounts(entries)
	if len(layers) == 0 {
		return nil, fmt.Errorf("attractor summary: no whole-run trajectories to count")
	}
	p := plot.New()
	p.Title.Text = "Attractor classes per layer"
	p.Y.Label.Text = "trajectories"
	// One bar per layer, stacked by class.
	var below *plotter.BarChart
	for _, c := range attractor.Classes() {
		bars, err := plotter.NewBarChart(counts[c], vg.Points(28))
		if err != nil {
			return nil, fmt.Errorf("attractor summary: %w", err)
		}
		bars.Color = classColors[c]
		bars.LineStyle.Width = 0
		if below != nil {
			bars.StackOn(below)
		}
		below = bars
		p.Add(bars)
		p.Legend.Add(string(c), bars)
	}
	p.Legend.Top = true
	p.NominalX(layers...)
	top := 0.0
	for i := range layers {
		sum := 0.0
		for _, v := range counts {
			sum += v[i]
		}
		top = math.Max(top, sum)
	}
	p.Y.Min, p.Y.Max = 0, 1.6*top // head room for the legend
	return p, nil
}

func lyapunovByWindow(entries []AttractorEntry) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "Largest Lyapunov exponent by epoch window"
	p.X.Label.Text = "epoch (window centre)"
	p.Y.Label.Text = "λ per step"
	windowed := func(e AttractorEntry) bool { return !e.Whole }
	layers := attractorLayers(entries, windowed)
	if len(layers) == 0 { // no windows: show the whole-run exponents
		windowed = func(e AttractorEntry) bool { return e.Whole }
		layers = attractorLayers(entries, windowed)
		p.Title.Text = "Largest Lyapunov exponent (whole run)"
	}
	for k, l := range layers {
		var pts plotter.XYs
		byWindow := map[float64][]float64{}
		for _, e := range entries {
			if !windowed(e) || attractorLayer(e.Layer) != l || math.IsNaN(e.Lyapunov) || math.IsInf(e.Lyapunov, 0) {
				continue
			}
			x := (e.EpochFrom + e.EpochTo) / 2
			pts = append(pts, plotter.XY{X: x, Y: e.Lyapunov})
			byWindow[x] = append(byWindow[x], e.Lyapunov)
		}
		if len(pts) == 0 {
			continue
		}
		col := plotutil.Color(k)
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, fmt.Errorf("attractor summary: %w", err)
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(1.5), Shape: draw.CircleGlyph{}}
		p.Add(sc)
		var med plotter.XYs
		for x, v := range byWindow {
			sort.Float64s(v)
			m := v[len(v)/2]
			if len(v)%2 == 0 {
				m = (v[len(v)/2-1] + v[len(v)/2]) / 2
			}
			med = append(med, plotter.XY{X: x, Y: m})
		}
		sort.Slice(med, func(a, b int) bool { return med[a].X < med[b].X })
		line, err := plotter.NewLine(med)
		if err != nil {
			return nil, fmt.Errorf("attractor summary: %w", err)
		}
		line.Color, line.Width = col, vg.Points(1.5)
		p.Add(line)
		p.Legend.Add(l+" (median)", line)
	}
	zero := plotter.NewFunction(func(float64) float64 { return 0 })
	zero.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
	zero.Color = color.Gray{150}
	p.Add(zero)
	p.Legend.Top = true
	return p, nil
}
