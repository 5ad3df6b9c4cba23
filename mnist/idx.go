package mnist

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// IDX magic numbers for unsigned-byte data: 0x0000 08 NN, NN the number of
// dimensions.
const (
	magicLabels = 0x00000801 // idx1-ubyte: [N]
	magicImages = 0x00000803 // idx3-ubyte: [N, rows, cols]
)

// maxGzipRatio bounds how many bytes a gzip stream of n bytes can inflate to.
// DEFLATE cannot exceed about 1032:1, so a header that claims more than
// maxGzipRatio times the compressed size is a lie and is rejected before any
// allocation.
const maxGzipRatio = 1032

// isGzip reports whether data starts with the gzip magic bytes 1f 8b.
func isGzip(data []byte) bool { return len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b }

// ReadImages reads an idx3-ubyte image file, raw or gzip-compressed (told
// apart by the gzip magic bytes, not by the name). It returns the pixels,
// n*rows*cols bytes in row-major order, one image after another.
func ReadImages(path string) (pixels []uint8, n, rows, cols int, err error) {
	file, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, 0, 0, fmt.Errorf("mnist: %w", err)
	}
	dims, body, err := decodeIDX(path, file, magicImages)
	if err != nil {
		return nil, 0, 0, 0, err
	}
	return body, dims[0], dims[1], dims[2], nil
}

// ReadLabels reads an idx1-ubyte label file, raw or gzip-compressed.
// Labels must lie in 0..9.
func ReadLabels(path string) (labels []uint8, err error) {
	file, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("mnist: %w", err)
	}
	_, body, err := decodeIDX(path, file, magicLabels)
	if err != nil {
		return nil, err
	}
	if err := checkLabels(path, body); err != nil {
		return nil, err
	}
	return body, nil
}

func checkLabels(name string, labels []uint8) error {
	for i, l := range labels {
		if l > 9 {
			return fmt.Errorf("mnist: %s: label %d at index %d is outside 0..9", name, l, i)
		}
	}
	return nil
}

// decodeIDX parses the IDX file held in file (raw or gzip) whose magic must
// be want. It returns the dimensions and the data bytes. name is used in
// errors only.
func decodeIDX(name string, file []byte, want uint32) (dims []int, body []byte, err error) {
	if isGzip(file) {
		return decodeGzipIDX(name, file, want)
	}
	dims, need, err := parseHeader(name, file, want, int64(len(file)))
	if err != nil {
		return nil, nil, err
	}
	hdr := headerSize(want)
	switch have := int64(len(file) - hdr); {
	case have < need:
		return nil, nil, fmt.Errorf("mnist: %s: truncated: header %v needs %d data bytes, file has %d", name, dims, need, have)
	case have > need:
		return nil, nil, fmt.Errorf("mnist: %s: %d unexpected bytes after the %d data bytes of header %v", name, have-need, need, dims)
	}
	return dims, file[hdr:], nil
}

func headerSize(magic uint32) int { return 4 + 4*int(magic&0xff) }

// parseHeader checks the magic and dimensions at the start of data and
// returns the dimensions and the number of data bytes they claim. limit is
// the largest number of data bytes the source can really hold.
func parseHeader(name string, data []byte, want uint32, limit int64) (dims []int, need int64, err error) {
	if len(data) < 4 {
		return nil, 0, fmt.Errorf("mnist: %s: truncated: %d bytes, too short for an IDX header", name, len(data))
	}
	magic := binary.BigEndian.Uint32(data)
	if magic != want {
		return nil, 0, fmt.Errorf("mnist: %s: wrong magic 0x%08x, want 0x%08x (%s)", name, magic, want, magicName(want))
	}
	hdr := headerSize(want)
	if len(data) < hdr {
		return nil, 0, fmt.Errorf("mnist: %s: truncated: %d bytes, IDX header needs %d", name, len(data), hdr)
	}
	need = 1
	dims = make([]int, want&0xff)
	for i := range dims {
		d := int64(binary.BigEndian.Uint32(data[4+4*i:]))
		dims[i] = int(d)
		need *= d
		if need > limit {
			return nil, 0, fmt.Errorf("mnist: %s: dims larger than file: header claims dimensions %v, more than the file can hold (%d bytes at most)",
				name, headerDims(data, want), limit)
		}
	}
	if want == magicImages && (dims[1] == 0 || dims[2] == 0) {
		return nil, 0, fmt.Errorf("mnist: %s: images of %d×%d pixels", name, dims[1], dims[2])
	}
	return dims, need, nil
}

func headerDims(data []byte, magic uint32) []uint32 {
	d := make([]uint32, magic&0xff)
	for i := range d {
		d[i] = binary.BigEndian.Uint32(data[4+4*i:])
	}
	return d
}

func magicName(m uint32) string {
	if m == magicImages {
		return "idx3-ubyte images"
	}
	return "idx1-ubyte labels"
}

// decodeGzipIDX inflates an IDX file. Memory grows with the bytes the
// stream really yields, never with what the header claims: the buffer
// starts at a small multiple of the compressed size and doubles only while
// data keeps arriving, up to the size the header announces.
func decodeGzipIDX(name string, file []byte, want uint32) (dims []int, body []byte, err error) {
	zr, err := gzip.NewReader(bytes.NewReader(file))
	if err != nil {
		return nil, nil, fmt.Errorf("mnist: %s: corrupt gzip: %w", name, err)
	}
	hdr := make([]byte, headerSize(want))
	if n, err := io.ReadFull(zr, hdr[:4]); err != nil {
		return nil, nil, gzipErr(name, "header", n, err)
	}
	if magic := binary.BigEndian.Uint32(hdr); magic != want {
		return nil, nil, fmt.Errorf("mnist: %s: wrong magic 0x%08x, want 0x%08x (%s)", name, magic, want, magicName(want))
	}
	if n, err := io.ReadFull(zr, hdr[4:]); err != nil {
		return nil, nil, gzipErr(name, "header", 4+n, err)
	}
	limit := int64(len(file)) * maxGzipRatio
	dims, need, err := parseHeader(name, hdr, want, limit)
	if err != nil {
		return nil, nil, err
	}
	body = make([]byte, 0, min(need, 8*int64(len(file))+4096))
	for int64(len(body)) < need {
		if len(body) == cap(body) {
			grown := make([]byte, len(body), min(2*int64(cap(body)), need))
			copy(grown, body)
			body = grown
		}
		n, err := zr.Read(body[len(body):cap(body)])
		body = body[:len(body)+n]
		if err == io.EOF {
			if int64(len(body)) < need {
				return nil, nil, fmt.Errorf("mnist: %s: truncated: header %v needs %d data bytes, gzip stream holds %d", name, dims, need, len(body))
			}
			break
		}
		if err != nil {
			return nil, nil, gzipErr(name, "data", len(body), err)
		}
	}
	// Read to the end so that gzip checks the CRC and size trailer, and
	// reject data past what the header announced.
	var extra [1]byte
	n, err := io.ReadFull(zr, extra[:])
	if n > 0 {
		return nil, nil, fmt.Errorf("mnist: %s: gzip stream holds more bytes than header %v announces (%d)", name, dims, need)
	}
	if err != io.EOF {
		return nil, nil, gzipErr(name, "trailer", len(body), err)
	}
	return dims, body, nil
}

func gzipErr(name, where string, got int, err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("mnist: %s: truncated gzip stream (in the %s, after %d bytes)", name, where, got)
	}
	return fmt.Errorf("mnist: %s: corrupt gzip (in the %s, after %d bytes): %w", name, where, got, err)
}
