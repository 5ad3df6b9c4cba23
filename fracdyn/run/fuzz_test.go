package run

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/arrayio"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

// FuzzOpenRun writes config, steps and snapshot as config.json, steps.csv
// and snapshots/epoch-001.npz of a fresh run directory and reads them with
// Open, Run.Steps and Run.Snapshot. Invariant: each reader either returns
// an error naming its file, or a result that, written back by the run
// package's own writers and read again, is the same (config.json: the
// same JSON; steps.csv: the same float32 values and the same bytes on a
// second write; snapshot: the same arrays, bit for bit, with the shapes
// config.json gives). Seeds: testdata/fuzz/FuzzOpenRun (written by
// TestWriteRunFuzzSeeds with FRACDYN_WRITE_SEEDS=1).
func FuzzOpenRun(f *testing.F) {
	f.Fuzz(func(t *testing.T, config, steps, snapshot []byte) {
		dir := t.TempDir()
		writeRunFiles(t, dir, config, steps, snapshot)
		checkStepsRoundTrip(t, dir)

		r, err := Open(dir)
		if err != nil {
			if !strings.Contains(err.Error(), ConfigFile) {
				t.Fatalf("Open error does not name %s: %v", ConfigFile, err)
			}
			return
		}
		again := t.TempDir()
		if err := writeConfig(again, &r.Config); err != nil {
			t.Fatalf("accepted config does not encode: %v", err)
		}
		r2, err := Open(again)
		if err != nil {
			t.Fatalf("written config does not read back: %v", err)
		}
		j1, _ := json.Marshal(r.Config)
		j2, _ := json.Marshal(r2.Config)
		if !bytes.Equal(j1, j2) {
			t.Fatalf("config changed on a round trip:\n%s\n%s", j1, j2)
		}

		s, err := r.Snapshot(1)
		if err != nil {
			if !strings.Contains(err.Error(), "epoch-001.npz") && !strings.Contains(err.Error(), "epoch 1") {
				t.Fatalf("Snapshot error does not name the file: %v", err)
			}
			return
		}
		if ep, err := r.SnapshotEpochs(); err != nil || !slices.Equal(ep, []int{1}) {
			t.Fatalf("SnapshotEpochs = %v, %v; want [1]", ep, err)
		}
		var names []string
		arrays := map[string]*arrayio.Array{}
		for _, l := range r.Config.Layers {
			for part, shape := range map[string][]int{"weight": l.WeightShape, "bias": l.BiasShape} {
				name := stateName(l.Name, part)
				w, g := s.Weights[name], s.Grads[name]
				if !slices.Equal(w.Shape, shape) || !slices.Equal(g.Shape, shape) {
					t.Fatalf("%s: shapes %v and %v, config says %v", name, w.Shape, g.Shape, shape)
				}
				if _, dup := arrays[name]; !dup {
					names = append(names, name, name+GradSuffix)
				}
				arrays[name], arrays[name+GradSuffix] = w, g
			}
		}
		names = append(names, LossEntry)
		arrays[LossEntry] = arrayio.FromFloat64([]float64{s.Loss}, 1)
		if err := os.MkdirAll(filepath.Join(again, SnapshotsDir), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := arrayio.WriteNPZ(filepath.Join(again, SnapshotsDir, snapshotName(1)), names, arrays); err != nil {
			t.Fatalf("accepted snapshot does not write: %v", err)
		}
		s2, err := r2.Snapshot(1)
		if err != nil {
			t.Fatalf("written snapshot does not read back: %v", err)
		}
		if math.Float64bits(s.Loss) != math.Float64bits(s2.Loss) {
			t.Fatalf("loss %v became %v", s.Loss, s2.Loss)
		}
		for name, a := range s.Weights {
			if !sameArray(a, s2.Weights[name]) || !sameArray(s.Grads[name], s2.Grads[name]) {
				t.Fatalf("%s changed on a round trip", name)
			}
		}
	})
}

func writeRunFiles(t *testing.T, dir string, config, steps, snapshot []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, SnapshotsDir), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{ConfigFile: config, StepsFile: steps,
		filepath.Join(SnapshotsDir, snapshotName(1)): snapshot} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// checkStepsRoundTrip reads dir/steps.csv; if it reads, writing the steps
// and reading them back must give the same float32 values, and a second
// write the same bytes.
func checkStepsRoundTrip(t *testing.T, dir string) {
	t.Helper()
	layers, steps, err := readSteps(dir)
	if err != nil {
		if !strings.Contains(err.Error(), StepsFile) {
			t.Fatalf("steps error does not name %s: %v", StepsFile, err)
		}
		return
	}
	again := t.TempDir()
	if err := writeSteps(again, layers, steps); err != nil {
		t.Fatal(err)
	}
	layers2, steps2, err := readSteps(again)
	if err != nil {
		t.Fatalf("written steps do not read back: %v", err)
	}
	if !slices.Equal(layers, layers2) || len(steps) != len(steps2) {
		t.Fatalf("layers %q (%d steps) became %q (%d)", layers, len(steps), layers2, len(steps2))
	}
	same32 := func(a, b float64) bool {
		return math.Float32bits(float32(a)) == math.Float32bits(float32(b)) || (math.IsNaN(a) && math.IsNaN(b))
	}
	for i, s := range steps {
		u := steps2[i]
		ok := s.Epoch == u.Epoch && s.Step == u.Step && same32(s.Loss, u.Loss) && same32(s.GradNorm, u.GradNorm)
		for _, l := range layers {
			ok = ok && same32(s.LayerGradNorms[l], u.LayerGradNorms[l])
		}
		if !ok {
			t.Fatalf("step row %d changed: %+v became %+v", i+1, s, u)
		}
	}
	first, _ := os.ReadFile(filepath.Join(again, StepsFile))
	third := t.TempDir()
	if err := writeSteps(third, layers2, steps2); err != nil {
		t.Fatal(err)
	}
	second, _ := os.ReadFile(filepath.Join(third, StepsFile))
	if !bytes.Equal(first, second) {
		t.Fatalf("steps.csv is not a fixed point of read and write:\n%s\n%s", first, second)
	}
}

func sameArray(a, b *arrayio.Array) bool {
	if a == nil || b == nil || a.DType != b.DType || !slices.Equal(a.Shape, b.Shape) {
		return false
	}
	if ba, bb := bitsOf(a), bitsOf(b); ba != nil || bb != nil {
		return slices.Equal(ba, bb)
	}
	return reflect.DeepEqual(a.Data, b.Data)
}

// bitsOf returns the bit patterns of a float array (so NaNs compare equal).
func bitsOf(a *arrayio.Array) []uint64 {
	switch d := a.Data.(type) {
	case []float32:
		out := make([]uint64, len(d))
		for i, x := range d {
			out[i] = uint64(math.Float32bits(x))
		}
		return out
	case []float64:
		out := make([]uint64, len(d))
		for i, x := range d {
			out[i] = math.Float64bits(x)
		}
		return out
	}
	return nil
}

// TestWriteRunFuzzSeeds writes the seed corpus of FuzzOpenRun when
// FRACDYN_WRITE_SEEDS=1: a valid small run (a 6→4→3 dense model, three
// steps, a matching snapshot) and broken variants of each file.
func TestWriteRunFuzzSeeds(t *testing.T) {
	if os.Getenv("FRACDYN_WRITE_SEEDS") != "1" {
		t.Skip("set FRACDYN_WRITE_SEEDS=1 to rewrite testdata/fuzz/FuzzOpenRun")
	}
	cfg := Config{Format: FormatVersion, Preset: "quick", Arch: "mlp", Dataset: "mnist", Epochs: 2, BatchSize: 4,
		LearningRate: 6e-4, AdamBeta1: 0.9, AdamBeta2: 0.999, AdamEpsilon: 1e-8, EpochImages: 12, StepsPerEpoch: 3,
		EvalImages: 8, ProbeSize: 4, Seed: 1,
		Track: TrackConfig{Mode: "default", R: 2, Sample: 4, Segments: 8, BytesPerStep: 64,
			SeriesFile: SegmentsFile, MeanFile: SegmentsMeanFile, IndexFile: SegmentsIndex},
		Data: DataInfo{Dir: "generated", Files: []string{"generated"}, TrainImages: 12, EvalImages: 8},
		Layers: []weights.Layer{
			{Name: "fc1", Kind: weights.Dense, WeightShape: []int{4, 6}, BiasShape: []int{4}, OutShape: []int{4}, Prev: -1},
			{Name: "fc2", Kind: weights.Dense, WeightShape: []int{3, 4}, BiasShape: []int{3}, OutShape: []int{3}, Prev: 0},
		},
		Backend: "go", Module: "github.com/fracdyn/fracdyn", ModuleVersion: "(devel)", GoVersion: "go1.26",
		Params: map[string]any{"arch": "mlp", "batch_size": 4, "learning_rate": 6e-4},
	}
	config, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	steps := []Step{
		{Epoch: 1, Step: 1, Loss: 2.3025851, GradNorm: 1.5, LayerGradNorms: map[string]float64{"fc1": 1.25, "fc2": 0.75}},
		{Epoch: 1, Step: 2, Loss: 2.1, GradNorm: 1.25, LayerGradNorms: map[string]float64{"fc1": 1, "fc2": 0.5}},
		{Epoch: 1, Step: 3, Loss: math.NaN(), GradNorm: math.Inf(1), LayerGradNorms: map[string]float64{"fc1": 1e-3, "fc2": 0}},
	}
	if err := writeSteps(dir, []string{"fc1", "fc2"}, steps); err != nil {
		t.Fatal(err)
	}
	stepsCSV, _ := os.ReadFile(filepath.Join(dir, StepsFile))
	var names []string
	arrays := map[string]*arrayio.Array{}
	for _, l := range cfg.Layers {
		for _, p := range []struct {
			part  string
			shape []int
		}{{"weight", l.WeightShape}, {"bias", l.BiasShape}} {
			n := shapeSize(p.shape)
			w, g := make([]float32, n), make([]float32, n)
			for i := range w {
				w[i], g[i] = float32(i)/8-0.5, float32(i%3)*1e-3
			}
			name := stateName(l.Name, p.part)
			names = append(names, name, name+GradSuffix)
			arrays[name], arrays[name+GradSuffix] = arrayio.FromFloat32(w, p.shape...), arrayio.FromFloat32(g, p.shape...)
		}
	}
	names = append(names, LossEntry)
	arrays[LossEntry] = arrayio.FromFloat32([]float32{2.25}, 1)
	snapPath := filepath.Join(dir, "snap.npz")
	if err := arrayio.WriteNPZ(snapPath, names, arrays); err != nil {
		t.Fatal(err)
	}
	snap, _ := os.ReadFile(snapPath)
	if err := arrayio.WriteNPZ(snapPath, names[:3], arrays); err != nil {
		t.Fatal(err)
	}
	snapShort, _ := os.ReadFile(snapPath)

	seeds := map[string][3][]byte{
		"valid":            {config, stepsCSV, snap},
		"truncated-config": {config[:len(config)/2], stepsCSV, snap},
		"wrong-format":     {bytes.Replace(config, []byte(`"format": 1`), []byte(`"format": 7`), 1), stepsCSV, snap},
		"ragged-steps":     {config, append(slices.Clone(stepsCSV), "1,4,2.0\n"...), snap},
		"non-number-steps": {config, bytes.Replace(stepsCSV, []byte("2.1"), []byte("two"), 1), snap},
		"half-snapshot":    {config, stepsCSV, snap[:len(snap)/2]},
		"snapshot-lacking": {config, stepsCSV, snapShort},
		"empty":            {nil, nil, nil},
	}
	out := filepath.Join("testdata", "fuzz", "FuzzOpenRun")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, s := range seeds {
		text := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n[]byte(%q)\n[]byte(%q)\n", s[0], s[1], s[2])
		if err := os.WriteFile(filepath.Join(out, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
