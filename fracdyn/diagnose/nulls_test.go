package diagnose

import (
	"math"
	"slices"
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

// TestSampleShapeSampledNulls: a layer with more segments than
// null.MaxSegments has its segment nulls measured on a leading block,
// and the scale's Nulls.Segments says how many.
func TestSampleShapeSampledNulls(t *testing.T) {
	sub, n, segs, err := null.SampleShape([]int{128, 50176}, 2, null.MaxSegments)
	if err != nil {
		t.Fatal(err)
	}
	// 25088 segments per band of 2 rows: 2 bands (the least), 4 rows, cut
	// to 16384 columns (2^16 weights).
	if !slices.Equal(sub, []int{4, 16384}) || n != 1<<16 || segs != 2*8192 {
		t.Fatalf("sample %v, %d elements, %d segments", sub, n, segs)
	}
	// At r = 16 two bands of 16 rows are 1.6M weights: cut to 2048
	// columns (2^16 weights), 2·128 segments. Every scale stays valid.
	sub, n, segs, _ = null.SampleShape([]int{128, 50176}, 16, null.MaxSegments)
	if !slices.Equal(sub, []int{32, 2048}) || n != 1<<16 || segs != 2*128 {
		t.Fatalf("r=16 sample %v, %d elements, %d segments", sub, n, segs)
	}
	sub, _, segs, _ = null.SampleShape([]int{64, 32, 3, 3}, 2, 1000)
	if !slices.Equal(sub, []int{7, 32, 3, 3}) || segs != 7*32*4 { // 250 kernels of 4 segments
		t.Fatalf("conv sample %v, %d segments", sub, segs)
	}
}

// TestSampledSegmentNullsDefined: a wide layer whose segment nulls are
// sampled keeps r a valid scale of the sample, so the test is defined (a
// single band of 16 rows made every r = 16 null NaN before).
func TestSampledSegmentNullsDefined(t *testing.T) {
	info := modelfile.TensorInfo{Name: "wide.weight", DType: modelfile.Float32, Shape: []int{40, 16384}}
	modelfile.Classify(&info, weights.PyTorch)
	data := make([]float32, 40*16384)
	rng := null.RNG(1, null.Gauss, 1)
	for i := range data {
		data[i] = float32(rng.NormFloat64())
	}
	rep, err := AnalyzeTensor(info, data, AnalyzeOptions{Scales: []int{16}, NullDraws: 3}, nil)
	if err != nil || rep.Err != "" {
		t.Fatal(err, rep.Err)
	}
	s := rep.Scales[0].Nulls
	if s == nil || s.Segments >= rep.Scales[0].Segments {
		t.Fatalf("r=16: nulls %+v, want a sample of the %d segments", s, rep.Scales[0].Segments)
	}
	for _, r := range s.Tests["fd_mean"] {
		if math.IsNaN(r.Z) || r.Draws != 3 {
			t.Errorf("r=16 %s: %+v", r.Kind, r)
		}
	}
}
