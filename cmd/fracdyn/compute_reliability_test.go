package main

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fracdyn/fracdyn/fracdyn/arrayio"
)

// writeNoiseNPY writes a rows×cols float64 .npy of standard normals.
func writeNoiseNPY(t *testing.T, path string, rows, cols int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(15, 4))
	d := make([]float64, rows*cols)
	for i := range d {
		d[i] = rng.NormFloat64()
	}
	if err := arrayio.WriteNPY(path, arrayio.FromFloat64(d, rows, cols)); err != nil {
		t.Fatal(err)
	}
}

// TestAttractorSignals (issue 15, item 4) starts `fracdyn attractor` on a
// 1500×800 white-noise matrix, whose neighbour searches take minutes, and
// sends SIGINT or SIGTERM once the analysis has begun. The command must
// warn about the quadratic work first, naming the flags that limit it, and
// exit with 130 and "interrupted" before printing a result. It checks its
// context before each reference point, one search of 1500 points × at most
// 8000 coordinates (about 10 ms); the bound of a minute is thousands of
// those, far below the uninterrupted run (which on today's code ignored
// both signals).
func TestAttractorSignals(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 10 MB matrix and runs a child process")
	}
	path := filepath.Join(t.TempDir(), "wide.npy")
	writeNoiseNPY(t, path, 1500, 800)
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		c := startChild(t, []string{"warning:"}, "attractor", path)
		if !c.await("warning:") {
			t.Fatalf("%v: no warning before the work:\n%s", sig, c.log())
		}
		for _, flag := range []string{"--column", "--max-refs", "--max-dim", "pairs"} {
			if !strings.Contains(c.log(), flag) {
				t.Errorf("%v: the warning does not name %s:\n%s", sig, flag, c.log())
			}
		}
		time.Sleep(200 * time.Millisecond)
		sent := time.Now()
		c.cmd.Process.Signal(sig)
		exited := make(chan int, 1)
		go func() { exited <- c.wait() }()
		select {
		case code := <-exited:
			t.Logf("%v: exited %d %v after the signal", sig, code, time.Since(sent).Round(time.Millisecond))
			if code != 130 || !strings.Contains(c.log(), "fracdyn attractor: interrupted") {
				t.Errorf("%v: exit %d, want 130 with \"interrupted\":\n%s", sig, code, c.log())
			}
		case <-time.After(time.Minute):
			c.cmd.Process.Kill()
			<-exited
			t.Fatalf("%v: still running a minute after the signal:\n%s", sig, c.log())
		}
	}
}

// TestFDDegenerateCLI (issue 15, item 7): `fracdyn fd` names degenerate
// inputs instead of printing a number outside the estimator's range: the
// 2×2 variogram is "undefined", a 1×500 row is refused as too small with
// the minimum, and an all-zero matrix is "constant" with no box counted.
func TestFDDegenerateCLI(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, rows, cols int, v []float64) string {
		p := filepath.Join(dir, name)
		if err := arrayio.WriteNPY(p, arrayio.FromFloat64(v, rows, cols)); err != nil {
			t.Fatal(err)
		}
		return p
	}
	m22 := write("m22.npy", 2, 2, []float64{0, 1, 1, 0.65})
	code, out, errOut := runCapture(t, "fd", "--method", "variogram", m22)
	if code != 0 || !strings.Contains(out, "dimension  undefined (undefined: the fit gives D = 4.41, outside [2, 3])") {
		t.Errorf("fd variogram 2×2: code %d\n%s%s", code, out, errOut)
	}
	row := make([]float64, 500)
	for i := range row {
		row[i] = float64(i % 7)
	}
	r500 := write("r500.npy", 1, 500, row)
	code, _, errOut = runCapture(t, "fd", "--method", "variogram", r500)
	if code != 1 || !strings.Contains(errOut, "1×500 matrix is too small for variogram (the shorter side must be at least 2)") {
		t.Errorf("fd variogram 1×500: code %d\n%s", code, errOut)
	}
	zero := write("zero.npy", 8, 8, make([]float64, 64))
	code, out, _ = runCapture(t, "fd", zero)
	if code != 0 || !strings.Contains(out, "(constant: every value is 0; no weight is on") {
		t.Errorf("fd bc all-zero: code %d\n%s", code, out)
	}
	code, out, _ = runCapture(t, "fd", "--json", zero)
	if code != 0 || !strings.Contains(out, `"degenerate": "constant"`) {
		t.Errorf("fd --json all-zero: code %d\n%s", code, out)
	}
}
