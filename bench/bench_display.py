"""Waiting-room display bench (not a test; numbers depend on the machine).

    python bench/bench_display.py [--calls 40] [--events 10000] [--rounds 3] [--theme FILE]

1. Event-to-screen latency: a real ``loket serve`` on 127.0.0.1 and ``loket display``
   (1920×1080, on a private Xvfb screen, software GL) in its own process; for each
   of ``--calls`` calls, the time from sending ``POST /counters/N/call-next`` until
   the display's ``status.json`` (written right after the render) shows the number,
   i.e. API + event stream + state + Kivy render. Median and p95 (ms).
2. Memory after 10,000 calls:
   a. the plain-Python DisplayState fed ``--events`` call events (tracemalloc, KiB,
      after 1,000 and after 10,000 — it must not grow);
   b. the display window fed ``--rounds`` × ``--events`` synthetic calls through its
      automation ``feed`` request while rendering (resident memory of the display
      process at the start and after each round, MiB).
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "support"))

from live_server import LiveServer  # noqa: E402
from server_kit import KIA_7Y  # noqa: E402
from xvfb_kit import kivy_env, start_xvfb, stop_xvfb  # noqa: E402

from display.state import DisplayState  # noqa: E402


def events(n: int, start_id: int = 1_000_000, at: float | None = None) -> list[dict]:
    """``n`` synthetic ticket.called events on counters 1..5 (numbers A001..A999)."""
    at = time.time() if at is None else at
    return [{"id": start_id + i, "type": "ticket.called", "office": "paser", "at": at, "number": f"A{i % 999 + 1:03d}",
             "service": "KIA", "step": "penerimaan", "counter": str(i % 5 + 1), "counter_number": i % 5 + 1,
             "priority": False} for i in range(n)]


def state_memory(n: int) -> dict:
    overview = {"office": "paser", "office_day": "2026-11-23", "last_calls": [],
                "services": [{"service": "KIA", "name": "KIA", "prefix": "A", "waiting": 0}],
                "counters": [{"code": str(i), "number": i, "name": f"Loket {i}", "services": ["KIA"], "current": None}
                             for i in range(1, 6)]}
    tracemalloc.start()
    s = DisplayState()
    s.load_snapshot(overview)
    evs = events(n)
    base = tracemalloc.get_traced_memory()[0]
    s.apply_events(evs[:1000])
    after_1k = tracemalloc.get_traced_memory()[0] - base
    t0 = time.perf_counter()
    for e in evs[1000:]:
        s.apply_event(e)
    per_event_us = (time.perf_counter() - t0) / max(1, n - 1000) * 1e6
    after_all = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    return {"after_1000_kib": after_1k / 1024, "after_all_kib": after_all / 1024, "apply_us": per_event_us}


def status(folder: Path) -> dict | None:
    try:
        return json.loads((folder / "status.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def wait(folder: Path, predicate, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        st = status(folder)
        if st and predicate(st):
            return st
        time.sleep(0.002)
    raise SystemExit(f"timeout; last status {status(folder)}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=40)
    ap.add_argument("--events", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--theme", default=None, help="theme TOML passed to the display (e.g. ticker_fps = 0)")
    args = ap.parse_args()

    mem = state_memory(args.events)
    print(f"DisplayState: {mem['after_1000_kib']:.1f} KiB after 1,000 calls, {mem['after_all_kib']:.1f} KiB after "
          f"{args.events:,} (apply {mem['apply_us']:.1f} µs/event)")

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        server = LiveServer(tmp / "server", threads=16).setup(staff_roles=("operator",))
        server.start()
        display, xvfb = start_xvfb(1920, 1920)
        folder = tmp / "screen"
        folder.mkdir()
        log = open(folder / "display.log", "wb")
        proc = subprocess.Popen([sys.executable, "-m", "loket.cli", "display", "--server", server.url, "--token",
                                 server.tokens["display"], "--size", "1920x1080", "--no-voice", "--automation",
                                 str(folder), *(["--theme", args.theme] if args.theme else [])], env=kivy_env(display, str(tmp / "kivy")), stdout=log,
                                stderr=subprocess.STDOUT)
        try:
            wait(folder, lambda st: st["connection"] == "live" and st["screen"]["title"], 60)
            op = server.login("u_operator")
            for _ in range(args.calls):
                server.request("POST", "/api/v1/tickets", {"service": "KIA", "answers": KIA_7Y},
                               token=server.tokens["kiosk"])
            lat, api, arrive = [], [], []
            for i in range(args.calls):
                counter = str(i % 3 + 1)
                t0 = time.time()
                code, body = server.request("POST", f"/api/v1/counters/{counter}/call-next", {}, token=op)
                assert code == 200, body
                api.append((time.time() - t0) * 1000)
                st = wait(folder, lambda st: st["screen"]["latest"]["number"] == body["number"], 5)
                lat.append((max(st["rendered_at"], t0) - t0) * 1000)
                arrive.append((st["event_received_at"] - t0) * 1000)
                time.sleep(0.05)
            lat.sort()
            p95 = lat[min(len(lat) - 1, int(round(0.95 * (len(lat) - 1))))]
            print(f"event-to-screen ({args.calls} calls, API call included): median {statistics.median(lat):.1f} ms, "
                  f"p95 {p95:.1f} ms, max {lat[-1]:.1f} ms; the API call alone: median {statistics.median(api):.1f} ms; "
                  f"event received by the display: median {statistics.median(arrive):.1f} ms")

            rss = [wait(folder, lambda st: True, 5)]
            for round_ in range(1, args.rounds + 1):  # several rounds: memory must not keep growing
                name = f"bench{round_}"
                (folder / f"{name}.feed").write_text(json.dumps({"count": args.events, "start_id": 10**6 * round_,
                                                                 "batch": 10, "pause": 0.005}), encoding="utf-8")
                t0 = time.monotonic()
                wait(folder, lambda st: (folder / f"{name}.fed").exists(), 600)
                fed = time.monotonic() - t0
                time.sleep(1.5)
                rss.append(wait(folder, lambda st: True, 5))
                print(f"window round {round_}: {args.events:,} calls fed in {fed:.1f} s, "
                      f"{rss[-1]['renders'] - rss[-2]['renders']} renders, latest {rss[-1]['screen']['latest']['number']}")
            print(f"window frame rate after the feed (Xvfb, software GL): {rss[-1]['fps']} fps")
            print("window RSS (MiB) at start and after each round: "
                  + " -> ".join(f"{r['rss_kb'] / 1024:.1f}" for r in rss))
        finally:
            (folder / "quit").touch()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()
            stop_xvfb(xvfb)
            server.stop()


if __name__ == "__main__":
    main()
