package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/arrayio"
	"github.com/fracdyn/fracdyn/fracdyn/run"
	"github.com/fracdyn/fracdyn/internal/testutil"
)

// TestFDRejectsInf: an infinite weight is reported with its position, as a
// NaN is (TestFDCommand).
func TestFDRejectsInf(t *testing.T) {
	w := make([]float64, 64)
	for i := range w {
		w[i] = float64(i % 7)
	}
	w[2*8+3] = math.Inf(1)
	p := filepath.Join(t.TempDir(), "inf.npy")
	if err := arrayio.WriteNPY(p, arrayio.FromFloat64(w, 8, 8)); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCapture(t, "fd", p)
	if code != 1 || !strings.Contains(errOut, "inf.npy") || !strings.Contains(errOut, "(2, 3)") {
		t.Errorf("fd of a matrix with +Inf at (2, 3): exit %d, stderr %q", code, errOut)
	}
}

// TestAnalyzeRejectsNaNSnapshot: a snapshot whose fc2 weights hold a NaN
// makes analyze fail with an error that names the layer and the NaN.
func TestAnalyzeRejectsNaNSnapshot(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	ref, _, _ := referenceRun(t)
	dir := testutil.CopyRun(t, ref)
	path := filepath.Join(dir, run.SnapshotsDir, "epoch-001.npz")
	names, arrays, err := arrayio.ReadNPZ(path)
	if err != nil {
		t.Fatal(err)
	}
	arrays["fc2.weight"].Data.([]float32)[5*256+7] = float32(math.NaN())
	if err := arrayio.WriteNPZ(path, names, arrays); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCapture(t, "analyze", "--epochs", "1", "--r", "16", "--data-free", "--attractors=false", dir)
	if code != 1 || !strings.Contains(errOut, "fc2") || !strings.Contains(errOut, "NaN") {
		t.Errorf("analyze of a NaN snapshot: exit %d, stderr %q; want 1 naming fc2 and the NaN", code, errOut)
	}
	t.Logf("%s", errOut)
}

// TestUnwritableOutputs: an --out below a regular file, and an analysis
// whose RUN/analysis is a regular file (root ignores file modes, so a file
// where the directory goes stands in for an unwritable output), fail with
// an error naming the path. analyze writes into a temporary directory that
// replaces RUN/analysis only when complete, so the file is left as it was
// and no temporary directory stays behind.
func TestUnwritableOutputs(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	data := mnistDir(t)
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, []byte("x"), 0o644)
	code, _, errOut := runCapture(t, killTrainArgs(data, filepath.Join(file, "run"))...)
	if code != 1 || !strings.Contains(errOut, file) || !strings.Contains(errOut, "not a directory") {
		t.Errorf("train --out below a file: exit %d, stderr %q", code, errOut)
	}

	ref, _, _ := referenceRun(t)
	dir := testutil.CopyRun(t, ref)
	os.RemoveAll(filepath.Join(dir, "analysis"))
	if err := os.WriteFile(filepath.Join(dir, "analysis"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runCapture(t, "analyze", "--epochs", "0", "--r", "16", "--gamma", "1", "--gcn-epochs", "5",
		"--data-free", "--attractors=false", dir)
	if code != 1 || !strings.Contains(errOut, filepath.Join(dir, "analysis")) || !strings.Contains(errOut, "not a directory") {
		t.Errorf("analyze into a blocked RUN/analysis: exit %d, stderr %q", code, errOut)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "analysis")); err != nil || string(b) != "x" {
		t.Errorf("the blocking file changed: %q, %v", b, err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".analysis-tmp-*")); len(m) > 0 {
		t.Errorf("temporary directories left: %v", m)
	}
}
