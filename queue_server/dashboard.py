"""The head of office's live dashboard and its alerts (issue 15 §2).

:func:`live_dashboard` answers "where do people and files wait right now" for one
office: per service the people waiting, the longest wait, the estimated wait and
today's tickets; each loket serving, idle (open, nobody called) or closed, with its
officer; per SOP step the berkas waiting now and how many are past the step's mutu baku;
today's IKM; today's alerts. Today's counts come from :func:`reports.daily_report` and
the waiting figures from :func:`tickets.queue_overview`, so the dashboard and the API's
reports agree at the same moment.

:func:`raise_alerts` writes an :class:`~queue_server.db.models.Alert` row and an
``alert.raised`` event (staff only, no personal data) the first time in an office day
that someone has waited longer than the office's ``alert_wait_minutes`` for a service,
or a berkas has been at a step longer than its mutu baku. :class:`AlertWatch` runs it at
most every 30 s per process from the server's ``before_request``; the unique index makes
it raise each alert once across processes.

All durations in seconds, times as epoch seconds or ISO 8601 in the office's zone.
"""
from __future__ import annotations

import logging
import threading
from collections import defaultdict

from peewee import IntegrityError, fn

from . import reports
from .context import Context, iso_local
from .db.database import write_tx
from .db.models import Alert, Application, AuditLog, CallLog, KartuKendali, Ticket
from .domain import workflow
from .domain.office import Office
from .events import record
from .tickets import CALLED, WAITING, queue_overview

log = logging.getLogger(__name__)

#: Event type of a new alert (staff streams only).
ALERT_RAISED = "alert.raised"


def _longest_waits(office: Office, day: str, now: float) -> dict[str, float]:
    rows = (Ticket.select(Ticket.service, fn.MIN(Ticket.queued_at))
            .where((Ticket.office == office.code) & (Ticket.office_day == day) & (Ticket.status == WAITING))
            .group_by(Ticket.service).tuples())
    return {service: max(0.0, now - first) for service, first in rows}


def _open_steps(office: Office, now: float) -> dict[tuple[str, str], list[float]]:
    """Seconds each open berkas has been at its current (non-pickup) step."""
    pickup = {s.code: reports.pickup_step_code(s) for s in office.services}
    rows = (KartuKendali.select(Application.service, KartuKendali.step, KartuKendali.arrived_at)
            .join(Application)
            .where((KartuKendali.office == office.code) & KartuKendali.ended_at.is_null() &
                   (Application.state == workflow.AT_STEP)).tuples())
    out: dict[tuple[str, str], list[float]] = defaultdict(list)
    for service, step, arrived in rows:
        if pickup.get(service) != step:
            out[(service, step)].append(max(0.0, now - arrived))
    return out


def _counters(ctx: Context, office: Office, day: str, now: float) -> list[dict]:
    start, _ = reports.day_bounds(office, ctx.today(office))
    current = {t.counter: t for t in Ticket.select().where(
        (Ticket.office == office.code) & (Ticket.office_day == day) & (Ticket.status == CALLED))}
    last: dict[str, tuple[float, str]] = {}
    for counter, at, officer in (CallLog.select(CallLog.counter, CallLog.at, CallLog.officer)
                                 .where((CallLog.office == office.code) & (CallLog.office_day == day) &
                                        CallLog.counter.is_null(False))
                                 .order_by(CallLog.id).tuples()):
        last[counter] = (at, officer or "")
    closed = {target: at for target, at in (AuditLog.select(AuditLog.target, fn.MAX(AuditLog.at))
                                            .where((AuditLog.office == office.code) & (AuditLog.at >= start) &
                                                   (AuditLog.action == "counter.close"))
                                            .group_by(AuditLog.target).tuples())}
    out = []
    for c in office.counters:
        t = current.get(c.code)
        acted = last.get(c.code)
        if t is not None:
            state, officer, since = "serving", t.officer or "", t.called_at
        elif acted is not None and closed.get(c.code, 0) < acted[0]:
            state, officer, since = "idle", acted[1], acted[0]
        else:
            state, officer, since = "closed", "", closed.get(c.code)
        out.append({"code": c.code, "number": c.number, "name": c.name.id, "state": state, "officer": officer,
                    "since": iso_local(office, since), "seconds": None if since is None else round(now - since),
                    "current": None if t is None else {"number": t.number, "service": t.service,
                                                       "priority": t.priority is not None}})
    return out


def live_dashboard(ctx: Context, office: Office, lang: str = "id") -> dict:
    """The dashboard of ``office`` now (see the module docstring); ``lang`` names the
    services and steps. Staff-only figures, but no NIK or name: officers by username."""
    now = ctx.now()
    day = ctx.office_day(office, now)
    overview = queue_overview(ctx, office)
    report = reports.daily_report(office, ctx.today(office), lang=lang).data
    longest = _longest_waits(office, day, now)
    threshold = office.queue.alert_wait_minutes * 60
    services = []
    for s in overview["services"]:
        wait = longest.get(s["service"])
        services.append({"service": s["service"], "name": s["name"] if lang != "en" else s["name_en"],
                         "waiting": s["waiting"], "priority_waiting": s["priority_waiting"],
                         "longest_wait_seconds": None if wait is None else round(wait),
                         "estimated_wait_seconds": s["estimated_wait_seconds"],
                         "tickets_today": report["tickets"]["per_service"].get(s["service"], 0),
                         "alert": wait is not None and wait > threshold})
    open_steps = _open_steps(office, now)
    steps = []
    for row in report["steps"]:
        if row["pickup_step"]:
            continue
        ages = open_steps.get((row["service"], row["step"]), [])
        mb = row["mutu_baku_seconds"]
        steps.append({"service": row["service"], "step": row["step"], "step_name": row["step_name"],
                      "mutu_baku_seconds": mb, "waiting_now": row["waiting_now"],
                      "late_now": sum(1 for a in ages if mb is not None and a > mb),
                      "oldest_seconds": round(max(ages)) if ages else None,
                      "done_today": row["count"], "late_today": row["late"]})
    alerts = [{"kind": a.kind, "service": a.service, "step": a.step, "seconds": round(a.seconds),
               "threshold_seconds": round(a.threshold_seconds), "at": iso_local(office, a.raised_at)}
              for a in Alert.select().where((Alert.office == office.code) & (Alert.office_day == day))
              .order_by(Alert.raised_at.desc(), Alert.id.desc())]
    return {"office": office.code, "office_name": office.name, "office_day": day, "zone": office.zone_abbreviation,
            "local_time": iso_local(office, now), "alert_wait_seconds": threshold,
            "totals": {"tickets": report["tickets"]["total"], "waiting": overview["waiting_total"],
                       "no_shows": report["no_shows"], "uncollected": report["uncollected"]},
            "services": services, "counters": _counters(ctx, office, day, now), "steps": steps,
            "ikm": report["ikm"], "alerts": alerts}


def raise_alerts(ctx: Context, office: Office) -> list[dict]:
    """Raise today's new alerts of ``office`` (once per office day and key); returns the
    new ones as the ``alert.raised`` event payloads."""
    now = ctx.now()
    day = ctx.office_day(office, now)
    threshold = office.queue.alert_wait_minutes * 60
    found = [("wait", service, "", wait, threshold)
             for service, wait in _longest_waits(office, day, now).items() if wait > threshold]
    for (service, step), ages in _open_steps(office, now).items():
        try:
            mb = office.service(service).step(step).mutu_baku_seconds
        except KeyError:
            continue
        if mb and max(ages) > mb:
            found.append(("step", service, step, max(ages), mb))
    if not found:
        return []
    known = {k for (k,) in Alert.select(Alert.key).where((Alert.office == office.code) &
                                                          (Alert.office_day == day)).tuples()}
    new = []
    for kind, service, step, seconds, limit in found:
        key = f"{kind}:{service}" + (f":{step}" if step else "")
        if key in known:
            continue
        payload = {"kind": kind, "service": service, "step": step, "seconds": round(seconds),
                   "threshold_seconds": round(limit)}
        try:
            with write_tx():
                Alert.create(office=office.code, office_day=day, key=key, kind=kind, service=service, step=step,
                             seconds=seconds, threshold_seconds=limit, raised_at=now)
                record(office.code, ALERT_RAISED, payload, now)
        except IntegrityError:  # another process raised it first
            continue
        new.append(payload)
    return new


class AlertWatch:
    """Runs :func:`raise_alerts` for every office at most every ``every`` seconds (the
    server's ``before_request`` calls :meth:`tick`); a failure is logged, never raised."""

    def __init__(self, every: float = 30.0) -> None:
        self.every = every
        self._next = 0.0
        self._lock = threading.Lock()

    def tick(self, ctx: Context) -> None:
        """Check the offices when the interval has passed (non-blocking)."""
        now = ctx.now()
        if now < self._next or not self._lock.acquire(blocking=False):
            return
        try:
            self._next = now + self.every
            for office in ctx.offices.values():
                raise_alerts(ctx, office)
        except Exception:  # noqa: BLE001 - logged; the request goes on
            log.exception("checking the dashboard alerts failed")
        finally:
            self._lock.release()
