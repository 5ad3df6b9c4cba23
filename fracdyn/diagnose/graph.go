package diagnose

import (
	"fmt"

	"github.com/fracdyn/fracdyn/fracdyn/fractal"
	"github.com/fracdyn/fracdyn/fracdyn/modelfile"
	"github.com/fracdyn/fracdyn/fracdyn/segraph"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

// GraphOptions tune KernelGraph.
type GraphOptions struct {
	// R is the segment size; a layer whose matrices are smaller uses its
	// largest valid scale below R. 0 means 2.
	R int
	// Kernel and Gamma turn feature distances into edge weights
	// (segraph.DefaultKernel and 1 when zero).
	Kernel segraph.Kernel
	Gamma  float64
	// Layer tunes the segment measures (estimator, threshold, workers).
	Layer fractal.LayerOptions
	// Activations, when not nil, holds the activation map A of every layer
	// by weight name (weights.Layer.WeightName, shaped as the layer's
	// OutShape, which must then be known: the
	// mean post-activation output over an input batch, e.g. from
	// ONNXActivations), and the graph uses the paper's α = A·FD·H, A pooled
	// to Pool×Pool (segraph.Options.Pool; 0 means segraph.DefaultPool).
	// Nil gives the data-free α = FD·H.
	Activations map[string][]float32
	Pool        int
	// Nodes, when not nil, receives every segment of the graph with its α.
	Nodes func(NodeRow) error
}

// NodeRow is one segment of the kernel graph with its feature: the columns
// of the run analysis's segment tables (fracdyn/analysis) that α concerns.
type NodeRow struct {
	Layer                   string
	Neuron, Channel, Row, C int
	R                       int
	FD, H                   float32
	// ANorm is the RMS of the segment's pooled activation (1 when data-free);
	// AlphaNorm the Euclidean norm ‖α‖ of its feature vector.
	ANorm, AlphaNorm float32
}

// EdgeSummary describes the edges between the segments of two consecutive
// layers in the data-free kernel graph.
type EdgeSummary struct {
	From, To           string
	RFrom, RTo         int
	NodesFrom, NodesTo int
	Edges              int
	Kernel             segraph.Kernel
	Gamma              float64
	// Weight and Dist summarise the kernel weights and feature distances
	// δ = |α_ω − α_λ| over the edges.
	Weight, Dist Stat
}

// KernelGraph builds the segment graph of the given layers of m (in
// forward order, each fed by the one before: Model.Layers, a run's layers
// or those derived from the file) and summarises its edges per pair of
// consecutive layers. Each weight is read in canonical order and cut per
// kernel (weights.PerKernel). Without opts.Activations its features are
// weight-only (segraph's data-free mode: α = FD·H per segment); with them,
// the paper's α = A·FD·H. Layers that are not dense or conv, or whose
// shapes do not chain, are an error before any weight is read. It holds
// every layer in memory.
func KernelGraph(m *modelfile.Model, layers []weights.Layer, opts GraphOptions) ([]EdgeSummary, error) {
	if opts.R == 0 {
		opts.R = 2
	}
	if opts.Kernel == "" {
		opts.Kernel = segraph.DefaultKernel
	}
	if opts.Gamma == 0 {
		opts.Gamma = 1
	}
	if err := segraph.CheckGamma(opts.Gamma); err != nil {
		return nil, err
	}
	if err := chained(layers); err != nil {
		return nil, fmt.Errorf("%s: kernel graph: %w", m.Path, err)
	}
	var segLayers []segraph.Layer
	for i, l := range layers {
		name := l.WeightName()
		view, err := l.View(weights.PerKernel)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m.Path, err)
		}
		w, err := m.ReadCanonical(name)
		if err != nil {
			return nil, err
		}
		valid := fractal.ValidScales(view.Rows, view.Cols)
		if len(valid) == 0 {
			return nil, fmt.Errorf("%s: %d×%d matrices have no valid scale", name, view.Rows, view.Cols)
		}
		r := valid[0]
		for _, v := range valid {
			if v <= opts.R {
				r = v
			}
		}
		lo := opts.Layer
		lo.Name = name
		seg, err := fractal.LayerSegments(w, view.Shape, r, lo)
		if err != nil {
			return nil, err
		}
		sl := segraph.Layer{Info: l, Index: i, Weights: w, Segments: seg}
		if opts.Activations != nil {
			a, ok := opts.Activations[name]
			if !ok {
				return nil, fmt.Errorf("%s: kernel graph: no activation map for %s", m.Path, name)
			}
			if len(l.OutShape) == 0 {
				return nil, fmt.Errorf("%s: kernel graph: the output shape of %s is unknown", m.Path, l.Name)
			}
			if len(a) != numel(l.OutShape) {
				return nil, fmt.Errorf("%s: kernel graph: activation map of %s has %d values, want %d for its output %v",
					m.Path, name, len(a), numel(l.OutShape), l.OutShape)
			}
			sl.Activation = a
		}
		segLayers = append(segLayers, sl)
	}
	g, err := segraph.Build(segLayers, segraph.Options{DataFree: opts.Activations == nil, Pool: opts.Pool})
	if err != nil {
		return nil, fmt.Errorf("%s: kernel graph: %w", m.Path, err)
	}
	if opts.Nodes != nil {
		for l, sl := range segLayers {
			seg := sl.Segments
			for s := range seg.Len() {
				id, n := seg.Segment(s), g.Offsets[l]+s
				row := NodeRow{Layer: g.Layers[l], Neuron: id.Neuron, Channel: id.Channel, Row: id.Row, C: id.Col,
					R: seg.R, FD: seg.FD[s], H: seg.H[s], ANorm: g.ANorm[n], AlphaNorm: g.AlphaNorm[n]}
				if err := opts.Nodes(row); err != nil {
					return nil, err
				}
			}
		}
	}
	w := make([]float32, len(g.Dist))
	segraph.Weights(w, g.Dist, opts.Kernel, opts.Gamma)
	groups := g.Groups()
	var out []EdgeSummary
	for l := 0; l+1 < len(g.Layers); l++ {
		var ws, ds []float32
		for e, s := range g.Src {
			if groups[s] == int32(l) {
				ws, ds = append(ws, w[e]), append(ds, g.Dist[e])
			}
		}
		out = append(out, EdgeSummary{
			From: g.Layers[l], To: g.Layers[l+1], RFrom: g.Scales[l], RTo: g.Scales[l+1],
			NodesFrom: g.Offsets[l+1] - g.Offsets[l], NodesTo: g.Offsets[l+2] - g.Offsets[l+1],
			Edges: len(ws), Kernel: opts.Kernel, Gamma: opts.Gamma, Weight: statOf(ws), Dist: statOf(ds),
		})
	}
	return out, nil
}

// chained checks that layers can form a segment graph: dense or conv
// layers, each fed by the one before, whose inputs match its outputs (a
// conv feeding a dense layer: a whole number of positions per channel).
func chained(layers []weights.Layer) error {
	if len(layers) < 2 {
		return fmt.Errorf("%d layers: a graph needs two", len(layers))
	}
	for i, l := range layers {
		if l.Kind != weights.Dense && l.Kind != weights.Conv {
			return fmt.Errorf("layer %s is %v; the graph joins dense and conv layers", l.Name, l.Kind)
		}
		if i == 0 {
			continue
		}
		p := layers[i-1]
		out, in := p.WeightShape[0], l.WeightShape[1]
		ok := l.Prev == i-1 && (in == out || p.Kind == weights.Conv && l.Kind == weights.Dense && in%out == 0)
		if !ok {
			return fmt.Errorf("layer %s (weight %v) is not fed by %s (weight %v)", l.Name, l.WeightShape, p.Name, p.WeightShape)
		}
	}
	return nil
}

// numel returns the number of elements of a tensor of the given shape.
func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}
