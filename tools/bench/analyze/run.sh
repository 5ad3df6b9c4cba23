#!/usr/bin/env bash
# Issue 14's performance targets, measured side by side in one run:
#   1. one 8,000-image paper-CNN training epoch (trainbench, the denominator);
#   2. the full default analysis of one snapshot (BenchmarkAnalyzeSnapshot:
#      every valid scale of every layer, the graphs and surrogates at every
#      shared scale, the cross-scale fits, the nulls), its stages from
#      Report.Seconds ("segments" is the per-segment FD/H/α pass);
#   3. the Parquet segment table of one snapshot at every scale against the
#      CSV it replaces (BenchmarkSegmentsTableSizeAllScales);
#   4. the training epoch again, after the analysis, to bracket the load.
# Each under /usr/bin/time -v (wall, peak RSS), with the load average before
# and after each. Usage:
#
#   tools/bench/analyze/run.sh RUN EPOCH
#
# RUN is a run directory (or a copy holding config.json, probe.npz,
# epochs.csv and snapshots/epoch-EPOCH.npz). Prints a summary; LOGS=DIR
# keeps every log.
set -euo pipefail
cd "$(dirname "$0")/../../.."
run=$(cd "${1:?usage: run.sh RUN EPOCH}" && pwd)
epoch=${2:?usage: run.sh RUN EPOCH}
work=$(mktemp -d)
logs=${LOGS:-$work}
mkdir -p "$logs"

go build -o "$work/trainbench" ./tools/bench/train/trainbench
go test -c -o "$work/analysis.test" ./fracdyn/analysis/

timed() { # name cmd...
	local name=$1
	shift
	echo "== $name: load $(cut -d' ' -f1-3 /proc/loadavg) before" | tee -a "$logs/summary.txt"
	/usr/bin/time -v "$@" >"$logs/$name.out" 2>"$logs/$name.err"
	local wall rss
	wall=$(grep 'Elapsed (wall clock)' "$logs/$name.err" | awk '{print $NF}')
	rss=$(grep 'Maximum resident' "$logs/$name.err" | awk '{print $NF}')
	echo "   $name: wall $wall, peak RSS $((rss / 1024)) MiB, load $(cut -d' ' -f1-3 /proc/loadavg) after" | tee -a "$logs/summary.txt"
}

timed epoch-before "$work/trainbench" -arch cnn -steps 1 -epoch-images 8000 -probe 64
grep '"what":"epoch"' "$logs/epoch-before.out" | tee -a "$logs/summary.txt"
timed analyze env FRACDYN_BENCH_RUN="$run" FRACDYN_BENCH_EPOCH="$epoch" \
	"$work/analysis.test" -test.run '^$' -test.bench 'AnalyzeSnapshot$' -test.benchtime 1x
grep Benchmark "$logs/analyze.out" | tee -a "$logs/summary.txt"
timed tablesize "$work/analysis.test" -test.run '^$' -test.bench 'SegmentsTableSizeAllScales' -test.benchtime 1x
grep Benchmark "$logs/tablesize.out" | tee -a "$logs/summary.txt"
timed epoch-after "$work/trainbench" -arch cnn -steps 1 -epoch-images 8000 -probe 64
grep '"what":"epoch"' "$logs/epoch-after.out" | tee -a "$logs/summary.txt"
