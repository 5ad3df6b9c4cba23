// Package shard splits a command's work over N processes and merges what
// they write into exactly what one process writes.
//
// # Assignment
//
// A command lists its work items in a fixed order (analyze-model: the
// selected layers, then the kernel graph; sweep: the learning rates).
// Shard K of N (K counted from 0) does items i with i mod N = K. The
// index is 0-based because Kubernetes indexed Jobs count from 0
// ($JOB_COMPLETION_INDEX) and a Slurm array can (--array=0-N-1,
// $SLURM_ARRAY_TASK_ID). "--shard auto/N" reads K from
// $JOB_COMPLETION_INDEX or $SLURM_ARRAY_TASK_ID (less $SLURM_ARRAY_TASK_MIN,
// so --array=1-N works too); plain "--shard auto" also takes N from
// $SLURM_ARRAY_TASK_COUNT.
//
// # Output and merge
//
// Shard K of N writes into OUT/shards/K-of-N, the same files as one
// process but holding only its items, and a manifest (shard.json) naming
// the items, the tables and the whole files each item owns. Merge reads
// the N manifests under OUT/shards and writes into OUT each table with
// the rows of every item in item order, taken from the shard that owns
// it (CSV tables and segtable Parquet tables, keyed by a column), and moves
// each whole file or directory from its owner. TestShardMerge (cmd/fracdyn)
// checks the merged files are byte for byte those of one process.
package shard

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/fracdyn/fracdyn/internal/fsutil"
)

// Spec is shard Index of Count (0 ≤ Index < Count). The zero Spec means
// no sharding: one process does every item.
type Spec struct{ Index, Count int }

// Parse reads "K/N" (0-based K), "auto/N" or "auto" (see the package doc),
// or "" (no sharding); getenv looks the variables up (os.Getenv).
func Parse(s string, getenv func(string) string) (Spec, error) {
	if s == "" {
		return Spec{}, nil
	}
	k, n, ok := strings.Cut(s, "/")
	if k == "auto" {
		if !ok {
			n = getenv("SLURM_ARRAY_TASK_COUNT")
			if n == "" {
				return Spec{}, fmt.Errorf(`--shard auto: $SLURM_ARRAY_TASK_COUNT is not set; give the count as "auto/N"`)
			}
		}
		var err error
		if k, err = autoIndex(getenv); err != nil {
			return Spec{}, err
		}
	} else if !ok {
		return Spec{}, fmt.Errorf("--shard %q: want K/N (K from 0 to N-1), auto/N or auto", s)
	}
	ki, err1 := strconv.Atoi(k)
	ni, err2 := strconv.Atoi(n)
	if err1 != nil || err2 != nil || ni < 1 || ki < 0 || ki >= ni {
		return Spec{}, fmt.Errorf("--shard %q: want K/N with 0 ≤ K < N (K=%q, N=%q)", s, k, n)
	}
	return Spec{Index: ki, Count: ni}, nil
}

// autoIndex returns the shard index from the scheduler's variables.
func autoIndex(getenv func(string) string) (string, error) {
	if v := getenv("JOB_COMPLETION_INDEX"); v != "" {
		return v, nil
	}
	if v := getenv("SLURM_ARRAY_TASK_ID"); v != "" {
		id, err := strconv.Atoi(v)
		if err != nil {
			return "", fmt.Errorf("--shard auto: $SLURM_ARRAY_TASK_ID=%q is not a number", v)
		}
		lo, _ := strconv.Atoi(getenv("SLURM_ARRAY_TASK_MIN"))
		return strconv.Itoa(id - lo), nil
	}
	return "", fmt.Errorf("--shard auto: neither $JOB_COMPLETION_INDEX (Kubernetes) nor $SLURM_ARRAY_TASK_ID (Slurm) is set")
}

// Active reports whether s splits the work.
func (s Spec) Active() bool { return s.Count > 0 }

// Owns reports whether item i is this shard's: i mod Count = Index (every
// item without sharding).
func (s Spec) Owns(i int) bool { return !s.Active() || i%s.Count == s.Index }

// String is "K/N".
func (s Spec) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Dir is the directory shard s writes under out: out/shards/K-of-N.
func (s Spec) Dir(out string) string {
	return filepath.Join(out, "shards", fmt.Sprintf("%d-of-%d", s.Index, s.Count))
}

// ManifestFile is the manifest's name in a shard's directory.
const ManifestFile = "shard.json"

// Table is a file of rows, each naming its item in column Key.
type Table struct {
	File string `json:"file"`
	Key  string `json:"key"`
}

// Manifest describes one shard's output.
type Manifest struct {
	Command string   `json:"command"`
	Index   int      `json:"index"`
	Count   int      `json:"count"`
	Items   []string `json:"items"`
	// Tables are merged row by row; Files (name → item) are moved whole
	// from the item's owner, when it wrote them. A shard may list only its
	// own files: the merge takes the union of the shards' Files.
	Tables []Table           `json:"tables"`
	Files  map[string]string `json:"files,omitempty"`
}

// WriteManifest writes m into dir atomically.
func WriteManifest(dir string, m Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return fsutil.WriteFile(filepath.Join(dir, ManifestFile), append(b, '\n'))
}
