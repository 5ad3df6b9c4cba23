package analysis

import (
	gocontext "context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/gcn"
	"github.com/fracdyn/fracdyn/internal/testutil"
)

// TestAnalyzeDefaultScalesSkipped: without Scales every valid scale of a
// layer is analysed (the MLP's 10×128 fc3: r = 2…5), and a segment limit
// names what it leaves out in Report.Skipped and skipped.csv. At
// MaxSegments 100, fc3 at r=2 (5·64 = 320 segments) and r=3 (4·43 = 172)
// are skipped; r=4 (3·32 = 96) and r=5 (2·26 = 52) are measured.
func TestAnalyzeDefaultScalesSkipped(t *testing.T) {
	dir := testutil.CopyRun(t, testRun(t))
	opts := Options{DataFree: true, Layers: []string{"fc3"}, Epochs: []int{1}, MaxSegments: 100}
	rep, err := Analyze(gocontext.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	_, rows, err := ReadSegments(dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	count := map[int32]int{}
	for _, r := range rows {
		count[r.R]++
	}
	if want := map[int32]int{4: 96, 5: 52}; len(count) != 2 || count[4] != want[4] || count[5] != want[5] {
		t.Errorf("segment rows by r %v, want %v", count, want)
	}
	layers := testutil.ReadCSV(t, filepath.Join(dir, Dir, LayersFile))
	var rs []string
	for _, l := range layers[1:] {
		rs = append(rs, l[2])
	}
	if want := []string{"2", "3", "4", "5"}; !slices.Equal(rs, want) {
		t.Errorf("layers.csv scales %v, want %v", rs, want)
	}
	skipped := testutil.ReadCSV(t, filepath.Join(dir, Dir, SkippedFile))
	if len(skipped) != 3 || len(rep.Skipped) != 2 {
		t.Fatalf("skipped.csv %v, report %+v: want fc3 at r=2 and r=3", skipped, rep.Skipped)
	}
	for k, r := range []string{"2", "3"} {
		row := skipped[k+1]
		if row[0] != "1" || row[1] != "fc3" || row[2] != r || row[4] != "skipped" || !strings.Contains(row[5], "exceed the limit of 100") {
			t.Errorf("skipped.csv row %v", row)
		}
	}
}

// TestAnalyzeThinnedAndMinibatch: a graph over MaxEdges is thinned and
// named (skipped.csv, action "thinned", with its stride), or skipped with
// NoSampleEdges; a graph over MinibatchNodes trains in minibatches and
// still scores its surrogate.
func TestAnalyzeThinnedAndMinibatch(t *testing.T) {
	dir := testutil.CopyRun(t, testRun(t))
	opts := Options{DataFree: true, Layers: []string{"fc2", "fc3"}, Epochs: []int{1}, Scales: []int{16},
		GCN: map[string]any{gcn.ParamEpochs: 5}, ClampGraphScales: true}
	full, err := Analyze(gocontext.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(full.Results) != 1 || len(full.Skipped) != 0 {
		t.Fatalf("full graph: %d results, skipped %+v", len(full.Results), full.Skipped)
	}
	edges := full.Results[0].Edges
	opts.MaxEdges, opts.MinibatchNodes = edges/2, 10
	opts.GCN = map[string]any{gcn.ParamEpochs: 5, gcn.ParamBatchEdges: 64}
	thin, err := Analyze(gocontext.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(thin.Results) != 1 || len(thin.Skipped) != 1 {
		t.Fatalf("thinned graph: %d results, skipped %+v", len(thin.Results), thin.Skipped)
	}
	res, s := thin.Results[0], thin.Skipped[0]
	if res.Edges > edges/2 || res.Edges == 0 || s.Graph != "fc2-fc3" || s.Action != "thinned" || s.R != 16 ||
		!strings.Contains(s.Reason, "fc2→fc3 stride 2") {
		t.Errorf("thinned: %d edges of %d (limit %d), skip %+v", res.Edges, edges, edges/2, s)
	}
	if !(res.Surrogate.AUC >= 0 && res.Surrogate.AUC <= 1) {
		t.Errorf("minibatch surrogate AUC %v", res.Surrogate.AUC)
	}
	rows := testutil.ReadCSV(t, filepath.Join(dir, Dir, SkippedFile))
	if len(rows) != 2 || rows[1][3] != "fc2-fc3" || rows[1][4] != "thinned" {
		t.Errorf("skipped.csv %v", rows)
	}
	opts.NoSampleEdges = true
	skip, err := Analyze(gocontext.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(skip.Results) != 0 || len(skip.Skipped) != 1 || skip.Skipped[0].Action != "skipped" {
		t.Errorf("NoSampleEdges: %d results, skipped %+v", len(skip.Results), skip.Skipped)
	}
}

// TestAnalyzeGraphSharedScales: by default a graph is built at the scales
// its layers share; at a scale where one cannot be cut (the MLP's 10×128
// fc3 at r=8) the graph is named in skipped.csv with the reason, and with
// ClampGraphScales it is built with fc3 at its largest scale, 5.
func TestAnalyzeGraphSharedScales(t *testing.T) {
	dir := testutil.CopyRun(t, testRun(t))
	opts := Options{DataFree: true, Layers: []string{"fc2", "fc3"}, Epochs: []int{1}, Scales: []int{4, 8},
		GCN: map[string]any{gcn.ParamEpochs: 5}}
	rep, err := Analyze(gocontext.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 1 || rep.Results[0].R != 4 || !slices.Equal(rep.Results[0].Scales, []int{4, 4}) {
		t.Fatalf("results %+v, want fc2-fc3 at r=4 only", rep.Results)
	}
	if len(rep.Skipped) != 1 {
		t.Fatalf("skipped %+v, want fc2-fc3 at r=8", rep.Skipped)
	}
	if s := rep.Skipped[0]; s.Graph != "fc2-fc3" || s.R != 8 || s.Action != "skipped" || !strings.Contains(s.Reason, "fc3 (10×128, valid r=2…5)") {
		t.Errorf("skipped %+v", s)
	}
	opts.ClampGraphScales = true
	rep, err = Analyze(gocontext.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 2 || len(rep.Skipped) != 0 || !slices.Equal(rep.Results[1].Scales, []int{8, 5}) {
		t.Errorf("clamped: results %+v, skipped %+v", rep.Results, rep.Skipped)
	}
}
