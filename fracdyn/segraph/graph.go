package segraph

import (
	"fmt"
	"math"

	"github.com/fracdyn/fracdyn/fracdyn/fractal"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

// Layer is one layer's share of a segment graph.
type Layer struct {
	Info  weights.Layer // name, kind, canonical shapes, Prev
	Index int           // the layer's index in its model's layer list
	// Weights in canonical (PyTorch) order: conv [out,in,kh,kw], dense [out,in].
	Weights []float32
	// Segments are the layer's segments at one scale, with the chosen
	// estimator's FD and the entropy H of each (fractal.LayerSegments).
	Segments *fractal.LayerResult
	// Activation is the mean post-activation output over the probe batch,
	// shaped Info.OutShape (conv [C,H,W], dense [N]); nil in data-free mode.
	Activation []float32
}

// Options tune Build. The zero value gives the defaults.
type Options struct {
	// Pool is the side P of the grid a conv activation map is average-pooled
	// to, so that every α has P² values (default 4; capped at the map side).
	Pool int
	// DataFree drops A: α = FD·H (a constant vector).
	DataFree bool
	// AllPairs joins every segment of a layer with every segment of the
	// next, instead of only the pairs the architecture connects.
	AllPairs bool
	// MaxEdges bounds the edge count (default DefaultMaxEdges, or
	// DefaultEdgeBudget with SampleEdges); more is an error unless
	// SampleEdges.
	MaxEdges int
	// SampleEdges keeps a graph that would exceed MaxEdges by thinning
	// each connection (see the package doc, "Graphs too large to build")
	// instead of failing.
	SampleEdges bool
	// NormsOnly computes only Graph.ANorm and Graph.AlphaNorm: no α
	// (Graph.Alpha nil, its n·P² values never stored), no segment weights
	// and no edges, for a per-segment table of the norms.
	NormsOnly bool
}

// DefaultPool is the default side of the pooled activation grid.
const DefaultPool = 4

// The default edge limits of Build (Options.MaxEdges when 0): a graph
// built whole may have DefaultMaxEdges edges (a memory guard); a graph
// thinned with Options.SampleEdges is thinned to DefaultEdgeBudget, the
// budget that bounds the cost of a graph and of its GCN fits whatever the
// layers' sizes (fracdyn analyze's default).
const (
	DefaultMaxEdges   = 20_000_000
	DefaultEdgeBudget = 200_000
)

// Graph is the segment graph of consecutive layers: one node per segment,
// its feature α, and sparse edges between the segments of connected layers.
type Graph struct {
	Layers  []string
	Scales  []int // r of each layer
	Offsets []int // node range of layer l: [Offsets[l], Offsets[l+1])
	// Dim is the length P² of every α; Alpha is N×Dim row-major.
	Dim   int
	Alpha []float32
	// ANorm is the RMS of each node's pooled activation (1 in data-free
	// mode); AlphaNorm the Euclidean norm ‖α‖.
	ANorm, AlphaNorm []float32
	// SegDim is the largest r² of the layers; SegWeights is N×SegDim, each
	// row the segment's weights row-major, zero-padded.
	SegDim     int
	SegWeights []float32
	// Src, Dst list the edges (Src in a layer, Dst in the next layer), and
	// Dist the distance ‖α_src − α_dst‖ (RMS, see Distances) of each.
	Src, Dst []int32
	Dist     []float32
	// Strides[l] is the thinning of the edges from layer l to layer l+1:
	// 1 when all are present, k when Options.SampleEdges kept about one
	// in k. FullEdges is the edge count of the complete graph.
	Strides   []int
	FullEdges int
}

// N is the number of nodes.
func (g *Graph) N() int { return g.Offsets[len(g.Offsets)-1] }

// Groups returns the layer index of every node (for gcn.LayerPairs).
func (g *Graph) Groups() []int32 {
	out := make([]int32, g.N())
	for l := range g.Layers {
		for i := g.Offsets[l]; i < g.Offsets[l+1]; i++ {
			out[i] = int32(l)
		}
	}
	return out
}

// EdgeWeights returns the kernel's weight of every edge (aligned with Src
// and Dst), the weights of the GCN's graph.
func (g *Graph) EdgeWeights(k Kernel, gamma float64) []float32 {
	w := make([]float32, len(g.Dist))
	Weights(w, g.Dist, k, gamma)
	return w
}

// LinearWeights returns the linear-similarity baseline weight of every
// edge: the dot product α_src·α_dst / Dim, divided by its largest value
// over the edges so that weights lie in [0, 1] like the kernels'. α ≥ 0
// (A is post-ReLU, FD and H are ≥ 0), so the weights are non-negative;
// any negative value (other activations) is clamped to 0.
func (g *Graph) LinearWeights() []float32 {
	w := make([]float32, len(g.Src))
	d := g.Dim
	var hi float32
	for e := range w {
		a, b := g.Alpha[int(g.Src[e])*d:int(g.Src[e])*d+d], g.Alpha[int(g.Dst[e])*d:int(g.Dst[e])*d+d]
		var s float32
		for j := range a {
			s += a[j] * b[j]
		}
		w[e] = max(s/float32(d), 0)
		hi = max(hi, w[e])
	}
	if hi > 0 {
		for e := range w {
			w[e] /= hi
		}
	}
	return w
}

// InputFeatures returns the GCN's node features: [α, S] (Dim + SegDim
// columns), each column standardised to mean 0 and variance 1 over the
// nodes (a constant column becomes 0), so that neither block dominates by
// scale.
func (g *Graph) InputFeatures() (x []float32, f int) {
	n := g.N()
	f = g.Dim + g.SegDim
	x = make([]float32, n*f)
	// Rows are copied and summed in fixed blocks on every CPU; the blocks'
	// column sums are then added in block order.
	const block = 1 << 14
	part := make([]float64, (n+block-1)/block*2*f) // per block: Σx, Σx² per column
	parallelBlocks(n, block, func(k, lo, hi int) {
		sum, sq := part[2*k*f:(2*k+1)*f], part[(2*k+1)*f:(2*k+2)*f]
		for i := lo; i < hi; i++ {
			row := x[i*f : (i+1)*f]
			copy(row, g.Alpha[i*g.Dim:(i+1)*g.Dim])
			copy(row[g.Dim:], g.SegWeights[i*g.SegDim:(i+1)*g.SegDim])
			for j, v := range row {
				sum[j] += float64(v)
				sq[j] += float64(v) * float64(v)
			}
		}
	})
	mean, sd := make([]float64, f), make([]float64, f) // sd 0: a constant column
	for j := range f {
		var s, ss float64
		for k := 0; k < len(part); k += 2 * f {
			s += part[k+j]
			ss += part[k+f+j]
		}
		mean[j] = s / float64(n)
		if d := math.Sqrt(max(ss/float64(n)-mean[j]*mean[j], 0)); d > 1e-12 {
			sd[j] = d
		}
	}
	parallelBlocks(n, block, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			row := x[i*f : (i+1)*f]
			for j, v := range row {
				if sd[j] != 0 {
					row[j] = float32((float64(v) - mean[j]) / sd[j])
				} else {
					row[j] = 0
				}
			}
		}
	})
	return x, f
}

// Build computes the features of every segment of the given layers and the
// edges between consecutive ones. layers must be in forward order, each one
// fed by the one before it (Info.Prev == previous Index).
//
// α_S = A_S · FD(S) · H(S), with A_S the pooled activation of the
// segment's neuron (see Options.Pool and the package doc).
func Build(layers []Layer, opts Options) (*Graph, error) {
	if len(layers) == 0 {
		return nil, fmt.Errorf("segraph: no layers")
	}
	if opts.Pool <= 0 {
		opts.Pool = DefaultPool
	}
	if opts.MaxEdges <= 0 {
		opts.MaxEdges = DefaultMaxEdges
		if opts.SampleEdges {
			opts.MaxEdges = DefaultEdgeBudget
		}
	}
	g := &Graph{Dim: opts.Pool * opts.Pool, Offsets: []int{0}}
	for i, l := range layers {
		if l.Segments == nil {
			return nil, fmt.Errorf("segraph: layer %s has no segments", l.Info.Name)
		}
		if i > 0 && l.Info.Prev != layers[i-1].Index {
			return nil, fmt.Errorf("segraph: layer %s is not fed by %s", l.Info.Name, layers[i-1].Info.Name)
		}
		switch {
		case l.Info.Kind != weights.Conv && l.Info.Kind != weights.Dense:
			return nil, fmt.Errorf("segraph: layer %s is a %v layer; the graph joins dense and conv layers", l.Info.Name, l.Info.Kind)
		case l.Info.Kind == weights.Conv && !l.Segments.View.Conv:
			return nil, fmt.Errorf("segraph: conv layer %s is not cut per kernel (weights.PerKernel view of a kernel larger than 1×1)", l.Info.Name)
		case !opts.DataFree && len(l.Info.OutShape) == 0:
			return nil, fmt.Errorf("segraph: layer %s has no output shape for its activation map", l.Info.Name)
		}
		if !opts.DataFree && l.Activation == nil {
			return nil, fmt.Errorf("segraph: layer %s has no activation map (use data-free mode without probe data)", l.Info.Name)
		}
		g.Layers = append(g.Layers, l.Info.Name)
		g.Scales = append(g.Scales, l.Segments.R)
		g.Offsets = append(g.Offsets, g.Offsets[i]+l.Segments.Len())
		g.SegDim = max(g.SegDim, l.Segments.R*l.Segments.R)
	}
	n := g.N()
	g.ANorm = make([]float32, n)
	g.AlphaNorm = make([]float32, n)
	if !opts.NormsOnly {
		g.Alpha = make([]float32, n*g.Dim)
	}
	if !opts.NormsOnly {
		g.SegWeights = make([]float32, n*g.SegDim)
	}
	for i, l := range layers {
		if err := g.layerFeatures(l, g.Offsets[i], opts); err != nil {
			return nil, err
		}
	}
	if opts.NormsOnly {
		return g, nil
	}
	for i := 1; i < len(layers); i++ {
		if err := g.connect(layers[i-1], layers[i], g.Offsets[i-1], g.Offsets[i], opts); err != nil {
			return nil, err
		}
	}
	g.Dist = make([]float32, len(g.Src))
	Distances(g.Dist, g.Alpha, g.Dim, g.Src, g.Dst)
	return g, nil
}

// layerFeatures fills α (when g has it), ‖A‖, ‖α‖ and the segment
// weights of one layer.
func (g *Graph) layerFeatures(l Layer, off int, opts Options) error {
	seg := l.Segments
	v, r, d := seg.View, seg.R, g.Dim
	var amap func(pooled []float32, id fractal.SegmentID) // the segment's pooled activation
	switch {
	case opts.DataFree:
		amap = func(pooled []float32, _ fractal.SegmentID) {
			for j := range pooled {
				pooled[j] = 1
			}
		}
	case l.Info.Kind == weights.Conv:
		c, h, w := l.Info.OutShape[0], l.Info.OutShape[1], l.Info.OutShape[2]
		if len(l.Activation) != c*h*w {
			return fmt.Errorf("segraph: layer %s activation has %d values, want %d", l.Info.Name, len(l.Activation), c*h*w)
		}
		p := opts.Pool
		amap = func(pooled []float32, id fractal.SegmentID) {
			poolMap(pooled, l.Activation[id.Neuron*h*w:(id.Neuron+1)*h*w], h, w, p)
		}
	default:
		units := l.Info.OutShape[0]
		if len(l.Activation) != units {
			return fmt.Errorf("segraph: layer %s activation has %d values, want %d", l.Info.Name, len(l.Activation), units)
		}
		amap = func(pooled []float32, id fractal.SegmentID) {
			var s float64
			for u := id.Row; u < id.Row+r; u++ {
				s += float64(l.Activation[u])
			}
			for j := range pooled {
				pooled[j] = float32(s / float64(r))
			}
		}
	}
	q := seg.PerMatrix()
	// Each segment's features are its own: blocks of segments run on every CPU.
	parallelBlocks(seg.Len(), 1<<14, func(_, lo, hi int) {
		pooled := make([]float32, d)
		scratch := make([]float32, d) // α of one segment when g stores none
		for s := lo; s < hi; s++ {
			id := seg.Segment(s)
			amap(pooled, id)
			fd, h := float64(seg.FD[s]), float64(seg.H[s])
			if math.IsNaN(fd) {
				fd = 0
			}
			scale := float32(fd * h)
			node := off + s
			alpha := scratch
			if g.Alpha != nil {
				alpha = g.Alpha[node*d : (node+1)*d]
			}
			var an, aa float64
			for j, a := range pooled {
				alpha[j] = a * scale
				an += float64(a) * float64(a)
				aa += float64(alpha[j]) * float64(alpha[j])
			}
			g.ANorm[node] = float32(math.Sqrt(an / float64(d)))
			g.AlphaNorm[node] = float32(math.Sqrt(aa))
			// Segment weights.
			if g.SegWeights == nil {
				continue
			}
			mat := s / q
			base := mat * v.Rows * v.Cols
			out := g.SegWeights[node*g.SegDim:]
			for a := range r {
				copy(out[a*r:(a+1)*r], l.Weights[base+(id.Row+a)*v.Cols+id.Col:base+(id.Row+a)*v.Cols+id.Col+r])
			}
		}
	})
	return nil
}

// poolMap average-pools an h×w map into a p×p grid (p capped at min(h,w));
// bin i covers rows [i·h/p, (i+1)·h/p). With p < P the grid is repeated to
// fill dst, which has P² values.
func poolMap(dst, m []float32, h, w, p int) {
	p = min(p, h, w)
	P := 1
	for P*P < len(dst) {
		P++
	}
	for bi := range P {
		for bj := range P {
			i0, i1 := (bi%p)*h/p, (bi%p+1)*h/p
			j0, j1 := (bj%p)*w/p, (bj%p+1)*w/p
			var s float64
			for i := i0; i < i1; i++ {
				for j := j0; j < j1; j++ {
					s += float64(m[i*w+j])
				}
			}
			dst[bi*P+bj] = float32(s / float64((i1-i0)*(j1-j0)))
		}
	}
}
