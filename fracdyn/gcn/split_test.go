package gcn

import (
	gocontext "context"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/fracdyn/fracdyn/internal/testutil"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// TestEdgeSetMatchesMap adds random pairs (with repeats and both orders) to
// an EdgeSet grown from empty and checks membership against a Go map.
func TestEdgeSetMatchesMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	var s EdgeSet
	if s.Has(1, 2) || s.Len() != 0 {
		t.Fatal("the zero EdgeSet is not empty")
	}
	ref := map[[2]int32]bool{}
	for range 20000 {
		a, b := int32(rng.IntN(300)), int32(rng.IntN(300))
		key := [2]int32{min(a, b), max(a, b)}
		if added := s.Add(a, b); added == ref[key] {
			t.Fatalf("Add(%d, %d) = %v, but present before = %v", a, b, added, ref[key])
		}
		ref[key] = true
	}
	if s.Len() != len(ref) {
		t.Errorf("Len = %d, want %d", s.Len(), len(ref))
	}
	for a := int32(0); a < 300; a++ {
		for b := int32(0); b < 300; b++ {
			if got, want := s.Has(a, b), ref[[2]int32{min(a, b), max(a, b)}]; got != want {
				t.Fatalf("Has(%d, %d) = %v, want %v", a, b, got, want)
			}
		}
	}
}

func TestSampleNonEdges(t *testing.T) {
	// A path 0-1-2-3: of the 6 pairs, 3 are edges.
	g := &Edges{N: 4, Src: []int32{0, 1, 2}, Dst: []int32{1, 2, 3}}
	rng := rand.New(rand.NewPCG(1, 1))
	neg, err := SampleNonEdges(rng, UniformPairs(4), 3, NewEdgeSet(g))
	if err != nil {
		t.Fatal(err)
	}
	got := map[[2]int32]bool{}
	for _, p := range neg {
		got[[2]int32{min(p[0], p[1]), max(p[0], p[1])}] = true
	}
	want := map[[2]int32]bool{{0, 2}: true, {0, 3}: true, {1, 3}: true}
	if len(got) != 3 || !got[[2]int32{0, 2}] || !got[[2]int32{0, 3}] || !got[[2]int32{1, 3}] {
		t.Errorf("non-edges of the path = %v, want %v", got, want)
	}
	if _, err := SampleNonEdges(rng, UniformPairs(4), 4, NewEdgeSet(g)); err == nil {
		t.Error("asked for 4 non-edges of a graph with 3: no error")
	}
}

// TestFitSharedMatchesFit checks that fits sharing one Negatives give the
// same embeddings and losses as separate FitContext calls, also when they
// run concurrently, and that an epoch cannot be read more often than there
// are readers.
func TestFitSharedMatchesFit(t *testing.T) {
	g := plantedPartition(10, 0.6, 0.1, 3)
	f := 4
	rng := rand.New(rand.NewPCG(5, 5))
	x := testutil.RandFloats(rng, g.N*f)
	newCtx := func() *context.Context {
		ctx := context.New()
		ctx.SetParams(map[string]any{ParamEpochs: 15, ParamHidden: 6, ParamEmbedding: 3})
		return ctx
	}
	weights := [][]float32{nil, make([]float32, g.NumEdges())}
	for i := range weights[1] {
		weights[1][i] = float32(i%5+1) / 5
	}
	want := make([]*Autoencoder, len(weights))
	for i, w := range weights {
		gw := &Edges{N: g.N, Src: g.Src, Dst: g.Dst, W: w}
		ae, err := FitContext(gocontext.Background(), nil, newCtx(), x, f, gw, UniformPairs(g.N), 7)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = ae
	}
	negs, err := NewNegatives(g, UniformPairs(g.N), 1, 7, len(weights))
	if err != nil {
		t.Fatal(err)
	}
	got := make([]*Autoencoder, len(weights))
	errs := make([]error, len(weights))
	var wg sync.WaitGroup
	for i, w := range weights {
		wg.Go(func() {
			gw := &Edges{N: g.N, Src: g.Src, Dst: g.Dst, W: w}
			got[i], errs[i] = FitShared(gocontext.Background(), nil, newCtx(), x, f, gw, negs, 7)
		})
	}
	wg.Wait()
	for i := range weights {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if !slices.Equal(got[i].Losses, want[i].Losses) || !slices.Equal(embedAll(got[i]), embedAll(want[i])) {
			t.Errorf("fit %d: shared negatives give losses %v, separate %v", i, got[i].Losses[:3], want[i].Losses[:3])
		}
	}
	if _, err := negs.Epoch(0); err == nil {
		t.Error("epoch 0 read a third time by two readers: no error")
	}
}

func TestLog1pUnit(t *testing.T) {
	for _, e := range []float64{0, 1e-300, 1e-17, 1e-9, 0.001, 0.25, 0.5, 0.7071, 0.999999, 1} {
		if got, want := log1pUnit(e), math.Log1p(e); math.Abs(got-want) > 3e-13 {
			t.Errorf("log1pUnit(%g) = %v, want %v", e, got, want)
		}
	}
	rng := rand.New(rand.NewPCG(6, 6))
	for range 100000 {
		e := rng.Float64()
		if got, want := log1pUnit(e), math.Log1p(e); math.Abs(got-want) > 3e-13 {
			t.Fatalf("log1pUnit(%g) = %v, want %v", e, got, want)
		}
	}
}

// TestLayerPairs checks the sampler on groups 1, 1, 2, 2, 2, 3 (ids that
// do not start at 0; node 5 alone in the last group): every pair joins
// consecutive groups, every node that can be drawn is drawn, and the
// draws are those of the definition (a uniform among the nodes with a
// next group, b uniform in that group, both lists in node order).
func TestLayerPairs(t *testing.T) {
	groups := []int32{1, 1, 2, 2, 2, 3}
	sample := LayerPairs(groups)
	rng, ref := rand.New(rand.NewPCG(4, 5)), rand.New(rand.NewPCG(4, 5))
	from := []int32{0, 1, 2, 3, 4}
	byGroup := map[int32][]int32{2: {2, 3, 4}, 3: {5}}
	seenA, seenB := map[int32]bool{}, map[int32]bool{}
	for range 400 {
		a, b := sample(rng)
		wa := from[ref.IntN(len(from))]
		next := byGroup[groups[wa]+1]
		wb := next[ref.IntN(len(next))]
		if a != wa || b != wb {
			t.Fatalf("drew (%d,%d), want (%d,%d)", a, b, wa, wb)
		}
		if groups[b] != groups[a]+1 {
			t.Fatalf("pair (%d,%d) joins groups %d and %d", a, b, groups[a], groups[b])
		}
		seenA[a], seenB[b] = true, true
	}
	if len(seenA) != 5 || len(seenB) != 4 {
		t.Errorf("drew %d distinct first nodes (want 5) and %d second (want 4)", len(seenA), len(seenB))
	}
}
