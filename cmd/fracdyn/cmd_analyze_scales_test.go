package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/analysis"
	"github.com/fracdyn/fracdyn/internal/testutil"
)

var (
	cnnRunOnce sync.Once
	cnnRunDir  string
	cnnRunErr  error
)

// tinyCNNRun trains the paper CNN for one epoch of four steps (the
// settings of TestReproduceSmall) once per test binary and returns a copy
// of its run directory for the caller.
func tinyCNNRun(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("trains a model")
	}
	data := mnistDir(t)
	cnnRunOnce.Do(func() {
		dir, err := os.MkdirTemp("", "fracdyn-cnn-run-")
		if err != nil {
			cnnRunErr = err
			return
		}
		cnnRunDir = filepath.Join(dir, "run")
		var stderr bytes.Buffer
		if code := Main([]string{"train", "--data", data, "--out", cnnRunDir, "--arch", "cnn",
			"--set", "epochs=1;epoch_images=256;eval_images=200;probe_size=16;track_sample=16"}, &stderr); code != 0 {
			cnnRunErr = fmt.Errorf("train: exit %d: %s", code, stderr.String())
		}
	})
	if cnnRunErr != nil {
		t.Fatal(cnnRunErr)
	}
	dst := filepath.Join(t.TempDir(), "run")
	if err := os.CopyFS(dst, os.DirFS(cnnRunDir)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestAnalyzeDefaultAllScales (issue 14, item 1): the default fracdyn
// analyze of a paper-CNN run measures every valid scale of every layer:
// conv1 and conv2 (3×3 kernels) at r=2, the 128×50176 fc1 at r=2…64 and the
// 10×128 fc2 at r=2…5, in layers.csv and in the Parquet segment tables.
// No layer or scale is skipped. The graphs are built and scored at every
// scale their layers share (conv1–conv2 at r=2, fc1–fc2 at r=2…5); those
// over the (lowered) edge limit are thinned, and skipped.csv names each
// with its stride, and fc1–fc2 at r=6…64 (fc2 cannot be cut there) with
// the reason.
func TestAnalyzeDefaultAllScales(t *testing.T) {
	dir := tinyCNNRun(t)
	var stderr bytes.Buffer
	if code := Main([]string{"analyze", "--epochs", "1", "--data-free", "--gcn-epochs", "1", "--max-edges", "20000", "--attractors=false", dir}, &stderr); code != 0 {
		t.Fatalf("analyze: exit %d: %s", code, stderr.String())
	}
	want := map[string][]int{"conv1": {2}, "conv2": {2}, "fc1": seqInts(2, 64), "fc2": seqInts(2, 5)}
	_, rows, err := analysis.ReadSegments(dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]int{}
	for _, r := range rows {
		if s := got[r.Layer]; len(s) == 0 || s[len(s)-1] != int(r.R) {
			got[r.Layer] = append(s, int(r.R))
		}
	}
	for l := range got {
		slices.Sort(got[l])
		got[l] = slices.Compact(got[l])
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("segment table scales %v, want %v", got, want)
	}
	layers := testutil.ReadCSV(t, filepath.Join(dir, analysis.Dir, analysis.LayersFile))
	got = map[string][]int{}
	for _, l := range layers[1:] {
		var r int
		fmt.Sscan(l[2], &r)
		got[l[0]] = append(got[l[0]], r)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("layers.csv scales %v, want %v", got, want)
	}
	sk := testutil.ReadCSV(t, filepath.Join(dir, analysis.Dir, analysis.SkippedFile))
	if len(sk) < 2 {
		t.Fatalf("skipped.csv: %v, want the thinned fc1-fc2 graphs", sk)
	}
	fc1r2 := false
	var notBuilt []int
	for _, row := range sk[1:] {
		var r int
		fmt.Sscan(row[2], &r)
		switch {
		case row[1] == "" && row[3] == "fc1-fc2" && row[4] == "skipped" && strings.Contains(row[5], "fc2 (10×128, valid r=2…5)"):
			notBuilt = append(notBuilt, r)
		case row[1] != "" || (row[3] != "conv1-conv2" && row[3] != "fc1-fc2") || row[4] != "thinned" || !strings.Contains(row[5], "stride"):
			t.Errorf("skipped.csv row %v, want a thinned graph", row)
		}
		fc1r2 = fc1r2 || (row[3] == "fc1-fc2" && row[2] == "2" && strings.Contains(row[5], "fc1→fc2 stride"))
	}
	if !fc1r2 {
		t.Errorf("skipped.csv %v does not name the thinned fc1-fc2 graph at r=2", sk)
	}
	if !slices.Equal(notBuilt, seqInts(6, 64)) {
		t.Errorf("skipped.csv names fc1-fc2 not built at r=%v, want 6…64", notBuilt)
	}
	rep := readReport(t, dir)
	graphs := map[string][]int{}
	for _, res := range rep.Results {
		graphs[res.Graph] = append(graphs[res.Graph], res.R)
		if !(res.Surrogate.AUC >= 0 && res.Surrogate.AUC <= 1) || res.Baselines["gcn_unweighted"].AUC == 0 {
			t.Errorf("%s at r=%d: surrogate %+v, baselines %+v", res.Graph, res.R, res.Surrogate, res.Baselines)
		}
	}
	if want := map[string][]int{"conv1-conv2": {2}, "fc1-fc2": seqInts(2, 5)}; !reflect.DeepEqual(graphs, want) {
		t.Errorf("surrogates of %v, want %v", graphs, want)
	}
	if _, err := os.Stat(filepath.Join(dir, analysis.Dir, analysis.EdgesDir)); !os.IsNotExist(err) {
		t.Errorf("the default analysis wrote edge lists (stat: %v); they need --edges", err)
	}
	if len(rep.MultiScale) != 3 {
		t.Errorf("%d cross-scale results, want 3 (fc1-fc2 at 2→3, 3→4, 4→5)", len(rep.MultiScale))
	}
}

func seqInts(lo, hi int) []int {
	var s []int
	for r := lo; r <= hi; r++ {
		s = append(s, r)
	}
	return s
}

// TestAnalyzeShardMerge (issue 14, item 4): fracdyn analyze --shard K/N in
// N processes and fracdyn merge give the files of one process: the tables
// and per-epoch files byte for byte, surrogate.json value for value (wall
// times aside; the notes as a set). N=3 over two epochs leaves a shard
// without epochs.
func TestAnalyzeShardMerge(t *testing.T) {
	dir := tinyCNNRun(t)
	args := []string{"analyze", "-r", "16,32", "--layers", "fc1,fc2", "--gcn-epochs", "3", "--graph-clamp", "--edges"}
	runCLI(t, nil, append(args, dir)...)
	out := filepath.Join(dir, analysis.Dir)
	want := outputFiles(t, out)
	for _, f := range []string{"layers.csv", "skipped.csv", "surrogate.json", "attractors.csv", "segments/epoch-000.parquet", "segments/epoch-001.parquet",
		"edges/epoch-001-r16-fc1-fc2.csv"} {
		if len(want[f]) == 0 {
			t.Fatalf("one process wrote no %s (files %v)", f, keys(want))
		}
	}
	if err := os.RemoveAll(out); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{2, 3} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			for k := range n {
				runCLI(t, nil, append(args, "--shard", fmt.Sprintf("%d/%d", k, n), dir)...)
			}
			runCLI(t, nil, "merge", out)
			got := outputFiles(t, out)
			if !slices.Equal(keys(got), keys(want)) {
				t.Fatalf("merged files %v, one process's %v", keys(got), keys(want))
			}
			for f, b := range want {
				if f == analysis.SurrogateFile {
					sameReport(t, got[f], b)
				} else if !bytes.Equal(got[f], b) {
					t.Errorf("merged %s (%d bytes) differs from one process's (%d bytes)", f, len(got[f]), len(b))
				}
			}
			if err := os.RemoveAll(out); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// sameReport compares two surrogate.json value for value, wall times
// aside and the notes as sets.
func sameReport(t *testing.T, got, want []byte) {
	t.Helper()
	var g, w analysis.Report
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("merged surrogate.json: %v", err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if len(w.Results) == 0 || len(w.MultiScale) == 0 {
		t.Fatalf("one process's report has %d results, %d multi-scale", len(w.Results), len(w.MultiScale))
	}
	for _, r := range []*analysis.Report{&g, &w} {
		r.Seconds = nil
		for i := range r.Results {
			r.Results[i].Seconds = 0
		}
		slices.Sort(r.Notes)
	}
	if !reflect.DeepEqual(g, w) {
		gb, _ := json.Marshal(g)
		wb, _ := json.Marshal(w)
		t.Errorf("merged surrogate.json differs from one process's:\n%s\n%s", gb, wb)
	}
}

// TestAnalyzeDefaultGCNIsLibraryDefault: fracdyn analyze without
// --gcn-epochs trains the GCNs as analysis.Analyze's defaults do (a
// minibatch graph: analysis.DefaultMinibatchSteps steps, not
// DefaultGCNEpochs epochs of them), so the command's surrogate results are
// the library's, value for value.
func TestAnalyzeDefaultGCNIsLibraryDefault(t *testing.T) {
	cli, lib := tinyCNNRun(t), tinyCNNRun(t)
	var stderr bytes.Buffer
	if code := Main([]string{"analyze", "--epochs", "1", "--data-free", "-r", "5", "--layers", "fc1,fc2", "--max-edges", "20000",
		"--null-draws", "0", "--attractors=false", cli}, &stderr); code != 0 {
		t.Fatalf("analyze: exit %d: %s", code, stderr.String())
	}
	if _, err := analysis.Analyze(t.Context(), lib, analysis.Options{Epochs: []int{1}, DataFree: true, Scales: []int{5},
		Layers: []string{"fc1", "fc2"}, MaxEdges: 20000, NullDraws: -1}); err != nil {
		t.Fatal(err)
	}
	got, want := readReport(t, cli).Results, readReport(t, lib).Results
	if len(got) != 1 || len(want) != 1 || got[0].Nodes <= analysis.DefaultMinibatchNodes {
		t.Fatalf("%d and %d results (want one each, a minibatch graph)", len(got), len(want))
	}
	if got[0].Surrogate != want[0].Surrogate || got[0].FinalLoss != want[0].FinalLoss {
		t.Errorf("fracdyn analyze: surrogate %+v, final loss %v; analysis.Analyze: %+v, %v", got[0].Surrogate, got[0].FinalLoss, want[0].Surrogate, want[0].FinalLoss)
	}
}

// readReport reads the analysis report (surrogate.json) of the run in dir.
func readReport(t *testing.T, dir string) analysis.Report {
	t.Helper()
	var rep analysis.Report
	b, err := os.ReadFile(filepath.Join(dir, analysis.Dir, analysis.SurrogateFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	return rep
}
