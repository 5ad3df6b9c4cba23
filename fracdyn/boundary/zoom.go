package boundary

import (
	"context"
	"fmt"

	"github.com/fracdyn/fracdyn/internal/progress"
	"github.com/gomlx/gomlx/backends"
)

// Level is one image of a zoom sequence.
type Level struct {
	Window Window
	Result *Result
	Mask   []bool // (R−1)×(R−1), see Mask
	Fit    Fit
}

// Zoom trains the grid of c, then levels−1 more grids, each window factor
// times smaller per side than the one before and centred on the boundary
// cell nearest that window's centre (NearestBoundary). It stops early,
// without error, at a level whose window holds no boundary. Progress
// counts steps over all levels.
func Zoom(ctx context.Context, b backends.Backend, c Config, levels int, factor float64, rep progress.Reporter) ([]Level, error) {
	if levels < 1 {
		return nil, fmt.Errorf("zoom: %d levels, want at least 1", levels)
	}
	if levels > 1 && !(factor > 1) {
		return nil, fmt.Errorf("zoom: factor %g, want more than 1", factor)
	}
	if rep == nil {
		rep = progress.Discard()
	}
	per := TotalSteps(c)
	var out []Level
	for k := range levels {
		res, err := Train(ctx, b, c, offset{rep, k * per})
		if err != nil {
			return out, err
		}
		mask, fit, err := res.Boundary()
		if err != nil {
			return out, err
		}
		out = append(out, Level{Window: c.Window, Result: res, Mask: mask, Fit: fit})
		rep.Log(fmt.Sprintf("zoom %d: window %v, boundary cells %d, D = %.3f (R² %.3f)", k, c.Window, fit.Cells, fit.Dimension, fit.R2))
		x, y, ok := NearestBoundary(mask, c.Resolution, c.Window)
		if !ok {
			break
		}
		c.Window = c.Window.Zoom(x, y, factor)
	}
	return out, nil
}

// TotalSteps is the number of progress units Train reports for c: the
// steps of each chunk of the grid, summed.
func TotalSteps(c Config) int {
	total := c.Resolution * c.Resolution
	chunk := min(c.chunk(), total)
	return (total + chunk - 1) / chunk * c.Steps
}

// NearestBoundary returns the centre, in window coordinates, of the on
// cell of an (n−1)×(n−1) boundary mask of an n×n grid over w that is
// nearest the window's centre (ties: the first in row-major order); ok is
// false for an empty mask.
func NearestBoundary(mask []bool, n int, w Window) (x, y float64, ok bool) {
	m := n - 1
	best := -1.0
	for i := range m {
		for j := range m {
			if !mask[i*m+j] {
				continue
			}
			di, dj := float64(i)+0.5-float64(m)/2, float64(j)+0.5-float64(m)/2
			if d := di*di + dj*dj; best < 0 || d < best {
				best = d
				x = w.XMin + (float64(j)+0.5)*(w.XMax-w.XMin)/float64(m)
				y = w.YMin + (float64(i)+0.5)*(w.YMax-w.YMin)/float64(m)
			}
		}
	}
	return x, y, best >= 0
}

// offset is a Reporter whose updates are shifted by base units.
type offset struct {
	progress.Reporter
	base int
}

func (o offset) Update(done int, status string) { o.Reporter.Update(o.base+done, status) }

// Done is a no-op: the caller ends the report after the last level.
func (o offset) Done(string) {}
