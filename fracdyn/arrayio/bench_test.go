package arrayio

import (
	"path/filepath"
	"testing"
)

// fc1 of the paper's CNN: 128×50176 float32, 25.7 MB.
func benchArray() *Array {
	v := make([]float32, 128*50176)
	for i := range v {
		v[i] = float32(i%1000) / 1000
	}
	return FromFloat32(v, 128, 50176)
}

func BenchmarkWriteNPY(b *testing.B) {
	a := benchArray()
	p := filepath.Join(b.TempDir(), "w.npy")
	b.SetBytes(int64(4 * a.Len()))
	for b.Loop() {
		if err := WriteNPY(p, a); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadNPY(b *testing.B) {
	a := benchArray()
	p := filepath.Join(b.TempDir(), "r.npy")
	if err := WriteNPY(p, a); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(4 * a.Len()))
	for b.Loop() {
		if _, err := ReadNPY(p); err != nil {
			b.Fatal(err)
		}
	}
}
