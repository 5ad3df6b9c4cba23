package recorder_test

import (
	gocontext "context"
	"errors"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/analysis"
	"github.com/fracdyn/fracdyn/fracdyn/arrayio"
	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/fracdyn/fracdyn/fracdyn/dynamics"
	"github.com/fracdyn/fracdyn/fracdyn/recorder"
	"github.com/fracdyn/fracdyn/fracdyn/run"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
	"github.com/fracdyn/fracdyn/internal/testutil"
	"github.com/fracdyn/fracdyn/mnist"
	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/metrics"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// userModel is a model fracdyn does not ship: a channels-last strided
// convolution, layer normalisation and a dense layer.
func userModel(ctx *context.Context, _ any, inputs []*Node) []*Node {
	return userModelFilters(ctx, inputs, 8)
}

func userModelFilters(ctx *context.Context, inputs []*Node, filters int) []*Node {
	x := InsertAxes(inputs[0], -1) // [B,28,28,1]: channels last
	x = layers.Convolution(ctx.In("conv"), x).Filters(filters).KernelSize(3).Strides(2).Done()
	x = activations.Relu(x)
	x = layers.LayerNormalization(ctx.In("norm"), x, -1).Done()
	x = Reshape(x, x.Shape().Dimensions[0], -1)
	return []*Node{layers.Dense(ctx.In("dense"), x, true, 10)}
}

// sparseCE is the cross-entropy of logits against labels [B] (GoMLX's loss
// wants [B,1]).
func sparseCE(labels, logits []*Node) *Node {
	return losses.SparseCategoricalCrossEntropyLogits([]*Node{InsertAxes(labels[0], -1)}, logits)
}

// testSet returns 256 training images: real MNIST when $FRACDYN_DATA (or
// the shared data) has it, else generated bar patterns.
func testSet(t *testing.T) *mnist.Set {
	t.Helper()
	for _, dir := range []string{os.Getenv(mnist.EnvDataDir), filepath.Join("..", "..", "..", "shared", "data", "mnist")} {
		if dir == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "t10k-images-idx3-ubyte.gz")); err != nil {
			continue
		}
		d, err := mnist.Load(gocontext.Background(), mnist.Options{Dir: dir, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		return d.Train.Subset(seq(256))
	}
	dir := t.TempDir()
	pixels, labels := testutil.BarImages(256)
	ip, lp := filepath.Join(dir, "images.idx"), filepath.Join(dir, "labels.idx")
	if err := mnist.WriteImages(ip, pixels, 256, 28, 28); err != nil {
		t.Fatal(err)
	}
	if err := mnist.WriteLabels(lp, labels); err != nil {
		t.Fatal(err)
	}
	px, n, rows, cols, err := mnist.ReadImages(ip)
	if err != nil {
		t.Fatal(err)
	}
	lb, err := mnist.ReadLabels(lp)
	if err != nil {
		t.Fatal(err)
	}
	return &mnist.Set{Images: px, Labels: lb, N: n, Rows: rows, Cols: cols}
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// TestRecordsATrainLoop trains userModel with train.Loop for 2 epochs of 8
// steps of 32 with the recorder attached (a snapshot every 5 steps) and checks the run
// directory it writes against what the loop reports and against gradients
// computed independently.
func TestRecordsATrainLoop(t *testing.T) {
	set := testSet(t)
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.New()
	ctx.SetParam(optimizers.ParamLearningRate, 0.003)
	if err := ctx.SetRNGStateFromSeed(7); err != nil {
		t.Fatal(err)
	}
	pimg, plab, _, err := mnist.Probe(set, 16, 1)
	if err != nil {
		t.Fatal(err)
	}
	probeIn := tensors.FromFlatDataAndDimensions(pimg, 16, 28, 28)
	probeLab := tensors.FromFlatDataAndDimensions(plab, 16)
	dir := filepath.Join(t.TempDir(), "run")
	rec, err := recorder.New(b, ctx, recorder.Options{Dir: dir, ModelFn: userModel, LossFn: sparseCE,
		ProbeInputs: []*tensors.Tensor{probeIn}, ProbeLabels: []*tensors.Tensor{probeLab},
		SnapshotEvery: 5, TrackSample: 20, Seed: 3, Model: "user-cnn", Dataset: "mnist"})
	if err != nil {
		t.Fatal(err)
	}
	trainer := train.NewTrainer(b, ctx, userModel, sparseCE, rec.Optimizer(optimizers.Adam().Done()),
		[]metrics.Interface{rec.Metric()}, nil)
	loop := train.NewLoop(trainer)
	rec.Attach(loop)
	var loopLosses []float32
	loop.OnStep("test", 0, func(_ *train.Loop, m []*tensors.Tensor) error {
		loopLosses = append(loopLosses, tensors.MustCopyFlatData[float32](m[0])[0])
		return nil
	})
	ds, err := mnist.NewBatches("train", set, mnist.BatchOptions{BatchSize: 32})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := loop.RunEpochs(ds, 2); err != nil { // 2 × 8 steps
		t.Fatal(err)
	}

	r, err := run.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Layers and layouts as GoMLX stores them.
	want := []weights.Layer{
		{Name: "conv", Kind: weights.Conv, Layout: weights.HWIO, WeightShape: []int{8, 1, 3, 3}, BiasShape: []int{8}, Prev: -1},
		{Name: "dense", Kind: weights.Dense, Layout: weights.IO, WeightShape: []int{10, 13 * 13 * 8}, BiasShape: []int{10}, Prev: 0},
	}
	if len(r.Config.Layers) != len(want) {
		t.Fatalf("layers %+v, want %+v", r.Config.Layers, want)
	}
	for i, l := range r.Config.Layers {
		w := want[i]
		if l.Name != w.Name || l.Kind != w.Kind || l.Layout != w.Layout || !slices.Equal(l.WeightShape, w.WeightShape) ||
			!slices.Equal(l.BiasShape, w.BiasShape) || l.Prev != w.Prev {
			t.Errorf("layer %d: %+v, want %+v", i, l, w)
		}
	}
	if c := r.Config; c.BatchSize != 32 || c.StepsPerEpoch != 5 || c.Epochs != 3 || c.Arch != "user-cnn" || c.ProbeSize != 16 {
		t.Errorf("config: batch %d, steps/epoch %d, epochs %d, arch %q, probe %d", c.BatchSize, c.StepsPerEpoch, c.Epochs, c.Arch, c.ProbeSize)
	}

	// Per-step loss is the loop's.
	steps, err := r.Steps()
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 16 || len(loopLosses) != 16 {
		t.Fatalf("%d steps recorded, %d reported by the loop, want 16", len(steps), len(loopLosses))
	}
	for i, s := range steps {
		if float32(s.Loss) != loopLosses[i] || s.Step != i+1 || s.Epoch != i/5+1 {
			t.Errorf("step %d: epoch %d step %d loss %g, loop's loss %g", i+1, s.Epoch, s.Step, s.Loss, loopLosses[i])
		}
	}
	index, series, err := r.TrackedSegments()
	if err != nil {
		t.Fatal(err)
	}
	// conv: 8·1 kernels × 2×2 segments of r=2 in 3×3; dense: a sample of 20.
	if len(index) != 32+20 || series.Shape[0] != 16 {
		t.Errorf("tracked %d segments over %d steps, want 52 over 16", len(index), series.Shape[0])
	}

	// Snapshots: epochs 0 to 3 (steps 5, 10, 15), weights canonicalised.
	epochs, err := r.SnapshotEpochs()
	if err != nil || !slices.Equal(epochs, []int{0, 1, 2, 3}) {
		t.Fatalf("snapshot epochs %v, %v", epochs, err)
	}
	stats, err := r.EpochStats()
	if err != nil || len(stats) != 3 || !math.IsNaN(stats[0].EvalLoss) {
		t.Errorf("epochs.csv: %+v, %v", stats, err)
	}
	snap0, err := r.Snapshot(0)
	if err != nil {
		t.Fatal(err)
	}
	w0, err := snap0.Weight("conv")
	if err != nil || !slices.Equal(w0.Shape, []int{3, 3, 1, 8}) {
		t.Errorf("conv weight of snapshot 0: %v, want stored as GoMLX does, [3 3 1 8]", err)
	}
	c0, err := snap0.LayerWeight(r.Config.Layers[0])
	if err != nil || len(c0) != 72 || c0[1*9+2*3+1] != w0.Float32s()[(2*3+1)*8+1] { // [o=1,i=0,y=2,x=1]
		t.Errorf("canonical conv weight of snapshot 0 does not match the stored one: %v", err)
	}

	// A gradient norm computed independently: the probe-batch gradient of
	// the snapshot's conv weight, and the segment statistics of step 1
	// against the gradient of step 1's batch at the initial weights.
	checkSegmentsOfStep1(t, r, set, b)

	// The run-level analyses read it as they read fracdyn's own runs.
	figs, err := dynamics.WriteFigures(r, t.TempDir(), dynamics.FigureOptions{Format: "png"})
	if err != nil || len(figs) != 4 {
		t.Errorf("Fig 3 of the recorded run: %v, %v", figs, err)
	}
	rows, err := dynamics.AnalyzeRun(gocontext.Background(), r, dynamics.TableOptions{})
	if err != nil || len(rows) == 0 {
		t.Errorf("attractor table of the recorded run: %d rows, %v", len(rows), err)
	}
	if _, err := analysis.Analyze(gocontext.Background(), dir, analysis.Options{DataFree: true, Epochs: []int{3}, Scales: []int{2}}); err != nil {
		t.Fatalf("analyze on the recorded run: %v", err)
	}
	table := testutil.ReadCSV(t, filepath.Join(dir, analysis.Dir, "layers.csv"))
	if len(table) != 3 || table[1][0] != "conv" || table[2][0] != "dense" || table[1][1] != "3" {
		t.Errorf("analysis/layers.csv of the recorded run: %q, want rows for conv and dense at epoch 3", table)
	}

	// α's activation maps, recorded in the snapshots, and the analysis
	// that reads them.
	checkActivations(t, r, b)
}

// checkSegmentsOfStep1 recomputes step 1 independently: a fresh context
// holding snapshot 0's weights (as stored, HWIO and IO) and the layer
// norm's initial gain 1 and offset 0, the loss of step 1's batch (the first
// 32 images: the batches are not shuffled) and its gradients by a separate
// GoMLX graph; the recorded loss, global and per-layer norms and every
// tracked conv segment's norm and mean (cut from the gradient
// canonicalised by weights.Canonicalize) must match.
func checkSegmentsOfStep1(t *testing.T, r *run.Run, set *mnist.Set, b backends.Backend) {
	t.Helper()
	_, raw, err := arrayio.ReadNPZ(filepath.Join(r.Dir, run.SnapshotsDir, "epoch-000.npz"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.New()
	exec, err := context.NewExec(b, ctx, func(ctx *context.Context, x, y *Node) []*Node {
		loss := sparseCE([]*Node{y}, userModel(ctx, nil, []*Node{x}))
		var values []*Node
		ctx.EnumerateVariables(func(v *context.Variable) {
			if v.Trainable {
				values = append(values, v.ValueGraph(x.Graph()))
			}
		})
		return append([]*Node{loss}, Gradient(loss, values...)...)
	})
	if err != nil {
		t.Fatal(err)
	}
	x := tensors.FromFlatDataAndDimensions(set.Float32Images(seq(32)), 32, 28, 28)
	y := tensors.FromFlatDataAndDimensions(set.Int32Labels(seq(32)), 32)
	if _, err := exec.Exec(x, y); err != nil { // creates the variables
		t.Fatal(err)
	}
	var names []string
	nset := 0
	for v := range ctx.IterVariables() {
		if !v.Trainable {
			continue
		}
		names = append(names, v.ScopeAndName())
		key := map[string]string{"/conv/conv/weights": "conv.weight", "/conv/conv/biases": "conv.bias",
			"/dense/dense/weights": "dense.weight", "/dense/dense/biases": "dense.bias"}[v.ScopeAndName()]
		if key == "" {
			continue // layer norm: gain 1, offset 0 as initialised
		}
		a := raw[key]
		if !slices.Equal(a.Shape, v.Shape().Dimensions) {
			t.Fatalf("snapshot %s has shape %v, the variable %v", key, a.Shape, v.Shape())
		}
		v.MustSetValue(tensors.FromFlatDataAndDimensions(a.Float32s(), a.Shape...))
		nset++
	}
	if nset != 4 {
		t.Fatalf("set %d of the 4 layer variables %v from the snapshot", nset, names)
	}
	out, err := exec.Exec(x, y)
	if err != nil {
		t.Fatal(err)
	}
	grad := map[string][]float32{}
	var total float64
	for i, n := range names {
		g := tensors.MustCopyFlatData[float32](out[1+i])
		grad[n] = g
		total += sumSq(g)
	}
	steps, _ := r.Steps()
	s := steps[0]
	close := func(what string, got, want float64) {
		if math.Abs(got-want) > 1e-5*math.Max(1, math.Abs(want)) {
			t.Errorf("step 1 %s: recorded %.7g, independent %.7g", what, got, want)
		}
	}
	close("loss", s.Loss, float64(tensors.MustCopyFlatData[float32](out[0])[0]))
	close("global gradient norm", s.GradNorm, math.Sqrt(total))
	close("conv gradient norm", s.LayerGradNorms["conv"], math.Sqrt(sumSq(grad["/conv/conv/weights"])+sumSq(grad["/conv/conv/biases"])))
	close("dense gradient norm", s.LayerGradNorms["dense"], math.Sqrt(sumSq(grad["/dense/dense/weights"])+sumSq(grad["/dense/dense/biases"])))

	conv, _, err := weights.Canonicalize(nil, grad["/conv/conv/weights"], []int{3, 3, 1, 8}, weights.HWIO) // [8,1,3,3]
	if err != nil {
		t.Fatal(err)
	}
	index, norms, _ := r.TrackedSegments()
	_, means, _ := r.TrackedSegmentMeans()
	checked := 0
	for _, seg := range index {
		if seg.Layer != "conv" {
			continue
		}
		var sq, sum float64
		for a := range seg.R {
			for c := range seg.R {
				g := float64(conv[((seg.Neuron*1+seg.Channel)*3+seg.Row+a)*3+seg.Col+c])
				sq += g * g
				sum += g
			}
		}
		close("conv segment norm", float64(norms.Float32s()[seg.Column]), math.Sqrt(sq))
		close("conv segment mean", float64(means.Float32s()[seg.Column]), sum/float64(seg.R*seg.R))
		checked++
	}
	if checked != 32 {
		t.Errorf("checked %d conv segments, want 32", checked)
	}
}

func sumSq(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return s
}

// TestAmbiguousLayout: a [3,3,1,4] kernel fits both HWIO and OIHW; the
// recorder refuses it naming the variable, and records it once
// Options.Layouts tells.
func TestAmbiguousLayout(t *testing.T) {
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	probe := []*tensors.Tensor{tensors.FromFlatDataAndDimensions(make([]float32, 2*28*28), 2, 28, 28)}
	labels := []*tensors.Tensor{tensors.FromFlatDataAndDimensions([]int32{1, 2}, 2)}
	model := func(ctx *context.Context, _ any, in []*Node) []*Node { return userModelFilters(ctx, in, 4) }
	for _, tc := range []struct{ layouts, wantErr string }{
		{"", `"/conv/conv/weights": cannot tell its layout`},
		{"*conv/weights=channels-last", ""},
	} {
		dir := filepath.Join(t.TempDir(), "run")
		rec, err := recorder.New(b, context.New(), recorder.Options{Dir: dir, ModelFn: model, LossFn: sparseCE,
			ProbeInputs: probe, ProbeLabels: labels, SnapshotEvery: 1, Layouts: tc.layouts})
		if err != nil {
			t.Fatal(err)
		}
		err = rec.Start()
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "Options.Layouts") {
				t.Errorf("layouts %q: %v, want an error containing %q and naming Options.Layouts", tc.layouts, err, tc.wantErr)
			}
			if _, err := os.Stat(filepath.Join(dir, run.ConfigFile)); err == nil {
				t.Errorf("layouts %q: config.json written despite the error", tc.layouts)
			}
			continue
		}
		if err != nil {
			t.Fatalf("layouts %q: %v", tc.layouts, err)
		}
		r, err := run.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		if l := r.Config.Layers[0]; l.Layout != weights.HWIO || !slices.Equal(l.WeightShape, []int{4, 1, 3, 3}) {
			t.Errorf("layouts %q: conv layer %+v, want HWIO [4 1 3 3]", tc.layouts, l)
		}
	}
}

// TestDivergenceAndNoBias: a dense layer without bias is recorded (no
// "head.bias" in the snapshots), and Adam at lr 1e30 makes step 2's loss
// NaN: the loop stops with run.ErrDiverged and the steps up to it are
// written.
func TestDivergenceAndNoBias(t *testing.T) {
	set := testSet(t)
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	model := func(ctx *context.Context, _ any, in []*Node) []*Node {
		x := Reshape(in[0], in[0].Shape().Dimensions[0], -1)
		x = activations.Relu(layers.Dense(ctx.In("hidden"), x, true, 16))
		return []*Node{layers.Dense(ctx.In("head"), x, false, 10)}
	}
	ctx := context.New()
	ctx.SetParam(optimizers.ParamLearningRate, 1e30)
	pimg, plab, _, err := mnist.Probe(set, 8, 1)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "run")
	rec, err := recorder.New(b, ctx, recorder.Options{Dir: dir, ModelFn: model, LossFn: sparseCE,
		ProbeInputs: []*tensors.Tensor{tensors.FromFlatDataAndDimensions(pimg, 8, 28, 28)},
		ProbeLabels: []*tensors.Tensor{tensors.FromFlatDataAndDimensions(plab, 8)}, SnapshotEvery: 4})
	if err != nil {
		t.Fatal(err)
	}
	trainer := train.NewTrainer(b, ctx, model, sparseCE, rec.Optimizer(optimizers.Adam().Done()),
		[]metrics.Interface{rec.Metric()}, nil)
	loop := train.NewLoop(trainer)
	rec.Attach(loop)
	ds, err := mnist.NewBatches("train", set, mnist.BatchOptions{BatchSize: 32})
	if err != nil {
		t.Fatal(err)
	}
	_, err = loop.RunSteps(ds, 6)
	if !errors.Is(err, run.ErrDiverged) || !strings.Contains(err.Error(), "epoch 1 step 2") {
		t.Fatalf("got %v, want run.ErrDiverged at epoch 1 step 2", err)
	}
	r, err := run.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if l := r.Config.Layers; len(l) != 2 || l[0].Layout != weights.IO || len(l[0].BiasShape) != 1 || len(l[1].BiasShape) != 0 {
		t.Errorf("layers %+v, want hidden (io, with bias) and head (no bias)", l)
	}
	steps, err := r.Steps()
	if err != nil || len(steps) != 2 || !math.IsNaN(steps[1].Loss) {
		t.Errorf("steps after divergence: %+v, %v", steps, err)
	}
	snap, err := r.Snapshot(0)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := snap.Weights["head.bias"]; ok || snap.Weights["head.weight"] == nil {
		t.Errorf("snapshot 0 entries: %v", slices.Collect(maps.Keys(snap.Weights)))
	}
}
