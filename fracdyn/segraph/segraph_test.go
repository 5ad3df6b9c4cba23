package segraph

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/fracdyn/fracdyn/fracdyn/fractal"
	"github.com/fracdyn/fracdyn/fracdyn/model"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

func TestKernelWeights(t *testing.T) {
	for _, c := range []struct {
		k           Kernel
		d, gamma, w float64
	}{
		{KernelPaper, 0, 2, 2},
		{KernelPaper, 1, 0.5, 0.5 * math.E},
		{KernelPaper, 200, 1, math.MaxFloat32},
		{KernelLaplacian, 0, 1, 1},
		{KernelLaplacian, 2, 4, math.Exp(-0.5)},
		{KernelRBF, 0, 3, 1},
		{KernelRBF, 2, 1, math.Exp(-2)},
	} {
		if got := c.k.Weight(c.d, c.gamma); math.Abs(got-c.w) > 1e-9*max(1, c.w) {
			t.Errorf("%s.Weight(%v, %v) = %v, want %v", c.k, c.d, c.gamma, got, c.w)
		}
	}
	if err := CheckGamma(0); err == nil {
		t.Error("CheckGamma(0) accepted")
	}
	if err := CheckGamma(-1); err == nil {
		t.Error("CheckGamma(-1) accepted")
	}
	if _, err := ParseKernel("gauss"); err == nil {
		t.Error("ParseKernel accepted an unknown name")
	}
}

// TestKernelGraphMatchesGo checks that the GoMLX edge-weight graph equals
// Distances followed by Weights, for every kernel.
func TestKernelGraphMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	n, d, e := 30, 16, 200
	x := make([]float32, n*d)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	src, tgt := make([]int32, e), make([]int32, e)
	for i := range e {
		src[i], tgt[i] = int32(rng.IntN(n)), int32(rng.IntN(n))
	}
	dist := make([]float32, e)
	Distances(dist, x, d, src, tgt)
	b := backend.MustNew()
	for _, k := range Kernels() {
		for _, gamma := range []float64{0.1, 1, 10} {
			want := make([]float32, e)
			Weights(want, dist, k, gamma)
			out := graph.MustExecOnce(b, func(x, s, t *graph.Node) *graph.Node { return EdgeWeightsGraph(x, s, t, k, gamma) },
				tensors.FromFlatDataAndDimensions(x, n, d), src, tgt)
			got := tensors.MustCopyFlatData[float32](out)
			for i := range want {
				if diff := math.Abs(float64(got[i] - want[i])); diff > 1e-5*max(1, math.Abs(float64(want[i]))) {
					t.Fatalf("%s γ=%v edge %d: graph %v, Go %v", k, gamma, i, got[i], want[i])
				}
			}
		}
	}
}

func TestPoolMap(t *testing.T) {
	// 4×4 map of 0..15 pooled to 2×2.
	m := make([]float32, 16)
	for i := range m {
		m[i] = float32(i)
	}
	got := make([]float32, 4)
	poolMap(got, m, 4, 4, 2)
	want := []float32{2.5, 4.5, 10.5, 12.5}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("pooled[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

// paperLayers builds segment layers of the paper CNN with random weights
// and activations.
func paperLayers(t testing.TB, names []string, rs []int, dataFree bool) []Layer {
	rng := rand.New(rand.NewPCG(4, 4))
	all := model.Layers(model.PaperCNN)
	var out []Layer
	for i, info := range all {
		for j, name := range names {
			if info.Name != name {
				continue
			}
			size := 1
			for _, d := range info.WeightShape {
				size *= d
			}
			w := make([]float32, size)
			for k := range w {
				w[k] = float32(rng.NormFloat64() * 0.1)
			}
			seg, err := fractal.LayerSegments(w, info.WeightShape, rs[j], fractal.LayerOptions{Name: name})
			if err != nil {
				t.Fatal(err)
			}
			l := Layer{Info: info, Index: i, Weights: w, Segments: seg}
			if !dataFree {
				units := 1
				for _, d := range info.OutShape {
					units *= d
				}
				l.Activation = make([]float32, units)
				for k := range l.Activation {
					l.Activation[k] = float32(rng.Float64())
				}
			}
			out = append(out, l)
		}
	}
	return out
}

func TestBuildPaperConvGraph(t *testing.T) {
	layers := paperLayers(t, []string{"conv1", "conv2"}, []int{2, 2}, false)
	g, err := Build(layers, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if g.N() != 128+8192 {
		t.Fatalf("N = %d, want 8320", g.N())
	}
	if len(g.Src) != 8192*4 {
		t.Fatalf("%d edges, want 32768 (each conv2 segment meets the 4 segments of one conv1 neuron)", len(g.Src))
	}
	// Every edge joins conv2 kernel (k, c) to conv1 neuron c.
	for e := range g.Src {
		s, d := int(g.Src[e]), int(g.Dst[e])-128
		c1 := layers[0].Segments.Segment(s)
		c2 := layers[1].Segments.Segment(d)
		if c1.Neuron != c2.Channel {
			t.Fatalf("edge %d joins conv1 neuron %d with conv2 kernel (%d, %d)", e, c1.Neuron, c2.Neuron, c2.Channel)
		}
	}
	// α = pooled A · FD · H, and the distance is the RMS difference.
	node := 128 + 77
	seg := layers[1].Segments
	id := seg.Segment(77)
	pooled := make([]float32, 16)
	poolMap(pooled, layers[1].Activation[id.Neuron*784:(id.Neuron+1)*784], 28, 28, 4)
	for j := range pooled {
		want := pooled[j] * seg.FD[77] * seg.H[77]
		if math.Abs(float64(g.Alpha[node*16+j]-want)) > 1e-6 {
			t.Fatalf("α[%d][%d] = %v, want %v", node, j, g.Alpha[node*16+j], want)
		}
	}
	all, err := Build(layers, Options{AllPairs: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Src) != 128*8192 {
		t.Errorf("all pairs: %d edges, want %d", len(all.Src), 128*8192)
	}
	if _, err := Build(layers, Options{AllPairs: true, MaxEdges: 1000}); err == nil {
		t.Error("Build ignored MaxEdges")
	}
}

func TestBuildDenseEdges(t *testing.T) {
	// fc1 [128, 50176] at r=16 feeds fc2 [10, 128] at r=5.
	layers := paperLayers(t, []string{"fc1", "fc2"}, []int{16, 5}, true)
	g, err := Build(layers, Options{DataFree: true})
	if err != nil {
		t.Fatal(err)
	}
	fc1, fc2 := layers[0].Segments, layers[1].Segments
	n1 := fc1.Len()
	seen := map[[2]int]bool{}
	for e := range g.Src {
		seen[[2]int{int(g.Src[e]), int(g.Dst[e]) - n1}] = true
	}
	// Brute force: fc2 segment s (columns [c, c+5)) meets fc1 segment p iff
	// p's rows [r, r+16) intersect [c, c+5).
	for s := range fc2.Len() {
		c := fc2.Segment(s).Col
		for p := 0; p < n1; p += 97 {
			r := fc1.Segment(p).Row
			want := r < c+5 && c < r+16
			if seen[[2]int{p, s}] != want {
				t.Fatalf("fc2 segment %d (col %d) – fc1 segment %d (row %d): edge %v, want %v", s, c, p, r, !want, want)
			}
		}
	}
	// Data-free: α is the constant FD·H.
	for _, i := range []int{0, 500, n1 + 3} {
		l, s := 0, i
		if i >= n1 {
			l, s = 1, i-n1
		}
		want := layers[l].Segments.FD[s] * layers[l].Segments.H[s]
		if math.Abs(float64(g.Alpha[i*16+5]-want)) > 1e-6 {
			t.Errorf("data-free α[%d] = %v, want FD·H = %v", i, g.Alpha[i*16+5], want)
		}
	}
}

func TestBuildRejectsUnconnected(t *testing.T) {
	layers := paperLayers(t, []string{"conv1", "fc1"}, []int{2, 16}, true)
	if _, err := Build(layers, Options{DataFree: true}); err == nil {
		t.Error("Build joined conv1 and fc1, which are not connected")
	}
}

func TestContainment(t *testing.T) {
	w := make([]float32, 10*12)
	for i := range w {
		w[i] = float32(i%7) - 3
	}
	fine, err := fractal.LayerSegments(w, []int{10, 12}, 2, fractal.LayerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	coarse, err := fractal.LayerSegments(w, []int{10, 12}, 4, fractal.LayerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	parent, err := Containment(fine, coarse)
	if err != nil {
		t.Fatal(err)
	}
	// Rows: fine origins 0,2,4,6,8; coarse 0,4,6 (last shifted to 10−4).
	// Fine row 6 lies in [6,10) (full overlap) rather than [4,8): both
	// overlap 2, so the lower origin wins → coarse row 1 ([4,8)).
	for _, c := range []struct{ fr, fc, cr, cc int }{
		{0, 0, 0, 0}, {2, 2, 0, 0}, {4, 4, 4, 4}, {8, 10, 6, 8}, {6, 6, 4, 4},
	} {
		fi := slices.Index(fine.RowOrigins, c.fr)*len(fine.ColOrigins) + slices.Index(fine.ColOrigins, c.fc)
		ci := slices.Index(coarse.RowOrigins, c.cr)*len(coarse.ColOrigins) + slices.Index(coarse.ColOrigins, c.cc)
		if int(parent[fi]) != ci {
			t.Errorf("fine (%d,%d) → coarse %d (%v), want (%d,%d)", c.fr, c.fc, parent[fi], coarse.Segment(int(parent[fi])), c.cr, c.cc)
		}
	}
}

// TestBestOverlapIsExhaustive checks the binary-search bestOverlap against
// its definition (every coarse interval tried, the first best kept) for
// every pair of scales rf ≤ rc ≤ n ≤ 40.
func TestBestOverlapIsExhaustive(t *testing.T) {
	for n := 1; n <= 40; n++ {
		for rf := 1; rf <= n; rf++ {
			for rc := rf; rc <= n; rc++ {
				fine, coarse := fractal.Origins(n, rf), fractal.Origins(n, rc)
				got := bestOverlap(fine, rf, coarse, rc)
				for i, o := range fine {
					best, bestLen := 0, -1
					for j, p := range coarse {
						if l := min(o+rf, p+rc) - max(o, p); l > bestLen {
							best, bestLen = j, l
						}
					}
					if got[i] != best {
						t.Fatalf("n=%d rf=%d rc=%d: fine [%d,%d) → coarse %d, want %d", n, rf, rc, o, o+rf, got[i], best)
					}
				}
			}
		}
	}
}

// edgesOf returns, for each node of layer 1, the layer-0 nodes joined to it.
func edgesOf(g *Graph) map[int32][]int32 {
	out := map[int32][]int32{}
	for e := range g.Src {
		d := g.Dst[e] - int32(g.Offsets[1])
		out[d] = append(out[d], g.Src[e])
	}
	return out
}

// A conv feeding a dense layer, with output shapes unknown (layers derived
// from a file's tensors): 4 channels of 2 pixels flatten into 8 inputs, in
// PyTorch's [C,H,W] order (input j reads channel j/2) or, for a conv stored
// channels-last [kh,kw,in,out], in [H,W,C] order (input j reads channel j
// mod 4). conv: 4 kernels 3×3 at r=2, 4 segments each (channel c's are
// nodes 4c..4c+3); dense [6,8] at r=3: column origins 0, 3, 5.
func TestConnectFlattenOrder(t *testing.T) {
	build := func(layout weights.Layout) map[int32][]int32 {
		conv := weights.Layer{Name: "c", Kind: weights.Conv, Layout: layout, WeightShape: []int{4, 1, 3, 3}, Prev: -1}
		dense := weights.Layer{Name: "d", Kind: weights.Dense, WeightShape: []int{6, 8}, Prev: 0}
		var layers []Layer
		for i, l := range []weights.Layer{conv, dense} {
			w := make([]float32, prodInts(l.WeightShape))
			for k := range w {
				w[k] = float32(k%7) + 1
			}
			r := []int{2, 3}[i]
			seg, err := fractal.LayerSegments(w, l.WeightShape, r, fractal.LayerOptions{Name: l.Name})
			if err != nil {
				t.Fatal(err)
			}
			layers = append(layers, Layer{Info: l, Index: i, Weights: w, Segments: seg})
		}
		g, err := Build(layers, Options{DataFree: true})
		if err != nil {
			t.Fatal(err)
		}
		return edgesOf(g)
	}
	nodes := func(chs ...int32) []int32 {
		var out []int32
		for _, c := range chs {
			out = append(out, 4*c, 4*c+1, 4*c+2, 4*c+3)
		}
		return out
	}
	// Dense segment (row 0, cols 3..5): channels-first reads channels 1, 2;
	// channels-last channels 3, 0, 1 (a wrap: nodes of 0, 1 then of 3).
	first, last := build(weights.LayoutUnknown), build(weights.HWIO)
	for _, tc := range []struct {
		seg  int32
		got  []int32
		want []int32
	}{
		{0, first[0], nodes(0, 1)},   // cols 0..2
		{1, first[1], nodes(1, 2)},   // cols 3..5
		{2, first[2], nodes(2, 3)},   // cols 5..7
		{0, last[0], nodes(0, 1, 2)}, // cols 0..2
		{1, last[1], nodes(0, 1, 3)}, // cols 3..5: channels 3, 0, 1
		{2, last[2], nodes(1, 2, 3)}, // cols 5..7
	} {
		if !slices.Equal(tc.got, tc.want) {
			t.Errorf("dense segment %d: joined to %v, want %v", tc.seg, tc.got, tc.want)
		}
	}
}

func prodInts(d []int) int {
	p := 1
	for _, v := range d {
		p *= v
	}
	return p
}

// TestSampleEdges builds the conv1+conv2 graph at r = 2 (32,768 edges,
// each conv2 segment joined to the 4 segments of one conv1 kernel) under
// limits it exceeds: with SampleEdges it keeps one in k of each segment's
// predecessors, at least one, within the limit, the same edges every time.
func TestSampleEdges(t *testing.T) {
	layers := paperLayers(t, []string{"conv1", "conv2"}, []int{2, 2}, true)
	full, err := Build(layers, Options{DataFree: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(full.Src) != 32768 || full.FullEdges != 32768 || len(full.Strides) != 1 || full.Strides[0] != 1 {
		t.Fatalf("complete graph: %d edges, FullEdges %d, strides %v; want 32768, 32768, [1]", len(full.Src), full.FullEdges, full.Strides)
	}
	isEdge := map[[2]int32]bool{}
	for e := range full.Src {
		isEdge[[2]int32{full.Src[e], full.Dst[e]}] = true
	}
	for _, c := range []struct{ limit, stride, edges int }{
		{20000, 2, 16384}, // 4 predecessors at stride 2: 2 each
		{10000, 4, 8192},  // 1 each: every conv2 segment keeps an edge
	} {
		g, err := Build(layers, Options{DataFree: true, MaxEdges: c.limit, SampleEdges: true})
		if err != nil {
			t.Fatal(err)
		}
		if g.Strides[0] != c.stride || len(g.Src) != c.edges || g.FullEdges != 32768 {
			t.Errorf("limit %d: stride %d, %d edges, FullEdges %d; want %d, %d, 32768", c.limit, g.Strides[0], len(g.Src), g.FullEdges, c.stride, c.edges)
		}
		deg := make([]int, g.N())
		for e := range g.Src {
			deg[g.Dst[e]]++
			if !isEdge[[2]int32{g.Src[e], g.Dst[e]}] {
				t.Fatalf("limit %d: kept edge %d→%d is not an edge of the complete graph", c.limit, g.Src[e], g.Dst[e])
			}
		}
		for i := 128; i < g.N(); i++ {
			if deg[i] != c.edges/8192 {
				t.Fatalf("limit %d: conv2 segment %d keeps %d edges, want %d", c.limit, i, deg[i], c.edges/8192)
			}
		}
		again, _ := Build(layers, Options{DataFree: true, MaxEdges: c.limit, SampleEdges: true})
		for e := range g.Src {
			if again.Src[e] != g.Src[e] || again.Dst[e] != g.Dst[e] {
				t.Fatalf("edge %d differs between two builds", e)
			}
		}
	}
	// Below one edge per conv2 segment no thinning fits: an error naming it.
	if _, err := Build(layers, Options{DataFree: true, MaxEdges: 8000, SampleEdges: true}); err == nil ||
		!strings.Contains(err.Error(), "even one edge per segment (8192)") {
		t.Errorf("limit below the node count: err %v", err)
	}
}

// TestInputFeatures checks the standardised features: by hand on four
// nodes (α 1, 2, 3, 4: mean 2.5, SD √1.25; a constant weight column
// becomes 0), and against a direct float64 computation on a graph of
// several blocks.
func TestInputFeatures(t *testing.T) {
	g := &Graph{Offsets: []int{0, 4}, Dim: 1, Alpha: []float32{1, 2, 3, 4}, SegDim: 1, SegWeights: []float32{7, 7, 7, 7}}
	x, f := g.InputFeatures()
	sd := math.Sqrt(1.25)
	want := []float64{-1.5 / sd, 0, -0.5 / sd, 0, 0.5 / sd, 0, 1.5 / sd, 0}
	if f != 2 {
		t.Fatalf("f = %d, want 2", f)
	}
	for i, w := range want {
		if math.Abs(float64(x[i])-w) > 1e-6 {
			t.Errorf("x[%d] = %v, want %v", i, x[i], w)
		}
	}
	n := 3<<14 + 5
	big := &Graph{Offsets: []int{0, n}, Dim: 2, Alpha: make([]float32, 2*n), SegDim: 1, SegWeights: make([]float32, n)}
	for i := range n {
		big.Alpha[2*i], big.Alpha[2*i+1] = float32(i%97), float32(math.Sin(float64(i)))
		big.SegWeights[i] = float32(i%5) - 2
	}
	x, f = big.InputFeatures()
	for j := range f {
		col := func(i int) float64 {
			if j < 2 {
				return float64(big.Alpha[2*i+j])
			}
			return float64(big.SegWeights[i])
		}
		var s, ss float64
		for i := range n {
			s += col(i)
			ss += col(i) * col(i)
		}
		mean := s / float64(n)
		sd := math.Sqrt(ss/float64(n) - mean*mean)
		for _, i := range []int{0, 1 << 14, n - 1} {
			if w := (col(i) - mean) / sd; math.Abs(float64(x[i*f+j])-w) > 1e-5 {
				t.Errorf("node %d column %d: %v, want %v", i, j, x[i*f+j], w)
			}
		}
	}
}

// TestNormsOnly: with only the norms asked, ‖A‖ and ‖α‖ are the whole
// graph's, bit for bit, on a conv and a dense layer with activations, and
// nothing else is built.
func TestNormsOnly(t *testing.T) {
	for _, c := range []struct {
		name string
		r    int
	}{{"conv1", 2}, {"fc2", 3}} {
		names := []string{c.name}
		layers := paperLayers(t, names, []int{c.r}, false)
		full, err := Build(layers, Options{})
		if err != nil {
			t.Fatal(err)
		}
		norms, err := Build(layers, Options{NormsOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if norms.Alpha != nil || norms.SegWeights != nil || len(norms.Src) != 0 {
			t.Errorf("%v: NormsOnly built α (%d), segment weights (%d) or edges (%d)", names, len(norms.Alpha), len(norms.SegWeights), len(norms.Src))
		}
		if len(full.ANorm) == 0 || !slices.Equal(norms.ANorm, full.ANorm) || !slices.Equal(norms.AlphaNorm, full.AlphaNorm) {
			t.Errorf("%v: NormsOnly changed ‖A‖ or ‖α‖", names)
		}
	}
}
