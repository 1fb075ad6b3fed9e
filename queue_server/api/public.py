"""Public and device reads: offices, services and their requirements, the queue overview, status by code, IKM, device faults, health.

Every handler authenticates through ``g.actor`` (set from the bearer token before the
request), checks the role in the operation it calls, and answers JSON; errors have the one
shape of ``client.protocol.error_body``.
"""
from __future__ import annotations

from apiflask import APIBlueprint
from flask import request

from .. import applications as apps
from .. import tickets
from ..auth import require
from ..context import iso_local
from ..db.database import write_tx
from ..db import sql
from ..db.models import AuditLog, IkmResponse
from ..domain import roles
from ..domain.ikm import ELEMENTS
from ..domain.nik import parse_nik
from ..domain.priority import CATEGORIES as PRIORITY_CATEGORY_LIST
from ..domain.requirements import build_checklist
from ..errors import NotFound
from ..events import record
from . import schemas as s
from ..applications import nik_check
from ..domain import opening
from .common import _office, actor, ctx, lang, notify

bp = APIBlueprint("public", __name__, url_prefix="/api/v1")


@bp.get("/offices")
@bp.doc(tags=["public"], summary="Offices hosted by this server")
def offices():
    return {"offices": [{"code": o.code, "name": o.name, "short_name": o.short_name, "regency": o.regency,
                         "timezone": o.timezone, "zone": o.zone_abbreviation, "parent": o.parent,
                         "running_text": o.running_text, "address": o.address, "phone": o.phone,
                         "photo_ratio": o.photo_ratio, "head_name": o.head_name, "head_nip": o.head_nip,
                         "head_title": o.head_title, "province": o.province, "pickup_offices": list(o.pickup_offices),
                         "complaints": list(o.complaints),
                         "kecamatan": [{"code": k.code, "name": k.name} for k in o.kecamatan],
                         # which contacts the office can message (issue 14): the kiosk and the
                         # counter offer the citizen "tell me when my turn is near" only then
                         "notifications": {"phone": o.notifications.phone_channel() is not None,
                                           "email": "email" in o.notifications.channels,
                                           "near_ahead": o.notifications.near_ahead},
                         "opening_hours": [{"opens": h.opens.strftime("%H:%M"), "closes": h.closes.strftime("%H:%M")}
                                           if h.is_open_day else None for h in o.opening_hours],
                         **_open_now(o)}
                        for o in ctx().offices.values()], "default": ctx().default_office}


def _open_now(office) -> dict:
    """``open_now`` (within today's hours, not a holiday), ``takes_tickets`` (open, or the
    server ignores hours), ``next_opening`` (ISO with offset, when closed) and
    ``closed_reason`` (a holiday's or closed date's name, "" for a day without hours)."""
    local = ctx().local(office)
    open_now = opening.is_open(office, local)
    nxt = None if open_now else opening.next_opening(office, local)
    return {"open_now": open_now, "takes_tickets": open_now or not ctx().enforce_hours,
            "next_opening": nxt.isoformat() if nxt else None,
            "closed_reason": None if open_now else opening.closed_reason(office, local.date())}


def _question(q, lg):
    return {"key": q.key, "kind": q.kind, "label": q.label.get(lg), "required": q.required,
            "help": q.help.get(lg) if q.help else None,
            "choices": [{"value": c.value, "label": c.label.get(lg)} for c in q.choices],
            "eligible_if": q.eligible_if,
            "ineligible_message": q.ineligible_message.get(lg) if q.ineligible_message else None,
            # asked only when these derived facts match (the answers so far tell: skipped_questions)
            "when": q.when.as_dict()}


@bp.get("/services")
@bp.input(s.OfficeQuery, location="query", arg_name="query")
@bp.doc(tags=["public"], summary="Services with their questions, open/closed state and quota")
def services(query):
    office = _office(query["office"])
    lg = lang()
    out = []
    for sv in office.services:
        st = tickets.service_status(ctx(), office, sv)
        out.append({"code": sv.code, "name": sv.name.get(lg), "prefix": sv.prefix, "icon": sv.icon,
                    "description": sv.description.get(lg) if sv.description else "",
                    "questions": [_question(q, lg) for q in sv.questions], "pickup": sv.pickup, "rules": sv.rules,
                    "steps": [{"code": st.code, "name": st.name.get(lg), "role": st.role, "presence": st.presence,
                               "mutu_baku_minutes": st.mutu_baku_minutes, "output": st.output,
                               "effect": st.effect, "conditional": bool(st.when.facts)} for st in sv.steps],
                    "completion_days": sv.completion_days, **st})
    return {"office": office.code, "services": out,
            "priority_categories": [{"code": c.code, "label": c.label.get(lg), "source": c.source}
                                    for c in PRIORITY_CATEGORY_LIST]}


@bp.get("/services/<code>/requirements")
@bp.doc(tags=["public"], summary="The requirements checklist for a case (answers as query parameters)",
        description="`partial=true` judges the answers given so far: missing answers are no error and a rule "
                    "is judged once its input is there (the kiosk asks after the birth date).")
def requirements(code):
    office = _office(request.args.get("office"))
    try:
        service = office.service(code)
    except KeyError:
        raise NotFound("unknown_service", f"Layanan '{code}' tidak dikenal.", f"Unknown service '{code}'.") from None
    answers = {k: v for k, v in request.args.items() if k not in ("office", "lang", "partial")}
    for q in service.questions:
        if q.kind == "bool" and q.key in answers:
            answers[q.key] = answers[q.key].lower() in ("1", "true", "ya", "yes")
    partial = request.args.get("partial", "").lower() in ("1", "true")
    checklist = build_checklist(service, answers, ctx().today(office), lang=lang(), partial=partial)
    return {"service": service.code, **checklist.as_dict()}


@bp.post("/nik/validate")
@bp.input(s.NikIn, arg_name="body")
@bp.doc(tags=["public"], summary="Parse and validate a NIK (sex, birth date, region; errors and warnings)")
def nik_validate(body):
    office = _office(body["office"])
    return nik_check(office, body["nik"], birth_date=body["birth_date"], sex=body["sex"], today=ctx().today(office))


@bp.get("/counters")
@bp.input(s.OfficeQuery, location="query", arg_name="query")
@bp.doc(tags=["public"], summary="Counters (loket) and what each serves")
def counters(query):
    office = _office(query["office"])
    return {"office": office.code, "counters": [
        {"code": c.code, "number": c.number, "name": c.name.get(lang()),
         "serves": [{"service": sv, "step": st} for sv, st in c.serves]} for c in office.counters]}


@bp.get("/status/<code>")
@bp.doc(tags=["public"], summary="Where a ticket or application stands (code from the ticket or pickup slip)")
def status(code):
    return apps.public_status(ctx(), code, lang())


@bp.get("/ikm/questions")
@bp.doc(tags=["public"], summary="The nine IKM questions with their official answer wording")
def ikm_questions():
    lg = lang()
    return {"elements": [{"code": e.code, "name": e.name, "question": e.question_en if lg == "en" else e.question_id,
                          "answers": [{"value": i + 1, "label": a[1] if lg == "en" else a[0]}
                                      for i, a in enumerate(e.answers)]} for e in ELEMENTS]}


@bp.get("/queue")
@bp.input(s.OfficeQuery, location="query", arg_name="query")
@bp.doc(tags=["tickets"], summary="Waiting counts, next numbers, counters and last calls (public, no personal data)")
def queue(query):
    office = _office(query["office"])
    require(actor(), *roles.ROLES, office=office.code)
    return tickets.queue_overview(ctx(), office)


@bp.post("/devices/faults")
@bp.input(s.FaultIn, arg_name="body")
@bp.doc(tags=["devices"], summary="A kiosk reports a device fault (e.g. printer out of paper)")
def device_fault(body):
    a = require(actor(), roles.KIOSK, roles.OPERATOR)
    office = _office(None)
    now = ctx().now()
    with write_tx():
        record(office.code, f"device.{body['kind']}_fault", {"device": a.name, "code": body["code"],
                                                              "message": body["message"], "ticket": body["ticket"]}, now)
        AuditLog.create(at=now, actor=a.name, role=a.role, office=office.code, action="device.fault",
                        target=body["ticket"] or "", details=body, remote_addr=a.remote_addr)
    notify()
    return {"ok": True}, 201


@bp.post("/ikm")
@bp.input(s.IkmIn, arg_name="body")
@bp.doc(tags=["ikm"], summary="Store one anonymous IKM survey response (9 answers 1..4)")
def ikm_submit(body):
    a = require(actor(), roles.KIOSK, roles.OPERATOR)
    office = _office(body["office"])
    require(a, roles.KIOSK, roles.OPERATOR, office=office.code)
    now = ctx().now()
    with write_tx():
        IkmResponse.create(office=office.code, office_day=ctx().office_day(office, now), answers=body["answers"],
                           ticket_code=body["ticket_code"], device=a.name, created_at=now)
        AuditLog.create(at=now, actor=a.name, role=a.role, office=office.code, action="ikm.submit",
                        remote_addr=a.remote_addr)
    return {"ok": True}, 201


@bp.get("/health")
@bp.doc(tags=["public"], summary="Liveness: the server answers, the database is reachable; the server's clock")
def health():
    last = sql.run('SELECT MAX("id") FROM "event"').fetchone()[0] or 0
    office = ctx().office(None)
    now = ctx().now()
    problem = _write_probe()
    out = {"ok": problem is None, "time": now, "local_time": iso_local(office, now),
           "office_day": ctx().office_day(office, now), "clock_speed": getattr(ctx().clock, "speed", 1.0),
           "last_event_id": last,
           # the address this request reached Loket by: behind the office's TLS proxy
           # (loket serve --trusted-proxy) the proxy's https URL, not the loopback one
           "public_url": request.host_url.rstrip("/")}
    if problem:  # reads still work, but no ticket can be issued: say so (issue 16 item 9)
        out.update(reason="database_not_writable", detail=problem)
    return out


_probe: dict = {"at": 0.0, "problem": None}


def _write_probe(every: float = 5.0) -> str | None:
    """:func:`queue_server.db.database.write_probe`, at most once per ``every`` seconds per
    process (devices poll /health; the probe takes the write lock)."""
    import time as _time
    from ..db.database import write_probe
    if _time.monotonic() - _probe["at"] > every:
        _probe["problem"], _probe["at"] = write_probe(), _time.monotonic()
    return _probe["problem"]


@bp.get("/ping")
@bp.doc(tags=["public"], summary="Trivial JSON answer (the stack's ceiling in the benchmark)")
def ping():
    return {"ok": True}
