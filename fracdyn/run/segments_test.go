package run

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
	. "github.com/gomlx/gomlx/pkg/core/graph"
)

func TestPlanTrackingCounts(t *testing.T) {
	layers := []weights.Layer{
		{Name: "conv1", Kind: weights.Conv, WeightShape: []int{32, 1, 3, 3}},
		{Name: "conv2", Kind: weights.Conv, WeightShape: []int{64, 32, 3, 3}},
		{Name: "fc1", Kind: weights.Dense, WeightShape: []int{128, 50176}},
		{Name: "fc2", Kind: weights.Dense, WeightShape: []int{10, 128}},
	}
	p := planTracking(layers, "default", 2, 256, 1)
	// conv1: 32 kernels × 2×2 origins (3×3 at r=2 overlaps) = 128, all;
	// the others sampled to 256 each (fc2 has 5×64 = 320 segments).
	if got, want := len(p.segments), 128+3*256; got != want {
		t.Fatalf("tracked %d segments, want %d", got, want)
	}
	byLayer := map[string]int{}
	for i, s := range p.segments {
		byLayer[s.Layer]++
		if s.Column != i {
			t.Fatalf("segment %d has column %d", i, s.Column)
		}
	}
	if byLayer["conv1"] != 128 || byLayer["fc1"] != 256 {
		t.Errorf("per layer: %v", byLayer)
	}
	// conv1's segment 5: kernel 1 (neuron 1, channel 0), origin (0, 1).
	s := p.segments[5]
	if s.Neuron != 1 || s.Channel != 0 || s.Row != 0 || s.Col != 1 || s.R != 2 {
		t.Errorf("conv1 segment 5 = %+v", s)
	}
	// Same seed, same sample; another seed, another sample.
	q := planTracking(layers, "default", 2, 256, 1)
	o := planTracking(layers, "default", 2, 256, 2)
	same, differ := true, false
	for i := range p.segments {
		same = same && p.segments[i] == q.segments[i]
		differ = differ || p.segments[i] != o.segments[i]
	}
	if !same || !differ {
		t.Errorf("sampling not seeded: same seed equal %v, other seed differs %v", same, differ)
	}
	all := planTracking(layers[:2], "all", 3, 256, 1)
	if len(all.segments) != 32+64*32 {
		t.Errorf("track all at r=3: %d segments, want %d", len(all.segments), 32+64*32)
	}
	if sk := planTracking(layers, "all", 4, 1, 1).skipped; len(sk) != 2 {
		t.Errorf("r=4 should skip the two 3×3 conv layers, skipped %v", sk)
	}
}

func TestSampleWithoutReplacement(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	s := sampleWithoutReplacement(rng, 1000, 100)
	if len(s) != 100 {
		t.Fatalf("len %d", len(s))
	}
	for i := 1; i < len(s); i++ {
		if s[i] <= s[i-1] || s[i] >= 1000 || s[0] < 0 {
			t.Fatalf("not sorted distinct in range: %v", s)
		}
	}
}

// TestSegmentStats checks the gathered norms and means against direct
// loops over a conv [2,2,3,3] and a dense [3,5] gradient.
func TestSegmentStats(t *testing.T) {
	layers := []weights.Layer{
		{Name: "c", Kind: weights.Conv, WeightShape: []int{2, 2, 3, 3}},
		{Name: "d", Kind: weights.Dense, WeightShape: []int{3, 5}},
	}
	p := planTracking(layers, "all", 2, 1, 1)
	conv := make([]float32, 36)
	dense := make([]float32, 15)
	for i := range conv {
		conv[i] = float32(i%7) - 2.5
	}
	for i := range dense {
		dense[i] = float32(i*i%11) - 4
	}
	exec := MustNewExec(backend.MustNew(), func(c, d *Node) []*Node {
		n, m := segmentStats(p, map[string]*Node{"c": c, "d": d})
		return []*Node{n, m}
	})
	out := exec.MustExec(conv, dense)
	norms, means := out[0].Value().([]float32), out[1].Value().([]float32)
	if len(norms) != 2*2*4+2*3 {
		t.Fatalf("%d norms, want %d", len(norms), 2*2*4+2*3)
	}
	for _, s := range p.segments {
		var w []float32
		var kw int
		if s.Layer == "c" {
			w, kw = conv[(s.Neuron*2+s.Channel)*9:], 3
		} else {
			w, kw = dense, 5
		}
		var sum, sq float64
		for a := range 2 {
			for b := range 2 {
				x := float64(w[(s.Row+a)*kw+s.Col+b])
				sum += x
				sq += x * x
			}
		}
		if got, want := float64(norms[s.Column]), math.Sqrt(sq); math.Abs(got-want) > 1e-5 {
			t.Errorf("%+v: norm %g, want %g", s, got, want)
		}
		if got, want := float64(means[s.Column]), sum/4; math.Abs(got-want) > 1e-6 {
			t.Errorf("%+v: mean %g, want %g", s, got, want)
		}
	}
	// Dense [3,5] at r=2: row origins {0,1}, col origins {0,2,3}.
	last := p.segments[len(p.segments)-1]
	if last.Row != 1 || last.Col != 3 || last.Neuron != -1 {
		t.Errorf("last dense segment %+v, want origin (1,3), neuron -1", last)
	}
}

func TestSegmentsIndexRoundTrip(t *testing.T) {
	dir := t.TempDir()
	p := planTracking([]weights.Layer{{Name: "conv1", Kind: weights.Conv, WeightShape: []int{4, 1, 3, 3}}}, "default", 2, 8, 1)
	if err := writeSegmentsIndex(dir, p.segments); err != nil {
		t.Fatal(err)
	}
	got, err := readSegmentsIndex(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(p.segments) {
		t.Fatalf("read %d rows, wrote %d", len(got), len(p.segments))
	}
	for i := range got {
		if got[i] != p.segments[i] {
			t.Errorf("row %d: %+v, wrote %+v", i, got[i], p.segments[i])
		}
	}
}
