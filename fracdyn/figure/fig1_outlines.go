package figure

import (
	"fmt"
	"image/color"

	"github.com/fracdyn/fracdyn/fracdyn/fractal"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// SegmentOutlines draws the row-major n×m matrix w as a heat map (row 0 at
// the top) with the outline of each of its r×r segments (eq. 1,
// fractal.Segment). Segments on the regular grid are black; those shifted
// back to end at the edge are red and dashed. Outlines are inset a little
// so that overlapping ones stay visible.
func SegmentOutlines(w []float64, n, m, r int) (*Plot, error) {
	p, _, err := segmentOutlines(w, n, m, r)
	if err != nil {
		return nil, err
	}
	return NewPlot(p), nil
}

// segmentOutlines is SegmentOutlines that also returns the outlines, in
// the order of fractal.Segment.
func segmentOutlines(w []float64, n, m, r int) (*plot.Plot, []*plotter.Line, error) {
	if n < 1 || m < 1 || len(w) != n*m {
		return nil, nil, fmt.Errorf("segment outlines: %d values are not a %d×%d matrix", len(w), n, m)
	}
	if r < 1 || r > n || r > m {
		return nil, nil, fmt.Errorf("segment outlines: scale %d does not fit a %d×%d matrix", r, n, m)
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("r = %d: Q = %d segments", r, fractal.SegmentCount(n, m, r))
	p.Add(plotter.NewHeatMap(matrixXYZ{w, n, m}, moreland.SmoothBlueRed().Palette(64)))
	_, rows, cols := fractal.Segment(w, n, m, r)
	var boxes []*plotter.Line
	const inset = 0.08
	for i := range rows {
		x0, x1 := float64(cols[i])+inset, float64(cols[i]+r)-inset
		y0, y1 := float64(n-rows[i]-r)+inset, float64(n-rows[i])-inset
		box, err := plotter.NewLine(plotter.XYs{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}, {X: x0, Y: y0}})
		if err != nil {
			return nil, nil, fmt.Errorf("segment outlines: %w", err)
		}
		box.Width = vg.Points(1.2)
		if rows[i]%r != 0 || cols[i]%r != 0 { // shifted back by the overlap rule
			box.Color = color.RGBA{R: 200, A: 255}
			box.Dashes = []vg.Length{vg.Points(3), vg.Points(2)}
		}
		p.Add(box)
		boxes = append(boxes, box)
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, float64(m), 0, float64(n)
	p.HideAxes()
	return p, boxes, nil
}

// matrixXYZ adapts a row-major n×m matrix to plotter.GridXYZ, row 0 at the
// top, cells centred on half-integers.
type matrixXYZ struct {
	w    []float64
	n, m int
}

func (g matrixXYZ) Dims() (c, r int)   { return g.m, g.n }
func (g matrixXYZ) Z(c, r int) float64 { return g.w[(g.n-1-r)*g.m+c] }
func (g matrixXYZ) X(c int) float64    { return float64(c) + 0.5 }
func (g matrixXYZ) Y(r int) float64    { return float64(r) + 0.5 }
