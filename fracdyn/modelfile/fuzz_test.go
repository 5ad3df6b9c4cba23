package modelfile

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

// FuzzSafetensors feeds arbitrary bytes to the safetensors reader: opening
// and reading every listed tensor must return values or an error, never
// panic or allocate beyond the input's size. Seeds: testdata/fuzz/.
//
//	go test -run '^$' -fuzz FuzzSafetensors -fuzztime 2m -fuzzminimizetime 2s ./fracdyn/modelfile/
//
// (without -fuzzminimizetime, minimising each new 3.5 KB input stalls the
// run for a minute at a time). Runs of 2 min (about 900k inputs) and 90 s
// (170k) found nothing; FuzzONNX ran 90 s (63k inputs), nothing either.
func FuzzSafetensors(f *testing.F) {
	f.Add([]byte("\x3a\x00\x00\x00\x00\x00\x00\x00" + `{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}` + "0123456789abcdef"))
	// Overlapping tensors and trailing bytes, refused since issue 15.
	f.Add([]byte("\x6e\x00\x00\x00\x00\x00\x00\x00" + `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}  ` + "0123456789ab"))
	f.Add([]byte("\x3a\x00\x00\x00\x00\x00\x00\x00" + `{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}` + "0123456789abcdefXYZ"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := newSafetensorsReader("fuzz.safetensors", bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		for _, info := range r.tensors() {
			if info.DType.Size() == 0 {
				continue
			}
			v, err := r.readFloat32(info.Name)
			if err != nil {
				t.Fatalf("listed tensor %q unreadable: %v", info.Name, err)
			}
			if len(v) != info.Elements() {
				t.Fatalf("tensor %q: %d values for shape %v", info.Name, len(v), info.Shape)
			}
			if info.Matrices.Count > 0 {
				if err := info.Matrices.Matrices(v, func(int, []float64) error { return nil }); err != nil {
					t.Fatalf("tensor %q: %v", info.Name, err)
				}
			}
		}
	})
}

// FuzzONNX feeds arbitrary bytes to the ONNX initializer reader: every
// listed, decodable initializer must read or fail with an error.
func FuzzONNX(f *testing.F) {
	if b, err := os.ReadFile("testdata/torch.onnx"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := parseONNX("fuzz.onnx", b)
		if err != nil {
			return
		}
		for _, info := range r.tensors() {
			if info.Kind == weights.Skipped || info.Elements() > 1<<20 {
				continue
			}
			v, err := r.readFloat32(info.Name)
			if err == nil && len(v) != info.Elements() {
				t.Fatalf("initializer %q: %d values for shape %v", info.Name, len(v), info.Shape)
			}
		}
	})
}

// FuzzGoMLX feeds an arbitrary .json and .bin pair to the GoMLX checkpoint
// reader: opening must fail with an error or list variables that each read
// (up to 1M elements) to as many values as their shape holds.
//
//	go test -run '^$' -fuzz FuzzGoMLX -fuzztime 1m ./fracdyn/modelfile/
//
// A 1-minute run (1,788 inputs: two files are written per input) found
// nothing.
func FuzzGoMLX(f *testing.F) {
	base := "testdata/gomlx/checkpoint-n0000000-20261203-232738-step-00000001"
	js, err1 := os.ReadFile(base + ".json")
	bin, err2 := os.ReadFile(base + ".bin")
	if err1 == nil && err2 == nil {
		f.Add(js, bin)
	}
	f.Add([]byte(`{"Variables":[{"ParameterName":"var:/d/dense/weights","Dimensions":[2,3],"DType":"Float32","Pos":0,"Length":24}],"BinFormat":"uncompressed"}`),
		[]byte("0123456789abcdef01234567"))
	f.Fuzz(func(t *testing.T, js, bin []byte) {
		dir := t.TempDir()
		p := filepath.Join(dir, "checkpoint-n0000000-x")
		if os.WriteFile(p+".json", js, 0o644) != nil || os.WriteFile(p+".bin", bin, 0o644) != nil {
			t.Skip()
		}
		r, err := openGoMLX(p + ".json")
		if err != nil {
			return
		}
		defer r.close()
		for _, info := range r.tensors() {
			if info.DType.Size() == 0 || info.Elements() > 1<<20 {
				continue
			}
			v, err := r.readFloat32(info.Name)
			if err != nil {
				t.Fatalf("listed variable %q unreadable: %v", info.Name, err)
			}
			if len(v) != info.Elements() {
				t.Fatalf("variable %q: %d values for shape %v", info.Name, len(v), info.Shape)
			}
		}
	})
}
