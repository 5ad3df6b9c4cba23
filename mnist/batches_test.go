package mnist

import (
	"io"
	"math"
	"slices"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/train"
)

var _ train.Dataset = (*Batches)(nil)

func tinySet(n int) *Set {
	px, lab := tinyImages(n, 28, 28)
	return &Set{Images: px, Labels: lab, N: n, Rows: 28, Cols: 28}
}

func TestNormalize(t *testing.T) {
	for _, c := range []struct {
		x    uint8
		want float64
	}{{0, -0.1307 / 0.3081}, {255, (1 - 0.1307) / 0.3081}, {51, (0.2 - 0.1307) / 0.3081}} {
		if got := float64(Normalize(c.x)); math.Abs(got-c.want) > 1e-6 {
			t.Errorf("Normalize(%d) = %g, want %g", c.x, got, c.want)
		}
	}
	s := tinySet(3)
	got := s.Float32Images([]int{2})
	for j, p := range s.Pixels(2) {
		if got[j] != Normalize(p) {
			t.Fatalf("pixel %d: %g != %g", j, got[j], Normalize(p))
		}
	}
}

func TestPermutationKnownAnswer(t *testing.T) {
	// Pinned orders: a change here changes every split and batch order.
	p := Permutation(10, 1, streamSplit)
	q := Permutation(10, 1, streamSplit)
	if !slices.Equal(p, q) {
		t.Fatal("Permutation is not deterministic")
	}
	sorted := slices.Sorted(slices.Values(p))
	for i, v := range sorted {
		if v != i {
			t.Fatalf("not a permutation: %v", p)
		}
	}
	if want := pinnedPerm; !slices.Equal(p, want) {
		t.Errorf("Permutation(10, 1, split) = %v, pinned %v", p, want)
	}
	if slices.Equal(p, Permutation(10, 2, streamSplit)) || slices.Equal(p, Permutation(10, 1, streamEpoch)) {
		t.Error("seed or stream does not change the order")
	}
}

// pinnedPerm was recorded from this implementation (Go 1.26); it guards
// against silent changes of the order, which would change every split.
var pinnedPerm = []int{3, 9, 2, 8, 0, 1, 7, 5, 6, 4}

func TestBatchesEpochs(t *testing.T) {
	s := tinySet(10)
	b, err := NewBatches("train", s, BatchOptions{BatchSize: 4, Shuffle: true, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if b.BatchesPerEpoch() != 2 {
		t.Errorf("BatchesPerEpoch = %d, want 2 (last partial batch dropped)", b.BatchesPerEpoch())
	}
	epochLabels := func() []int32 {
		var all []int32
		for {
			_, inputs, labels, err := b.Yield()
			if err == io.EOF {
				return all
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := inputs[0].Shape().Dimensions; !slices.Equal(got, []int{4, 28, 28}) {
				t.Fatalf("images shape %v", got)
			}
			all = append(all, tensors.MustCopyFlatData[int32](labels[0])...)
		}
	}
	e0 := epochLabels()
	b.Reset()
	e1 := epochLabels()
	if len(e0) != 8 || len(e1) != 8 || slices.Equal(e0, e1) {
		t.Errorf("epochs 0 and 1: %v %v", e0, e1)
	}
	// Epoch 1 is the same whatever came before.
	b.SetEpoch(1)
	if again := epochLabels(); !slices.Equal(again, e1) {
		t.Errorf("SetEpoch(1) gave %v, want %v", again, e1)
	}
	// Epoch order is Permutation(N, seed, epoch stream + e).
	want := Permutation(10, 5, streamEpoch+0)[:8]
	for i, idx := range want {
		if e0[i] != int32(s.Labels[idx]) {
			t.Fatalf("epoch 0 item %d: label %d, want %d", i, e0[i], s.Labels[idx])
		}
	}

	k, _ := NewBatches("eval", s, BatchOptions{BatchSize: 4, KeepLast: true})
	var sizes []int
	var labels []int32
	for {
		img, lab, ok := k.Next()
		if !ok {
			break
		}
		sizes = append(sizes, len(lab))
		labels = append(labels, lab...)
		if len(img) != len(lab)*784 {
			t.Fatalf("%d pixels for %d labels", len(img), len(lab))
		}
	}
	if !slices.Equal(sizes, []int{4, 4, 2}) || !slices.Equal(labels, s.Int32Labels(nil)) {
		t.Errorf("KeepLast unshuffled: sizes %v labels %v", sizes, labels)
	}
	if _, err := NewBatches("x", s, BatchOptions{BatchSize: 0}); err == nil {
		t.Error("batch size 0 accepted")
	}
	if _, err := NewBatches("x", s, BatchOptions{BatchSize: 11}); err == nil {
		t.Error("a batch larger than the set accepted with drop-last")
	}
}

func TestProbe(t *testing.T) {
	s := tinySet(50)
	img, lab, idx, err := Probe(s, 8, 3)
	if err != nil {
		t.Fatal(err)
	}
	img2, _, idx2, _ := Probe(s, 8, 3)
	if !slices.Equal(idx, idx2) || !slices.Equal(img, img2) || !slices.IsSorted(idx) || len(lab) != 8 {
		t.Errorf("probe not fixed: %v %v", idx, idx2)
	}
	for k, i := range idx {
		if lab[k] != int32(s.Labels[i]) {
			t.Errorf("probe label %d", k)
		}
	}
	if _, _, _, err := Probe(s, 51, 3); err == nil {
		t.Error("probe larger than the set accepted")
	}
}

// BenchmarkYield measures one batch of 64 images into GoMLX tensors.
func BenchmarkYield(b *testing.B) {
	s := tinySet(1024)
	bs, _ := NewBatches("bench", s, BatchOptions{BatchSize: 64, Shuffle: true})
	b.SetBytes(64 * 784)
	b.ReportAllocs()
	for b.Loop() {
		_, in, lab, err := bs.Yield()
		if err == io.EOF {
			bs.Reset()
			continue
		}
		in[0].FinalizeAll()
		lab[0].FinalizeAll()
	}
}
