package diagnose

import (
	"math"
	"slices"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/modelfile"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

func TestMatricesConvOrder(t *testing.T) {
	// conv [2,3,2,2]: matrix j = o·3+i is kernel (o,i), contiguous.
	info := modelfile.TensorInfo{Name: "c", DType: modelfile.Float32, Shape: []int{2, 3, 2, 2}}
	modelfile.Classify(&info, weights.PyTorch)
	data := make([]float32, 24)
	for i := range data {
		data[i] = float32(i)
	}
	var got [][]float64
	if err := info.Matrices.Matrices(data, func(j int, w []float64) error {
		got = append(got, slices.Clone(w))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 6 || !slices.Equal(got[4], []float64{16, 17, 18, 19}) {
		t.Errorf("matrices %v; want 6 with matrix 4 = kernel (1,1) = 16..19", got)
	}
	if err := info.Matrices.Matrices(data[:20], func(int, []float64) error { return nil }); err == nil {
		t.Error("short data: no error")
	}
}

func TestConvSpectralPoolsSlices(t *testing.T) {
	// W[:,:,p] = c_p·I₄ for the 9 kernel positions p: each slice has the
	// eigenvalue c_p² four times, and the pooled ESD holds all 36.
	const out, in = 4, 4
	info := modelfile.TensorInfo{Name: "conv", DType: modelfile.Float32, Shape: []int{out, in, 3, 3}}
	modelfile.Classify(&info, weights.PyTorch)
	data := make([]float32, out*in*9)
	for p := range 9 {
		for o := range out {
			data[(o*in+o)*9+p] = float32(p + 1)
		}
	}
	d, err := convSpectral(info.Shape, data)
	if err != nil {
		t.Fatal(err)
	}
	if d.NumEvals != 36 || math.Abs(d.LambdaMax-81) > 1e-9 {
		t.Errorf("pooled ESD: %d eigenvalues, λmax %g; want 36 and 81", d.NumEvals, d.LambdaMax)
	}
	// Σλ = 4·Σ p² = 4·285 and stable rank Σλ/λmax.
	if want := 4 * 285.0 / 81; math.Abs(d.StableRank-want) > 1e-9 {
		t.Errorf("stable rank %g, want %g", d.StableRank, want)
	}
}

func TestAnalyzeTensorNaN(t *testing.T) {
	info := modelfile.TensorInfo{Name: "bad.weight", DType: modelfile.Float32, Shape: []int{8, 8}}
	modelfile.Classify(&info, weights.PyTorch)
	data := make([]float32, 64)
	for i := range data {
		data[i] = float32(i%7) - 3
	}
	data[10] = float32(math.NaN())
	rep, err := AnalyzeTensor(info, data, AnalyzeOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Err == "" {
		t.Error("NaN weight: no error in the report")
	}
}

func TestStatSkipsUndefined(t *testing.T) {
	s := statOf([]float32{1, float32(math.NaN()), 3, float32(math.Inf(1))})
	if s.N != 2 || s.Undefined != 2 || s.Mean != 2 || s.Std != 1 {
		t.Errorf("statOf = %+v, want mean 2, std 1 over 2, 2 undefined", s)
	}
	if s := statOf([]float64{math.NaN()}); !math.IsNaN(s.Mean) || s.Undefined != 1 {
		t.Errorf("all undefined: %+v", s)
	}
}
