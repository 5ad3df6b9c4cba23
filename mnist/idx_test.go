package mnist

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tinyImages returns n images of rows×cols whose pixels are a function of
// their position, and n labels i%10.
func tinyImages(n, rows, cols int) ([]uint8, []uint8) {
	px := make([]uint8, n*rows*cols)
	for i := range px {
		px[i] = uint8(i*7 + i/13)
	}
	lab := make([]uint8, n)
	for i := range lab {
		lab[i] = uint8(i % 10)
	}
	return px, lab
}

func TestRoundTripGzipAndRaw(t *testing.T) {
	dir := t.TempDir()
	px, lab := tinyImages(12, 5, 3)
	for _, name := range []string{"img.gz", "img"} {
		p := filepath.Join(dir, name)
		if err := WriteImages(p, px, 12, 5, 3); err != nil {
			t.Fatal(err)
		}
		got, n, r, c, err := ReadImages(p)
		if err != nil {
			t.Fatal(err)
		}
		if n != 12 || r != 5 || c != 3 || !bytes.Equal(got, px) {
			t.Errorf("%s: got %d×%d×%d, equal=%v", name, n, r, c, bytes.Equal(got, px))
		}
		file, _ := os.ReadFile(p)
		if isGzip(file) != strings.HasSuffix(name, ".gz") {
			t.Errorf("%s: gzip=%v", name, isGzip(file))
		}
	}
	// Detection by magic bytes, not name: a gzip file without .gz.
	gz, _ := os.ReadFile(filepath.Join(dir, "img.gz"))
	os.WriteFile(filepath.Join(dir, "misnamed"), gz, 0o644)
	if _, n, _, _, err := ReadImages(filepath.Join(dir, "misnamed")); err != nil || n != 12 {
		t.Errorf("gzip without .gz: n=%d err=%v", n, err)
	}
	for _, name := range []string{"lab.gz", "lab"} {
		p := filepath.Join(dir, name)
		if err := WriteLabels(p, lab); err != nil {
			t.Fatal(err)
		}
		got, err := ReadLabels(p)
		if err != nil || !bytes.Equal(got, lab) {
			t.Errorf("%s: %v %v", name, got, err)
		}
	}
}

// idxBytes builds an IDX file by hand: magic, dims, body.
func idxBytes(magic uint32, dims []uint32, body []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, magic)
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, body...)
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func TestBadIDX(t *testing.T) {
	good := idxBytes(magicImages, []uint32{2, 2, 2}, []byte{1, 2, 3, 4, 5, 6, 7, 8})
	goodGz := gzipBytes(good)
	corrupt := bytes.Clone(goodGz)
	corrupt[len(corrupt)-10] ^= 0xff // inside the deflate data or CRC
	badCRC := bytes.Clone(goodGz)
	badCRC[len(badCRC)-6] ^= 0x01 // the CRC-32 trailer
	cases := []struct {
		name   string
		labels bool
		data   []byte
		want   string
	}{
		{"empty", false, nil, "truncated"},
		{"short header", false, good[:10], "truncated"},
		{"wrong magic", false, idxBytes(0x00000802, []uint32{2, 2, 2}, make([]byte, 8)), "wrong magic 0x00000802"},
		{"labels given images", true, good, "wrong magic 0x00000803"},
		{"truncated raw", false, good[:len(good)-1], "truncated: header [2 2 2] needs 8 data bytes, file has 7"},
		{"trailing bytes", false, append(bytes.Clone(good), 0), "1 unexpected bytes"},
		{"dims larger than file", false, idxBytes(magicImages, []uint32{1 << 31, 28, 28}, make([]byte, 100)), "dims larger than file"},
		{"dims larger than gz", false, gzipBytes(idxBytes(magicImages, []uint32{1 << 31, 28, 28}, make([]byte, 100))), "dims larger than file"},
		{"truncated gz data", false, gzipBytes(good[:len(good)-3]), "truncated: header [2 2 2] needs 8 data bytes, gzip stream holds 5"},
		{"truncated gz stream", false, goodGz[:len(goodGz)-4], "truncated gzip stream"},
		{"gz with trailing bytes", false, gzipBytes(append(bytes.Clone(good), 9)), "more bytes than header"},
		{"corrupt gzip", false, corrupt, "gzip"},
		{"gzip checksum", false, badCRC, "corrupt gzip"},
		{"bad gzip header", false, []byte{0x1f, 0x8b, 0, 0, 0}, "gzip"},
		{"zero-size images", false, idxBytes(magicImages, []uint32{2, 0, 2}, nil), "0×2 pixels"},
		{"label out of range", true, idxBytes(magicLabels, []uint32{3}, []byte{1, 12, 3}), "label 12 at index 1"},
	}
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-"))
			if err := os.WriteFile(p, c.data, 0o644); err != nil {
				t.Fatal(err)
			}
			var err error
			if c.labels {
				_, err = ReadLabels(p)
			} else {
				_, _, _, _, err = ReadImages(p)
			}
			if err == nil {
				t.Fatalf("no error, want %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
				t.Errorf("error %q does not contain %q and the file name", err, c.want)
			}
		})
	}
	if _, err := ReadLabels(filepath.Join(dir, "absent")); err == nil || !strings.Contains(err.Error(), "absent") {
		t.Errorf("missing file: %v", err)
	}
}

// A gzip bomb that inflates to far more than its header announces is cut
// at what the header announces.
func TestGzipLongerThanHeader(t *testing.T) {
	data := gzipBytes(idxBytes(magicLabels, []uint32{4}, make([]byte, 1<<20)))
	p := filepath.Join(t.TempDir(), "bomb.gz")
	os.WriteFile(p, data, 0o644)
	if _, err := ReadLabels(p); err == nil || !strings.Contains(err.Error(), "more bytes than header") {
		t.Errorf("got %v", err)
	}
}

// BenchmarkReadImagesGzip reads the real MNIST test images (10,000, gzip)
// when present, else a generated file of the same size.
func BenchmarkReadImagesGzip(b *testing.B) {
	p := filepath.Join("..", "..", "shared", "data", "mnist", "t10k-images-idx3-ubyte.gz")
	if _, err := os.Stat(p); err != nil {
		px, _ := tinyImages(10000, 28, 28)
		p = filepath.Join(b.TempDir(), "img.gz")
		if err := WriteImages(p, px, 10000, 28, 28); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(10000 * 784)
	for b.Loop() {
		if _, _, _, _, err := ReadImages(p); err != nil {
			b.Fatal(err)
		}
	}
}
