package gcn

import (
	gocontext "context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// randomGraph has n nodes and about k·n random edges.
func randomGraph(n, k int, seed uint64) *Edges {
	rng := rand.New(rand.NewPCG(seed, 1))
	g := &Edges{N: n}
	m := k * n
	g.Src, g.Dst, g.W = make([]int32, 0, m), make([]int32, 0, m), make([]float32, 0, m)
	for range m {
		a, b := int32(rng.IntN(n)), int32(rng.IntN(n))
		if a == b {
			continue
		}
		g.Src, g.Dst, g.W = append(g.Src, a), append(g.Dst, b), append(g.W, rng.Float32())
	}
	return g
}

func benchFit(b *testing.B, n, k, f, epochs int, engine Engine) {
	g := randomGraph(n, k, 1)
	x := make([]float32, n*f)
	rng := rand.New(rand.NewPCG(2, 2))
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	be := backend.MustNew()
	b.ResetTimer()
	for range b.N {
		ctx := context.New()
		ctx.SetParam(ParamEpochs, epochs)
		ctx.SetParam(ParamEngine, string(engine))
		if _, err := Fit(be, ctx, x, f, g, UniformPairs(n), 1); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFitConvGraph is 20 epochs of the autoencoder (with sampling and
// the final embedding) on a random graph the size of the paper CNN's
// conv1+conv2 segment graph at r=2, with each engine.
func BenchmarkFitConvGraph(b *testing.B) {
	b.Run("native", func(b *testing.B) { benchFit(b, 8320, 4, 20, 20, EngineNative) })
	b.Run("gomlx", func(b *testing.B) { benchFit(b, 8320, 4, 20, 20, EngineGoMLX) })
}

// hashGraph is the synthetic graph of bench/gcn_torch.py: node i joins
// (i·7919 + j·104729 + 1) mod n for j < degree, self loops skipped, with
// weights ((e·2654435761) mod 1000 + 1)/1000.
func hashGraph(n, degree int) *Edges {
	g := &Edges{N: n}
	g.Src, g.Dst = make([]int32, 0, n*degree), make([]int32, 0, n*degree)
	for i := range n {
		for j := range degree {
			t := (int64(i)*7919 + int64(j)*104729 + 1) % int64(n)
			if t != int64(i) {
				g.Src, g.Dst = append(g.Src, int32(i)), append(g.Dst, int32(t))
			}
		}
	}
	g.W = benchWeights(len(g.Src))
	return g
}

// convGraph is the paper CNN's conv1–conv2 segment graph at r=2 as built by
// segraph (8,320 nodes, 32,768 edges), with synthetic weights.
func convGraph() *Edges {
	g := &Edges{N: 128 + 8192}
	for k := range 64 {
		for c := range 32 {
			for q := range 4 {
				t := int32(128 + (k*32+c)*4 + q)
				for p := range 4 {
					g.Src, g.Dst = append(g.Src, int32(c*4+p)), append(g.Dst, t)
				}
			}
		}
	}
	g.W = benchWeights(len(g.Src))
	return g
}

func benchWeights(m int) []float32 {
	w := make([]float32, m)
	for e := range w {
		w[e] = float32((int64(e)*2654435761)%1000+1) / 1000
	}
	return w
}

func benchFeatures(n, f int) []float32 {
	x := make([]float32, n*f)
	for i := range n {
		for j := range f {
			x[i*f+j] = float32(math.Sin(float64(float32(i)*0.37 + float32(j)*1.3)))
		}
	}
	return x
}

// peakRSS reports the process's peak resident set size in MiB (VmHWM).
func peakRSS(b *testing.B) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb float64
			fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), &kb)
			b.ReportMetric(kb/1024, "peakRSS-MiB")
		}
	}
}

func benchNormalize(b *testing.B, g *Edges) {
	for range b.N {
		Normalize(g)
	}
	peakRSS(b)
}

// benchEpoch times one training epoch of the native engine as the PyTorch
// script does it: uniform negatives (no rejection), forward, loss,
// backward, Adam. Hidden 32, embedding 16, 16 input features.
func benchEpoch(b *testing.B, g *Edges) {
	f := 16
	x := benchFeatures(g.N, f)
	p := Normalize(g)
	ctx := context.New()
	rng := rand.New(rand.NewPCG(1, 1))
	m, err := newNativeGCN(ctx, f, rng)
	if err != nil {
		b.Fatal(err)
	}
	opt := &adam{lr: 0.01, b1: 0.9, b2: 0.999, eps: 1e-7}
	ne := g.NumEdges()
	pairs := make([]int32, 4*ne)
	labels := make([]float32, 2*ne)
	for e := range ne {
		pairs[2*e], pairs[2*e+1] = g.Src[e], g.Dst[e]
		labels[e] = 1
	}
	st := m.newState(g.N)
	b.ResetTimer()
	for range b.N {
		for k := ne; k < 2*ne; k++ {
			pairs[2*k], pairs[2*k+1] = int32(rng.IntN(g.N)), int32(rng.IntN(g.N))
		}
		m.trainEpoch(p, x, pairs, labels, opt, rng, st)
	}
	b.StopTimer()
	peakRSS(b)
}

func BenchmarkNormalizeConvGraph(b *testing.B) { benchNormalize(b, convGraph()) }
func BenchmarkEpochConvGraph(b *testing.B)     { benchEpoch(b, convGraph()) }
func BenchmarkNormalize1M(b *testing.B)        { benchNormalize(b, hashGraph(1_000_000, 10)) }
func BenchmarkEpoch1M(b *testing.B)            { benchEpoch(b, hashGraph(1_000_000, 10)) }

// layeredGraph has layers of width nodes each; every node of layer l is
// joined to degree pseudo-random nodes of layer l+1 (the shape of a
// segment graph between consecutive layers), weights in (0, 1].
func layeredGraph(layers, width, degree int, seed uint64) *Edges {
	rng := rand.New(rand.NewPCG(seed, 3))
	g := &Edges{N: layers * width}
	for l := 0; l+1 < layers; l++ {
		for i := range width {
			for range degree {
				j := rng.IntN(width)
				g.Src = append(g.Src, int32(l*width+i))
				g.Dst = append(g.Dst, int32((l+1)*width+j))
				g.W = append(g.W, 1-rng.Float32())
			}
		}
	}
	return g
}

// layerGroups is the layer index of each node of layeredGraph.
func layerGroups(layers, width int) []int32 {
	groups := make([]int32, layers*width)
	for i := range groups {
		groups[i] = int32(i / width)
	}
	return groups
}

// BenchmarkFitMinibatch1_6M trains FitMinibatch for one epoch of 50 steps
// (batches of 1024 edges and 1024 negatives, fanout 10, hidden 32,
// embedding 16, 16 features) on a two-layer graph of 1.6 million nodes
// (800,000 per layer, 4 edges each: 3.2 million edges), the size of the
// fc1–fc2 segment graph at r = 2, then embeds every node; it reports the
// peak RSS. Setting up the graph (Normalize, the edge set) is included.
func BenchmarkFitMinibatch1_6M(b *testing.B) {
	const width = 800_000
	g := layeredGraph(2, width, 4, 1)
	f := 16
	x := benchFeatures(g.N, f)
	b.ResetTimer()
	for range b.N {
		ctx := context.New()
		ctx.SetParam(ParamEpochs, 1)
		ctx.SetParam(ParamBatchEdges, 1024)
		ctx.SetParam(ParamBatches, 50)
		ae, err := FitMinibatch(gocontext.Background(), ctx, x, f, g, LayerPairs(layerGroups(2, width)), 1)
		if err != nil {
			b.Fatal(err)
		}
		// Then every node's embedding, as the benchmark has measured
		// since before Embed computed only the nodes asked for.
		if z := embedAll(ae); len(z) != g.N*ae.Dim {
			b.Fatalf("%d embedding values, want %d", len(z), g.N*ae.Dim)
		}
		b.ReportMetric(float64(ae.MaxBatchNodes), "max-batch-nodes")
		b.ReportMetric(ae.Losses[0], "loss")
	}
	b.StopTimer()
	peakRSS(b)
}

// BenchmarkEpochLayered1_6M is one full-batch epoch of the native engine
// on BenchmarkFitMinibatch1_6M's graph, for its peak RSS.
func BenchmarkEpochLayered1_6M(b *testing.B) { benchEpoch(b, layeredGraph(2, 800_000, 4, 1)) }
