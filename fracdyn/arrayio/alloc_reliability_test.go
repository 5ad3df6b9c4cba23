package arrayio

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/internal/testutil"
)

// npyHeader returns a version-1 .npy file with the given header dict and
// body.
func npyHeader(dict string, body []byte) []byte {
	h := dict
	for (10+len(h)+1)%64 != 0 {
		h += " "
	}
	h += "\n"
	b := append([]byte("\x93NUMPY\x01\x00"), byte(len(h)), byte(len(h)>>8))
	return append(append(b, h...), body...)
}

// TestHugeHeaderAllocatesNothing reads .npy and .npz files whose headers
// claim arrays of terabytes (or shapes whose product overflows) in files of
// a few hundred bytes: each must fail with an error naming the file, after
// allocating less than 1 MiB.
func TestHugeHeaderAllocatesNothing(t *testing.T) {
	dir := t.TempDir()
	body := make([]byte, 64)
	cases := map[string][]byte{
		"1T.npy":       npyHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (1099511627776,), }", body),
		"overflow.npy": npyHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }", body),
	}
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "w.npy", Method: zip.Deflate})
	w.Write(cases["1T.npy"])
	zw.Close()
	cases["1T.npz"] = zbuf.Bytes()
	for name, data := range cases {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		var err error
		n := testutil.Allocated(func() {
			if strings.HasSuffix(name, ".npz") {
				_, _, err = ReadNPZ(p)
			} else {
				_, err = ReadNPY(p)
			}
		})
		if err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %v, want one naming the file", name, err)
		}
		t.Logf("%s (%d bytes): %v; %d bytes allocated", name, len(data), err, n)
		if n > 1<<20 {
			t.Errorf("%s: %d bytes allocated for a %d-byte file", name, n, len(data))
		}
	}
}
