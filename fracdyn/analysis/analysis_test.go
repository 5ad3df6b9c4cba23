package analysis

import (
	gocontext "context"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/fracdyn/fracdyn/fracdyn/gcn"
	"github.com/fracdyn/fracdyn/fracdyn/run"
	"github.com/fracdyn/fracdyn/internal/bardata"
	"github.com/fracdyn/fracdyn/internal/testutil"
)

var (
	runOnce sync.Once
	runDir  string
	runErr  error
)

// testRun trains an MLP for one epoch of 10 steps on generated bar images
// (digit k: a bright row 2k+4) and returns its run directory.
func testRun(t *testing.T) string {
	runOnce.Do(func() {
		runDir, runErr = trainBars(420, "arch=mlp;epochs=1;batch_size=32;probe_size=32;track_sample=8")
	})
	if runErr != nil {
		t.Fatal(runErr)
	}
	return runDir
}

// trainBars trains a run of the paper preset with settings on n generated
// bar images, the first 320 for training and the rest held out, into a new
// temporary directory, and returns the run directory.
func trainBars(n int, settings string) (string, error) {
	data := bardata.Data(n, 320)
	p, err := run.NewContext("paper")
	if err != nil {
		return "", err
	}
	if err := run.SetParams(p, settings); err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "fracdyn-analysis-test-")
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, "run")
	_, err = run.Train(gocontext.Background(), run.Options{Out: out, Params: p, Data: data})
	return out, err
}

func testOptions() Options {
	return Options{Scales: []int{8, 16}, Gammas: []float64{0.5, 2}, Backend: backend.MustNew(),
		GCN: map[string]any{gcn.ParamEpochs: 15}, ClampGraphScales: true, WriteEdges: true}
}

func TestAnalyzeMLPRun(t *testing.T) {
	dir := testRun(t)
	rep, err := Analyze(gocontext.Background(), dir, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, Dir)
	// Per-segment tables: fc1 [256,784] at r=8: 32·98 segments, at 16:
	// 16·49; fc2 [128,256]: 16·32 and 8·16; fc3 [10,128] has no r ≥ 8.
	for _, epoch := range []int{0, 1} {
		meas, rows, err := ReadSegments(dir, epoch)
		if err != nil {
			t.Fatal(err)
		}
		if want := 32*98 + 16*49 + 16*32 + 8*16; len(rows) != want {
			t.Errorf("epoch %d: %d segment rows, want %d", epoch, len(rows), want)
		}
		if !slices.Equal(meas, segmentMeasures()) || int(rows[0].Epoch) != epoch || rows[0].Layer != "fc1" || rows[0].R != 8 {
			t.Errorf("bad segment table measures/row: %v / %+v", meas, rows[0])
		}
	}
	layers := testutil.ReadCSV(t, filepath.Join(out, LayersFile))
	if len(layers) != 1+2*3*2 { // epochs × layers × scales
		t.Errorf("layers.csv has %d rows, want 13", len(layers))
	}
	// Surrogate: one dense graph fc1-fc2-fc3 per epoch, scale and γ.
	if len(rep.Results) != 2*2*2 {
		t.Fatalf("%d surrogate results, want 8", len(rep.Results))
	}
	for _, r := range rep.Results {
		if r.Graph != "fc1-fc2-fc3" || r.Edges == 0 || r.TestEdges == 0 {
			t.Errorf("result %+v", r)
		}
		for name, m := range map[string]gcn.Metrics{"surrogate": r.Surrogate, "random": r.Baselines["random"],
			"cosine": r.Baselines["cosine"], "gcn_linear": r.Baselines["gcn_linear"], "gcn_unweighted": r.Baselines["gcn_unweighted"]} {
			if !(m.AUC >= 0 && m.AUC <= 1 && m.AP > 0 && m.AP <= 1) {
				t.Errorf("epoch %d r=%d %s: AUC %v AP %v", r.Epoch, r.R, name, m.AUC, m.AP)
			}
		}
		if p := filepath.Join(out, EdgesDir, "epoch-001-r8-fc1-fc2-fc3.csv"); r.Epoch == 1 && r.R == 8 {
			if rows := testutil.ReadCSV(t, p); len(rows) != r.Edges+1 || len(rows[0]) != 7+2 {
				t.Errorf("%s: %d rows × %d columns, want %d × 9", p, len(rows), len(rows[0]), r.Edges+1)
			}
		}
	}
	if len(rep.MultiScale) != 2 {
		t.Fatalf("%d multi-scale results, want 2 (8→16 per epoch)", len(rep.MultiScale))
	}
	for _, m := range rep.MultiScale {
		if m.FineR != 8 || m.CoarseR != 16 || math.IsNaN(m.R2) || math.IsNaN(m.R2Shuffled) || m.Hyperedges == 0 {
			t.Errorf("multi-scale %+v", m)
		}
	}
	if _, err := os.Stat(filepath.Join(out, SurrogateFile)); err != nil {
		t.Error(err)
	}

	// The same seed gives the same numbers.
	opts := testOptions()
	opts.Epochs = []int{1}
	again, err := Analyze(gocontext.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range again.Results {
		want := rep.Results[len(rep.Results)/2+i]
		if r.Surrogate != want.Surrogate || r.Baselines["gcn_linear"] != want.Baselines["gcn_linear"] || r.FinalLoss != want.FinalLoss {
			t.Errorf("rerun differs: %+v vs %+v", r.Surrogate, want.Surrogate)
		}
	}
}

func TestAnalyzeDataFree(t *testing.T) {
	dir := testRun(t)
	opts := testOptions()
	opts.DataFree, opts.Backend, opts.Epochs, opts.Scales, opts.Gammas = true, nil, []int{1}, []int{8}, nil
	opts.NullDraws = 3
	rep, err := Analyze(gocontext.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	// layers.csv carries the null columns: fc1 and fc2 are measured at
	// r=8, with 3 draws per null and a verdict for every measure.
	layers := testutil.ReadCSV(t, filepath.Join(dir, Dir, LayersFile))
	hcol := map[string]int{}
	for i, h := range layers[0] {
		hcol[h] = i
	}
	if len(layers[0]) != len(layersHeader()) || len(layers[1]) != len(layers[0]) {
		t.Fatalf("layers.csv: %d columns in the header, %d in a row", len(layers[0]), len(layers[1]))
	}
	for _, row := range layers[1:] {
		if row[hcol["null_draws"]] != "3" {
			t.Errorf("%s: null_draws %q, want 3", row[0], row[hcol["null_draws"]])
		}
		// A measure the estimator leaves undefined (NaN: the variogram of
		// a white-noise-like layer falls outside [2, 3]) has an undefined
		// verdict; every other has a verdict.
		for _, m := range []string{"dim_bc", "dim_dbc", "dim_variogram", "selfsim_dimension"} {
			v := row[hcol[m+"_null_verdict"]]
			if undef := row[hcol[m]] == "NaN"; v == "" || (v == "undefined") != undef {
				t.Errorf("%s: %s = %s, verdict %q", row[0], m, row[hcol[m]], v)
			}
		}
		measured := row[0] != "fc3" // fc3 [10,128] has no r=8
		if got := row[hcol["mean_segment_fd_null_verdict"]] != ""; got != measured {
			t.Errorf("%s: segment null verdict %q", row[0], row[hcol["mean_segment_fd_null_verdict"]])
		}
		if measured && row[hcol["null_segments"]] == "0" {
			t.Errorf("%s: no segments per null draw", row[0])
		}
	}
	if !rep.DataFree || len(rep.Results) != 1 || len(rep.MultiScale) != 0 {
		t.Errorf("data-free report: %v, %d results, %d multi-scale", rep.DataFree, len(rep.Results), len(rep.MultiScale))
	}
	meas, rows, err := ReadSegments(dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(meas, "a_norm")
	if col < 0 || len(rows) == 0 {
		t.Fatalf("measures %v, %d rows", meas, len(rows))
	}
	for _, r := range rows {
		if r.Measures[col] != 1 {
			t.Fatalf("data-free ‖A‖ = %v, want 1", r.Measures[col])
		}
	}
}

func TestAnalyzeErrors(t *testing.T) {
	dir := testRun(t)
	for name, c := range map[string]struct {
		mod  func(*Options)
		want string
	}{
		"gamma":  {func(o *Options) { o.Gammas = []float64{1, 0} }, "γ"},
		"layer":  {func(o *Options) { o.Layers = []string{"conv9"} }, `unknown layer "conv9"`},
		"epoch":  {func(o *Options) { o.Epochs = []int{7} }, "no snapshot of epoch 7"},
		"kernel": {func(o *Options) { o.Kernel = "cubic" }, "unknown kernel"},
		"scale":  {func(o *Options) { o.Scales = []int{1} }, "r=1"},
	} {
		opts := testOptions()
		c.mod(&opts)
		_, err := Analyze(gocontext.Background(), dir, opts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, c.want)
		}
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if runDir != "" {
		os.RemoveAll(filepath.Dir(runDir))
	}
	os.Exit(code)
}

// TestAnalyzeGCPercent checks that Analyze runs with Options.GCPercent and
// gives the process its own setting back.
func TestAnalyzeGCPercent(t *testing.T) {
	if _, set := os.LookupEnv("GOGC"); set {
		t.Skip("GOGC is set: Analyze leaves the collector alone")
	}
	gcPercent := func() int { p := debug.SetGCPercent(100); debug.SetGCPercent(p); return p }
	before := gcPercent()
	dir := testRun(t)
	opts := testOptions()
	opts.DataFree, opts.Backend, opts.Epochs, opts.Scales, opts.NullDraws = true, nil, []int{1}, []int{8}, -1
	opts.GCPercent = 37
	during := 0
	opts.Extra = []Stage{func(gocontext.Context, *run.Run, string) error { during = gcPercent(); return nil }}
	if _, err := Analyze(gocontext.Background(), dir, opts); err != nil {
		t.Fatal(err)
	}
	if after := gcPercent(); during != 37 || after != before {
		t.Errorf("GC percent %d during Analyze (want 37), %d after (want %d as before)", during, after, before)
	}
}
