package diagnose

import (
	"math"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/modelfile"
	"github.com/fracdyn/fracdyn/fracdyn/null"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

// TestTensorNulls: a smooth dense matrix stands beyond every null in its
// box-counting dimension, an iid one within them; a permutation keeps the
// matrix entropy exactly (z = 0), the Gaussian null does not.
func TestTensorNulls(t *testing.T) {
	const n = 48
	smooth := make([]float32, n*n)
	iid := make([]float32, n*n)
	rng := null.RNG(5, null.Gauss, 0)
	for i := range n {
		for j := range n {
			x, y := float64(i-n/2)/n, float64(j-n/2)/n
			smooth[i*n+j] = float32(math.Exp(-(x*x + y*y) * 8))
			iid[i*n+j] = float32(rng.NormFloat64())
		}
	}
	info := modelfile.TensorInfo{Name: "fc.weight", DType: modelfile.Float32, Shape: []int{n, n}}
	modelfile.Classify(&info, weights.PyTorch)
	opts := AnalyzeOptions{Scales: []int{2, 4}, NullDraws: 19}
	for _, c := range []struct {
		name    string
		data    []float32
		verdict string
	}{{"smooth", smooth, "beyond all nulls"}, {"iid", iid, "within nulls"}} {
		rep, err := AnalyzeTensor(info, c.data, opts, nil)
		if err != nil || rep.Err != "" {
			t.Fatal(err, rep.Err)
		}
		if rep.Nulls == nil || rep.Nulls.Draws != 19 {
			t.Fatalf("%s: nulls %+v", c.name, rep.Nulls)
		}
		if v := null.Verdict(rep.Nulls.Tests["fd_bc"]); v != c.verdict {
			t.Errorf("%s: fd_bc %q, want %q: %v", c.name, v, c.verdict, rep.Nulls.Tests["fd_bc"])
		}
		ent := rep.Nulls.Tests["matrix_entropy"]
		for _, r := range ent[:2] { // perm, rowcol keep every value
			if r.Z != 0 || r.SD != 0 || math.Abs(r.Mean-rep.Entropy.Mean) > 1e-12 || r.Beyond {
				t.Errorf("%s: matrix entropy under %s: %+v, want the observed %v (to round-off)", c.name, r.Kind, r, rep.Entropy.Mean)
			}
		}
		if ent[2].SD == 0 {
			t.Errorf("%s: the Gaussian null's entropy does not vary: %+v", c.name, ent[2])
		}
		for _, s := range rep.Scales {
			if s.Nulls == nil || s.Nulls.Segments != s.Segments || len(s.Nulls.Tests["fd_mean"]) != 3 {
				t.Errorf("%s r=%d: scale nulls %+v", c.name, s.R, s.Nulls)
			}
		}
		if c.name == "smooth" {
			if v := null.Verdict(rep.Scales[0].Nulls.Tests["fd_mean"]); v != "beyond all nulls" {
				t.Errorf("smooth r=2 segment FD: %q", v)
			}
		}
	}
	// Off: no nulls, empty cells.
	rep, _ := AnalyzeTensor(info, iid, AnalyzeOptions{Scales: []int{2}, NullDraws: -1}, nil)
	if rep.Nulls != nil || rep.Scales[0].Nulls != nil {
		t.Error("NullDraws -1 computed nulls")
	}
}

// TestSampledSegmentNullsDefined: a wide layer whose segment nulls are
// sampled, at r = 2 (16,384 of 163,840 segments) and at r = 16 (256 of
// 3,072), is measured on a grid of sampled segments in which r stays a
// valid scale: both tests are defined, and the scale's Nulls.Segments says
// how many segments a draw measured.
func TestSampledSegmentNullsDefined(t *testing.T) {
	info := modelfile.TensorInfo{Name: "wide.weight", DType: modelfile.Float32, Shape: []int{40, 16384}}
	modelfile.Classify(&info, weights.PyTorch)
	data := make([]float32, 40*16384)
	rng := null.RNG(1, null.Gauss, 1)
	for i := range data {
		data[i] = float32(rng.NormFloat64())
	}
	rep, err := AnalyzeTensor(info, data, AnalyzeOptions{Scales: []int{2, 16}, NullDraws: 3}, nil)
	if err != nil || rep.Err != "" {
		t.Fatal(err, rep.Err)
	}
	for i, want := range []int{16384, 256} {
		sc := rep.Scales[i]
		s := sc.Nulls
		if s == nil || s.Segments != want {
			t.Fatalf("r=%d: nulls %+v, want %d segments per draw of the layer's %d", sc.R, s, want, sc.Segments)
		}
		for _, r := range s.Tests["fd_mean"] {
			if math.IsNaN(r.Z) || r.Draws != 3 {
				t.Errorf("r=%d %s: %+v", sc.R, r.Kind, r)
			}
		}
	}
}
