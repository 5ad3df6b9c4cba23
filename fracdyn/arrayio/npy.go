package arrayio

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/fracdyn/fracdyn/internal/fsutil"
)

// npyMagic opens every .npy file.
const npyMagic = "\x93NUMPY"

// ReadNPY reads a .npy file.
func ReadNPY(path string) (*Array, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("arrayio: %w", err)
	}
	a, err := decodeNPY(data)
	if err != nil {
		return nil, fmt.Errorf("arrayio: %s: %w", path, err)
	}
	return a, nil
}

// WriteNPY writes a as a .npy file (format 1.0, or 2.0 when the header
// needs it), atomically.
func WriteNPY(path string, a *Array) error {
	if err := a.Validate(); err != nil {
		return fmt.Errorf("arrayio: writing %s: %w", path, err)
	}
	return fsutil.WriteFileAtomic(path, func(w io.Writer) error { return encodeNPY(w, a) })
}

// decodeNPY parses a whole .npy file: format versions 1.0, 2.0 and 3.0,
// any byte order, C or Fortran order, and the dtypes parseDescr accepts.
// The data size must match the shape exactly, checked before allocating.
// Fortran-order data is returned in C order.
func decodeNPY(data []byte) (*Array, error) {
	if len(data) < 10 || string(data[:6]) != npyMagic {
		return nil, fmt.Errorf("not a .npy file (no \\x93NUMPY magic)")
	}
	major, minor := data[6], data[7]
	var hlen, start int
	switch major {
	case 1:
		hlen, start = int(binary.LittleEndian.Uint16(data[8:])), 10
	case 2, 3:
		if len(data) < 12 {
			return nil, fmt.Errorf("truncated .npy header")
		}
		h := binary.LittleEndian.Uint32(data[8:])
		if int64(h) > int64(len(data)) {
			return nil, fmt.Errorf("header length %d exceeds the file's %d bytes", h, len(data))
		}
		hlen, start = int(h), 12
	default:
		return nil, fmt.Errorf("unsupported .npy format version %d.%d", major, minor)
	}
	if start+hlen > len(data) {
		return nil, fmt.Errorf("truncated .npy header: %d bytes announced, %d present", hlen, len(data)-start)
	}
	header := string(data[start : start+hlen])
	descr, fortran, shape, err := parseHeader(header)
	if err != nil {
		return nil, err
	}
	src, err := parseDescr(descr)
	if err != nil {
		return nil, err
	}
	body := data[start+hlen:]
	n := 1
	for _, d := range shape {
		if d > 0 && n > len(body)/d {
			return nil, fmt.Errorf("shape %v is larger than the file's %d data bytes", shape, len(body))
		}
		n *= d
	}
	if need := n * src.size; need != len(body) {
		if need > len(body) {
			return nil, fmt.Errorf("truncated: shape %v of %s needs %d data bytes, file has %d", shape, descr, need, len(body))
		}
		return nil, fmt.Errorf("%d bytes after the %d data bytes of shape %v", len(body)-need, need, shape)
	}
	values, err := decodeData(src, n, body)
	if err != nil {
		return nil, err
	}
	a := &Array{DType: src.dtype, Shape: shape, Data: values}
	if fortran && len(shape) > 1 {
		a.Data = fortranToC(a.Data, shape)
	}
	return a, nil
}

// parseHeader reads numpy's header, a Python dict literal such as
// {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }.
func parseHeader(h string) (descr string, fortran bool, shape []int, err error) {
	p := &dictParser{s: strings.TrimRight(h, " \n\x00")}
	var seen [3]bool
	if !p.eat('{') {
		return "", false, nil, p.fail("expected '{'")
	}
	for !p.eat('}') {
		key, err := p.str()
		if err != nil {
			return "", false, nil, err
		}
		if !p.eat(':') {
			return "", false, nil, p.fail("expected ':'")
		}
		k := slices.Index([]string{"descr", "fortran_order", "shape"}, key)
		if k >= 0 && seen[k] {
			return "", false, nil, p.fail("duplicate key " + strconv.Quote(key))
		}
		switch key {
		case "descr":
			if descr, err = p.str(); err != nil {
				return "", false, nil, fmt.Errorf("descr: %w (structured dtypes are not supported)", err)
			}
			seen[0] = true
		case "fortran_order":
			switch {
			case p.word("True"):
				fortran = true
			case p.word("False"):
			default:
				return "", false, nil, p.fail("fortran_order must be True or False")
			}
			seen[1] = true
		case "shape":
			if shape, err = p.tuple(); err != nil {
				return "", false, nil, err
			}
			seen[2] = true
		default:
			return "", false, nil, p.fail("unexpected key " + strconv.Quote(key))
		}
		if !p.eat(',') {
			if !p.eat('}') {
				return "", false, nil, p.fail("expected ',' or '}'")
			}
			break
		}
	}
	if p.skip(); p.i != len(p.s) {
		return "", false, nil, p.fail("text after the header dict")
	}
	if seen != [3]bool{true, true, true} {
		return "", false, nil, fmt.Errorf("bad .npy header %q: it needs descr, fortran_order and shape", h)
	}
	return descr, fortran, shape, nil
}

type dictParser struct {
	s string
	i int
}

func (p *dictParser) skip() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\n' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *dictParser) eat(c byte) bool {
	p.skip()
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *dictParser) word(w string) bool {
	p.skip()
	if strings.HasPrefix(p.s[p.i:], w) {
		p.i += len(w)
		return true
	}
	return false
}

func (p *dictParser) fail(msg string) error {
	return fmt.Errorf("bad .npy header %q at byte %d: %s", p.s, p.i, msg)
}

// str reads a quoted string without escapes (numpy never writes any).
func (p *dictParser) str() (string, error) {
	p.skip()
	if p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
		return "", p.fail("expected a quoted string")
	}
	q := p.s[p.i]
	end := strings.IndexByte(p.s[p.i+1:], q)
	if end < 0 {
		return "", p.fail("unterminated string")
	}
	s := p.s[p.i+1 : p.i+1+end]
	p.i += end + 2
	return s, nil
}

// tuple reads a tuple of non-negative integers: (), (3,), (3, 4).
func (p *dictParser) tuple() ([]int, error) {
	if !p.eat('(') {
		return nil, p.fail("shape must be a tuple")
	}
	shape := []int{}
	for !p.eat(')') {
		p.skip()
		j := p.i
		for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
			j++
		}
		d, err := strconv.Atoi(p.s[p.i:j])
		if err != nil || d < 0 {
			return nil, p.fail("shape entries must be non-negative integers")
		}
		p.i = j
		shape = append(shape, d)
		if !p.eat(',') {
			if !p.eat(')') {
				return nil, p.fail("expected ',' or ')' in shape")
			}
			break
		}
	}
	return shape, nil
}

// descrOf is the numpy type string written for a DType.
func descrOf(d DType) string {
	switch d {
	case Float32:
		return "<f4"
	case Float64:
		return "<f8"
	case Int32:
		return "<i4"
	case Int64:
		return "<i8"
	}
	return "|u1"
}

// encodeNPY writes a (already validated) in .npy format 1.0, or 2.0 when
// the header exceeds 65535 bytes. The header is padded with spaces so that
// the data starts at a multiple of 64 bytes, as numpy does.
func encodeNPY(w io.Writer, a *Array) error {
	var dims []string
	for _, d := range a.Shape {
		dims = append(dims, strconv.Itoa(d))
	}
	shape := "(" + strings.Join(dims, ", ")
	if len(dims) == 1 {
		shape += ","
	}
	shape += ")"
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descrOf(a.DType), shape)
	version, prefix := byte(1), 10
	if len(dict)+1+prefix+63 > 65535 {
		version, prefix = 2, 12
	}
	total := (prefix + len(dict) + 1 + 63) / 64 * 64
	hdr := make([]byte, 0, total)
	hdr = append(hdr, npyMagic...)
	hdr = append(hdr, version, 0)
	hlen := total - prefix
	if version == 1 {
		hdr = binary.LittleEndian.AppendUint16(hdr, uint16(hlen))
	} else {
		hdr = binary.LittleEndian.AppendUint32(hdr, uint32(hlen))
	}
	hdr = append(hdr, dict...)
	for len(hdr) < total-1 {
		hdr = append(hdr, ' ')
	}
	hdr = append(hdr, '\n')
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	return writeData(w, a)
}

// writeData writes the elements little-endian, in chunks.
func writeData(w io.Writer, a *Array) error {
	le := binary.LittleEndian
	buf := make([]byte, 0, 1<<16)
	flush := func() error {
		_, err := w.Write(buf)
		buf = buf[:0]
		return err
	}
	var err error
	put := func(b []byte) {
		buf = b
		if len(buf) >= 1<<16-8 && err == nil {
			err = flush()
		}
	}
	switch v := a.Data.(type) {
	case []float32:
		for _, x := range v {
			put(le.AppendUint32(buf, math.Float32bits(x)))
		}
	case []float64:
		for _, x := range v {
			put(le.AppendUint64(buf, math.Float64bits(x)))
		}
	case []int32:
		for _, x := range v {
			put(le.AppendUint32(buf, uint32(x)))
		}
	case []int64:
		for _, x := range v {
			put(le.AppendUint64(buf, uint64(x)))
		}
	case []uint8:
		if err := flush(); err != nil {
			return err
		}
		_, err := w.Write(v)
		return err
	}
	if err != nil {
		return err
	}
	return flush()
}
