package analysis

import (
	"bytes"
	gocontext "context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/fracdyn/fracdyn/fracdyn/gcn"
	"github.com/fracdyn/fracdyn/internal/testutil"
)

// TestAnalyzeDeterministic analyses one run twice with the same options
// and seed: every table and edge list is the same byte for byte,
// and surrogate.json is the same once its wall-time fields ("seconds") are
// dropped.
func TestAnalyzeDeterministic(t *testing.T) {
	dir := testutil.CopyRun(t, testRun(t))
	var outs []string
	for i := range 2 {
		os.RemoveAll(filepath.Join(dir, Dir))
		opts := Options{Scales: []int{8, 16}, Epochs: []int{1}, Gammas: []float64{1}, Backend: backend.MustNew(),
			GCN: map[string]any{gcn.ParamEpochs: 10}, ClampGraphScales: true, WriteEdges: true}
		if _, err := Analyze(gocontext.Background(), dir, opts); err != nil {
			t.Fatal(err)
		}
		keep := filepath.Join(t.TempDir(), fmt.Sprint("analysis-", i))
		if err := os.Rename(filepath.Join(dir, Dir), keep); err != nil {
			t.Fatal(err)
		}
		outs = append(outs, keep)
	}
	files := listFiles(t, outs[0])
	if got := listFiles(t, outs[1]); !slices.Equal(files, got) {
		t.Fatalf("files differ: %q vs %q", files, got)
	}
	if !slices.Contains(files, SurrogateFile) || !slices.Contains(files, LayersFile) || len(files) < 5 {
		t.Fatalf("analysis wrote only %q", files)
	}
	for _, f := range files {
		a, _ := os.ReadFile(filepath.Join(outs[0], f))
		b, _ := os.ReadFile(filepath.Join(outs[1], f))
		if f == SurrogateFile {
			if x, y := withoutSeconds(t, a), withoutSeconds(t, b); !reflect.DeepEqual(x, y) {
				t.Errorf("%s differs beyond its timing fields", f)
			}
			continue
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two analyses of the same run", f)
		}
	}
}

func listFiles(t *testing.T, root string) []string {
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, path)
			out = append(out, rel)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// withoutSeconds decodes JSON and drops every key named "seconds".
func withoutSeconds(t *testing.T, b []byte) any {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	var strip func(any) any
	strip = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if strings.EqualFold(k, "seconds") {
					delete(x, k)
					continue
				}
				x[k] = strip(e)
			}
		case []any:
			for i := range x {
				x[i] = strip(x[i])
			}
		}
		return v
	}
	return strip(v)
}
