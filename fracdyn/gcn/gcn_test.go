package gcn

import (
	gocontext "context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/fracdyn/fracdyn/internal/testutil"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// pathGraph is 0–1–2–3 with weights 1, 2, 1.
func pathGraph() *Edges {
	return &Edges{N: 4, Src: []int32{0, 1, 2}, Dst: []int32{1, 2, 3}, W: []float32{1, 2, 1}}
}

// Hand-computed: d = (2, 4, 4, 2); Â·(1,2,3,4).
var pathWant = []float64{
	0.5*1 + 2/math.Sqrt(8),
	1/math.Sqrt(8) + 0.25*2 + 0.5*3,
	0.5*2 + 0.25*3 + 4/math.Sqrt(8),
	3/math.Sqrt(8) + 0.5*4,
}

func TestApplyPathGraph(t *testing.T) {
	p := Normalize(pathGraph())
	got := make([]float32, 4)
	p.Apply(got, []float32{1, 2, 3, 4}, 1)
	for i := range got {
		if math.Abs(float64(got[i])-pathWant[i]) > 1e-6 {
			t.Errorf("(Âx)[%d] = %v, want %v", i, got[i], pathWant[i])
		}
	}
}

func TestPropagateGraphPathGraph(t *testing.T) {
	p := Normalize(pathGraph())
	b := backend.MustNew()
	// Two feature columns: x and 10·x.
	x := tensors.FromFlatDataAndDimensions([]float32{1, 10, 2, 20, 3, 30, 4, 40}, 4, 2)
	out := MustExecOnce(b, func(x, src, dst, coef *Node) *Node { return Propagate(x, src, dst, coef) },
		x, p.Src, p.Dst, p.Coef)
	got := tensors.MustCopyFlatData[float32](out)
	for i := range 4 {
		for j, scale := range []float64{1, 10} {
			if w := scale * pathWant[i]; math.Abs(float64(got[2*i+j])-w) > 1e-5 {
				t.Errorf("Propagate[%d,%d] = %v, want %v", i, j, got[2*i+j], w)
			}
		}
	}
}

func TestNormalizeMatchesDense(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 9
	g := &Edges{N: n}
	dense := make([]float64, n*n)
	for i := range n {
		for j := i + 1; j < n; j++ {
			if rng.Float64() < 0.4 {
				w := float32(rng.Float64())
				g.Src, g.Dst, g.W = append(g.Src, int32(j)), append(g.Dst, int32(i)), append(g.W, w)
				dense[i*n+j], dense[j*n+i] = float64(w), float64(w)
			}
		}
	}
	deg := make([]float64, n)
	for i := range n {
		dense[i*n+i] = 1
		for j := range n {
			deg[i] += dense[i*n+j]
		}
	}
	got := Normalize(g).Dense()
	for i := range n {
		for j := range n {
			want := dense[i*n+j] / math.Sqrt(deg[i]*deg[j])
			if math.Abs(got[i*n+j]-want) > 1e-6 {
				t.Fatalf("Â[%d,%d] = %v, want %v", i, j, got[i*n+j], want)
			}
		}
	}
}

func TestValidateRejects(t *testing.T) {
	for name, g := range map[string]*Edges{
		"self loop":    {N: 2, Src: []int32{1}, Dst: []int32{1}},
		"out of range": {N: 2, Src: []int32{0}, Dst: []int32{2}},
		"negative":     {N: 2, Src: []int32{0}, Dst: []int32{1}, W: []float32{-1}},
		"nan":          {N: 2, Src: []int32{0}, Dst: []int32{1}, W: []float32{float32(math.NaN())}},
		"lengths":      {N: 2, Src: []int32{0}, Dst: []int32{1, 0}},
	} {
		if g.Validate() == nil {
			t.Errorf("%s: Validate accepted %+v", name, g)
		}
	}
}

func TestAUCAndAP(t *testing.T) {
	for _, c := range []struct {
		pos, neg []float64
		auc, ap  float64
	}{
		{[]float64{0.9, 0.8}, []float64{0.1, 0.85}, 0.75, 0.5 + 0.5*2.0/3},
		{[]float64{1, 2}, []float64{0, -1}, 1, 1},
		{[]float64{0.5}, []float64{0.5}, 0.5, 0.5},
		{[]float64{0, 0}, []float64{1, 1}, 0, 0.5},
	} {
		if got := AUC(c.pos, c.neg); math.Abs(got-c.auc) > 1e-12 {
			t.Errorf("AUC(%v, %v) = %v, want %v", c.pos, c.neg, got, c.auc)
		}
		if got := AveragePrecision(c.pos, c.neg); math.Abs(got-c.ap) > 1e-12 {
			t.Errorf("AP(%v, %v) = %v, want %v", c.pos, c.neg, got, c.ap)
		}
	}
}

// plantedPartition has two blocks of n nodes, edge probability pIn inside a
// block and pOut across.
func plantedPartition(n int, pIn, pOut float64, seed uint64) *Edges {
	rng := rand.New(rand.NewPCG(seed, 7))
	g := &Edges{N: 2 * n}
	for i := range 2 * n {
		for j := i + 1; j < 2*n; j++ {
			p := pOut
			if i/n == j/n {
				p = pIn
			}
			if rng.Float64() < p {
				g.Src, g.Dst = append(g.Src, int32(i)), append(g.Dst, int32(j))
			}
		}
	}
	return g
}

func TestAutoencoderPlantedPartition(t *testing.T) {
	g := plantedPartition(30, 0.9, 0.01, 3)
	split, err := NewSplit(g, 0.15, UniformPairs(g.N), 11)
	if err != nil {
		t.Fatal(err)
	}
	// Features carry no block information: the GCN must learn it from edges.
	rng := rand.New(rand.NewPCG(5, 5))
	f := 8
	x := testutil.RandFloats(rng, g.N*f)
	fit := func() *Autoencoder {
		ctx := context.New()
		ctx.SetParam(ParamEpochs, 100)
		ae, err := Fit(backend.MustNew(), ctx, x, f, split.Train, UniformPairs(g.N), 42)
		if err != nil {
			t.Fatal(err)
		}
		return ae
	}
	ae := fit()
	auc := AUC(ae.Score(split.TestPos), ae.Score(split.TestNeg))
	ap := AveragePrecision(ae.Score(split.TestPos), ae.Score(split.TestNeg))
	t.Logf("planted partition: AUC %.3f AP %.3f, loss %.3f → %.3f", auc, ap, ae.Losses[0], ae.Losses[len(ae.Losses)-1])
	if auc <= 0.9 {
		t.Errorf("AUC = %.3f, want > 0.9", auc)
	}
	if z2, z := embedAll(fit()), embedAll(ae); !slices.Equal(z2, z) {
		t.Errorf("same seed, different result: %v vs %v", z2[7], z[7])
	}
	// The held-out edges must not be in the training graph.
	train := NewEdgeSet(split.Train)
	for _, p := range split.TestPos {
		if train.Has(p[0], p[1]) {
			t.Fatalf("held-out edge %v leaked into message passing", p)
		}
	}
	for _, p := range split.TestNeg {
		if split.All.Has(p[0], p[1]) {
			t.Fatalf("held-out non-edge %v is an edge", p)
		}
	}
}

// TestEnginesAgree trains both engines from the same initial weights with
// the same negatives and compares losses and embeddings: it checks the
// native forward, hand-written backward and Adam against GoMLX's graph,
// autodiff and Adam.
func TestEnginesAgree(t *testing.T) {
	g := plantedPartition(12, 0.6, 0.1, 9)
	f := 5
	rng := rand.New(rand.NewPCG(3, 3))
	x := testutil.RandFloats(rng, g.N*f)
	run := func(engine Engine) *Autoencoder {
		ctx := context.New()
		ctx.SetParams(map[string]any{ParamEpochs: 5, ParamHidden: 7, ParamEmbedding: 4, ParamLayers: 3, ParamEngine: string(engine), ParamActivation: "tanh"})
		init, err := newNativeGCN(ctx, f, rand.New(rand.NewPCG(8, 8)))
		if err != nil {
			t.Fatal(err)
		}
		negs, err := NewNegatives(g, UniformPairs(g.N), 1, 4, 1)
		if err != nil {
			t.Fatal(err)
		}
		ae, err := fit(gocontext.Background(), backend.MustNew(), ctx, x, f, g, negs, 4, init)
		if err != nil {
			t.Fatal(err)
		}
		return ae
	}
	nat, gom := run(EngineNative), run(EngineGoMLX)
	for i := range nat.Losses {
		if math.Abs(nat.Losses[i]-gom.Losses[i]) > 1e-5 {
			t.Errorf("loss[%d]: native %v, gomlx %v", i, nat.Losses[i], gom.Losses[i])
		}
	}
	zn, zg := embedAll(nat), embedAll(gom)
	for i := range zn {
		if math.Abs(float64(zn[i]-zg[i])) > 1e-4 {
			t.Fatalf("embedding[%d]: native %v, gomlx %v", i, zn[i], zg[i])
		}
	}
}

// TestNativeGradients checks the native backward pass against central
// finite differences of the loss (the dropout mask fixed by reseeding), in
// both layer orders: Â·(H·W) for a narrowing layer, (Â·H)·W for a widening
// one (with Â·x cached when there is no dropout).
func TestNativeGradients(t *testing.T) {
	for _, c := range []struct {
		name          string
		hidden, embed int
		dropout       float64
	}{
		{"dropout, narrowing last layer", 4, 3, 0.3},
		{"dropout, widening layers", 4, 6, 0.3},
		{"no dropout, widening layers", 4, 6, 0},
	} {
		t.Run(c.name, func(t *testing.T) { checkNativeGradients(t, c.hidden, c.embed, c.dropout) })
	}
}

func checkNativeGradients(t *testing.T, hidden, embed int, dropout float64) {
	g := plantedPartition(6, 0.7, 0.2, 5)
	p := Normalize(g)
	f := 3
	rng := rand.New(rand.NewPCG(6, 6))
	x := testutil.RandFloats(rng, g.N*f)
	ctx := context.New()
	ctx.SetParams(map[string]any{ParamHidden: hidden, ParamEmbedding: embed, ParamDropout: dropout, ParamActivation: "tanh"})
	m, err := newNativeGCN(ctx, f, rng)
	if err != nil {
		t.Fatal(err)
	}
	var pairs []int32
	var labels []float32
	for e := range g.Src {
		pairs, labels = append(pairs, g.Src[e], g.Dst[e]), append(labels, 1)
	}
	pairs, labels = append(pairs, 0, 11, 2, 9, 3, 7), append(labels, 0, 0, 0)
	loss := func() (float64, *nativeState) {
		st := m.forward(p, x, rand.New(rand.NewPCG(9, 9)), nil)
		z := st.out[len(st.out)-1]
		return pairLossGrad(z, m.dims[len(m.dims)-1], pairs, labels, st.dz, nil), st
	}
	_, st := loss()
	dw, db := m.backward(p, st)
	check := func(name string, param, grad []float32) {
		for i := range param {
			old := param[i]
			const h = 1e-2
			param[i] = old + h
			lp, _ := loss()
			param[i] = old - h
			lm, _ := loss()
			param[i] = old
			num := (lp - lm) / (2 * h)
			if math.Abs(num-float64(grad[i])) > 2e-3+0.05*math.Abs(num) {
				t.Errorf("%s[%d]: backward %v, finite difference %v", name, i, grad[i], num)
			}
		}
	}
	for l := range m.w {
		check("w"+string(rune('0'+l)), m.w[l], dw[l])
		check("b"+string(rune('0'+l)), m.b[l], db[l])
	}
}
