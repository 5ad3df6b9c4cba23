package diagnose_test

import (
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/analysis"
	"github.com/fracdyn/fracdyn/fracdyn/arrayio"
	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/fracdyn/fracdyn/fracdyn/diagnose"
	"github.com/fracdyn/fracdyn/fracdyn/fractal"
	"github.com/fracdyn/fracdyn/fracdyn/model"
	"github.com/fracdyn/fracdyn/fracdyn/modelfile"
	"github.com/fracdyn/fracdyn/fracdyn/segraph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/onnx-gomlx/onnx"
)

func TestActivationOutputsOfExport(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.onnx")
	if err := modelfile.ExportONNX(path, model.PooledCNN, diagnose.RandomWeights(model.PooledCNN, 1)); err != nil {
		t.Fatal(err)
	}
	om, err := onnx.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := diagnose.ActivationOutputs(om, []string{"conv1.weight", "conv2.weight", "fc1.weight", "fc2.weight", "conv1.bias"})
	want := map[string][]string{
		"conv1.weight": {"Conv", "Relu", "MaxPool"},
		"conv2.weight": {"Conv", "Relu", "MaxPool"},
		"fc1.weight":   {"Gemm", "Relu"},
		"fc2.weight":   {"Gemm", "Identity"}, // the logits
	}
	if len(got) != len(want) {
		t.Fatalf("outputs for %d weights, want %d (a bias is read by no weight op): %v", len(got), len(want), got)
	}
	for w, ops := range want {
		if !slices.Equal(got[w][1:], ops) {
			t.Errorf("%s: chain %v, want %v", w, got[w][1:], ops)
		}
	}
	if got["fc2.weight"][0] != "logits" {
		t.Errorf("fc2.weight: output %q, want %q", got["fc2.weight"][0], "logits")
	}
}

// The activation maps read from the exported ONNX graph under onnx-gomlx
// are fracdyn's own (analysis.Prober over model.Forward) on the same
// inputs, and the kernel graph's α built from them are those that
// segraph gives with the Prober's maps, as the run analysis computes them.
func TestONNXActivationsMatchProber(t *testing.T) {
	archs := []model.Arch{model.MLP, model.PaperCNN}
	if !testing.Short() {
		archs = append(archs, model.PooledCNN)
	}
	be := backend.MustNew()
	const n = 300 // two chunks for diagnose.ONNXActivations (256 + 44), one of 300 or 100s for the Prober
	images := tensors.MustCopyFlatData[float32](diagnose.TestImages(n))
	for _, arch := range archs {
		t.Run(string(arch), func(t *testing.T) {
			weights := diagnose.RandomWeights(arch, 2)
			path := filepath.Join(t.TempDir(), "m.onnx")
			if err := modelfile.ExportONNX(path, arch, weights); err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, l := range model.Layers(arch) {
				names = append(names, model.StateName(l, "weight"))
			}
			acts, err := diagnose.ONNXActivations(be, path, arrayio.FromFloat32(images, n, model.ImageSize, model.ImageSize), names)
			if err != nil {
				t.Fatal(err)
			}
			p, err := analysis.NewProber(be, arch, images)
			if err != nil {
				t.Fatal(err)
			}
			means, err := p.Means(weights)
			if err != nil {
				t.Fatal(err)
			}
			if len(acts) != len(means) {
				t.Fatalf("%d activation maps, want %d", len(acts), len(means))
			}
			byName := map[string][]float32{}
			for i, l := range model.Layers(arch) {
				a := acts[i]
				if a.Weight != names[i] || !slices.Equal(a.Shape, l.OutShape) {
					t.Fatalf("map %d: %s %v, want %s %v", i, a.Weight, a.Shape, names[i], l.OutShape)
				}
				for j, want := range means[i] {
					if d := math.Abs(float64(a.Mean[j] - want)); d > 1e-5*(1+math.Abs(float64(want))) {
						t.Fatalf("%s: A[%d] = %.7g from ONNX, %.7g from the Prober", l.Name, j, a.Mean[j], want)
					}
				}
				byName[a.Weight] = a.Mean
			}

			// α per segment: the kernel graph with the ONNX maps against
			// segraph with the Prober's maps, layer by layer as the run
			// analysis builds them, and against the data-free α.
			m, err := modelfile.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			var withA, dataFree []diagnose.NodeRow
			for _, c := range []struct {
				acts map[string][]float32
				rows *[]diagnose.NodeRow
			}{{byName, &withA}, {nil, &dataFree}} {
				_, err := diagnose.KernelGraph(m, diagnose.WithOutShapes(m.Layers, acts), diagnose.GraphOptions{R: 8, Activations: c.acts, Layer: fractal.LayerOptions{Workers: 1},
					Nodes: func(r diagnose.NodeRow) error { *c.rows = append(*c.rows, r); return nil }})
				if err != nil {
					t.Fatal(err)
				}
			}
			k, differ := 0, 0
			for i, l := range model.Layers(arch) {
				r := withA[k].R
				seg, err := fractal.LayerSegments(weights[names[i]], l.WeightShape, r, fractal.LayerOptions{Name: names[i], Workers: 1})
				if err != nil {
					t.Fatal(err)
				}
				g, err := segraph.Build([]segraph.Layer{{Info: l, Index: i, Weights: weights[names[i]], Segments: seg, Activation: means[i]}}, segraph.Options{})
				if err != nil {
					t.Fatal(err)
				}
				for s := range seg.Len() {
					got, want := withA[k+s], g.AlphaNorm[s]
					if got.Layer != l.Name || math.Abs(float64(got.AlphaNorm-want)) > 1e-4*(1+math.Abs(float64(want))) {
						t.Fatalf("%s segment %d: ‖α‖ %.7g (%s) from ONNX maps, %.7g from the Prober's", l.Name, s, got.AlphaNorm, got.Layer, want)
					}
					if math.Abs(float64(got.AlphaNorm-dataFree[k+s].AlphaNorm)) > 1e-6 {
						differ++
					}
				}
				k += seg.Len()
			}
			if k != len(withA) || len(withA) != len(dataFree) {
				t.Fatalf("%d nodes checked of %d (data-free graph %d)", k, len(withA), len(dataFree))
			}
			if differ < len(withA)/2 {
				t.Errorf("only %d of %d segments have an α with activations different from the data-free α", differ, len(withA))
			}
		})
	}
}
