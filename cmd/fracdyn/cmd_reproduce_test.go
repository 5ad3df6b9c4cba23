package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mnistDir returns the real MNIST test files beside the repository (as in
// CI) or $FRACDYN_DATA, and skips the test when neither is there.
func mnistDir(t *testing.T) string {
	t.Helper()
	for _, d := range []string{os.Getenv("FRACDYN_DATA"), filepath.Join("..", "..", "..", "shared", "data", "mnist")} {
		if d == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(d, "t10k-images-idx3-ubyte.gz")); err == nil {
			return d
		}
	}
	t.Skip("no MNIST files: set FRACDYN_DATA")
	return ""
}

// TestReproduceSmall runs train, analyze and figures on a one-epoch paper
// CNN of four steps and checks that every figure and the manifest exist.
func TestReproduceSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	data := mnistDir(t)
	out := t.TempDir()
	args := []string{"reproduce", "--data", data, "--out", out, "--run", filepath.Join(out, "run"), "--arch", "cnn", "--r", "2",
		"--set", "epochs=1;epoch_images=256;eval_images=200;probe_size=16;track_sample=16"}
	var code int
	log := captureStderr(t, func() { code = Main(args, os.Stderr) })
	if code != 0 {
		t.Fatalf("reproduce: exit %d\n%s", code, log)
	}
	for _, want := range []string{"backend: ", "== 1/3 train", "== 2/3 analyze", "== 3/3 figures", "partial dataset"} {
		if !strings.Contains(log, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	raw, err := os.ReadFile(filepath.Join(out, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	if m.Arch != "cnn" || !m.Partial || m.Epoch != 1 || m.Config.Epochs != 1 {
		t.Errorf("manifest: arch %q partial %v fig2 epoch %d epochs %d; want cnn, true, 1, 1",
			m.Arch, m.Partial, m.Epoch, m.Config.Epochs)
	}
	for _, name := range []string{"fig1-segments", "fig2-features-conv1", "fig2-features-conv2", "fig2-kernels",
		"fig3-grad-loss", "fig3-loss-derivatives"} {
		for _, ext := range []string{".png", ".svg"} {
			info, err := os.Stat(filepath.Join(out, name+ext))
			if err != nil || info.Size() < 1000 {
				t.Errorf("figure %s%s missing or tiny: %v", name, ext, err)
			}
			found := false
			for _, f := range m.Figures {
				found = found || f == name+ext
			}
			if !found {
				t.Errorf("manifest does not list %s%s", name, ext)
			}
		}
	}
	for _, f := range []string{"surrogate.json", "layers.csv", "attractors.csv"} {
		if _, err := os.Stat(filepath.Join(out, "run", "analysis", f)); err != nil {
			t.Errorf("analysis output: %v", err)
		}
	}
}

func TestFiguresUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"figures"}, "want one run directory"},
		{[]string{"figures", "--format", "gif", "x"}, `"gif" is not png, svg or pdf`},
		{[]string{"reproduce", "--arch", "resnet"}, "--arch"},
		{[]string{"reproduce", "--preset", "huge"}, "huge"},
	} {
		var stderr bytes.Buffer
		if code := Main(c.args, &stderr); code != 2 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr.String(), c.want)
		}
	}
}

// captureStderr runs f with os.Stderr sent to a file and returns what f
// wrote there.
func captureStderr(t *testing.T, f func()) string {
	t.Helper()
	tmp, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = tmp
	defer func() { os.Stderr = saved }()
	f()
	tmp.Close()
	out, err := os.ReadFile(tmp.Name())
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
