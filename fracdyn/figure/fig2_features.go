package figure

import (
	"fmt"
	"math"

	"github.com/fracdyn/fracdyn/fracdyn/fractal"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// FeatureGrid is the heat map of one conv neuron's segment features (Fig 2
// left): the neuron's kernels, one per input channel, tiled row-major in
// a grid TilesX wide, each kernel drawn as its segments at their origins
// (2×2 for a 3×3 kernel at r = 2).
type FeatureGrid struct {
	Layer      string
	Neuron     int
	Rows, Cols int       // cells of the whole map
	Values     []float64 // Rows×Cols row-major; NaN where no segment lies
}

// Value returns the cell (row, col).
func (g FeatureGrid) Value(row, col int) float64 { return g.Values[row*g.Cols+col] }

// FeatureGrids lays out the per-segment values of a conv layer (one per
// segment, in fractal.LayerResult order, e.g. ‖α‖ from segraph.Graph) as
// one FeatureGrid per output neuron.
func FeatureGrids(seg *fractal.LayerResult, values []float32) ([]FeatureGrid, error) {
	if !seg.View.Conv {
		return nil, fmt.Errorf("figure: %s is not a conv layer", seg.Layer)
	}
	if len(values) != seg.Len() {
		return nil, fmt.Errorf("figure: %d values for the %d segments of %s", len(values), seg.Len(), seg.Layer)
	}
	out, in := seg.Shape[0], seg.Shape[1]
	tr, tc := len(seg.RowOrigins), len(seg.ColOrigins)
	tilesX := int(math.Ceil(math.Sqrt(float64(in))))
	tilesY := (in + tilesX - 1) / tilesX
	grids := make([]FeatureGrid, out)
	q := seg.PerMatrix()
	for k := range out {
		g := FeatureGrid{Layer: seg.Layer, Neuron: k, Rows: tilesY * tr, Cols: tilesX * tc}
		g.Values = make([]float64, g.Rows*g.Cols)
		for i := range g.Values {
			g.Values[i] = math.NaN()
		}
		for c := range in {
			ty, tx := c/tilesX, c%tilesX
			for s := range q {
				a, b := s/tc, s%tc
				g.Values[(ty*tr+a)*g.Cols+tx*tc+b] = float64(values[(k*in+c)*q+s])
			}
		}
		grids[k] = g
	}
	return grids, nil
}

// gridXYZ adapts a FeatureGrid to plotter.GridXYZ, row 0 at the top.
type gridXYZ struct{ g FeatureGrid }

func (x gridXYZ) Dims() (c, r int)   { return x.g.Cols, x.g.Rows }
func (x gridXYZ) Z(c, r int) float64 { return x.g.Value(x.g.Rows-1-r, c) }
func (x gridXYZ) X(c int) float64    { return float64(c) }
func (x gridXYZ) Y(r int) float64    { return float64(r) }

// SegmentFeatures draws the left panel of the paper's Fig 2: the feature grids as small heat maps, cols per row,
// on one colour scale (the range of all values), titled "layer k".
func SegmentFeatures(grids []FeatureGrid, cols int) (*Grid, error) {
	if len(grids) == 0 || cols < 1 {
		return nil, fmt.Errorf("figure: no feature grids (or cols < 1)")
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, g := range grids {
		for _, v := range g.Values {
			if !math.IsNaN(v) {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	if math.IsInf(lo, 0) {
		return nil, fmt.Errorf("figure: feature grids hold no values")
	}
	if hi == lo {
		hi = lo + 1
	}
	rows := (len(grids) + cols - 1) / cols
	out := make([][]*plot.Plot, rows)
	for i := range out {
		out[i] = make([]*plot.Plot, cols)
	}
	for i, g := range grids {
		p := plot.New()
		p.Title.Text = fmt.Sprintf("%s %d", g.Layer, g.Neuron)
		p.HideAxes()
		h := plotter.NewHeatMap(gridXYZ{g}, heatPalette())
		h.Min, h.Max = lo, hi
		h.NaN = nil
		p.Add(h)
		out[i/cols][i%cols] = p
	}
	cell := 1.3 * vg.Inch
	return &Grid{Plots: out, W: cell * vg.Length(cols), H: cell * vg.Length(rows)}, nil
}
