package main

import (
	"bytes"
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/arrayio"
)

// runCapture runs fracdyn with args and returns the exit code, the command's
// output and stderr.
func runCapture(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	oldS, oldF, oldO, oldN := scalesOut, fdOut, helpOut, noteOut
	scalesOut, fdOut, helpOut, noteOut = &stdout, &stdout, &stdout, &stderr
	defer func() { scalesOut, fdOut, helpOut, noteOut = oldS, oldF, oldO, oldN }()
	code := Main(args, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestScalesCommand(t *testing.T) {
	code, out, _ := runCapture(t, "scales", "10", "128")
	if code != 0 || !strings.Contains(out, "r = 2..5") || !strings.Contains(out, "320") {
		t.Errorf("scales 10 128: code %d\n%s", code, out)
	}
	code, out, _ = runCapture(t, "scales", "3", "3", "--json")
	var js struct {
		Scales []struct {
			R, Segments int
		} `json:"scales"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &js) != nil || len(js.Scales) != 1 || js.Scales[0].Segments != 4 {
		t.Errorf("scales 3 3 --json: code %d\n%s", code, out)
	}
	if code, _, errOut := runCapture(t, "scales", "2", "9"); code != 1 || !strings.Contains(errOut, "no valid scale") {
		t.Errorf("scales 2 9: code %d, %s", code, errOut)
	}
	if code, _, _ := runCapture(t, "scales", "x", "9"); code != 2 {
		t.Errorf("scales x 9: code %d, want 2", code)
	}
}

func TestFDCommand(t *testing.T) {
	dir := t.TempDir()
	const n = 64
	sq := make([]float32, n*n)
	for i := range sq {
		sq[i] = 1
	}
	line := make([]float64, n*n)
	for j := range n {
		line[9*n+j] = 1
	}
	nan := make([]float64, 12)
	nan[7] = math.NaN()
	files := map[string]*arrayio.Array{
		"sq.npy":   arrayio.FromFloat32(sq, n, n),
		"line.csv": arrayio.FromFloat64(line, n, n),
		"nan.npy":  arrayio.FromFloat64(nan, 3, 4),
		"cube.npy": arrayio.FromFloat64(make([]float64, 8), 2, 2, 2),
	}
	for name, a := range files {
		p := filepath.Join(dir, name)
		var err error
		if strings.HasSuffix(name, ".csv") {
			err = arrayio.WriteCSVMatrix(p, a)
		} else {
			err = arrayio.WriteNPY(p, a)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		args []string
		want float64
	}{
		{[]string{"fd", "--json", filepath.Join(dir, "sq.npy")}, 2},
		{[]string{"fd", filepath.Join(dir, "line.csv"), "--json"}, 1},
		{[]string{"fd", "--json", "--method", "paper", filepath.Join(dir, "sq.npy")}, 2},
		{[]string{"fd", "--json", "--method", "dbc", filepath.Join(dir, "sq.npy")}, 2},
	} {
		code, out, errOut := runCapture(t, tc.args...)
		var js map[string]any
		if code != 0 || json.Unmarshal([]byte(out), &js) != nil {
			t.Fatalf("%v: code %d\n%s%s", tc.args, code, out, errOut)
		}
		for _, k := range []string{"method", "dimension", "r2", "sizes", "counts"} {
			if _, ok := js[k]; !ok {
				t.Errorf("%v: JSON lacks %q", tc.args, k)
			}
		}
		if d, _ := js["dimension"].(float64); math.Abs(d-tc.want) > 1e-9 {
			t.Errorf("%v: dimension %v, want %v", tc.args, js["dimension"], tc.want)
		}
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"fd", filepath.Join(dir, "nan.npy")}, 1, "NaN at (1, 3)"},
		{[]string{"fd", filepath.Join(dir, "cube.npy")}, 1, "[2 2 2]"},
		{[]string{"fd", filepath.Join(dir, "missing.npy")}, 1, "missing.npy"},
		{[]string{"fd", "--method", "paper", "--r", "40", filepath.Join(dir, "sq.npy")}, 1, "valid r is 2..32"},
		{[]string{"fd", "--method", "nope", filepath.Join(dir, "sq.npy")}, 2, "nope"},
		{[]string{"fd", "--threshold", "1.5", filepath.Join(dir, "sq.npy")}, 2, "(0, 1]"},
		{[]string{"fd"}, 2, "FILE"},
	} {
		code, _, errOut := runCapture(t, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: code %d, stderr %q; want code %d and %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
}
