package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/modelfile"
	"github.com/fracdyn/fracdyn/fracdyn/segtable"
)

func TestInspectTorchFile(t *testing.T) {
	m, err := modelfile.Open("../../fracdyn/modelfile/testdata/torch.safetensors")
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
		"(safetensors): 16 tensors",
		"conv.weight             [4,3,3,3]  float32   conv       12 × (3×3)",
		"conv1d.weight           [6,8,3]    float32   conv1d     6×24",
		"bn.num_batches_tracked  []         int64     skipped",
		"7 tensors eligible for segmentation",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect output lacks %q:\n%s", want, out)
		}
	}
}

func TestAnalyzeModelUsage(t *testing.T) {
	var stderr bytes.Buffer
	if code := Main([]string{"analyze-model", "-r", "x", "f.safetensors"}, &stderr); code != 2 {
		t.Errorf("bad -r: exit %d, want 2 (%s)", code, stderr.String())
	}
	if code := Main([]string{"analyze-model", "/nonexistent.safetensors"}, &stderr); code != 1 {
		t.Errorf("missing file: exit %d, want 1", code)
	}
}

func TestAnalyzeModelWritesTables(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	if code := Main([]string{"analyze-model", "-out", dir, "-r", "2,3", "-layers", "conv*",
		"../../fracdyn/modelfile/testdata/torch.safetensors"}, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	details, err := os.ReadFile(filepath.Join(dir, "details.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(details)), "\n")
	// conv.weight and conv1d.weight match the glob.
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "conv1d.weight,conv1d,6x8x3,6,24,1,") ||
		!strings.HasPrefix(lines[2], "conv.weight,conv,4x3x3x3,3,3,12,27,") {
		t.Errorf("details.csv:\n%s", details)
	}
	measures, segs, err := segtable.ReadFile(filepath.Join(dir, "segments.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	// conv1d 6×24 at r=2: 3·12 segments, at r=3: 2·8; conv 12 kernels 3×3
	// at r=2: 12·4 (r=3 is not valid for 3×3).
	if n := len(segs); n != 36+16+48 {
		t.Errorf("segments.parquet has %d rows, want %d", n, 36+16+48)
	}
	if strings.Join(measures, ",") != "fd,fd_r2,entropy" {
		t.Errorf("segments.parquet measures %v, want fd, fd_r2, entropy", measures)
	}
	// The first row: conv1d's first 2×2 segment of a file (epoch −1).
	if s := segs[0]; s.Epoch != -1 || s.Layer != "conv1d.weight" || s.R != 2 || s.Row != 0 || s.Col != 0 {
		t.Errorf("first segment %+v, want conv1d.weight r=2 at (0,0), epoch -1", s)
	}
}

func TestCompareWritesTableAndFigure(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	st, onnx := "../../fracdyn/modelfile/testdata/torch.safetensors", "../../fracdyn/modelfile/testdata/torch.onnx"
	if code := Main([]string{"compare", "-out", dir, "-fig", "c.svg", st, onnx}, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	table, err := os.ReadFile(filepath.Join(dir, "compare.csv"))
	if err != nil {
		t.Fatal(err)
	}
	// 7 eligible tensors in the safetensors file, 3 in the ONNX file.
	if n := strings.Count(string(table), "\n") - 1; n != 10 {
		t.Errorf("compare.csv has %d rows, want 10:\n%s", n, table)
	}
	if !strings.Contains(string(table), "torch.safetensors,conv.weight,conv,") {
		t.Errorf("compare.csv lacks the safetensors conv layer:\n%s", table)
	}
	if !strings.Contains(string(table), "bc_perm_null_mean,bc_perm_null_sd,bc_perm_z,bc_perm_p") ||
		!strings.Contains(string(table), "within nulls") && !strings.Contains(string(table), "beyond") {
		t.Errorf("compare.csv lacks the null columns and verdicts:\n%s", table)
	}
	if fig, err := os.ReadFile(filepath.Join(dir, "c.svg")); err != nil || !strings.Contains(string(fig), "<svg") {
		t.Errorf("figure: %v", err)
	}
}
