#!/usr/bin/env bash
# Checks docker/Dockerfile where no Docker engine runs (and hadolint is not
# packaged in Debian 12):
#
#   1. static rules: base images pinned by version (no untagged or :latest
#      image, no @latest module), a non-root final USER, token authentication
#      not disabled, every COPY source present in the build context;
#   2. the image's build step on this machine: docker/setup.sh (the script the
#      Dockerfile's RUN calls) on a scratch copy of the repository made the way
#      the Dockerfile's COPY makes it (Dockerfile.dockerignore applied), with a
#      scratch HOME and GOPATH and the image's ENV (GOFLAGS=-mod=mod,
#      GOTOOLCHAIN=local, FRACDYN_REPO);
#   3. a notebook executed from that copy's notebooks/ folder (the image's
#      working directory) with GoNB and the module proxy switched off
#      (GOPROXY=off), then checked by notebooks/check.py.
#
# The module and build caches are shared with this machine's (GOMODCACHE,
# GOCACHE), so step 2 downloads only what they lack. Debian's Jupyter stands
# in for the image's JupyterLab.
#
#   bash docker/check.sh [NOTEBOOK]   # default notebooks/01_segmentation_scales.ipynb
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
df="${DOCKERFILE:-docker/Dockerfile}"
nb="$(basename "${1:-01_segmentation_scales.ipynb}")"
fail() { echo "docker/check.sh: $*" >&2; exit 1; }

echo "== static checks of $df"
grep -Eq '^ARG GO_IMAGE=golang:1\.26\.[0-9]+-[a-z]+$' $df || fail "GO_IMAGE must pin a Go 1.26.x image"
grep -Eq '^ARG BASE_IMAGE=[^ :]+:[0-9]{4}-[0-9]{2}-[0-9]{2}$' $df || fail "BASE_IMAGE must pin a dated tag"
if grep -Eiq ':latest|@latest' $df docker/setup.sh; then fail "found :latest or @latest"; fi
grep -E '^FROM ' $df | grep -vq '\${' && fail "FROM lines must use the pinned ARGs"
last_user="$(grep -E '^USER ' $df | tail -n 1 | awk '{print $2}')"
[[ "$last_user" != root && "$last_user" != 0 ]] || fail "the final USER is root"
# The image sets no token or password of its own: the base image generates a token.
if grep -v '^[[:space:]]*#' "$df" | grep -Eic 'token|password|disable_check_xsrf' >/dev/null; then fail "leave Jupyter's token authentication alone"; fi
grep -E '^COPY ' "$df" | grep -v -e '--from=' | while read -r -a words; do
  srcs=()
  for w in "${words[@]:1}"; do [[ "$w" == --* ]] || srcs+=("$w"); done
  for src in "${srcs[@]:0:${#srcs[@]}-1}"; do
    [[ "$src" == . || -e "$src" ]] || fail "COPY source $src is missing"
  done
done
echo "ok"

echo "== docker/setup.sh on a scratch copy"
work="$(mktemp -d)"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/home" "$work/fracdyn"
# The build context of a clean checkout: the committed tree (HEAD), with
# docker/ and notebooks/ as they are in the working tree (the files under
# test), less what Dockerfile.dockerignore excludes.
excludes=()
while read -r pat; do
  [[ -z "$pat" || "$pat" == \#* ]] && continue
  excludes+=(--exclude="${pat#\*\*/}")
done <docker/Dockerfile.dockerignore
git archive --format=tar HEAD | tar "${excludes[@]}" -xf - -C "$work/fracdyn"
git ls-files -co --exclude-standard -z docker notebooks | tar "${excludes[@]}" --null -T - -cf - | tar -xf - -C "$work/fracdyn"
gocache="$(go env GOCACHE)"
modcache="$(go env GOMODCACHE)"
goroot="$(go env GOROOT)"
run_as_image() {
  env -i HOME="$work/home" USER=jovyan LANG=C.UTF-8 TERM=dumb \
    PATH="$work/home/go/bin:$goroot/bin:/usr/bin:/bin" \
    GOPATH="$work/home/go" GOCACHE="$gocache" GOMODCACHE="$modcache" \
    GOTOOLCHAIN=local GOFLAGS=-mod=mod FRACDYN_REPO="$work/fracdyn" \
    FRACDYN_DATA="${FRACDYN_DATA:-}" FRACDYN_RUN="${FRACDYN_RUN:-}" \
    GOPROXY="${1}" GOPLS_VERSION="${GOPLS_VERSION-v0.23.0}" \
    bash -c "$2"
}
run_as_image "$(go env GOPROXY)" "cd '$work/fracdyn' && bash docker/setup.sh ."
[[ -x "$work/home/go/bin/gonb" && -f "$work/home/.local/share/jupyter/kernels/gonb/kernel.json" ]] ||
  fail "setup.sh did not install and register GoNB"

echo "== $nb from the copy's notebooks/, offline"
[[ -f "$work/fracdyn/notebooks/$nb" ]] || fail "no notebooks/$nb in the build context"
run_as_image off "cd '$work/fracdyn/notebooks' && jupyter nbconvert --to notebook --execute --allow-errors \
  --ExecutePreprocessor.kernel_name=gonb --ExecutePreprocessor.timeout=1800 --output-dir '$work/out' '$nb' 2>&1 |
  grep -v -e '^[IW][0-9]\{4\} ' -e '^0.00s - ' || true"
/usr/bin/python3 notebooks/check.py "$work/out/$nb"
echo "docker/check.sh: ok"
