package analysis

import (
	gocontext "context"
	"os"
	"strconv"
	"strings"
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
// $FRACDYN_BENCH_SCALES (e.g. "2,3") restricts the scales and
// $FRACDYN_BENCH_PROGRESS (any value) prints the progress to stderr.
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
	opts := Options{Epochs: []int{epoch}, Backend: backend.MustNew()}
	if s := os.Getenv("FRACDYN_BENCH_SCALES"); s != "" {
		for _, f := range strings.Split(s, ",") {
			r, err := strconv.Atoi(f)
			if err != nil {
				b.Fatalf("FRACDYN_BENCH_SCALES: %v", err)
			}
			opts.Scales = append(opts.Scales, r)
		}
	}
	if os.Getenv("FRACDYN_BENCH_PROGRESS") != "" {
		opts.Progress = os.Stderr
	}
	copyDir := testutil.CopyRun(b, dir)
	seconds := map[string]float64{}
	for b.Loop() {
		rep, err := Analyze(gocontext.Background(), copyDir, opts)
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
