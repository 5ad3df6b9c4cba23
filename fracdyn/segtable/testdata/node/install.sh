#!/usr/bin/env bash
# Installs the test-only Parquet reader (hyparquet) that segtable's tests
# compare against; without it those tests skip. Needs node and npm.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
