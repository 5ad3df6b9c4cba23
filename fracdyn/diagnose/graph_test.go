package diagnose

import (
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/fractal"
	"github.com/fracdyn/fracdyn/fracdyn/model"
	"github.com/fracdyn/fracdyn/fracdyn/modelfile"
)

func TestKernelGraphMLP(t *testing.T) {
	weights := randomWeights(model.MLP, 4)
	path := filepath.Join(t.TempDir(), "mlp.safetensors")
	if err := modelfile.ExportSafetensors(path, model.MLP, weights, nil); err != nil {
		t.Fatal(err)
	}
	m, err := modelfile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	// The layers derived from the file's tensors are the MLP's.
	if len(m.Layers) != 3 || m.Layers[1].Name != "fc2" || m.Layers[1].Prev != 0 || !slices.Equal(m.Layers[2].WeightShape, []int{10, 128}) {
		t.Fatalf("layers %+v, want the MLP's fc1, fc2, fc3", m.Layers)
	}
	edges, err := KernelGraph(m, m.Layers, GraphOptions{R: 2, Gamma: 0.5, Layer: fractal.LayerOptions{Workers: 1}})
	if err != nil {
		t.Fatal(err)
	}
	// Hand count at r=2: a fc2 segment with columns j, j+1 (j even) reads
	// fc1 units j, j+1, which one band of 784/2 fc1 segments covers.
	want := []struct {
		nodesFrom, nodesTo, edges int
	}{{128 * 392, 64 * 128, 64 * 128 * 392}, {64 * 128, 5 * 64, 5 * 64 * 128}}
	if len(edges) != 2 {
		t.Fatalf("%d layer pairs, want 2", len(edges))
	}
	for i, w := range want {
		e := edges[i]
		if e.NodesFrom != w.nodesFrom || e.NodesTo != w.nodesTo || e.Edges != w.edges {
			t.Errorf("pair %s→%s: nodes %d→%d, %d edges; want %d→%d, %d", e.From, e.To, e.NodesFrom, e.NodesTo, e.Edges, w.nodesFrom, w.nodesTo, w.edges)
		}
	}
	// fc2→fc3 recomputed directly: δ = |α_s − α_t| with α = FD·H, and the
	// Laplacian weight exp(−δ/γ).
	seg := func(name string, shape []int) *fractal.LayerResult {
		lr, err := fractal.LayerSegments(weights[name], shape, 2, fractal.LayerOptions{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		return lr
	}
	fc2, fc3 := seg("fc2.weight", []int{128, 256}), seg("fc3.weight", []int{10, 128})
	alpha := func(l *fractal.LayerResult, s int) float64 {
		fd := float64(l.FD[s])
		if math.IsNaN(fd) {
			fd = 0
		}
		return float64(float32(fd * float64(l.H[s])))
	}
	var sumD, sumW float64
	n := 0
	for s := range fc3.Len() {
		j := fc3.Segment(s).Col // fc3 columns j, j+1 = fc2 units j, j+1 = fc2 row band j/2
		for p := (j / 2) * 128; p < (j/2+1)*128; p++ {
			d := math.Abs(alpha(fc2, p) - alpha(fc3, s))
			sumD += d
			sumW += math.Exp(-d / 0.5)
			n++
		}
	}
	e := edges[1]
	if math.Abs(e.Dist.Mean-sumD/float64(n)) > 1e-5 || math.Abs(e.Weight.Mean-sumW/float64(n)) > 1e-5 {
		t.Errorf("fc2→fc3: mean δ %.6f weight %.6f; recomputed %.6f %.6f", e.Dist.Mean, e.Weight.Mean, sumD/float64(n), sumW/float64(n))
	}
}
