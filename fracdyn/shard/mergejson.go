package shard

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/fracdyn/fracdyn/internal/fsutil"
)

// mergeJSON writes out/t.File from the shards' JSON objects of that name
// (fracdyn analyze's surrogate.json, keyed by "epoch"):
//
//   - an array of objects with the key field: for each item in order, the
//     elements of its owner's array whose key holds the item;
//   - the object "seconds" (wall times): summed name by name;
//   - another array that differs among shards (notes): the union, in
//     shard order, each element once;
//   - anything else: the value of the first shard that has the field.
//
// Numbers are kept as written (json.Number); the output's fields are in
// name order, indented by two spaces.
func mergeJSON(out string, t Table, m Manifest, shardDir func(int) string) error {
	docs := make([]map[string]any, m.Count)
	for k := range m.Count {
		b, err := os.ReadFile(filepath.Join(shardDir(k), t.File))
		if err != nil {
			return fmt.Errorf("shard: %w", err)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if err := dec.Decode(&docs[k]); err != nil {
			return fmt.Errorf("shard: %s: %w", filepath.Join(shardDir(k), t.File), err)
		}
	}
	merged := map[string]any{}
	first := map[string]any{} // each field's value in the first shard that has it
	for k := m.Count - 1; k >= 0; k-- {
		for name, v := range docs[k] {
			first[name] = v
		}
	}
	for name, v0 := range first {
		switch {
		case name == "seconds":
			sum := map[string]float64{}
			for k := range m.Count {
				secs, _ := docs[k][name].(map[string]any)
				for s, v := range secs {
					if n, ok := v.(json.Number); ok {
						f, _ := n.Float64()
						sum[s] += f
					}
				}
			}
			merged[name] = sum
		case keyedArray(docs, name, t.Key):
			var all []any
			for i, item := range m.Items {
				arr, _ := docs[i%m.Count][name].([]any)
				for _, e := range arr {
					if fmt.Sprint(e.(map[string]any)[t.Key]) == item {
						all = append(all, e)
					}
				}
			}
			merged[name] = all
		default:
			merged[name] = v0
			if _, ok := v0.([]any); !ok {
				continue
			}
			var union []any
			seen := map[string]bool{}
			for k := range m.Count {
				arr, _ := docs[k][name].([]any)
				for _, e := range arr {
					b, _ := json.Marshal(e)
					if !seen[string(b)] {
						seen[string(b)] = true
						union = append(union, e)
					}
				}
			}
			merged[name] = union
		}
	}
	return fsutil.WriteFileAtomic(filepath.Join(out, t.File), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(merged)
	})
}

// keyedArray reports whether field name is, in some shard, a non-empty
// array whose elements are objects with the key field.
func keyedArray(docs []map[string]any, name, key string) bool {
	for _, d := range docs {
		arr, ok := d[name].([]any)
		if !ok || len(arr) == 0 {
			continue
		}
		return !slices.ContainsFunc(arr, func(e any) bool {
			o, ok := e.(map[string]any)
			if !ok {
				return true
			}
			_, has := o[key]
			return !has
		})
	}
	return false
}
