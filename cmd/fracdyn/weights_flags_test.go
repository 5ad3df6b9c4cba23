package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/arrayio"
	"github.com/fracdyn/fracdyn/fracdyn/modelfile"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

// An npz kernel [3,3,3,3] fits both [out,in,kh,kw] and [kh,kw,in,out]: every
// command refuses it with an error naming the tensor and -layout, until
// -layout says which.
func TestAmbiguousLayoutNeedsFlag(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "k.npz")
	w := make([]float32, 81)
	for i := range w {
		w[i] = float32(i%5) - 2
	}
	arrays := map[string]*arrayio.Array{"k": arrayio.FromFloat32(w, 3, 3, 3, 3), "d": arrayio.FromFloat32(w[:72], 8, 9)}
	if err := arrayio.WriteNPZ(path, []string{"d", "k"}, arrays); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"inspect", path},
		{"analyze-model", "-out", filepath.Join(dir, "a"), path},
		{"compare", "-out", filepath.Join(dir, "c"), path},
	} {
		var stderr bytes.Buffer
		code := Main(args, &stderr)
		if msg := stderr.String(); code != 1 || !strings.Contains(msg, `"k"`) || !strings.Contains(msg, "--layout") {
			t.Errorf("%v: exit %d, stderr %q; want 1 and an error naming \"k\" and --layout", args, code, msg)
		}
	}
	m, err := modelfile.OpenWith(path, modelfile.Options{Layout: weights.Overrides{{Glob: "k", Layout: "hwio"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var b bytes.Buffer
	if err := writeInspect(&b, m); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"k     [3,3,3,3]  float32  conv   9 × (3×3)  2         hwio    layout hwio set by --layout k=hwio",
		"d     [8,9]      float32  dense  8×9        2…4       oi      assumed PyTorch [out,in]: npz stores no layout",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("inspect with -layout k=hwio lacks %q:\n%s", want, b.String())
		}
	}
	var stderr bytes.Buffer
	if code := Main([]string{"inspect", "-layout", "k=hwio", path}, &stderr); code != 0 {
		t.Errorf("inspect -layout k=hwio: exit %d: %s", code, stderr.String())
	}
	if code := Main([]string{"analyze-model", "-no-segments", "-graph-r", "0", "-layout", "k=channels-last", "-out", filepath.Join(dir, "a"), path}, &stderr); code != 0 {
		t.Errorf("analyze-model -layout k=channels-last: exit %d: %s", code, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "a", "details.csv")); err != nil {
		t.Error(err)
	}
}

func TestLayoutAndConvViewUsage(t *testing.T) {
	for _, args := range [][]string{
		{"inspect", "-layout", "k", "x.npz"},
		{"inspect", "-layout", "k=nchw", "x.npz"},
		{"analyze-model", "-conv-view", "diagonal", "x.npz"},
		{"compare", "-conv-view", "diagonal", "x.npz"},
		{"analyze", "-conv-view", "diagonal", "run"},
		{"export", "-layout", "=oi", "run", "x.npz"},
	} {
		var stderr bytes.Buffer
		if code := Main(args, &stderr); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, stderr.String())
		}
	}
}
