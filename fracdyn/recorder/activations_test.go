package recorder_test

import (
	gocontext "context"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/analysis"
	"github.com/fracdyn/fracdyn/fracdyn/arrayio"
	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/fracdyn/fracdyn/fracdyn/recorder"
	"github.com/fracdyn/fracdyn/fracdyn/run"
	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
)

// checkActivations checks the activation maps of the recorded userModel
// against a direct computation, and the analysis's α against them.
//
// Directly: a fresh context holding snapshot 0's conv and dense weights
// (the layer norm at its initial gain 1 and offset 0), userModel's layers
// written out so that the graph returns the conv's ReLU output [P,13,13,8]
// and the logits [P,10] of the probe batch; their means over the probe
// batch, the conv map transposed to [8,13,13], must equal the snapshot's
// "conv.activation" and "dense.activation". Then analysis.Analyze, not
// data-free, must give each segment's a_norm (the RMS of its pooled A) from
// those maps: the conv map of the segment's neuron average-pooled to 4×4,
// and for a dense segment the mean of its r rows' activations.
func checkActivations(t *testing.T, r *run.Run, b backends.Backend) {
	t.Helper()
	_, raw, err := arrayio.ReadNPZ(filepath.Join(r.Dir, run.SnapshotsDir, "epoch-000.npz"))
	if err != nil {
		t.Fatal(err)
	}
	_, probe, err := arrayio.ReadNPZ(filepath.Join(r.Dir, run.ProbeFile))
	if err != nil {
		t.Fatal(err)
	}
	images := probe["images"]
	p := images.Shape[0]
	ctx := context.New()
	exec, err := context.NewExec(b, ctx, func(ctx *context.Context, x *Node) []*Node {
		h := InsertAxes(x, -1)
		h = activations.Relu(layers.Convolution(ctx.In("conv"), h).Filters(8).KernelSize(3).Strides(2).Done())
		conv := h
		h = layers.LayerNormalization(ctx.In("norm"), h, -1).Done()
		h = Reshape(h, p, -1)
		return []*Node{conv, layers.Dense(ctx.In("dense"), h, true, 10)}
	})
	if err != nil {
		t.Fatal(err)
	}
	x := tensors.FromFlatDataAndDimensions(images.Float32s(), images.Shape...)
	if _, err := exec.Exec(x); err != nil { // creates the variables
		t.Fatal(err)
	}
	for v := range ctx.IterVariables() {
		key := map[string]string{"/conv/conv/weights": "conv.weight", "/conv/conv/biases": "conv.bias",
			"/dense/dense/weights": "dense.weight", "/dense/dense/biases": "dense.bias"}[v.ScopeAndName()]
		if key != "" {
			v.MustSetValue(tensors.FromFlatDataAndDimensions(raw[key].Float32s(), raw[key].Shape...))
		}
	}
	out, err := exec.Exec(x)
	if err != nil {
		t.Fatal(err)
	}
	relu, logits := tensors.MustCopyFlatData[float32](out[0]), tensors.MustCopyFlatData[float32](out[1])
	convMap := make([]float64, 8*13*13) // [c,y,x]
	for i := range p {
		for yx := range 13 * 13 {
			for c := range 8 {
				convMap[c*169+yx] += float64(relu[(i*169+yx)*8+c]) / float64(p)
			}
		}
	}
	denseMap := make([]float64, 10)
	for i := range p {
		for u := range 10 {
			denseMap[u] += float64(logits[i*10+u]) / float64(p)
		}
	}
	snap, err := r.Snapshot(0)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		layer string
		shape []int
		want  []float64
	}{{"conv", []int{8, 13, 13}, convMap}, {"dense", []int{10}, denseMap}} {
		if a := raw[c.layer+run.ActivationSuffix]; a == nil || !slices.Equal(a.Shape, c.shape) {
			t.Fatalf("snapshot 0 has no %s activation map of shape %v", c.layer, c.shape)
		}
		got := snap.Activations[c.layer]
		for i, w := range c.want {
			if math.Abs(float64(got[i])-w) > 1e-5*math.Max(1, math.Abs(w)) {
				t.Fatalf("%s activation %d: recorded %g, direct %g", c.layer, i, got[i], w)
			}
		}
	}
	if l := r.Config.Layers; !slices.Equal(l[0].OutShape, []int{8, 13, 13}) || !slices.Equal(l[1].OutShape, []int{10}) {
		t.Errorf("config out shapes %v and %v, want [8 13 13] and [10]", l[0].OutShape, l[1].OutShape)
	}

	rep, err := analysis.Analyze(gocontext.Background(), r.Dir, analysis.Options{Epochs: []int{0}, Scales: []int{2}, NullDraws: -1})
	if err != nil {
		t.Fatalf("analysis with the recorded activation maps: %v", err)
	}
	if rep.DataFree || !slices.Contains(rep.Notes, "activation maps A of α: as recorded in the snapshots") {
		t.Errorf("report: data-free %v, notes %q", rep.DataFree, rep.Notes)
	}
	measures, rows, err := analysis.ReadSegments(r.Dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	aNorm := slices.Index(measures, "a_norm")
	if aNorm < 0 {
		t.Fatalf("segment table columns %q: no a_norm", measures)
	}
	checked := map[string]int{}
	for _, row := range rows {
		var pooled []float64
		switch row.Layer {
		case "conv":
			pooled = pool4(convMap[int(row.Neuron)*169:][:169], 13)
		case "dense":
			var s float64
			for u := int(row.Row); u < int(row.Row)+2; u++ {
				s += denseMap[u]
			}
			pooled = slices.Repeat([]float64{s / 2}, 16)
		}
		var ss float64
		for _, a := range pooled {
			ss += a * a
		}
		want := math.Sqrt(ss / 16)
		if got := float64(row.Measures[aNorm]); math.Abs(got-want) > 1e-4*math.Max(1, want) {
			t.Fatalf("segment %+v: a_norm %g, want %g from the direct maps", row, got, want)
		}
		checked[row.Layer]++
	}
	// conv: 8 kernels × 4 segments of 2×2 in 3×3; dense: 5·676 segments.
	if checked["conv"] != 32 || checked["dense"] != 5*676 {
		t.Errorf("checked %v segments, want 32 conv and 3380 dense", checked)
	}
}

// pool4 average-pools an n×n map into 4×4 bins (bin i covers rows
// [i·n/4, (i+1)·n/4)), row-major.
func pool4(m []float64, n int) []float64 {
	out := make([]float64, 16)
	for bi := range 4 {
		for bj := range 4 {
			var s float64
			for i := bi * n / 4; i < (bi+1)*n/4; i++ {
				for j := bj * n / 4; j < (bj+1)*n/4; j++ {
					s += m[i*n+j]
				}
			}
			out[bi*4+bj] = s / float64((bi+1)*n/4-bi*n/4) / float64((bj+1)*n/4-bj*n/4)
		}
	}
	return out
}

// residualModel is a channels-last residual block: conv1 and ReLU (h),
// conv2 added to h and a ReLU (out), max-pooling, a dense head. It returns
// the logits, and h and out for the test.
func residualModel(ctx *context.Context, x *Node) (logits, h, out *Node) {
	b := x.Shape().Dimensions[0]
	x = InsertAxes(x, -1) // [B,8,8,1]
	h = activations.Relu(layers.Convolution(ctx.In("conv1"), x).Filters(4).KernelSize(3).PadSame().Done())
	out = activations.Relu(Add(layers.Convolution(ctx.In("conv2"), h).Filters(4).KernelSize(3).PadSame().Done(), h))
	p := ReduceMax(Reshape(out, b, 4, 2, 4, 2, 4), 2, 4) // 2×2 max-pooling (GoMLX's MaxPool has no gradient in simplego)
	return layers.Dense(ctx.In("head"), Reshape(p, b, -1), true, 3), h, out
}

// TestActivationsOfAResidualBlock: the recorder finds conv1's map at its
// ReLU (read by conv2 and by the residual sum, so the walk stops there),
// conv2's after the residual sum and its ReLU, before the pooling, and
// the head's at the logits; each recorded mean equals the probe-batch mean
// of that node computed directly with the snapshot's weights.
func TestActivationsOfAResidualBlock(t *testing.T) {
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	const p = 6
	rng := rand.New(rand.NewPCG(1, 2))
	img := make([]float32, p*64)
	for i := range img {
		img[i] = float32(rng.NormFloat64())
	}
	x := tensors.FromFlatDataAndDimensions(img, p, 8, 8)
	y := tensors.FromFlatDataAndDimensions([]int32{0, 1, 2, 0, 1, 2}, p)
	model := func(ctx *context.Context, _ any, in []*Node) []*Node {
		logits, _, _ := residualModel(ctx, in[0])
		return []*Node{logits}
	}
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(3); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "run")
	rec, err := recorder.New(b, ctx, recorder.Options{Dir: dir, ModelFn: model, LossFn: sparseCE,
		ProbeInputs: []*tensors.Tensor{x}, ProbeLabels: []*tensors.Tensor{y}, SnapshotEvery: 1, Layouts: "*conv*/weights=hwio"})
	if err != nil {
		t.Fatal(err)
	}
	if err := rec.Start(); err != nil {
		t.Fatal(err)
	}
	// Directly, in the recorder's context (the weights of snapshot 0).
	exec, err := context.NewExec(b, ctx.Reuse(), func(ctx *context.Context, x *Node) []*Node {
		logits, h, out := residualModel(ctx, x)
		return []*Node{h, out, logits}
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := exec.Exec(x)
	if err != nil {
		t.Fatal(err)
	}
	r, err := run.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := r.Snapshot(0)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range []struct {
		layer string
		shape []int
	}{{"conv1", []int{4, 8, 8}}, {"conv2", []int{4, 8, 8}}, {"head", []int{3}}} {
		if l := r.Config.Layers[i]; l.Name != c.layer || !slices.Equal(l.OutShape, c.shape) {
			t.Fatalf("layer %d: %s with out shape %v, want %s %v", i, l.Name, l.OutShape, c.layer, c.shape)
		}
		v := tensors.MustCopyFlatData[float32](res[i])
		n := len(v) / p
		want := make([]float64, n)
		for e := range p {
			for j := range n {
				want[j] += float64(v[e*n+j]) / p
			}
		}
		got := snap.Activations[c.layer]
		for j := range n {
			k := j // [H,W,C] → [C,H,W] for the convolutions
			if c.shape[0] != n {
				k = (j%4)*64 + j/4
			}
			if math.Abs(float64(got[k])-want[j]) > 1e-5 {
				t.Fatalf("%s activation %d: recorded %g, direct %g", c.layer, j, got[k], want[j])
			}
		}
	}
}
