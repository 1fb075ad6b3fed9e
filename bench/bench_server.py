"""Queue-server benchmark against a real ``loket serve`` over loopback (issue 2).

Prints, from ONE run on this machine:
- ticket issuance throughput and p50/p99 latency at concurrency 1, 20 and 50
  (``wrk`` with a Lua script giving every request its own idempotency key);
- the same stack's ceiling (``GET /api/v1/ping``, a trivial JSON endpoint) and the ratio;
- zero-duplicate check on every ticket issued;
- call-next latency (p50/p99, one officer, sequential);
- call-to-SSE-delivery latency p50/p95 with 50 connected subscribers;
- the server's peak RSS (VmHWM of every server process).

Usage: ``python bench/bench_server.py [--workers 2] [--threads 64] [--seconds 8]
[--database sqlite|postgresql] [--instances 1] [--synchronous full|normal]``.
Tickets are counted in the database (created per phase), not from the answers. With
``--database postgresql`` a throwaway cluster (tests/support/pg_kit.py) serves
``--instances`` ``loket serve`` processes on their own ports, each loaded by its own
``wrk`` with half the connections. Needs Debian's ``wrk`` (``apt-get install wrk``) and,
for PostgreSQL, ``postgresql``. Not a test: it only prints figures.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "support"))
from live_server import LiveServer  # noqa: E402

# Every request its own idempotency key: ``made`` counts threads in wrk's main Lua state and
# gives each thread a global ``tid`` (a ``local tid`` here would shadow it: every thread
# sent the same keys and half the requests answered an earlier ticket; issue 17).
TICKET_LUA = r"""
local n = 0
local made = 0
local token = os.getenv("LOKET_TOKEN")
local prefix = os.getenv("LOKET_KEYPREFIX")
setup = function(thread) made = made + 1; thread:set("tid", made) end
request = function()
  n = n + 1
  local body = '{"service":"KIA","answers":{"birth_date":"2019-06-01","reason":"baru"},"idempotency_key":"'
    .. prefix .. "-" .. tostring(tid) .. "-" .. tostring(n) .. '"}'
  return wrk.format("POST", "/api/v1/tickets",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
done = function(summary, latency, requests)
  io.write(string.format("JSON {\"requests\":%d,\"non2xx\":%d,\"p50\":%f,\"p99\":%f,\"duration_us\":%d}\n",
    summary.requests, summary.errors.status, latency:percentile(50), latency:percentile(99), summary.duration))
end
"""

PING_LUA = r"""
done = function(summary, latency, requests)
  io.write(string.format("JSON {\"requests\":%d,\"non2xx\":%d,\"p50\":%f,\"p99\":%f,\"duration_us\":%d}\n",
    summary.requests, summary.errors.status, latency:percentile(50), latency:percentile(99), summary.duration))
end
"""


def wrk(url: str, script: Path, conns: int, seconds: int, env: dict) -> dict:
    threads = max(1, min(2, conns))
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(conns), "-d", f"{seconds}s", "--timeout", "5s",
                          "-s", str(script), url], capture_output=True, text=True, env={**os.environ, **env},
                         check=True, timeout=seconds + 60)
    m = re.search(r"JSON (\{.*\})", out.stdout)
    data = json.loads(m.group(1))
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    data["p50_ms"] = data["p50"] / 1000
    data["p99_ms"] = data["p99"] / 1000
    return data


def peak_rss_mb(pid: int) -> float:
    """VmHWM of the process and its children (MiB)."""
    total = 0
    pids = [pid]
    try:
        pids += [int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()]
    except FileNotFoundError:
        pass
    for p in pids:
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        m = re.search(r"VmHWM:\s+(\d+) kB", status)
        if m:
            total = max(total, int(m.group(1)))
    return total / 1024


def pct(values, q):
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def call_next_latency(server: LiveServer, token: str, n: int) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        conn.request("POST", "/api/v1/counters/1/call-next", body="{}",
                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        r = conn.getresponse()
        r.read()
        out.append((time.perf_counter() - t0) * 1000)
        assert r.status in (200, 204), r.status
    conn.close()
    return out


def sse_latency(server: LiveServer, op_token: str, subscribers: int, calls: int) -> list[float]:
    """Time (ms) from sending call-next to each subscriber reading the ticket.called event."""
    sent: dict[str, float] = {}
    received: list[float] = []
    lock = threading.Lock()
    ready = threading.Barrier(subscribers + 1)
    stop = threading.Event()

    def sub():
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        conn.request("GET", "/api/v1/events", headers={"Authorization": f"Bearer {server.tokens['display']}"})
        resp = conn.getresponse()
        ready.wait()
        got = 0
        event = None
        while not stop.is_set() and got < calls:
            line = resp.fp.readline()
            if not line:
                break
            line = line.decode().strip()
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event == "ticket.called":
                now = time.perf_counter()
                number = json.loads(line[5:])["number"]
                with lock:
                    if number in sent:
                        received.append((now - sent[number]) * 1000)
                got += 1
        conn.close()

    threads = [threading.Thread(target=sub, daemon=True) for _ in range(subscribers)]
    for t in threads:
        t.start()
    ready.wait()
    time.sleep(0.5)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    for _ in range(calls):
        t0 = time.perf_counter()
        conn.request("POST", "/api/v1/counters/1/call-next", body="{}",
                     headers={"Authorization": f"Bearer {op_token}", "Content-Type": "application/json"})
        r = conn.getresponse()
        body = json.loads(r.read())
        with lock:
            sent[body["number"]] = t0
        time.sleep(0.1)
    deadline = time.time() + 10
    while time.time() < deadline and len(received) < subscribers * calls:
        time.sleep(0.05)
    stop.set()
    conn.close()
    return received


def wrk_all(urls: list[str], path: str, script: Path, conns: int, seconds: int, env: dict) -> dict:
    """``wrk`` against every instance at once, ``conns`` connections in all; the sum of
    their rates and the worst of their percentiles."""
    parts: list[dict] = [{}] * len(urls)

    def one(i: int) -> None:  # each wrk its own key prefix: the instances share idempotency
        mine = {**env, "LOKET_KEYPREFIX": f"{env.get('LOKET_KEYPREFIX', 'k')}-i{i}"}
        parts[i] = wrk(urls[i] + path, script, max(1, conns // len(urls)), seconds, mine)
    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(urls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"rps": sum(p["rps"] for p in parts), "p50_ms": max(p["p50_ms"] for p in parts),
            "p99_ms": max(p["p99_ms"] for p in parts), "non2xx": sum(p["non2xx"] for p in parts),
            "requests": sum(p["requests"] for p in parts)}


class Store:
    """Counts in the benchmark's database: SQLite file or PostgreSQL database."""

    def __init__(self, sqlite_file: Path | None = None, cluster=None, name: str = "") -> None:
        self.sqlite_file, self.cluster, self.name = sqlite_file, cluster, name

    def counts(self) -> tuple[int, int, int]:
        """(tickets, distinct numbers per day, sum over prefixes of the highest number)."""
        q = ('SELECT COUNT(*), COUNT(DISTINCT "office_day" || "number"), '
             '(SELECT COALESCE(SUM("last_seq"), 0) FROM "day_counter") FROM "ticket"')
        if self.sqlite_file:
            with sqlite3.connect(self.sqlite_file) as con:
                return tuple(con.execute(q).fetchone())
        return tuple(int(x) for x in self.cluster.sql(q, self.name).strip().split("|"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=64)
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    ap.add_argument("--instances", type=int, default=1, help="loket serve processes sharing the database")
    ap.add_argument("--synchronous", choices=("full", "normal"), default="full", help="SQLite's synchronous")
    ap.add_argument("--concurrency", default="1,20,50")
    ap.add_argument("--skip-extras", action="store_true", help="only the ticket and ceiling figures")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="loket-bench-"))
    env_server = {**os.environ, "LOKET_SQLITE_SYNCHRONOUS": args.synchronous}
    cluster = None
    if args.database == "postgresql":
        from pg_kit import PgCluster
        cluster = PgCluster().start()
        url = cluster.create_db("bench")
        env_server["DATABASE_URL"] = url
        store = Store(cluster=cluster, name=url.rsplit("/", 1)[1])
    else:
        store = Store(sqlite_file=tmp / "data" / "loket.sqlite3")
    servers = [LiveServer(tmp / "data", threads=args.threads, workers=args.workers, env=env_server)
               .setup(staff_roles=("operator",))]
    for i in range(1, args.instances):
        from live_server import loket
        other = LiveServer(tmp / f"data{i}", threads=args.threads, workers=args.workers, env=env_server)
        loket("init", "--admin-password", "admin-pass-123", data_dir=other.data_dir, env=env_server)
        other.tokens = servers[0].tokens
        servers.append(other)
    for srv in servers:
        srv.start()
    server = servers[0]
    urls = [srv.url for srv in servers]
    lua_t = tmp / "ticket.lua"
    lua_t.write_text(TICKET_LUA)
    lua_p = tmp / "ping.lua"
    lua_p.write_text(PING_LUA)
    env = {"LOKET_TOKEN": server.tokens["kiosk"]}
    sync = f", SQLite synchronous={args.synchronous}" if args.database == "sqlite" else ""
    print(f"loket serve: {args.instances} instance(s) × {args.workers} process(es) × {args.threads} threads on "
          f"{args.database}{sync}; wrk {args.seconds}s per point; {os.cpu_count()} CPUs (client and server share them)")
    try:
        wrk_all(urls, "/api/v1/ping", lua_p, 10, 2, env)  # warm-up
        for conns in (int(c) for c in args.concurrency.split(",")):
            env["LOKET_KEYPREFIX"] = f"c{conns}"
            ceiling = wrk_all(urls, "/api/v1/ping", lua_p, conns, args.seconds, env)
            before = store.counts()[0]
            tickets = wrk_all(urls, "/api/v1/tickets", lua_t, conns, args.seconds, env)
            time.sleep(1.0)  # requests wrk abandoned at its deadline may still commit
            created = store.counts()[0] - before
            rate = created / args.seconds
            print(f"concurrency {conns:>2}: tickets created {created} = {rate:7.0f}/s (answers {tickets['rps']:7.0f}/s)  "
                  f"p50 {tickets['p50_ms']:6.2f} ms  p99 {tickets['p99_ms']:6.2f} ms  non-2xx {tickets['non2xx']}  | "
                  f"ceiling (ping) {ceiling['rps']:7.0f}/s p99 {ceiling['p99_ms']:6.2f} ms | "
                  f"ratio {rate / ceiling['rps']:.2f}")
        total, distinct, seqs = store.counts()
        print(f"tickets in the database: {total}; distinct numbers: {distinct}; duplicates: {total - distinct}; "
              f"gaps: {seqs - total}")
        if not args.skip_extras:
            op = server.login("u_operator")
            lat = call_next_latency(server, op, 300)
            print(f"call-next (1 officer, sequential, {len(lat)} calls): p50 {statistics.median(lat):.2f} ms  "
                  f"p99 {pct(lat, 0.99):.2f} ms")
            deliveries = sse_latency(server, op, 50, 20)
            print(f"call-to-SSE delivery, 50 subscribers × 20 calls ({len(deliveries)} deliveries): "
                  f"p50 {statistics.median(deliveries):.1f} ms  p95 {pct(deliveries, 0.95):.1f} ms  "
                  f"max {max(deliveries):.1f} ms")
        print("server peak RSS (largest process): " +
              ", ".join(f"{peak_rss_mb(srv.proc.pid):.0f} MiB" for srv in servers))
    finally:
        for srv in servers:
            srv.stop()
        if cluster is not None:
            cluster.stop()


if __name__ == "__main__":
    main()
