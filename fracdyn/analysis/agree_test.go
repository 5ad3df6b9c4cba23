package analysis

import (
	gocontext "context"
	"math"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/diagnose"
	"github.com/fracdyn/fracdyn/fracdyn/fractal"
	"github.com/fracdyn/fracdyn/fracdyn/modelfile"
	"github.com/fracdyn/fracdyn/fracdyn/run"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
	"github.com/fracdyn/fracdyn/internal/testutil"
)

var (
	cnnOnce sync.Once
	cnnDir  string
	cnnErr  error
)

// testCNNRun trains the pooled CNN for one epoch of 10 steps on generated
// bar images and returns its run directory.
func testCNNRun(t *testing.T) string {
	cnnOnce.Do(func() {
		cnnDir, cnnErr = trainBars(352, "arch=cnn-pool;epochs=1;batch_size=32;probe_size=32;track_sample=8")
	})
	if cnnErr != nil {
		t.Fatal(cnnErr)
	}
	return cnnDir
}

// TestAnalyzeAgreesWithAnalyzeModel checks that `fracdyn analyze` (layers.csv)
// and `fracdyn analyze-model` (diagnose.Analyze) give the same whole-matrix
// dimensions and R² of every estimator on every layer of a pooled-CNN run,
// in both conv views, and the same mean segment entropy at r=2 where both
// cut the same segments (analyze cuts conv segments per kernel in either
// view).
func TestAnalyzeAgreesWithAnalyzeModel(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a CNN run")
	}
	src := testCNNRun(t)
	for _, cv := range []weights.ConvView{weights.PerKernel, weights.Unfolded} {
		t.Run(cv.String(), func(t *testing.T) {
			dir := testutil.CopyRun(t, src)
			r, err := run.Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			// Layers in pairs that form no graph, so no surrogate is trained.
			got := map[string][]string{} // layer → its layers.csv row at r=2
			var header []string
			for _, pair := range [][]string{{"conv1", "fc1"}, {"conv2", "fc2"}} {
				opts := Options{Scales: []int{2}, DataFree: true, Layers: pair, Epochs: []int{1}, ConvView: cv}
				if _, err := Analyze(gocontext.Background(), dir, opts); err != nil {
					t.Fatal(err)
				}
				rows := testutil.ReadCSV(t, filepath.Join(dir, Dir, LayersFile))
				header = rows[0]
				for _, row := range rows[1:] {
					got[row[0]] = row
				}
			}
			col := map[string]int{}
			for i, h := range header {
				col[h] = i
			}
			m, err := modelfile.OpenWith(dir, modelfile.Options{Epoch: modelfile.AtEpoch(1), ConvView: cv})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			reps, err := diagnose.Analyze(gocontext.Background(), m, diagnose.AnalyzeOptions{Scales: []int{2}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(reps) != len(r.Config.Layers) {
				t.Fatalf("analyze-model reports %d layers, the run has %d", len(reps), len(r.Config.Layers))
			}
			for i, rep := range reps {
				l := r.Config.Layers[i]
				row, ok := got[l.Name]
				if rep.Info.Name != l.WeightName() || !ok || rep.Err != "" {
					t.Fatalf("layer %s: analyze-model %q (err %q), layers.csv row %v", l.Name, rep.Info.Name, rep.Err, ok)
				}
				v, _ := l.View(cv)
				if rep.Info.Matrices.String() != v.String() {
					t.Errorf("%s: analyze-model reads %v, the run's layer %v", l.Name, rep.Info.Matrices, v)
				}
				cell := func(name string) float64 {
					f, err := strconv.ParseFloat(row[col[name]], 64)
					if err != nil {
						t.Fatalf("%s: %s = %q", l.Name, name, row[col[name]])
					}
					return f
				}
				finite := 0
				for _, e := range rep.Estimators {
					if e.Method == fractal.MethodPaper {
						continue // analyze tabulates it per r
					}
					for _, c := range []struct {
						name string
						want float64
					}{{"dim_" + string(e.Method), e.Dimension.Mean}, {"dim_r2_" + string(e.Method), e.R2.Mean}} {
						g := cell(c.name)
						if !(g == c.want || math.IsNaN(g) && math.IsNaN(c.want)) && math.Abs(g-c.want) > 1e-7*math.Abs(c.want) {
							t.Errorf("%s (%v view): analyze %s = %v, analyze-model %v", l.Name, cv, c.name, g, c.want)
						}
						if !math.IsNaN(g) {
							finite++
						}
					}
				}
				if finite == 0 {
					t.Errorf("%s: no estimator gave a finite dimension", l.Name)
				}
				if len(rep.Scales) != 1 || rep.Scales[0].R != 2 {
					t.Fatalf("%s: analyze-model scales %+v", l.Name, rep.Scales)
				}
				if cv == weights.Unfolded && l.Kind == weights.Conv {
					continue // analyze cuts segments per kernel in either view
				}
				if g, want := cell("mean_entropy"), rep.Scales[0].H.Mean; math.Abs(g-want) > 1e-6*math.Abs(want) {
					t.Errorf("%s: mean segment entropy %v in analyze, %v in analyze-model", l.Name, g, want)
				}
			}
		})
	}
}
