#!/usr/bin/env bash
# Points GoNB at the fracdyn repository: run it from a notebook's first code
# cell as
#
#   !*bash "$GONB_DIR/use-repo.sh"
#
# `!*` runs it in GoNB's scratch module (the temporary directory where GoNB
# writes main.go and go.mod for every cell). It adds a requirement on
# github.com/fracdyn/fracdyn with a replace rule to the local checkout, so
# cells import the library as it is on disk, and copies the repository's
# go.sum so that every dependency resolves at the version the repository's
# go.mod pins, from the module cache, without asking the network for
# anything (GoNB's automatic `go get` finds each imported package in a module
# that is already in the build list).
#
# The repository is $FRACDYN_REPO, or else the parent of the notebook's
# directory ($GONB_DIR is where the kernel started: the notebook's folder).
set -euo pipefail

repo="${FRACDYN_REPO:-${GONB_DIR:?GONB_DIR is unset: run this from a GoNB cell with !*}/..}"
repo="$(cd "$repo" && pwd)"
module="$(sed -n 's/^module[[:space:]]\{1,\}//p' "$repo/go.mod" 2>/dev/null | head -n 1)"
if [[ "$module" != "github.com/fracdyn/fracdyn" ]]; then
  echo "use-repo.sh: $repo is not the fracdyn repository (its go.mod says module \"$module\"); set FRACDYN_REPO" >&2
  exit 1
fi
if ! grep -q '^module gonb_' go.mod 2>/dev/null; then
  echo "use-repo.sh: $(pwd) is not GoNB's scratch module; run it with !* from a notebook cell" >&2
  exit 1
fi

go mod edit -require="$module@v0.0.0" -replace="$module=$repo"
cp "$repo/go.sum" go.sum
echo "GoNB module $(sed -n 's/^module //p' go.mod) uses $module from $repo"
echo "$(go version), GOFLAGS=${GOFLAGS:-}, GOPROXY=$(go env GOPROXY)"
