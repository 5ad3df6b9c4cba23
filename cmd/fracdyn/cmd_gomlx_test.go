package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/modelfile"
	"github.com/fracdyn/fracdyn/fracdyn/segtable"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

// gomlxCkpt is modelfile's GoMLX checkpoint fixture, written by GoMLX alone
// (fracdyn/modelfile/testdata/gomlxckpt): a channels-last CNN with batch and
// layer normalisation, checkpoints after steps 1 and 3.
const gomlxCkpt = "../../fracdyn/modelfile/testdata/gomlx"

// copyDir copies the files of src into a new temporary directory.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func TestInspectGoMLXCheckpoint(t *testing.T) {
	m, err := modelfile.Open(gomlxCkpt)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var b bytes.Buffer
	if err := writeInspect(&b, m); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"(gomlx, checkpoint checkpoint-n0000001-20261203-232738-step-00000003): 47 tensors",
		"hwio    GoMLX convolution: shape read as channels-last [kh,kw,in,out]: a 3×3 window first",
		"io      GoMLX layers.Dense [in,out]",
		"optimizer state, not a weight",
		"4 tensors eligible for segmentation; 5642 weight parameters",
		"/conv_1  conv   /conv_1/conv/weights  hwio       [16,8,3,3]       /conv_0",
		"/fc_0    dense  /fc_0/dense/weights   io         [16,256]         /conv_1",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect output lacks %q:\n%s", want, out)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "/conv_1/conv/weights ") {
			if f := strings.Fields(line); f[1] != "[3,3,8,16]" || f[3] != "conv" || f[4]+f[5]+f[6] != "128×(3×3)" || f[8] != "hwio" {
				t.Errorf("conv_1 row %q: want stored [3,3,8,16] hwio, 128 kernels of 3×3", line)
			}
		}
	}
}

// TestAnalyzeModelGoMLX: analyze-model reads the checkpoint's convolutions
// as out·in kernels of kh×kw, and -checkpoint picks the earlier one.
func TestAnalyzeModelGoMLX(t *testing.T) {
	for _, c := range []struct{ which, step string }{{"", "3"}, {"1", "1"}} {
		dir := filepath.Join(t.TempDir(), "out")
		var stderr bytes.Buffer
		args := []string{"analyze-model", "-out", dir, "-r", "2,4"}
		if c.which != "" {
			args = append(args, "-checkpoint", c.which)
		}
		if code := Main(append(args, gomlxCkpt), &stderr); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
		details, err := os.ReadFile(filepath.Join(dir, "details.csv"))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(details)), "\n")
		want := []string{
			"/conv_0/conv/weights,conv,3x3x1x8,3,3,8,",
			"/conv_1/conv/weights,conv,3x3x8x16,3,3,128,",
			"/fc_0/dense/weights,dense,256x16,16,256,1,",
			"/fc_1/dense/weights,dense,16x10,10,16,1,",
		}
		if len(lines) != 1+len(want) {
			t.Fatalf("details.csv:\n%s", details)
		}
		for i, w := range want {
			if !strings.HasPrefix(lines[1+i], w) {
				t.Errorf("checkpoint %q: details row %d = %q, want prefix %q", c.which, i, lines[1+i], w)
			}
		}
		_, segs, err := segtable.ReadFile(filepath.Join(dir, "segments.parquet"))
		if err != nil {
			t.Fatal(err)
		}
		// The kernel graph over the derived layers, a chain.
		graph, err := os.ReadFile(filepath.Join(dir, "graph.csv"))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []string{"\n/conv_0,/conv_1,2,2,32,512,2048,", "\n/conv_1,/fc_0,2,8,512,64,16384,", "\n/fc_0,/fc_1,8,5,64,8,320,"} {
			if !strings.Contains(string(graph), w) {
				t.Errorf("graph.csv lacks %q:\n%s", w, graph)
			}
		}
		// Per kernel 3×3 at r=2: 4 segments; conv_0 8 kernels, conv_1 128.
		n := 0
		for _, row := range segs {
			if row.Layer == "/conv_1/conv/weights" && row.R == 2 {
				n++
			}
		}
		if n != 128*4 {
			t.Errorf("conv_1 has %d segments at r=2, want 128 kernels × 4", n)
		}
	}
}

// TestGoMLXBadInputCLI: bad checkpoints exit 1 with an error naming the
// file or variable, and write nothing.
func TestGoMLXBadInputCLI(t *testing.T) {
	truncated := copyDir(t, gomlxCkpt)
	bins, _ := filepath.Glob(filepath.Join(truncated, "*step-00000003.bin"))
	if err := os.Truncate(bins[0], 1000); err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, "checkpoint-n0000000-20250101-000000-step-00000001.bin"), []byte("x"), 0o644)
	for _, c := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"truncated", []string{truncated}, 1, []string{filepath.Base(bins[0]), "truncated"}},
		{"no checkpoint", []string{empty}, 1, []string{"without a checkpoint", "has no .json"}},
		{"no such step", []string{"-checkpoint", "7", gomlxCkpt}, 1, []string{"no GoMLX checkpoint of step 7"}},
		{"bad layout flag", []string{"-layout", "x=diagonal", gomlxCkpt}, 2, []string{"-layout", "diagonal"}},
		{"checkpoint of a safetensors", []string{"-checkpoint", "3", "../../fracdyn/modelfile/testdata/torch.safetensors"}, 1, []string{"not a GoMLX checkpoint directory"}},
	} {
		for _, cmd := range []string{"inspect", "analyze-model", "compare", "export"} {
			out := filepath.Join(t.TempDir(), "out")
			var stderr bytes.Buffer
			args := []string{cmd}
			switch cmd {
			case "analyze-model", "compare":
				args = append(args, "-out", out)
			}
			args = append(args, c.args...)
			if cmd == "export" {
				args = append(args, out+".safetensors")
			}
			code, want := c.code, c.want
			if c.name == "checkpoint of a safetensors" {
				switch cmd {
				case "export":
					code, want = 2, []string{"-checkpoint is for GoMLX checkpoints"}
				case "compare":
					code, want = 2, []string{"none of the models is a GoMLX checkpoint directory"}
				}
			}
			if got := Main(args, &stderr); got != code {
				t.Errorf("%s %s: exit %d, want %d (%s)", c.name, cmd, got, code, stderr.String())
			}
			for _, w := range want {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("%s %s: stderr %q lacks %q", c.name, cmd, stderr.String(), w)
				}
			}
			for _, p := range []string{out, out + ".safetensors"} {
				if _, err := os.Stat(p); err == nil {
					t.Errorf("%s %s: %s written", c.name, cmd, p)
				}
			}
		}
	}
}

func TestExportGoMLX(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	st := filepath.Join(dir, "m.safetensors")
	if code := Main([]string{"export", "-checkpoint", "1", gomlxCkpt, st}, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	m, err := modelfile.Open(st)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if len(m.Tensors) != 15 || !strings.HasSuffix(m.Metadata["checkpoint"], "-step-00000001") || m.Metadata["source"] != "gomlx" {
		t.Errorf("exported %d tensors, metadata %v", len(m.Tensors), m.Metadata)
	}
	if ti, ok := m.Info("conv_1.conv.weights"); !ok || ti.Kind != weights.Conv || fmtShape(ti.Shape) != "[16,8,3,3]" {
		t.Errorf("conv_1.conv.weights: %+v", ti)
	}
	onnx := filepath.Join(dir, "m.onnx")
	if code := Main([]string{"export", gomlxCkpt, onnx}, &stderr); code != 2 || !strings.Contains(stderr.String(), "export to .safetensors or .npz") {
		t.Errorf("ONNX export of a GoMLX checkpoint: exit %d, %s", code, stderr.String())
	}
	if _, err := os.Stat(onnx); err == nil {
		t.Error("m.onnx written")
	}
}

func fmtShape(s []int) string { return shapeString(s) }

// TestCompareGoMLXEpochs: compare -epochs takes every checkpoint of a GoMLX
// checkpoint directory.
func TestCompareGoMLXEpochs(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	if code := Main([]string{"compare", "-out", dir, "-epochs", gomlxCkpt}, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	b, err := os.ReadFile(filepath.Join(dir, "compare.csv"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, w := range []string{"gomlx@checkpoint-n0000000-20261203-232738-step-00000001,/fc_0/dense/weights,dense",
		"gomlx@checkpoint-n0000001-20261203-232738-step-00000003,/conv_1/conv/weights,conv"} {
		if !strings.Contains(s, w) {
			t.Errorf("compare.csv lacks %q:\n%s", w, s)
		}
	}
}
