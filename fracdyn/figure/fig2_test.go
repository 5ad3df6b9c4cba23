package figure

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/fractal"
	"github.com/fracdyn/fracdyn/fracdyn/segraph"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
	"gonum.org/v1/plot/vg"
)

// smallConvLayers are two connected conv layers, a [2,1,3,3] → b [3,2,3,3],
// with random weights, segmented at r = 2, in data-free mode.
func smallConvLayers(t *testing.T) []segraph.Layer {
	rng := rand.New(rand.NewPCG(2, 2))
	infos := []weights.Layer{
		{Name: "a", Kind: weights.Conv, WeightShape: []int{2, 1, 3, 3}, OutShape: []int{2, 4, 4}, Prev: -1},
		{Name: "b", Kind: weights.Conv, WeightShape: []int{3, 2, 3, 3}, OutShape: []int{3, 4, 4}, Prev: 0},
	}
	var out []segraph.Layer
	for i, info := range infos {
		w := make([]float32, info.WeightShape[0]*info.WeightShape[1]*9)
		for k := range w {
			w[k] = float32(rng.NormFloat64())
		}
		seg, err := fractal.LayerSegments(w, info.WeightShape, 2, fractal.LayerOptions{Name: info.Name})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, segraph.Layer{Info: info, Index: i, Weights: w, Segments: seg})
	}
	return out
}

func TestFeatureGridsLayout(t *testing.T) {
	w := make([]float32, 2*3*9)
	seg, err := fractal.LayerSegments(w, []int{2, 3, 3, 3}, 2, fractal.LayerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	vals := make([]float32, seg.Len())
	for i := range vals {
		vals[i] = float32(i)
	}
	grids, err := FeatureGrids(seg, vals)
	if err != nil {
		t.Fatal(err)
	}
	// 3 channels tile a 2×2 grid of 2×2 kernels: a 4×4 map per neuron.
	g := grids[1]
	if len(grids) != 2 || g.Rows != 4 || g.Cols != 4 {
		t.Fatalf("%d grids of %d×%d, want 2 of 4×4", len(grids), g.Rows, g.Cols)
	}
	// Neuron 1, channel 2 (tile row 1, col 0), segment 3 (origin (1,1)).
	if v := g.Value(3, 1); v != 23 {
		t.Errorf("cell (3,1) = %v, want 23", v)
	}
	if v := g.Value(0, 2); v != 16 { // channel 1, segment 0
		t.Errorf("cell (0,2) = %v, want 16", v)
	}
	if v := g.Value(2, 2); !math.IsNaN(v) {
		t.Errorf("cell (2,2) = %v, want NaN (no fourth channel)", v)
	}
	if _, err := FeatureGrids(seg, vals[:3]); err == nil {
		t.Error("FeatureGrids accepted too few values")
	}
}

func TestKernelInteractions(t *testing.T) {
	layers := smallConvLayers(t)
	g, err := segraph.Build(layers, segraph.Options{DataFree: true})
	if err != nil {
		t.Fatal(err)
	}
	from, to := layers[0].Segments, layers[1].Segments
	p, err := KernelInteractions(g, 0, from, to, segraph.KernelRBF, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	// b's kernel (k, c) has 4 segments, each joined to a's 4 segments of
	// neuron c: 16 edges per (c, k), 2·3·16 in all.
	if p.Rows != 2 || p.Cols != 3 || len(p.Weights) != 96 {
		t.Fatalf("panel %d×%d with %d weights, want 2×3 with 96", p.Rows, p.Cols, len(p.Weights))
	}
	// Recompute (c=1, k=2) from the features: α is the constant FD·H.
	var sum float64
	for sa := 4; sa < 8; sa++ { // a's neuron 1
		for _, sb := range []int{(2*2 + 1) * 4, (2*2+1)*4 + 1, (2*2+1)*4 + 2, (2*2+1)*4 + 3} {
			d := float64(from.FD[sa]*from.H[sa] - to.FD[sb]*to.H[sb])
			sum += math.Exp(-d * d / (2 * 0.25))
		}
	}
	if got := p.Mean[1*3+2]; math.Abs(got-sum/16) > 1e-5 {
		t.Errorf("mean weight (1,2) = %v, want %v", got, sum/16)
	}
	if _, err := KernelInteractions(g, 0, from, to, segraph.KernelRBF, 0); err == nil {
		t.Error("γ = 0 accepted")
	}
}

func TestFig2Render(t *testing.T) {
	layers := smallConvLayers(t)
	g, err := segraph.Build(layers, segraph.Options{DataFree: true})
	if err != nil {
		t.Fatal(err)
	}
	grids, err := FeatureGrids(layers[1].Segments, g.AlphaNorm[g.Offsets[1]:g.Offsets[2]])
	if err != nil {
		t.Fatal(err)
	}
	fig, err := SegmentFeatures(grids, 2)
	if err != nil {
		t.Fatal(err)
	}
	feat := fig.Plots
	if w, h := fig.Size(); w != 2*1.3*vg.Inch || h != 2*1.3*vg.Inch {
		t.Errorf("feature figure is %v×%v, want 2.6in square", w, h)
	}
	if len(feat) != 2 || len(feat[0]) != 2 || feat[1][1] != nil {
		t.Errorf("feature figure is %d×%d with cell (1,1) %v, want 2×2 with it empty", len(feat), len(feat[0]), feat[1][1])
	}
	var panels []*KernelPanel
	for _, gamma := range []float64{0.1, 1, 10} {
		p, err := KernelInteractions(g, 0, layers[0].Segments, layers[1].Segments, segraph.KernelLaplacian, gamma)
		if err != nil {
			t.Fatal(err)
		}
		panels = append(panels, p)
	}
	kern, err := KernelWeights(panels, 20)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, grid := range map[string]Figure{"features.png": fig, "kernels.png": kern} {
		path := filepath.Join(dir, name)
		if err := Save(grid, path); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(path); err != nil || fi.Size() < 1000 {
			t.Errorf("%s: %v, %v", name, fi, err)
		}
	}
}

// TestKernelWeightsRanges: heat maps over ranges whose palette steps overshoot
// by rounding ([1.25e-6, 1], seen on the paper run at γ = 10) and over no
// finite mean (an error, not a panic).
func TestKernelWeightsRanges(t *testing.T) {
	panel := func(means ...float64) *KernelPanel {
		return &KernelPanel{From: "a", To: "b", Kernel: segraph.KernelRBF, Gamma: 10, Rows: 1, Cols: len(means),
			Mean: means, Weights: []float64{0.5}}
	}
	if _, err := KernelWeights([]*KernelPanel{panel(1.2494157947513385e-06, 0.3, 1)}, 4); err != nil {
		t.Errorf("range [1.25e-6, 1]: %v", err)
	}
	if _, err := KernelWeights([]*KernelPanel{panel(math.NaN(), math.Inf(1))}, 4); err == nil ||
		!strings.Contains(err.Error(), "no finite mean") {
		t.Errorf("no finite mean: err %v", err)
	}
}
