"""Printing bench (not a test): prints median timings.

    python bench/bench_printing.py [--runs N]

1. ticket: lay out + build ESC/POS + send to a loopback raw-9100 printer (a thread
   in this process reading until close), target <= 30 ms;
2. one KIA card PDF (variant 2, photo), target <= 100 ms;
3. a 1,000-row Register KIA PDF, target <= 2 s.
"""
from __future__ import annotations

import argparse
import platform
import socket
import statistics
import sys
import threading
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from printing.card import render_card  # noqa: E402
from printing.reports import render_register  # noqa: E402
from printing.samples import OFFICE, sample_card, sample_register, sample_ticket  # noqa: E402
from printing.uri import open_printer  # noqa: E402


class LoopbackPrinter:
    """Accepts connections on 127.0.0.1 and reads each job until the client closes."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.jobs = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                while conn.recv(65536):
                    pass
            self.jobs += 1

    def close(self) -> None:
        self.stop.set()
        self.thread.join(2)
        self.sock.close()


def median_ms(func, runs: int) -> tuple[float, float]:
    func()  # warm-up (font loading, imports)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    server = LoopbackPrinter()
    printer = open_printer(f"tcp://127.0.0.1:{server.port}", paper=80, timeout=5)
    ticket = sample_ticket()
    card = sample_card(2)
    rows = sample_register(1000)
    results = [
        ("ticket -> loopback tcp printer (80 mm)", 30.0, median_ms(lambda: printer.print_ticket(ticket), args.runs)),
        ("KIA card PDF (variant 2)", 100.0, median_ms(lambda: render_card(card), args.runs)),
        ("Register KIA PDF, 1,000 rows", 2000.0,
         median_ms(lambda: render_register(rows, office_name=OFFICE, date_from=date(2024, 3, 1),
                                           date_to=date(2024, 3, 25)), max(3, args.runs // 6))),
    ]
    server.close()
    print(f"{platform.node()} | {platform.processor() or platform.machine()} | "
          f"python {platform.python_version()}")
    for name, target, (median, worst) in results:
        verdict = "ok" if median <= target else "OVER TARGET"
        print(f"{name:42s} median {median:8.1f} ms  max {worst:8.1f} ms  target {target:6.0f} ms  {verdict}")


if __name__ == "__main__":
    main()
