#!/usr/bin/env bash
# Mutation testing with gremlins (github.com/go-gremlins/gremlins v0.6.0):
# plants small bugs (flipped comparisons, changed arithmetic, ...) one at a
# time in a package and runs that package's tests; a mutant that no test
# notices "lived". Efficacy = killed / (killed + lived). Not run in CI (slow:
# minutes per package); run it before and after changing a package whose
# surviving mutants mean a wrong number or a security hole, and record the
# figures in docs/testing.md.
#
#   scripts/mutate.sh [--diff REF] [--workers N] [--only RE] [--run RE] [PKG...]
#
#   PKG          package directories (default: value registry query metrics ingest)
#   --diff REF   mutate only the lines changed since REF (e.g. --diff main)
#   --workers N  parallel mutants (default 1: the machine has 2 cores and each
#                mutant runs a whole package's tests)
#   --out DIR    keep gremlins' JSON results there (default a temporary folder)
#   --only RE    mutate only the package files whose name matches the regexp RE
#                (e.g. --only 'engine|check' for query's guards), to save time
#   --run RE     run only the tests whose names match RE (go test -run, passed
#                through GOFLAGS), for the coverage gremlins gathers first and
#                for every mutant: a mutant that only other tests would kill
#                counts as lived, one those tests never reach as not covered
#                (e.g. dashboard's access code with its access tests)
#   --logical    also mutate && into || and back (gremlins --invert-logical)
#   --dry-run    list the mutants without running the tests on them
#   --again DIR  re-run only the mutants that lived or were not covered in
#                the earlier run whose results are in DIR (its PKG.json, or
#                PKG.log of a run stopped early), on the code as it is now
#                (scripts/mutate_again.py): after adding tests, when the code
#                under mutation is unchanged (a killed mutant stays killed);
#                the figures count both; one still alive counts as lived
#
# Installs gremlins into $(go env GOPATH)/bin when missing. Prints one line
# per package: killed, lived, timed out, not covered, efficacy, mutant
# coverage, statement coverage (go test -cover) and time taken.
set -euo pipefail
cd "$(dirname "$0")/.."

version=v0.6.0
diff=""
workers=1
out=""
only=""
run=""
again=""
extra=()
pkgs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --diff) diff=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --run) run=$2; shift 2 ;;
    --logical) extra+=(--invert-logical); shift ;;
    --dry-run) extra+=(--dry-run); shift ;;
    --again) again=$2; shift 2 ;;
    -h|--help) sed -n '2,37p' "$0"; exit 0 ;;
    -*) echo "mutate.sh: unknown flag $1" >&2; exit 2 ;;
    *) pkgs+=("${1%/}"); shift ;;
  esac
done
[ ${#pkgs[@]} -gt 0 ] || pkgs=(value registry query metrics ingest)
gf="${GOFLAGS:+$GOFLAGS }-count=1"
if [ -n "$run" ]; then
  case "$run" in
    *[[:space:]]*) echo "mutate.sh: --run takes a regexp without spaces (it goes into GOFLAGS)" >&2; exit 2 ;;
  esac
  gf="$gf -run=$run"
fi

gremlins=$(go env GOPATH)/bin/gremlins
if ! [ -x "$gremlins" ] || ! go version -m "$gremlins" 2>/dev/null | grep -q "mod.*github.com/go-gremlins/gremlins.*$version"; then
  echo "installing gremlins $version" >&2
  go install "github.com/go-gremlins/gremlins/cmd/gremlins@$version"
fi
if [ -z "$out" ]; then
  out=$(mktemp -d)
fi
mkdir -p "$out"

printf '%-10s %6s %6s %6s %6s %9s %9s %9s %7s\n' \
  package killed lived timeout notcov efficacy mutcover stmtcov time
for pkg in "${pkgs[@]}"; do
  if ! [ -d "$pkg" ]; then
    echo "mutate.sh: no package directory $pkg" >&2; exit 2
  fi
  log="$out/$(echo "$pkg" | tr / _).log"
  # The tests must pass before any mutant is planted.
  if ! GOFLAGS="$gf" go test -cover "./$pkg" >"$log" 2>&1; then
    printf '%-10s %s (see %s)\n' "$pkg" "its tests fail" "$log"
    continue
  fi
  cov=$(sed -n 's/.*coverage: \([0-9.]*%\).*/\1/p' "$log" | head -1)
  json="$out/$(echo "$pkg" | tr / _).json"
  # A mutant's time limit is a multiple of the (uncached) coverage run: generous,
  # as the machine is shared and each mutant compiles the package again.
  args=(unleash --workers "$workers" --timeout-coefficient 10 -o "$json" ${extra[@]+"${extra[@]}"})
  [ -n "$diff" ] && args+=(--diff "$diff")
  if [ -n "$only" ]; then
    # gremlins matches -E against paths relative to the package (sub-packages included)
    for f in $(find "$pkg" -name '*.go'); do
      b=$(basename "$f")
      case "$b" in *_test.go) continue ;; esac
      echo "$b" | grep -Eq "$only" || args+=(-E "(^|/)${b//./\\.}\$")
    done
  fi
  start=$(date +%s)
  # gremlins copies the module, mutates the package's files one at a time
  # and runs that package's tests; it must start from the module root.
  if [ -n "$again" ]; then
    base="$again/$(echo "$pkg" | tr / _)"
    prev="$base.json"; [ -s "$prev" ] || prev="$base.log"
    GOFLAGS="$gf" python3 scripts/mutate_again.py "$prev" "$pkg" "$json" >"$log" 2>&1 || true
  else
    GOFLAGS="$gf" "$gremlins" "${args[@]}" "./$pkg" >"$log" 2>&1 || true
    if ! [ -s "$json" ] && grep -q ' at .*:[0-9]*:[0-9]*$' "$log"; then
      # stopped early (no JSON): the mutants run so far, from the log
      python3 -c 'import json,sys; sys.path.insert(0, "scripts"); import mutate_again as m; json.dump(m.earlier(sys.argv[1]), open(sys.argv[2], "w"))' "$log" "$json"
      echo "$pkg: stopped early; the figures count the mutants run before" >&2
    fi
  fi
  secs=$(( $(date +%s) - start ))
  if ! [ -s "$json" ]; then
    printf '%-10s %s (see %s)\n' "$pkg" "no result" "$out/$(echo "$pkg" | tr / _).log"
    continue
  fi
  python3 - "$json" "$pkg" "${cov:-?}" "$secs" <<'EOF'
import json, sys
path, pkg, cov, secs = sys.argv[1:]
d = json.load(open(path))
n = {"KILLED": 0, "LIVED": 0, "TIMED OUT": 0, "NOT COVERED": 0}
for f in d.get("files") or []:
    for m in f.get("mutations") or []:
        n[m["status"]] = n.get(m["status"], 0) + 1
k, l = n["KILLED"], n["LIVED"]
eff = f"{100*k/(k+l):.1f}%" if k + l else "-"
tot = k + l + n["TIMED OUT"] + n["NOT COVERED"]
mc = f"{100*(k+l+n['TIMED OUT'])/tot:.1f}%" if tot else "-"
print(f"{pkg:<10} {k:>6} {l:>6} {n['TIMED OUT']:>6} {n['NOT COVERED']:>6} {eff:>9} {mc:>9} {cov:>9} {secs:>6}s")
EOF
done
echo "results: $out (JSON per package; lived mutants: status LIVED)"
