package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/arrayio"
)

// TestBoundaryCommand runs a tiny grid with two zoom levels and checks the
// files and the JSON.
func TestBoundaryCommand(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	boundaryOut = &stdout
	defer func() { boundaryOut = os.Stdout }()
	code := Main([]string{"boundary", "--out", dir, "--resolution", "12", "--steps", "20",
		"--window", "1.5,3.5,1.5,3", "--zoom", "2", "--json"}, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var rep boundaryJSON
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("JSON: %v\n%s", err, stdout.String())
	}
	if rep.Resolution != 12 || rep.Steps != 20 || rep.DataPoints != 272 || rep.NetworkSteps != len(rep.Levels)*12*12*20 {
		t.Errorf("report settings: %+v", rep)
	}
	if len(rep.Levels) == 0 || rep.Levels[0].Window != [4]float64{1.5, 3.5, 1.5, 3} {
		t.Fatalf("levels: %+v", rep.Levels)
	}
	for _, f := range []string{"scores-0.npy", "mask-0.npy", "boundary-0.png", "mask-0.png", "boxcount.png", "boundary.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	a, err := arrayio.ReadNPY(filepath.Join(dir, "scores-0.npy"))
	if err != nil || len(a.Shape) != 2 || a.Shape[0] != 12 || a.Shape[1] != 12 {
		t.Fatalf("scores-0.npy: %v %v", a, err)
	}
	conv := 0
	for _, s := range a.Data.([]float64) {
		if s < 0 {
			conv++
		}
	}
	if conv != rep.Levels[0].Converged {
		t.Errorf("scores-0.npy has %d negative scores, JSON says %d converged", conv, rep.Levels[0].Converged)
	}
}

func TestBoundaryCommandBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"boundary"},
		{"boundary", "--out", t.TempDir(), "--nonlinearity", "sigmoid"},
		{"boundary", "--out", t.TempDir(), "--window", "1,0,0,1"},
		{"boundary", "--out", t.TempDir(), "--resolution", "1"},
		{"boundary", "--out", t.TempDir(), "--minibatch", "1000"},
		{"boundary", "--out", t.TempDir(), "--zoom", "2", "--zoom-factor", "1"},
	} {
		var stderr bytes.Buffer
		if code := Main(args, &stderr); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, stderr.String())
		}
		if !strings.Contains(stderr.String(), "fracdyn boundary:") {
			t.Errorf("%v: message %q does not name the command", args, stderr.String())
		}
	}
}
