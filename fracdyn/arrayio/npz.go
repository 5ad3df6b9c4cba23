package arrayio

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/fracdyn/fracdyn/internal/fsutil"
)

// maxDeflateRatio bounds how far DEFLATE can expand data (about 1032:1);
// entries claiming more than that are rejected before reading.
const maxDeflateRatio = 1032

// ValidName reports whether name can name an array in an .npz file: not
// empty, at most 255 bytes, and free of path separators, "..", NUL and
// other control characters, so that an array name never becomes a path
// outside a directory when an archive is unpacked.
func ValidName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("empty array name")
	case len(name) > 255:
		return fmt.Errorf("array name of %d bytes, more than 255", len(name))
	case name == "." || name == ".." || strings.Contains(name, ".."):
		return fmt.Errorf("array name %q contains \"..\"", name)
	case strings.ContainsAny(name, "/\\:"):
		return fmt.Errorf("array name %q contains a path separator", name)
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("array name %q contains a control character", name)
		}
	}
	return nil
}

// ReadableName reports whether name can name an array read from an .npz
// file: ValidName's rules, except that "/" may separate non-empty
// components other than "." and "..", as in the keys Keras and Flax write
// ("encoder/layer0/kernel"). Such a name is fine as a key; WriteNPZ still
// refuses it, since fracdyn writes names that never become paths.
func ReadableName(name string) error {
	if !strings.Contains(name, "/") {
		return ValidName(name)
	}
	for part := range strings.SplitSeq(name, "/") {
		if part == "" || part == "." || part == ".." {
			return fmt.Errorf("array name %q has an empty, \".\" or \"..\" path component", name)
		}
		if err := ValidName(part); err != nil {
			return fmt.Errorf("array name %q: %w", name, err)
		}
	}
	if len(name) > 1024 {
		return fmt.Errorf("array name of %d bytes, more than 1024", len(name))
	}
	return nil
}

// ReadNPZ reads every array of an .npz file (numpy.savez, stored, or
// numpy.savez_compressed, deflated). names lists them in archive order.
func ReadNPZ(path string) (names []string, arrays map[string]*Array, err error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, nil, fmt.Errorf("arrayio: %s: %w", path, err)
	}
	defer zr.Close()
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, fmt.Errorf("arrayio: %w", err)
	}
	names, arrays, err = decodeNPZ(&zr.Reader, st.Size())
	if err != nil {
		return nil, nil, fmt.Errorf("arrayio: %s: %w", path, err)
	}
	return names, arrays, nil
}

// ReadNPZEntry reads the array name from an .npz file without reading the
// others.
func ReadNPZEntry(path, name string) (*Array, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("arrayio: %s: %w", path, err)
	}
	defer zr.Close()
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("arrayio: %w", err)
	}
	var have []string
	for _, f := range zr.File {
		n := strings.TrimSuffix(f.Name, ".npy")
		if n == name {
			a, err := readEntry(f, st.Size())
			if err != nil {
				return nil, fmt.Errorf("arrayio: %s: %w", path, err)
			}
			return a, nil
		}
		have = append(have, n)
	}
	return nil, fmt.Errorf("arrayio: %s: no array %q (it holds %s)", path, name, strings.Join(have, ", "))
}

func decodeNPZ(zr *zip.Reader, size int64) ([]string, map[string]*Array, error) {
	names := make([]string, 0, len(zr.File))
	arrays := make(map[string]*Array, len(zr.File))
	for _, f := range zr.File {
		name, ok := strings.CutSuffix(f.Name, ".npy")
		if !ok {
			return nil, nil, fmt.Errorf("entry %q is not a .npy file", f.Name)
		}
		if err := ReadableName(name); err != nil {
			return nil, nil, fmt.Errorf("entry %q: %w", f.Name, err)
		}
		if _, dup := arrays[name]; dup {
			return nil, nil, fmt.Errorf("array %q appears twice", name)
		}
		a, err := readEntry(f, size)
		if err != nil {
			return nil, nil, err
		}
		names = append(names, name)
		arrays[name] = a
	}
	return names, arrays, nil
}

// readEntry decodes one .npy member of an archive of size bytes. Memory
// grows with the bytes the entry really yields: the declared size only
// bounds the read, and may not exceed what DEFLATE can make of the archive.
func readEntry(f *zip.File, size int64) (*Array, error) {
	if f.UncompressedSize64 > uint64(size)*maxDeflateRatio {
		return nil, fmt.Errorf("entry %q claims %d bytes, more than an archive of %d bytes can hold", f.Name, f.UncompressedSize64, size)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("entry %q: %w", f.Name, err)
	}
	defer rc.Close()
	var buf bytes.Buffer
	buf.Grow(int(min(f.UncompressedSize64, 4*uint64(size)+4096)))
	if _, err := io.Copy(&buf, io.LimitReader(rc, int64(f.UncompressedSize64)+1)); err != nil {
		return nil, fmt.Errorf("entry %q: %w", f.Name, err)
	}
	if uint64(buf.Len()) != f.UncompressedSize64 {
		return nil, fmt.Errorf("entry %q: %d bytes, its header says %d", f.Name, buf.Len(), f.UncompressedSize64)
	}
	a, err := decodeNPY(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("entry %q: %w", f.Name, err)
	}
	return a, nil
}

// WriteNPZ writes the arrays, in the order of names, as an uncompressed
// .npz file that numpy.load reads; the write is atomic. Every name must pass
// ValidName, be unique and have an array.
func WriteNPZ(path string, names []string, arrays map[string]*Array) error {
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if err := ValidName(n); err != nil {
			return fmt.Errorf("arrayio: writing %s: %w", path, err)
		}
		if seen[n] {
			return fmt.Errorf("arrayio: writing %s: array %q named twice", path, n)
		}
		seen[n] = true
		a, ok := arrays[n]
		if !ok || a == nil {
			return fmt.Errorf("arrayio: writing %s: no array %q", path, n)
		}
		if err := a.Validate(); err != nil {
			return fmt.Errorf("arrayio: writing %s: array %q: %w", path, n, err)
		}
	}
	return fsutil.WriteFileAtomic(path, func(w io.Writer) error { return encodeNPZ(w, names, arrays) })
}

func encodeNPZ(w io.Writer, names []string, arrays map[string]*Array) error {
	zw := zip.NewWriter(w)
	for _, n := range names {
		ew, err := zw.CreateHeader(&zip.FileHeader{Name: n + ".npy", Method: zip.Store})
		if err != nil {
			return err
		}
		if err := encodeNPY(ew, arrays[n]); err != nil {
			return err
		}
	}
	return zw.Close()
}
