package mnist

import (
	"bytes"
	"slices"
	"testing"
)

// FuzzReadIDX checks that any input decodeIDX accepts, as images or as
// labels, encodes (raw and gzip) and decodes back to the same dimensions
// and bytes. Seeds: testdata/fuzz/FuzzReadIDX (made by
// testdata/gen_fuzz_seeds.py).
func FuzzReadIDX(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, magic := range []uint32{magicImages, magicLabels} {
			dims, body, err := decodeIDX("fuzz", data, magic)
			if err != nil {
				continue
			}
			n := 1
			for _, d := range dims {
				n *= d
			}
			if n != len(body) {
				t.Fatalf("dims %v but %d bytes", dims, len(body))
			}
			for _, gz := range []bool{false, true} {
				var buf bytes.Buffer
				if err := encodeIDX(&buf, magic, dims, body, gz); err != nil {
					t.Fatal(err)
				}
				dims2, body2, err := decodeIDX("fuzz", buf.Bytes(), magic)
				if err != nil {
					t.Fatalf("re-encoded (gzip=%v) input fails: %v", gz, err)
				}
				if !slices.Equal(dims, dims2) || !bytes.Equal(body, body2) {
					t.Fatalf("round trip changed %v to %v", dims, dims2)
				}
			}
		}
	})
}
