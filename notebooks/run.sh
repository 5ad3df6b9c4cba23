#!/usr/bin/env bash
# Executes fracdyn's notebooks headless with GoNB, checks their outputs, and
# renders them to HTML.
#
#   bash notebooks/run.sh                 # every notebooks/NN_*.ipynb, in order
#   bash notebooks/run.sh 01_segmentation_scales.ipynb ...
#
# Steps:
#   1. installs Jupyter from Debian when missing (nbconvert, jupyter-client,
#      nbclient, nbformat; run as root, or have them installed already);
#   2. installs GoNB and goimports at the versions the project's go.mod pins
#      (`go install tool`) and registers the GoNB kernel (gonb --install);
#   3. pre-builds the module and the packages notebooks import, so cells
#      compile from the build cache;
#   4. makes sure one shared quick training run exists ($FRACDYN_RUN), unless
#      00_quickstart is among the notebooks run (it trains that run itself,
#      with live progress, and every later notebook reuses it);
#   5. executes each notebook with `jupyter nbconvert --execute` into
#      notebooks/html/executed/, checks it with check.py (nbconvert exits 0
#      on Go panics and failing `!` cells, check.py does not), copies it back
#      over the notebook, and renders it to notebooks/html/NAME.html.
#
# Environment (defaults in brackets):
#   FRACDYN_PRESET  training preset the notebooks use [quick]
#   FRACDYN_RUN     shared run directory [<repo>/runs/$FRACDYN_PRESET]
#   FRACDYN_DATA    MNIST directory [../shared/data/mnist next to the repo, if present]
#   GOMLX_BACKEND   GoMLX backend [go, the pure-Go backend]
#   NB_CELL_TIMEOUT seconds one cell may run [3600]
#   NB_JUPYTER, NB_PYTHON  Jupyter and the Python with nbformat [/usr/bin/...]
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
nbdir="$repo/notebooks"

# Debian's Jupyter lives in /usr/bin and runs on /usr/bin/python3; the Go tools
# come first so that the kernel finds this gonb and goimports.
export PATH="$PATH:/usr/local/go/bin"
gobin="$(go env GOBIN)"
gobin="${gobin:-$(go env GOPATH)/bin}"
export PATH="$gobin:/usr/local/go/bin:/usr/bin:$PATH"
# NB_JUPYTER and NB_PYTHON choose another Jupyter (the Docker image's conda
# one); then no Debian packages are installed.
jupyter="${NB_JUPYTER:-/usr/bin/jupyter}"
python="${NB_PYTHON:-/usr/bin/python3}"

export FRACDYN_PRESET="${FRACDYN_PRESET:-quick}"
export FRACDYN_RUN="${FRACDYN_RUN:-$repo/runs/$FRACDYN_PRESET}"
if [[ -z "${FRACDYN_DATA:-}" && -d "$repo/../shared/data/mnist" ]]; then
  FRACDYN_DATA="$(cd "$repo/../shared/data/mnist" && pwd)"
fi
export FRACDYN_DATA="${FRACDYN_DATA:-}"
export GOMLX_BACKEND="${GOMLX_BACKEND:-go}"
export FRACDYN_REPO="$repo"
timeout="${NB_CELL_TIMEOUT:-3600}"

step() { printf '== notebooks: %s\n' "$*"; }

# quiet drops the kernel's routine log lines (klog I/W lines, Python's
# debugger warnings, and GoNB's note that gopls, used only for autocomplete,
# is missing) from a stream; errors pass.
quiet() {
  awk '/Program gopls is not installed/ { skip = 1; fences = 0 }
    skip { if ($0 ~ /^```/ && ++fences == 2) skip = 0; next }
    /^[IW][0-9][0-9][0-9][0-9] / || /^0\.00s - / { next }
    { print }'
}

# 1. Jupyter from Debian.
debs=(jupyter-nbconvert jupyter-client python3-nbclient python3-nbformat)
missing=()
[[ -n "${NB_JUPYTER:-}" ]] && debs=()
for d in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$d" 2>/dev/null | grep -q 'install ok installed' || missing+=("$d")
done
if ((${#missing[@]})); then
  step "installing ${missing[*]} from Debian"
  if [[ "$(id -u)" != 0 ]]; then
    echo "notebooks/run.sh: need root to install ${missing[*]} (or install them first)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${missing[@]}" ||
    { apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"; }
fi
"$jupyter" nbconvert --version >/dev/null

# 2. GoNB and goimports, pinned by go.mod's tool directives.
step "installing GoNB and goimports (go install tool)"
go install tool
# --force_deps: gopls (autocomplete while editing) is not needed headless.
if ! log="$("$gobin/gonb" --install --force_deps 2>&1)" ||
  ! "$jupyter" kernelspec list 2>/dev/null | grep -c '^ *gonb ' >/dev/null; then
  printf '%s\n' "$log" >&2
  echo "notebooks/run.sh: could not register the GoNB kernel" >&2
  exit 1
fi
"$gobin/gonb" --version 2>/dev/null | head -n 1 || true

# 3. Pre-build, so that cells compile from the cache.
# A failure here is only a warning: each cell compiles what it imports anyway,
# and a broken package then shows up in the notebook that uses it.
step "pre-building the module"
go build ./... github.com/janpfeifer/gonb/gonbui gonum.org/v1/plot/{,plotter,plotutil,palette/...,vg,vg/draw,vg/vgimg,vg/vgsvg} ||
  echo "notebooks/run.sh: warning: pre-build failed; cells compile on first use" >&2

# 4. The shared training run.
notebooks=()
if (($#)); then
  for a in "$@"; do notebooks+=("$nbdir/$(basename "$a")"); done
else
  for f in "$nbdir"/[0-9][0-9]_*.ipynb; do [[ -e "$f" ]] && notebooks+=("$f"); done
fi
if ((${#notebooks[@]} == 0)); then
  echo "notebooks/run.sh: no notebooks found in $nbdir" >&2
  exit 1
fi
trains_itself=false
for f in "${notebooks[@]}"; do [[ "$(basename "$f")" == 00_quickstart.ipynb ]] && trains_itself=true; done
# Notebooks that train their own small networks and read no shared run.
needs_run=false
for f in "${notebooks[@]}"; do
  case "$(basename "$f")" in 09_trainability_boundary.ipynb) ;; *) needs_run=true ;; esac
done
$needs_run || trains_itself=true
bin="$(mktemp -d)/fracdyn"
trap 'rm -rf "$(dirname "$bin")"' EXIT
if ! $needs_run; then
  step "no shared run needed"
elif [[ -f "$FRACDYN_RUN/epochs.csv" ]]; then
  step "reusing the run in $FRACDYN_RUN"
elif ! $trains_itself && go build -o "$bin" ./cmd/fracdyn && "$bin" help 2>&1 | grep -c '^ *train ' >/dev/null; then
  step "training the shared $FRACDYN_PRESET run into $FRACDYN_RUN"
  "$bin" train --preset "$FRACDYN_PRESET" --out "$FRACDYN_RUN" ${FRACDYN_DATA:+--data "$FRACDYN_DATA"}
fi

# 5. Execute, check, copy back, render.
out="$nbdir/html/executed"
mkdir -p "$out"
failed=()
for f in "${notebooks[@]}"; do
  name="$(basename "$f")"
  step "executing $name"
  start=$SECONDS
  if ! "$jupyter" nbconvert --to notebook --execute --allow-errors \
    --ExecutePreprocessor.timeout="$timeout" --ExecutePreprocessor.kernel_name=gonb \
    --output-dir "$out" "$f" 2> >(quiet >&2); then
    failed+=("$name (nbconvert failed)")
    continue
  fi
  if ! "$python" "$nbdir/check.py" "$out/$name"; then
    failed+=("$name")
    continue
  fi
  cp "$out/$name" "$f"
  "$jupyter" nbconvert --to html --output-dir "$nbdir/html" "$f" 2>&1 | grep -v -e '^\[NbConvertApp\]' || true
  step "$name ok in $((SECONDS - start)) s"
done

if ((${#failed[@]})); then
  echo "notebooks/run.sh: FAILED: ${failed[*]} (executed copies in $out)" >&2
  exit 1
fi
step "all ${#notebooks[@]} notebooks ok; HTML in notebooks/html/"
