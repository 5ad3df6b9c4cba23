package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/modelfile"
	"github.com/fracdyn/fracdyn/fracdyn/run"
	"github.com/fracdyn/fracdyn/internal/testutil"
)

// These tests cover the command-line defects of issue 15 (RELIABILITY.md,
// "Input and CLI defects found at the edges").

const torchST = "../../fracdyn/modelfile/testdata/torch.safetensors"

// TestFlagsAfterArguments: every command takes its flags after its
// positional arguments too. A flag placed last used to turn into extra
// arguments ("want one run directory, got 3 arguments", exit 2).
func TestFlagsAfterArguments(t *testing.T) {
	out := t.TempDir()
	for _, tc := range []struct {
		args []string
		code int
		want string // in stderr
	}{
		// Flags after the argument reach the command: exit 0 or its own error.
		{[]string{"analyze-model", torchST, "--layers", "conv*", "-r", "2", "--out", out, "--no-segments"}, 0, ""},
		{[]string{"inspect", torchST, "--epoch", "0"}, 0, ""},
		{[]string{"analyze", "/nonexistent-run", "--epochs", "5"}, 1, "/nonexistent-run"},
		{[]string{"export", "/nonexistent-run", out + "/w.npz", "--epoch", "1"}, 1, "/nonexistent-run"},
		{[]string{"scales", "10", "--json", "128"}, 0, ""}, // a bool flag takes no value
		// A stray argument is named.
		{[]string{"analyze", "/nonexistent-run", "stray", "--epochs", "5"}, 2, `unexpected argument "stray"`},
		{[]string{"inspect", torchST, "x", "y"}, 2, `unexpected arguments "x", "y"`},
		{[]string{"export", "/nonexistent-run"}, 2, "want RUN or CHECKPOINT and OUT, got 1 argument"},
		// "--" ends the flags: "--json" after it is an argument.
		{[]string{"scales", "10", "--", "--json"}, 2, `"--json" is not a positive integer`},
	} {
		code, _, errOut := runCapture(t, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("fracdyn %s: exit %d, stderr %q; want exit %d and %q", strings.Join(tc.args, " "), code, errOut, tc.code, tc.want)
		}
	}
}

// TestFlagSetSplit checks the interspersed parsing on its own: values of
// non-bool flags are taken from the next argument, "=" forms and bool
// flags take none, "-" is positional and "--" ends the flags.
func TestFlagSetSplit(t *testing.T) {
	fs := newFlagSet(&command{name: "t"})
	n := fs.Int("n", 0, "")
	b := fs.Bool("b", false, "")
	s := fs.String("s", "", "")
	if err := fs.Parse([]string{"a", "-n", "3", "b", "--b", "-", "--s=x", "--", "-n", "4"}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"a", "b", "-", "-n", "4"}; !slices.Equal(fs.Args(), want) || fs.NArg() != 5 || fs.Arg(3) != "-n" || fs.Arg(9) != "" {
		t.Errorf("positional %q, want %q", fs.Args(), want)
	}
	if *n != 3 || !*b || *s != "x" {
		t.Errorf("flags n=%d b=%v s=%q, want 3 true x", *n, *b, *s)
	}
}

// TestUnknownFlagIsUsageError: main.go documents exit status 2 for usage
// errors; an unknown flag used to exit 1.
func TestUnknownFlagIsUsageError(t *testing.T) {
	for _, cmd := range []string{"fd", "analyze", "train", "inspect", "export", "analyze-model", "attractor", "scales"} {
		code, _, errOut := runCapture(t, cmd, "--no-such-flag", "x")
		if code != 2 || !strings.Contains(errOut, "-no-such-flag") || !strings.Contains(errOut, "fracdyn "+cmd+" -h") {
			t.Errorf("fracdyn %s --no-such-flag: exit %d, stderr %q; want 2 naming the flag", cmd, code, errOut)
		}
	}
}

// TestHelpGoesToStdout: -h, --help and help print to standard output and
// exit 0 (they went to stderr).
func TestHelpGoesToStdout(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"help"}, "commands:"},
		{[]string{"--help"}, "commands:"},
		{[]string{"-h"}, "commands:"},
		{[]string{"help", "fd"}, "usage: fracdyn fd [flags] FILE"},
		{[]string{"fd", "-h"}, "-index-col"},
		{[]string{"analyze", "RUN", "--help"}, "usage: fracdyn analyze"},
		{[]string{"attractor", "-h"}, "fracdyn attractor lorenz.csv"}, // its extra help text
	} {
		code, out, errOut := runCapture(t, tc.args...)
		if code != 0 || !strings.Contains(out, tc.want) || errOut != "" {
			t.Errorf("fracdyn %s: exit %d, stdout %q, stderr %q; want 0 and %q on stdout only", strings.Join(tc.args, " "), code, out, errOut, tc.want)
		}
	}
	// No command at all is a usage error, on stderr.
	if code, out, errOut := runCapture(t); code != 2 || out != "" || !strings.Contains(errOut, "commands:") {
		t.Errorf("fracdyn: exit %d, stdout %q; want 2 with the usage on stderr", code, out)
	}
}

// TestVersion: --version and version print the module, Go and GoMLX
// versions (there was no way to ask).
func TestVersion(t *testing.T) {
	for _, arg := range []string{"--version", "version", "-version"} {
		code, out, _ := runCapture(t, arg)
		// The test binary's build information names the GoMLX module it links.
		if code != 0 || !strings.Contains(out, "fracdyn ") || !strings.Contains(out, "go go1.") || !strings.Contains(out, "gomlx v0.") {
			t.Errorf("fracdyn %s: exit %d, stdout %q", arg, code, out)
		}
	}
	bi := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: "github.com/fracdyn/fracdyn", Version: "v1.2.3"},
		Deps:     []*debug.Module{{Path: "github.com/gomlx/gomlx", Version: "v0.26.0"}},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.time", Value: "2026-01-02T03:04:05Z"}, {Key: "vcs.modified", Value: "true"}}}
	want := "fracdyn github.com/fracdyn/fracdyn v1.2.3\nrevision abc123 2026-01-02T03:04:05Z (modified)\ngo go1.26.0 "
	if got := versionText(bi); !strings.HasPrefix(got, want) || !strings.HasSuffix(got, "\ngomlx v0.26.0\n") {
		t.Errorf("versionText:\n%s\nwant prefix\n%s", got, want)
	}
	if got := versionText(nil); !strings.Contains(got, "fracdyn unknown") || !strings.Contains(got, "gomlx unknown") {
		t.Errorf("versionText(nil) = %q", got)
	}
}

const arrayTestdata = "../../fracdyn/arrayio/testdata/"

// TestNumpyLayoutsThroughCommands: np.save("w.npy", W.T) (Fortran order),
// big-endian and bool arrays and an npz with Keras-style "/" keys reach
// fd, attractor and analyze-model instead of being refused.
func TestNumpyLayoutsThroughCommands(t *testing.T) {
	code, out, errOut := runCapture(t, "fd", "--json", arrayTestdata+"wT.npy")
	if code != 0 || !strings.Contains(out, `"rows": 4`) || !strings.Contains(out, `"cols": 3`) {
		t.Errorf("fd wT.npy: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if code, _, errOut := runCapture(t, "fd", arrayTestdata+"f8_be.npy"); code != 0 {
		t.Errorf("fd f8_be.npy: exit %d, stderr %q", code, errOut)
	}
	// A 3-step series is too short, but it is read: the error is about length.
	if code, _, errOut := runCapture(t, "attractor", arrayTestdata+"u4_be.npy"); code != 1 || !strings.Contains(errOut, "too short") {
		t.Errorf("attractor u4_be.npy: exit %d, stderr %q; want the too-short error", code, errOut)
	}
	dir := t.TempDir()
	if code, _, errOut := runCapture(t, "analyze-model", "--out", dir, "-r", "2", arrayTestdata+"keras.npz"); code != 0 {
		t.Errorf("analyze-model keras.npz: exit %d, stderr %q", code, errOut)
	} else if b, err := os.ReadFile(filepath.Join(dir, "details.csv")); err != nil || !strings.Contains(string(b), "encoder/layer0/kernel,") {
		t.Errorf("details.csv of keras.npz: %v\n%s", err, b)
	}
}

// TestCSVThroughCommands: fd and attractor read CSV as numpy.savetxt and
// pandas write it; a pandas index column is kept with a warning naming the
// file and the flag that drops it, dropped with --index-col and kept
// quietly with --no-index-col.
func TestCSVThroughCommands(t *testing.T) {
	pandas := arrayTestdata + "pandas_index.csv"
	code, out, errOut := runCapture(t, "fd", "--json", pandas)
	if code != 0 || !strings.Contains(out, `"cols": 3`) || !strings.Contains(errOut, "note: "+pandas+": the first column counts the rows") ||
		!strings.Contains(errOut, "--index-col") || !strings.Contains(errOut, "line 1 read as a header") {
		t.Errorf("fd pandas_index.csv: exit %d, stdout %q, stderr %q; want 3 columns and the index warning", code, out, errOut)
	}
	code, out, errOut = runCapture(t, "fd", pandas, "--json", "--index-col")
	if code != 0 || !strings.Contains(out, `"cols": 2`) || strings.Contains(errOut, "counts the rows") || !strings.Contains(errOut, "first column dropped") {
		t.Errorf("fd --index-col: exit %d, stdout %q, stderr %q; want 2 columns", code, out, errOut)
	}
	code, out, errOut = runCapture(t, "fd", "--json", "--no-index-col", pandas)
	if code != 0 || !strings.Contains(out, `"cols": 3`) || strings.Contains(errOut, "counts the rows") {
		t.Errorf("fd --no-index-col: exit %d, stdout %q, stderr %q; want 3 columns, no warning", code, out, errOut)
	}
	if code, _, errOut := runCapture(t, "fd", "--index-col", "--no-index-col", pandas); code != 2 || !strings.Contains(errOut, "contradict") {
		t.Errorf("both index flags: exit %d, stderr %q", code, errOut)
	}
	for _, f := range []string{"savetxt_default.txt", "savetxt_tab.tsv", "savetxt_header.csv", "excel_bom.csv"} {
		if code, out, errOut := runCapture(t, "fd", "--json", arrayTestdata+f); code != 0 || !strings.Contains(out, `"rows": 3`) {
			t.Errorf("fd %s: exit %d, stdout %q, stderr %q", f, code, out, errOut)
		}
	}
	// A logistic-map series written by pandas: the index is a second column.
	var b strings.Builder
	b.WriteString(",x\n")
	x := 0.3
	for i := range 300 {
		fmt.Fprintf(&b, "%d,%v\n", i, x)
		x = 4 * x * (1 - x)
	}
	p := filepath.Join(t.TempDir(), "series.csv")
	os.WriteFile(p, []byte(b.String()), 0o644)
	if code, _, errOut := runCapture(t, "attractor", p); code != 0 || !strings.Contains(errOut, "counts the rows") {
		t.Errorf("attractor of a pandas series: exit %d, stderr %q; want the index warning", code, errOut)
	}
	if code, _, errOut := runCapture(t, "attractor", p, "--index-col"); code != 0 || strings.Contains(errOut, "counts the rows") {
		t.Errorf("attractor --index-col: exit %d, stderr %q", code, errOut)
	}
	// The error quotes the bad field, not the whole line.
	q := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(q, []byte("1 2 3\n4 "+strings.Repeat("y", 200)+" 6\n"), 0o644)
	if code, _, errOut := runCapture(t, "fd", q); code != 1 || !strings.Contains(errOut, q+": line 2, column 2") || strings.Contains(errOut, strings.Repeat("y", 33)) {
		t.Errorf("fd bad.csv: exit %d, stderr %q", code, errOut)
	}
}

// TestCLIDoesNotDamageRuns: two commands that used to damage a finished
// run now refuse, exit 1 and leave it as it was: "train --epochs 3" on a
// 10-epoch run (it rewrote config.json to 3 epochs, exit 0) and an export
// onto the run's own snapshot (it overwrote it).
func TestCLIDoesNotDamageRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	ref, _, _ := referenceRun(t)
	dir := testutil.CopyRun(t, ref)
	cfg, _ := os.ReadFile(filepath.Join(dir, run.ConfigFile))
	snap := filepath.Join(dir, run.SnapshotsDir, "epoch-000.npz")
	snapBytes, _ := os.ReadFile(snap)

	code, _, errOut := runCapture(t, append(killTrainArgs(mnistDir(t), dir), "--epochs", "3")...)
	if code != 1 || !strings.Contains(errOut, dir) || !strings.Contains(errOut, fmt.Sprintf("already has epochs = %d", killEpochs)) {
		t.Errorf("train --epochs 3 on a %d-epoch run: exit %d, stderr %q; want 1 naming the run and its epochs", killEpochs, code, errOut)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, run.ConfigFile)); string(b) != string(cfg) {
		t.Errorf("config.json changed:\n%s", b)
	}

	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ out, want string }{
		{snap, "the run's own file " + filepath.Join(run.SnapshotsDir, "epoch-000.npz")},
		{filepath.Join(link, run.SnapshotsDir, "epoch-000.npz"), "the run's own file"},
		{filepath.Join(dir, "weights.safetensors"), "inside the run directory"},
	} {
		code, _, errOut := runCapture(t, "export", dir, tc.out)
		if code != 1 || !strings.Contains(errOut, tc.want) {
			t.Errorf("export %s: exit %d, stderr %q; want 1 and %q", tc.out, code, errOut, tc.want)
		}
	}
	if b, _ := os.ReadFile(snap); string(b) != string(snapBytes) {
		t.Error("the snapshot changed")
	}
	if _, err := os.Stat(filepath.Join(dir, "weights.safetensors")); err == nil {
		t.Error("export wrote into the run directory")
	}
	// Outside the run, export still works.
	if code, _, errOut := runCapture(t, "export", dir, filepath.Join(t.TempDir(), "w.npz")); code != 0 {
		t.Errorf("export outside the run: exit %d, %s", code, errOut)
	}
}

// TestAnalyzeModelFailedLayersExitNonZero: a layer that cannot be analysed
// (a NaN weight) used to be printed as "error: …" with exit status 0. All
// layers are still reported; the command ends with a summary and exit 1.
func TestAnalyzeModelFailedLayersExitNonZero(t *testing.T) {
	dir := t.TempDir()
	good := make([]float32, 16*16)
	for i := range good {
		good[i] = float32((i*7)%13) - 6
	}
	bad := append([]float32(nil), good...)
	bad[17] = float32(math.NaN())
	p := filepath.Join(dir, "m.safetensors")
	if err := modelfile.WriteSafetensors(p, []modelfile.NamedTensor{
		{Name: "good.weight", Shape: []int{16, 16}, Data: good},
		{Name: "bad.weight", Shape: []int{16, 16}, Data: bad},
	}, nil); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	code, _, errOut := runCapture(t, "analyze-model", p, "--out", out, "-r", "2,4")
	if code != 1 || !strings.Contains(errOut, "1 of 2 layers could not be analysed (bad.weight)") {
		t.Errorf("analyze-model with a NaN layer: exit %d, stderr %q; want 1 and the summary", code, errOut)
	}
	details, err := os.ReadFile(filepath.Join(out, "details.csv"))
	if err != nil || !strings.Contains(string(details), "good.weight") || !strings.Contains(string(details), "bad.weight") {
		t.Errorf("details.csv should report both layers: %v\n%s", err, details)
	}
	// A directory named like a model file is named as such.
	d := filepath.Join(dir, "x.safetensors")
	os.Mkdir(d, 0o755)
	if code, _, errOut := runCapture(t, "inspect", d); code != 1 || !strings.Contains(errOut, d+" is a directory, not a safetensors file") {
		t.Errorf("inspect of a directory x.safetensors: exit %d, stderr %q", code, errOut)
	}
}
