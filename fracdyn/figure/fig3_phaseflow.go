package figure

import (
	"fmt"
	"image/color"
	"math"

	"github.com/fracdyn/fracdyn/fracdyn/phaseflow"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// EpochColors is the colour map of epochs in the phase-flow figures:
// Moreland's smooth blue–red, early epochs blue, late ones red.
func EpochColors(min, max float64) palette.ColorMap {
	cm := moreland.SmoothBlueRed()
	if max <= min {
		max = min + 1
	}
	cm.SetMin(min)
	cm.SetMax(max)
	return cm
}

// EpochColorBar is a vertical colour bar for EpochColors(min, max).
func EpochColorBar(min, max float64) *plot.Plot {
	b := plot.New()
	b.HideX()
	b.Y.Label.Text = "epoch"
	b.Add(&plotter.ColorBar{ColorMap: EpochColors(min, max), Vertical: true})
	return b
}

// PhaseFlowOptions style the phase-flow figures. Zero values are defaults.
type PhaseFlowOptions struct {
	Title          string
	XLabel, YLabel string // defaults name the quantities
	// Arrows is the number of chunks whose means are joined by arrows to
	// show the direction of flow; 0: 12, negative: none.
	Arrows int
	// Path draws thin segments between consecutive points.
	Path bool
	// LogX, LogY use log scales (non-positive values are then dropped).
	LogX, LogY bool
	// EpochMin, EpochMax fix the colour range (shared by small multiples);
	// equal values: the range of the data.
	EpochMin, EpochMax float64
	// Radius of the point glyphs; 0: 1.2 points.
	Radius vg.Length
}

// PhaseFlowGradLoss is the left panel of the paper's Fig 3: a segment's
// gradient (its norm ‖∂L/∂W_seg‖ or its signed mean) against the loss L,
// one point per step coloured by epoch, with arrows along the flow.
// loss, grad and epoch have one value per step; epoch may be fractional
// (phaseflow.FractionalEpochs). Non-finite points are dropped.
func PhaseFlowGradLoss(loss, grad, epoch []float64, o PhaseFlowOptions) (*Plot, error) {
	if o.XLabel == "" {
		o.XLabel = "loss L"
	}
	if o.YLabel == "" {
		o.YLabel = "‖∂L/∂W_seg‖"
	}
	if o.Title == "" {
		o.Title = "Phase flow: segment gradient against loss"
	}
	return epochFlow(loss, grad, epoch, o)
}

// PhaseFlowLossDerivatives is the right panel of the paper's Fig 3: dL/dt
// against d²L/dt², one point per sample coloured by epoch (d1, d2 from
// phaseflow.Differentiate, epoch at the same samples).
func PhaseFlowLossDerivatives(d1, d2, epoch []float64, o PhaseFlowOptions) (*Plot, error) {
	if o.XLabel == "" {
		o.XLabel = "dL/dt"
	}
	if o.YLabel == "" {
		o.YLabel = "d²L/dt²"
	}
	if o.Title == "" {
		o.Title = "Phase flow of the loss"
	}
	return epochFlow(d1, d2, epoch, o)
}

// PhaseFlowPanel is one small multiple of PhaseFlowGrid.
type PhaseFlowPanel struct {
	Title             string
	Loss, Grad, Epoch []float64
}

// PhaseFlowGrid draws many segments' gradient-against-loss flows as small
// multiples, cols per row, all coloured on one epoch range shown by one
// colour bar. Panels carry only their titles; o.XLabel and o.YLabel go on
// the bottom row and the left column.
func PhaseFlowGrid(panels []PhaseFlowPanel, cols int, o PhaseFlowOptions) (*Grid, error) {
	if len(panels) == 0 || cols < 1 {
		return nil, fmt.Errorf("phase-flow grid: %d panels in %d columns", len(panels), cols)
	}
	if o.EpochMin == o.EpochMax {
		o.EpochMin, o.EpochMax = math.Inf(1), math.Inf(-1)
		for _, p := range panels {
			lo, hi := flowRange(p.Epoch)
			o.EpochMin, o.EpochMax = math.Min(o.EpochMin, lo), math.Max(o.EpochMax, hi)
		}
	}
	if o.Arrows == 0 {
		o.Arrows = 6
	}
	if o.XLabel == "" {
		o.XLabel = "loss L"
	}
	if o.YLabel == "" {
		o.YLabel = "‖∂L/∂W_seg‖"
	}
	rows := (len(panels) + cols - 1) / cols
	grid := make([][]*plot.Plot, rows)
	for r := range grid {
		grid[r] = make([]*plot.Plot, cols)
	}
	for k, p := range panels {
		po := o
		po.Title = p.Title
		if k+cols < len(panels) { // a panel below carries the x label
			po.XLabel = ""
		}
		if k%cols != 0 {
			po.YLabel = ""
		}
		cb, err := epochFlow(p.Loss, p.Grad, p.Epoch, po)
		if err != nil {
			return nil, fmt.Errorf("panel %q: %w", p.Title, err)
		}
		grid[k/cols][k%cols] = cb.Plot
	}
	return &Grid{Plots: grid, Bar: EpochColorBar(o.EpochMin, o.EpochMax), W: Width * 3 / 2, H: Height * vg.Length(rows) / 2}, nil
}

// epochFlow draws y against x coloured by epoch, with optional path and
// flow arrows.
func epochFlow(x, y, epoch []float64, o PhaseFlowOptions) (*Plot, error) {
	if len(x) != len(y) || len(x) != len(epoch) {
		return nil, fmt.Errorf("phase flow: %d x, %d y and %d epoch values", len(x), len(y), len(epoch))
	}
	var xs, ys, es []float64
	for i := range x {
		if !flowFinite(x[i]) || !flowFinite(y[i]) || !flowFinite(epoch[i]) ||
			o.LogX && x[i] <= 0 || o.LogY && y[i] <= 0 {
			continue
		}
		xs, ys, es = append(xs, x[i]), append(ys, y[i]), append(es, epoch[i])
	}
	if len(xs) < 2 {
		return nil, fmt.Errorf("phase flow: %d plottable points of %d, need 2", len(xs), len(x))
	}
	lo, hi := o.EpochMin, o.EpochMax
	if lo == hi {
		lo, hi = flowRange(es)
	}
	cm := EpochColors(lo, hi)
	colorOf := func(e float64) color.Color {
		c, err := cm.At(math.Max(cm.Min(), math.Min(cm.Max(), e)))
		if err != nil {
			return color.Gray{128}
		}
		return c
	}

	p := plot.New()
	p.Title.Text = o.Title
	p.X.Label.Text, p.Y.Label.Text = o.XLabel, o.YLabel
	if o.LogX {
		p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	}
	if o.LogY {
		p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	}
	xy := make(plotter.XYs, len(xs))
	for i := range xs {
		xy[i].X, xy[i].Y = xs[i], ys[i]
	}
	if o.Path {
		p.Add(&flowPath{xy: xy, color: func(i int) color.Color { return colorOf(es[i]) }})
	}
	sc, err := plotter.NewScatter(xy)
	if err != nil {
		return nil, fmt.Errorf("phase flow: %w", err)
	}
	radius := o.Radius
	if radius == 0 {
		radius = 1.2 * vg.Millimeter / 2
	}
	sc.GlyphStyleFunc = func(i int) draw.GlyphStyle {
		return draw.GlyphStyle{Color: colorOf(es[i]), Radius: radius, Shape: draw.CircleGlyph{}}
	}
	p.Add(sc)
	arrows := o.Arrows
	if arrows == 0 {
		arrows = 12
	}
	if arrows > 1 {
		mx, my := phaseflow.ChunkMeans(xs, ys, arrows)
		if len(mx) > 1 {
			p.Add(&flowArrows{x: mx, y: my})
		}
	}
	return &Plot{Plot: p, Bar: EpochColorBar(lo, hi)}, nil
}

// flowPath joins consecutive points with thin segments in their colours.
type flowPath struct {
	xy    plotter.XYs
	color func(i int) color.Color
}

func (pp *flowPath) Plot(c draw.Canvas, plt *plot.Plot) {
	tx, ty := plt.Transforms(&c)
	for i := 1; i < len(pp.xy); i++ {
		a := vg.Point{X: tx(pp.xy[i-1].X), Y: ty(pp.xy[i-1].Y)}
		b := vg.Point{X: tx(pp.xy[i].X), Y: ty(pp.xy[i].Y)}
		line := c.ClipLinesXY([]vg.Point{a, b})
		c.StrokeLines(draw.LineStyle{Color: pp.color(i), Width: vg.Points(0.3)}, line...)
	}
}

// flowArrows draws arrows joining consecutive points (chunk means).
type flowArrows struct{ x, y []float64 }

func (ap *flowArrows) Plot(c draw.Canvas, plt *plot.Plot) {
	tx, ty := plt.Transforms(&c)
	sty := draw.LineStyle{Color: color.Black, Width: vg.Points(1)}
	head := vg.Points(5)
	for i := 1; i < len(ap.x); i++ {
		a := vg.Point{X: tx(ap.x[i-1]), Y: ty(ap.y[i-1])}
		b := vg.Point{X: tx(ap.x[i]), Y: ty(ap.y[i])}
		c.StrokeLine2(sty, a.X, a.Y, b.X, b.Y)
		dx, dy := float64(b.X-a.X), float64(b.Y-a.Y)
		l := math.Hypot(dx, dy)
		if l == 0 {
			continue
		}
		ux, uy := dx/l, dy/l
		h := float64(head)
		back := vg.Point{X: b.X - vg.Length(h*ux), Y: b.Y - vg.Length(h*uy)}
		left := vg.Point{X: back.X - vg.Length(0.4*h*uy), Y: back.Y + vg.Length(0.4*h*ux)}
		right := vg.Point{X: back.X + vg.Length(0.4*h*uy), Y: back.Y - vg.Length(0.4*h*ux)}
		c.FillPolygon(color.Black, []vg.Point{b, left, right})
	}
}

// DataRange makes the arrows count in the axes' ranges.
func (ap *flowArrows) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = flowRange(ap.x)
	ymin, ymax = flowRange(ap.y)
	return
}

func flowFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// flowRange is the smallest and largest finite value of v (0, 0 if none).
func flowRange(v []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range v {
		if flowFinite(x) {
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
	}
	if lo > hi {
		return 0, 0
	}
	return lo, hi
}

// heatPalette is the 64 colours of Moreland's smooth blue–red map that the
// heat maps spread over their own Min–Max. They are sampled on [0, 1]:
// moreland's Palette steps from Min by (Max−Min)/63 and can overshoot Max
// by rounding (a panic), for ranges such as [1.25e-6, 1].
func heatPalette() palette.Palette {
	cm := moreland.SmoothBlueRed()
	cm.SetMin(0)
	cm.SetMax(1)
	colors := make([]color.Color, 64)
	for i := range colors {
		c, err := cm.At(min(float64(i)/63, 1))
		if err != nil {
			panic(err) // the map is defined on all of [0, 1]
		}
		colors[i] = c
	}
	return colorList(colors)
}

// colorList is a palette.Palette of fixed colours.
type colorList []color.Color

func (c colorList) Colors() []color.Color { return c }
