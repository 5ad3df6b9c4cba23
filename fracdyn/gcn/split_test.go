package gcn

import (
	"math/rand/v2"
	"testing"
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
