package analysis

import (
	gocontext "context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/run"
	"github.com/fracdyn/fracdyn/internal/testutil"
)

// quickOptions analyse data-free at r = 8 with no surrogate γ: seconds.
func quickOptions() Options {
	o := testOptions()
	o.DataFree, o.Backend, o.Scales, o.Gammas = true, nil, []int{8}, []float64{1}
	return o
}

// dirBytes returns every file under root by its relative path.
func dirBytes(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(root, path)
		out[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// noTemporaries fails on a .analysis-tmp-* directory left in the run.
func noTemporaries(t *testing.T, dir string) {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, tmpPrefix+"*"))
	if len(m) > 0 {
		t.Errorf("temporary directories left: %v", m)
	}
}

// sameDir fails unless root holds exactly the files of want, byte for byte.
func sameDir(t *testing.T, what, root string, want map[string]string) {
	t.Helper()
	got := dirBytes(t, root)
	if len(got) != len(want) {
		t.Errorf("%s: %d files, want the previous %d", what, len(got), len(want))
	}
	for p, b := range want {
		if got[p] != b {
			t.Errorf("%s: %s changed", what, p)
		}
	}
}

// TestAnalyzeMissingSnapshot (issue 15, item 5): a run missing the
// snapshot of an epoch (here epoch 0, before the last one) used to be
// analysed without it in silence. It is an error wrapping ErrMissing that
// names the epoch, writes nothing, and with AllowMissing a note names the
// skipped epoch.
func TestAnalyzeMissingSnapshot(t *testing.T) {
	dir := testutil.CopyRun(t, testRun(t))
	os.RemoveAll(filepath.Join(dir, Dir)) // other tests analyse the shared run
	if err := os.Remove(filepath.Join(dir, run.SnapshotsDir, "epoch-000.npz")); err != nil {
		t.Fatal(err)
	}
	_, err := Analyze(gocontext.Background(), dir, quickOptions())
	if !errors.Is(err, ErrMissing) || !strings.Contains(err.Error(), "epoch 0") {
		t.Fatalf("err %v, want ErrMissing naming epoch 0", err)
	}
	if _, err := os.Stat(filepath.Join(dir, Dir)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a failed analysis created %s (%v)", Dir, err)
	}
	noTemporaries(t, dir)
	opts := quickOptions()
	opts.AllowMissing = true
	rep, err := Analyze(gocontext.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(rep.Notes, "\n"), "skipped epoch 0: snapshots/epoch-000.npz is missing") {
		t.Errorf("notes %q do not name the skipped epoch", rep.Notes)
	}
	files := dirBytes(t, filepath.Join(dir, Dir))
	if _, ok := files[filepath.Join(SegmentsDir, "epoch-001.parquet")]; !ok {
		t.Errorf("no segments of epoch 1: %v", files)
	}
	if _, ok := files[filepath.Join(SegmentsDir, "epoch-000.parquet")]; ok {
		t.Errorf("segments of the missing epoch 0")
	}
}

// TestAnalyzeFailureKeepsPrevious (issue 15, item 5): a failed analysis
// used to overwrite layers.csv and surrogate.json with partial results and
// leave the old files of later epochs beside them. A corrupt later
// snapshot, a failing extra stage and a cancellation must each leave the
// previous analysis byte for byte, with no temporary directory; a
// successful analysis of fewer epochs replaces it whole.
func TestAnalyzeFailureKeepsPrevious(t *testing.T) {
	dir := testutil.CopyRun(t, testRun(t))
	if _, err := Analyze(gocontext.Background(), dir, quickOptions()); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, Dir)
	before := dirBytes(t, out)
	if _, ok := before[filepath.Join(SegmentsDir, "epoch-001.parquet")]; !ok || before[SurrogateFile] == "" {
		t.Fatalf("first analysis wrote %d files, without epoch 1 or %s", len(before), SurrogateFile)
	}

	stageErr := errors.New("injected stage failure")
	opts := quickOptions()
	opts.Extra = []Stage{func(ctx gocontext.Context, r *run.Run, outDir string) error {
		if err := os.WriteFile(filepath.Join(outDir, "attractors.csv"), []byte("partial"), 0o644); err != nil {
			return err
		}
		return stageErr
	}}
	if _, err := Analyze(gocontext.Background(), dir, opts); !errors.Is(err, stageErr) {
		t.Fatalf("failing stage: err %v", err)
	}
	sameDir(t, "after a failing stage", out, before)
	noTemporaries(t, dir)

	ctx, cancel := gocontext.WithCancel(gocontext.Background())
	cancel()
	if _, err := Analyze(ctx, dir, quickOptions()); !errors.Is(err, gocontext.Canceled) {
		t.Fatalf("cancelled: err %v", err)
	}
	sameDir(t, "after a cancellation", out, before)
	noTemporaries(t, dir)

	snap := filepath.Join(dir, run.SnapshotsDir, "epoch-001.npz")
	good, err := os.ReadFile(snap)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(snap, good[:len(good)/3], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Analyze(gocontext.Background(), dir, quickOptions()); err == nil || !strings.Contains(err.Error(), "epoch-001") {
		t.Fatalf("corrupt epoch-1 snapshot: err %v, want one naming it", err)
	}
	sameDir(t, "after a corrupt later snapshot", out, before)
	noTemporaries(t, dir)
	if err := os.WriteFile(snap, good, 0o644); err != nil {
		t.Fatal(err)
	}

	opts = quickOptions()
	opts.Epochs = []int{1}
	if _, err := Analyze(gocontext.Background(), dir, opts); err != nil {
		t.Fatal(err)
	}
	after := dirBytes(t, out)
	if _, ok := after[filepath.Join(SegmentsDir, "epoch-000.parquet")]; ok {
		t.Errorf("epoch 0's segments of the previous analysis left beside an analysis of epoch 1")
	}
	noTemporaries(t, dir)
}
