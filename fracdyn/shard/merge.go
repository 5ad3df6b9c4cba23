package shard

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fracdyn/fracdyn/fracdyn/segtable"
	"github.com/fracdyn/fracdyn/internal/fsutil"
)

// Merge assembles the shards under out/shards into out (see the package
// doc) and returns their common manifest (Index 0). Every shard of the
// count must be there, with the same command, items and tables.
func Merge(out string) (Manifest, error) {
	paths, _ := filepath.Glob(filepath.Join(out, "shards", "*", ManifestFile))
	if len(paths) == 0 {
		return Manifest{}, fmt.Errorf("shard: no %s under %s", ManifestFile, filepath.Join(out, "shards", "*"))
	}
	var ms []Manifest
	var dirs []string
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return Manifest{}, err
		}
		var m Manifest
		if err := json.Unmarshal(b, &m); err != nil {
			return Manifest{}, fmt.Errorf("shard: %s: %w", p, err)
		}
		ms, dirs = append(ms, m), append(dirs, filepath.Dir(p))
	}
	ref := ms[0]
	byIndex := make([]int, ref.Count)
	for i := range byIndex {
		byIndex[i] = -1
	}
	for i, m := range ms {
		if m.Command != ref.Command || m.Count != ref.Count || !slices.Equal(m.Items, ref.Items) || !slices.Equal(m.Tables, ref.Tables) {
			return Manifest{}, fmt.Errorf("shard: %s and %s are shards of different work (command, count, items or tables differ)", dirs[0], dirs[i])
		}
		if m.Index < 0 || m.Index >= ref.Count || byIndex[m.Index] >= 0 {
			return Manifest{}, fmt.Errorf("shard: %s: shard %d of %d is out of range or appears twice", dirs[i], m.Index, m.Count)
		}
		byIndex[m.Index] = i
	}
	var missing []string
	for k, i := range byIndex {
		if i < 0 {
			missing = append(missing, fmt.Sprintf("%d/%d", k, ref.Count))
		}
	}
	if len(missing) > 0 {
		return Manifest{}, fmt.Errorf("shard: shards %s are missing under %s", strings.Join(missing, ", "), filepath.Join(out, "shards"))
	}
	shardDir := func(k int) string { return dirs[byIndex[k]] }
	for _, t := range ref.Tables {
		var err error
		switch {
		case strings.HasSuffix(t.File, ".parquet"):
			err = mergeParquet(out, t, ref, shardDir)
		case strings.HasSuffix(t.File, ".json"):
			err = mergeJSON(out, t, ref, shardDir)
		default:
			err = mergeCSV(out, t, ref, shardDir)
		}
		if err != nil {
			return Manifest{}, err
		}
	}
	// Each shard may list only the files it wrote (fracdyn analyze names
	// its per-epoch files after the fact): take the union.
	files := map[string]string{}
	for _, m := range ms {
		for f, item := range m.Files {
			files[f] = item
		}
	}
	ref.Files = files
	names := make([]string, 0, len(ref.Files))
	for f := range ref.Files {
		names = append(names, f)
	}
	slices.Sort(names)
	for _, f := range names {
		k := slices.Index(ref.Items, ref.Files[f]) % ref.Count
		src := filepath.Join(shardDir(k), f)
		if _, err := os.Stat(src); errors.Is(err, os.ErrNotExist) {
			continue // not written (e.g. no graph for this model)
		}
		dst := filepath.Join(out, f)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return Manifest{}, fmt.Errorf("shard: %w", err)
		}
		if err := os.RemoveAll(dst); err != nil {
			return Manifest{}, err
		}
		if err := os.Rename(src, dst); err != nil {
			return Manifest{}, fmt.Errorf("shard: %w", err)
		}
	}
	ref.Index = 0
	return ref, nil
}

// mergeCSV writes out/t.File: the header, then for each item the rows of
// its owner's table whose key column holds it, in order.
func mergeCSV(out string, t Table, m Manifest, shardDir func(int) string) error {
	readers := make([]*csv.Reader, m.Count)
	heads := make([][]string, m.Count)
	var header []string
	key := -1
	for k := range m.Count {
		f, err := os.Open(filepath.Join(shardDir(k), t.File))
		if err != nil {
			return fmt.Errorf("shard: %w", err)
		}
		defer f.Close()
		readers[k] = csv.NewReader(f)
		h, err := readers[k].Read()
		if err != nil {
			return fmt.Errorf("shard: %s: header: %w", f.Name(), err)
		}
		if k == 0 {
			header, key = h, slices.Index(h, t.Key)
			if key < 0 {
				return fmt.Errorf("shard: %s has no column %q", f.Name(), t.Key)
			}
		} else if !slices.Equal(h, header) {
			return fmt.Errorf("shard: %s's header differs from shard 0's", f.Name())
		}
		if heads[k], err = readers[k].Read(); err != nil && err != io.EOF {
			return fmt.Errorf("shard: %s: %w", f.Name(), err)
		}
	}
	return fsutil.WriteFileAtomic(filepath.Join(out, t.File), func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write(header)
		for i, item := range m.Items {
			k := i % m.Count
			for heads[k] != nil && heads[k][key] == item {
				cw.Write(heads[k])
				var err error
				if heads[k], err = readers[k].Read(); err == io.EOF {
					heads[k] = nil
				} else if err != nil {
					return fmt.Errorf("shard: shard %d's %s: %w", k, t.File, err)
				}
			}
		}
		for k, h := range heads {
			if h != nil {
				return fmt.Errorf("shard: shard %d's %s has a row for %q out of its items' order", k, t.File, h[key])
			}
		}
		cw.Flush()
		return cw.Error()
	})
}

// mergeParquet is mergeCSV for a segtable file keyed by its layer column.
func mergeParquet(out string, t Table, m Manifest, shardDir func(int) string) error {
	if t.Key != "layer" {
		return fmt.Errorf("shard: %s: a segment table is keyed by layer, not %q", t.File, t.Key)
	}
	readers := make([]*segtable.Reader, m.Count)
	for k := range m.Count {
		r, err := segtable.Open(filepath.Join(shardDir(k), t.File))
		if err != nil {
			return fmt.Errorf("shard: %w", err)
		}
		defer r.Close()
		if k > 0 && !slices.Equal(r.Measures(), readers[0].Measures()) {
			return fmt.Errorf("shard: shard %d's %s has measures %v, shard 0's %v", k, t.File, r.Measures(), readers[0].Measures())
		}
		readers[k] = r
	}
	// A buffer of look-ahead rows per shard; heads[k] is its next row.
	bufs := make([][]segtable.Row, m.Count)
	pos := make([]int, m.Count)
	heads := make([]*segtable.Row, m.Count)
	next := func(k int) error {
		heads[k] = nil
		if pos[k]++; pos[k] < len(bufs[k]) {
			heads[k] = &bufs[k][pos[k]]
			return nil
		}
		buf := make([]segtable.Row, 4096)
		n, err := readers[k].Next(buf)
		bufs[k], pos[k] = buf[:n], 0
		if n > 0 {
			heads[k] = &bufs[k][0]
		}
		if err == io.EOF {
			return nil
		}
		return err
	}
	for k := range m.Count {
		pos[k] = -1
	}
	for k := range m.Count {
		if err := next(k); err != nil {
			return err
		}
	}
	return segtable.WriteFile(filepath.Join(out, t.File), readers[0].Measures(), segtable.Options{}, func(w *segtable.Writer) error {
		for i, item := range m.Items {
			k := i % m.Count
			for heads[k] != nil && heads[k].Layer == item {
				if err := w.Write(*heads[k]); err != nil {
					return err
				}
				if err := next(k); err != nil {
					return err
				}
			}
		}
		for k, h := range heads {
			if h != nil {
				return fmt.Errorf("shard: shard %d's %s has a row for %q out of its items' order", k, t.File, h.Layer)
			}
		}
		return nil
	})
}
