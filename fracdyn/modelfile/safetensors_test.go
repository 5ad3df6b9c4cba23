package modelfile

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

// expected holds testdata/expected.json, written by testdata/gen.py.
type expectedTensor struct {
	DType string    `json:"dtype"`
	Shape []int     `json:"shape"`
	Sum   float64   `json:"sum"`
	First []float64 `json:"first"`
}

func readExpected(t *testing.T) map[string]expectedTensor {
	t.Helper()
	b, err := os.ReadFile("testdata/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var e map[string]expectedTensor
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	return e
}

func checkTensor(t *testing.T, m *Model, name string, want expectedTensor) {
	t.Helper()
	info, ok := m.Info(name)
	if !ok {
		t.Errorf("%s: tensor %q missing", m.Path, name)
		return
	}
	if !slices.Equal(info.Shape, want.Shape) {
		t.Errorf("%s: shape %v, want %v", name, info.Shape, want.Shape)
	}
	got, err := m.ReadFloat32(name)
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return
	}
	sum := 0.0
	for _, v := range got {
		sum += float64(v)
	}
	// float64 tensors lose precision in the float32 conversion.
	if math.Abs(sum-want.Sum) > 1e-5*(1+math.Abs(want.Sum)) {
		t.Errorf("%s: sum %.9g, want %.9g", name, sum, want.Sum)
	}
	for i, w := range want.First {
		if float64(got[i]) != w {
			t.Errorf("%s[%d] = %.9g, want %.9g", name, i, got[i], w)
		}
	}
}

func TestSafetensorsFromTorch(t *testing.T) {
	m, err := Open("testdata/torch.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	exp := readExpected(t)
	n := 0
	for name, want := range exp {
		if strings.Contains(name, ":") { // npz: and onnx: entries
			continue
		}
		n++
		checkTensor(t, m, name, want)
	}
	if len(m.Tensors) != n {
		t.Errorf("%d tensors, want %d", len(m.Tensors), n)
	}
	wantKinds := map[string]struct {
		kind weights.Kind
		mp   string
	}{
		"embed.weight":           {weights.Embedding, "16×8"},
		"conv1d.weight":          {weights.Conv1D, "6×24"},
		"conv1d.bias":            {weights.Bias, "-"},
		"conv.weight":            {weights.Conv, "12 × (3×3)"},
		"bn.weight":              {weights.Norm, "-"},
		"bn.running_var":         {weights.Norm, "-"},
		"bn.num_batches_tracked": {weights.Skipped, "-"},
		"fc.weight":              {weights.Dense, "5×12"},
		"fc.bias":                {weights.Bias, "-"},
		"half.weight":            {weights.Dense, "6×4"},
		"bf16.weight":            {weights.Dense, "6×4"},
		"position_ids":           {weights.Skipped, "-"},
	}
	for name, w := range wantKinds {
		info, _ := m.Info(name)
		if info.Kind != w.kind || info.Matrices.String() != w.mp {
			t.Errorf("%s: kind %v mapping %v, want %v %v", name, info.Kind, info.Matrices, w.kind, w.mp)
		}
	}
}

func TestSafetensorsRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rt.safetensors")
	in := []NamedTensor{
		{Name: "a.weight", Shape: []int{2, 3}, Data: []float32{1, -2, 3.5, 0, float32(math.Inf(1)), 1e-30}},
		{Name: "a.bias", Shape: []int{2}, Data: []float32{7, 8}},
		{Name: "s", Shape: []int{}, Data: []float32{42}},
	}
	if err := WriteSafetensors(path, in, map[string]string{"arch": "cnn"}); err != nil {
		t.Fatal(err)
	}
	r, err := openSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.close()
	if r.meta["arch"] != "cnn" {
		t.Errorf("metadata %v", r.meta)
	}
	if r.dataStart%8 != 0 {
		t.Errorf("data starts at %d, not 8-byte aligned", r.dataStart)
	}
	for i, nt := range in {
		if got := r.entries[i].info.Name; got != nt.Name {
			t.Errorf("entry %d is %q, want %q (file order)", i, got, nt.Name)
		}
		got, err := r.readFloat32(nt.Name)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, nt.Data) {
			t.Errorf("%s = %v, want %v", nt.Name, got, nt.Data)
		}
	}
	if err := WriteSafetensors(path, []NamedTensor{{Name: "x", Shape: []int{3}, Data: []float32{1}}}, nil); err == nil {
		t.Error("shape/data mismatch: no error")
	}
}

func TestHalfToFloat32(t *testing.T) {
	for _, tc := range []struct {
		h    uint16
		want float32
	}{
		{0x3c00, 1}, {0xc000, -2}, {0x7bff, 65504}, {0x0001, 1.0 / (1 << 24)},
		{0x8000, float32(math.Copysign(0, -1))}, {0x7c00, float32(math.Inf(1))}, {0x3555, 0.33325195},
	} {
		if got := halfToFloat32(tc.h); got != tc.want || math.Signbit(float64(got)) != math.Signbit(float64(tc.want)) {
			t.Errorf("half %#04x = %g, want %g", tc.h, got, tc.want)
		}
	}
	if !math.IsNaN(float64(halfToFloat32(0x7e00))) {
		t.Error("half NaN is not NaN")
	}
}

// writeRaw writes a safetensors file with the given header length field,
// header and data.
func writeRaw(t *testing.T, name string, hlen uint64, header string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	b := binary.LittleEndian.AppendUint64(nil, hlen)
	b = append(append(b, header...), data...)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSafetensorsBadFiles(t *testing.T) {
	good := `{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}`
	data := make([]byte, 16)
	torch, err := os.ReadFile("testdata/torch.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(t.TempDir(), "truncated.safetensors")
	if err := os.WriteFile(truncated, torch[:len(torch)-100], 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path, want string
	}{
		{"truncated", truncated, "past the"},
		{"short", writeShort(t), "shorter than the 8-byte"},
		{"huge header length", writeRaw(t, "huge.safetensors", 1<<40, good, data), "exceeds"},
		{"header past end", writeRaw(t, "past.safetensors", uint64(len(good)+100), good, data), "runs past the end"},
		{"not json", writeRaw(t, "json.safetensors", 5, "hello", data), "not a JSON object"},
		{"unsupported dtype", writeRaw(t, "dtype.safetensors", 58, `{"w":{"dtype":"C64","shape":[2],"data_offsets":[0,16]}}  `, data), `unsupported dtype "C64"`},
		{"tensor larger than file", writeHeader(t, "large.safetensors", strings.Replace(good, "[2,2]", "[4,4]", 1), data), "needs 64 bytes"},
		{"offsets past data", writeHeader(t, "off.safetensors", strings.Replace(good, "[0,16]", "[16,32]", 1), data), "past the 16 data bytes"},
		{"negative dim", writeHeader(t, "neg.safetensors", strings.Replace(good, "[2,2]", "[-2,-2]", 1), data), "bad shape"},
	} {
		_, err := Open(tc.path)
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if !strings.Contains(err.Error(), tc.path) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q, want it to name the file and say %q", tc.name, err, tc.want)
		}
	}
	if m, err := Open(writeRaw(t, "ok.safetensors", uint64(len(good)), good, data)); err != nil {
		t.Errorf("good file: %v", err)
	} else {
		m.Close()
	}
}

func writeShort(t *testing.T) string {
	path := filepath.Join(t.TempDir(), "short.safetensors")
	if err := os.WriteFile(path, []byte{1, 2, 3}, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeHeader is writeRaw with the header's true length.
func writeHeader(t *testing.T, name, header string, data []byte) string {
	return writeRaw(t, name, uint64(len(header)), header, data)
}
