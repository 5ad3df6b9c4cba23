package gcn

import (
	gocontext "context"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/fracdyn/fracdyn/internal/testutil"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// TestSampledBlockIsUnbiased checks the neighbour sampler on a star: the
// hub's sampled row, averaged over many draws, is the row of Â, and a
// node with at most fanout neighbours keeps its exact row.
func TestSampledBlockIsUnbiased(t *testing.T) {
	g := &Edges{N: 9}
	for i := 1; i < 9; i++ {
		g.Src, g.Dst = append(g.Src, 0), append(g.Dst, int32(i))
	}
	p := Normalize(g)
	x := make([]float32, 9)
	for i := range x {
		x[i] = float32(i + 1)
	}
	exact := make([]float32, 9)
	p.Apply(exact, x, 1)
	s := &neighbourSampler{p: p, fanout: 3, rng: rand.New(rand.NewPCG(1, 2)), pos: make([]int32, 9), mark: make([]uint32, 9)}
	var mean float64
	const draws = 20000
	for range draws {
		nodes, blocks := s.sample([]int32{0, 5}, 1)
		if blocks[0].nDst != 2 || nodes[0][0] != 0 || nodes[0][1] != 5 {
			t.Fatalf("the targets are not the first input nodes: %v", nodes[0])
		}
		if got := len(nodes[0]); got > 2+3 {
			t.Fatalf("%d input nodes, want at most the 2 targets and 3 sampled neighbours", got)
		}
		xs := make([]float32, len(nodes[0]))
		for i, v := range nodes[0] {
			xs[i] = x[v]
		}
		out := make([]float32, 2)
		blocks[0].apply(out, xs, 1)
		if math.Abs(float64(out[1]-exact[5])) > 1e-6 {
			t.Fatalf("leaf row %v, want the exact %v", out[1], exact[5])
		}
		mean += float64(out[0]) / draws
	}
	if math.Abs(mean-float64(exact[0])) > 0.01*float64(exact[0]) {
		t.Errorf("mean sampled hub row %.4f, want Â's %.4f within 1%%", mean, exact[0])
	}
}

// TestBlockTranspose checks applyT against apply: ⟨y, B·x⟩ = ⟨Bᵀ·y, x⟩.
func TestBlockTranspose(t *testing.T) {
	g := plantedPartition(20, 0.5, 0.05, 4)
	s := &neighbourSampler{p: Normalize(g), fanout: 4, rng: rand.New(rand.NewPCG(3, 3)), pos: make([]int32, g.N), mark: make([]uint32, g.N)}
	_, blocks := s.sample([]int32{1, 7, 30}, 2)
	rng := rand.New(rand.NewPCG(5, 5))
	for _, b := range blocks {
		x, y := testutil.RandFloats(rng, b.nSrc*2), testutil.RandFloats(rng, b.nDst*2)
		bx, bty := make([]float32, b.nDst*2), make([]float32, b.nSrc*2)
		b.apply(bx, x, 2)
		b.applyT(bty, y, 2)
		var l, r float64
		for i := range bx {
			l += float64(y[i] * bx[i])
		}
		for i := range bty {
			r += float64(bty[i] * x[i])
		}
		if math.Abs(l-r) > 1e-4*math.Max(1, math.Abs(l)) {
			t.Errorf("⟨y,Bx⟩ = %v, ⟨Bᵀy,x⟩ = %v", l, r)
		}
	}
}

// blockGraph has blocks of size nodes each, edge probability pIn inside
// a block and pOut across.
func blockGraph(blocks, size int, pIn, pOut float64, seed uint64) *Edges {
	rng := rand.New(rand.NewPCG(seed, 8))
	n := blocks * size
	g := &Edges{N: n}
	for i := range n {
		for j := i + 1; j < n; j++ {
			p := pOut
			if i/size == j/size {
				p = pIn
			}
			if rng.Float64() < p {
				g.Src, g.Dst = append(g.Src, int32(i)), append(g.Dst, int32(j))
			}
		}
	}
	return g
}

// TestMinibatchMatchesFullBatch trains the autoencoder of a graph of 8
// communities of 500 nodes full batch and with sampled minibatches (32
// edges a step, fanout 3): the minibatch AUC on the
// held-out pairs must be within 0.03 of the full-batch AUC (and above
// 0.8), every step's computation graph within MaxBatchNodes and smaller
// than the graph, and the same seed must give the same embeddings.
func TestMinibatchMatchesFullBatch(t *testing.T) {
	g := blockGraph(8, 500, 0.012, 0.0002, 3) // about 6 neighbours a node
	split, err := NewSplit(g, 0.15, UniformPairs(g.N), 11)
	if err != nil {
		t.Fatal(err)
	}
	// Features: the node's community mean under noise twice as strong, so
	// that averaging over neighbours (what the GCN learns) pays.
	rng := rand.New(rand.NewPCG(5, 5))
	f := 8
	mu := testutil.RandFloats(rng, 8*f)
	x := make([]float32, g.N*f)
	for i := range x {
		x[i] = mu[(i/f/500)*f+i%f] + 2*float32(rng.NormFloat64())
	}
	full := context.New()
	full.SetParam(ParamEpochs, 200)
	fb, err := Fit(backend.MustNew(), full, x, f, split.Train, UniformPairs(g.N), 42)
	if err != nil {
		t.Fatal(err)
	}
	const batch, fanout = 32, 3
	mini := func() *Autoencoder {
		ctx := context.New()
		ctx.SetParam(ParamEpochs, 3)
		ctx.SetParam(ParamBatchEdges, batch)
		ctx.SetParam(ParamFanout, fanout)
		ae, err := FitMinibatch(gocontext.Background(), ctx, x, f, split.Train, UniformPairs(g.N), 42)
		if err != nil {
			t.Fatal(err)
		}
		return ae
	}
	mb := mini()
	aucFull := AUC(fb.Score(split.TestPos), fb.Score(split.TestNeg))
	aucMini := AUC(mb.Score(split.TestPos), mb.Score(split.TestNeg))
	t.Logf("%d nodes, %d training edges: AUC full batch %.4f, minibatch %.4f; at most %d of %d nodes per step; loss %.3f → %.3f",
		g.N, split.Train.NumEdges(), aucFull, aucMini, mb.MaxBatchNodes, g.N, mb.Losses[0], mb.Losses[len(mb.Losses)-1])
	if aucMini < 0.8 || math.Abs(aucMini-aucFull) > 0.03 {
		t.Errorf("minibatch AUC %.4f, full batch %.4f: want > 0.8 and within 0.03", aucMini, aucFull)
	}
	bound := MaxBatchNodes(g.N, batch, DefaultNegatives, fanout, DefaultLayers)
	if mb.MaxBatchNodes < 1 || mb.MaxBatchNodes > bound || mb.MaxBatchNodes >= g.N {
		t.Errorf("a step held %d nodes; want ≤ MaxBatchNodes = %d and < N = %d", mb.MaxBatchNodes, bound, g.N)
	}
	// The same seed on one CPU gives the same numbers.
	procs := runtime.GOMAXPROCS(1)
	again := mini()
	runtime.GOMAXPROCS(procs)
	if z1, z2 := embedAll(again), embedAll(mb); !slices.Equal(z1, z2) || !slices.Equal(again.Losses, mb.Losses) {
		t.Errorf("same seed on 1 CPU and %d, different result: %v vs %v", procs, z1[17], z2[17])
	}
}

// TestMinibatchBoundOnLargeGraph checks that the nodes of a step stay
// within a fixed bound whatever the graph's size.
func TestMinibatchBoundOnLargeGraph(t *testing.T) {
	g := layeredGraph(3, 20_000, 3, 1)
	f := 4
	x := benchFeatures(g.N, f)
	ctx := context.New()
	ctx.SetParam(ParamEpochs, 1)
	ctx.SetParam(ParamBatchEdges, 64)
	ctx.SetParam(ParamFanout, 3)
	ae, err := FitMinibatch(gocontext.Background(), ctx, x, f, g, LayerPairs(layerGroups(3, 20_000)), 1)
	if err != nil {
		t.Fatal(err)
	}
	// 2·64·2 targets, ×4 per layer: 4096 nodes at most of 60,000.
	if bound := MaxBatchNodes(g.N, 64, 1, 3, 2); ae.MaxBatchNodes > bound || bound != 4096 {
		t.Errorf("a step held %d nodes, bound %d; want ≤ 4096", ae.MaxBatchNodes, bound)
	}
	if z := ae.Embed([]int32{0, int32(g.N - 1)}); len(z) != 2*ae.Dim {
		t.Errorf("%d embedding values of 2 nodes, want %d", len(z), 2*ae.Dim)
	}
}

func TestFitMinibatchRejects(t *testing.T) {
	g := pathGraph()
	x := make([]float32, 4)
	for _, c := range []struct {
		param string
		value any
	}{{ParamDropout, 0.5}, {ParamFanout, 0}, {ParamBatchEdges, 0}, {ParamBatches, -1}, {ParamEngine, string(EngineGoMLX)}} {
		ctx := context.New()
		ctx.SetParam(c.param, c.value)
		if _, err := FitMinibatch(gocontext.Background(), ctx, x, 1, g, UniformPairs(4), 1); err == nil {
			t.Errorf("%s = %v: no error", c.param, c.value)
		}
	}
}

// TestFitDispatchesMinibatch checks that Fit with ParamBatchEdges set is
// FitMinibatch.
func TestFitDispatchesMinibatch(t *testing.T) {
	g := plantedPartition(20, 0.5, 0.05, 2)
	x := benchFeatures(g.N, 3)
	ctx := func() *context.Context {
		c := context.New()
		c.SetParam(ParamEpochs, 2)
		c.SetParam(ParamBatchEdges, 16)
		return c
	}
	a, err := Fit(backend.MustNew(), ctx(), x, 3, g, UniformPairs(g.N), 9)
	if err != nil {
		t.Fatal(err)
	}
	b, err := FitMinibatch(gocontext.Background(), ctx(), x, 3, g, UniformPairs(g.N), 9)
	if err != nil {
		t.Fatal(err)
	}
	if same := slices.Equal(embedAll(a), embedAll(b)); a.MaxBatchNodes == 0 || !same {
		t.Errorf("Fit with %s: %d batch nodes, embeddings equal %v; want FitMinibatch's", ParamBatchEdges, a.MaxBatchNodes, same)
	}
}

// embedAll is every node's embedding, [N, Dim].
func embedAll(ae *Autoencoder) []float32 {
	nodes := make([]int32, ae.N)
	for i := range nodes {
		nodes[i] = int32(i)
	}
	return ae.Embed(nodes)
}

// TestEmbedIsFullGraphEncoder checks that a minibatch fit's Embed is the
// trained encoder over the whole training graph (the full-batch forward
// pass with the same weights), for all nodes, for a subset with repeats,
// for isolated nodes, and that Score is the dot product of those rows.
func TestEmbedIsFullGraphEncoder(t *testing.T) {
	g := layeredGraph(3, 300, 2, 5)
	g.N += 7 // isolated nodes: their embedding is their own features' transform
	f := 4
	x := benchFeatures(g.N, f)
	ctx := context.New()
	ctx.SetParam(ParamEpochs, 2)
	ctx.SetParam(ParamBatchEdges, 32)
	ctx.SetParam(ParamFanout, 2)
	ae, err := FitMinibatch(gocontext.Background(), ctx, x, f, g, UniformPairs(g.N), 3)
	if err != nil {
		t.Fatal(err)
	}
	full := ae.encoder.forward(Normalize(g), x, nil, nil)
	want := full.out[len(full.out)-1]
	got := embedAll(ae)
	if len(got) != len(want) {
		t.Fatalf("%d embedding values, want %d", len(got), len(want))
	}
	for i := range want {
		if d := math.Abs(float64(got[i] - want[i])); d > 1e-5*(1+math.Abs(float64(want[i]))) {
			t.Fatalf("embedding value %d (node %d): Embed %v, full-graph forward %v", i, i/ae.Dim, got[i], want[i])
		}
	}
	some := []int32{int32(g.N - 1), 5, 5, 600, int32(g.N - 3)}
	z := ae.Embed(some)
	for i, v := range some {
		for j := range ae.Dim {
			if w := want[int(v)*ae.Dim+j]; math.Abs(float64(z[i*ae.Dim+j]-w)) > 1e-5*(1+math.Abs(float64(w))) {
				t.Fatalf("Embed(%v) row %d (node %d) dim %d: %v, want %v", some, i, v, j, z[i*ae.Dim+j], w)
			}
		}
	}
	pairs := [][2]int32{{5, 600}, {int32(g.N - 1), 5}}
	for i, s := range ae.Score(pairs) {
		var dot float64
		for j := range ae.Dim {
			dot += float64(want[int(pairs[i][0])*ae.Dim+j]) * float64(want[int(pairs[i][1])*ae.Dim+j])
		}
		if math.Abs(s-dot) > 1e-4*(1+math.Abs(dot)) {
			t.Errorf("Score(%v) = %v, want z·z = %v", pairs[i], s, dot)
		}
	}
}
