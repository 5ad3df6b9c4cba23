package dynamics

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/arrayio"
	"github.com/fracdyn/fracdyn/fracdyn/attractor"
	"github.com/fracdyn/fracdyn/fracdyn/run"
	"github.com/fracdyn/fracdyn/internal/bardata"
	"github.com/fracdyn/fracdyn/mnist"
)

// barData is an easy generated task: image k%10 has a bright bar on row
// 2k+4 over noise. 320 training and 200 held-out images.
func barData() *mnist.Data { return bardata.Data(520, 320) }

// mlpSettings: the MLP at batch 16, 20 steps per epoch.
const mlpSettings = "arch=mlp;batch_size=16;probe_size=16;track_sample=16;eval_images=200"

var (
	trainedOnce sync.Once
	trainedDir  string
	trainedErr  error
)

// trainedRun trains, once per test binary, 8 epochs (160 steps) of the MLP
// with Adam at 1e-3: a converging run.
func trainedRun(t *testing.T) *run.Run {
	t.Helper()
	trainedOnce.Do(func() {
		dir, err := os.MkdirTemp("", "fracdyn-dynamics-")
		if err != nil {
			trainedErr = err
			return
		}
		trainedDir = filepath.Join(dir, "run")
		p, err := run.NewContext("paper")
		if err == nil {
			err = run.SetParams(p, mlpSettings+";epochs=8;learning_rate=0.001")
		}
		if err == nil {
			_, err = run.Train(context.Background(), run.Options{Out: trainedDir, Params: p, Data: barData()})
		}
		trainedErr = err
	})
	if trainedErr != nil {
		t.Fatal(trainedErr)
	}
	r, err := run.Open(trainedDir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestMain(m *testing.M) {
	code := m.Run()
	if trainedDir != "" {
		os.RemoveAll(filepath.Dir(trainedDir))
	}
	os.Exit(code)
}

func TestLoadTrajectories(t *testing.T) {
	r := trainedRun(t)
	tr, err := LoadTrajectories(r, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Step) != 160 || tr.Epoch[0] != 1 || tr.Epoch[159] != 8 {
		t.Fatalf("%d steps, epochs %d…%d; want 160 steps over epochs 1…8", len(tr.Step), tr.Epoch[0], tr.Epoch[len(tr.Epoch)-1])
	}
	kinds := map[string]int{}
	perLayer := map[string]int{}
	for _, s := range tr.Series {
		kinds[s.Kind]++
		if s.Kind == KindSegment {
			perLayer[s.Layer]++
		}
		if len(s.Values) != 160 {
			t.Errorf("%s has %d values", s.Name, len(s.Values))
		}
	}
	// loss, grad norm, 3 layer norms, 2 segments of each of 3 layers.
	if kinds[KindLoss] != 1 || kinds[KindGradNorm] != 1 || kinds[KindLayerNorm] != 3 || kinds[KindSegment] != 6 {
		t.Errorf("kinds %v", kinds)
	}
	for l, n := range perLayer {
		if n != 2 {
			t.Errorf("layer %s: %d segments, want 2", l, n)
		}
	}
	// The segment series is the recorded column.
	index, series, _ := r.TrackedSegments()
	for _, s := range tr.Series {
		if s.Kind == KindSegment {
			want := float64(series.Float32s()[5*len(index)+s.Column])
			if s.Values[5] != want || s.Name != SegmentName(index[s.Column]) {
				t.Errorf("%s step 6: %v, want %v", s.Name, s.Values[5], want)
			}
		}
	}
}

func TestAnalyzeRunTable(t *testing.T) {
	r := trainedRun(t)
	rows, err := AnalyzeRun(context.Background(), r, TableOptions{PerLayer: 1, Windows: 2, MinWindowSteps: 64})
	if err != nil {
		t.Fatal(err)
	}
	var loss *Row
	windows := 0
	for i := range rows {
		if rows[i].Kind == KindLoss && rows[i].Window == 0 {
			loss = &rows[i]
		}
		if rows[i].Window > 0 {
			windows++
			if rows[i].Steps != 80 {
				t.Errorf("window row %s/%d has %d steps, want 80", rows[i].Trajectory, rows[i].Window, rows[i].Steps)
			}
		}
	}
	if loss == nil || loss.Result == nil {
		t.Fatalf("no analysed loss row: %+v", loss)
	}
	// A converging run's loss settles on a fixed point.
	if loss.Result.Class != attractor.FixedPoint {
		t.Errorf("loss of a converging run: %s (%s), want %s", loss.Result.Class, loss.Result.Reason, attractor.FixedPoint)
	}
	// 8 trajectories (loss, norm, 3 layers, 3 segments), each whole and in
	// two windows of 4 epochs.
	if len(rows) != 24 || windows != 16 {
		t.Errorf("%d rows, %d windowed; want 24, 16", len(rows), windows)
	}
	path := filepath.Join(t.TempDir(), AttractorsFile)
	if err := WriteTable(path, rows); err != nil {
		t.Fatal(err)
	}
	back, err := ReadTable(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != len(rows) {
		t.Fatalf("read %d rows, wrote %d", len(back), len(rows))
	}
	for i := range rows {
		a, b := rows[i], back[i]
		if a.Trajectory != b.Trajectory || a.Window != b.Window || (a.Result == nil) != (b.Result == nil) {
			t.Fatalf("row %d: wrote %+v, read %+v", i, a, b)
		}
		if a.Result != nil && (a.Result.Class != b.Result.Class || math.Abs(a.Result.Lyapunov-b.Result.Lyapunov) > 1e-5*math.Abs(a.Result.Lyapunov)+1e-12) {
			t.Errorf("row %d: class/λ %s %v read back as %s %v", i, a.Result.Class, a.Result.Lyapunov, b.Result.Class, b.Result.Lyapunov)
		}
	}
	// Repeatable: the same table again.
	again, _ := AnalyzeRun(context.Background(), r, TableOptions{PerLayer: 1, Windows: 2, MinWindowSteps: 64, Workers: 1})
	path2 := filepath.Join(t.TempDir(), "again.csv")
	WriteTable(path2, again)
	a, _ := os.ReadFile(path)
	b, _ := os.ReadFile(path2)
	if string(a) != string(b) {
		t.Error("two analyses of the same run differ")
	}
}

func TestWriteFigures(t *testing.T) {
	r := trainedRun(t)
	dir := t.TempDir()
	files, err := WriteFigures(r, dir, FigureOptions{Segment: 1, Format: "svg",
		Rows: []Row{{Trajectory: "loss", Kind: KindLoss, EpochFrom: 1, EpochTo: 8,
			Result: &attractor.Result{Class: attractor.FixedPoint, Lyapunov: -0.01}}}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".svg"))
		if st, err := os.Stat(f); err != nil || st.Size() < 2000 {
			t.Errorf("%s: %v", f, err)
		}
	}
	for _, want := range []string{"fig3-grad-loss", "fig3-grad-mean-loss", "fig3-grad-loss-grid", "fig3-grad-loss-probe",
		"fig3-loss-derivatives", "fig3-loss-derivatives-epochs", "attractors"} {
		if !slices.Contains(names, want) {
			t.Errorf("no %s among %v", want, names)
		}
	}
}

func TestSegmentGradient(t *testing.T) {
	// conv gradient [2,1,3,3]: kernel (1,0) holds 10…18; its 2×2 block at
	// (1,1) is 14, 15, 17, 18.
	g := make([]float32, 18)
	for i := range g {
		g[i] = float32(i)
	}
	a := arrayio.FromFloat32(g, 2, 1, 3, 3)
	n, m, err := SegmentGradient(a, run.TrackedSegment{Layer: "conv1", Neuron: 1, Channel: 0, Row: 1, Col: 1, R: 2})
	if err != nil {
		t.Fatal(err)
	}
	if want := math.Sqrt(13*13 + 14*14 + 16*16 + 17*17); math.Abs(n-want) > 1e-9 || m != 15 {
		t.Errorf("norm, mean = %v, %v; want %v, 15", n, m, want)
	}
	// dense [3,6]: block at row 1, col 4 is 10, 11, 16, 17.
	d := arrayio.FromFloat32(g, 3, 6)
	if _, m, _ := SegmentGradient(d, run.TrackedSegment{Layer: "fc1", Neuron: -1, Channel: -1, Row: 1, Col: 4, R: 2}); m != 13.5 {
		t.Errorf("dense mean %v, want 13.5", m)
	}
	if _, _, err := SegmentGradient(d, run.TrackedSegment{Neuron: -1, Row: 2, Col: 5, R: 2}); err == nil {
		t.Error("block past the edge: no error")
	}
}

func TestEpochWindows(t *testing.T) {
	ep := []int{1, 1, 2, 2, 3, 3, 4, 4, 5, 5}
	got := epochWindows(ep, 2)
	if len(got) != 2 || got[0] != (window{0, 4}) || got[1] != (window{4, 10}) {
		t.Errorf("windows %v", got)
	}
	if got := epochWindows(ep, 9); len(got) != 5 {
		t.Errorf("9 windows of 5 epochs: %v", got)
	}
}

// With two segments per layer each layer also gets a segment-vector row: a
// multivariate trajectory of its segments' norms.
func TestAnalyzeRunSegmentVectors(t *testing.T) {
	r := trainedRun(t)
	rows, err := AnalyzeRun(context.Background(), r, TableOptions{PerLayer: 2, Windows: -1})
	if err != nil {
		t.Fatal(err)
	}
	var vectors []Row
	for _, row := range rows {
		if row.Kind == KindSegmentVector {
			vectors = append(vectors, row)
		}
	}
	// loss, grad norm, 3 layer norms, 6 segments, 3 vectors.
	if len(rows) != 14 || len(vectors) != 3 {
		t.Fatalf("%d rows with %d vectors, want 14 and 3", len(rows), len(vectors))
	}
	for _, v := range vectors {
		if v.Column != 2 || v.Steps != 160 || v.Result == nil || v.Result.Cols != 2 || v.Trajectory != "segments_"+v.Layer {
			t.Errorf("vector row %+v", v)
		}
	}
}
