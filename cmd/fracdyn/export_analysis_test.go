package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/arrayio"
	"github.com/fracdyn/fracdyn/fracdyn/diagnose"
	"github.com/fracdyn/fracdyn/fracdyn/model"
	"github.com/fracdyn/fracdyn/fracdyn/modelfile"
	"github.com/fracdyn/fracdyn/fracdyn/run"
)

// writeTestRun writes a run directory holding one snapshot of weights at
// epoch 3 (gradients are zeros), as fracdyn train lays it out.
func writeTestRun(t *testing.T, arch model.Arch, weights map[string][]float32) string {
	t.Helper()
	dir := t.TempDir()
	cfg := run.Config{Format: run.FormatVersion, Arch: string(arch), BatchSize: 1}
	var names []string
	arrays := map[string]*arrayio.Array{}
	for _, l := range model.Layers(arch) {
		cfg.Layers = append(cfg.Layers, l)
		for _, p := range []struct {
			part  string
			shape []int
		}{{"weight", l.WeightShape}, {"bias", l.BiasShape}} {
			name := model.StateName(l, p.part)
			arrays[name] = arrayio.FromFloat32(weights[name], p.shape...)
			arrays[name+run.GradSuffix] = arrayio.FromFloat32(make([]float32, numel(p.shape)), p.shape...)
			names = append(names, name, name+run.GradSuffix)
		}
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, run.ConfigFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, run.SnapshotsDir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := arrayio.WriteNPZ(filepath.Join(dir, run.SnapshotsDir, "epoch-003.npz"), names, arrays); err != nil {
		t.Fatal(err)
	}
	return dir
}

// analysisText runs diagnose.Analyze on path and renders every table as text.
func analysisText(t *testing.T, path string, opts diagnose.AnalyzeOptions) string {
	t.Helper()
	m, err := modelfile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var segs bytes.Buffer
	reports, err := diagnose.Analyze(context.Background(), m, opts, func(s diagnose.SegmentRow) error {
		segs.WriteString(strings.Join(segmentRecord(s), ",") + "\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := writeDetails(&out, reports); err != nil {
		t.Fatal(err)
	}
	if err := writeScales(&out, reports); err != nil {
		t.Fatal(err)
	}
	return out.String() + segs.String()
}

// TestExportsAnalyseAsTheRun exports a run's snapshot to every format and
// checks that each re-imports to the same tensors and the same analysis
// tables, byte for byte, as the run directory itself.
func TestExportsAnalyseAsTheRun(t *testing.T) {
	for _, tc := range []struct {
		arch   model.Arch
		layers string
	}{{model.MLP, "fc[23].weight"}, {model.PaperCNN, "conv*"}} {
		t.Run(string(tc.arch), func(t *testing.T) {
			weights := randomWeights(tc.arch, 2)
			dir := writeTestRun(t, tc.arch, weights)
			arch, got, epoch, err := modelfile.RunWeights(dir, modelfile.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if arch != tc.arch || epoch != 3 {
				t.Fatalf("RunWeights: arch %s epoch %d, want %s 3", arch, epoch, tc.arch)
			}
			opts := diagnose.AnalyzeOptions{Layers: tc.layers, Scales: []int{2, 4}, Workers: 1, NullDraws: -1} // nulls: nulls_test.go
			want := analysisText(t, dir, opts)
			if !strings.Contains(want, "weight") {
				t.Fatalf("analysis of the run found no layer:\n%s", want)
			}
			for _, ext := range []string{".safetensors", ".onnx", ".npz"} {
				path := filepath.Join(t.TempDir(), "model"+ext)
				if err := modelfile.Export(path, arch, got, map[string]string{"run": dir}); err != nil {
					t.Fatal(err)
				}
				m, err := modelfile.Open(path)
				if err != nil {
					t.Fatal(err)
				}
				for name, w := range weights {
					v, err := m.ReadFloat32(name)
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(v, w) {
						t.Errorf("%s: %s differs after export", ext, name)
					}
				}
				m.Close()
				if a := analysisText(t, path, opts); a != want {
					t.Errorf("%s: analysis differs from the run's:\n%s\nwant:\n%s", ext, firstDiff(a, want), firstDiff(want, a))
				}
			}
		})
	}
}

// firstDiff returns the line of a where a and b first differ.
func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range la {
		if i >= len(lb) || la[i] != lb[i] {
			return la[i]
		}
	}
	return ""
}

// randomWeights returns PyTorch-initialised weights for arch from seed (as
// modelfile's tests do).
func randomWeights(arch model.Arch, seed uint64) map[string][]float32 {
	rng := rand.New(rand.NewPCG(seed, seed))
	w := map[string][]float32{}
	for _, l := range model.Layers(arch) {
		bound := 1 / math.Sqrt(float64(numel(l.WeightShape[1:])))
		for _, p := range []struct {
			part  string
			shape []int
		}{{"weight", l.WeightShape}, {"bias", l.BiasShape}} {
			v := make([]float32, numel(p.shape))
			for i := range v {
				v[i] = float32((2*rng.Float64() - 1) * bound)
			}
			w[model.StateName(l, p.part)] = v
		}
	}
	return w
}

func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// TestOpenWithZeroOptionsReadsTheLastEpoch: Open and OpenWith with zero
// Options read the same snapshot, the last; AtEpoch picks another.
func TestOpenWithZeroOptionsReadsTheLastEpoch(t *testing.T) {
	dir := writeTestRun(t, model.MLP, randomWeights(model.MLP, 3))
	b, err := os.ReadFile(filepath.Join(dir, run.SnapshotsDir, "epoch-003.npz"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, run.SnapshotsDir, "epoch-000.npz"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		open func() (*modelfile.Model, error)
		want int
	}{
		{"Open", func() (*modelfile.Model, error) { return modelfile.Open(dir) }, 3},
		{"OpenWith Options{}", func() (*modelfile.Model, error) { return modelfile.OpenWith(dir, modelfile.Options{}) }, 3},
		{"AtEpoch(-1)", func() (*modelfile.Model, error) {
			return modelfile.OpenWith(dir, modelfile.Options{Epoch: modelfile.AtEpoch(-1)})
		}, 3},
		{"AtEpoch(0)", func() (*modelfile.Model, error) {
			return modelfile.OpenWith(dir, modelfile.Options{Epoch: modelfile.AtEpoch(0)})
		}, 0},
	} {
		m, err := c.open()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if m.Epoch != c.want {
			t.Errorf("%s read epoch %d, want %d", c.name, m.Epoch, c.want)
		}
		m.Close()
	}
}
