#!/usr/bin/env bash
# Measures fracdyn boundary's batched training against the numpy reference
# (boundary_numpy.py), back to back on the same grid: network-steps per
# second, with the machine load before each.
#
# usage: tools/bench/boundary/run.sh [RESOLUTION] [STEPS] [NUMPY_CHUNK]   (from the repository root)
#
# fracdyn runs at its default chunk (boundary.DefaultChunk); numpy at
# NUMPY_CHUNK networks per batch (default: the script's, 4096).
set -euo pipefail
res=${1:-64}
steps=${2:-100}
npchunk=${3:-}
py=${PYTHON:-/usr/bin/python3}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go build -o "$dir/fracdyn" ./cmd/fracdyn
echo "# $(date -u +%FT%TZ) $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "# load before go:    $(uptime | sed 's/.*load average/load average/')"
"$dir/fracdyn" boundary --out "$dir/out" --resolution "$res" --steps "$steps" --json 2>/dev/null |
	"$py" -c 'import json, sys
r = json.load(sys.stdin)
n, sec = r["network_steps"], r["seconds"]
print("fracdyn (%s): %dx%d grid, %d steps, %d network-steps in %.2f s = %.4g network-steps/s" % (r["backend"], r["resolution"], r["resolution"], r["steps"], n, sec, n / sec))'
echo "# load before numpy: $(uptime | sed 's/.*load average/load average/')"
"$py" "$(dirname "$0")/boundary_numpy.py" "$res" "$steps" $npchunk
