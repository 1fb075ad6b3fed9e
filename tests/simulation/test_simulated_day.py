"""A shortened simulated day end to end against a real ``loket serve`` process, with one
SIGKILL and restart (issue 7 §2, §4), plus the arrival plan and the command line."""
from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, timedelta, timezone

from click.testing import CliRunner
from pypdf import PdfReader

from simulation.cli import simulate_cmd
from simulation.day import SimConfig, arrival_rate, format_summary, plan_visits, run_day

WITA = timezone(timedelta(hours=8))
MONDAY = date(2026, 11, 23)
FRIDAY = date(2026, 11, 27)  # 08:00-11:30: the shortest open day of the default office


def _plan(visits=400, seed=1, day=MONDAY, closes="15:00"):
    opens = datetime.combine(day, datetime.strptime("08:00", "%H:%M").time(), WITA)
    close = datetime.combine(day, datetime.strptime(closes, "%H:%M").time(), WITA)
    return plan_visits(SimConfig(visits=visits, seed=seed, day=day), opens, close, ["64.01.04", "64.01.05"],
                       ["lansia", "disabilitas"])


def test_arrival_curve_has_a_morning_and_a_smaller_afternoon_peak():
    quarter = {m: arrival_rate(m) for m in range(8 * 60, 15 * 60, 15)}
    assert 9 * 60 + 15 <= max(quarter, key=quarter.get) <= 9 * 60 + 45
    rate = {h: arrival_rate(h * 60 + 30) for h in range(8, 15)}
    assert rate[13] > rate[12] and rate[13] > rate[11] * 0.9
    assert rate[13] < rate[9]


def test_plan_is_seeded_exact_and_follows_the_curve():
    a, b, c = _plan(seed=1), _plan(seed=1), _plan(seed=2)
    assert len(a) == 400
    assert [(v.arrival, v.kind) for v in a] == [(v.arrival, v.kind) for v in b]
    assert [v.arrival for v in a] != [v.arrival for v in c]
    assert all(0 <= v.arrival <= (7 * 3600 - 1800) for v in a)
    per_hour = Counter(int(v.arrival // 3600) for v in a)  # 0 = 08:00-09:00
    assert per_hour[1] + per_hour[2] > 2 * (per_hour[3] + per_hour[4])       # 09-11 vs 11-13
    assert per_hour[5] > per_hour[4]                                        # 13-14 vs 12-13
    kinds = Counter(v.kind for v in a)
    assert set(kinds) == {"KIA", "KK", "KK+", "IKD", "KTPEL", "AKTA_LAHIR"}
    assert any(not v.eligible for v in a if v.service == "IKD")
    assert sum(v.priority is not None for v in a) > 10
    assert sum(v.planned_absent >= 3 for v in a) > 3
    assert any(app.incomplete for v in a for app in v.applications)
    family = [v for v in a if v.kind == "KK+"]
    assert family and all({x.service for x in v.applications} == {"KK", "KIA", "IKD"} for v in family)
    ages = [(MONDAY - date.fromisoformat(x.birth_date)).days / 365.25
            for v in a for x in v.applications if x.service == "KIA"]
    assert min(ages) < 5 < max(ages) < 17


def test_cli_refuses_a_weekend_and_a_bad_kill_time(tmp_path):
    runner = CliRunner()
    r = runner.invoke(simulate_cmd, ["--date", "2026-11-28", "--out", str(tmp_path)])
    assert r.exit_code == 2 and "weekday" in r.output
    r = runner.invoke(simulate_cmd, ["--kill-at", "25:00", "--out", str(tmp_path)])
    assert r.exit_code == 2 and "HH:MM" in r.output


def test_shortened_day_with_a_crash_accounts_for_everything(tmp_path):
    out = tmp_path / "out"
    lines = []
    # ×600, not ×900: on a 2-core CI machine busy with the rest of the suite every real
    # 0.1 s of latency is a simulated minute; at ×900 a loaded run served past midnight
    cfg = SimConfig(visits=120, seed=7, speed=600, day=FRIDAY, data_dir=tmp_path / "data", out=out,
                    kill_at="09:40", pickup_delay=(10 * 60, 60 * 60))
    result = run_day(cfg, log=lines.append)
    text = format_summary(result)
    assert result.ok, text
    s = result.summary
    assert s["server_restarts"] == 1
    assert s["visits"] == 120 and s["tickets"] + s["refused_at_kiosk"] == 120
    assert set(s["ticket_status"]) <= {"done", "no_show"} and s["ticket_status"].get("no_show", 0) >= 1
    assert s["application_states"].get("returned", 0) >= 1
    assert s["applications"] > s["tickets"] * 0.9
    assert set(s["tickets_per_service"]) == {"KIA", "KK", "IKD", "KTPEL", "AKTA_LAHIR"}
    # the server's own log shows three starts: one that told the office's hours over HTTP,
    # the day itself, and the restart after the SIGKILL
    assert (tmp_path / "data" / "server.log").read_text().count("Loket server:") == 3
    cards = sorted((out / "cards").glob("*.pdf"))
    assert len(cards) == s["cards_printed"] > 0
    assert len(PdfReader(cards[0]).pages) >= 1
    receipts = sorted((out / "receipts").glob("*.png"))
    assert len(receipts) == s["receipts"] > len(cards)
    assert (out / "reports" / f"daily_pdf-{FRIDAY}.pdf").read_bytes()[:4] == b"%PDF"
    assert (out / "reports" / f"daily_xlsx-{FRIDAY}.xlsx").read_bytes()[:2] == b"PK"
    assert s["reports"]["staffing"]["answer"]
    assert json.loads((out / "summary.json").read_text())["accounting_ok"] is True
    assert "Akuntansi: LULUS" in text and "p90" in text
    # one "most late" step, the daily report's, whose late rows the simulation counted too
    assert text.count("paling terlambat") == 1 and s["most_late_step"]["source"] == "daily_report"


def test_against_an_existing_server_uses_its_office_day(tmp_path):
    from simulation.day import ServerProcess

    server = ServerProcess(tmp_path / "data", speed=1500, workers=1)
    server.init()
    server.start(datetime.combine(FRIDAY, datetime.strptime("08:00", "%H:%M").time(), WITA).isoformat())
    try:
        cfg = SimConfig(visits=25, seed=3, speed=1500, day=MONDAY, out=tmp_path / "out", server=server.url,
                        pickup_delay=(5 * 60, 30 * 60))
        result = run_day(cfg, log=lambda m: None)
    finally:
        server.stop()
    assert result.ok, format_summary(result)
    assert result.summary["date"] == FRIDAY.isoformat() and result.summary["server_restarts"] == 0
    assert result.summary["tickets"] + result.summary["refused_at_kiosk"] == 25
