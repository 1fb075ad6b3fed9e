"""Erlang C (M/M/c) against the textbook formula computed directly, monotonicity, the
staffing plan, and tomorrow's expected arrivals from the same weekday's history."""
from __future__ import annotations

import math
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from queue_server import reports
from queue_server.db.models import Ticket, db
from queue_server.domain.staffing import erlang_c, mean_wait, servers_needed, staffing_plan


def direct_erlang_c(c: int, lam: float, mu: float) -> float:
    """The textbook formula with factorials (no recursion)."""
    a = lam / mu
    top = a ** c / math.factorial(c) * c / (c - a)
    return top / (sum(a ** k / math.factorial(k) for k in range(c)) + top)


def test_textbook_example_lambda_10_mu_4():
    # λ = 10 per hour, μ = 4 per hour per counter: a = 2.5 Erlang
    assert erlang_c(3, 10, 4) == pytest.approx(15.625 / 22.25, rel=1e-12)  # 0.70225
    assert mean_wait(3, 10, 4) == pytest.approx(15.625 / 22.25 / 2, rel=1e-12)  # 0.351 h = 21.1 min
    assert erlang_c(4, 10, 4) == pytest.approx(direct_erlang_c(4, 10, 4), rel=1e-12)
    assert mean_wait(4, 10, 4) * 60 == pytest.approx(direct_erlang_c(4, 10, 4) / 6 * 60, rel=1e-12)  # ≈ 3.5 min
    assert servers_needed(10, 4, target_mean_wait=0.25) == 4  # 15 minutes: 3 counters wait 21 min
    assert servers_needed(10, 4, target_mean_wait=0.4) == 3


@pytest.mark.parametrize("c, lam, mu", [(1, 3, 8), (2, 5, 3), (5, 18, 4), (10, 70, 8), (20, 150, 8.5)])
def test_matches_the_direct_formula(c, lam, mu):
    assert erlang_c(c, lam, mu) == pytest.approx(direct_erlang_c(c, lam, mu), rel=1e-10)
    assert mean_wait(c, lam, mu) == pytest.approx(direct_erlang_c(c, lam, mu) / (c * mu - lam), rel=1e-10)


def test_single_counter_is_mm1():
    assert erlang_c(1, 3, 8) == pytest.approx(3 / 8)
    assert mean_wait(1, 3, 8) == pytest.approx((3 / 8) / (8 - 3))


def test_edges_and_errors():
    assert erlang_c(2, 0, 4) == 0.0 and mean_wait(2, 0, 4) == 0.0
    assert erlang_c(2, 8, 4) == 1.0 and mean_wait(2, 8, 4) == math.inf  # ρ = 1: unstable
    assert servers_needed(0, 4, 0.1) == 0
    assert servers_needed(100, 4, 0.1, max_servers=20) is None
    for bad in ((0, 1, 1), (1.5, 1, 1), (1, -1, 1), (1, 1, 0), (1, math.nan, 1)):
        with pytest.raises(ValueError):
            erlang_c(*bad)
    with pytest.raises(ValueError):
        servers_needed(1, 1, -1)


def test_monotonic():
    for lam in (2, 7, 15):
        waits = [mean_wait(c, lam, 4) for c in range(1, 12)]
        probs = [erlang_c(c, lam, 4) for c in range(1, 12)]
        assert all(a >= b for a, b in zip(waits, waits[1:]))
        assert all(a >= b for a, b in zip(probs, probs[1:]))
    arrivals = [mean_wait(5, lam, 4) for lam in (1, 5, 10, 15, 19)]
    assert arrivals == sorted(arrivals) and len(set(arrivals)) == 5
    needed = [servers_needed(lam, 4, 0.1) for lam in range(0, 60, 3)]
    assert needed == sorted(needed)
    tighter = [servers_needed(30, 4, t) for t in (1.0, 0.25, 0.1, 0.01, 0.001)]
    assert tighter == sorted(tighter)


def test_staffing_plan_per_service_and_hour():
    plan = staffing_plan({"KIA": {9: 10.0, 8: 3.0, 12: 0.0}, "KK": {9: 100.0}},
                         {"KIA": 900.0, "KK": 600.0}, target_wait_seconds=900, max_servers=5)
    kia = plan["KIA"]
    assert list(kia) == [8, 9, 12]
    assert kia[9].counters == 4 and kia[9].meets_target  # λ=10/h, μ=4/h, 15 min target
    assert kia[9].mean_wait_seconds == pytest.approx(mean_wait(4, 10, 4) * 3600)
    assert kia[12].counters == 0 and kia[12].mean_wait_seconds == 0.0
    kk = plan["KK"][9]  # 100 per hour at 10 minutes each needs ~17 counters: not within 5
    assert kk.counters == 5 and not kk.meets_target and kk.mean_wait_seconds is None
    assert kia[9].as_dict()["counters"] == 4
    with pytest.raises(ValueError):
        staffing_plan({"IKD": {9: 1.0}}, {}, 900)


def test_staffing_answer_of_the_day(client, tokens, day):
    data = client.get("/api/v1/reports/staffing?date=2026-11-23&target_wait_minutes=15",
                      headers=tokens["kepala"]).get_json()
    assert data["date"] == "2026-11-24" and data["method"] == "erlang_c" and data["based_on"] == ["2026-11-23"]
    [kia] = data["services"]
    # 3 arrivals in the 9 o'clock hour; measured service 450 s (10 and 5 minutes, skips not counted)
    assert (kia["service"], kia["mean_service_seconds"], kia["service_time_source"]) == ("KIA", 450.0, "measured")
    [cell] = kia["hours"]
    assert (cell["hour"], cell["arrivals_per_hour"], cell["counters"]) == (9, 3.0, 1)
    assert cell["mean_wait_seconds"] == 270.0 and cell["wait_probability"] == 0.375  # M/M/1: ρ/(μ−λ)


WITA = ZoneInfo("Asia/Makassar")


def _ticket(n: int, day: date, hour: int, service: str = "KK", prefix: str = "B") -> None:
    at = datetime(day.year, day.month, day.day, hour, n % 60, tzinfo=WITA).timestamp()
    Ticket.create(office="paser", office_day=day.isoformat(), prefix=prefix, seq=n, number=f"{prefix}{n:03d}",
                  origin_service=service, service=service, step="pemeriksaan", status="waiting",
                  public_code=f"{prefix}{day:%m%d}{n:04d}", issued_at=at, queued_at=at, sort_key=at)


def test_tomorrow_is_the_mean_of_the_same_weekday(app):
    office = app.extensions["loket"].office("paser")
    with db.connection_context():
        for n in range(4):
            _ticket(n, date(2026, 11, 17), 10)  # Tuesday a week before tomorrow: 4 at 10:00
        for n in range(2):
            _ticket(n, date(2026, 11, 10), 10)  # two weeks before: 2 at 10:00
        _ticket(9, date(2026, 11, 10), 13)
        _ticket(1, date(2026, 11, 23), 9)  # the report day itself (Monday) is not the same weekday
        arrivals, used = reports.expected_arrivals(office, date(2026, 11, 23))
        assert used == [date(2026, 11, 17), date(2026, 11, 10)]
        assert arrivals == {"KK": {10: 3.0, 13: 0.5}}
        answer = reports.staffing_for(office, date(2026, 11, 23), 900)
    [kk] = answer["services"]
    # no KK service measured at the counters: the first counter step's mutu baku (pemeriksaan, 3 minutes)
    assert (kk["service_time_source"], kk["mean_service_seconds"]) == ("mutu_baku", 180.0)
    assert [c["counters"] for c in kk["hours"]] == [1, 1]
