package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runDataCmd(t *testing.T, args ...string) (code int, out, errOut string) {
	t.Helper()
	var o, e bytes.Buffer
	old := dataOut
	dataOut = &o
	defer func() { dataOut = old }()
	code = Main(append([]string{"data"}, args...), &e)
	return code, o.String(), e.String()
}

func TestDataCommand(t *testing.T) {
	t.Setenv("FRACDYN_DATA", "")
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	if code, _, e := runDataCmd(t, "--dataset", "cifar"); code != 2 || !strings.Contains(e, "unknown --dataset") {
		t.Errorf("bad dataset: code %d, %q", code, e)
	}
	empty := t.TempDir()
	code, out, e := runDataCmd(t, "--data", empty)
	if code != 1 || !strings.Contains(out, empty+" (--data): no dataset files") ||
		!strings.Contains(e, "t10k-images-idx3-ubyte.gz") || !strings.Contains(e, "https://") {
		t.Errorf("empty dir: code %d\n%s\n%s", code, out, e)
	}
	real := filepath.Join("..", "..", "..", "shared", "data", "mnist")
	if _, err := os.Stat(filepath.Join(real, "t10k-images-idx3-ubyte.gz")); err != nil {
		t.Skip("real MNIST test files not found")
	}
	code, out, e = runDataCmd(t, "--data", real, "--verify")
	if code != 0 || !strings.Contains(out, "PARTIAL MNIST") || strings.Count(out, "ok: file SHA-256 = published .gz SHA-256") != 2 ||
		!strings.Contains(out, "train 8000 images, eval 2000 images") {
		t.Errorf("verify: code %d\n%s\n%s", code, out, e)
	}
}
