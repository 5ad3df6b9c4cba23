package arrayio

import (
	"archive/zip"
	"bytes"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestReadNumpyFiles(t *testing.T) {
	f4 := []float32{-0.5, -0.25, 0, 0.25, 0.5, 0.75}
	cases := []struct {
		file  string
		dtype DType
		shape []int
		data  any
	}{
		{"f4_2x3.npy", Float32, []int{2, 3}, f4},
		{"f4_v2.npy", Float32, []int{2, 3}, f4},
		{"f4_v3.npy", Float32, []int{2, 3}, f4},
		{"f8_3.npy", Float64, []int{3}, []float64{1.5, -2.25, 1e300}},
		{"i4_2x2.npy", Int32, []int{2, 2}, []int32{1, -2, math.MaxInt32, math.MinInt32}},
		{"i8_4.npy", Int64, []int{4}, []int64{0, -1, 1 << 40, -(1 << 62)}},
		{"u1_2x2x2.npy", Uint8, []int{2, 2, 2}, []uint8{0, 30, 60, 90, 120, 150, 180, 210}},
		{"f4_scalar.npy", Float32, []int{}, []float32{3.5}},
		{"f8_0x3.npy", Float64, []int{0, 3}, []float64{}},
	}
	for _, c := range cases {
		a, err := ReadNPY(filepath.Join("testdata", c.file))
		if err != nil {
			t.Errorf("%s: %v", c.file, err)
			continue
		}
		if a.DType != c.dtype || !slices.Equal(a.Shape, c.shape) || !reflect.DeepEqual(a.Data, c.data) {
			t.Errorf("%s: got %s %v %v, want %s %v %v", c.file, a.DType, a.Shape, a.Data, c.dtype, c.shape, c.data)
		}
		// Written back by Go, byte-identical to numpy's file for version 1.
		if c.file == "f4_v2.npy" || c.file == "f4_v3.npy" {
			continue
		}
		var buf bytes.Buffer
		if err := encodeNPY(&buf, a); err != nil {
			t.Fatal(err)
		}
		want, _ := os.ReadFile(filepath.Join("testdata", c.file))
		if !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("%s: Go's encoding differs from numpy's:\n%q\n%q", c.file, buf.Bytes(), want)
		}
	}
}

func TestRejectedNPY(t *testing.T) {
	good, _ := os.ReadFile(filepath.Join("testdata", "f4_2x3.npy"))
	hdr := func(dict string) []byte { // a v1 file with this header and 24 data bytes
		var b bytes.Buffer
		encodeNPY(&b, FromFloat32(make([]float32, 6), 2, 3))
		h := []byte(dict + "\n")
		out := append([]byte(npyMagic+"\x01\x00"), byte(len(h)), byte(len(h)>>8))
		return append(append(out, h...), make([]byte, 24)...)
	}
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"object", nil, "object dtype"},
		{"complex", nil, "complex dtype \"<c16\""},
		{"structured", nil, "structured dtypes"},
		{"empty", []byte{}, "not a .npy file"},
		{"no magic", []byte("NUMPY\x01\x00\x10\x00{}"), "not a .npy file"},
		{"version 4", append([]byte(npyMagic+"\x04\x00"), good[8:]...), "version 4.0"},
		{"truncated header", good[:40], "truncated .npy header"},
		{"truncated data", good[:len(good)-1], "truncated: shape [2 3] of <f4 needs 24 data bytes, file has 23"},
		{"trailing data", append(bytes.Clone(good), 0), "1 bytes after"},
		{"huge shape", hdr("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }"), "larger than the file"},
		{"negative dim", hdr("{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 6), }"), "non-negative"},
		{"shape not tuple", hdr("{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3], }"), "tuple"},
		{"missing key", hdr("{'descr': '<f4', 'shape': (2, 3), }"), "needs descr"},
		{"unknown key", hdr("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': 1}"), "unexpected key"},
		{"duplicate key", hdr("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}"), "duplicate key"},
		{"not a dict", hdr("descr"), "expected '{'"},
	}
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join("testdata", c.name+".npy")
			if c.data != nil {
				p = filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".npy")
				os.WriteFile(p, c.data, 0o644)
			}
			_, err := ReadNPY(p)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
				t.Errorf("error %v, want one naming %s and containing %q", err, p, c.want)
			}
		})
	}
}

func TestNPYRoundTrip(t *testing.T) {
	dir := t.TempDir()
	arrays := []*Array{
		FromFloat32([]float32{1, float32(math.Inf(-1)), float32(math.NaN()), -0}, 2, 2),
		FromFloat64([]float64{math.Pi}, 1, 1, 1),
		FromInt32([]int32{-7}),
		FromInt64([]int64{1, 2, 3}, 3),
		FromUint8([]uint8{}, 0),
		FromFloat32(make([]float32, 70000), 70000), // data written in several chunks
	}
	for i, a := range arrays {
		p := filepath.Join(dir, "a.npy")
		if err := WriteNPY(p, a); err != nil {
			t.Fatal(err)
		}
		b, err := ReadNPY(p)
		if err != nil {
			t.Fatal(err)
		}
		if !sameArray(a, b) {
			t.Errorf("array %d: wrote %v, read %v", i, a, b)
		}
	}
	// A shape whose header needs format 2.0.
	long := make([]int, 30000)
	for i := range long {
		long[i] = 1
	}
	a := FromUint8([]uint8{9}, long...)
	var buf bytes.Buffer
	if err := encodeNPY(&buf, a); err != nil {
		t.Fatal(err)
	}
	if buf.Bytes()[6] != 2 || (buf.Len()-1)%64 != 0 {
		t.Errorf("long header: version %d, data offset %d", buf.Bytes()[6], buf.Len()-1)
	}
	if b, err := decodeNPY(buf.Bytes()); err != nil || !sameArray(a, b) {
		t.Errorf("format 2.0 round trip: %v", err)
	}
	if err := WriteNPY(filepath.Join(dir, "bad.npy"), FromFloat32([]float32{1}, 2)); err == nil {
		t.Error("a shape/data mismatch was written")
	}
}

// sameArray compares arrays bit for bit (so NaN equals NaN).
func sameArray(a, b *Array) bool {
	if a.DType != b.DType || !slices.Equal(a.Shape, b.Shape) {
		return false
	}
	var x, y bytes.Buffer
	writeData(&x, a)
	writeData(&y, b)
	return bytes.Equal(x.Bytes(), y.Bytes())
}

func TestNPZ(t *testing.T) {
	for _, file := range []string{"stored.npz", "deflated.npz"} {
		p := filepath.Join("testdata", file)
		names, arrays, err := ReadNPZ(p)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(names, []string{"conv1.weight", "conv1.bias", "labels"}) {
			t.Errorf("%s: names %v", file, names)
		}
		w := arrays["conv1.weight"]
		if !slices.Equal(w.Shape, []int{2, 1, 2, 3}) || w.Float32s()[11] != 11 {
			t.Errorf("%s: conv1.weight %v %v", file, w.Shape, w.Data)
		}
		l, err := ReadNPZEntry(p, "labels")
		if err != nil || !reflect.DeepEqual(l.Data, []int32{3, 1, 4}) {
			t.Errorf("%s: labels %v %v", file, l, err)
		}
		if _, err := ReadNPZEntry(p, "nope"); err == nil || !strings.Contains(err.Error(), "conv1.bias") {
			t.Errorf("missing entry: %v", err)
		}
		// Round trip through WriteNPZ.
		out := filepath.Join(t.TempDir(), "out.npz")
		if err := WriteNPZ(out, names, arrays); err != nil {
			t.Fatal(err)
		}
		names2, arrays2, err := ReadNPZ(out)
		if err != nil || !slices.Equal(names, names2) {
			t.Fatalf("round trip: %v %v", names2, err)
		}
		for _, n := range names {
			if !sameArray(arrays[n], arrays2[n]) {
				t.Errorf("round trip of %s", n)
			}
		}
	}
}

func TestNPZNames(t *testing.T) {
	a := FromFloat32([]float32{1}, 1)
	dir := t.TempDir()
	for _, bad := range []string{"", "../x", "a/b", `a\b`, "..", "c:x", "a\x00b", "a\nb", strings.Repeat("x", 256)} {
		if err := WriteNPZ(filepath.Join(dir, "x.npz"), []string{bad}, map[string]*Array{bad: a}); err == nil {
			t.Errorf("name %q accepted", bad)
		}
	}
	if err := WriteNPZ(filepath.Join(dir, "x.npz"), []string{"a", "a"}, map[string]*Array{"a": a}); err == nil {
		t.Error("duplicate name accepted")
	}
	if err := WriteNPZ(filepath.Join(dir, "x.npz"), []string{"b"}, map[string]*Array{"a": a}); err == nil {
		t.Error("missing array accepted")
	}
	// Archives with hostile entry names are refused on reading ("dir/x.npy"
	// is a Keras-style key, read since issue 15: TestReadKerasStyleNPZ).
	for _, entry := range []string{"../evil.npy", "/abs.npy", "dir/../x.npy", "dir//x.npy", "notnpy.txt"} {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create(entry)
		encodeNPY(w, a)
		zw.Close()
		p := filepath.Join(dir, "evil.npz")
		os.WriteFile(p, buf.Bytes(), 0o644)
		if _, _, err := ReadNPZ(p); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("entry %q: %v", entry, err)
		}
	}
	// Truncated and corrupt archives.
	good, _ := os.ReadFile(filepath.Join("testdata", "deflated.npz"))
	for i, data := range [][]byte{good[:len(good)/2], append(bytes.Clone(good[:100]), bytes.Repeat([]byte{0xAA}, 40)...)} {
		p := filepath.Join(dir, "bad.npz")
		os.WriteFile(p, data, 0o644)
		if _, _, err := ReadNPZ(p); err == nil {
			t.Errorf("corrupt archive %d accepted", i)
		}
	}
}

func TestCSV(t *testing.T) {
	a, err := ReadCSVMatrix(filepath.Join("testdata", "matrix.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Shape, []int{2, 3}) || !slices.Equal(a.Float64s(), []float64{1, 2.5, -3, 4e-3, 5e10, 6}) {
		t.Errorf("matrix.csv: %v %v", a.Shape, a.Data)
	}
	m, err := ReadMatrix(filepath.Join("testdata", "f4_2x3.npy"))
	if err != nil || m.Float64s()[5] != 0.75 {
		t.Errorf("ReadMatrix npy: %v", err)
	}
	if _, err := ReadMatrix(filepath.Join("testdata", "f8_3.npy")); err == nil || !strings.Contains(err.Error(), "not a matrix") {
		t.Errorf("1-D npy as matrix: %v", err)
	}
	dir := t.TempDir()
	cases := []struct{ name, text, want string }{
		{"ragged", "1,2,3\n4,5\n", "line 2: 2 columns, earlier rows have 3"},
		{"word", "1,2\n3,abc\n", `line 2, column 2: "abc" is not a number`},
		{"empty field", "# header\n\n1,,3\n", `line 3, column 2: "" is not a number`},
		{"no rows", "# only a comment\n", "no rows"},
	}
	for _, c := range cases {
		p := filepath.Join(dir, c.name+".csv")
		os.WriteFile(p, []byte(c.text), 0o644)
		_, err := ReadCSVMatrix(p)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	p := filepath.Join(dir, "ok.csv")
	os.WriteFile(p, []byte(" 1 , nan\r\n-inf,1e400\n"), 0o644)
	b, err := ReadCSVMatrix(p)
	if err != nil {
		t.Fatal(err)
	}
	v := b.Float64s()
	if v[0] != 1 || !math.IsNaN(v[1]) || !math.IsInf(v[2], -1) || !math.IsInf(v[3], 1) {
		t.Errorf("special values: %v", v)
	}
	if err := WriteCSVMatrix(filepath.Join(dir, "rt.csv"), b); err != nil {
		t.Fatal(err)
	}
	if c, err := ReadCSVMatrix(filepath.Join(dir, "rt.csv")); err != nil || !sameArray(b, c) {
		t.Errorf("csv round trip: %v", err)
	}
}

func TestConversions(t *testing.T) {
	a := FromInt64([]int64{-3, 1 << 53}, 2)
	if got := a.Float64s(); !slices.Equal(got, []float64{-3, 1 << 53}) {
		t.Errorf("Float64s %v", got)
	}
	if got := FromUint8([]uint8{255}, 1).Float32s(); got[0] != 255 {
		t.Errorf("Float32s %v", got)
	}
	f := []float32{1, 2}
	if &FromFloat32(f, 2).Float32s()[0] != &f[0] {
		t.Error("Float32s copied float32 data")
	}
}
