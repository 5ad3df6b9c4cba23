package modelio

import (
	"bytes"
	"encoding/csv"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/null"
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
	info := TensorInfo{Name: "fc.weight", DType: Float32, Shape: []int{n, n}}
	Classify(&info)
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
		// The tables carry the columns, filled.
		var buf bytes.Buffer
		if err := WriteDetails(&buf, []LayerReport{rep}); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := slices.Index(rows[0], "fd_bc_null_verdict")
		if col < 0 || rows[1][col] != c.verdict || rows[1][len(rows[1])-2] != "19" || rows[1][len(rows[1])-1] != "2304" {
			t.Errorf("%s: details.csv %v / %v", c.name, rows[0][col:], rows[1][col:])
		}
		buf.Reset()
		WriteScales(&buf, []LayerReport{rep})
		if !strings.Contains(buf.String(), "fd_mean_perm_z") {
			t.Errorf("scales.csv has no null columns: %s", strings.SplitN(buf.String(), "\n", 2)[0])
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
	// 25088 segments per band of 2 rows: 2 bands, 4 rows.
	if !slices.Equal(sub, []int{4, 50176}) || n != 4*50176 || segs != 2*25088 {
		t.Fatalf("sample %v, %d elements, %d segments", sub, n, segs)
	}
	sub, _, segs, _ = null.SampleShape([]int{64, 32, 3, 3}, 2, 1000)
	if !slices.Equal(sub, []int{7, 32, 3, 3}) || segs != 7*32*4 {
		t.Fatalf("conv sample %v, %d segments", sub, segs)
	}
}
