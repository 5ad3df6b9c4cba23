package arrayio

import (
	"archive/zip"
	"bytes"
	"slices"
	"testing"
)

// The fuzz targets check one invariant each: whatever the reader accepts
// is a valid array that the writer writes and the reader reads back to the
// same array, bit for bit. Seeds: testdata/fuzz/<FuzzName> (made by
// testdata/gen_fuzz_seeds.py).

func FuzzReadNPY(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := decodeNPY(data)
		if err != nil {
			return
		}
		if err := a.Validate(); err != nil {
			t.Fatalf("accepted an invalid array: %v", err)
		}
		var buf bytes.Buffer
		if err := encodeNPY(&buf, a); err != nil {
			t.Fatal(err)
		}
		b, err := decodeNPY(buf.Bytes())
		if err != nil {
			t.Fatalf("written array does not read back: %v", err)
		}
		if !sameArray(a, b) {
			t.Fatalf("round trip changed %s %v to %s %v", a.DType, a.Shape, b.DType, b.Shape)
		}
	})
}

// FuzzReadNPZ parses data as an archive when name is empty; otherwise it
// wraps data as the single stored entry name+".npy", so that the fuzzer
// reaches the .npy decoder and the name checks without forging zip CRCs.
func FuzzReadNPZ(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		if name != "" {
			var buf bytes.Buffer
			zw := zip.NewWriter(&buf)
			w, err := zw.CreateHeader(&zip.FileHeader{Name: name + ".npy", Method: zip.Store})
			if err != nil {
				return
			}
			w.Write(data)
			if zw.Close() != nil {
				return
			}
			data = buf.Bytes()
		}
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		names, arrays, err := decodeNPZ(zr, int64(len(data)))
		if err != nil {
			return
		}
		for _, n := range names {
			if err := ReadableName(n); err != nil {
				t.Fatalf("accepted name %q: %v", n, err)
			}
		}
		var buf bytes.Buffer
		if err := encodeNPZ(&buf, names, arrays); err != nil {
			t.Fatal(err)
		}
		zr2, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		names2, arrays2, err := decodeNPZ(zr2, int64(buf.Len()))
		if err != nil {
			t.Fatalf("written archive does not read back: %v", err)
		}
		if !slices.Equal(names, names2) {
			t.Fatalf("names %q became %q", names, names2)
		}
		for _, n := range names {
			if !sameArray(arrays[n], arrays2[n]) {
				t.Fatalf("array %q changed", n)
			}
		}
	})
}

func FuzzReadCSV(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		a, _, err := parseCSV(data, CSVOptions{})
		if err != nil {
			return
		}
		if err := a.Validate(); err != nil || len(a.Shape) != 2 {
			t.Fatalf("accepted an invalid matrix %v: %v", a.Shape, err)
		}
		var buf bytes.Buffer
		if err := encodeCSV(&buf, a); err != nil {
			t.Fatal(err)
		}
		b, _, err := parseCSV(buf.Bytes(), CSVOptions{})
		if err != nil {
			t.Fatalf("written matrix does not read back: %v\n%s", err, buf.Bytes())
		}
		if !sameArray(a, b) {
			t.Fatalf("round trip changed %v to %v", a.Data, b.Data)
		}
	})
}
