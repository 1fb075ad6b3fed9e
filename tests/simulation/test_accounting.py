"""The end-of-day accounting fails on what it must catch: a ticket left waiting, a
repeated number, an open kartu kendali row, steps out of SOP order, a card or receipt missing."""
from __future__ import annotations

from pathlib import Path

from simulation.day import Application, DayResult, Visit, _account, format_summary

STEPS = {"KIA": ["penerimaan", "foto", "verifikasi", "tte", "cetak", "register", "penyerahan"]}


def _row(step, ended="2026-11-23T09:00:00+08:00", late=False, mutu=300.0):
    return {"step": step, "ended_at": ended, "late": late, "mutu_baku_seconds": mutu}


class FakeDay:
    """Answers the two GETs the accounting makes from canned server states."""

    def __init__(self, tickets, apps, tmp: Path):
        self.tickets, self.apps = tickets, apps
        card = tmp / "card.pdf"
        card.write_bytes(b"%PDF-1.4")
        receipt = tmp / "r.png"
        receipt.write_bytes(b"png")
        self.cards = {10: ("BLK1", str(card))}
        self.receipts = {10: str(receipt)}
        self.handover_steps = {"KIA": "penyerahan"}

    def call(self, method, path, body=None, role="", **kw):
        kind, _, ident = path.rpartition("/")
        return (self.tickets if kind.endswith("tickets") else self.apps)[int(ident)]


def _visit(i, number, tid):
    v = Visit(i, 0.0, "KIA", "KIA", {}, None, True, 0,
              [Application("KIA", {}, "Anak", "", "2020-01-01")])
    v.ticket_id, v.number = tid, number
    return v


def _ticket(tid, status="done", apps=(10,)):
    return {"id": tid, "number": f"A{tid:03d}", "service": "KIA", "status": status,
            "issued_at": "2026-11-23T08:00:00+08:00", "called_at": "2026-11-23T08:10:00+08:00",
            "applications": [{"id": a} for a in apps]}


def _app(aid, rows, state="handed_over", serial="BLK1"):
    return {"id": aid, "code": f"C{aid}", "service": "KIA", "state": state, "step": rows[-1]["step"],
            "kartu_kendali": rows, "card_serial": serial}


def _full_rows():
    return [_row(s, late=(s == "verifikasi")) for s in STEPS["KIA"] if s != "foto"]


def test_a_clean_day_passes_and_reports_waits(tmp_path):
    day = FakeDay({1: _ticket(1)}, {10: _app(10, _full_rows())}, tmp_path)
    problems, summary = _account(day, [_visit(0, "A001", 1)], STEPS)
    assert problems == []
    assert summary["wait_minutes"]["KIA"] == {"mean": 10.0, "p90": 10.0, "n": 1}
    assert summary["most_late_step"] == {"step": "KIA:verifikasi", "late_rows": 1, "rows": 1, "late_share": 1.0}


def test_one_most_late_step_by_the_reports_rule_and_its_counts_are_cross_checked(tmp_path):
    """Issue 18 item 5: the summary names one step, chosen like the daily report (share
    of late rows), and a report that counts that step's late rows differently fails."""
    from simulation.accounting import most_late_step
    from simulation.day import _check_reports

    # 40 of 96 late beats 50 of 400 late: the share decides, as in the report
    late = {"KK:tte": 40, "KIA:verifikasi": 50, "KIA:penyerahan": 90}
    rows = {"KK:tte": 96, "KIA:verifikasi": 400, "KIA:penyerahan": 100}
    worst = most_late_step(late, rows, exclude={"KIA:penyerahan"})
    assert worst == {"step": "KK:tte", "late_rows": 40, "rows": 96, "late_share": 0.4167}
    summary = {"tickets": 3, "tickets_per_service": {"KK": 3}, "late_rows_per_step": late, "most_late_step": worst}
    saved = tmp_path / "daily.json"
    saved.write_text("{}")
    daily = {"tickets": {"total": 3, "per_service": {"KK": 3}}, "steps": [],
             "latest_step": {"service": "KK", "step": "tte", "step_name": "TTE", "late": 40, "count": 96,
                             "late_share": 0.4167}}
    assert _check_reports({"daily_json": {"file": str(saved), "answer": daily}}, summary) == []
    assert summary["most_late_step"]["step"] == "KK:tte" and summary["most_late_step"]["source"] == "daily_report"
    text = format_summary(DayResult(True, [], {**BASE_SUMMARY, "most_late_step": summary["most_late_step"]}))
    assert text.count("paling terlambat") == 1
    assert "KK:tte (TTE): 40 dari 96 baris melewati mutu baku (42%)" in text
    daily["latest_step"]["late"] = 39
    problems = _check_reports({"daily_json": {"file": str(saved), "answer": daily}}, dict(summary))
    assert problems == ["daily report counts 39 late rows at KK:tte, the simulation 40"]


BASE_SUMMARY = {"visits": 3, "tickets": 3, "refused_at_kiosk": 0, "tickets_per_service": {"KK": 3},
                "ticket_status": {"done": 3}, "applications": 3, "application_states": {}, "cards_printed": 0,
                "receipts": 3, "wait_minutes": {}, "most_late_step": None, "reports": {}, "server_restarts": 0,
                "simulated_end": "15:00", "wall_seconds": 1.0, "speed": 120.0}


def test_the_accounting_catches_each_failure(tmp_path):
    rows = _full_rows()
    rows[1]["ended_at"] = None                      # an open row
    swapped = [rows[0], rows[2], rows[1]] + rows[3:]  # out of SOP order
    day = FakeDay({1: _ticket(1), 2: _ticket(2, status="waiting", apps=())},
                  {10: _app(10, swapped, serial="OTHER")}, tmp_path)
    day.receipts = {}
    problems, _ = _account(day, [_visit(0, "A001", 1), _visit(1, "A001", 2)], STEPS)
    text = "\n".join(problems)
    assert "issued twice" in text
    assert "A002 left waiting" in text
    assert "open row" in text
    assert "out of SOP order" in text
    assert "no hand-over receipt" in text
    assert "no card PDF" in text
    summary = {"visits": 2, "tickets": 2, "refused_at_kiosk": 0, "tickets_per_service": {"KIA": 2},
               "ticket_status": {"done": 1, "waiting": 1}, "applications": 1, "application_states": {},
               "cards_printed": 1, "receipts": 0, "wait_minutes": {}, "most_late_step": None, "reports": {},
               "server_restarts": 0, "simulated_end": "15:00", "wall_seconds": 1.0, "speed": 120.0}
    assert "Akuntansi: GAGAL" in format_summary(DayResult(False, problems, summary))
