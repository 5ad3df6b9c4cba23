package modelio

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// gomlxFixture is a checkpoint directory written by testdata/gomlxckpt
// (GoMLX alone): checkpoints after step 1 and step 3, gzipped .bin files.
const gomlxFixture = "testdata/gomlx"

const (
	gomlxStep1 = "checkpoint-n0000000-20261203-232248-step-00000001"
	gomlxStep3 = "checkpoint-n0000001-20261203-232248-step-00000003"
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
		{"/conv_0/conv/weights", []int{3, 3, 1, 4}}, {"/conv_0/conv/biases", []int{4}},
		{"/conv_1/conv/weights", []int{3, 3, 4, 8}}, {"/conv_1/conv/biases", []int{8}},
		{"/conv_1/batch_normalization/scale", []int{8}}, {"/conv_1/batch_normalization/offset", []int{8}},
		{"/conv_1/batch_normalization/mean", []int{8}}, {"/conv_1/batch_normalization/variance", []int{8}},
		{"/conv_1/batch_normalization/avg_weight", []int{8}},
		{"/fc_0/dense/weights", []int{128, 16}}, {"/fc_0/dense/biases", []int{16}},
		{"/fc_0/layer_normalization/gain", []int{16}}, {"/fc_0/layer_normalization/offset", []int{16}},
		{"/fc_1/dense/weights", []int{16, 10}}, {"/fc_1/dense/biases", []int{10}},
		{"/optimizers/learning_rate", []int{}}, {"/global_step", []int{}}, {"/AdamOptimizer/global_step", []int{}},
		{"/AdamOptimizer/conv_0/conv/weights_1st_moment", []int{3, 3, 1, 4}},
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
	if last.Name != "/#rngState" || last.DType != "uint64" || last.Kind != Skipped {
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
		}, []string{gomlxStep3 + ".bin", "truncated", `variable "/fc_0/dense/weights" needs bytes 1504 to 9696`}},
		{"length disagrees", "", field(2, "Length", 1000), []string{gomlxStep3 + ".json", `"/conv_1/conv/weights"`, "needs 1152 bytes", "Length 1000"}},
		{"dimensions disagree", "", field(9, "Dimensions", []int{128, 17}), []string{`"/fc_0/dense/weights"`, "needs 8704 bytes", "Length 8192"}},
		{"pos out of order", "", field(3, "Pos", 0), []string{`"/conv_1/conv/biases"`, "Pos 0, want 1312"}},
		{"unknown dtype", "", field(0, "DType", "Float128"), []string{`"/conv_0/conv/weights"`, `unsupported dtype "Float128"`}},
		{"bad parameter name", "", field(0, "ParameterName", "conv/weights"), []string{`"conv/weights"`, `does not start with "var:"`}},
		{"variable missing from json", "", vars(func(vs []any) []any { return vs[:len(vs)-1] }),
			[]string{gomlxStep3 + ".bin", "holds 31572 bytes", "lists 31548", "does not match"}},
		{"variable added to json", "", vars(func(vs []any) []any {
			return append(vs, map[string]any{"ParameterName": "var:/extra/weights", "Dimensions": []int{2}, "DType": "Float32", "Pos": 31572, "Length": 8})
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
