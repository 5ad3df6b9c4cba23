package main

import (
	"bytes"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/arrayio"
	"github.com/fracdyn/fracdyn/fracdyn/model"
	"github.com/fracdyn/fracdyn/fracdyn/modelfile"
	"github.com/fracdyn/fracdyn/internal/testutil"
)

func TestAnalyzeModelInputs(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(3, 3))
	weights := map[string][]float32{}
	for _, l := range model.Layers(model.MLP) {
		for _, p := range [][]int{l.WeightShape, l.BiasShape} {
			v := make([]float32, 1)
			for _, d := range p {
				v = make([]float32, len(v)*d)
			}
			for i := range v {
				v[i] = float32(rng.NormFloat64() * 0.05)
			}
			part := "weight"
			if len(p) == 1 {
				part = "bias"
			}
			weights[model.StateName(l, part)] = v
		}
	}
	onnxPath := filepath.Join(dir, "mlp.onnx")
	if err := modelfile.ExportONNX(onnxPath, model.MLP, weights); err != nil {
		t.Fatal(err)
	}
	images := make([]float32, 20*model.ImageSize*model.ImageSize)
	for i := range images {
		images[i] = float32(rng.NormFloat64())
	}
	inputs := filepath.Join(dir, "x.npy")
	if err := arrayio.WriteNPY(inputs, arrayio.FromFloat32(images, 20, model.ImageSize, model.ImageSize)); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	st := filepath.Join(dir, "mlp.safetensors")
	if err := modelfile.ExportSafetensors(st, model.MLP, weights, nil); err != nil {
		t.Fatal(err)
	}
	if code := Main([]string{"analyze-model", "-inputs", inputs, st}, &stderr); code != 2 {
		t.Errorf("-inputs on a safetensors file: exit %d, want 2 (%s)", code, stderr.String())
	}

	alpha := map[string][][]string{}
	for _, mode := range []string{"free", "inputs"} {
		out := filepath.Join(dir, mode)
		args := []string{"analyze-model", "-out", out, "-r", "8", "-no-segments", "-graph-r", "8"}
		if mode == "inputs" {
			args = append(args, "-inputs", inputs)
		}
		if code := Main(append(args, onnxPath), &stderr); code != 0 {
			t.Fatalf("%s: exit %d: %s", mode, code, stderr.String())
		}
		alpha[mode] = testutil.ReadCSV(t, filepath.Join(out, "alpha.csv"))
	}
	acts := testutil.ReadCSV(t, filepath.Join(dir, "inputs", "activations.csv"))
	if len(acts) != 4 || acts[1][0] != "fc1.weight" || acts[1][2] != "Gemm Relu" || acts[1][3] != "256" ||
		acts[3][0] != "fc3.weight" || acts[3][1] != "logits" {
		t.Errorf("activations.csv:\n%v", acts)
	}
	free, withA := alpha["free"], alpha["inputs"]
	// fc1 256×784 at r=8: 32·98 segments; fc2 128×256: 16·32; fc3 10×128
	// at its largest valid scale up to 8, r=5: 2·26.
	if want := 1 + 32*98 + 16*32 + 2*26; len(free) != want || len(withA) != want {
		t.Fatalf("alpha.csv rows: data-free %d, with inputs %d; want %d", len(free), len(withA), want)
	}
	differ := 0
	for i := 1; i < len(free); i++ {
		if a, _ := strconv.ParseFloat(free[i][8], 64); a != 1 {
			t.Fatalf("data-free row %d: a_norm %v, want 1", i, free[i][8])
		}
		if withA[i][9] != free[i][9] {
			differ++
		}
	}
	if differ < len(free)/2 {
		t.Errorf("only %d of %d segments have a different α with activations", differ, len(free)-1)
	}
}
