package mnist

import (
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"strings"

	"github.com/fracdyn/fracdyn/internal/fsutil"
)

// WriteImages writes n images of rows×cols pixels as an idx3-ubyte file,
// gzip-compressed when path ends in ".gz". The write is atomic.
func WriteImages(path string, pixels []uint8, n, rows, cols int) error {
	if n < 0 || rows <= 0 || cols <= 0 || len(pixels) != n*rows*cols {
		return fmt.Errorf("mnist: writing %s: %d pixels do not make %d images of %d×%d", path, len(pixels), n, rows, cols)
	}
	return writeIDX(path, magicImages, []int{n, rows, cols}, pixels)
}

// WriteLabels writes labels as an idx1-ubyte file, gzip-compressed when
// path ends in ".gz". The write is atomic.
func WriteLabels(path string, labels []uint8) error {
	if err := checkLabels(path, labels); err != nil {
		return err
	}
	return writeIDX(path, magicLabels, []int{len(labels)}, labels)
}

func writeIDX(path string, magic uint32, dims []int, data []byte) error {
	for _, d := range dims {
		if d < 0 || int64(d) > 1<<32-1 {
			return fmt.Errorf("mnist: writing %s: dimension %d does not fit IDX's uint32", path, d)
		}
	}
	return fsutil.WriteFileAtomic(path, func(w io.Writer) error {
		return encodeIDX(w, magic, dims, data, strings.HasSuffix(path, ".gz"))
	})
}

// encodeIDX writes an IDX file, gzip-compressed when gz is set.
func encodeIDX(w io.Writer, magic uint32, dims []int, data []byte, gz bool) error {
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(w)
		w = zw
	}
	hdr := make([]byte, headerSize(magic))
	binary.BigEndian.PutUint32(hdr, magic)
	for i, d := range dims {
		binary.BigEndian.PutUint32(hdr[4+4*i:], uint32(d))
	}
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		return err
	}
	if zw != nil {
		return zw.Close()
	}
	return nil
}
