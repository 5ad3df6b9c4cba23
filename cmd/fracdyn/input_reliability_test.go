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
// whose surrogate.json is blocked by a directory (root ignores file modes,
// so a directory stands in for a read-only or full disk), fail with an
// error naming the path, and analyze leaves the tables it wrote readable.
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
	if err := os.MkdirAll(filepath.Join(dir, "analysis", "surrogate.json"), 0o755); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runCapture(t, "analyze", "--epochs", "0", "--r", "16", "--gamma", "1", "--gcn-epochs", "5",
		"--data-free", "--attractors=false", dir)
	if code != 1 || !strings.Contains(errOut, "surrogate.json") {
		t.Errorf("analyze into a blocked surrogate.json: exit %d, stderr %q", code, errOut)
	}
	os.Remove(filepath.Join(dir, "analysis", "surrogate.json"))
	checkNoPartialFiles(t, filepath.Join(dir, "analysis"))
}
