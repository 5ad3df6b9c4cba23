package arrayio

import (
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestReadEveryNumpyLayout reads the arrays numpy writes that issue 15
// found refused: Fortran order (np.save of W.T), big-endian, every
// int/uint width, float16 and bool. Each is read into the nearest
// supported DType without losing a value, in C order.
func TestReadEveryNumpyLayout(t *testing.T) {
	// W[i, j] = 4i + j, 3×4; W.T[j, i] = 4i + j.
	wT := make([]float32, 12)
	for j := range 4 {
		for i := range 3 {
			wT[j*3+i] = float32(4*i + j)
		}
	}
	c3 := make([]int32, 24) // arange(24).reshape(2, 3, 4) in C order
	for i := range c3 {
		c3[i] = int32(i)
	}
	cases := []struct {
		file  string
		dtype DType
		shape []int
		data  any
	}{
		{"wT.npy", Float32, []int{4, 3}, wT},
		{"fortran.npy", Float64, []int{2, 3}, []float64{0, 1, 2, 3, 4, 5}},
		{"fortran_3d.npy", Int32, []int{2, 3, 4}, c3},
		{"bigendian.npy", Float32, []int{3}, []float32{0, 1, 2}},
		{"f8_be.npy", Float64, []int{2, 2}, []float64{1.5, -2.25, 1e300, 0}},
		{"b1.npy", Uint8, []int{2, 3}, []uint8{1, 0, 0, 0, 1, 1}},
		{"i1.npy", Int32, []int{4}, []int32{-128, -1, 0, 127}},
		{"i2_be.npy", Int32, []int{3}, []int32{-32768, 1, 32767}},
		{"u2.npy", Int32, []int{3}, []int32{0, 1, 65535}},
		{"u4_be.npy", Int64, []int{3}, []int64{0, 1, 4294967295}},
		{"u8.npy", Int64, []int{2}, []int64{0, math.MaxInt64}},
		{"i8_be.npy", Int64, []int{2}, []int64{-(1 << 62), 5}},
		{"f2_be.npy", Float32, []int{2}, []float32{0.5, -3}},
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
	}
	// float16: a normal, the smallest normal, the smallest subnormal, the
	// largest finite, +Inf and NaN, all exact in float32.
	a, err := ReadNPY(filepath.Join("testdata", "f2.npy"))
	if err != nil {
		t.Fatal(err)
	}
	got := a.Data.([]float32)
	want := []float32{1.5, -1.0 / (1 << 14), 1.0 / (1 << 24), 65504, float32(math.Inf(1))}
	if a.DType != Float32 || len(got) != 6 || !slices.Equal(got[:5], want) || !math.IsNaN(float64(got[5])) {
		t.Errorf("f2.npy: got %s %v, want %v and NaN", a.DType, got, want)
	}
}

// TestFloat16Exhaustive checks float16to32 against the defining formula
// for every finite half-precision bit pattern.
func TestFloat16Exhaustive(t *testing.T) {
	for h := range 1 << 16 {
		sign := 1.0
		if h&0x8000 != 0 {
			sign = -1
		}
		exp, frac := (h>>10)&0x1f, h&0x3ff
		if exp == 0x1f {
			continue
		}
		var want float64
		if exp == 0 {
			want = sign * float64(frac) * math.Pow(2, -24)
		} else {
			want = sign * (1 + float64(frac)/1024) * math.Pow(2, float64(exp-15))
		}
		if got := float16to32(uint16(h)); float64(got) != want || math.Signbit(float64(got)) != (sign < 0) {
			t.Fatalf("float16 %#04x: got %v, want %v", h, got, want)
		}
	}
}

// TestRejectedNumpyDtypes: what cannot be read as numbers is refused with
// a message that names the file and says what to do.
func TestRejectedNumpyDtypes(t *testing.T) {
	for _, c := range []struct{ file, want string }{
		{"u8_big.npy", "uint64 element 1 is 9223372036854775808, beyond the int64 range"},
		{"c8.npy", `complex dtype "<c8" is not supported (save the real part`},
		{"complex.npy", `complex dtype "<c16"`},
		{"object.npy", "object arrays hold pickled Python objects"},
		{"unicode.npy", `unsupported dtype "<U2"`},
		{"structured.npy", "structured dtypes are not supported"},
	} {
		p := filepath.Join("testdata", c.file)
		_, err := ReadNPY(p)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %v, want one naming the file and containing %q", c.file, err, c.want)
		}
	}
}

// TestReadKerasStyleNPZ: keys with "/" (np.savez(**{"encoder/layer0/kernel":
// W})) are read; writing them is still refused, naming the array.
func TestReadKerasStyleNPZ(t *testing.T) {
	names, arrays, err := ReadNPZ(filepath.Join("testdata", "keras.npz"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"encoder/layer0/kernel", "encoder/layer0/bias", "mask"}; !slices.Equal(names, want) {
		t.Errorf("names %q, want %q", names, want)
	}
	k := arrays["encoder/layer0/kernel"]
	if k == nil || !slices.Equal(k.Shape, []int{3, 4}) || k.Float32s()[6] != 6 {
		t.Errorf("kernel %+v", k)
	}
	if m := arrays["mask"]; m == nil || !reflect.DeepEqual(m.Data, []uint8{1, 0}) {
		t.Errorf("mask %+v", m)
	}
	if a, err := ReadNPZEntry(filepath.Join("testdata", "keras.npz"), "encoder/layer0/bias"); err != nil || a.Float32s()[3] != 2 {
		t.Errorf("ReadNPZEntry: %v %v", a, err)
	}
	err = WriteNPZ(filepath.Join(t.TempDir(), "out.npz"), names, arrays)
	if err == nil || !strings.Contains(err.Error(), `"encoder/layer0/kernel" contains a path separator`) {
		t.Errorf("WriteNPZ of a name with /: %v", err)
	}
	for _, bad := range []string{"/abs", "a//b", "a/../b", "a/./b", "a/", "a\\b"} {
		if ReadableName(bad) == nil {
			t.Errorf("ReadableName(%q) accepted", bad)
		}
	}
}
