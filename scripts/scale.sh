#!/usr/bin/env bash
# Scale test: one generated return per district for the whole country
# (2,978 districts, 41,352 towns, 620,573 villages), ingested with full
# validation; compared in the same run with pandas + openpyxl merely reading
# the town and village sheets of the same files.
#
#   scripts/scale.sh [WORKDIR]        (default /tmp/sgz-scale)
#
# Needs /usr/bin/time; the pandas baseline needs Debian's python3-pandas and
# python3-openpyxl (installed here when missing and apt is usable).
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/sgz-scale}
mkdir -p "$work"
go build -o "$work/sgz" ./cmd/sgz
sgz="$work/sgz"
reg=testdata/china-divisions-2023.csv.gz

if [ ! -f "$work/returns/.done" ]; then
  rm -rf "$work/returns"
  echo "== generating one return per district for 2026Q3"
  /usr/bin/time -f "generate: %e s, peak %M KB" "$sgz" generate --registry "$reg" --periods 2026Q3 -o "$work/returns"
  touch "$work/returns/.done"
fi
echo "files: $(find "$work/returns" -name '*.xlsx' | wc -l), $(du -sh "$work/returns" | cut -f1)"

rm -f "$work/national.duckdb" "$work/national.duckdb.wal"
echo "== registry load"
/usr/bin/time -f "registry load: %e s, peak %M KB" "$sgz" --db "$work/national.duckdb" registry load "$reg"
echo "== sgz ingest (full validation, DuckDB writes)"
/usr/bin/time -f "sgz ingest: %e s, peak %M KB" "$sgz" --db "$work/national.duckdb" ingest "$work/returns" | tail -1

if ! /usr/bin/python3 -c 'import pandas, openpyxl' 2>/dev/null; then
  if command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pandas python3-openpyxl >/dev/null || true
  fi
fi
if /usr/bin/python3 -c 'import pandas, openpyxl' 2>/dev/null; then
  echo "== pandas + openpyxl (reading the town and village sheets only)"
  /usr/bin/time -f "pandas: %e s, peak %M KB" /usr/bin/python3 scripts/pandas_read.py "$work/returns"
else
  echo "pandas/openpyxl not available: baseline skipped"
fi
