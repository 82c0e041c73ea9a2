#!/usr/bin/env bash
# Scale test: eight quarters of the whole country. One generated return per
# district and quarter (2,978 districts × 2024Q4–2026Q3 = 23,824 returns) from
# testdata/china-divisions-2023.csv.gz, then, each with wall time and peak
# memory (/usr/bin/time; the server's VmHWM from /proc):
#
#   1. ingest: quarter by quarter into the database the rest uses (how a
#      bureau fills it; the first quarter, into an empty database, is the run
#      of scripts/scale.sh: the reference), then the eight quarters in one
#      command (ONE_COMMAND=0 skips it);
#   2. the SQL console's full scan: `sgz query` alone, and later through the
#      running server (HTTP, the console's worker process);
#   3. Parquet export and a database copy, against `cp` of the file and a plain
#      DuckDB reading the same Parquet (scripts/parquetread), same run;
#   4. snapshot publication (hook below: `sgz export --copy` + Parquet stand in
#      until `sgz serve --publish` is merged);
#   5. serving: `sgz serve` on the national database, every page and API route
#      under 32 clients (dashboard/loadtest -server: page p95, API p99), the
#      server's peak RSS, /healthz as the same-run reference.
#
#   scripts/scale-years.sh [WORKDIR]      (default /tmp/sgz-years)
#
# Generated returns are kept in WORKDIR/returns and reused by the next run
# (delete WORKDIR/returns/.done to regenerate); the databases are rebuilt.
# Environment: PERIODS (default 2024Q4-2026Q3), CLIENTS (32), PER_URL (640
# requests per URL), PER_URL_DURATION (30s), REGISTRY (the national CSV),
# KEEP_DB=1 to reuse WORKDIR/national.duckdb instead of ingesting again,
# SERVE_ONLY=1 to measure only the server on it (after a change to the pages).
# Everything stays under WORKDIR; the summary is WORKDIR/summary.md.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=${1:-/tmp/sgz-years}
periods=${PERIODS:-2024Q4-2026Q3}
clients=${CLIENTS:-32}
per_url=${PER_URL:-640}
per_url_dur=${PER_URL_DURATION:-30s}
reg=${REGISTRY:-testdata/china-divisions-2023.csv.gz}
mkdir -p "$work"
work=$(cd "$work" && pwd)
sum="$work/summary.tsv"   # what,figure,reference (tab-separated)
: >"$sum"
T() { /usr/bin/time -o "$work/.time" -f "%e %M %U %S" "$@"; }
# timed NAME CMD...: runs CMD, records "NAME<TAB>wall s<TAB>peak MB<TAB>cpu s".
timed() {
  local name=$1; shift
  T "$@"
  read -r wall kb user sys <"$work/.time"
  printf '%s\t%.1f s\t%d MB\t%.1f s cpu\n' "$name" "$wall" $((kb / 1024)) "$(echo "$user + $sys" | bc)" | tee -a "$work/timings.tsv" >&2
}
note() { printf '%s\t%s\t%s\n' "$1" "$2" "${3:-}" >>"$sum"; }
last() { tail -1 "$work/timings.tsv" | cut -f2- | sed 's/\t/, /g'; }

echo "== $(date -u '+%F %T UTC') on $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB; load $(cut -d' ' -f1-3 /proc/loadavg)"
df -h "$work" | tail -1 | awk '{print "disk free under WORKDIR: " $4}'
: >"$work/timings.tsv"
# The machine's load average, every 10 s, for the whole run.
(while sleep 10; do cut -d' ' -f1 /proc/loadavg; done) >"$work/load.txt" &
loadpid=$!
server=""
cleanup() {
  kill "$loadpid" 2>/dev/null || true
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
}
trap cleanup EXIT

go build -o "$work/sgz" ./cmd/sgz
go build -o "$work/loadtest" ./dashboard/loadtest
go build -o "$work/parquetread" ./scripts/parquetread
sgz="$work/sgz"

# ---- returns ----
if [ ! -f "$work/returns/.done" ]; then
  rm -rf "$work/returns"
  echo "== generating one return per district and quarter, $periods"
  timed "generate $periods" "$sgz" generate --registry "$reg" --periods "$periods" -o "$work/returns/all"
  last >"$work/returns/generate.txt"
  # By quarter (hard links): the per-quarter ingests and the reference.
  for f in "$work"/returns/all/*.xlsx; do
    q=${f##*-}; q=${q%.xlsx}
    mkdir -p "$work/returns/$q"
    ln "$f" "$work/returns/$q/"
  done
  touch "$work/returns/.done"
fi
quarters=$(cd "$work/returns" && ls -d [0-9][0-9][0-9][0-9]Q[1-4] | sort)
newest=$(echo "$quarters" | tail -1)
nfiles=$(find "$work/returns/all" -name '*.xlsx' | wc -l)
note "returns: $nfiles files, $(du -sh "$work/returns/all" | cut -f1), $(echo "$quarters" | wc -l) quarters" "generated in $(cat "$work/returns/generate.txt" 2>/dev/null || echo '?') (an earlier run when reused)" ""
echo "returns: $nfiles files in $(echo "$quarters" | wc -l) quarters, $(du -sh "$work/returns/all" | cut -f1)"

fresh() { rm -f "$1" "$1.wal" "$1.audit-head"; "$sgz" --db "$1" registry load "$reg" >/dev/null; }

if [ "${SERVE_ONLY:-}" = 1 ]; then KEEP_DB=1; fi
if [ "${KEEP_DB:-}" != 1 ] || [ ! -f "$work/national.duckdb" ]; then
  # ---- ingest: quarter by quarter (the database served below) ----
  # The first quarter into the empty database is the run of scripts/scale.sh
  # (one quarter of the whole country): the reference for the later ones.
  echo "== ingest, quarter by quarter"
  fresh "$work/national.duckdb"
  for q in $quarters; do
    timed "ingest $q" "$sgz" --db "$work/national.duckdb" ingest "$work/returns/$q" >/dev/null
    note "ingest $q ($(ls "$work/returns/$q" | wc -l) returns) into the growing database" "$(last)" "$([ "$q" = "$(echo "$quarters" | head -1)" ] && echo "the first: an empty database, as scripts/scale.sh")"
  done
  tot=$(grep '^ingest 20' "$work/timings.tsv" | awk -F'\t' '{w += $2; c += $4; if ($3 + 0 > m) m = $3 + 0} END {printf "%.1f s, peak %d MB, %.1f s cpu", w, m, c}')
  note "ingest, all quarters one after another (sum; peak: the largest)" "$tot" ""

  # ---- ingest: the eight quarters in one command (ONE_COMMAND=0 skips it) ----
  if [ "${ONE_COMMAND:-1}" = 1 ]; then
    echo "== ingest, every quarter in one command"
    fresh "$work/all.duckdb"
    # Folders in quarter order: corrections supersede in order.
    timed "ingest all quarters, one command" "$sgz" --db "$work/all.duckdb" ingest $(for q in $quarters; do echo "$work/returns/$q"; done) >/dev/null
    note "ingest, $nfiles returns in one command" "$(last)" "the sum of the quarters above"
    rm -f "$work/all.duckdb" "$work/all.duckdb.wal" "$work/all.duckdb.audit-head"
  fi
fi
db="$work/national.duckdb"
note "database" "$(du -m "$db" | cut -f1) MB" ""
echo "database: $(du -h "$db" | cut -f1)"

scan="SELECT period, count(*) AS villages, count(DISTINCT village_code) AS distinct_villages, sum(CASE WHEN built THEN 1 ELSE 0 END) AS rooms_built, sum(CASE WHEN in_scope THEN 1 ELSE 0 END) AS in_scope FROM v_rooms_all GROUP BY period ORDER BY period"
if [ "${SERVE_ONLY:-}" != 1 ]; then
# ---- the SQL console's full scan, alone ----
echo "== sgz query, full scan of v_rooms_all (alone)"
timed "sgz query: SELECT 1 (process, reference)" "$sgz" --db "$db" query "SELECT 1" >/dev/null
ref=$(last)
timed "sgz query: full scan of v_rooms_all" "$sgz" --db "$db" query --format csv "$scan" >"$work/scan.csv"
note "sgz query, full scan of v_rooms_all ($(($(wc -l <"$work/scan.csv") - 1)) periods, alone)" "$(last)" "SELECT 1: $ref"

# ---- Parquet export, copy; reference: cp, DuckDB reading the Parquet ----
echo "== export"
rm -rf "$work/parquet" "$work/copy.duckdb"
timed "cp of the database file (reference)" cp "$db" "$work/cp.duckdb"
cpref=$(last); rm -f "$work/cp.duckdb"
timed "sgz export --parquet" "$sgz" --db "$db" export --parquet "$work/parquet" >/dev/null
note "sgz export --parquet ($(du -sh "$work/parquet" | cut -f1), $(find "$work/parquet" -name '*.parquet' | wc -l) files)" "$(last)" "cp of the database: $cpref"
timed "sgz export --copy" "$sgz" --db "$db" export --copy "$work/copy.duckdb" >/dev/null
note "sgz export --copy ($(du -m "$work/copy.duckdb" | cut -f1) MB)" "$(last)" "cp of the database: $cpref"
timed "DuckDB on the Parquet: the same full scan (reference)" "$work/parquetread" "$work/parquet" "$scan" >"$work/scan-parquet.tsv"
note "plain DuckDB, the same scan on the Parquet" "$(last)" "(reference for the console)"
if ! diff <(tail -n +2 "$work/scan.csv" | tr -d '\r' | tr ',' '\t') "$work/scan-parquet.tsv" >/dev/null; then
  echo "NOTE: the scan on the Parquet differs from sgz query's:"; head -3 "$work/scan.csv" "$work/scan-parquet.tsv"
fi

# ---- snapshot publication ----
# HOOK(publish): when `sgz serve --publish DIR` is merged (issue 11, replica),
# measure it here: start the server with --publish, ingest one quarter's
# corrected return through it, and time until DIR holds the new snapshot
# (DuckDB file + Parquet). Until then the stand-in is what a publication
# does: a consistent copy of the database and the Parquet of the views.
if "$sgz" serve --help 2>/dev/null | grep -q -- '--publish'; then
  echo "NOTE: sgz serve --publish exists: fill in the HOOK(publish) of scripts/scale-years.sh"
fi
rm -rf "$work/pub" && mkdir -p "$work/pub"
timed "publication stand-in: export --copy + --parquet" sh -c "'$sgz' --db '$db' export --copy '$work/pub/sgz.duckdb' --parquet '$work/pub/parquet' >/dev/null"
note "snapshot publication (stand-in: export --copy + --parquet)" "$(last)" "cp of the database: $cpref"
rm -rf "$work/pub" "$work/copy.duckdb"

fi # SERVE_ONLY

# ---- serving ----
echo "== sgz serve"
pw=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
printf '%s\n' "$pw" >"$work/password"
chmod 600 "$work/password"
"$sgz" --db "$db" user add scale-admin --role admin --role analyst --password-stdin <"$work/password" >/dev/null 2>&1 ||
  "$sgz" --db "$db" user passwd scale-admin --password-stdin <"$work/password" >/dev/null
"$sgz" --db "$db" token create scale-admin --expires 1d 2>/dev/null | tail -1 >"$work/token"
chmod 600 "$work/token"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
started=$(date +%s.%N)
"$sgz" --db "$db" serve --addr "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server=$!
until curl -sf "$base/healthz" >/dev/null; do
  kill -0 "$server" || { cat "$work/serve.log"; exit 1; }
  sleep 0.1
done
echo "listening after $(echo "$(date +%s.%N) - $started" | bc | cut -c1-5) s, pid $server"
hwm() { awk '/VmHWM/{print int($2/1024)}' "/proc/$server/status"; }
rss() { awk '/VmRSS/{print int($2/1024)}' "/proc/$server/status"; }
sleep 20 # the start-up warming of the newest quarter
note "sgz serve: after start and warming (20 s)" "RSS $(rss) MB, peak $(hwm) MB"

# The console through the server: the first query takes the snapshot the
# workers read; the worker's memory is sampled while it runs.
console() {
  local kids=$work/.kids
  : >"$kids"
  (while kill -0 "$server" 2>/dev/null; do
     for c in $(pgrep -P "$server" || true); do awk -v c="$c" '/VmHWM/{print $2}' "/proc/$c/status" 2>/dev/null; done
     sleep 0.05
   done) >>"$kids" &
  local sampler=$!
  local t
  t=$(curl -s -o "$work/console.json" -w '%{http_code} %{time_total}' -H "Authorization: Bearer $(cat "$work/token")" \
    -H 'Content-Type: application/json' --data "$(python3 -c 'import json,sys; print(json.dumps({"sql": sys.argv[1]}))' "$1")" "$base/api/v1/sql/query")
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
  echo "$t $(sort -n "$kids" | tail -1 | awk '{print int($1/1024)}')"
}
read -r code secs kid <<<"$(console "$scan")"
note "console (HTTP), full scan, first query (takes the workers' snapshot)" "$(printf %.1f "$secs") s, HTTP $code, worker peak ${kid:-?} MB" ""
read -r code secs kid <<<"$(console "$scan")"
read -r code1 secs1 _ <<<"$(console "SELECT 1")"
note "console (HTTP), full scan again" "$(printf %.1f "$secs") s, HTTP $code, worker peak ${kid:-?} MB" "SELECT 1: $(printf %.2f "$secs1") s"
timed "sgz query beside the server: full scan" "$sgz" --db "$db" query --format csv "$scan" >/dev/null
note "sgz query beside the server (through its socket), full scan" "$(last)" ""

echo "== every page and API route, $clients clients"
"$work/loadtest" -server "$base" -user scale-admin -password-file "$work/password" -token-file "$work/token" \
  -pid "$server" -clients "$clients" -per-url "$per_url" -per-url-duration "$per_url_dur" -out "$work/survey.tsv" | tee "$work/survey.txt"
note "sgz serve: peak RSS over the whole run (VmHWM)" "$(hwm) MB" "target 1024 MB"
kill "$server"; wait "$server" 2>/dev/null || true
server=""

# ---- summary ----
kill "$loadpid" 2>/dev/null || true
loads=$(sort -n "$work/load.txt" | awk 'NR==1{lo=$1} {a[NR]=$1} END{if(NR) printf "%s–%s (median %s)", lo, a[NR], a[int((NR+1)/2)]}')
{
  echo "# Scale: eight quarters of the whole country"
  echo
  echo "$(date -u '+%F %H:%M UTC'), $(nproc) cores, load average during the run ${loads:-?}"
  echo
  echo "| what | figure | same-run reference |"
  echo "| --- | --- | --- |"
  awk -F'\t' '{print "| " $1 " | " $2 " | " $3 " |"}' "$sum"
  echo
  echo "Every page and API route, $clients clients, each URL on its own (first = first request after the start):"
  echo
  echo "| | route | first | p50 | p95 | p99 | bytes | server peak |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
  tail -n +2 "$work/survey.tsv" | awk -F'\t' '{printf "| %s | %s | %s ms | %s ms | %s ms | %s ms | %s | %d MB |\n", $1, $2, $4, $7, $8, $9, $12, $13/1024}'
  echo
  grep -E '^(worst|server peak)' "$work/survey.txt" | sed 's/^/- /'
} >"$work/summary.md"
echo
cat "$work/summary.md"
