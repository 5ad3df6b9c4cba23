// Package figure draws fracdyn's figures with gonum/plot: one function per
// figure, each returning a plot (or a grid of plots), and one Save.
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

// Save writes p to path, with the format taken from the extension (.png,
// .svg, .pdf, .eps, .jpg, .tif), atomically.
func Save(p *plot.Plot, w, h vg.Length, path string) error {
	wt, err := p.WriterTo(w, h, format(path))
	if err != nil {
		return fmt.Errorf("figure %s: %w", path, err)
	}
	return fsutil.WriteFileAtomic(path, func(out io.Writer) error {
		_, err := wt.WriteTo(out)
		return err
	})
}

// SaveGrid draws plots as a rows×cols grid (row-major; nil cells stay empty)
// on one canvas of size w×h and writes it to path like Save.
func SaveGrid(plots [][]*plot.Plot, w, h vg.Length, path string) error {
	wt, err := DrawGrid(plots, w, h, format(path))
	if err != nil {
		return fmt.Errorf("figure %s: %w", path, err)
	}
	return fsutil.WriteFileAtomic(path, func(out io.Writer) error {
		_, err := wt.WriteTo(out)
		return err
	})
}

// DrawGrid draws plots as a grid onto a new canvas of the given format and
// returns it ready to be written.
func DrawGrid(plots [][]*plot.Plot, w, h vg.Length, format string) (io.WriterTo, error) {
	rows := len(plots)
	if rows == 0 || len(plots[0]) == 0 {
		return nil, fmt.Errorf("empty grid of plots")
	}
	cols := len(plots[0])
	c, err := newCanvas(w, h, format)
	if err != nil {
		return nil, err
	}
	dc := draw.New(c)
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Millimeter, PadY: vg.Millimeter,
		PadTop: vg.Millimeter, PadBottom: vg.Millimeter, PadLeft: vg.Millimeter, PadRight: vg.Millimeter}
	canvases := plot.Align(plots, tiles, dc)
	for i := range plots {
		for j := range plots[i] {
			if plots[i][j] != nil {
				plots[i][j].Draw(canvases[i][j])
			}
		}
	}
	return c.(io.WriterTo), nil
}

func newCanvas(w, h vg.Length, format string) (vg.CanvasWriterTo, error) {
	return draw.NewFormattedCanvas(w, h, format)
}

func format(path string) string {
	return strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
}
