package analysis

import (
	"fmt"
	"path/filepath"

	"github.com/fracdyn/fracdyn/fracdyn/figure"
	"github.com/fracdyn/fracdyn/fracdyn/segraph"
)

// drawFig2 writes Fig 2 for a graph into out, once per format: feature heat
// maps per layer (fig2-features<suffix>-LAYER) and the kernel interactions
// between its first two layers (fig2-kernels<suffix>). It returns the paths.
func drawFig2(out, suffix string, formats []string, g *segraph.Graph, layers []*layerScale, opts Options) ([]string, error) {
	var written []string
	const cols = 8
	for l, ls := range layers {
		grids, err := figure.FeatureGrids(ls.layer.Segments, g.AlphaNorm[g.Offsets[l]:g.Offsets[l+1]])
		if err != nil {
			return nil, err
		}
		fig, err := figure.SegmentFeatures(grids, cols)
		if err != nil {
			return nil, err
		}
		for _, f := range formats {
			path := filepath.Join(out, fmt.Sprintf("fig2-features%s-%s.%s", suffix, ls.layer.Info.Name, f))
			if err := figure.Save(fig, path); err != nil {
				return nil, err
			}
			written = append(written, path)
		}
	}
	var panels []*figure.KernelPanel
	for _, gamma := range opts.FigureGammas {
		p, err := figure.KernelInteractions(g, 0, layers[0].layer.Segments, layers[1].layer.Segments, opts.Kernel, gamma)
		if err != nil {
			return nil, err
		}
		panels = append(panels, p)
	}
	fig, err := figure.KernelWeights(panels, 40)
	if err != nil {
		return nil, err
	}
	for _, f := range formats {
		path := filepath.Join(out, fmt.Sprintf("fig2-kernels%s.%s", suffix, f))
		if err := figure.Save(fig, path); err != nil {
			return nil, err
		}
		written = append(written, path)
	}
	return written, nil
}
