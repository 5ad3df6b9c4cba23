package dynamics

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/run"
	"github.com/fracdyn/fracdyn/internal/testutil"
)

// TestTruncatedSegmentsIsAnError (issue 15, item 5): a truncated
// steps-segments.npy used to drop every segment trajectory silently. It
// must be an error wrapping ErrSegments that names the file; with
// AllowMissing the other trajectories are analysed and Warn names it. A
// run with neither file has no segments and no error.
func TestTruncatedSegmentsIsAnError(t *testing.T) {
	dir := testutil.CopyRun(t, trainedRun(t).Dir)
	path := filepath.Join(dir, run.SegmentsFile)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b[:len(b)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := run.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LoadTrajectories(r, 2); !errors.Is(err, ErrSegments) || !strings.Contains(err.Error(), run.SegmentsFile) {
		t.Fatalf("truncated %s: err %v, want ErrSegments naming the file", run.SegmentsFile, err)
	}
	if _, err := AnalyzeRun(context.Background(), r, TableOptions{Windows: -1}); !errors.Is(err, ErrSegments) {
		t.Fatalf("AnalyzeRun on a truncated %s: err %v, want ErrSegments", run.SegmentsFile, err)
	}
	var warned []string
	rows, err := AnalyzeRun(context.Background(), r, TableOptions{Windows: -1, AllowMissing: true, Warn: func(s string) { warned = append(warned, s) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(warned) != 1 || !strings.Contains(warned[0], run.SegmentsFile) {
		t.Errorf("warnings %q, want one naming %s", warned, run.SegmentsFile)
	}
	for _, row := range rows {
		if row.Kind == KindSegment {
			t.Errorf("row %s from an unreadable file", row.Trajectory)
		}
	}
	if len(rows) != 5 { // loss, grad norm, 3 layer norms
		t.Errorf("%d rows, want 5", len(rows))
	}
	for _, f := range []string{run.SegmentsFile, run.SegmentsIndex} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	if tr, err := LoadTrajectories(r, 2); err != nil || len(tr.Series) != 5 {
		t.Errorf("run without tracked segments: err %v, want its 5 other series", err)
	}
}
