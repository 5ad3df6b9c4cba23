package dynamics

import (
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/fracdyn/fracdyn/fracdyn/arrayio"
	"github.com/fracdyn/fracdyn/fracdyn/figure"
	"github.com/fracdyn/fracdyn/fracdyn/phaseflow"
	"github.com/fracdyn/fracdyn/fracdyn/run"
	"gonum.org/v1/plot/vg"
)

// FigureOptions control WriteFigures. Zero values are the defaults.
type FigureOptions struct {
	// Segment is the tracked column (steps-segments.npy) of the
	// single-segment Fig 3 left panels; default 0, the first tracked
	// segment of the first layer.
	Segment int
	// GridPerLayer is the number of segments per layer in the small
	// multiples; 0: 3.
	GridPerLayer int
	// Smooth is the moving-average width applied to the per-step loss
	// before differencing (phaseflow.Differentiate); 0: off.
	Smooth int
	// Rows are attractor-table rows for the summary figure; nil: read
	// analysis/attractors.csv of the run if it exists, else no summary.
	Rows []Row
	// Format is the file extension: "png" (default), "svg" or "pdf".
	Format string
}

// WriteFigures draws the paper's Fig 3 and the attractor summary from a run
// into dir and returns the files written:
//
//	fig3-grad-loss         ‖∂L/∂W_seg‖ of one segment against the loss, per step
//	fig3-grad-mean-loss    its signed gradient mean against the loss (when recorded)
//	fig3-grad-loss-grid    small multiples: GridPerLayer segments of each layer
//	fig3-grad-loss-probe   the segment's probe-batch gradient norm against the
//	                       probe loss at each snapshot epoch
//	fig3-loss-derivatives  dL/dt against d²L/dt² over steps
//	fig3-loss-derivatives-epochs  the same over epochs (mean training loss)
//	attractors             class counts per layer and λ by epoch window
//
// A figure whose data the run lacks is skipped, not an error.
func WriteFigures(r *run.Run, dir string, o FigureOptions) ([]string, error) {
	if o.Format == "" {
		o.Format = "png"
	}
	if o.GridPerLayer <= 0 {
		o.GridPerLayer = 3
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("figures: %w", err)
	}
	tr, err := LoadTrajectories(r, -1)
	if err != nil {
		return nil, err
	}
	var written []string
	path := func(name string) string { return filepath.Join(dir, name+"."+o.Format) }
	save := func(name string, fig figure.Figure) error {
		p := path(name)
		if err := figure.Save(fig, p); err != nil {
			return err
		}
		written = append(written, p)
		return nil
	}
	epochs := phaseflow.FractionalEpochs(tr.Epoch)
	loss := tr.Series[0].Values

	// Fig 3 left, one segment: norm and signed mean.
	index, _, segErr := r.TrackedSegments()
	if segErr == nil && o.Segment >= 0 && o.Segment < len(index) {
		seg := index[o.Segment]
		name := SegmentName(seg)
		for _, t := range tr.Series {
			if t.Kind == KindSegment && t.Column == o.Segment {
				cb, err := figure.PhaseFlowGradLoss(loss, t.Values, epochs, figure.PhaseFlowOptions{
					Title: "Phase flow of " + name, YLabel: "‖∂L/∂W_seg‖"})
				if err != nil {
					return written, fmt.Errorf("fig3-grad-loss: %w", err)
				}
				if err := save("fig3-grad-loss", cb); err != nil {
					return written, err
				}
			}
		}
		if _, means, err := r.TrackedSegmentMeans(); err == nil && means.Shape[0] == len(loss) {
			cols, data := means.Shape[1], means.Float64s()
			m := make([]float64, len(loss))
			for t := range m {
				m[t] = data[t*cols+o.Segment]
			}
			cb, err := figure.PhaseFlowGradLoss(loss, m, epochs, figure.PhaseFlowOptions{
				Title: "Phase flow of " + name + " (signed mean)", YLabel: "mean ∂L/∂W_seg"})
			if err != nil {
				return written, fmt.Errorf("fig3-grad-mean-loss: %w", err)
			}
			if err := save("fig3-grad-mean-loss", cb); err != nil {
				return written, err
			}
		}
		if cb, err := probeFlow(r, seg, name); err == nil && cb != nil {
			if err := save("fig3-grad-loss-probe", cb); err != nil {
				return written, err
			}
		}
	}

	// Small multiples.
	if segErr == nil {
		var panels []figure.PhaseFlowPanel
		for _, c := range pickSegments(index, o.GridPerLayer) {
			for _, t := range tr.Series {
				if t.Kind == KindSegment && t.Column == c {
					panels = append(panels, figure.PhaseFlowPanel{Title: t.Name, Loss: loss, Grad: t.Values, Epoch: epochs})
				}
			}
		}
		if len(panels) > 0 {
			grid, err := figure.PhaseFlowGrid(panels, o.GridPerLayer, figure.PhaseFlowOptions{})
			if err != nil {
				return written, fmt.Errorf("fig3-grad-loss-grid: %w", err)
			}
			if err := save("fig3-grad-loss-grid", grid); err != nil {
				return written, err
			}
		}
	}

	// Fig 3 right, over steps and over epochs.
	steps := make([]float64, len(tr.Step))
	for i, s := range tr.Step {
		steps[i] = float64(s)
	}
	fl := finitePrefix(loss)
	if d, err := phaseflow.Differentiate(steps[:len(fl)], fl, o.Smooth); err == nil {
		ep := make([]float64, len(d.Index))
		for k, i := range d.Index {
			ep[k] = epochs[i]
		}
		title := "Phase flow of the loss (per step)"
		if o.Smooth > 1 {
			title += fmt.Sprintf(", moving average of %d", o.Smooth)
		}
		cb, err := figure.PhaseFlowLossDerivatives(d.D1, d.D2, ep, figure.PhaseFlowOptions{Title: title,
			XLabel: "dL/dt (per step)", YLabel: "d²L/dt² (per step²)"})
		if err != nil {
			return written, fmt.Errorf("fig3-loss-derivatives: %w", err)
		}
		if err := save("fig3-loss-derivatives", cb); err != nil {
			return written, err
		}
	}
	if stats, err := r.EpochStats(); err == nil && len(stats) >= 3 {
		t, l, e := make([]float64, len(stats)), make([]float64, len(stats)), make([]float64, len(stats))
		for i, s := range stats {
			t[i], l[i], e[i] = float64(s.Epoch), s.TrainLoss, float64(s.Epoch)
		}
		if d, err := phaseflow.Differentiate(t, l, 0); err == nil {
			ep := make([]float64, len(d.Index))
			for k, i := range d.Index {
				ep[k] = e[i]
			}
			cb, err := figure.PhaseFlowLossDerivatives(d.D1, d.D2, ep, figure.PhaseFlowOptions{
				Title: "Phase flow of the loss (per epoch)", XLabel: "dL/dt (per epoch)",
				YLabel: "d²L/dt² (per epoch²)", Path: true, Arrows: -1})
			if err == nil {
				if err := save("fig3-loss-derivatives-epochs", cb); err != nil {
					return written, err
				}
			}
		}
	}

	// Attractor summary.
	rows := o.Rows
	if rows == nil {
		rows, _ = ReadTable(filepath.Join(r.Dir, "analysis", AttractorsFile))
	}
	if entries := SummaryEntries(rows); len(entries) > 0 {
		grid, err := figure.AttractorSummary(entries)
		if err != nil {
			return written, err
		}
		if err := save("attractors", grid); err != nil {
			return written, err
		}
	}
	return written, nil
}

// probeFlow draws a segment's probe-batch gradient norm against the probe
// loss at each snapshot epoch (nil when there are fewer than three).
func probeFlow(r *run.Run, seg run.TrackedSegment, name string) (*figure.Plot, error) {
	epochs, err := r.SnapshotEpochs()
	if err != nil || len(epochs) < 3 {
		return nil, err
	}
	var loss, norm, ep []float64
	for _, e := range epochs {
		p := filepath.Join(r.Dir, run.SnapshotsDir, fmt.Sprintf("epoch-%03d.npz", e))
		g, err := arrayio.ReadNPZEntry(p, seg.Layer+".weight"+run.GradSuffix)
		if err != nil {
			return nil, err
		}
		l, err := arrayio.ReadNPZEntry(p, run.LossEntry)
		if err != nil {
			return nil, err
		}
		n, _, err := SegmentGradient(g, seg)
		if err != nil {
			return nil, err
		}
		loss, norm, ep = append(loss, l.Float64s()[0]), append(norm, n), append(ep, float64(e))
	}
	return figure.PhaseFlowGradLoss(loss, norm, ep, figure.PhaseFlowOptions{
		Title: "Probe-batch phase flow of " + name, XLabel: "probe loss L", Path: true, Arrows: -1,
		Radius: vg.Points(2.5)})
}

// SegmentGradient returns the ℓ2 norm and the mean of a tracked segment's
// r×r block in a weight gradient (PyTorch layout, as in a snapshot's
// "<layer>.weight.grad").
func SegmentGradient(g *arrayio.Array, s run.TrackedSegment) (norm, mean float64, err error) {
	v := g.Float64s()
	var h, w, base int
	switch {
	case len(g.Shape) == 4 && s.Neuron >= 0:
		h, w = g.Shape[2], g.Shape[3]
		if s.Neuron >= g.Shape[0] || s.Channel >= g.Shape[1] {
			return 0, 0, fmt.Errorf("segment %s outside the gradient of shape %v", SegmentName(s), g.Shape)
		}
		base = (s.Neuron*g.Shape[1] + s.Channel) * h * w
	case len(g.Shape) == 2 && s.Neuron < 0:
		h, w = g.Shape[0], g.Shape[1]
	default:
		return 0, 0, fmt.Errorf("segment %s does not fit a gradient of shape %v", SegmentName(s), g.Shape)
	}
	if s.Row+s.R > h || s.Col+s.R > w || s.R < 1 {
		return 0, 0, fmt.Errorf("segment %s outside a %d×%d matrix", SegmentName(s), h, w)
	}
	sq, sum := 0.0, 0.0
	for i := s.Row; i < s.Row+s.R; i++ {
		for j := s.Col; j < s.Col+s.R; j++ {
			x := v[base+i*w+j]
			sq += x * x
			sum += x
		}
	}
	return math.Sqrt(sq), sum / float64(s.R*s.R), nil
}
