"""Benchmark of the kiosk (issue 4): final tap → last byte at the printer, start-up, memory.

Starts a real ``loket serve`` on 127.0.0.1, a loopback raw-9100 "printer" that
timestamps the last byte of each job, and the kiosk window (``loket kiosk``) on a
private Xvfb screen, driven by kiosk.automation. The kiosk takes ``--tickets`` KIA
numbers in a row; for each one the time from the touch on "Cetak Nomor Antrean"
(the final tap) to the last byte received by the printer is measured (the server
records the ticket, then the ESC/POS job is built and sent over TCP).

Usage::

    python bench/bench_kiosk.py [--tickets 20] [--size 1080x1920] [--paper 80]

Prints median / p90 / max of tap→last byte (target: median ≤ 1 s), the start-up time
(process start → welcome screen shown; → services loaded from the server) and the
kiosk process's peak resident memory (VmHWM). Not a test: numbers depend on the machine
(software OpenGL under Xvfb here).
"""
from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "support"))

from live_server import LiveServer  # noqa: E402
from xvfb_kit import kivy_env, start_xvfb, stop_xvfb  # noqa: E402


class LoopbackPrinter:
    """Raw TCP printer on 127.0.0.1; ``done`` holds (bytes, time of the last byte) per job."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.done: list[tuple[int, float]] = []
        self._stop = False
        self.sock.settimeout(0.2)
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            size, last = 0, 0.0
            with conn:
                while chunk := conn.recv(65536):
                    size += len(chunk)
                    last = time.time()
            if size:
                self.done.append((size, last))

    def close(self) -> None:
        self._stop = True
        self.sock.close()


def script(tickets: int, out: Path) -> dict:
    steps = [{"wait": "welcome", "timeout": 60}, {"mark": "welcome"}, {"tap": "begin"}, {"wait": "services"},
             {"mark": "services"}, {"tap": "home"}, {"wait": "welcome"}]
    for _ in range(tickets):
        steps += [{"tap": "begin"}, {"wait": "services"}, {"tap": "service_KIA"}, {"wait": "question"},
                  {"date": "2021-03-03"}, {"tap": "date_ok"}, {"wait": "question"}, {"tap": "choice_baru"},
                  {"wait": "priority"},
                  {"tap": "prio_none"}, {"wait": "checklist"}, {"tap": "take_ticket"},
                  {"wait": "confirmation", "timeout": 20}, {"sleep": 0.3}, {"tap": "done"}, {"wait": "welcome"}]
    return {"out": str(out), "steps": steps}


def peak_rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tickets", type=int, default=20)
    ap.add_argument("--size", default="1080x1920")
    ap.add_argument("--paper", choices=["58", "80"], default="80")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-kiosk-") as tmp:
        tmp = Path(tmp)
        server = LiveServer(tmp / "server", threads=8).setup(staff_roles=())
        server.start()
        printer = LoopbackPrinter()
        display, xvfb = start_xvfb(1920, 1920)
        try:
            out = tmp / "out"
            (tmp / "script.json").write_text(json.dumps(script(args.tickets, out)))
            (tmp / "home").mkdir()
            env = kivy_env(display, str(tmp / "home"))
            env["LOKET_KIOSK_SCRIPT"] = str(tmp / "script.json")
            cmd = [sys.executable, "-m", "loket.cli", "kiosk", "--server", server.url, "--token",
                   server.tokens["kiosk"], "--printer", f"tcp://127.0.0.1:{printer.port}", "--size", args.size,
                   "--paper", args.paper]
            started = time.time()
            proc = subprocess.Popen(cmd, env=env, cwd=str(tmp), stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            peak = 0
            while proc.poll() is None:
                peak = max(peak, peak_rss_kib(proc.pid))
                time.sleep(0.2)
            result = json.loads((out / "automation.json").read_text())
            if not result["ok"]:
                raise SystemExit(f"automation failed: {result['error']}")
            time.sleep(0.3)
            taps = [t["at"] for t in result["taps"] if t["kid"] == "take_ticket"]
            lasts = [last for _size, last in printer.done]
            if len(lasts) != len(taps):
                raise SystemExit(f"{len(taps)} final taps but {len(lasts)} print jobs")
            lat = sorted(last - tap for tap, last in zip(taps, lasts))
            report = {
                "tickets": len(lat),
                "tap_to_last_byte_median_s": round(statistics.median(lat), 3),
                "tap_to_last_byte_p90_s": round(lat[max(0, int(len(lat) * 0.9) - 1)], 3),
                "tap_to_last_byte_max_s": round(lat[-1], 3),
                "job_bytes_median": int(statistics.median(size for size, _ in printer.done)),
                "startup_to_welcome_s": round(result["marks"]["welcome"] - started, 2),
                "startup_to_services_loaded_s": round(result["marks"]["services"] - started, 2),
                "peak_rss_mib": round(peak / 1024, 1),
                "size": args.size,
                "paper_mm": int(args.paper),
            }
        finally:
            stop_xvfb(xvfb)
            printer.close()
            server.stop()
    print(json.dumps(report, indent=1))
    return report


if __name__ == "__main__":
    main()
