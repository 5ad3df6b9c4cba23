package modelfile

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"

	"github.com/fracdyn/fracdyn/fracdyn/weights"
	"github.com/fracdyn/fracdyn/internal/fsutil"
)

// MaxSafetensorsHeader is the largest header accepted, in bytes (the
// format's own limit is 100 MB).
const MaxSafetensorsHeader = 100 << 20

// chunkBytes is the read buffer used to decode tensors: memory beyond the
// decoded values stays below it.
const chunkBytes = 1 << 20

// safetensorsDTypes maps the format's dtype names to ours. F8 types are
// listed (and skipped) but not decoded.
var safetensorsDTypes = map[string]DType{
	"F64": Float64, "F32": Float32, "F16": Float16, "BF16": BFloat16,
	"I64": Int64, "I32": Int32, "I16": Int16, "I8": Int8, "U8": Uint8, "BOOL": Bool,
	"U16": "uint16", "U32": "uint32", "U64": "uint64",
	"F8_E4M3": "float8_e4m3fn", "F8_E5M2": "float8_e5m2",
}

func safetensorsSize(d DType) int {
	switch d {
	case "uint16":
		return 2
	case "uint32":
		return 4
	case "uint64":
		return 8
	case "float8_e4m3fn", "float8_e5m2":
		return 1
	}
	return d.Size()
}

// stEntry is one tensor of a safetensors header.
type stEntry struct {
	info       TensorInfo
	begin, end int64 // byte offsets within the data section
}

// parseSafetensorsHeader decodes and validates a header against a data
// section of dataLen bytes. It returns the tensors ordered by offset and
// the free-form metadata.
func parseSafetensorsHeader(header []byte, dataLen int64) ([]stEntry, map[string]string, error) {
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(header))
	if err := dec.Decode(&raw); err != nil {
		return nil, nil, fmt.Errorf("header is not a JSON object: %w", err)
	}
	var meta map[string]string
	var entries []stEntry
	for name, msg := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &meta); err != nil {
				return nil, nil, fmt.Errorf("__metadata__ is not a string map: %w", err)
			}
			continue
		}
		var e struct {
			DType       string  `json:"dtype"`
			Shape       []int64 `json:"shape"`
			DataOffsets []int64 `json:"data_offsets"`
		}
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, nil, fmt.Errorf("tensor %q: bad header entry: %w", name, err)
		}
		dt, ok := safetensorsDTypes[e.DType]
		if !ok {
			return nil, nil, fmt.Errorf("tensor %q: unsupported dtype %q", name, e.DType)
		}
		if len(e.DataOffsets) != 2 {
			return nil, nil, fmt.Errorf("tensor %q: data_offsets has %d values, want 2", name, len(e.DataOffsets))
		}
		shape := make([]int, len(e.Shape))
		numel := int64(1)
		for i, d := range e.Shape {
			if d < 0 || (d > 0 && numel > math.MaxInt64/8/d) {
				return nil, nil, fmt.Errorf("tensor %q: bad shape %v", name, e.Shape)
			}
			numel *= d
			shape[i] = int(d)
		}
		begin, end := e.DataOffsets[0], e.DataOffsets[1]
		if begin < 0 || end < begin {
			return nil, nil, fmt.Errorf("tensor %q: bad data_offsets [%d, %d]", name, begin, end)
		}
		if want := numel * int64(safetensorsSize(dt)); end-begin != want {
			return nil, nil, fmt.Errorf("tensor %q: %s%v needs %d bytes, data_offsets give %d", name, e.DType, e.Shape, want, end-begin)
		}
		if end > dataLen {
			return nil, nil, fmt.Errorf("tensor %q: data ends at byte %d past the %d data bytes in the file (truncated?)", name, end, dataLen)
		}
		t := TensorInfo{Name: name, DType: dt, Shape: shape}
		Classify(&t, weights.PyTorch)
		entries = append(entries, stEntry{info: t, begin: begin, end: end})
	}
	sort.Slice(entries, func(i, j int) bool {
		if entries[i].begin != entries[j].begin {
			return entries[i].begin < entries[j].begin
		}
		if entries[i].end != entries[j].end {
			return entries[i].end < entries[j].end
		}
		return entries[i].info.Name < entries[j].info.Name
	})
	if err := checkCoverage(entries, dataLen); err != nil {
		return nil, nil, err
	}
	return entries, meta, nil
}

// checkCoverage checks that the tensors, sorted by offset, tile the data
// section exactly, as the format requires: no two overlap (one would read
// the other's bytes), no bytes lie between them or after the last.
func checkCoverage(entries []stEntry, dataLen int64) error {
	var pos int64
	prev := ""
	for _, e := range entries {
		switch {
		case e.begin < pos:
			return fmt.Errorf("tensors %q and %q overlap: %q's data_offsets [%d, %d] start inside %q's, which end at %d",
				prev, e.info.Name, e.info.Name, e.begin, e.end, prev, pos)
		case e.begin > pos:
			return fmt.Errorf("%d bytes at data offset %d belong to no tensor (before %q)", e.begin-pos, pos, e.info.Name)
		}
		if e.end > pos || prev == "" {
			pos, prev = e.end, e.info.Name
		}
	}
	if pos < dataLen {
		return fmt.Errorf("%d trailing bytes after the last tensor's data (it ends at data offset %d of %d)", dataLen-pos, pos, dataLen)
	}
	return nil
}

// safetensorsReader reads tensors one at a time from an open file.
type safetensorsReader struct {
	path      string
	f         io.ReaderAt
	closer    io.Closer
	dataStart int64
	entries   []stEntry
	byName    map[string]int
	meta      map[string]string
}

func openSafetensors(path string) (*safetensorsReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err == nil {
		var r *safetensorsReader
		if r, err = newSafetensorsReader(path, f, st.Size()); err == nil {
			r.closer = f
			return r, nil
		}
	}
	f.Close()
	return nil, err
}

// newSafetensorsReader reads the header of the size-byte safetensors file f
// (named path in errors).
func newSafetensorsReader(path string, f io.ReaderAt, size int64) (*safetensorsReader, error) {
	var lenBuf [8]byte
	if _, err := f.ReadAt(lenBuf[:], 0); err != nil {
		return nil, fmt.Errorf("%s: not a safetensors file: %d bytes, shorter than the 8-byte header length", path, size)
	}
	hlen := binary.LittleEndian.Uint64(lenBuf[:])
	if hlen > MaxSafetensorsHeader {
		return nil, fmt.Errorf("%s: not a safetensors file: header length %d exceeds the %d-byte limit", path, hlen, MaxSafetensorsHeader)
	}
	if int64(hlen) > size-8 {
		return nil, fmt.Errorf("%s: safetensors header length %d runs past the end of the %d-byte file (truncated?)", path, hlen, size)
	}
	header := make([]byte, hlen)
	if _, err := f.ReadAt(header, 8); err != nil {
		return nil, fmt.Errorf("%s: reading safetensors header: %w", path, err)
	}
	entries, meta, err := parseSafetensorsHeader(header, size-8-int64(hlen))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r := &safetensorsReader{path: path, f: f, dataStart: 8 + int64(hlen), entries: entries, meta: meta, byName: map[string]int{}}
	for i, e := range entries {
		r.byName[e.info.Name] = i
	}
	return r, nil
}

func (r *safetensorsReader) tensors() []TensorInfo {
	out := make([]TensorInfo, len(r.entries))
	for i, e := range r.entries {
		out[i] = e.info
	}
	return out
}

// readFloat32 decodes tensor name into a new slice, reading the file in
// chunks so that memory beyond the result stays below chunkBytes.
func (r *safetensorsReader) readFloat32(name string) ([]float32, error) {
	i, ok := r.byName[name]
	if !ok {
		return nil, fmt.Errorf("%s: no tensor %q", r.path, name)
	}
	e := r.entries[i]
	dt := e.info.DType
	es := dt.Size()
	if es == 0 {
		return nil, fmt.Errorf("%s: tensor %q: dtype %s is not decoded", r.path, name, dt)
	}
	n := int((e.end - e.begin) / int64(es))
	out := make([]float32, n)
	per := chunkBytes / es
	buf := make([]byte, min(n, per)*es)
	for done := 0; done < n; {
		k := min(n-done, per)
		b := buf[:k*es]
		if _, err := r.f.ReadAt(b, r.dataStart+e.begin+int64(done*es)); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, fmt.Errorf("%s: reading tensor %q: %w", r.path, name, err)
		}
		if err := decodeFloat32(out[done:done+k], b, dt); err != nil {
			return nil, fmt.Errorf("%s: tensor %q: %w", r.path, name, err)
		}
		done += k
	}
	return out, nil
}

func (r *safetensorsReader) metadata() map[string]string { return r.meta }

func (r *safetensorsReader) close() error {
	if r.closer == nil {
		return nil
	}
	return r.closer.Close()
}

// NamedTensor is a float32 tensor with its name, as written by the
// exporters.
type NamedTensor struct {
	Name  string
	Shape []int
	Data  []float32
}

// WriteSafetensors writes tensors, in the order given, as F32 to a
// .safetensors file at path (atomically), with metadata in the header's
// "__metadata__" entry.
func WriteSafetensors(path string, tensors []NamedTensor, metadata map[string]string) error {
	header := map[string]any{}
	if len(metadata) > 0 {
		header["__metadata__"] = metadata
	}
	var off int64
	seen := map[string]bool{}
	for _, t := range tensors {
		if t.Name == "" || t.Name == "__metadata__" || seen[t.Name] {
			return fmt.Errorf("writing %s: bad or repeated tensor name %q", path, t.Name)
		}
		seen[t.Name] = true
		n := 1
		for _, d := range t.Shape {
			n *= d
		}
		if n != len(t.Data) {
			return fmt.Errorf("writing %s: tensor %q has shape %v but %d values", path, t.Name, t.Shape, len(t.Data))
		}
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		header[t.Name] = map[string]any{"dtype": "F32", "shape": shape, "data_offsets": []int64{off, off + 4*int64(n)}}
		off += 4 * int64(n)
	}
	hj, err := json.Marshal(header)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	// Pad the header with spaces so that the data starts 8-byte aligned.
	for len(hj)%8 != 0 {
		hj = append(hj, ' ')
	}
	return fsutil.WriteFileAtomic(path, func(w io.Writer) error {
		if err := binary.Write(w, binary.LittleEndian, uint64(len(hj))); err != nil {
			return err
		}
		if _, err := w.Write(hj); err != nil {
			return err
		}
		buf := make([]byte, 0, chunkBytes)
		for _, t := range tensors {
			for _, v := range t.Data {
				buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
				if len(buf) == cap(buf) {
					if _, err := w.Write(buf); err != nil {
						return err
					}
					buf = buf[:0]
				}
			}
		}
		_, err := w.Write(buf)
		return err
	})
}
