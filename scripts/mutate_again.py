#!/usr/bin/env python3
"""Re-run the mutants that lived in an earlier gremlins run (scripts/mutate.sh --again).

After tests were added (and the code under mutation left as it was), only the
mutants that lived or that no test reached can change status: a killed
mutant is still killed by the test that killed it. A mutant not covered then
that survives now counts as lived. This plants each lived mutant again, one at a time, in a
copy of the module, as gremlins does (same mutators, same position), and runs
the package's tests (go test -failfast, with the caller's GOFLAGS, e.g. -run).

    mutate_again.py EARLIER.json|EARLIER.log PKG OUT.json

Prints one line per re-run mutant and writes OUT.json in gremlins' format:
the earlier result with the re-run mutants' new statuses.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

# gremlins v0.6.0's default mutators: the token at the position becomes...
SWAP = {
    "CONDITIONALS_BOUNDARY": {"<": "<=", "<=": "<", ">": ">=", ">=": ">"},
    "CONDITIONALS_NEGATION": {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"},
    "ARITHMETIC_BASE": {"+": "-", "-": "+", "*": "/", "/": "*", "%": "*"},
    "INCREMENT_DECREMENT": {"++": "--", "--": "++"},
    "INVERT_NEGATIVES": {"-": "+"},
    "INVERT_LOGICAL": {"&&": "||", "||": "&&"},
}
TOKENS = ["<=", ">=", "==", "!=", "++", "--", "&&", "||", "<", ">", "+", "-", "*", "/", "%"]
LOGLINE = re.compile(r"^\s*(KILLED|LIVED|TIMED OUT|NOT COVERED|NOT VIABLE|RUNNABLE)\s+(\w+) at (\S+):(\d+):(\d+)")


def earlier(path):
    """The earlier result as gremlins' JSON (rebuilt from the log of a run
    stopped before it wrote its JSON)."""
    if path.endswith(".json"):
        return json.load(open(path))
    files = {}
    for line in open(path):
        m = LOGLINE.match(line)
        if m:
            status, typ, name, ln, col = m.groups()
            files.setdefault(name, []).append({"type": typ, "status": status, "line": int(ln), "column": int(col)})
    return {"files": [{"file_name": f, "mutations": ms} for f, ms in files.items()]}


def copy_module(dst):
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           check=True, capture_output=True).stdout.split(b"\0")
    for f in files:
        if not f:
            continue
        f = f.decode()
        if not os.path.isfile(f):
            continue
        os.makedirs(os.path.join(dst, os.path.dirname(f)), exist_ok=True)
        shutil.copy2(f, os.path.join(dst, f))


def plant(src, line, col, typ):
    lines = src.split("\n")
    b = lines[line - 1].encode()
    i = col - 1  # go/token's column counts bytes
    for tok in TOKENS:
        if b[i:i + len(tok)] == tok.encode() and tok in SWAP[typ]:
            lines[line - 1] = (b[:i] + SWAP[typ][tok].encode() + b[i + len(tok):]).decode()
            return "\n".join(lines), tok, SWAP[typ][tok]
    raise ValueError(f"no {typ} operator at {line}:{col}: {lines[line - 1].strip()}")


def main():
    path, pkg, out = sys.argv[1:4]
    d = earlier(path)
    work = tempfile.mkdtemp(prefix="mutate-again-")
    try:
        copy_module(work)
        for f in d.get("files") or []:
            name = os.path.join(pkg, f["file_name"])
            target = os.path.join(work, name)
            orig = open(target).read()
            for m in f.get("mutations") or []:
                # lived, or not reached by the tests then (a new test may reach it:
                # if it survives now it counts as lived)
                if m["status"] not in ("LIVED", "NOT COVERED"):
                    continue
                src, a, b = plant(orig, m["line"], m["column"], m["type"])
                open(target, "w").write(src)
                start = time.time()
                try:
                    r = subprocess.run(["go", "test", "-count=1", "-failfast", "./" + pkg], cwd=work,
                                       capture_output=True, timeout=1800)
                    status = {0: "LIVED", 1: "KILLED"}.get(r.returncode, "NOT VIABLE")
                    if r.returncode == 1 and b"[build failed]" in r.stdout + r.stderr:
                        status = "NOT VIABLE"
                except subprocess.TimeoutExpired:
                    status = "TIMED OUT"
                open(target, "w").write(orig)
                m["status"], m["again"] = status, True
                print(f"{status:>12} {m['type']} at {f['file_name']}:{m['line']}:{m['column']} ({a} → {b}, {time.time() - start:.0f} s)", flush=True)
        json.dump(d, open(out, "w"), indent=1)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
