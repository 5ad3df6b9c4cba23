package run

import (
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/fracdyn/fracdyn/fracdyn/fractal"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
	"github.com/fracdyn/fracdyn/internal/fsutil"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// Files of the tracked-segment series.
const (
	SegmentsFile     = "steps-segments.npy"
	SegmentsMeanFile = "steps-segments-mean.npy"
	SegmentsIndex    = "segments-index.csv"
)

// TrackedSegment is one row of segments-index.csv: the r×r block of a
// layer's weight whose gradient norm is column Column of
// steps-segments.npy (and whose signed gradient mean is the same column of
// steps-segments-mean.npy).
//
// Conv weights [out,in,kh,kw] are cut per (out,in) kernel: Neuron is out,
// Channel is in, and Row, Col are the block's origin inside the kh×kw
// kernel. Dense weights [out,in] are cut as one matrix: Neuron and Channel
// are -1 and Row, Col are the origin in the out×in matrix (rows are output
// neurons). Origins follow fractal.Origins: the last block is shifted back
// to end at the edge.
type TrackedSegment struct {
	Column          int
	Layer           string
	Neuron, Channel int
	Row, Col        int
	R               int
}

// layerSegments enumerates the r×r blocks of one layer's weight in the order
// (neuron, channel, row, col).
type layerSegments struct {
	layer      weights.Layer
	r          int
	conv       bool
	kernels    int   // conv: out*in; dense: 1
	in         int   // conv: in channels
	rows, cols []int // block origins inside a kernel (conv) or the matrix (dense)
	h, w       int   // kernel (conv) or matrix (dense) dimensions
	// stored maps a flat index of the canonical weight to the flat index
	// of the same entry in the stored layout (layer.Layout).
	stored func(int) int
}

func newLayerSegments(l weights.Layer, r int) (*layerSegments, bool) {
	s := &layerSegments{layer: l, r: r}
	switch {
	case l.Kind == weights.Conv && len(l.WeightShape) == 4:
		s.conv = true
		s.kernels = l.WeightShape[0] * l.WeightShape[1]
		s.in = l.WeightShape[1]
		s.h, s.w = l.WeightShape[2], l.WeightShape[3]
	case l.Kind == weights.Dense && len(l.WeightShape) == 2:
		s.kernels = 1
		s.h, s.w = l.WeightShape[0], l.WeightShape[1]
	default:
		panic(fmt.Sprintf("run: layer %q: kind %v with weight shape %v", l.Name, l.Kind, l.WeightShape))
	}
	if r > s.h || r > s.w {
		return nil, false
	}
	s.stored = storedIndex(l)
	s.rows, s.cols = fractal.Origins(s.h, r), fractal.Origins(s.w, r)
	return s, true
}

func (s *layerSegments) count() int { return s.kernels * len(s.rows) * len(s.cols) }

// segment returns the k-th segment and the flat index of its top-left
// weight entry.
func (s *layerSegments) segment(k int) (TrackedSegment, int) {
	nc := len(s.cols)
	nr := len(s.rows)
	col := s.cols[k%nc]
	row := s.rows[(k/nc)%nr]
	kernel := k / (nc * nr)
	t := TrackedSegment{Layer: s.layer.Name, Neuron: -1, Channel: -1, Row: row, Col: col, R: s.r}
	base := kernel*s.h*s.w + row*s.w + col
	if s.conv {
		t.Neuron, t.Channel = kernel/s.in, kernel%s.in
	}
	return t, base
}

// storedIndex returns the map from a flat index into the canonical weight
// [out,in,kh,kw] or [out,in] of l to the flat index of the same entry as l
// stores it: identity for the canonical layouts, else the permutation of
// weights.Layout (HWIO [kh,kw,in,out], IO [in,out]).
func storedIndex(l weights.Layer) func(int) int {
	sh := l.WeightShape
	switch l.Layout {
	case weights.HWIO:
		out, in, kh, kw := sh[0], sh[1], sh[2], sh[3]
		return func(c int) int {
			x, y := c%kw, (c/kw)%kh
			i, o := (c/(kw*kh))%in, c/(kw*kh*in)
			return ((y*kw+x)*in+i)*out + o
		}
	case weights.IO:
		out, in := sh[0], sh[1]
		return func(c int) int { return (c%in)*out + c/in }
	}
	return func(c int) int { return c }
}

// trackPlan holds, per layer, the flat indices of the r×r entries of every
// tracked segment, to gather them from the layer's gradient in the graph.
type trackPlan struct {
	segments []TrackedSegment
	layers   []string  // layers with tracked segments, in forward order
	indices  [][]int32 // per layer: [segments*r*r] flat indices into the weight
	r        int
	skipped  []string
}

// planTracking chooses the tracked segments. In mode "default" the first
// layer, when it is a convolution (the paper CNN's conv1), is tracked whole
// and every other layer by a sample of min(sample, all) segments drawn
// without replacement by a PCG generator seeded by (seed, layer index), kept
// in enumeration order; in mode "all" every segment of every layer is.
// Layers whose kernel or matrix is smaller than r are skipped.
func planTracking(layers []weights.Layer, mode string, r, sample int, seed int64) *trackPlan {
	p := &trackPlan{r: r}
	for li, l := range layers {
		s, ok := newLayerSegments(l, r)
		if !ok {
			p.skipped = append(p.skipped, l.Name)
			continue
		}
		n := s.count()
		var picks []int
		if mode == "all" || (li == 0 && s.conv) || n <= sample {
			picks = make([]int, n)
			for i := range picks {
				picks[i] = i
			}
		} else {
			rng := rand.New(rand.NewPCG(uint64(seed), 0x7261636b0000+uint64(li)))
			picks = sampleWithoutReplacement(rng, n, sample)
		}
		idx := make([]int32, 0, len(picks)*r*r)
		for _, k := range picks {
			t, base := s.segment(k)
			t.Column = len(p.segments)
			p.segments = append(p.segments, t)
			for a := range r {
				for b := range r {
					idx = append(idx, int32(s.stored(base+a*s.w+b)))
				}
			}
		}
		p.layers = append(p.layers, l.Name)
		p.indices = append(p.indices, idx)
	}
	return p
}

// sampleWithoutReplacement returns k distinct integers in [0, n), sorted,
// by Floyd's algorithm.
func sampleWithoutReplacement(rng *rand.Rand, n, k int) []int {
	chosen := make(map[int]bool, k)
	out := make([]int, 0, k)
	for j := n - k; j < n; j++ {
		t := rng.IntN(j + 1)
		if chosen[t] {
			t = j
		}
		chosen[t] = true
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// segmentStats returns, for every tracked segment in column order, the
// ℓ2 norm and the mean of its r×r gradient entries: two [tracked] vectors.
// grads maps a layer name to the gradient of its weight as the layer stores
// it; the plan's indices already point into that layout.
func segmentStats(p *trackPlan, grads map[string]*Node) (norms, means *Node) {
	var ns, ms []*Node
	rr := p.r * p.r
	for i, name := range p.layers {
		grad := grads[name]
		g := grad.Graph()
		flat := Reshape(grad, grad.Shape().Size())
		t := len(p.indices[i]) / rr
		idx := ConstCachedTensor(g, tensors.FromFlatDataAndDimensions(p.indices[i], t*rr, 1))
		blocks := Reshape(Gather(flat, idx), t, rr)
		ns = append(ns, Sqrt(ReduceSum(Square(blocks), -1)))
		ms = append(ms, ReduceMean(blocks, -1))
	}
	if len(ns) == 1 {
		return ns[0], ms[0]
	}
	return Concatenate(ns, 0), Concatenate(ms, 0)
}

func writeSegmentsIndex(dir string, segs []TrackedSegment) error {
	return fsutil.WriteFileAtomic(filepath.Join(dir, SegmentsIndex), func(w io.Writer) error {
		if _, err := io.WriteString(w, "column,layer,neuron,channel,row,col,r\n"); err != nil {
			return err
		}
		for _, s := range segs {
			_, err := fmt.Fprintf(w, "%d,%s,%d,%d,%d,%d,%d\n", s.Column, s.Layer, s.Neuron, s.Channel, s.Row, s.Col, s.R)
			if err != nil {
				return err
			}
		}
		return nil
	})
}

func readSegmentsIndex(dir string) ([]TrackedSegment, error) {
	path := filepath.Join(dir, SegmentsIndex)
	_, rows, err := readCSV(path, "column", "layer", "neuron", "channel", "row", "col", "r")
	if err != nil {
		return nil, err
	}
	out := make([]TrackedSegment, len(rows))
	for i, r := range rows {
		var v [6]int
		for j, f := range []string{r[0], r[2], r[3], r[4], r[5], r[6]} {
			if v[j], err = strconv.Atoi(f); err != nil {
				return nil, fmt.Errorf("reading %s line %d: %q is not an integer", path, i+2, f)
			}
		}
		if v[0] != i {
			return nil, fmt.Errorf("reading %s line %d: column %d, want %d", path, i+2, v[0], i)
		}
		out[i] = TrackedSegment{Column: v[0], Layer: r[1], Neuron: v[1], Channel: v[2], Row: v[3], Col: v[4], R: v[5]}
	}
	return out, nil
}
