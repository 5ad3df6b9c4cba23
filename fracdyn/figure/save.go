// Package figure draws fracdyn's figures with gonum/plot. Every figure
// function returns a Figure (a *Plot or a *Grid, each with its size), one
// Save writes any of them in the format its extension names, and Encode
// writes one to a stream (fracdyn/notebook shows them in GoNB with it).
//
//	fig, err := figure.SegmentCounts(nil) // Fig 1
//	err = figure.Save(fig, "fig1.png")    // or .svg, .pdf, .eps, .jpg, .tif
package figure

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/fracdyn/fracdyn/internal/fsutil"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Default sizes of a single figure.
const (
	Width  = 6 * vg.Inch
	Height = 4 * vg.Inch
)

// Figure is what every figure function returns: something that draws
// itself on a canvas, at a size of its own.
type Figure interface {
	// Draw draws the figure on c.
	Draw(c draw.Canvas)
	// Size is the figure's width and height.
	Size() (w, h vg.Length)
}

// barWidth is the width of a colour bar's area when none is set.
const barWidth = 0.9 * vg.Inch

// Plot is one gonum plot, optionally with a colour bar to its right (the
// bar is a plot of its own, so that both are drawn on one canvas).
type Plot struct {
	*plot.Plot
	// Bar, when not nil, is drawn in a strip of BarWidth (0: 0.9 inch) on
	// the right.
	Bar      *plot.Plot
	BarWidth vg.Length
	// W, H is the size; 0: Width, Height.
	W, H vg.Length
}

// NewPlot wraps p as a Figure of the default size.
func NewPlot(p *plot.Plot) *Plot { return &Plot{Plot: p} }

// Size returns the plot's size.
func (p *Plot) Size() (w, h vg.Length) { return orDefault(p.W, Width), orDefault(p.H, Height) }

// Draw draws the plot, and its colour bar if it has one, on c.
func (p *Plot) Draw(c draw.Canvas) {
	if p.Bar == nil {
		p.Plot.Draw(c)
		return
	}
	bw := orDefault(p.BarWidth, barWidth)
	p.Plot.Draw(draw.Crop(c, 0, -bw, 0, 0))
	p.Bar.Draw(draw.Crop(c, c.Max.X-c.Min.X-bw, 0, 0, 0))
}

// Grid is plots tiled in rows and columns, aligned on their axes,
// optionally sharing one colour bar on the right.
type Grid struct {
	Plots [][]*plot.Plot // row-major; nil cells stay empty
	// Bar, when not nil, is drawn in a strip of BarWidth (0: 0.9 inch) on
	// the right.
	Bar      *plot.Plot
	BarWidth vg.Length
	// W, H is the size; 0: Width per column, Height per row.
	W, H vg.Length
}

// NewGrid wraps plots (row-major, nil cells empty) as a Figure of the
// default size.
func NewGrid(plots [][]*plot.Plot) *Grid { return &Grid{Plots: plots} }

// Size returns the grid's size.
func (g *Grid) Size() (w, h vg.Length) {
	cols := 0
	if len(g.Plots) > 0 {
		cols = len(g.Plots[0])
	}
	return orDefault(g.W, Width*vg.Length(cols)), orDefault(g.H, Height*vg.Length(len(g.Plots)))
}

// Draw draws the grid, and its colour bar if it has one, on c.
func (g *Grid) Draw(c draw.Canvas) {
	area, bw := c, orDefault(g.BarWidth, barWidth)
	if g.Bar != nil {
		area = draw.Crop(c, 0, -bw, 0, 0)
	}
	tiles := draw.Tiles{Rows: len(g.Plots), Cols: len(g.Plots[0]), PadX: vg.Millimeter, PadY: vg.Millimeter,
		PadTop: vg.Millimeter, PadBottom: vg.Millimeter, PadLeft: vg.Millimeter, PadRight: vg.Millimeter}
	cells := plot.Align(g.Plots, tiles, area)
	for i := range g.Plots {
		for j := range g.Plots[i] {
			if g.Plots[i][j] != nil {
				g.Plots[i][j].Draw(cells[i][j])
			}
		}
	}
	if g.Bar != nil {
		g.Bar.Draw(draw.Crop(c, c.Max.X-c.Min.X-bw, 0, 0, 0))
	}
}

func orDefault(v, def vg.Length) vg.Length {
	if v == 0 {
		return def
	}
	return v
}

// Save writes fig to path, atomically, in the format the extension names
// (case-insensitive): png, svg, pdf, eps, jpg or jpeg, tif or tiff.
func Save(fig Figure, path string) error {
	f := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	c, err := render(fig, f)
	if err != nil {
		return fmt.Errorf("figure %s: %w", path, err)
	}
	return fsutil.WriteFileAtomic(path, func(out io.Writer) error {
		_, err := c.WriteTo(out)
		return err
	})
}

// Encode writes fig to w in format ("png", "svg", … as for Save).
func Encode(w io.Writer, fig Figure, format string) error {
	c, err := render(fig, strings.ToLower(format))
	if err != nil {
		return fmt.Errorf("figure: %w", err)
	}
	if _, err := c.WriteTo(w); err != nil {
		return fmt.Errorf("figure: writing %s: %w", format, err)
	}
	return nil
}

// render draws fig on a new canvas of its size in format.
func render(fig Figure, format string) (vg.CanvasWriterTo, error) {
	if g, ok := fig.(*Grid); ok && (len(g.Plots) == 0 || len(g.Plots[0]) == 0) {
		return nil, fmt.Errorf("empty grid of plots")
	}
	w, h := fig.Size()
	c, err := draw.NewFormattedCanvas(w, h, format)
	if err != nil {
		return nil, err
	}
	fig.Draw(draw.New(c))
	return c, nil
}
