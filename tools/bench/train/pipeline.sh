#!/usr/bin/env bash
# Times fracdyn's quick pipeline on the real MNIST files and rewrites the
# Pipeline section of BENCHMARKS.md (between the pipeline:begin/end markers).
#
# Per repetition (REPS, default 1), each under /usr/bin/time -v for wall
# time, CPU time (user+system) and peak resident memory:
#   1. fracdyn train --preset quick into a fresh run directory
#   2. fracdyn analyze RUN (all epochs, r=2, attractors)
#   3. fracdyn figures RUN
#   4. fracdyn analyze RUN --epochs 5: the analysis of one epoch's snapshot,
#      once with the default segment limit (fc1's 1.6 M segments at r=2 are
#      left out) and once with every layer (--max-segments 2000000)
#   5. fracdyn reproduce --preset quick end to end, into fresh directories
#   6. trainbench's 8,000-image paper-CNN training epoch (the denominator of
#      the analysis target)
# then once, unless GOTEST=0, go test ./...
# (-count=1, so nothing comes from the test cache).
#
# Data: $FRACDYN_DATA, else ../shared/data/mnist relative to the repository.
# Backend: whatever fracdyn/backend picks ($GOMLX_BACKEND, default the pure-Go
# "go"); for XLA run GOFLAGS=-tags=xla GOMLX_BACKEND=xla:cpu pipeline.sh.
# About 20 minutes per repetition on two idle cores (40 under heavy load),
# plus go test. A failing go test is reported in the section, not fatal.
# LOGS=DIR keeps every stage's log and time -v output there.
# SUMMARIZE=results.tsv rewrites the section from an earlier run's raw
# results (stage, rep, wall s, CPU s, peak RSS MB) without measuring; then
# LOAD_BEFORE, LOAD_AFTER, COMMIT, BACKEND_DESC and GO_TEST_STATUS describe it.
set -euo pipefail
cd "$(dirname "$0")/../../.."
root=$(pwd)

REPS=${REPS:-1}
GOTEST=${GOTEST:-1}
EPOCH_IMAGES=${EPOCH_IMAGES:-8000}
DATA=${FRACDYN_DATA:-$(cd .. && pwd)/shared/data/mnist}
OUTFILE=${OUTFILE:-BENCHMARKS.md}
BEGIN='<!-- pipeline:begin (written by tools/bench/train/pipeline.sh) -->'
END='<!-- pipeline:end -->'

work=$(mktemp -d)
keep_logs() {
	if [ -n "${LOGS:-}" ]; then
		mkdir -p "$LOGS" && cp "$work"/*.log "$work"/*.time "$work"/*.jsonl "$work"/*.tsv "$LOGS"/ 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap keep_logs EXIT
results=$work/results.tsv # stage, rep, wall s, cpu s, peak RSS MB
go_test_status=""

# timed STAGE REP CMD...: runs CMD under /usr/bin/time -v, logging to
# $work/STAGE-REP.log, and appends its wall, CPU and peak RSS to $results.
timed() {
	local stage=$1 rep=$2
	shift 2
	local log=$work/$stage-$rep.log tv=$work/$stage-$rep.time
	echo "pipeline.sh: rep $rep: $stage" >&2
	if ! /usr/bin/time -v -o "$tv" "$@" >"$log" 2>&1; then
		echo "pipeline.sh: $stage failed; last lines of $log:" >&2
		tail -20 "$log" >&2
		if [ "$stage" != go-test ]; then exit 1; fi
		go_test_status="failed (some package's tests failed; the time still counts)"
	fi
	awk -v stage="$stage" -v rep="$rep" -F': ' '
		/Elapsed \(wall clock\)/ { n = split($NF, p, ":"); wall = 0; for (i = 1; i <= n; i++) wall = wall * 60 + p[i] }
		/User time \(seconds\)/ { cpu += $NF }
		/System time \(seconds\)/ { cpu += $NF }
		/Maximum resident set size/ { rss = $NF / 1024 }
		END { printf "%s\t%s\t%.1f\t%.1f\t%.0f\n", stage, rep, wall, cpu, rss }' "$tv" | tee -a "$results" >&2
}

# measure runs every stage and fills $results, $load_before and $load_after.
measure() {
	if [ ! -d "$DATA" ]; then
		echo "pipeline.sh: no MNIST directory at $DATA; set FRACDYN_DATA" >&2
		exit 1
	fi
	if [ ! -x /usr/bin/time ]; then
		echo "pipeline.sh: installing Debian's time package for /usr/bin/time -v" >&2
		if [ "$(id -u)" = 0 ]; then apt-get install -y time >&2; else sudo apt-get install -y time >&2; fi
	fi
	echo "pipeline.sh: building into $work" >&2
	go build -o "$work/fracdyn" ./cmd/fracdyn
	go build -o "$work/trainbench" ./tools/bench/train/trainbench
	load_before=$(cut -d' ' -f1-3 /proc/loadavg)
	for rep in $(seq "$REPS"); do
		run=$work/run-$rep
		timed train "$rep" "$work/fracdyn" train --preset quick --data "$DATA" --out "$run"
		timed analyze "$rep" "$work/fracdyn" analyze "$run"
		timed figures "$rep" "$work/fracdyn" figures --out "$work/figures-$rep" "$run"
		timed analyze-epoch5 "$rep" "$work/fracdyn" analyze --epochs 5 "$run"
		timed analyze-epoch5-all "$rep" "$work/fracdyn" analyze --epochs 5 --max-segments 2000000 "$run"
		timed reproduce "$rep" "$work/fracdyn" reproduce --preset quick --data "$DATA" \
			--run "$work/repro-run-$rep" --out "$work/repro-figures-$rep"
		# One paper-CNN training epoch of EPOCH_IMAGES images (batch 64,
		# Adam), as measured by the training benchmark: its own wall and
		# CPU time of the epoch, next to the analysis it is compared with.
		echo "pipeline.sh: rep $rep: trainbench, one $EPOCH_IMAGES-image paper-CNN epoch" >&2
		"$work/trainbench" -arch cnn -steps 1 -epoch-images "$EPOCH_IMAGES" -probe 64 >"$work/trainbench-$rep.jsonl"
		grep '"what":"epoch"' "$work/trainbench-$rep.jsonl" |
			sed -E "s/.*\"seconds\":([0-9.e+-]+).*\"cpu_seconds\":([0-9.e+-]+).*/epoch\t$rep\t\1\t\2\t0/" >>"$results"
	done
	backend_desc=$(grep -m1 '^backend: ' "$work/train-1.log" | cut -d' ' -f2- || true)
	if [ "$GOTEST" != 0 ]; then
		timed go-test 1 go test -count=1 ./...
	fi
	load_after=$(cut -d' ' -f1-3 /proc/loadavg)
}

if [ -n "${SUMMARIZE:-}" ]; then
	cp "$SUMMARIZE" "$results"
	load_before=${LOAD_BEFORE:-unknown} load_after=${LOAD_AFTER:-unknown}
	REPS=$(awk -F'\t' '$1 == "train" { n++ } END { print n + 0 }' "$results")
	grep -q '^go-test' "$results" || GOTEST=0
	go_test_status=${GO_TEST_STATUS:-}
	backend_desc=${BACKEND_DESC:-SimpleGo (go): Simple Go Portable Backend}
else
	measure
fi
cp "$results" "${RESULTS_COPY:-/tmp/fracdyn-pipeline-bench.tsv}"

# Medians per stage over the repetitions.
medians=$work/medians.tsv
for stage in train analyze figures analyze-epoch5 analyze-epoch5-all reproduce epoch go-test; do
	awk -v s="$stage" -F'\t' '$1 == s' "$results" | awk -F'\t' -v s="$stage" '
		{ w[NR] = $3; c[NR] = $4; r[NR] = $5 }
		function med(a, n,   i, j, t) {
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		}
		END { if (NR) printf "%s\t%.1f\t%.1f\t%.0f\t%d\n", s, med(w, NR), med(c, NR), med(r, NR), NR }'
done >"$medians"
get() { awk -F'\t' -v s="$1" -v f="$2" '$1 == s { print $f }' "$medians"; }
fmt_min() { awk -v s="$1" 'BEGIN { printf "%.1f min", s / 60 }'; }
verdict() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b) ? "met" : "missed" }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f%%", 100 * a / b }'; }

cpu_model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
go_version=$(go env GOVERSION)
commit=${COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}
section=$work/section.md
{
	echo "$BEGIN"
	echo "## Pipeline"
	echo
	echo "Written by \`tools/bench/train/pipeline.sh\` on $(date -u '+%Y-%m-%d %H:%M') UTC at commit $commit: $cpu_model, $(nproc) cores,"
	case $backend_desc in
	*"(go)"*) echo "$go_version, GoMLX v0.26.0 pure-Go backend (simplego wrapped by \`fracdyn/backend\`), real MNIST" ;;
	*) echo "$go_version, GoMLX v0.26.0 backend $backend_desc, real MNIST" ;;
	esac
	echo "(the 10,000-image test files split into train/eval by the quick preset). Each stage is its own"
	echo "process under \`/usr/bin/time -v\`: wall time, CPU time (user+system) and peak resident memory;"
	echo "medians over $REPS repetition(s). The quick preset trains the paper CNN for 5 epochs of 2,560 images."
	echo
	echo "Conditions: load average (1, 5, 15 min) $load_before before and $load_after after. When other jobs"
	echo "share the machine, wall time includes waiting for a core; CPU time is the steadier measure."
	echo
	echo "| stage | command | wall | CPU | peak RSS | runs |"
	echo "|---|---|---:|---:|---:|---:|"
	row() { printf '| %s | `%s` | %.1f s | %.1f s | %s MB | %s |\n' "$1" "$2" "$(get "$3" 2)" "$(get "$3" 3)" "$(get "$3" 4)" "$(get "$3" 5)"; }
	row "1 train" "fracdyn train --preset quick --out RUN" train
	row "2 analyze" "fracdyn analyze RUN" analyze
	row "3 figures" "fracdyn figures RUN" figures
	row "all three" "fracdyn reproduce --preset quick" reproduce
	row "analysis of one snapshot" "fracdyn analyze RUN --epochs 5" analyze-epoch5
	row "the same, every layer" "fracdyn analyze RUN --epochs 5 --max-segments 2000000" analyze-epoch5-all
	printf '| one 8,000-image training epoch | `trainbench -arch cnn -epoch-images %s` | %.1f s | %.1f s | | %s |\n' \
		"$EPOCH_IMAGES" "$(get epoch 2)" "$(get epoch 3)" "$(get epoch 5)"
	if [ "$GOTEST" != 0 ]; then
		row "tests" "go test -count=1 ./..." go-test
	fi
	echo
	echo "Targets:"
	rw=$(get reproduce 2)
	echo "- \`fracdyn reproduce --preset quick\` under 15 min: $(fmt_min "$rw") wall ($(fmt_min "$(get reproduce 3)") CPU) — $(verdict "$rw" 900)"
	ew=$(get epoch 2) ec=$(get epoch 3) limit=$(awk -v e="$(get epoch 3)" 'BEGIN { print 0.2 * e }')
	aw=$(get analyze-epoch5 2) ac=$(get analyze-epoch5 3)
	fw=$(get analyze-epoch5-all 2) fc=$(get analyze-epoch5-all 3)
	echo "- analysis of one epoch's snapshot (segmentation, dimensions, entropy, features, graph, surrogate,"
	echo "  attractors; r=2) under 20% of that epoch's training time (8,000 images): $(pct "$ac" "$ec") of the"
	echo "  epoch's CPU time ($(pct "$aw" "$ew") of its wall time) — $(verdict "$ac" "$limit"), judged on CPU time; with every"
	echo "  layer's segments (fc1's 1.6 M included) $(pct "$fc" "$ec") of its CPU time ($(pct "$fw" "$ew") wall) — $(verdict "$fc" "$limit")."
	echo "  The analyze process includes its start-up, reading the snapshot and the probe batch's forward pass;"
	echo "  the epoch is trainbench's training loop alone."
	if [ "$GOTEST" != 0 ]; then
		gw=$(get go-test 2)
		echo "- \`.ci/run\` (vet, tests, notebooks) under 60 min: the tests alone take $(fmt_min "$gw") wall"
		echo "  (build cache warm, test cache off)${go_test_status:+; go test }${go_test_status}. This script does not time"
		echo "  the notebooks or go vet (see the note after this section)."
	fi
	echo "$END"
} >"$section"

# Replace the section in OUTFILE (or append it), atomically.
tmp=$(mktemp "$root/.BENCHMARKS.md.XXXXXX")
if grep -qF "$BEGIN" "$OUTFILE" 2>/dev/null && grep -qF "$END" "$OUTFILE"; then
	awk -v b="$BEGIN" -v e="$END" -v f="$section" '
		$0 == b { while ((getline l < f) > 0) print l; skip = 1; next }
		skip && $0 == e { skip = 0; next }
		!skip { print }' "$OUTFILE" >"$tmp"
else
	{ [ -f "$OUTFILE" ] && cat "$OUTFILE" && echo; cat "$section"; } >"$tmp"
fi
chmod 644 "$tmp"
mv "$tmp" "$OUTFILE"
cat "$section"
echo "pipeline.sh: wrote the Pipeline section of $OUTFILE; raw results in ${RESULTS_COPY:-/tmp/fracdyn-pipeline-bench.tsv}" >&2
