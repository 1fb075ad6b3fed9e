"""A busy day (several thousand rows) among earlier days: the daily report and the
staffing answer cover every row. How fast that is is measured in
``bench/bench_reports.py`` (timing belongs in bench/, issue 18 item 4)."""
from __future__ import annotations

import random
from datetime import date, timedelta

from busy_day import fill_day

from queue_server import reports
from queue_server.db.models import KartuKendali, db


def test_a_busy_day_among_earlier_days_is_reported_in_full(app):
    office = app.extensions["loket"].office("paser")
    rng = random.Random(7)
    busy = date(2026, 11, 23)
    with db.connection_context():
        next_id = 1
        for back in (21, 14, 7, 1):
            next_id = fill_day(busy - timedelta(days=back), 600, rng, next_id)
        next_id = fill_day(busy, 3000, rng, next_id)
        assert KartuKendali.select().count() == 7 * 5400
        report = reports.daily_report(office, busy)
        staffing = reports.staffing_for(office, busy, 900)
    assert report.data["tickets"]["total"] == 3000
    assert sum(len(s["hours"]) for s in staffing["services"]) >= 7
    assert [s["count"] for s in report.data["steps"]] == [3000] * 6
    assert len(report.register) == 3000 and len(report.distribution.rows) == 3000
