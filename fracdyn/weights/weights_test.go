package weights

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// ramp returns 0, 1, 2, ... as float32.
func ramp(n int) []float32 {
	w := make([]float32, n)
	for i := range w {
		w[i] = float32(i)
	}
	return w
}

// One dense weight W[o][i] = 10·o + i (out 9, in 4) and one conv kernel
// K[o][c][h][w] = 1000·o + 100·c + 10·h + w (out 8, in 2, 3×3), each stored
// in every layout a source uses, written out by plain loops.
const (
	dOut, dIn                = 9, 4
	cOut, cIn, cKH, cKW      = 8, 2, 3, 3
	c1Out, c1In, c1K         = 9, 2, 3
	denseSize, convSize      = dOut * dIn, cOut * cIn * cKH * cKW
	conv1dSize               = c1Out * c1In * c1K
	wantDenseM, wantDenseNum = "9×4", 1
)

func denseW(o, i int) float32      { return float32(10*o + i) }
func convK(o, c, h, w int) float32 { return float32(1000*o + 100*c + 10*h + w) }
func conv1dK(o, c, k int) float32  { return float32(100*o + 10*c + k) }
func storedDenseOI() []float32 {
	return fill2(dOut, dIn, func(a, b int) float32 { return denseW(a, b) })
}
func storedDenseIO() []float32 {
	return fill2(dIn, dOut, func(a, b int) float32 { return denseW(b, a) })
}
func fill2(n, m int, f func(a, b int) float32) []float32 {
	w := make([]float32, 0, n*m)
	for a := range n {
		for b := range m {
			w = append(w, f(a, b))
		}
	}
	return w
}
func fill4(d [4]int, f func(a, b, c, e int) float32) []float32 {
	var w []float32
	for a := range d[0] {
		for b := range d[1] {
			for c := range d[2] {
				for e := range d[3] {
					w = append(w, f(a, b, c, e))
				}
			}
		}
	}
	return w
}

func TestSameMatricesInEveryLayout(t *testing.T) {
	oihw := fill4([4]int{cOut, cIn, cKH, cKW}, convK)
	hwio := fill4([4]int{cKH, cKW, cIn, cOut}, func(h, w, c, o int) float32 { return convK(o, c, h, w) })
	var oik, kio []float32
	for o := range c1Out {
		for c := range c1In {
			for k := range c1K {
				oik = append(oik, conv1dK(o, c, k))
			}
		}
	}
	for k := range c1K {
		for c := range c1In {
			for o := range c1Out {
				kio = append(kio, conv1dK(o, c, k))
			}
		}
	}
	cases := []struct {
		source string
		conv   Convention
		name   string
		shape  []int
		data   []float32
		kind   Kind
		layout Layout
	}{
		{"PyTorch Linear", PyTorch, "fc1.weight", []int{dOut, dIn}, storedDenseOI(), Dense, OI},
		{"ONNX Gemm transB=1", ONNX, "fc1.weight", []int{dOut, dIn}, storedDenseOI(), Dense, OI},
		{"ONNX MatMul", ONNXMatMul, "onnx::MatMul_12", []int{dIn, dOut}, storedDenseIO(), Dense, IO},
		{"GoMLX layers.Dense", GoMLX, "/model/dense/weights", []int{dIn, dOut}, storedDenseIO(), Dense, IO},
		{"Keras Dense (npz)", NumPy, "dense_1/kernel", []int{dIn, dOut}, storedDenseIO(), Dense, IO},
		{"PyTorch Conv2d", PyTorch, "conv1.weight", []int{cOut, cIn, cKH, cKW}, oihw, Conv, OIHW},
		{"ONNX Conv", ONNX, "conv1.weight", []int{cOut, cIn, cKH, cKW}, oihw, Conv, OIHW},
		{"GoMLX conv channels-last", GoMLX, "/conv_0/conv/weights", []int{cKH, cKW, cIn, cOut}, hwio, Conv, HWIO},
		{"GoMLX conv channels-first", GoMLX, "/conv_0/conv/weights", []int{cOut, cIn, cKH, cKW}, oihw, Conv, OIHW},
		{"Flax Conv (safetensors)", PyTorch, "params.conv.kernel", []int{cKH, cKW, cIn, cOut}, hwio, Conv, HWIO},
		{"PyTorch Conv1d", PyTorch, "c1.weight", []int{c1Out, c1In, c1K}, oik, Conv1D, OIK},
		{"GoMLX 1-D conv channels-last", GoMLX, "/c/conv/weights", []int{c1K, c1In, c1Out}, kio, Conv1D, KIO},
	}
	wantDense := storedDenseOI()
	for _, tc := range cases {
		tn := Tensor{Name: tc.name, DType: "float32", Shape: tc.shape}
		Classify(&tn, tc.conv)
		if tn.Kind != tc.kind || tn.Layout != tc.layout {
			t.Errorf("%s: Classify(%q %v) = %v %v (%s), want %v %v", tc.source, tc.name, tc.shape, tn.Kind, tn.Layout, tn.Why, tc.kind, tc.layout)
			continue
		}
		v, err := tn.View(PerKernel)
		if err != nil {
			t.Fatalf("%s: %v", tc.source, err)
		}
		canon, cshape, err := Canonicalize(nil, tc.data, tc.shape, tn.Layout)
		if err != nil {
			t.Fatalf("%s: %v", tc.source, err)
		}
		var got [][]float64
		if err := v.Matrices(canon, func(j int, w []float64) error {
			got = append(got, append([]float64(nil), w...))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		switch tc.kind {
		case Dense:
			if !reflect.DeepEqual(cshape, []int{dOut, dIn}) || v.String() != "9×4" || !reflect.DeepEqual(canon, wantDense) {
				t.Errorf("%s: canonical %v, view %v, data %v; want [9 4], 9×4, %v", tc.source, cshape, v, canon, wantDense)
			}
		case Conv:
			// 16 kernels of 3×3; kernel k·in+c holds K[k][c][h][w] at h·3+w.
			if v.String() != "16 × (3×3)" || len(got) != cOut*cIn {
				t.Fatalf("%s: view %v with %d matrices, want 16 × (3×3)", tc.source, v, len(got))
			}
			for o := range cOut {
				for c := range cIn {
					for h := range cKH {
						for w := range cKW {
							if g := got[o*cIn+c][h*cKW+w]; g != float64(convK(o, c, h, w)) {
								t.Fatalf("%s: kernel (%d,%d) at (%d,%d) = %v, want %v", tc.source, o, c, h, w, g, convK(o, c, h, w))
							}
						}
					}
				}
			}
		case Conv1D:
			// One 9×6 matrix, row o = [K[o][0][0..2], K[o][1][0..2]].
			if v.String() != "9×6" || got[0][1*6+3+2] != float64(conv1dK(1, 1, 2)) || !reflect.DeepEqual(canon, oik) {
				t.Errorf("%s: view %v, canonical %v, want 9×6 and %v", tc.source, v, canon, oik)
			}
		}
	}
}

func TestUnfoldedView(t *testing.T) {
	v, err := ViewOf(Conv, []int{8, 2, 3, 3}, Unfolded)
	if err != nil || v.String() != "8×18" || !reflect.DeepEqual(v.Shape, []int{8, 18}) || v.Conv {
		t.Errorf("unfolded = %+v, %v; want one 8×18 matrix", v, err)
	}
	v, _ = ViewOf(Conv, []int{8, 2, 1, 1}, PerKernel)
	if v.String() != "8×2" || v.Why != "1×1 convolution read as dense out×in" {
		t.Errorf("1×1 conv = %+v", v)
	}
	v, _ = ViewOf(Conv, []int{8, 2, 3, 3}, PerKernel)
	if !reflect.DeepEqual(v.Shape, []int{8, 2, 3, 3}) || !v.Conv || !reflect.DeepEqual(v.Scales(), []int{2}) {
		t.Errorf("per kernel = %+v, scales %v", v, v.Scales())
	}
	if v, err := ViewOf(Bias, []int{8}, PerKernel); err != nil || v.Count != 0 || v.String() != "-" {
		t.Errorf("bias view = %+v, %v", v, err)
	}
	if _, err := ViewOf(Conv, []int{8, 2}, PerKernel); err == nil {
		t.Error("rank-2 conv accepted")
	}
}

func TestClassifyRules(t *testing.T) {
	cases := []struct {
		conv   Convention
		name   string
		dtype  string
		shape  []int
		kind   Kind
		layout Layout
		why    string // substring
	}{
		{PyTorch, "fc1.weight.grad", "float32", []int{4, 4}, Skipped, 0, "gradient"},
		{PyTorch, "conv.activation", "float32", []int{8, 13, 13}, Skipped, 0, "activation map"},
		{PyTorch, "pos_ids", "int64", []int{4, 4}, Skipped, 0, "int64 dtype"},
		{PyTorch, "x", "F32", []int{}, Skipped, 0, "scalar"},
		{PyTorch, "x", "F32", []int{2, 0}, Skipped, 0, "empty"},
		{PyTorch, "x", "F32", []int{1, 2, 3, 4, 5}, Skipped, 0, "rank 5"},
		{PyTorch, "bn1.running_mean", "float32", []int{4}, Norm, 0, ""},
		{PyTorch, "fc1.bias", "float32", []int{4}, Bias, 0, ""},
		{PyTorch, "wte.weight", "float32", []int{50, 8}, Embedding, OI, ""},
		{NumPy, "w1", "float32", []int{10, 20}, Dense, OI, "assumed PyTorch [out,in]: npz stores no layout"},
		{NumPy, "w1", "float32", []int{3, 3, 1, 32}, Conv, HWIO, "npz stores no layout"},
		{NumPy, "w1", "float32", []int{3, 3, 3, 3}, Conv, LayoutUnknown, "fits both"},
		{NumPy, "conv1.weight", "float32", []int{3, 3, 3, 3}, Conv, OIHW, ""},
		{Keras, "conv/kernel", "float32", []int{3, 3, 3, 3}, Conv, HWIO, ""},
		{GoMLX, "/conv_0/conv/weights", "Float32", []int{3, 3, 3, 3}, Conv, LayoutUnknown, "fits both"},
		{GoMLX, "/conv_0/conv/weights", "Float32", []int{3, 3, 1, 32}, Conv, HWIO, "channels"},
		{GoMLX, "/conv_0/conv/weights", "Float32", []int{32, 1, 3, 3}, Conv, OIHW, "[out,in,kh,kw]"},
		{GoMLX, "/conv_0/conv/biases", "Float32", []int{32}, Bias, 0, ""},
		{GoMLX, "/tok/embeddings", "Float32", []int{100, 16}, Embedding, OI, "Embedding"},
		{GoMLX, "/b/batch_normalization/scale", "Float32", []int{32}, Norm, 0, "normalisation"},
		{GoMLX, "/b/batch_normalization/mean", "Float32", []int{32}, Norm, 0, "normalisation"},
		{GoMLX, "/l/layer_normalization/gain", "Float32", []int{32}, Norm, 0, "normalisation"},
		{GoMLX, "/AdamOptimizer/dense/weights_1st_moment", "Float32", []int{4, 4}, Skipped, 0, "optimizer"},
		{GoMLX, "/global_step", "Int64", []int{}, Skipped, 0, "dtype"},
		{GoMLX, "/adam/conv1/weights", "Float32", []int{32, 1, 3, 3}, Skipped, 0, "optimizer state"},
		{GoMLX, "/my_optimizer/step_size", "Float32", []int{4}, Skipped, 0, "optimizer state"},
		{GoMLX, "/adam/step", "Int64", []int{}, Skipped, 0, "dtype"},       // skipped already: its own reason
		{GoMLX, "/adam_beta", "Float32", []int{4, 3}, Dense, IO, "rank-2"}, // a root variable, not under an optimizer scope
		{ONNXMatMul, "onnx::MatMul_5", "float32", []int{4, 3}, Dense, IO, "MatMul"},
	}
	for _, tc := range cases {
		tn := Tensor{Name: tc.name, DType: tc.dtype, Shape: tc.shape}
		Classify(&tn, tc.conv)
		if tn.Kind != tc.kind || tn.Layout != tc.layout || !strings.Contains(tn.Why, tc.why) {
			t.Errorf("Classify(%q %s %v, %v) = %v %v %q; want %v %v with %q", tc.name, tc.dtype, tc.shape, tc.conv,
				tn.Kind, tn.Layout, tn.Why, tc.kind, tc.layout, tc.why)
		}
	}
}

func TestClassifyKnown(t *testing.T) {
	known := map[string][]int{"/conv1/weights": {32, 1, 3, 3}, "/fc1/weights": {10, 64}}
	for _, tc := range []struct {
		name    string
		shape   []int
		applied bool
		layout  Layout
	}{
		{"/conv1/weights", []int{32, 1, 3, 3}, true, OIHW},
		{"/fc1/weights", []int{10, 64}, true, OI},    // not layers.Dense's [in,out]
		{"/fc1/weights", []int{64, 10}, false, IO},   // another shape: the convention's rule
		{"/conv1/biases", []int{32}, false, 0},       // not segmented
		{"/other/weights", []int{10, 64}, false, IO}, // not known
	} {
		tn := Tensor{Name: tc.name, DType: "Float32", Shape: tc.shape}
		Classify(&tn, GoMLX)
		got := ClassifyKnown(&tn, known, "own model")
		if got != tc.applied || tn.Layout != tc.layout || (got && tn.Why != "own model") {
			t.Errorf("ClassifyKnown(%s %v) = %v, layout %v %q; want %v, %v", tc.name, tc.shape, got, tn.Layout, tn.Why, tc.applied, tc.layout)
		}
	}
}

func TestAmbiguousLayoutIsRefusedUntilOverridden(t *testing.T) {
	tn := Tensor{Name: "/conv_0/conv/weights", DType: "float32", Shape: []int{3, 3, 3, 3}}
	Classify(&tn, GoMLX)
	_, err := tn.View(PerKernel)
	if err == nil || !strings.Contains(err.Error(), `"/conv_0/conv/weights"`) || !strings.Contains(err.Error(), "--layout") {
		t.Fatalf("ambiguous kernel: err = %v, want one naming the variable and --layout", err)
	}
	o, err := ParseOverrides("*conv_0*=channels-last, fc*=oi")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := o.Apply(&tn); !ok || err != nil || tn.Layout != HWIO {
		t.Fatalf("Apply = %v, %v, layout %v; want hwio", ok, err, tn.Layout)
	}
	if v, err := tn.View(PerKernel); err != nil || v.String() != "9 × (3×3)" {
		t.Errorf("after override: %v, %v", v, err)
	}
	// An exact layout of the wrong rank is an error naming the tensor.
	o, _ = ParseOverrides("*=hwio")
	d := Tensor{Name: "fc1.weight", Kind: Dense, Layout: OI, Shape: []int{4, 4}}
	if _, err := o.Apply(&d); err == nil || !strings.Contains(err.Error(), "fc1.weight") {
		t.Errorf("hwio on a rank-2 tensor: err = %v", err)
	}
	for _, bad := range []string{"conv", "=hwio", "x=", "x=nchw"} {
		if _, err := ParseOverrides(bad); err == nil {
			t.Errorf("ParseOverrides(%q) accepted", bad)
		}
	}
}

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		glob, name string
		want       bool
	}{
		{"*", "/a/b/weights", true},
		{"*conv*", "/m/conv_0/conv/weights", true},
		{"fc?.weight", "fc1.weight", true},
		{"fc?.weight", "fc12.weight", false},
		{"/m/*/weights", "/m/dense/weights", true},
		{"/m/*/weights", "/m/dense/biases", false},
		{"", "", true},
	} {
		if got := Match(tc.glob, tc.name); got != tc.want {
			t.Errorf("Match(%q, %q) = %v", tc.glob, tc.name, got)
		}
	}
}

func TestCanonicalizeInPlaceAndErrors(t *testing.T) {
	src := ramp(6) // IO [3,2]: src[i][o] = 2i+o
	got, shape, err := Canonicalize(nil, src, []int{3, 2}, IO)
	if err != nil || !reflect.DeepEqual(shape, []int{2, 3}) || !reflect.DeepEqual(got, []float32{0, 2, 4, 1, 3, 5}) {
		t.Errorf("IO [3,2] → %v %v %v", got, shape, err)
	}
	if _, _, err := Canonicalize(nil, src, []int{3, 3}, IO); err == nil {
		t.Error("wrong length accepted")
	}
	if _, _, err := Canonicalize(nil, src, []int{6}, IO); err == nil {
		t.Error("wrong rank accepted")
	}
	if _, _, err := Canonicalize(nil, src, []int{3, 2}, LayoutUnknown); err == nil {
		t.Error("unknown layout accepted")
	}
}

func TestLayerJSONCompatible(t *testing.T) {
	// A layer of a run written before layouts existed.
	old := `{"name":"conv1","kind":"conv","weight_shape":[32,1,3,3],"bias_shape":[32],"out_shape":[32,28,28],"prev":-1}`
	var l Layer
	if err := json.Unmarshal([]byte(old), &l); err != nil {
		t.Fatal(err)
	}
	if l.Kind != Conv || l.StoredLayout() != OIHW || l.WeightName() != "conv1.weight" {
		t.Errorf("old layer read as %+v (stored %v, weight %q)", l, l.StoredLayout(), l.WeightName())
	}
	b, _ := json.Marshal(l)
	if string(b) != old {
		t.Errorf("re-encoded as %s, want %s", b, old)
	}
	g := Layer{Name: "/conv_0", Kind: Conv, Param: "/conv_0/conv/weights", Layout: HWIO, WeightShape: []int{32, 1, 3, 3}, Prev: -1}
	b, _ = json.Marshal(g)
	var back Layer
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, g) {
		t.Errorf("round trip of %s: %+v, %v", b, back, err)
	}
	if !strings.Contains(string(b), `"layout":"hwio"`) || !reflect.DeepEqual(g.StoredShape(), []int{3, 3, 1, 32}) {
		t.Errorf("GoMLX layer JSON %s, stored shape %v", b, g.StoredShape())
	}
	if err := json.Unmarshal([]byte(`{"name":"x","kind":"capsule"}`), &l); err == nil {
		t.Error("unknown kind accepted")
	}
}

func TestLayerCanonical(t *testing.T) {
	g := Layer{Name: "d", Kind: Dense, Layout: IO, WeightShape: []int{dOut, dIn}}
	w, err := g.Canonical(nil, storedDenseIO())
	if err != nil || !reflect.DeepEqual(w, storedDenseOI()) {
		t.Errorf("IO layer canonical = %v, %v", w, err)
	}
	p := Layer{Name: "d", Kind: Dense, WeightShape: []int{dOut, dIn}}
	if w, err := p.Canonical(nil, storedDenseOI()); err != nil || !reflect.DeepEqual(w, storedDenseOI()) {
		t.Errorf("PyTorch layer canonical = %v, %v", w, err)
	}
}

func TestCheckLayers(t *testing.T) {
	good := []Layer{
		{Name: "c", Kind: Conv, WeightShape: []int{4, 1, 3, 3}, BiasShape: []int{4}, OutShape: []int{4, 8, 8}, Prev: -1},
		{Name: "d", Kind: Dense, Layout: IO, WeightShape: []int{10, 256}, Prev: 0},
	}
	if err := CheckLayers(good); err != nil {
		t.Fatal(err)
	}
	for name, mut := range map[string]func(l []Layer){
		"repeated name": func(l []Layer) { l[1].Name = "c" },
		"bad prev":      func(l []Layer) { l[1].Prev = 1 },
		"bias":          func(l []Layer) { l[0].BiasShape = []int{5} },
		"rank":          func(l []Layer) { l[0].WeightShape = []int{4, 9} },
		"layout rank":   func(l []Layer) { l[1].Layout = HWIO },
		"kind":          func(l []Layer) { l[1].Kind = Bias },
	} {
		l := []Layer{good[0], good[1]}
		mut(l)
		if err := CheckLayers(l); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestLayersOf(t *testing.T) {
	ts := []Tensor{
		{Name: "/m/conv_0/conv/weights", DType: "float32", Shape: []int{3, 3, 1, 8}},
		{Name: "/m/conv_0/conv/biases", DType: "float32", Shape: []int{8}},
		{Name: "/m/batch_normalization/scale", DType: "float32", Shape: []int{8}},
		{Name: "/m/dense/weights", DType: "float32", Shape: []int{1352, 10}},
		{Name: "/m/dense/biases", DType: "float32", Shape: []int{10}},
	}
	for i := range ts {
		Classify(&ts[i], GoMLX)
	}
	ls, err := LayersOf(ts)
	if err != nil {
		t.Fatal(err)
	}
	want := []Layer{
		{Name: "/m/conv_0", Kind: Conv, Param: "/m/conv_0/conv/weights", Layout: HWIO, WeightShape: []int{8, 1, 3, 3}, BiasShape: []int{8}, Prev: -1},
		{Name: "/m", Kind: Dense, Param: "/m/dense/weights", Layout: IO, WeightShape: []int{10, 1352}, BiasShape: []int{10}, Prev: 0},
	}
	if !reflect.DeepEqual(ls, want) {
		t.Errorf("LayersOf = %+v\nwant %+v", ls, want)
	}
	if LayerName("fc1.weight") != "fc1" || LayerName("dense_1/kernel") != "dense_1" {
		t.Errorf("LayerName: %q %q", LayerName("fc1.weight"), LayerName("dense_1/kernel"))
	}
	ts[0].Shape, ts[0].Layout = []int{3, 3, 3, 3}, LayoutUnknown
	if _, err := LayersOf(ts); err == nil || !strings.Contains(err.Error(), "--layout") {
		t.Errorf("unknown layout: err = %v", err)
	}
}
