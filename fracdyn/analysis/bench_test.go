package analysis

import (
	gocontext "context"
	"os"
	"strconv"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/fracdyn/fracdyn/internal/testutil"
)

// BenchmarkAnalyzeSnapshot is the full multi-scale analysis of one
// snapshot (every valid scale of every layer, the graphs and surrogates at
// every scale) of the run directory $FRACDYN_BENCH_RUN, at the epoch
// $FRACDYN_BENCH_EPOCH (default 50), e.g. a copy of runs/paper holding
// config.json, probe.npz, epochs.csv and snapshots/epoch-050.npz:
//
//	FRACDYN_BENCH_RUN=/tmp/snap go test -run '^$' -bench AnalyzeSnapshot -benchtime 1x ./fracdyn/analysis/
//
// It reports the wall time of each stage (seconds per op, from
// Report.Seconds): "segments" is the per-segment FD/H/α pass over all
// scales. BENCHMARKS.md ("Full scale (issue 14)") has the numbers.
func BenchmarkAnalyzeSnapshot(b *testing.B) {
	dir := os.Getenv("FRACDYN_BENCH_RUN")
	if dir == "" {
		b.Skip("set FRACDYN_BENCH_RUN to a run directory")
	}
	epoch := 50
	if e := os.Getenv("FRACDYN_BENCH_EPOCH"); e != "" {
		v, err := strconv.Atoi(e)
		if err != nil {
			b.Fatalf("FRACDYN_BENCH_EPOCH: %v", err)
		}
		epoch = v
	}
	copyDir := testutil.CopyRun(b, dir)
	seconds := map[string]float64{}
	for b.Loop() {
		rep, err := Analyze(gocontext.Background(), copyDir, Options{Epochs: []int{epoch}, Backend: backend.MustNew()})
		if err != nil {
			b.Fatal(err)
		}
		for k, v := range rep.Seconds {
			seconds[k] += v
		}
	}
	for k, v := range seconds {
		b.ReportMetric(v/float64(b.N), k+"-s/op")
	}
}
