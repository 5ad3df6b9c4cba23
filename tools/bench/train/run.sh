#!/usr/bin/env bash
# Runs fracdyn's training benchmarks on GoMLX's pure-Go backend and the
# PyTorch reference alternately, then rewrites the training section of
# BENCHMARKS.md (medians, ratios, machine). About 6 minutes with defaults;
# set REPS, STEPS, EPOCH_IMAGES, PROBE or ARCHS to change the work.
#
# Needs Debian's python3-torch, python3-numpy and libopenblas0-pthread:
#   apt-get install -y python3-torch python3-numpy libopenblas0-pthread
set -euo pipefail
cd "$(dirname "$0")/../../.."

REPS=${REPS:-3}
STEPS=${STEPS:-5}
EPOCH_IMAGES=${EPOCH_IMAGES:-512}
PROBE=${PROBE:-64}
ARCHS=${ARCHS:-"cnn cnn-pool mlp"}
PY=${PY:-/usr/bin/python3}

if ! "$PY" -c 'import torch' 2>/dev/null; then
	echo "run.sh: $PY cannot import torch; apt-get install -y python3-torch python3-numpy libopenblas0-pthread" >&2
	exit 1
fi
export LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/trainbench" ./tools/bench/train/trainbench
results=$work/results.jsonl
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for rep in $(seq "$REPS"); do
	for arch in $ARCHS; do
		echo "run.sh: round $rep/$REPS, $arch" >&2
		"$work/trainbench" -arch "$arch" -steps "$STEPS" -epoch-images "$EPOCH_IMAGES" -probe "$PROBE" >>"$results"
		for threads in 1 2; do
			"$PY" tools/bench/train/pytorch_ref.py --arch "$arch" --steps "$STEPS" --epoch-images "$EPOCH_IMAGES" \
				--probe "$PROBE" --threads "$threads" >>"$results"
		done
	done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
torch_version=$("$PY" -c 'import torch; print(torch.__version__)')
"$work/trainbench" -summarize "$results" -out BENCHMARKS.md -note "load average (1, 5, 15 min) $load_before \
before and $load_after after: the machine was shared with other jobs. PyTorch $torch_version. $REPS alternating \
rounds; per round and architecture $STEPS single steps, one $EPOCH_IMAGES-image epoch and one $PROBE-image probe pass."
cp "$results" "${RESULTS_COPY:-/tmp/fracdyn-train-bench.jsonl}"
echo "run.sh: wrote the training section of BENCHMARKS.md; raw results in ${RESULTS_COPY:-/tmp/fracdyn-train-bench.jsonl}" >&2
