package mnist

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/internal/testutil"
)

// TestHugeHeaderAllocatesNothing reads IDX files whose headers claim
// 2^31 images of 28×28 (1.7 TB) or 2^31 labels in files of about 100 bytes,
// raw and gzip: each must fail naming the file, after allocating less than
// 1 MiB (the gzip reader's own buffers included).
func TestHugeHeaderAllocatesNothing(t *testing.T) {
	dir := t.TempDir()
	images := idxBytes(magicImages, []uint32{1 << 31, 28, 28}, make([]byte, 100))
	labels := idxBytes(magicLabels, []uint32{1 << 31}, make([]byte, 100))
	for name, c := range map[string]struct {
		data   []byte
		labels bool
	}{
		"images.idx": {images, false}, "images.idx.gz": {gzipBytes(images), false},
		"labels.idx": {labels, true}, "labels.idx.gz": {gzipBytes(labels), true},
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		var err error
		n := testutil.Allocated(func() {
			if c.labels {
				_, err = ReadLabels(p)
			} else {
				_, _, _, _, err = ReadImages(p)
			}
		})
		if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "dims larger than file") {
			t.Errorf("%s: error %v, want one naming the file and \"dims larger than file\"", name, err)
		}
		if n > 1<<20 {
			t.Errorf("%s: %d bytes allocated for a %d-byte file", name, n, len(c.data))
		}
	}
}
