package figure

import (
	"fmt"

	"github.com/fracdyn/fracdyn/fracdyn/fractal"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// PaperMatrixSizes are the 2-D matrices of the paper's CNN, as fracdyn
// segments them (see fractal.MatrixViews): the 3×3 conv kernels, fc1
// [128, 50176] and fc2 [10, 128]; then a few more, square and not, odd and
// even: an MNIST image, 64×64, 255×255 and 100×300.
var PaperMatrixSizes = [][2]int{
	{3, 3}, {128, 50176}, {10, 128},
	{28, 28}, {64, 64}, {255, 255}, {100, 300},
}

// CountSeries is the number of segments Q(r) = ⌈n/r⌉·⌈m/r⌉ of an n×m matrix
// at each valid scale r (fractal.ValidScales).
type CountSeries struct {
	N, M   int
	Scales []int
	Counts []int
}

// Label names the series in the legend, e.g. "128×50176".
func (s CountSeries) Label() string { return fmt.Sprintf("%d×%d", s.N, s.M) }

// SegmentCountSeries returns the data of Fig. 1 for the given matrix sizes.
// A size with no valid scale is an error.
func SegmentCountSeries(sizes [][2]int) ([]CountSeries, error) {
	out := make([]CountSeries, 0, len(sizes))
	for _, nm := range sizes {
		n, m := nm[0], nm[1]
		rs := fractal.ValidScales(n, m)
		if len(rs) == 0 {
			return nil, fmt.Errorf("a %d×%d matrix has no valid scale (the shorter side must be at least 3)", n, m)
		}
		s := CountSeries{N: n, M: m, Scales: rs}
		for _, r := range rs {
			s.Counts = append(s.Counts, fractal.SegmentCount(n, m, r))
		}
		out = append(out, s)
	}
	return out, nil
}

// SegmentCounts draws Fig. 1: the number of r×r segments (log scale) against
// the scale r, one line per matrix size (nil: PaperMatrixSizes).
func SegmentCounts(sizes [][2]int) (*Plot, error) {
	p, _, err := segmentCounts(sizes)
	if err != nil {
		return nil, err
	}
	return NewPlot(p), nil
}

// segmentCounts is SegmentCounts that also returns the lines it drew, in
// the order of sizes.
func segmentCounts(sizes [][2]int) (*plot.Plot, []*plotter.Line, error) {
	if sizes == nil {
		sizes = PaperMatrixSizes
	}
	series, err := SegmentCountSeries(sizes)
	if err != nil {
		return nil, nil, fmt.Errorf("figure 1: %w", err)
	}
	p := plot.New()
	p.Title.Text = "Segments per matrix against scale r"
	p.X.Label.Text = "scale r"
	p.Y.Label.Text = "segments Q(r) = ceil(n/r)·ceil(m/r)"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.ConstantTicks(scaleTicks)
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	var lines []*plotter.Line
	for i, s := range series {
		xy := make(plotter.XYs, len(s.Scales))
		for j := range s.Scales {
			xy[j].X, xy[j].Y = float64(s.Scales[j]), float64(s.Counts[j])
		}
		line, points, err := plotter.NewLinePoints(xy)
		if err != nil {
			return nil, nil, fmt.Errorf("figure 1: %s: %w", s.Label(), err)
		}
		c := plotutil.Color(i)
		line.Color, points.Color = c, c
		line.Width = vg.Points(1.2)
		points.Shape = plotutil.Shape(i)
		points.Radius = vg.Points(2.2)
		if len(s.Scales) > 12 {
			points.Shape = draw.CircleGlyph{}
			points.Radius = vg.Points(0.8)
		}
		p.Add(line, points)
		lines = append(lines, line)
		p.Legend.Add(fmt.Sprintf("%s (r=%d..%d)", s.Label(), s.Scales[0], s.Scales[len(s.Scales)-1]), line, points)
	}
	// Headroom above the data for the legend.
	p.Y.Max *= 1000
	return p, lines, nil
}

// scaleTicks label the log r axis at readable values.
var scaleTicks = func() []plot.Tick {
	var t []plot.Tick
	for _, v := range []float64{2, 3, 4, 5, 10, 20, 30, 50, 100, 200, 500, 1000} {
		t = append(t, plot.Tick{Value: v, Label: fmt.Sprint(v)})
	}
	return t
}()
