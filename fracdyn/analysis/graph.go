package analysis

import (
	"context"
	"fmt"

	"github.com/fracdyn/fracdyn/fracdyn/fractal"
	"github.com/fracdyn/fracdyn/fracdyn/segraph"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

// SegmentGraph builds the segment graph (segraph.Build) of the named layers
// of the run in dir at one snapshot epoch, cut at scale r: each layer read
// through its weights.PerKernel view and segmented with opts.Method, α
// weighted by the probe batch's activation maps unless opts.DataFree (then
// opts.Backend may be nil). Layers come in the run's order, whatever the
// order of names. It returns the graph and its layers, as Analyze and Fig2
// build them, for a closer look (notebooks 03 and 04).
func SegmentGraph(ctx context.Context, dir string, epoch int, names []string, r int, opts Options) (*segraph.Graph, []segraph.Layer, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, nil, err
	}
	run, arch, err := openRun(dir)
	if err != nil {
		return nil, nil, err
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	snap, err := run.Snapshot(epoch)
	if err != nil {
		return nil, nil, err
	}
	prober, err := runProber(run, arch, opts)
	if err != nil {
		return nil, nil, err
	}
	var means [][]float32
	if prober != nil {
		w := map[string][]float32{}
		for k, v := range snap.Weights {
			w[k] = v.Float32s()
		}
		if means, err = prober.Means(w); err != nil {
			return nil, nil, fmt.Errorf("run %s, epoch %d: %w", dir, epoch, err)
		}
	}
	var layers []segraph.Layer
	for i, info := range run.Config.Layers {
		if !want[info.Name] {
			continue
		}
		delete(want, info.Name)
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		wt, err := snap.LayerWeight(info)
		if err != nil {
			return nil, nil, err
		}
		v, err := info.View(weights.PerKernel)
		if err != nil {
			return nil, nil, err
		}
		seg, err := fractal.LayerSegments(wt, v.Shape, r, fractal.LayerOptions{Name: info.Name, Method: opts.Method})
		if err != nil {
			return nil, nil, fmt.Errorf("run %s, epoch %d: %w", dir, epoch, err)
		}
		l := segraph.Layer{Info: info, Index: i, Weights: wt, Segments: seg}
		if means != nil {
			l.Activation = means[i]
		}
		layers = append(layers, l)
	}
	for n := range want {
		return nil, nil, fmt.Errorf("run %s has no layer %q", dir, n)
	}
	g, err := segraph.Build(layers, segraph.Options{Pool: opts.Pool, DataFree: opts.DataFree, MaxEdges: opts.MaxEdges, AllPairs: opts.AllPairs})
	if err != nil {
		return nil, nil, fmt.Errorf("run %s, epoch %d: %w", dir, epoch, err)
	}
	return g, layers, nil
}
