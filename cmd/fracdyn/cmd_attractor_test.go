package main

import (
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/arrayio"
	"github.com/fracdyn/fracdyn/fracdyn/attractor"
)

// captureStdout runs f with os.Stdout redirected and returns what it wrote.
func captureStdout(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = w
	done := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		done <- string(b)
	}()
	f()
	w.Close()
	os.Stdout = old
	return <-done
}

func TestAttractorCommandJSON(t *testing.T) {
	dir := t.TempDir()
	s := attractor.Logistic(4, 0.3, 3000, 100)
	path := filepath.Join(dir, "logistic.npy")
	if err := arrayio.WriteNPY(path, arrayio.FromFloat64(s.Data, len(s.Data))); err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	var code int
	out := captureStdout(t, func() { code = Main([]string{"attractor", path, "--json"}, &stderr) })
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var rep struct {
		File        string  `json:"file"`
		Class       string  `json:"class"`
		Lyapunov    float64 `json:"lyapunov"`
		LyapunovR2  float64 `json:"lyapunov_r2"`
		Correlation float64 `json:"correlation_dimension"`
		Embedding   struct {
			Lag, Dimension int
		} `json:"embedding"`
		Surrogate *struct {
			Method      string  `json:"method"`
			Count       int     `json:"surrogates"`
			Level       float64 `json:"level"`
			Beats       bool    `json:"beats"`
			Correlation struct {
				Observed   float64   `json:"observed"`
				Surrogates []float64 `json:"surrogates"`
				P          float64   `json:"p"`
			} `json:"correlation_dimension"`
		} `json:"surrogate_test"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if rep.Class != "chaotic" || math.Abs(rep.Lyapunov-math.Ln2) > 0.1 || rep.Embedding.Lag != 1 || rep.Embedding.Dimension != 1 || rep.File != path {
		t.Errorf("report %+v", rep)
	}
	// The chaotic class stands on its surrogate test: the logistic map's D2
	// (a parabola in two dimensions) is below all 19 IAAFT surrogates'.
	if st := rep.Surrogate; st == nil || st.Method != "iaaft" || st.Count != 19 || st.Level != 0.05 || !st.Beats ||
		len(st.Correlation.Surrogates) != 19 || st.Correlation.P != 0.05 {
		t.Errorf("surrogate test %+v", st)
	}
}

func TestAttractorCommandText(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sine.csv")
	var b strings.Builder
	for _, v := range attractor.Sine(2*math.Pi*8, 1200).Data {
		b.WriteString(strconv.FormatFloat(v, 'g', -1, 64) + "," + strconv.FormatFloat(2*v, 'g', -1, 64) + "\n")
	}
	os.WriteFile(path, []byte(b.String()), 0o644)
	var stderr strings.Builder
	var code int
	out := captureStdout(t, func() { code = Main([]string{"attractor", "--column", "1", path}, &stderr) })
	if code != 0 || !strings.Contains(out, "class:                 periodic") || !strings.Contains(out, "1200 steps × 1 columns") {
		t.Errorf("exit %d, output:\n%s%s", code, out, stderr.String())
	}
	for _, args := range [][]string{{"attractor"}, {"attractor", path, path}, {"attractor", "--dt", "0", path}} {
		stderr.Reset()
		if code := Main(args, &stderr); code != 2 {
			t.Errorf("%q: exit %d, want 2 (%s)", args, code, stderr.String())
		}
	}
	stderr.Reset()
	if code := Main([]string{"attractor", "--column", "5", path}, &stderr); code != 1 || !strings.Contains(stderr.String(), "2 columns") {
		t.Errorf("bad column: exit %d, %s", code, stderr.String())
	}
}
