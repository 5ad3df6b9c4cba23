package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/modelio"
)

func TestInspectTorchFile(t *testing.T) {
	m, err := modelio.Open("../../fracdyn/modelio/testdata/torch.safetensors")
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
