#!/usr/bin/env python3
"""SQL console memory bombs against a running `sgz serve`, measured.

    scripts/sqlbomb.sh [WORKDIR]      (builds sgz and a demo database, then runs this)
    scripts/sqlbomb.py SGZ DB [PORT] [SECONDS]

Starts `sgz serve` on DB, then:
  1. reference: the server idle but for one client reading pages (the
     overview and the indicators API, alternately), answer times p50/p99/max;
  2. bombs: two analysts (two client addresses, 127.0.0.2 and 127.0.0.3, so
     two users for the console's turns) send SELECT repeat('x', 1000000000)
     and SELECT list(range(500000000)) again and again, while the same client
     reads the same pages;
in alternating rounds of 3 s each (SECONDS in all) so that the noise of a
shared machine falls on both alike,
and samples every 10 ms the resident memory of the server process and of
its children (the console's workers). Prints the figures as Markdown.
"""
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time

sgz, db = sys.argv[1], sys.argv[2]
port = int(sys.argv[3]) if len(sys.argv) > 3 else 18399
seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 20
PAGES = ["/", "/api/v1/indicators?period=2026Q3&level=district"]


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def hwm_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def children(pid):
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                st = f.read()
            ppid = int(st[st.rindex(")") + 2:].split()[1])
        except (OSError, ValueError):
            continue
        if ppid == pid:
            out.append(int(d))
    return out


class Sampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.stop = pid, False
        self.workers = set()
        self.reset()

    def reset(self):
        self.server_peak = 0
        self.child_peak = 0      # one worker
        self.children_peak = 0   # all workers at once

    def run(self):
        while not self.stop:
            self.server_peak = max(self.server_peak, rss_kb(self.pid))
            total = 0
            for c in children(self.pid):
                self.workers.add(c)
                r = rss_kb(c)
                self.child_peak = max(self.child_peak, r)
                total += r
            self.children_peak = max(self.children_peak, total)
            time.sleep(0.01)


def get(path, conn):
    t0 = time.perf_counter()
    conn.request("GET", path)
    r = conn.getresponse()
    r.read()
    if r.status != 200:
        raise SystemExit(f"{path}: {r.status}")
    return (time.perf_counter() - t0) * 1000


def pages(until):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    times = []
    i = 0
    while time.time() < until:
        times.append(get(PAGES[i % len(PAGES)], conn))
        i += 1
        time.sleep(0.02)
    return times


def quantiles(ts):
    ts = sorted(ts)
    q = lambda p: ts[min(len(ts) - 1, int(p * len(ts)))]
    return f"{len(ts)} | {statistics.median(ts):.1f} | {q(0.99):.1f} | {ts[-1]:.1f}"


answers = []


def bomber(src, sql, until):
    while time.time() < until:
        conn = http.client.HTTPConnection("127.0.0.1", port, source_address=(src, 0), timeout=120)
        t0 = time.perf_counter()
        conn.request("POST", "/api/v1/sql/query", body=json.dumps({"sql": sql}),
                     headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        body = json.loads(r.read())
        code = body.get("error", {}).get("code", "ok")
        answers.append((sql, r.status, code, (time.perf_counter() - t0) * 1000,
                        body.get("error", {}).get("message", "")))
        conn.close()


server = subprocess.Popen([sgz, "--db", db, "serve", "--addr", f"127.0.0.1:{port}"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
try:
    server.stdout.readline()
    for _ in range(300):  # until it listens
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port)
            get(PAGES[1], conn)
            break
        except (ConnectionRefusedError, SystemExit):
            time.sleep(0.1)
    for _ in range(20):
        for p in PAGES:
            get(p, conn)  # warm the caches
    s = Sampler(server.pid)
    s.start()
    # Alternate rounds of reference and bombs, so that the noise of a shared
    # machine falls on both alike.
    ref, under, ref_server, peaks = [], [], 0, [0, 0, 0]
    rounds = max(1, int(seconds // 6))
    for _ in range(rounds):
        s.reset()
        ref += pages(time.time() + 3)
        ref_server = max(ref_server, s.server_peak)
        s.reset()
        until = time.time() + 3
        bombs = [threading.Thread(target=bomber, args=("127.0.0.2", "SELECT repeat('x', 1000000000) AS x", until)),
                 threading.Thread(target=bomber, args=("127.0.0.3", "SELECT list(range(500000000)) AS x", until))]
        for b in bombs:
            b.start()
        under += pages(until)
        for b in bombs:
            b.join()
        time.sleep(0.1)
        peaks = [max(peaks[0], s.server_peak), max(peaks[1], s.child_peak), max(peaks[2], s.children_peak)]
    s.stop = True
    s.server_peak, s.child_peak, s.children_peak = peaks
    hwm = hwm_kb(server.pid)
    print(f"sgz serve on {db}, {os.cpu_count()} cores, load average {os.getloadavg()[1]:.1f} (5 min); "
          f"{rounds} rounds of 3 s + 3 s; page client every 20 ms on {', '.join(PAGES)}\n")
    print("| phase | page requests | p50 ms | p99 ms | max ms |")
    print("| --- | --- | --- | --- | --- |")
    print(f"| reference (idle server) | {quantiles(ref)} |")
    print(f"| two analysts' bombs | {quantiles(under)} |")
    print()
    print(f"- server process peak RSS: idle {ref_server / 1024:.0f} MB; during the bombs "
          f"{s.server_peak / 1024:.0f} MB (sampled), VmHWM over the whole run {hwm / 1024:.0f} MB")
    print(f"- workers: {len(s.workers)} processes; peak RSS of one {s.child_peak / 1024:.0f} MB, "
          f"of all at once {s.children_peak / 1024:.0f} MB")
    by = {}
    for sql, status, code, ms, msg in answers:
        by.setdefault((sql, status, code, msg), []).append(ms)
    for (sql, status, code, msg), ms in by.items():
        print(f"- `{sql}`: {len(ms)} × HTTP {status} {code}, median {statistics.median(ms):.0f} ms: {msg}")
finally:
    server.terminate()
    server.wait()
