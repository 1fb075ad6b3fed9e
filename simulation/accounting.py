"""End-of-day accounting of a simulated day: every ticket, application, kartu kendali
row, card and receipt accounted for, waiting and service figures, and the reports
fetched from the server and checked."""
from __future__ import annotations

import json
import math
import statistics
from datetime import datetime
from pathlib import Path
from typing import Any

from client.http import ApiError

from .actors import _Day
from .plan import Visit

# --------------------------------------------------------------------------- accounting

def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    k = (len(s) - 1) * q
    lo, hi = math.floor(k), math.ceil(k)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def _account_tickets(day: _Day, issued: list[Visit]) -> tuple[list[str], dict]:
    """Every issued ticket closed (done or a real no-show) with its applications; returns
    the problems and ``{"statuses", "waits", "per_service", "apps"}``."""
    problems: list[str] = []
    statuses: dict[str, int] = {}
    waits: dict[str, list[float]] = {}
    per_service: dict[str, int] = {}
    apps: list[dict] = []
    for v in issued:
        t = day.call("GET", f"/tickets/{v.ticket_id}", role="op1")
        statuses[t["status"]] = statuses.get(t["status"], 0) + 1
        per_service[t["service"]] = per_service.get(t["service"], 0) + 1
        if t["status"] not in ("done", "no_show"):
            problems.append(f"ticket {t['number']} left {t['status']}")
        if t["status"] == "done" and t["called_at"]:
            w = (datetime.fromisoformat(t["called_at"]) - datetime.fromisoformat(t["issued_at"])).total_seconds()
            waits.setdefault(t["service"], []).append(w)
        if t["status"] == "done" and len(t["applications"]) != len(v.applications):
            problems.append(f"ticket {t['number']}: {len(t['applications'])} applications, "
                            f"{len(v.applications)} expected")
        if t["status"] == "no_show" and v.planned_absent < 3:
            problems.append(f"ticket {t['number']} no-show though the citizen came")
        apps += t["applications"]
    return problems, {"statuses": statuses, "waits": waits, "per_service": per_service, "apps": apps}


def _account_application(day: _Day, full: dict, order: list[str], late: dict[str, int],
                         rows_per_step: dict[str, int] | None = None) -> list[str]:
    """One berkas: closed, its kartu kendali complete and in SOP ``order``, a receipt for a
    hand-over, a card PDF with the recorded serial for a KIA; counts late rows into
    ``late`` and the step's rows with a mutu baku into ``rows_per_step``."""
    problems: list[str] = []
    if full["state"] not in ("handed_over", "returned"):
        problems.append(f"application {full['code']} ({full['service']}) left {full['state']} at {full['step']}")
    rows = full["kartu_kendali"]
    if any(r["ended_at"] is None for r in rows):
        problems.append(f"kartu kendali of {full['code']} has an open row")
    idx = [order.index(r["step"]) for r in rows]
    if idx != sorted(idx) or len(set(idx)) != len(idx):
        problems.append(f"kartu kendali of {full['code']} out of SOP order: {[r['step'] for r in rows]}")
    handover = day.handover_steps.get(full["service"])
    if full["state"] == "handed_over" and handover is not None:
        if not any(r["step"] == handover for r in rows):
            problems.append(f"{full['code']} handed over without a {handover} row")
        if full["id"] not in day.receipts or not Path(day.receipts[full["id"]]).exists():
            problems.append(f"{full['code']}: no hand-over receipt")
    if full["service"] == "KIA" and full["state"] == "handed_over":
        card = day.cards.get(full["id"])
        if card is None or not Path(card[1]).exists() or card[0] != full["card_serial"]:
            problems.append(f"KIA {full['code']}: no card PDF with serial {full['card_serial']}")
    for r in rows:
        key = f"{full['service']}:{r['step']}"
        if rows_per_step is not None and r.get("mutu_baku_seconds") is not None and r["ended_at"] is not None:
            rows_per_step[key] = rows_per_step.get(key, 0) + 1
        if r["late"]:
            late[key] = late.get(key, 0) + 1
    return problems


def most_late_step(late: dict[str, int], rows_per_step: dict[str, int], exclude: set[str] = frozenset()) -> dict | None:
    """The step where berkas waited most by the daily report's own rule (the highest share
    of late rows, then the most late rows): ``{"step": "KK:tte", "late_rows", "rows",
    "late_share"}``, None when no step was late. ``exclude``: steps left out (the pickup
    rows, whose lateness is the citizen's)."""
    shares = [(n / rows_per_step[k], n, k) for k, n in late.items()
              if k not in exclude and rows_per_step.get(k)]
    if not shares:
        return None
    share, n, key = max(shares)
    return {"step": key, "late_rows": n, "rows": rows_per_step[key], "late_share": round(share, 4)}


def _account(day: _Day, visits: list[Visit], services: dict[str, list[str]]) -> tuple[list[str], dict]:
    """The day's accounting: every visit got a ticket or a refusal, numbers unique, every
    ticket and berkas closed (:func:`_account_tickets`, :func:`_account_application`).
    Returns ``(problems, summary)`` with the figures of ``summary.json``."""
    issued = [v for v in visits if v.ticket_id is not None]
    refused = [v for v in visits if v.refused]
    problems: list[str] = []
    lost = [v for v in visits if v.ticket_id is None and not v.refused]
    if lost:
        problems.append(f"{len(lost)} visits got no ticket and no refusal")
    numbers = [v.number for v in issued]
    if len(set(numbers)) != len(numbers):
        problems.append("a ticket number was issued twice")
    ticket_problems, t = _account_tickets(day, issued)
    problems += ticket_problems
    late: dict[str, int] = {}
    rows_per_step: dict[str, int] = {}
    states: dict[str, int] = {}
    for a in t["apps"]:
        full = day.call("GET", f"/applications/{a['id']}", role="kepala")
        states[full["state"]] = states.get(full["state"], 0) + 1
        problems += _account_application(day, full, services[full["service"]], late, rows_per_step)
    # The pickup row runs from "ready" until the citizen comes back: its lateness is the
    # citizen's, not the office's, so the office's worst step is chosen without it.
    pickup_keys = {f"{s}:{step}" for s, step in day.handover_steps.items()}
    worst = most_late_step(late, rows_per_step, pickup_keys)
    waits = t["waits"]
    summary = {
        "visits": len(visits), "tickets": len(issued), "refused_at_kiosk": len(refused),
        "tickets_per_service": dict(sorted(t["per_service"].items())), "ticket_status": t["statuses"],
        "applications": len(t["apps"]), "application_states": states, "cards_printed": len(day.cards),
        "receipts": len(day.receipts),
        "wait_minutes": {s: {"mean": round(statistics.fmean(w) / 60, 1), "p90": round(_percentile(w, 0.9) / 60, 1),
                             "n": len(w)} for s, w in sorted(waits.items())},
        "late_rows_per_step": dict(sorted(late.items(), key=lambda kv: -kv[1])),
        "rows_per_step": dict(sorted(rows_per_step.items())),
        "most_late_step": worst,
    }
    return problems, summary


def _reports(day: _Day) -> dict:
    """The day's reports through the API (``/reports/daily`` PDF and XLSX,
    ``/reports/staffing``) saved in OUT/reports. An endpoint the server does not have
    yet (404 without a JSON error body naming a domain error) is reported as missing."""
    folder = day.cfg.out / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    d = day.cfg.day.isoformat()
    out: dict[str, Any] = {}
    for name, path, binary in (("daily_json", f"/reports/daily?date={d}&format=json", False),
                               ("daily_pdf", f"/reports/daily?date={d}&format=pdf", True),
                               ("daily_xlsx", f"/reports/daily?date={d}&format=xlsx", True),
                               ("staffing", f"/reports/staffing?date={d}&target_wait_minutes=15", False)):
        try:
            data = day.call("GET", path, role="kepala", want_bytes=True)
        except ApiError as e:
            out[name] = {"status": e.status, "error": e.code or "not_available"}
            continue
        ext = {"daily_pdf": "pdf", "daily_xlsx": "xlsx"}.get(name, "json")
        target = folder / f"{name}-{d}.{ext}"
        target.write_bytes(data)
        out[name] = {"file": str(target), "bytes": len(data)}
        if not binary:
            out[name]["answer"] = json.loads(data)
    return out


def _valid_report(name: str, info: dict) -> bool:
    if "file" not in info:
        return False
    head = Path(info["file"]).read_bytes()[:4]
    return {"daily_pdf": head == b"%PDF", "daily_xlsx": head == b"PK\x03\x04"}.get(name, True)
