#!/bin/sh
# Runs the fractal benchmarks and the numpy reference in one session, so
# that their numbers share the machine's state, and checks that both compute
# the same values. Usage: tools/bench/fractal/run.sh [OUT]
# (default OUT: tools/bench/fractal/results.txt). Needs Debian's
# python3-numpy at /usr/bin/python3. The 16384×16384 benchmark needs ~2 GiB.
set -eu
cd "$(dirname "$0")/../../.."
out=${1:-tools/bench/fractal/results.txt}
ref=$(mktemp --suffix=.npz)
trap 'rm -f "$ref"' EXIT
{
	echo "# $(date -u '+%Y-%m-%d %H:%M UTC') $(go version | cut -d' ' -f3) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "## correctness: Go against numpy on a 64×96 matrix, r = 2, 4, 8"
	/usr/bin/python3 tools/bench/fractal/ref_numpy.py --check "$ref"
	FRACDYN_NUMPY_REF="$ref" go test -count=1 -run TestAgainstNumpy ./fracdyn/fractal/
	echo "## Go fused kernel, 4096×4096, and the memory-bandwidth pass"
	go test -run XXX -bench 'LayerSegments4096|MemoryPass4096' -benchtime 10x -count 5 ./fracdyn/fractal/ | grep Benchmark
	echo "## numpy reference, 4096×4096 (one thread)"
	/usr/bin/python3 tools/bench/fractal/ref_numpy.py --repeat 3
	echo "## Go fused kernel, 16384×16384 at r=2"
	FRACDYN_BENCH_LARGE=1 go test -run XXX -bench 'LayerSegments16384' -benchtime 1x ./fracdyn/fractal/ | grep Benchmark
	echo "## GoMLX graph version on the configured backend (${GOMLX_BACKEND:-go})"
	go test -run XXX -bench 'LayerSegmentsGraph' -benchtime 1x -timeout 30m ./fracdyn/fractal/ | grep Benchmark
} 2>&1 | tee "$out"
