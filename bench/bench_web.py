"""Benchmark of the browser pages (issue 15): call → web display DOM, and the server's
cost of many open pages.

1. **Call → DOM**: ``--browsers`` real headless Chromium windows open ``/display`` (each
   with its own display token); ``--calls`` calls are made one per second through
   ``POST /counters/1/call-next``; every page records with a MutationObserver when its
   ``#latest-number`` changed (``Date.now()``, same machine clock as the caller). Figures:
   p50/p95/max of (DOM changed − call sent) over all pages and calls.
2. **Open pages' cost**: kiosk ticket issuance (``--clients`` threads, ``--rate``
   tickets a second in all, for ``--seconds``) on a fresh office without, then on a
   fresh office with ``--pages`` open pages — each an event stream with its own
   display token (read by one selectors thread for all, as separate TVs would) plus the
   ``GET /queue`` refreshes a display page makes (every 20-30 s) — and the server
   processes' resident memory.
   Figures: ticket p50/p99 without and with, their ratio, RSS without and with.

Loopback only, bounded, stops by itself:

    python bench/bench_web.py [--browsers 20] [--calls 20] [--pages 100] [--rate 5] [--seconds 30]
"""
from __future__ import annotations

import argparse
import http.client
import json
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "support"))
from browser_kit import chrome, quit, wait_for  # noqa: E402
from live_server import LiveServer  # noqa: E402

KIA = {"service": "KIA", "answers": {"birth_date": "2019-06-01", "reason": "baru"}}


def pct(values, q):
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def rss_mb(pid: int) -> float:
    """Resident memory of the server process and its children (MiB, summed)."""
    pids = [pid] + [int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                                                   text=True).stdout.split()]
    total = 0
    for p in pids:
        try:
            m = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{p}/status").read_text())
        except OSError:
            continue
        total += int(m.group(1)) if m else 0
    return total / 1024


def display_tokens(srv: LiveServer, n: int) -> list[str]:
    admin = srv.login("admin", "admin-pass-123")
    out = []
    for i in range(n):
        status, body = srv.request("POST", "/api/v1/devices", {"role": "display", "name": f"bench-tv-{i}"},
                                   token=admin)
        assert status == 201, body
        out.append(body["token"])
    return out


def issue_load(srv: LiveServer, token: str, clients: int, seconds: float, tag: str,
               rate: float | None = None) -> list[float]:
    """Tickets issued by ``clients`` kiosk threads for ``seconds``, back to back or, with
    ``rate``, paced at ``rate`` tickets per second in all: latencies in ms."""
    out: list[float] = []
    lock = threading.Lock()
    start = time.monotonic()
    stop = start + seconds
    gap = None if not rate else clients / rate

    def run(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
        n = 0
        mine = []
        due = start + (gap or 0) * k / clients
        while time.monotonic() < stop:
            if gap:
                time.sleep(max(0.0, due - time.monotonic()))
                due += gap
            n += 1
            body = json.dumps({**KIA, "idempotency_key": f"{tag}-{k}-{n}"})
            t0 = time.perf_counter()
            conn.request("POST", "/api/v1/tickets", body=body,
                         headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            r = conn.getresponse()
            r.read()
            mine.append((time.perf_counter() - t0) * 1000)
            assert r.status == 201, r.status
        conn.close()
        with lock:
            out.extend(mine)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


class OpenPage:
    """What one open display page costs the server, as display.js behaves: its event
    stream and a ``GET /queue`` every ``refresh`` to ``refresh + 10`` seconds (20-30 on
    the page; the events move its waiting counts in between)."""

    def __init__(self, srv: LiveServer, token: str, refresh: float, parts: str = "both"):
        self.srv, self.token, self.refresh = srv, token, refresh
        self.stop = threading.Event()
        self.nudge = threading.Event()
        self.events = 0
        self.errors = 0
        self.requests = 0
        self.threads = ([threading.Thread(target=self._stream, daemon=True)] if parts in ("both", "stream") else []) + \
                       ([threading.Thread(target=self._poll, daemon=True)] if parts in ("both", "poll") else [])
        for t in self.threads:
            t.start()

    def _stream(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=10)
        conn.request("GET", "/api/v1/events", headers={"Authorization": f"Bearer {self.token}",
                                                      "Accept": "text/event-stream"})
        resp = conn.getresponse()
        while not self.stop.is_set():
            line = resp.fp.readline()
            if not line:
                break
            if line.startswith(b"event: ticket."):
                self.events += 1
                self.nudge.set()
        conn.close()

    def _poll(self) -> None:
        """``GET /queue`` every 20-30 s (random), as display.js refreshes its estimates."""
        import random
        conn = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=10)
        while not self.stop.wait(self.refresh + random.random() * 10):
            for attempt in (1, 2):  # the server closes a keep-alive idle this long: a browser reconnects
                try:
                    conn.request("GET", "/api/v1/queue", headers={"Authorization": f"Bearer {self.token}"})
                    r = conn.getresponse()
                    r.read()
                    self.requests += 1
                    self.errors += r.status != 200
                    break
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=10)
                    self.errors += attempt == 2
        conn.close()


class StreamReaders:
    """The event streams of many open pages read by ONE thread with ``selectors``, as
    the TVs' browsers would read them on their own CPUs: the bench's client side costs
    the shared machine little, so what is left is the server's cost. ``pages[i]`` gets
    ``events`` counted and its ``nudge`` set like :meth:`OpenPage._stream`."""

    def __init__(self, port: int, pages: list, tokens: list[str]) -> None:
        import selectors
        import socket
        self.sel = selectors.DefaultSelector()
        self.stop = threading.Event()
        for page, token in zip(pages, tokens):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            sock.sendall((f"GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
                          "Accept: text/event-stream\r\n\r\n").encode())
            sock.setblocking(False)
            self.sel.register(sock, selectors.EVENT_READ, page)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.is_set():
            for key, _ in self.sel.select(timeout=0.5):
                try:
                    data = key.fileobj.recv(65536)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                if not data:
                    self.sel.unregister(key.fileobj)
                    key.fileobj.close()
                    continue
                n = data.count(b"event: ticket.")
                if n:
                    key.data.events += n
                    key.data.nudge.set()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        for key in list(self.sel.get_map().values()):
            key.fileobj.close()


class _Port:
    """The little of LiveServer an OpenPage needs (in the pages' own process)."""

    def __init__(self, port: int):
        self.port = port


def _pages_main(port: int, tokens: list[str], stop, out, parts: str, reader: str = "selector") -> None:
    streams = parts in ("both", "stream")
    threaded = streams and reader == "threads"  # each page reads its own stream in a thread
    page_parts = {"both": "both" if threaded else "poll", "stream": "stream" if threaded else "none",
                  "poll": "poll"}[parts]
    pages = [OpenPage(_Port(port), t, refresh=20.0, parts=page_parts) for t in tokens]
    readers = StreamReaders(port, pages, tokens) if streams and not threaded else None
    stop.wait()
    if readers is not None:
        readers.close()
    for p in pages:
        p.stop.set()
    out.put((sum(1 for p in pages if p.events > 0), sum(p.errors for p in pages), sum(p.requests for p in pages)))


class PagesProcess:
    """``len(tokens)`` open pages (:class:`OpenPage`) in a child process."""

    def __init__(self, port: int, tokens: list[str], parts: str = "both", reader: str = "selector"):
        import multiprocessing
        ctx = multiprocessing.get_context("fork")
        self.stop, self.out = ctx.Event(), ctx.Queue()
        self.proc = ctx.Process(target=_pages_main, args=(port, tokens, self.stop, self.out, parts, reader),
                                daemon=True)
        self.proc.start()
        self.started = time.monotonic()

    def finish(self) -> tuple[int, int, int]:
        """Close the pages; (streams that got events, errors, GET /queue requests made)."""
        self.stop.set()
        result = self.out.get(timeout=30)
        self.proc.join(10)
        return result


def call_to_dom(srv: LiveServer, tokens: list[str], calls: int, reduced_motion: bool = False) -> list[float]:
    kiosk, op = srv.tokens["kiosk"], srv.login("u_operator")
    for _ in range(calls + 2):
        srv.request("POST", "/api/v1/tickets", KIA, token=kiosk)
    drivers = []
    try:
        for token in tokens:
            d = chrome(1280, 720)
            drivers.append(d)
            d.get(f"{srv.url}/display?token={token}&voice=off" + ("&motion=reduced" if reduced_motion else ""))
        for d in drivers:
            wait_for(d, "document.body.getAttribute('data-connection') === 'live'", 60)
            d.execute_script("""
              window.benchChanges = {};
              new MutationObserver(function () {
                var n = document.getElementById('latest-number').textContent;
                if (!(n in window.benchChanges)) { window.benchChanges[n] = Date.now(); }
              }).observe(document.getElementById('latest-number'), {childList: true, characterData: true, subtree: true});
            """)
        sent = {}
        for _ in range(calls):
            t0 = time.time() * 1000
            status, body = srv.request("POST", "/api/v1/counters/1/call-next", {}, token=op)
            assert status == 200, body
            sent[body["number"]] = t0
            time.sleep(1.0)
        time.sleep(2)
        out = []
        for d in drivers:
            changes = d.execute_script("return window.benchChanges")
            for number, t0 in sent.items():
                if number in changes:
                    out.append(changes[number] - t0)
                else:
                    out.append(float("inf"))
        return out
    finally:
        for d in drivers:
            quit(d)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--browsers", type=int, default=20)
    ap.add_argument("--calls", type=int, default=20)
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--reduced-motion", action="store_true",
                    help="pages opened with motion=reduced (the running text stands still)")
    ap.add_argument("--skip-pages", action="store_true", help="only the call → DOM part")
    ap.add_argument("--page-parts", choices=("both", "stream", "poll"), default="both",
                    help="what each open page does: its event stream, its GET /queue refreshes, or both")
    ap.add_argument("--stream-reader", choices=("selector", "threads"), default="selector",
                    help="how the bench reads the pages' event streams: one selectors thread for all (as "
                         "separate TVs would cost the server's machine nothing) or a thread each (before 2026-12-01)")
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--rate", type=float, default=5.0,
                    help="tickets per second from all kiosks (a busy office issues one every few seconds)")
    args = ap.parse_args()
    def server(tmp: str, name: str) -> LiveServer:
        return LiveServer(Path(tmp) / name, workers=2, threads=128).setup().start()

    with tempfile.TemporaryDirectory() as tmp:
        # the same fresh office for each phase: the queue starts empty both times
        results = {}
        for phase in () if args.skip_pages else ("without", "with"):
            srv = server(tmp, phase)
            try:
                tokens = display_tokens(srv, args.pages)
                kiosk = srv.tokens["kiosk"]
                pages = None
                if phase == "with":  # in their own process: their threads must not slow the kiosk's
                    pages = PagesProcess(srv.port, tokens, args.page_parts, args.stream_reader)
                    time.sleep(3)
                issue_load(srv, kiosk, args.clients, 2, "warm")
                lat = issue_load(srv, kiosk, args.clients, args.seconds, phase, rate=args.rate)
                rss = rss_mb(srv.proc.pid)
                elapsed = time.monotonic() - pages.started if pages else 1.0
                streams, errors, requests = pages.finish() if pages else (0, 0, 0)
                results[phase] = (lat, rss, streams, errors, requests / elapsed)
            finally:
                srv.stop()
        if results:
            base, rss0, *_ = results["without"]
            loaded, rss1, streams, errors, qps = results["with"]
            print(f"open pages: {args.pages} (streams receiving events: {streams}, their GET /queue: "
                  f"{qps:.1f}/s, errors: {errors})")
            print(f"tickets at {args.rate:g}/s for {args.seconds:.0f} s: p50 {statistics.median(base):.1f} ms / "
                  f"p99 {pct(base, 0.99):.1f} ms without pages ({len(base)} tickets); p50 "
                  f"{statistics.median(loaded):.1f} ms / p99 {pct(loaded, 0.99):.1f} ms with them ({len(loaded)} "
                  f"tickets); p50 ratio {statistics.median(loaded) / statistics.median(base):.2f}, "
                  f"p99 ratio {pct(loaded, 0.99) / pct(base, 0.99):.2f}")
            print(f"server RSS {rss0:.0f} MiB without pages, {rss1:.0f} MiB with {args.pages} open")
        if not args.browsers:
            return
        srv = server(tmp, "browsers")
        try:
            tokens = display_tokens(srv, args.browsers)
            lat = call_to_dom(srv, tokens, args.calls, reduced_motion=args.reduced_motion)
            finite = [x for x in lat if x != float("inf")]
            print(f"call → DOM with {args.browsers} browsers × {args.calls} calls"
                  f"{' (reduced motion)' if args.reduced_motion else ''}: p50 {pct(finite, 0.5):.0f} ms, "
                  f"p95 {pct(finite, 0.95):.0f} ms, max {max(finite):.0f} ms, missed {len(lat) - len(finite)}")
        finally:
            srv.stop()


if __name__ == "__main__":
    main()
