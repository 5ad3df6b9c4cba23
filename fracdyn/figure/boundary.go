package figure

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
)

// BoundaryLandscape is a grid of trainability scores for Boundary: row i is
// the y value YMin + i·(YMax−YMin)/(Rows−1) (row 0 at the bottom), column j
// likewise for x; negative scores are runs that converged.
type BoundaryLandscape struct {
	Scores                 []float64
	Rows, Cols             int
	XMin, XMax, YMin, YMax float64 // axis values of the first and last grid points
	Title, XLabel, YLabel  string
}

// Boundary draws, on a square figure, a score grid as an image in a diverging colour map, as in
// Sohl-Dickstein (2024): the scores are stretched by rank, keeping their
// sign (StretchScores), so that converged runs are blue, diverged runs
// red, and each side's shades say how fast a run converged or diverged.
func Boundary(l BoundaryLandscape) (*Plot, error) {
	if l.Rows < 2 || l.Cols < 2 || len(l.Scores) != l.Rows*l.Cols {
		return nil, fmt.Errorf("boundary figure: %d scores are not a %d×%d grid (at least 2×2)", len(l.Scores), l.Rows, l.Cols)
	}
	cm := moreland.SmoothBlueRed()
	cm.SetMin(-1)
	cm.SetMax(1)
	s := StretchScores(l.Scores)
	// Each grid point is a k×k block of pixels, so that the renderer's
	// smoothing does not blur the boundary (the paper draws nearest-neighbour).
	k := max(1, pixelsPerSide/max(l.Rows, l.Cols))
	img := image.NewRGBA(image.Rect(0, 0, k*l.Cols, k*l.Rows))
	for i := range l.Rows {
		for j := range l.Cols {
			var c color.Color = color.Black // NaN
			if v := s[i*l.Cols+j]; !math.IsNaN(v) {
				c, _ = cm.At(v)
			}
			fill(img, j*k, (l.Rows-1-i)*k, k, c) // image rows run downwards
		}
	}
	// Pixels are centred on the grid points.
	dx := (l.XMax - l.XMin) / float64(l.Cols-1) / 2
	dy := (l.YMax - l.YMin) / float64(l.Rows-1) / 2
	p := plot.New()
	p.Title.Text = l.Title
	p.X.Label.Text = l.XLabel
	p.Y.Label.Text = l.YLabel
	p.Add(plotter.NewImage(img, l.XMin-dx, l.YMin-dy, l.XMax+dx, l.YMax+dy))
	p.X.Min, p.X.Max = l.XMin-dx, l.XMax+dx
	p.Y.Min, p.Y.Max = l.YMin-dy, l.YMax+dy
	p.X.Tick.Marker, p.Y.Tick.Marker = windowTicks{}, windowTicks{}
	return &Plot{Plot: p, W: Width, H: Width}, nil
}

// pixelsPerSide is about how many pixels a grid image gets per side.
const pixelsPerSide = 1024

// fill paints the k×k block of img at (x, y).
func fill(img *image.RGBA, x, y, k int, c color.Color) {
	for dy := range k {
		for dx := range k {
			img.Set(x+dx, y+dy, c)
		}
	}
}

// StretchScores maps signed scores onto [−1, 1] by rank, keeping the
// sign: the negative scores, sorted, spread evenly over [−1, −0.25] (the
// most negative at −1), the others over [0.25, 1] (the largest at 1), so
// that the two sides of the boundary always differ by a clear step in
// colour. Ties get the same value; NaN stays NaN.
func StretchScores(scores []float64) []float64 {
	var neg, pos []float64
	for _, v := range scores {
		switch {
		case math.IsNaN(v):
		case v < 0:
			neg = append(neg, v)
		default:
			pos = append(pos, v)
		}
	}
	slices.Sort(neg)
	slices.Sort(pos)
	rank := func(sorted []float64, v, lo, hi float64) float64 {
		if len(sorted) == 1 {
			return (lo + hi) / 2
		}
		k, _ := slices.BinarySearch(sorted, v)
		return lo + (hi-lo)*float64(k)/float64(len(sorted)-1)
	}
	out := make([]float64, len(scores))
	for i, v := range scores {
		switch {
		case math.IsNaN(v):
			out[i] = v
		case v < 0:
			out[i] = rank(neg, v, -1, -0.25)
		default:
			out[i] = rank(pos, v, 0.25, 1)
		}
	}
	return out
}

// BoundaryMask draws a boundary mask (on cells black) over the same axes
// as Boundary; the mask has (Rows−1)×(Cols−1) cells between the grid
// points.
func BoundaryMask(mask []bool, rows, cols int, xMin, xMax, yMin, yMax float64, title string) (*Plot, error) {
	if rows < 1 || cols < 1 || len(mask) != rows*cols {
		return nil, fmt.Errorf("boundary mask figure: %d cells are not %d×%d", len(mask), rows, cols)
	}
	k := max(1, pixelsPerSide/max(rows, cols))
	img := image.NewRGBA(image.Rect(0, 0, k*cols, k*rows))
	for i := range rows {
		for j := range cols {
			var c color.Color = color.White
			if mask[i*cols+j] {
				c = color.Black
			}
			fill(img, j*k, (rows-1-i)*k, k, c)
		}
	}
	p := plot.New()
	p.Title.Text = title
	p.Add(plotter.NewImage(img, xMin, yMin, xMax, yMax))
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = xMin, xMax, yMin, yMax
	p.X.Tick.Marker, p.Y.Tick.Marker = windowTicks{}, windowTicks{}
	return &Plot{Plot: p, W: Width, H: Width}, nil
}

// windowTicks are plot.DefaultTicks labelled with as many decimals as the
// axis span needs for neighbouring labels to differ (a zoomed window spans
// hundredths of a decade, which the default labels round to one value).
type windowTicks struct{}

// Ticks implements plot.Ticker.
func (windowTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	var step float64
	for i := 1; i < len(ticks); i++ {
		if ticks[i].Label != "" && ticks[i-1].Label != "" {
			step = ticks[i].Value - ticks[i-1].Value
			break
		}
	}
	prec := 1
	if step > 0 {
		prec = max(0, int(math.Ceil(-math.Log10(step)+1e-9)))
	}
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'f', prec, 64)
		}
	}
	return ticks
}

// BoxCountSeries is one box-counting fit for BoundaryBoxCounts.
type BoxCountSeries struct {
	Label         string
	Sizes, Counts []float64
	Dimension     float64
}

// BoundaryBoxCounts draws N(s) against s on log-log axes (as ln values),
// one line of points per fit, labelled with its dimension.
func BoundaryBoxCounts(series []BoxCountSeries) (*Plot, error) {
	p := plot.New()
	p.Title.Text = "Box counting of the boundary"
	p.X.Label.Text = "ln box size s"
	p.Y.Label.Text = "ln N(s)"
	for k, s := range series {
		if len(s.Sizes) != len(s.Counts) {
			return nil, fmt.Errorf("box-count series %q: %d sizes, %d counts", s.Label, len(s.Sizes), len(s.Counts))
		}
		var xy plotter.XYs
		for i := range s.Sizes {
			if s.Counts[i] > 0 {
				xy = append(xy, plotter.XY{X: math.Log(s.Sizes[i]), Y: math.Log(s.Counts[i])})
			}
		}
		if len(xy) == 0 {
			continue
		}
		line, points, err := plotter.NewLinePoints(xy)
		if err != nil {
			return nil, err
		}
		c := seriesColor(k)
		line.Color, points.Color = c, c
		p.Add(line, points)
		p.Legend.Add(fmt.Sprintf("%s D=%.3f", s.Label, s.Dimension), line, points)
	}
	p.Legend.Top = true
	return NewPlot(p), nil
}

func seriesColor(k int) color.Color {
	cs := []color.RGBA{{0x1b, 0x9e, 0x77, 0xff}, {0xd9, 0x5f, 0x02, 0xff}, {0x75, 0x70, 0xb3, 0xff},
		{0xe7, 0x29, 0x8a, 0xff}, {0x66, 0xa6, 0x1e, 0xff}, {0xe6, 0xab, 0x02, 0xff}, {0x66, 0x66, 0x66, 0xff}}
	return cs[k%len(cs)]
}
