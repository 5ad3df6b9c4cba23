package run

import (
	"bytes"
	gocontext "context"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/arrayio"
	"github.com/fracdyn/fracdyn/internal/testutil"
	"github.com/fracdyn/fracdyn/mnist"
)

var (
	dataOnce sync.Once
	data     *mnist.Data
	dataErr  error
)

// testData returns 320 training and 200 eval images: from the real MNIST
// test files in $FRACDYN_DATA or ../shared/data/mnist (relative to the
// repository root) when present, else generated class patterns written and
// read back as IDX.
func testData(t *testing.T) *mnist.Data {
	t.Helper()
	dataOnce.Do(func() {
		for _, dir := range []string{os.Getenv(mnist.EnvDataDir), filepath.Join("..", "..", "..", "shared", "data", "mnist")} {
			if dir == "" {
				continue
			}
			if _, err := os.Stat(filepath.Join(dir, "t10k-images-idx3-ubyte.gz")); err != nil {
				continue
			}
			d, err := mnist.Load(gocontext.Background(), mnist.Options{Dir: dir, Seed: 1})
			if err != nil {
				dataErr = err
				return
			}
			d.Train, d.Eval = d.Train.Subset(seq(320)), d.Eval.Subset(seq(200))
			data = d
			return
		}
		data, dataErr = generatedData()
	})
	if dataErr != nil {
		t.Fatal(dataErr)
	}
	return data
}

func seq(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// generatedData makes 520 28×28 images whose class k is a bright bar at
// row 2k+4 plus noise, writes them as IDX and reads them back.
func generatedData() (*mnist.Data, error) {
	dir, err := os.MkdirTemp("", "fracdyn-run-test-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	const n = 520
	pixels, labels := testutil.BarImages(n)
	ip, lp := filepath.Join(dir, "images.idx"), filepath.Join(dir, "labels.idx")
	if err := mnist.WriteImages(ip, pixels, n, 28, 28); err != nil {
		return nil, err
	}
	if err := mnist.WriteLabels(lp, labels); err != nil {
		return nil, err
	}
	px, m, rows, cols, err := mnist.ReadImages(ip)
	if err != nil {
		return nil, err
	}
	lb, err := mnist.ReadLabels(lp)
	if err != nil {
		return nil, err
	}
	all := &mnist.Set{Images: px, Labels: lb, N: m, Rows: rows, Cols: cols, Files: []string{"generated"}}
	train, eval := seq(320), make([]int, 200)
	for i := range eval {
		eval[i] = 320 + i
	}
	return &mnist.Data{Train: all.Subset(train), Eval: all.Subset(eval), Dataset: "mnist", Dir: "generated",
		Notes: []string{"generated bar patterns"}}, nil
}

// testParams is the MLP at batch 32: 10 steps per epoch of the 320 images.
func testParams(t *testing.T, settings string) Options {
	t.Helper()
	p, err := NewContext("paper")
	if err != nil {
		t.Fatal(err)
	}
	if err := SetParams(p, "arch=mlp;epochs=1;batch_size=32;learning_rate=0.001;probe_size=16;track_sample=32;"+settings); err != nil {
		t.Fatal(err)
	}
	return Options{Out: filepath.Join(t.TempDir(), "run"), Params: p, Data: testData(t)}
}

func TestTrainWritesCompleteRun(t *testing.T) {
	opts := testParams(t, "")
	var log bytes.Buffer
	opts.Log = &log
	r, err := Train(gocontext.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "backend SimpleGo") || !strings.Contains(log.String(), "epoch 1/1") {
		t.Errorf("log lacks backend or epoch line:\n%s", log.String())
	}
	c := r.Config
	if c.Arch != "mlp" || c.StepsPerEpoch != 10 || c.Seed != 1 || c.GoVersion == "" || c.Backend == "" || len(c.Layers) != 3 {
		t.Errorf("config: arch %q, steps/epoch %d, seed %d, go %q, backend %q, %d layers",
			c.Arch, c.StepsPerEpoch, c.Seed, c.GoVersion, c.Backend, len(c.Layers))
	}
	steps, err := r.Steps()
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 10 || steps[9].Step != 10 || steps[9].Epoch != 1 {
		t.Fatalf("steps: %d rows, last %+v", len(steps), steps[len(steps)-1])
	}
	for _, s := range steps {
		var sq float64
		for _, l := range []string{"fc1", "fc2", "fc3"} {
			sq += s.LayerGradNorms[l] * s.LayerGradNorms[l]
		}
		if math.Abs(math.Sqrt(sq)-s.GradNorm) > 1e-4*s.GradNorm {
			t.Errorf("step %d: layer norms %v do not add up to %g", s.Step, s.LayerGradNorms, s.GradNorm)
		}
	}
	epochs, err := r.EpochStats()
	if err != nil || len(epochs) != 1 {
		t.Fatalf("epochs %v, %v", epochs, err)
	}
	if e := epochs[0]; !(e.EvalAccuracy > 0.3) || !(e.EvalLoss < 2.2) {
		t.Errorf("after one epoch eval accuracy %.3f, loss %.3f", e.EvalAccuracy, e.EvalLoss)
	}
	ep, err := r.SnapshotEpochs()
	if err != nil || len(ep) != 2 || ep[0] != 0 || ep[1] != 1 {
		t.Fatalf("snapshot epochs %v, %v", ep, err)
	}
	s0, err := r.Snapshot(0)
	if err != nil {
		t.Fatal(err)
	}
	s1, err := r.Snapshot(1)
	if err != nil {
		t.Fatal(err)
	}
	if !(s1.Loss < s0.Loss-0.2) {
		t.Errorf("probe loss went from %.4f to %.4f, want a drop of at least 0.2", s0.Loss, s1.Loss)
	}
	w, err := s1.Weight("fc1")
	if err != nil || len(w.Shape) != 2 || w.Shape[0] != 256 || w.Shape[1] != 784 {
		t.Fatalf("fc1 weight %v, %v", w, err)
	}
	if g, _ := s1.Grad("fc2"); g == nil || g.Len() != 128*256 {
		t.Errorf("fc2 gradient %v", g)
	}
	images, labels, err := r.Probe()
	if err != nil || len(images) != 16*784 || len(labels) != 16 {
		t.Fatalf("probe: %d images, %d labels, %v", len(images), len(labels), err)
	}
	index, series, err := r.TrackedSegments()
	if err != nil {
		t.Fatal(err)
	}
	// mlp: fc1 is dense, so sampled like the rest: 32 of each of 3 layers.
	if len(index) != 96 || series.Shape[0] != 10 || series.Shape[1] != 96 || c.Track.Segments != 96 {
		t.Fatalf("tracked: %d segments, series %v", len(index), series.Shape)
	}
	_, means, err := r.TrackedSegmentMeans()
	if err != nil {
		t.Fatal(err)
	}
	// |mean| ≤ norm/r for an r×r block (Cauchy–Schwarz); most norms > 0
	// (weights of always-black border pixels get no gradient).
	nf, mf := series.Float32s(), means.Float32s()
	positive := 0
	for i := range nf {
		if !(nf[i] >= 0) || math.Abs(float64(mf[i])) > float64(nf[i])/2+1e-6 {
			t.Fatalf("entry %d: norm %g, mean %g", i, nf[i], mf[i])
		}
		if nf[i] > 0 {
			positive++
		}
	}
	if positive < len(nf)/2 {
		t.Errorf("only %d of %d segment norms are positive", positive, len(nf))
	}
	for _, f := range []string{"checkpoints/epoch-001", SegmentsIndex} {
		if _, err := os.Stat(filepath.Join(r.Dir, f)); err != nil {
			t.Error(err)
		}
	}
	t.Run("numpy", func(t *testing.T) { numpyReads(t, r.Dir) })
}

// TestTrainsOnGeneratedData trains on the generated bar patterns (the
// fallback when the real files are absent), which an MLP separates at once.
func TestTrainsOnGeneratedData(t *testing.T) {
	d, err := generatedData()
	if err != nil {
		t.Fatal(err)
	}
	opts := testParams(t, "")
	opts.Data = d
	r, err := Train(gocontext.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	e, err := r.EpochStats()
	if err != nil {
		t.Fatal(err)
	}
	if acc := e[0].EvalAccuracy; acc < 0.9 {
		t.Errorf("accuracy on generated bars %.3f, want ≥ 0.9", acc)
	}
	if r.Config.Data.Partial || r.Config.Data.Files[0] != "generated" {
		t.Errorf("data info %+v", r.Config.Data)
	}
}

// numpyReads loads the snapshot and series with numpy when it is installed.
func numpyReads(t *testing.T, dir string) {
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		t.Skip("no /usr/bin/python3")
	}
	if exec.Command("/usr/bin/python3", "-c", "import numpy").Run() != nil {
		t.Skip("numpy not installed")
	}
	script := `import numpy, sys
d = sys.argv[1]
s = numpy.load(d + "/snapshots/epoch-001.npz")
assert s["fc1.weight"].shape == (256, 784) and s["fc1.weight"].dtype == numpy.float32, s["fc1.weight"].shape
assert s["fc3.bias.grad"].shape == (10,)
p = numpy.load(d + "/probe.npz")
assert p["images"].shape == (16, 28, 28) and p["labels"].dtype == numpy.int32
a = numpy.load(d + "/steps-segments.npy")
assert a.shape == (10, 96) and a.dtype == numpy.float32
print("ok", float(s["loss"][0]))
`
	out, err := exec.Command("/usr/bin/python3", "-c", script, dir).CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "ok") {
		t.Fatalf("numpy: %v\n%s", err, out)
	}
}

// sameFiles fails unless the files rel exist with equal bytes in a and b.
func sameFiles(t *testing.T, a, b string, rel ...string) {
	t.Helper()
	for _, f := range rel {
		x, err := os.ReadFile(filepath.Join(a, f))
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(b, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between %s and %s", f, a, b)
		}
	}
}

var runFiles = []string{StepsFile, SegmentsFile, SegmentsMeanFile, SegmentsIndex, ProbeFile,
	"snapshots/epoch-000.npz", "snapshots/epoch-001.npz", "snapshots/epoch-002.npz"}

// TestDeterministicAndResumable trains two epochs twice with the same seed
// and once interrupted in epoch 2 and resumed: all three give the same
// bytes. The MLP runs 10 steps per epoch; the pooled CNN (the paper CNN's
// convolutions with a 64× smaller fc1, so the test writes little) 3 steps
// of 8.
func TestDeterministicAndResumable(t *testing.T) {
	for _, tc := range []struct {
		arch, settings          string
		cancelAt, want, evalImg int
	}{
		{"mlp", "epochs=2", 13, 10, 200},
		{"cnn-pool", "arch=cnn-pool;epochs=2;batch_size=8;epoch_images=24;probe_size=8;track_sample=16", 4, 3, 40},
	} {
		t.Run(tc.arch, func(t *testing.T) { checkResume(t, tc.settings, tc.cancelAt, tc.want, tc.evalImg) })
	}
}

func checkResume(t *testing.T, settings string, cancelAt, stepsPerEpoch, evalImages int) {
	testParams := func(t *testing.T, settings string) Options {
		o := testParams(t, settings)
		d := *o.Data
		d.Eval = d.Eval.Subset(seq(evalImages))
		o.Data = &d
		return o
	}
	a := testParams(t, settings)
	if _, err := Train(gocontext.Background(), a); err != nil {
		t.Fatal(err)
	}
	b := testParams(t, settings)
	if _, err := Train(gocontext.Background(), b); err != nil {
		t.Fatal(err)
	}
	sameFiles(t, a.Out, b.Out, runFiles...)

	c := testParams(t, settings)
	ctx, cancel := gocontext.WithCancel(gocontext.Background())
	c.OnStep = func(s Step) {
		if s.Step == cancelAt {
			cancel()
		}
	}
	_, err := Train(ctx, c)
	if !errors.Is(err, gocontext.Canceled) {
		t.Fatalf("interrupted run: %v, want context.Canceled", err)
	}
	r, err := Open(c.Out)
	if err != nil {
		t.Fatal(err)
	}
	if steps, err := r.Steps(); err != nil || len(steps) != cancelAt {
		t.Errorf("after interrupt: %d steps, %v", len(steps), err)
	}
	if ep, _ := r.SnapshotEpochs(); len(ep) != 2 {
		t.Errorf("after interrupt: snapshots %v, want [0 1]", ep)
	}
	c.OnStep = nil
	var log bytes.Buffer
	c.Log = &log
	if _, err := Train(gocontext.Background(), c); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "resuming") {
		t.Errorf("no resume message:\n%s", log.String())
	}
	sameFiles(t, a.Out, c.Out, runFiles...)
	r, _ = Open(c.Out)
	if steps, _ := r.Steps(); len(steps) != 2*stepsPerEpoch {
		t.Errorf("resumed run has %d steps, want %d", len(steps), 2*stepsPerEpoch)
	}
	a1, _ := os.ReadFile(filepath.Join(a.Out, EpochsFile))
	c1, _ := os.ReadFile(filepath.Join(c.Out, EpochsFile))
	if n, m := bytes.Count(a1, []byte("\n")), bytes.Count(c1, []byte("\n")); n != 3 || m != 3 {
		t.Errorf("epochs.csv lines: %d and %d, want 3", n, m)
	}

	// Resuming with another seed names the key.
	d := testParams(t, settings+";epochs=3;seed=2")
	d.Out = c.Out
	if _, err := Train(gocontext.Background(), d); err == nil || !strings.Contains(err.Error(), `"seed"`) {
		t.Errorf("resume with another seed: %v, want an error naming \"seed\"", err)
	}
}

func TestDivergenceStops(t *testing.T) {
	// A learning rate of 1e30 sends the weights to ±1e30 at step 1, so
	// step 2's logits overflow and its loss is NaN.
	opts := testParams(t, "learning_rate=1e30")
	_, err := Train(gocontext.Background(), opts)
	if !errors.Is(err, ErrDiverged) || !strings.Contains(err.Error(), "epoch 1 step 2") {
		t.Fatalf("got %v, want ErrDiverged at epoch 1 step 2", err)
	}
	r, err := Open(opts.Out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Snapshot(0); err != nil {
		t.Errorf("snapshot 0 after divergence: %v", err)
	}
	if steps, err := r.Steps(); err != nil || len(steps) != 2 || !math.IsNaN(steps[1].Loss) {
		t.Errorf("steps after divergence: %v, %v", steps, err)
	}
}

// TestDivergenceWithoutNaN: Adam at lr 10 blows the loss up without a NaN;
// the MaxLoss limit stops it, keeping snapshot 0 and the steps.
func TestDivergenceWithoutNaN(t *testing.T) {
	opts := testParams(t, "learning_rate=10")
	_, err := Train(gocontext.Background(), opts)
	if !errors.Is(err, ErrDiverged) || !strings.Contains(err.Error(), "limit 10000") {
		t.Fatalf("got %v, want ErrDiverged naming the loss limit", err)
	}
	r, err := Open(opts.Out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Snapshot(0); err != nil {
		t.Errorf("snapshot 0 after divergence: %v", err)
	}
	steps, err := r.Steps()
	if err != nil || len(steps) == 0 {
		t.Fatalf("steps after divergence: %v, %v", steps, err)
	}
	last := steps[len(steps)-1].Loss
	for _, s := range steps[:len(steps)-1] {
		if s.Loss > MaxLoss || math.IsNaN(s.Loss) {
			t.Errorf("step %d with loss %g passed the limit", s.Step, s.Loss)
		}
	}
	if !(last > MaxLoss) || math.IsNaN(last) {
		t.Errorf("last step's loss %g, want finite and above %g", last, MaxLoss)
	}
}

func TestWriteFailureKeepsSnapshots(t *testing.T) {
	opts := testParams(t, "")
	// A directory where steps.csv goes makes the end-of-epoch write fail
	// (as a read-only or full disk would, even for root).
	opts.OnStep = func(s Step) {
		if s.Step == 1 {
			p := filepath.Join(opts.Out, StepsFile)
			os.Remove(p)
			os.Mkdir(p, 0o755)
		}
	}
	_, err := Train(gocontext.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "epoch 1") || !strings.Contains(err.Error(), StepsFile) {
		t.Fatalf("got %v, want an error naming epoch 1 and %s", err, StepsFile)
	}
	r, err := Open(opts.Out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Snapshot(0); err != nil {
		t.Errorf("snapshot 0 after a failed write: %v", err)
	}
}

func TestBadRunDirs(t *testing.T) {
	opts := testParams(t, "")
	if _, err := Train(gocontext.Background(), opts); err != nil {
		t.Fatal(err)
	}
	good := opts.Out
	truncate := func(path string) {
		b, _ := os.ReadFile(path)
		os.WriteFile(path, b[:len(b)/2], 0o644)
	}
	tests := []struct {
		name    string
		breakIt func(dir string)
		read    func(r *Run) error
		want    string
	}{
		{"missing dir", func(dir string) { os.RemoveAll(dir) }, nil, "no such file"},
		{"missing config", func(dir string) { os.Remove(filepath.Join(dir, ConfigFile)) }, nil, "config.json"},
		{"truncated config", func(dir string) { truncate(filepath.Join(dir, ConfigFile)) }, nil, "config.json"},
		{"truncated snapshot", func(dir string) { truncate(filepath.Join(dir, SnapshotsDir, "epoch-001.npz")) },
			func(r *Run) error { _, err := r.Snapshot(1); return err }, "epoch-001.npz"},
		{"missing snapshot", func(string) {}, func(r *Run) error { _, err := r.Snapshot(7); return err }, "epoch 7"},
		{"unknown layer", func(string) {}, func(r *Run) error { _, err := r.Layer("conv9"); return err }, `"conv9"`},
		{"unknown snapshot layer", func(string) {},
			func(r *Run) error {
				s, err := r.Snapshot(1)
				if err != nil {
					return nil
				}
				_, err = s.Weight("conv1")
				return err
			}, "fc1, fc2, fc3"},
		{"truncated steps", func(dir string) { truncate(filepath.Join(dir, StepsFile)) },
			func(r *Run) error { _, err := r.Steps(); return err }, StepsFile},
		{"truncated series", func(dir string) { truncate(filepath.Join(dir, SegmentsFile)) },
			func(r *Run) error { _, _, err := r.TrackedSegments(); return err }, SegmentsFile},
		{"missing probe", func(dir string) { os.Remove(filepath.Join(dir, ProbeFile)) },
			func(r *Run) error { _, _, err := r.Probe(); return err }, ProbeFile},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := testutil.CopyRun(t, good)
			tc.breakIt(dir)
			r, err := Open(dir)
			if err == nil && tc.read != nil {
				err = tc.read(r)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
	// A snapshot missing an entry is reported by name.
	dir := testutil.CopyRun(t, good)
	path := filepath.Join(dir, SnapshotsDir, "epoch-001.npz")
	names, arrays, err := arrayio.ReadNPZ(path)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, n := range names {
		if n != "fc2.bias.grad" {
			kept = append(kept, n)
		}
	}
	if err := arrayio.WriteNPZ(path, kept, arrays); err != nil {
		t.Fatal(err)
	}
	r, _ := Open(dir)
	if _, err := r.Snapshot(1); err == nil || !strings.Contains(err.Error(), "fc2.bias.grad") {
		t.Errorf("snapshot without fc2.bias.grad: %v", err)
	}
}
