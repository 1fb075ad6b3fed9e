"""Counter station: action-to-display latency against a real ``loket serve`` (issue 5).

For each of N rounds a kiosk issues a KIA ticket, then the station's controller
(``StationController.call_next``, i.e. the officer's button, through
``StationClient``) calls it; a subscriber on ``GET /api/v1/events`` (the station's own
``station_feed``, as a waiting-room display would listen) notes when the matching
``ticket.called`` event arrives. Printed, from one run on this machine:

- button-to-event latency (controller call start → SSE event received), median and p95;
- the API call alone (``call_next`` round trip incl. the controller's queue reload);
- the same for ``recall`` (announce again) which the display also shows.

Usage: ``python bench/bench_station.py [--rounds 60] [--subscribers 1]``.
Not a test: it only prints figures. Loopback only; the data folder is temporary.
"""
from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from counter import StationClient, StationController, station_feed  # noqa: E402

PASSWORD = "rahasia-123"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(data: Path):
    cli = [sys.executable, "-m", "loket.cli"]
    subprocess.run(cli + ["init", "--data-dir", str(data), "--admin-password", "admin-pass-1"], check=True,
                   capture_output=True)
    port = _port()
    proc = subprocess.Popen(cli + ["serve", "--data-dir", str(data), "--host", "127.0.0.1", "--port", str(port),
                                   "--ignore-hours"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if requests.get(f"{url}/api/v1/health", timeout=1).ok:
                break
        except requests.ConnectionError:
            time.sleep(0.1)
    admin = requests.post(f"{url}/api/v1/auth/login", json={"username": "admin", "password": "admin-pass-1"}).json()
    h = {"Authorization": f"Bearer {admin['token']}"}
    requests.post(f"{url}/api/v1/staff", headers=h, json={"username": "bench_op", "role": "operator",
                                                          "password": PASSWORD, "office": "paser"}).raise_for_status()
    kiosk = requests.post(f"{url}/api/v1/devices", headers=h,
                          json={"role": "kiosk", "name": "bench-kiosk", "office": "paser"}).json()["token"]
    display = requests.post(f"{url}/api/v1/devices", headers=h,
                            json={"role": "display", "name": "bench-display", "office": "paser"}).json()["token"]
    return proc, url, kiosk, display


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=60)
    ap.add_argument("--subscribers", type=int, default=1, help="extra idle SSE subscribers (displays)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        proc, url, kiosk, display = start(Path(tmp) / "data")
        try:
            seen: dict[tuple[str, str], float] = {}
            cond = threading.Condition()

            def on_event(kind, data, _id):
                with cond:
                    seen[(kind, data.get("number", ""))] = time.perf_counter()
                    cond.notify_all()

            streams = []
            for i in range(args.subscribers):
                c = StationClient(url)
                c.token = display
                streams.append(station_feed(c, on_event if i == 0 else (lambda *a: None)).start())
            time.sleep(1.0)
            ctl = StationController(StationClient(url), counter="1")
            assert ctl.login("bench_op", PASSWORD), ctl.login_message
            call_lat, call_api, recall_lat, recall_api = [], [], [], []
            for _ in range(args.rounds):
                r = requests.post(f"{url}/api/v1/tickets", headers={"Authorization": f"Bearer {kiosk}"},
                                  json={"service": "KIA", "answers": {"birth_date": "2019-06-01", "reason": "baru"}})
                r.raise_for_status()
                number = r.json()["number"]
                for kind, fn, lat, api in (("ticket.called", ctl.call_next, call_lat, call_api),
                                           ("ticket.recalled", ctl.recall, recall_lat, recall_api)):
                    seen.pop((kind, number), None)
                    t0 = time.perf_counter()
                    fn()
                    t1 = time.perf_counter()
                    with cond:
                        if not cond.wait_for(lambda: (kind, number) in seen, timeout=5):
                            raise SystemExit(f"no {kind} event for {number}: {ctl.notice}")
                        lat.append(seen[(kind, number)] - t0)
                    api.append(t1 - t0)
            ctl.finish()
            for s in streams:
                s.stop()
        finally:
            proc.terminate()
            proc.wait(10)

    def row(name, xs):
        print(f"{name:<44} median {statistics.median(xs) * 1000:7.1f} ms   p95 {pct(xs, 0.95) * 1000:7.1f} ms"
              f"   max {max(xs) * 1000:7.1f} ms")
    print(f"rounds: {args.rounds}, SSE subscribers: {args.subscribers}")
    row("call-next button -> display event", call_lat)
    row("call-next controller action (API + reload)", call_api)
    row("recall button -> display event", recall_lat)
    row("recall controller action (API + reload)", recall_api)


if __name__ == "__main__":
    main()
