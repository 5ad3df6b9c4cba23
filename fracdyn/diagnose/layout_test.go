package diagnose

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/arrayio"
	"github.com/fracdyn/fracdyn/fracdyn/modelfile"
	"github.com/fracdyn/fracdyn/fracdyn/run"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

// A run of a model fracdyn does not ship, whose snapshot stores each weight
// as GoMLX does (conv [kh,kw,in,out], dense [in,out]) and whose
// config.json layers say so: every reader sees the canonical weights. (npz
// names cannot hold "/", so the GoMLX scopes are spelt with dots.)
func TestRunWithStoredLayouts(t *testing.T) {
	layers := []weights.Layer{
		{Name: "m.conv_0", Kind: weights.Conv, Param: "m.conv_0.conv.weights", Layout: weights.HWIO,
			WeightShape: []int{8, 1, 3, 3}, BiasShape: []int{8}, OutShape: []int{8, 4, 4}, Prev: -1},
		{Name: "m.dense", Kind: weights.Dense, Param: "m.dense.weights", Layout: weights.IO,
			WeightShape: []int{10, 128}, BiasShape: []int{10}, OutShape: []int{10}, Prev: 0},
	}
	// Canonical values: conv K[o][0][h][w] = o + h/10 + w/100, dense W[o][i] = o − i/1000.
	var convCanon, convStored, denseCanon, denseStored []float32
	for o := range 8 {
		for h := range 3 {
			for w := range 3 {
				convCanon = append(convCanon, float32(o)+float32(h)/10+float32(w)/100)
			}
		}
	}
	for h := range 3 {
		for w := range 3 {
			for o := range 8 {
				convStored = append(convStored, float32(o)+float32(h)/10+float32(w)/100)
			}
		}
	}
	for o := range 10 {
		for i := range 128 {
			denseCanon = append(denseCanon, float32(o)-float32(i)/1000)
		}
	}
	for i := range 128 {
		for o := range 10 {
			denseStored = append(denseStored, float32(o)-float32(i)/1000)
		}
	}
	dir := t.TempDir()
	cfg := run.Config{Format: run.FormatVersion, Arch: "my-gomlx-cnn", BatchSize: 1, Layers: layers}
	arrays := map[string]*arrayio.Array{}
	var names []string
	add := func(name string, v []float32, shape ...int) {
		arrays[name] = arrayio.FromFloat32(v, shape...)
		arrays[name+run.GradSuffix] = arrayio.FromFloat32(make([]float32, len(v)), shape...)
		names = append(names, name, name+run.GradSuffix)
	}
	add("m.conv_0.conv.weights", convStored, 3, 3, 1, 8)
	add("m.conv_0.bias", make([]float32, 8), 8)
	add("m.dense.weights", denseStored, 128, 10)
	add("m.dense.bias", make([]float32, 10), 10)
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
	if err := arrayio.WriteNPZ(filepath.Join(dir, run.SnapshotsDir, "epoch-001.npz"), names, arrays); err != nil {
		t.Fatal(err)
	}

	// fracdyn/run: the snapshot's canonical weights.
	r, err := run.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := r.Snapshot(1)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range [][]float32{convCanon, denseCanon} {
		got, err := snap.LayerWeight(r.Config.Layers[i])
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("run: layer %s canonical weight wrong (%v)", layers[i].Name, err)
		}
	}

	// modelfile: kinds and layouts from the run, canonical reads, views, layers.
	m, err := modelfile.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for i, c := range []struct {
		view string
		want []float32
	}{{"8 × (3×3)", convCanon}, {"10×128", denseCanon}} {
		info, ok := m.Info(layers[i].Param)
		if !ok || info.Kind != layers[i].Kind || info.Layout != layers[i].Layout || info.Matrices.String() != c.view {
			t.Errorf("%s: %v %v %v, want %v %v %s", layers[i].Param, info.Kind, info.Layout, info.Matrices, layers[i].Kind, layers[i].Layout, c.view)
		}
		got, err := m.ReadCanonical(layers[i].Param)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%s: ReadCanonical wrong (%v)", layers[i].Param, err)
		}
	}
	if len(m.Layers) != 2 || m.Layers[0].Layout != weights.HWIO || m.Layers[1].Param != "m.dense.weights" {
		t.Errorf("Model.Layers = %+v, want the run's", m.Layers)
	}
	// The kernel graph over the run's layers: a channels-last conv feeding
	// the dense layer. At r=2 each of the 5×64 dense segments spans two
	// inputs j, j+1, read from channels j mod 8 and j+1 mod 8: two
	// channels of 4 segments each.
	edges, err := KernelGraph(m, m.Layers, GraphOptions{R: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(edges) != 1 || edges[0].NodesFrom != 8*4 || edges[0].NodesTo != 5*64 || edges[0].Edges != 5*64*2*4 {
		t.Errorf("edges %+v, want 32 → 320 nodes and 2560 edges", edges)
	}
}
