package figure

import (
	"fmt"

	"github.com/fracdyn/fracdyn/fracdyn/attractor"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// Divergence draws Rosenstein divergence curves y(k) = ⟨ln distance⟩
// against k·dt, one per result (attractor.Analyze's Divergence), with the
// straight part fitted for λ (LyapunovFit) drawn thick, labelled with
// names and λ. dts gives each result's time step (1: steps).
func Divergence(title, xLabel string, results []*attractor.Result, names []string, dts []float64) (*Plot, error) {
	if len(results) == 0 || len(names) != len(results) || len(dts) != len(results) {
		return nil, fmt.Errorf("divergence figure: %d results, %d names, %d time steps", len(results), len(names), len(dts))
	}
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = "Rosenstein divergence: "+title, xLabel, "y(k) = ⟨ln distance⟩"
	for i, res := range results {
		d, f := res.Divergence, res.LyapunovFit
		if len(d.Steps) == 0 || f.From < 0 || f.To >= len(d.Steps) || f.From > f.To {
			return nil, fmt.Errorf("divergence figure: %s has no fitted divergence curve", names[i])
		}
		var xy, fit plotter.XYs
		for k := range d.Steps {
			xy = append(xy, plotter.XY{X: d.Steps[k] * dts[i], Y: d.MeanLog[k]})
		}
		for k := f.From; k <= f.To; k++ {
			fit = append(fit, plotter.XY{X: d.Steps[k] * dts[i], Y: f.Intercept + f.Slope*d.Steps[k]})
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return nil, fmt.Errorf("divergence figure: %s: %w", names[i], err)
		}
		l.Color = plotutil.Color(i)
		fl, err := plotter.NewLine(fit)
		if err != nil {
			return nil, fmt.Errorf("divergence figure: %s: %w", names[i], err)
		}
		fl.Color, fl.Width = plotutil.Color(i), vg.Points(3)
		p.Add(l, fl)
		p.Legend.Add(fmt.Sprintf("%s: λ = %.3f", names[i], res.Lyapunov), l)
	}
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(5), vg.Points(5) // bottom right, below the curves
	return NewPlot(p), nil
}
