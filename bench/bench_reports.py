"""Report benchmark (issue 7, issue 18 item 4): the head of office's daily report and the
staffing answer on a busy day among earlier days, straight on the database (no HTTP).

Builds a fresh SQLite data folder with four earlier days of 600 visits and one day of
3,000 KIA visits (calls, berkas, six kartu kendali rows each, prints, register entries;
``tests/support/busy_day.py``), then times ``reports.daily_report`` and
``reports.staffing_for`` together ``--runs`` times and prints the median and the
fastest/slowest run. Target: median well under 1 s for 3,000 visits.

Usage: ``python bench/bench_reports.py [--visits 3000] [--runs 7]``. Not a test: it only
prints figures.
"""
from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "support"))

from busy_day import fill_day  # noqa: E402

from queue_server import reports  # noqa: E402
from queue_server.app import create_app  # noqa: E402
from queue_server.context import FixedClock  # noqa: E402
from queue_server.db.models import KartuKendali, db  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visits", type=int, default=3000, help="visits on the reported day")
    parser.add_argument("--runs", type=int, default=7, help="timed runs (the median is printed)")
    args = parser.parse_args(argv)
    busy = date(2026, 11, 23)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(REPO / "assets" / "offices", data / "offices", ignore=shutil.ignore_patterns("*.md"))
        clock = FixedClock(datetime(2026, 11, 23, 16, 0, tzinfo=ZoneInfo("Asia/Makassar")).timestamp())
        app = create_app({"DATA_DIR": str(data), "CLOCK": clock})
        office = app.extensions["loket"].office("paser")
        rng = random.Random(7)
        try:
            with db.connection_context():
                next_id = 1
                for back in (21, 14, 7, 1):
                    next_id = fill_day(busy - timedelta(days=back), 600, rng, next_id)
                fill_day(busy, args.visits, rng, next_id)
                rows = KartuKendali.select().count()
                times = []
                for _ in range(args.runs):
                    t = time.perf_counter()
                    report = reports.daily_report(office, busy)
                    reports.staffing_for(office, busy, 900)
                    times.append(time.perf_counter() - t)
        finally:
            app.extensions["loket_broker"].stop()
            if not db.is_closed():
                db.close()
    assert report.data["tickets"]["total"] == args.visits
    print(f"daily report + staffing, {args.visits:,} visits ({rows:,} kartu kendali rows in the database): "
          f"median {statistics.median(times) * 1000:.0f} ms, fastest {min(times) * 1000:.0f} ms, "
          f"slowest {max(times) * 1000:.0f} ms over {args.runs} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
