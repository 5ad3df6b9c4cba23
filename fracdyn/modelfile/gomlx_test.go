package modelfile

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

// gomlxFixture is a checkpoint directory written by testdata/gomlxckpt
// (GoMLX alone): checkpoints after step 1 and step 3, gzipped .bin files.
const gomlxFixture = "testdata/gomlx"

const (
	gomlxStep1 = "checkpoint-n0000000-20261203-232738-step-00000001"
	gomlxStep3 = "checkpoint-n0000001-20261203-232738-step-00000003"
)

// copyGoMLX copies the fixture's files into a new temporary directory.
func copyGoMLX(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := os.ReadDir(gomlxFixture)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(gomlxFixture, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func readAll(t *testing.T, m *Model) map[string][]float32 {
	t.Helper()
	out := map[string][]float32{}
	for _, ti := range m.Tensors {
		if ti.DType.Size() == 0 {
			continue
		}
		v, err := m.ReadFloat32(ti.Name)
		if err != nil {
			t.Fatalf("%s: %v", ti.Name, err)
		}
		out[ti.Name] = v
	}
	return out
}

func TestGoMLXCheckpointTensors(t *testing.T) {
	f, err := DetectFormat(gomlxFixture)
	if err != nil || f != GoMLX {
		t.Fatalf("DetectFormat = %q, %v; want gomlx", f, err)
	}
	m, err := Open(gomlxFixture)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.Format != GoMLX || m.Note != "checkpoint "+gomlxStep3 || m.Metadata["bin_format"] != "gzip" ||
		m.Metadata["param learning_rate"] != "0.01" {
		t.Errorf("format %q, note %q, metadata %v", m.Format, m.Note, m.Metadata)
	}
	// The model's variables, in the order GoMLX created and saved them.
	want := []struct {
		name  string
		shape []int
	}{
		{"/conv_0/conv/weights", []int{3, 3, 1, 8}}, {"/conv_0/conv/biases", []int{8}},
		{"/conv_1/conv/weights", []int{3, 3, 8, 16}}, {"/conv_1/conv/biases", []int{16}},
		{"/conv_1/batch_normalization/scale", []int{16}}, {"/conv_1/batch_normalization/offset", []int{16}},
		{"/conv_1/batch_normalization/mean", []int{16}}, {"/conv_1/batch_normalization/variance", []int{16}},
		{"/conv_1/batch_normalization/avg_weight", []int{16}},
		{"/fc_0/dense/weights", []int{256, 16}}, {"/fc_0/dense/biases", []int{16}},
		{"/fc_0/layer_normalization/gain", []int{16}}, {"/fc_0/layer_normalization/offset", []int{16}},
		{"/fc_1/dense/weights", []int{16, 10}}, {"/fc_1/dense/biases", []int{10}},
		{"/optimizers/learning_rate", []int{}}, {"/global_step", []int{}}, {"/AdamOptimizer/global_step", []int{}},
		{"/AdamOptimizer/conv_0/conv/weights_1st_moment", []int{3, 3, 1, 8}},
	}
	if len(m.Tensors) != 47 {
		t.Errorf("%d tensors, want 47 (15 model, 3 step/rate, 24 Adam moments, 4 metrics, 1 RNG state)", len(m.Tensors))
	}
	for i, w := range want {
		got := m.Tensors[i]
		if got.Name != w.name || !slices.Equal(got.Shape, w.shape) {
			t.Errorf("tensor %d = %s%v, want %s%v", i, got.Name, got.Shape, w.name, w.shape)
		}
	}
	if ti, _ := m.Info("/global_step"); ti.DType != Int64 {
		t.Errorf("/global_step dtype %s, want int64", ti.DType)
	}
	last := m.Tensors[len(m.Tensors)-1]
	if last.Name != "/#rngState" || last.DType != "uint64" || last.Kind != weights.Skipped {
		t.Errorf("last tensor %+v, want /#rngState uint64 skipped", last)
	}

	// Known values: the steps, Adam's learning rate.
	v := readAll(t, m)
	for name, want := range map[string]float32{"/global_step": 3, "/AdamOptimizer/global_step": 3, "/optimizers/learning_rate": 0.01} {
		if got := v[name]; len(got) != 1 || got[0] != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}

	// The earlier checkpoint, by step and by name.
	for _, which := range []string{"1", gomlxStep1, gomlxStep1 + ".json"} {
		m1, err := OpenWith(gomlxFixture, Options{Checkpoint: which})
		if err != nil {
			t.Fatalf("checkpoint %q: %v", which, err)
		}
		v1 := readAll(t, m1)
		m1.Close()
		if m1.Note != "checkpoint "+gomlxStep1 || v1["/global_step"][0] != 1 {
			t.Errorf("checkpoint %q: note %q, step %v", which, m1.Note, v1["/global_step"])
		}
		// The conv stack is frozen in the generator (StopGradient), the
		// dense layers train: conv kernels equal across checkpoints, dense
		// weights differ.
		if !slices.Equal(v1["/conv_1/conv/weights"], v["/conv_1/conv/weights"]) {
			t.Errorf("checkpoint %q: conv_1 kernel differs from step 3's, want equal (frozen)", which)
		}
		if slices.Equal(v1["/fc_0/dense/weights"], v["/fc_0/dense/weights"]) {
			t.Errorf("checkpoint %q: fc_0 weights equal step 3's, want trained", which)
		}
	}
	// One checkpoint's .json.
	mj, err := Open(filepath.Join(gomlxFixture, gomlxStep1+".json"))
	if err != nil {
		t.Fatal(err)
	}
	if mj.Format != GoMLX || mj.Note != "checkpoint "+gomlxStep1 {
		t.Errorf(".json path: format %q note %q", mj.Format, mj.Note)
	}
	mj.Close()
}

// TestGoMLXReadOrder reads variables backwards (rewinding the gzip stream
// each time) and gets the values of a forward read.
func TestGoMLXReadOrder(t *testing.T) {
	m, err := Open(gomlxFixture)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	fwd := readAll(t, m)
	for i := len(m.Tensors) - 1; i >= 0; i-- {
		name := m.Tensors[i].Name
		if _, ok := fwd[name]; !ok {
			continue
		}
		got, err := m.ReadFloat32(name)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, fwd[name]) {
			t.Errorf("%s read backwards differs", name)
		}
	}
}

// decompressGoMLX rewrites the checkpoint base in dir with an uncompressed
// .bin, as GoMLX's WithCompression(BinUncompressed) writes it.
func decompressGoMLX(t *testing.T, dir, base string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, base+".bin"))
	if err != nil {
		t.Fatal(err)
	}
	hl := len(gomlxBinHeader) + 1 + int(b[len(gomlxBinHeader)])
	zr, err := gzip.NewReader(bytes.NewReader(b[hl:]))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	editGoMLXJSON(t, dir, base, func(js map[string]any) { js["BinFormat"] = "uncompressed" })
	if err := os.WriteFile(filepath.Join(dir, base+".bin"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
}

// editGoMLXJSON rewrites a checkpoint's .json through edit.
func editGoMLXJSON(t *testing.T, dir, base string, edit func(map[string]any)) {
	t.Helper()
	p := filepath.Join(dir, base+".json")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var js map[string]any
	if err := json.Unmarshal(b, &js); err != nil {
		t.Fatal(err)
	}
	edit(js)
	if b, err = json.Marshal(js); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestGoMLXUncompressed(t *testing.T) {
	want, err := Open(gomlxFixture)
	if err != nil {
		t.Fatal(err)
	}
	wv := readAll(t, want)
	want.Close()
	dir := copyGoMLX(t)
	decompressGoMLX(t, dir, gomlxStep3)
	m, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.Metadata["bin_format"] != "uncompressed" {
		t.Errorf("bin_format %q", m.Metadata["bin_format"])
	}
	gv := readAll(t, m)
	if len(gv) != len(wv) {
		t.Fatalf("%d tensors, want %d", len(gv), len(wv))
	}
	for n, w := range wv {
		if !slices.Equal(gv[n], w) {
			t.Errorf("%s differs between gzip and uncompressed", n)
		}
	}
}

// TestGoMLXRunDirStaysRun: a fracdyn run directory holding GoMLX
// checkpoint files is read as a run.
func TestGoMLXRunDirStaysRun(t *testing.T) {
	dir := copyGoMLX(t)
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if f, err := DetectFormat(dir); err != nil || f != RunDir {
		t.Errorf("DetectFormat = %q, %v; want run", f, err)
	}
}

func TestGoMLXBadInput(t *testing.T) {
	truncate := func(n int64) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			if err := os.Truncate(filepath.Join(dir, gomlxStep3+".bin"), n); err != nil {
				t.Fatal(err)
			}
		}
	}
	vars := func(edit func(vs []any) []any) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			editGoMLXJSON(t, dir, gomlxStep3, func(js map[string]any) { js["Variables"] = edit(js["Variables"].([]any)) })
		}
	}
	field := func(i int, k string, v any) func(t *testing.T, dir string) {
		return vars(func(vs []any) []any { vs[i].(map[string]any)[k] = v; return vs })
	}
	cases := []struct {
		name     string
		which    string
		setup    func(t *testing.T, dir string)
		wantErrs []string
	}{
		{"no checkpoint", "", func(t *testing.T, dir string) {
			for _, b := range []string{gomlxStep1, gomlxStep3} {
				os.Remove(filepath.Join(dir, b+".json"))
			}
		}, []string{"without a checkpoint", ".bin has no .json"}},
		{"empty json", "", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, gomlxStep3+".json"), nil, 0o644)
		}, []string{gomlxStep3 + ".json", "not a GoMLX checkpoint .json"}},
		{"missing bin", "", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, gomlxStep3+".bin"))
		}, []string{gomlxStep3 + ".bin", "no such file"}},
		{"truncated gzip bin", "", truncate(20000), []string{gomlxStep3 + ".bin", "truncated"}},
		{"gzip bin cut in its header", "", truncate(10), []string{gomlxStep3 + ".json", "BinFormat gzip", "no gzip header"}},
		{"truncated uncompressed bin", "", func(t *testing.T, dir string) {
			decompressGoMLX(t, dir, gomlxStep3)
			os.Truncate(filepath.Join(dir, gomlxStep3+".bin"), 9000)
		}, []string{gomlxStep3 + ".bin", "truncated", `variable "/fc_0/dense/weights" needs bytes 5312 to 21696`}},
		{"length disagrees", "", field(2, "Length", 1000), []string{gomlxStep3 + ".json", `"/conv_1/conv/weights"`, "needs 4608 bytes", "Length 1000"}},
		{"dimensions disagree", "", field(9, "Dimensions", []int{256, 17}), []string{`"/fc_0/dense/weights"`, "needs 17408 bytes", "Length 16384"}},
		{"pos out of order", "", field(3, "Pos", 0), []string{`"/conv_1/conv/biases"`, "Pos 0, want 4928"}},
		{"unknown dtype", "", field(0, "DType", "Float128"), []string{`"/conv_0/conv/weights"`, `unsupported dtype "Float128"`}},
		{"bad parameter name", "", field(0, "ParameterName", "conv/weights"), []string{`"conv/weights"`, `does not start with "var:"`}},
		{"variable missing from json", "", vars(func(vs []any) []any { return vs[:len(vs)-1] }),
			[]string{gomlxStep3 + ".bin", "holds 67380 bytes", "lists 67356", "does not match"}},
		{"variable added to json", "", vars(func(vs []any) []any {
			return append(vs, map[string]any{"ParameterName": "var:/extra/weights", "Dimensions": []int{2}, "DType": "Float32", "Pos": 67380, "Length": 8})
		}), []string{gomlxStep3 + ".bin", "truncated", `"/extra/weights"`}},
		{"bin format disagrees", "", func(t *testing.T, dir string) {
			editGoMLXJSON(t, dir, gomlxStep3, func(js map[string]any) { js["BinFormat"] = "uncompressed" })
		}, []string{"BinFormat uncompressed", "gzip-compressed"}},
		{"no such step", "7", nil, []string{"no GoMLX checkpoint of step 7", gomlxStep1}},
		{"no such name", "checkpoint-x", nil, []string{`no GoMLX checkpoint "checkpoint-x"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := copyGoMLX(t)
			if c.setup != nil {
				c.setup(t, dir)
			}
			m, err := OpenWith(dir, Options{Checkpoint: c.which})
			if err == nil {
				m.Close()
				t.Fatal("no error")
			}
			for _, w := range c.wantErrs {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	// A directory with neither checkpoint files nor a run config.
	if _, err := Open(t.TempDir()); err == nil || !strings.Contains(err.Error(), "config.json") {
		t.Errorf("empty directory: %v", err)
	}
}

// rawGoMLX returns the uncompressed variable data of the fixture's latest
// checkpoint and its .json variables, read without the reader.
func rawGoMLX(t *testing.T) ([]byte, map[string]int) {
	t.Helper()
	dir := copyGoMLX(t)
	decompressGoMLX(t, dir, gomlxStep3)
	raw, err := os.ReadFile(filepath.Join(dir, gomlxStep3+".bin"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, gomlxStep3+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var js struct {
		Variables []struct {
			ParameterName string
			Pos           int
		}
	}
	if err := json.Unmarshal(b, &js); err != nil {
		t.Fatal(err)
	}
	pos := map[string]int{}
	for _, v := range js.Variables {
		pos[v.ParameterName] = v.Pos
	}
	return raw, pos
}

func f32At(raw []byte, off int) float32 {
	return math.Float32frombits(binary.LittleEndian.Uint32(raw[off:]))
}

// TestGoMLXKindsAndCanonical checks each variable's kind and layout, and
// that the conv and dense weights are read in canonical order: kernel
// matrix o·in+c of conv_1 is the kh×kw window W[:,:,c,o] of the stored
// [kh,kw,in,out] kernel, indexed by hand; dense [in,out] is transposed.
func TestGoMLXKindsAndCanonical(t *testing.T) {
	m, err := Open(gomlxFixture)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	kinds := map[string]weights.Kind{
		"/conv_0/conv/weights": weights.Conv, "/conv_0/conv/biases": weights.Bias, "/conv_1/conv/weights": weights.Conv,
		"/conv_1/batch_normalization/scale": weights.Norm, "/conv_1/batch_normalization/offset": weights.Norm,
		"/conv_1/batch_normalization/mean": weights.Norm, "/conv_1/batch_normalization/variance": weights.Norm,
		"/conv_1/batch_normalization/avg_weight": weights.Norm,
		"/fc_0/dense/weights":                    weights.Dense, "/fc_0/layer_normalization/gain": weights.Norm, "/fc_0/layer_normalization/offset": weights.Norm,
		"/fc_1/dense/weights": weights.Dense, "/fc_1/dense/biases": weights.Bias,
		"/global_step": weights.Skipped, "/AdamOptimizer/global_step": weights.Skipped,
		"/AdamOptimizer/conv_1/conv/weights_1st_moment": weights.Skipped, "/AdamOptimizer/fc_0/dense/weights_2nd_moment": weights.Skipped,
	}
	for name, want := range kinds {
		ti, ok := m.Info(name)
		if !ok || ti.Kind != want {
			t.Errorf("%s: kind %v, want %v", name, ti.Kind, want)
		}
	}
	for name, w := range map[string]struct {
		layout            weights.Layout
		count, rows, cols int
		why               string
	}{
		"/conv_0/conv/weights": {weights.HWIO, 8, 3, 3, "channels-last [kh,kw,in,out]"},
		"/conv_1/conv/weights": {weights.HWIO, 128, 3, 3, "channels-last [kh,kw,in,out]"},
		"/fc_0/dense/weights":  {weights.IO, 1, 16, 256, "GoMLX layers.Dense [in,out]"},
		"/fc_1/dense/weights":  {weights.IO, 1, 10, 16, "GoMLX layers.Dense [in,out]"},
	} {
		ti, _ := m.Info(name)
		mv := ti.Matrices
		if ti.Layout != w.layout || mv.Count != w.count || mv.Rows != w.rows || mv.Cols != w.cols || !strings.Contains(ti.Why, w.why) {
			t.Errorf("%s: layout %v, matrices %v, why %q; want %v, %d × (%d×%d), %q", name, ti.Layout, mv, ti.Why, w.layout, w.count, w.rows, w.cols, w.why)
		}
	}
	if ti, _ := m.Info("/AdamOptimizer/fc_0/dense/weights_2nd_moment"); ti.Why != "optimizer state, not a weight" {
		t.Errorf("Adam moment: why %q", ti.Why)
	}

	raw, pos := rawGoMLX(t)
	conv, err := m.ReadCanonical("/conv_1/conv/weights")
	if err != nil {
		t.Fatal(err)
	}
	const kh, kw, in, out = 3, 3, 8, 16
	base := pos["var:/conv_1/conv/weights"]
	for o := range out {
		for c := range in {
			mat := conv[(o*in+c)*kh*kw : (o*in+c+1)*kh*kw] // kernel matrix o·in+c
			for i := range kh {
				for j := range kw {
					want := f32At(raw, base+4*(((i*kw+j)*in+c)*out+o)) // W[i,j,c,o]
					if mat[i*kw+j] != want {
						t.Fatalf("conv_1 kernel (out %d, in %d)[%d,%d] = %v, stored W[%d,%d,%d,%d] = %v", o, c, i, j, mat[i*kw+j], i, j, c, o, want)
					}
				}
			}
		}
	}
	dense, err := m.ReadCanonical("/fc_1/dense/weights")
	if err != nil {
		t.Fatal(err)
	}
	base = pos["var:/fc_1/dense/weights"]
	for o := range 10 {
		for i := range 16 {
			if got, want := dense[o*16+i], f32At(raw, base+4*(i*10+o)); got != want {
				t.Fatalf("fc_1 [%d,%d] = %v, stored [%d,%d] = %v", o, i, got, i, o, want)
			}
		}
	}
	// A bias is read as stored.
	b, _ := m.ReadFloat32("/fc_1/dense/biases")
	if b[3] != f32At(raw, pos["var:/fc_1/dense/biases"]+12) {
		t.Errorf("fc_1 bias[3] = %v", b[3])
	}
}

// TestGoMLXLayers: the layers derived from the checkpoint, a chain in
// variable order.
func TestGoMLXLayers(t *testing.T) {
	m, err := Open(gomlxFixture)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ls := m.Layers
	want := []weights.Layer{
		{Name: "/conv_0", Kind: weights.Conv, Param: "/conv_0/conv/weights", Layout: weights.HWIO, WeightShape: []int{8, 1, 3, 3}, BiasShape: []int{8}, Prev: -1},
		{Name: "/conv_1", Kind: weights.Conv, Param: "/conv_1/conv/weights", Layout: weights.HWIO, WeightShape: []int{16, 8, 3, 3}, BiasShape: []int{16}, Prev: 0},
		{Name: "/fc_0", Kind: weights.Dense, Param: "/fc_0/dense/weights", Layout: weights.IO, WeightShape: []int{16, 256}, BiasShape: []int{16}, Prev: 1},
		{Name: "/fc_1", Kind: weights.Dense, Param: "/fc_1/dense/weights", Layout: weights.IO, WeightShape: []int{10, 16}, BiasShape: []int{10}, Prev: 2},
	}
	if len(ls) != len(want) {
		t.Fatalf("%d layers %+v, want %d", len(ls), ls, len(want))
	}
	for i := range want {
		g, w := ls[i], want[i]
		if g.Name != w.Name || g.Kind != w.Kind || g.Param != w.Param || g.Layout != w.Layout || g.Prev != w.Prev ||
			!slices.Equal(g.WeightShape, w.WeightShape) || !slices.Equal(g.BiasShape, w.BiasShape) {
			t.Errorf("layer %d = %+v, want %+v", i, g, w)
		}
	}
	if err := weights.CheckLayers(ls); err != nil {
		t.Error(err)
	}
}

// writeGoMLX writes an uncompressed checkpoint base into dir holding the
// Float32 variables ts (names without "var:") and the root-scope params,
// as GoMLX lays it out.
func writeGoMLX(t *testing.T, dir, base string, ts []NamedTensor, params map[string]string) {
	t.Helper()
	type v struct {
		ParameterName string
		Dimensions    []int
		DType         string
		Pos, Length   int
	}
	var vars []v
	var bin []byte
	for _, x := range ts {
		vars = append(vars, v{"var:" + x.Name, x.Shape, "Float32", len(bin), 4 * len(x.Data)})
		for _, f := range x.Data {
			bin = binary.LittleEndian.AppendUint32(bin, math.Float32bits(f))
		}
	}
	type p struct{ Scope, Key, Value, ValueType string }
	var ps []p
	for k, v := range params {
		ps = append(ps, p{"/", k, v, "string"})
	}
	js, err := json.Marshal(map[string]any{"Params": ps, "Variables": vars, "BinFormat": "uncompressed"})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, base+".json"), js, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, base+".bin"), bin, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestGoMLXAmbiguousLayout: a [3,3,3,3] conv kernel fits both GoMLX
// layouts; opening it is an error naming the variable and --layout, and a
// layout override reads it.
func TestGoMLXAmbiguousLayout(t *testing.T) {
	dir := t.TempDir()
	k := make([]float32, 81)
	for i := range k {
		k[i] = float32(i)
	}
	writeGoMLX(t, dir, "checkpoint-n0000000-20250101-000000-step-00000005", []NamedTensor{
		{Name: "/block/conv/weights", Shape: []int{3, 3, 3, 3}, Data: k},
		{Name: "/block/conv/biases", Shape: []int{3}, Data: []float32{1, 2, 3}},
	}, nil)
	_, err := Open(dir)
	if err == nil {
		t.Fatal("no error for a [3,3,3,3] kernel")
	}
	for _, w := range []string{dir, `"/block/conv/weights"`, "cannot tell its layout", "--layout"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
	for _, c := range []struct {
		layout string
		at     func(o, c, i, j int) int // stored index of canonical [o,c,i,j]
	}{
		{"hwio", func(o, c, i, j int) int { return ((i*3+j)*3+c)*3 + o }},
		{"oihw", func(o, c, i, j int) int { return ((o*3+c)*3+i)*3 + j }},
	} {
		ov, err := weights.ParseOverrides("/block/*=" + c.layout)
		if err != nil {
			t.Fatal(err)
		}
		m, err := OpenWith(dir, Options{Layout: ov})
		if err != nil {
			t.Fatalf("--layout %s: %v", c.layout, err)
		}
		got, err := m.ReadCanonical("/block/conv/weights")
		m.Close()
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range got {
			o, ch, r, s := i/27, i/9%3, i/3%3, i%3
			if v != k[c.at(o, ch, r, s)] {
				t.Fatalf("--layout %s: canonical[%d,%d,%d,%d] = %v, want stored[%d] = %v", c.layout, o, ch, r, s, v, c.at(o, ch, r, s), k[c.at(o, ch, r, s)])
			}
		}
	}
}

// TestGoMLXFracdynCheckpoint: a checkpoint of fracdyn's own training (its
// params name the architecture) stores its weights in PyTorch layout under
// "/fc2/weights" (not layers.Dense's [in,out]), and its Adam state under
// "/adam/".
func TestGoMLXFracdynCheckpoint(t *testing.T) {
	w := make([]float32, 10*128)
	for i := range w {
		w[i] = float32(i)
	}
	ts := []NamedTensor{
		{Name: "/fc3/weights", Shape: []int{10, 128}, Data: w},
		{Name: "/fc3/biases", Shape: []int{10}, Data: w[:10]},
		{Name: "/adam/fc3/weights_m", Shape: []int{10, 128}, Data: w},
	}
	for _, c := range []struct {
		params map[string]string
		layout weights.Layout
		rows   int
		why    string
	}{
		{map[string]string{"arch": "mlp"}, weights.OI, 10, "fracdyn's own model: PyTorch layout"},
		{nil, weights.IO, 128, "[in,out]"},
	} {
		dir := t.TempDir()
		writeGoMLX(t, dir, "checkpoint-n0000000-20250101-000000-step-00000010", ts, c.params)
		m, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		ti, _ := m.Info("/fc3/weights")
		if ti.Layout != c.layout || ti.Matrices.Rows != c.rows || ti.Kind != weights.Dense || !strings.Contains(ti.Why, c.why) {
			t.Errorf("params %v: /fc3/weights %v %v %v %q, want %v with %d rows, %q", c.params, ti.Layout, ti.Matrices, ti.Kind, ti.Why, c.layout, c.rows, c.why)
		}
		got, _ := m.ReadCanonical("/fc3/weights")
		if c.params != nil && !slices.Equal(got, w) {
			t.Errorf("fracdyn checkpoint: /fc3/weights not read as stored")
		}
		if ti, _ := m.Info("/adam/fc3/weights_m"); ti.Kind != weights.Skipped || ti.Why != "optimizer state, not a weight" {
			t.Errorf("params %v: /adam/fc3/weights_m %v %q, want skipped optimizer state", c.params, ti.Kind, ti.Why)
		}
		m.Close()
	}
}

// TestGoMLXGeneratorMatchesFixture runs the fixture's generator (GoMLX
// alone) and checks that it still writes the fixture: the same checkpoint
// steps, variables, shapes and dtypes, and (seeded, pure-Go backend) the
// same values; only the metrics' scope names, fresh UUIDs, differ.
func TestGoMLXGeneratorMatchesFixture(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs testdata/gomlxckpt")
	}
	dir := filepath.Join(t.TempDir(), "ckpt")
	cmd := exec.Command("go", "run", "./testdata/gomlxckpt", "-dir", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run ./testdata/gomlxckpt: %v\n%s", err, out)
	}
	cks, err := ListCheckpoints(dir)
	if err != nil || len(cks) != 2 || !strings.HasSuffix(cks[0], "-step-00000001") || !strings.HasSuffix(cks[1], "-step-00000003") {
		t.Fatalf("generated checkpoints %v (%v), want steps 1 and 3", cks, err)
	}
	want, err := Open(gomlxFixture)
	if err != nil {
		t.Fatal(err)
	}
	defer want.Close()
	got, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	if len(got.Tensors) != len(want.Tensors) {
		t.Fatalf("%d variables, fixture has %d", len(got.Tensors), len(want.Tensors))
	}
	for i, w := range want.Tensors {
		g := got.Tensors[i]
		if strings.HasPrefix(w.Name, "/metrics/") {
			continue // named with a fresh UUID on each run
		}
		if g.Name != w.Name || !slices.Equal(g.Shape, w.Shape) || g.DType != w.DType || g.Kind != w.Kind {
			t.Errorf("variable %d = %s %v %s %v, fixture %s %v %s %v", i, g.Name, g.Shape, g.DType, g.Kind, w.Name, w.Shape, w.DType, w.Kind)
		}
	}
	// Seeded initialisation and data on the pure-Go backend: the same
	// values.
	for _, w := range want.Tensors {
		name := w.Name
		if strings.HasPrefix(name, "/metrics/") || w.DType.Size() == 0 {
			continue
		}
		a, err := got.ReadFloat32(name)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := want.ReadFloat32(name)
		if !slices.Equal(a, b) {
			t.Errorf("%s differs from the fixture's", name)
		}
	}
}
