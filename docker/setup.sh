#!/usr/bin/env bash
# Prepares a fracdyn checkout for JupyterLab + GoNB, as the user who will run
# the notebooks. The Dockerfile runs it at build time; docker/check.sh runs
# the same script on a scratch copy of the repository (with a scratch HOME)
# to test it where no Docker engine is available.
#
#   bash docker/setup.sh [REPO]     # REPO defaults to the current directory
#
# It downloads the modules go.mod pins, installs GoNB, goimports (pinned by
# go.mod's tool directives) and gopls (pinned here), registers the GoNB
# kernel with Jupyter, and pre-builds the module and the packages notebooks
# import, so that the first cell compiles from the build cache.
#
# Environment: GOPLS_VERSION (v0.23.0, the newest gopls for Go 1.26; empty
# skips gopls), GO_BUILD_TAGS (empty; "xla" also builds the XLA backend,
# which needs gcc and, at run time, a PJRT plugin).
set -euo pipefail

repo="$(cd "${1:-.}" && pwd)"
cd "$repo"
gopls_version="${GOPLS_VERSION-v0.23.0}"
tags="${GO_BUILD_TAGS:-}"

module="$(sed -n 's/^module[[:space:]]\{1,\}//p' go.mod | head -n 1)"
if [[ "$module" != "github.com/fracdyn/fracdyn" ]]; then
  echo "docker/setup.sh: $repo is not the fracdyn repository (module \"$module\")" >&2
  exit 1
fi
gobin="$(go env GOBIN)"
gobin="${gobin:-$(go env GOPATH)/bin}"

echo "== $(go version) in $repo"
go mod download
go install tool # gonb and goimports at go.mod's versions
if [[ -n "$gopls_version" ]]; then
  # gopls gives autocomplete and contextual help in JupyterLab.
  go install "golang.org/x/tools/gopls@${gopls_version}"
fi
"$gobin/gonb" --install --force_deps
go build ${tags:+-tags "$tags"} ./... github.com/janpfeifer/gonb/gonbui gonum.org/v1/plot/{,plotter,plotutil,palette/...,vg,vg/draw,vg/vgimg,vg/vgsvg}
echo "== ready: $("$gobin/gonb" --version 2>&1 | head -n 1), kernels:"
jupyter kernelspec list
