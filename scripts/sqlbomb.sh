#!/usr/bin/env bash
# The SQL console's memory ceiling under two analysts' bombs, and the pages'
# answer times meanwhile, against the idle server in the same run
# (scripts/sqlbomb.py; figures in docs/sql.md).
#
#   scripts/sqlbomb.sh [WORKDIR] [SECONDS]     (default /tmp/sgz-sqlbomb, 20)
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/sgz-sqlbomb}
mkdir -p "$work"
go build -o "$work/sgz" ./cmd/sgz
if [ ! -f "$work/demo.duckdb" ]; then
  "$work/sgz" demo --build-only --db "$work/demo.duckdb" >/dev/null
fi
python3 scripts/sqlbomb.py "$work/sgz" "$work/demo.duckdb" 18399 "${2:-20}"
