package notebook

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/run"
	"github.com/fracdyn/fracdyn/internal/testutil"
	"github.com/fracdyn/fracdyn/mnist"
)

func TestFromEnv(t *testing.T) {
	for _, k := range []string{"FRACDYN_PRESET", "FRACDYN_RUN", "FRACDYN_DATA", "GOMLX_BACKEND", "FRACDYN_DOWNLOAD", "FRACDYN_REPO"} {
		t.Setenv(k, "")
	}
	s := FromEnv()
	want := Settings{Preset: "quick", RunDir: "../runs/quick", BackendConfig: "go", Repo: "..",
		Figures: "../figures", QuickFigures: "../figures/quick"}
	if s != want {
		t.Errorf("defaults %+v\nwant     %+v", s, want)
	}
	t.Setenv("FRACDYN_PRESET", "paper")
	t.Setenv("FRACDYN_REPO", "/repo")
	t.Setenv("FRACDYN_DOWNLOAD", "1")
	s = FromEnv()
	if s.RunDir != "/repo/runs/paper" || s.Figures != "/repo/figures" || !s.Download {
		t.Errorf("from the environment: %+v", s)
	}
	t.Setenv("FRACDYN_RUN", "/elsewhere")
	if s := FromEnv(); s.RunDir != "/elsewhere" {
		t.Errorf("FRACDYN_RUN: run dir %q", s.RunDir)
	}
}

// TestRunReusesFinished: Settings.Run opens a finished run instead of
// training, and says so with the run's caption.
func TestRunReusesFinished(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a small run")
	}
	pixels, labels := testutil.BarImages(360)
	all := &mnist.Set{Images: pixels, Labels: labels, N: 360, Rows: 28, Cols: 28, Files: []string{"generated"}}
	idx := func(a, b int) []int {
		s := make([]int, b-a)
		for i := range s {
			s[i] = a + i
		}
		return s
	}
	data := &mnist.Data{Train: all.Subset(idx(0, 320)), Eval: all.Subset(idx(320, 360)), Dataset: "mnist", Dir: "generated"}
	p, err := run.NewContext("paper")
	if err != nil {
		t.Fatal(err)
	}
	if err := run.SetParams(p, "arch=mlp;epochs=1;batch_size=32;probe_size=32;track_sample=8"); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "run")
	if _, err := run.Train(context.Background(), run.Options{Out: dir, Params: p, Data: data}); err != nil {
		t.Fatal(err)
	}
	if _, ok := Finished(filepath.Dir(dir)); ok {
		t.Error("a directory without a run counts as finished")
	}
	buf := capture(t)
	r, err := Settings{Preset: "paper", RunDir: dir}.Run()
	if err != nil {
		t.Fatal(err)
	}
	want := "reusing the finished paper run " + dir + " (preset paper, 1 epochs)\n"
	if r.Dir != dir || buf.String() != want {
		t.Errorf("Run: dir %q, said %q, want %q", r.Dir, buf.String(), want)
	}
	t.Setenv("FRACDYN_REPO", filepath.Dir(dir))
	if got, want := Caption(r), "paper run run (preset paper, 1 epochs)"; got != want {
		t.Errorf("Caption inside the repository = %q, want %q", got, want)
	}
}

// TestRunBadSettings: a preset or a setting Run cannot use is an error
// naming it, before any data is read.
func TestRunBadSettings(t *testing.T) {
	for _, tc := range []struct {
		s    Settings
		want string
	}{
		{Settings{Preset: "nope", RunDir: t.TempDir()}, "nope"},
		{Settings{Preset: "quick", RunDir: t.TempDir(), Set: "no_such_param=1"}, "no_such_param"},
	} {
		_, err := tc.s.Run()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err %v, want one naming %q", tc.s, err, tc.want)
		}
	}
}
