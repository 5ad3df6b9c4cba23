package analysis

import (
	"context"
	"fmt"
	"os"

	"github.com/fracdyn/fracdyn/fracdyn/segraph"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

// Fig2 draws the paper's Fig 2 for one epoch of the run in dir, into outDir
// and once per format ("png", "svg", ...):
//
//	fig2-features-LAYER  segment features ‖α‖ per neuron-channel (left), one per conv layer
//	fig2-kernels         kernel interactions conv1→conv2 at opts.FigureGammas (right)
//
// It measures the conv layers at r = 2 (their only scale) exactly as Analyze
// does, with the same options, but trains no surrogate and writes no tables.
// A run without conv layers (the MLP) is an error.
func Fig2(ctx context.Context, dir string, epoch int, outDir string, formats []string, opts Options) ([]string, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	r, arch, err := openRun(dir)
	if err != nil {
		return nil, err
	}
	all := r.Config.Layers
	var conv []int
	for i, l := range all {
		if l.Kind == weights.Conv {
			conv = append(conv, i)
		}
	}
	if len(conv) < 2 {
		return nil, fmt.Errorf("run %s: Fig 2 needs two conv layers; %s has %d", dir, r.Config.Arch, len(conv))
	}
	snap, err := r.Snapshot(epoch)
	if err != nil {
		return nil, err
	}
	prober, err := runProber(r, arch, opts)
	if err != nil {
		return nil, err
	}
	var means [][]float32
	if !opts.DataFree {
		if means, _, err = activationMaps(snap, r, conv[:2], prober); err != nil {
			return nil, err
		}
	}
	var layers []*layerScale
	var segs []segraph.Layer
	for _, i := range conv[:2] {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		info := all[i]
		wt, err := snap.LayerWeight(info)
		if err != nil {
			return nil, err
		}
		base := segraph.Layer{Info: info, Index: i, Weights: wt}
		if means != nil {
			base.Activation = means[i]
		}
		var grads []float32
		if g, err := snap.LayerGrad(info); err == nil {
			grads = g
		}
		ls, err := measureLayer(base, grads, 2, opts)
		if err != nil {
			return nil, fmt.Errorf("epoch %d: %w", epoch, err)
		}
		layers = append(layers, ls)
		segs = append(segs, ls.layer)
	}
	g, err := segraph.Build(segs, segraph.Options{Pool: opts.Pool, DataFree: opts.DataFree, MaxEdges: opts.MaxEdges, AllPairs: opts.AllPairs})
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, fmt.Errorf("figures: %w", err)
	}
	return drawFig2(outDir, "", formats, g, layers, opts)
}
