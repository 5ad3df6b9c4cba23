package analysis

import (
	"fmt"
	"path/filepath"

	"github.com/fracdyn/fracdyn/fracdyn/figure"
	"github.com/fracdyn/fracdyn/fracdyn/segraph"
	"gonum.org/v1/plot/vg"
)

// drawFig2 writes Fig 2 for a graph: feature heat maps per layer and the
// kernel interactions between its first two layers.
func drawFig2(out string, epoch int, g *segraph.Graph, layers []*layerScale, opts Options) error {
	const cols = 8
	for l, ls := range layers {
		grids, err := figure.FeatureGrids(ls.layer.Segments, g.AlphaNorm[g.Offsets[l]:g.Offsets[l+1]])
		if err != nil {
			return err
		}
		plots, err := figure.Fig2Features(grids, cols)
		if err != nil {
			return err
		}
		path := filepath.Join(out, fmt.Sprintf("fig2-features-epoch-%03d-%s.png", epoch, ls.layer.Info.Name))
		if err := figure.SaveGrid(plots, 1.3*vg.Inch*cols, 1.3*vg.Inch*vg.Length(len(plots)), path); err != nil {
			return err
		}
	}
	var panels []*figure.KernelPanel
	for _, gamma := range opts.FigureGammas {
		p, err := figure.KernelInteractions(g, 0, layers[0].layer.Segments, layers[1].layer.Segments, opts.Kernel, gamma)
		if err != nil {
			return err
		}
		panels = append(panels, p)
	}
	plots, err := figure.Fig2Kernels(panels, 40)
	if err != nil {
		return err
	}
	path := filepath.Join(out, fmt.Sprintf("fig2-kernels-epoch-%03d.png", epoch))
	return figure.SaveGrid(plots, 3.2*vg.Inch*vg.Length(len(panels)), 6*vg.Inch, path)
}
