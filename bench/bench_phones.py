"""Benchmark of the citizens' phones (issue 12): ``--phones`` phones following their
tickets while kiosks issue tickets.

Each phone opens its follow page ``/s/{code}`` once, then polls
``/api/v1/status/{code}`` every ``--poll`` seconds (10, as ``follow.js``), from a process
of their own (one keep-alive connection a phone). Kiosk threads issue tickets at
``--rate`` a second for ``--seconds`` on a ``loket serve`` with 2 workers, first without
the phones, then with them. Figures: ticket issuance throughput, p50/p99 without and with
and their ratio; the follow page's and the poll's p50/p95; the server's RSS.

Loopback only, bounded, stops by itself:

    python bench/bench_phones.py [--phones 300] [--rate 5] [--seconds 30] [--poll 10]
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_web import issue_load, pct, rss_mb  # noqa: E402
from live_server import LiveServer  # noqa: E402


def _phones_main(port: int, codes: list[str], poll: float, seconds: float, out) -> None:
    """In a child process: one thread a phone; puts (page latencies, poll latencies, errors)."""
    pages, polls, errors = [], [], []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def phone(code: str) -> None:
        rng = random.Random(code)
        time.sleep(rng.uniform(0, poll))  # phones open their pages at different moments
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
        mine_pages, mine_polls, mine_err = [], [], 0
        path = f"/s/{code}"
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            try:
                conn.request("GET", path)
                r = conn.getresponse()
                r.read()
                (mine_pages if path.startswith("/s/") else mine_polls).append((time.perf_counter() - t0) * 1000)
                mine_err += r.status != 200
            except OSError:
                mine_err += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
            path = f"/api/v1/status/{code}"
            time.sleep(poll)
        conn.close()
        with lock:
            pages.extend(mine_pages)
            polls.extend(mine_polls)
            errors.append(mine_err)

    threads = [threading.Thread(target=phone, args=(c,), daemon=True) for c in codes]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + poll + 20)
    out.put((pages, polls, sum(errors)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--phones", type=int, default=300)
    ap.add_argument("--rate", type=float, default=5.0, help="tickets a second, all kiosks together")
    ap.add_argument("--clients", type=int, default=4, help="kiosk threads")
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--poll", type=float, default=10.0)
    args = ap.parse_args()
    env = {**os.environ, "LOKET_PUBLIC_READ_LIMIT": "1000000 per minute"}  # every phone is 127.0.0.1 here
    with tempfile.TemporaryDirectory() as tmp:
        srv = LiveServer(Path(tmp) / "data", workers=2, threads=64, env=env).setup(staff_roles=("operator",)).start()
        try:
            token = srv.tokens["kiosk"]
            codes = []
            for i in range(args.phones):  # the phones' own tickets (the KK queue: the kiosks issue KIA)
                status, body = srv.request("POST", "/api/v1/tickets", {"service": "KK", "answers": {"reason": "kelahiran"}},
                                           token=token)
                assert status == 201, body
                codes.append(body["code"])
            issue_load(srv, token, args.clients, 3, "warm", args.rate)
            rss_before = rss_mb(srv.proc.pid)
            base = issue_load(srv, token, args.clients, args.seconds, "base", args.rate)
            out = multiprocessing.get_context("fork").Queue()
            proc = multiprocessing.get_context("fork").Process(
                target=_phones_main, args=(srv.port, codes, args.poll, args.seconds + args.poll + 5, out))
            proc.start()
            time.sleep(args.poll + 2)  # every phone has opened its page and polls
            loaded = issue_load(srv, token, args.clients, args.seconds, "phones", args.rate)
            rss_with = rss_mb(srv.proc.pid)
            pages, polls, errors = out.get(timeout=args.seconds + args.poll + 60)
            proc.join(30)
        finally:
            srv.stop()
    b50, b99, l50, l99 = (pct(base, 0.5), pct(base, 0.99), pct(loaded, 0.5), pct(loaded, 0.99))
    print(json.dumps({
        "phones": args.phones, "poll_seconds": args.poll, "rate": args.rate, "seconds": args.seconds,
        "tickets_without": len(base), "tickets_with": len(loaded),
        "throughput_without": round(len(base) / args.seconds, 2), "throughput_with": round(len(loaded) / args.seconds, 2),
        "ticket_p50_ms_without": round(b50, 1), "ticket_p99_ms_without": round(b99, 1),
        "ticket_p50_ms_with": round(l50, 1), "ticket_p99_ms_with": round(l99, 1),
        "p50_ratio": round(l50 / b50, 2), "p99_ratio": round(l99 / b99, 2),
        "page_p50_ms": round(pct(pages, 0.5), 1) if pages else None,
        "page_p95_ms": round(pct(pages, 0.95), 1) if pages else None,
        "poll_p50_ms": round(pct(polls, 0.5), 1) if polls else None,
        "poll_p95_ms": round(pct(polls, 0.95), 1) if polls else None,
        "polls": len(polls), "errors": errors,
        "rss_mb_before": round(rss_before, 1), "rss_mb_with": round(rss_with, 1),
        "ticket_mean_ms_with": round(statistics.mean(loaded), 1),
    }, indent=2))


if __name__ == "__main__":
    main()
