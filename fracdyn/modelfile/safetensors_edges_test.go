package modelfile

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// stFile writes a safetensors file with header h and n data bytes.
func stFile(t *testing.T, dir, name, h string, n int) string {
	t.Helper()
	for len(h)%8 != 0 {
		h += " "
	}
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
	b = append(append(b, h...), make([]byte, n)...)
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSafetensorsCoverage: the tensors of a safetensors file must tile its
// data section. Overlapping data_offsets (two names reading the same
// bytes), bytes that belong to no tensor and trailing bytes were accepted
// silently (issue 15); each is now an error naming the file and tensors.
func TestSafetensorsCoverage(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, header string
		data         int
		want         string
	}{
		{"overlap", `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`, 12,
			`tensors "a" and "b" overlap: "b"'s data_offsets [4, 12] start inside "a"'s, which end at 8`},
		{"same", `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, 8,
			`tensors "a" and "b" overlap`},
		{"trailing", `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, 11,
			"3 trailing bytes after the last tensor's data (it ends at data offset 8 of 11)"},
		{"hole", `{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}`, 12,
			`4 bytes at data offset 4 belong to no tensor (before "b")`},
	} {
		p := stFile(t, dir, c.name+".safetensors", c.header, c.data)
		_, err := Open(p)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: %v, want an error naming %s and containing %q", c.name, err, p, c.want)
		}
	}
	// Empty tensors take no bytes and may share an offset.
	p := stFile(t, dir, "empty.safetensors",
		`{"e":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"z":{"dtype":"F32","shape":[0,3],"data_offsets":[8,8]}}`, 8)
	m, err := Open(p)
	if err != nil {
		t.Fatalf("empty tensors: %v", err)
	}
	if len(m.Tensors) != 3 {
		t.Errorf("tensors %v", m.Tensors)
	}
	m.Close()
}

// TestModelPathIsDirectory: a directory named like a model file used to be
// opened as a run directory and fail with "reading run config".
func TestModelPathIsDirectory(t *testing.T) {
	for _, name := range []string{"x.safetensors", "m.onnx", "w.npz"} {
		p := filepath.Join(t.TempDir(), name)
		os.Mkdir(p, 0o755)
		_, err := Open(p)
		if err == nil || !strings.Contains(err.Error(), p+" is a directory, not a ") || strings.Contains(err.Error(), "config") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
