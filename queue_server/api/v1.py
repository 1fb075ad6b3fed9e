"""HTTP API ``/api/v1``: parse → domain/store → JSON (issue 2 §7).

Every handler authenticates through ``g.actor`` (set from the bearer token before the
request), checks the role in the operation it calls, and answers JSON. Errors all have
one shape: ``{"error": {"code", "message", "message_en", "details"}}``.
"""
from __future__ import annotations

import time

from apiflask import APIBlueprint
from flask import Response, current_app, g, request, stream_with_context

from .. import applications as apps
from .. import tickets
from ..auth import create_device_token, create_staff, login, require, revoke
from ..context import Context, iso_local
from ..db.database import write_tx
from ..db.models import AuditLog, IkmResponse, Staff, Ticket, db
from ..domain import roles
from ..domain.ikm import ELEMENTS, ikm_score
from ..domain.nik import parse_nik
from ..domain.priority import CATEGORIES as PRIORITY_CATEGORY_LIST
from ..domain.requirements import build_checklist
from ..errors import Conflict, NotFound, Unprocessable
from ..events import record, stream
from . import schemas as s

bp = APIBlueprint("v1", __name__, url_prefix="/api/v1")

STAFF_READ = (roles.OPERATOR, roles.VERIFIKATOR, roles.PEJABAT_TTE, roles.PETUGAS_CETAK, roles.PETUGAS_DISTRIBUSI,
              roles.KEPALA)


def ctx() -> Context:
    return current_app.extensions["loket"]


def actor():
    return g.get("actor")


def lang() -> str:
    value = request.args.get("lang") or request.headers.get("Accept-Language", "id")
    return "en" if value.lower().startswith("en") else "id"


def notify():
    current_app.extensions["loket_broker"].notify()


def _office(code=None):
    a = actor()
    return ctx().office(code or (a.office if a else None))


# --------------------------------------------------------------------------- auth

@bp.post("/auth/login")
@bp.input(s.LoginIn, arg_name="body")
@bp.doc(tags=["auth"], summary="Staff login; returns a bearer token")
def auth_login(body):
    with write_tx():
        token, staff = login(body["username"], body["password"], now=ctx().now())
        AuditLog.create(at=ctx().now(), actor=staff.username, role=staff.role, office=staff.office,
                        action="auth.login", remote_addr=request.remote_addr or "")
    return {"token": token, "username": staff.username, "role": staff.role, "office": staff.office,
            "full_name": staff.full_name, "expires_in": 12 * 3600}


@bp.post("/auth/logout")
@bp.doc(tags=["auth"], summary="Revoke the current token")
def auth_logout():
    require(actor(), *roles.STAFF_ROLES)
    token = request.headers.get("Authorization", "").partition(" ")[2].strip()
    revoke(token, now=ctx().now())
    return {"ok": True}


@bp.get("/auth/me")
@bp.doc(tags=["auth"], summary="Who the token belongs to")
def auth_me():
    a = require(actor(), *roles.ROLES)
    return {"name": a.name, "role": a.role, "kind": a.kind, "office": a.office}


# --------------------------------------------------------------------------- public

@bp.get("/offices")
@bp.doc(tags=["public"], summary="Offices hosted by this server")
def offices():
    return {"offices": [{"code": o.code, "name": o.name, "short_name": o.short_name, "regency": o.regency,
                         "timezone": o.timezone, "zone": o.zone_abbreviation, "parent": o.parent,
                         "running_text": o.running_text, "address": o.address, "phone": o.phone,
                         "photo_ratio": o.photo_ratio, "head_name": o.head_name, "head_nip": o.head_nip,
                         "head_title": o.head_title, "pickup_offices": list(o.pickup_offices),
                         "kecamatan": [{"code": k.code, "name": k.name} for k in o.kecamatan]}
                        for o in ctx().offices.values()], "default": ctx().default_office}


def _question(q, lg):
    return {"key": q.key, "kind": q.kind, "label": q.label.get(lg), "required": q.required,
            "help": q.help.get(lg) if q.help else None,
            "choices": [{"value": c.value, "label": c.label.get(lg)} for c in q.choices],
            "eligible_if": q.eligible_if,
            "ineligible_message": q.ineligible_message.get(lg) if q.ineligible_message else None}


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
                    "questions": [_question(q, lg) for q in sv.questions], "pickup": sv.pickup,
                    "steps": [{"code": st.code, "name": st.name.get(lg), "role": st.role, "presence": st.presence,
                               "mutu_baku_minutes": st.mutu_baku_minutes, "output": st.output,
                               "conditional": bool(st.when.facts)} for st in sv.steps],
                    "completion_days": sv.completion_days, **st})
    return {"office": office.code, "services": out,
            "priority_categories": [{"code": c.code, "label": c.label.get(lg), "source": c.source}
                                    for c in PRIORITY_CATEGORY_LIST]}


@bp.get("/services/<code>/requirements")
@bp.doc(tags=["public"], summary="The requirements checklist for a case (answers as query parameters)")
def requirements(code):
    office = _office(request.args.get("office"))
    try:
        service = office.service(code)
    except KeyError:
        raise NotFound("unknown_service", f"Layanan '{code}' tidak dikenal.", f"Unknown service '{code}'.") from None
    answers = {k: v for k, v in request.args.items() if k not in ("office", "lang")}
    for q in service.questions:
        if q.kind == "bool" and q.key in answers:
            answers[q.key] = answers[q.key].lower() in ("1", "true", "ya", "yes")
    checklist = build_checklist(service, answers, ctx().today(office), lang=lang())
    return {"service": service.code, **checklist.as_dict()}


@bp.post("/nik/validate")
@bp.input(s.NikIn, arg_name="body")
@bp.doc(tags=["public"], summary="Parse and validate a NIK (sex, birth date, region; errors and warnings)")
def nik_validate(body):
    office = _office(None)
    return parse_nik(body["nik"], today=ctx().today(office)).as_dict()


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


# --------------------------------------------------------------------------- tickets

@bp.post("/tickets")
@bp.input(s.TicketIn, arg_name="body")
@bp.doc(tags=["tickets"], summary="Issue a queue number (kiosk or operator token)",
        responses={201: "ticket issued", 200: "idempotent replay", 409: "quota used up or closed"})
def issue(body):
    key = body["idempotency_key"] or request.headers.get("Idempotency-Key")
    res = tickets.issue_ticket(ctx(), actor(), office_code=body["office"], service_code=body["service"],
                               priority=body["priority"], answers=body["answers"], idempotency_key=key)
    if res.created:
        notify()
    office = ctx().office(res.ticket.office)
    data = tickets.ticket_public(ctx(), office, res.ticket)
    data["checklist"] = res.checklist
    data["office_name"] = office.name
    data["created"] = res.created
    return data, 201 if res.created else 200


@bp.get("/tickets/<int:ticket_id>")
@bp.doc(tags=["tickets"], summary="A ticket with its applications (staff)")
def ticket_get(ticket_id):
    t = Ticket.get_or_none(Ticket.id == ticket_id)
    if t is None:
        raise NotFound("unknown_ticket", "Nomor antrean tidak ditemukan.", "Ticket not found.")
    office = ctx().office(t.office)
    require(actor(), *STAFF_READ, office=office.code)
    data = tickets.ticket_public(ctx(), office, t)
    data["answers"] = {k: v for k, v in (t.answers or {}).items() if not k.startswith("_")}
    data["checklist"] = (t.answers or {}).get("_checklist")
    data["applications"] = [apps.application_dict(ctx(), a, lang=lang()) for a in t.applications]
    return data


@bp.get("/queue")
@bp.input(s.OfficeQuery, location="query", arg_name="query")
@bp.doc(tags=["tickets"], summary="Waiting counts, next numbers, counters and last calls (public, no personal data)")
def queue(query):
    office = _office(query["office"])
    require(actor(), *roles.ROLES, office=office.code)
    return tickets.queue_overview(ctx(), office)


def _counter_action(fn, counter_id, **kw):
    office = request.args.get("office")
    result = fn(ctx(), actor(), office_code=office, counter_code=counter_id, **kw)
    notify()
    if result is None:
        return "", 204
    o = ctx().office(result.office)
    return tickets.ticket_public(ctx(), o, result, with_position=False)


@bp.post("/counters/<counter_id>/call-next")
@bp.input(s.CounterActionIn, arg_name="body")
@bp.doc(tags=["counters"], summary="Call the next number (204 when nobody waits)")
def call_next(counter_id, body):
    return _counter_action(tickets.call_next, counter_id, expected_ticket=body["ticket"])


@bp.post("/counters/<counter_id>/call")
@bp.input(s.CallNumberIn, arg_name="body")
@bp.doc(tags=["counters"], summary="Call a specific number")
def call_number(counter_id, body):
    return _counter_action(tickets.call_number, counter_id, number=body["number"])


@bp.post("/counters/<counter_id>/recall")
@bp.input(s.CounterActionIn, arg_name="body")
@bp.doc(tags=["counters"], summary="Announce the current number again")
def recall(counter_id, body):
    return _counter_action(tickets.recall, counter_id, expected_ticket=body["ticket"])


@bp.post("/counters/<counter_id>/skip")
@bp.input(s.CounterActionIn, arg_name="body")
@bp.doc(tags=["counters"], summary="Skip / no-show the current number")
def skip(counter_id, body):
    return _counter_action(tickets.skip, counter_id, expected_ticket=body["ticket"])


@bp.post("/counters/<counter_id>/transfer")
@bp.input(s.TransferIn, arg_name="body")
@bp.doc(tags=["counters"], summary="Transfer the current number to another service or step")
def transfer(counter_id, body):
    return _counter_action(tickets.transfer, counter_id, service_code=body["service"], step_code=body["step"],
                           expected_ticket=body["ticket"])


@bp.post("/counters/<counter_id>/finish")
@bp.input(s.CounterActionIn, arg_name="body")
@bp.doc(tags=["counters"], summary="Finish the current visit")
def finish(counter_id, body):
    return _counter_action(tickets.finish, counter_id, expected_ticket=body["ticket"])


@bp.post("/counters/<counter_id>/close")
@bp.doc(tags=["counters"], summary="Close the counter (finishes the current visit; displays clear it)")
def close_counter(counter_id):
    ticket = tickets.close_counter(ctx(), actor(), office_code=request.args.get("office"), counter_code=counter_id)
    notify()
    return {"closed": counter_id, "finished": ticket.number if ticket else None}


@bp.post("/counters/<counter_id>/priority")
@bp.input(s.PriorityIn, arg_name="body")
@bp.doc(tags=["counters"], summary="Confirm, change or clear the current ticket's priority category")
def confirm_priority(counter_id, body):
    return _counter_action(tickets.set_priority, counter_id, priority=body["priority"], expected_ticket=body["ticket"])


# --------------------------------------------------------------------------- applications

def _app_out(app, status=200):
    return apps.application_dict(ctx(), app, lang=lang()), status


@bp.post("/tickets/<int:ticket_id>/applications")
@bp.input(s.ApplicationIn, arg_name="body")
@bp.doc(tags=["applications"], summary="Open an application (berkas) for a visit")
def application_create(ticket_id, body):
    app = apps.create_application(ctx(), actor(), ticket_id=ticket_id, service_code=body["service"],
                                  answers=body["answers"], applicant=body["applicant"],
                                  pickup_office=body["pickup_office"])
    notify()
    return _app_out(app, 201)


@bp.get("/applications/<int:app_id>")
@bp.doc(tags=["applications"], summary="An application with checklist and kartu kendali (staff)")
def application_get(app_id):
    app = apps.get_application(app_id)
    a = require(actor(), *STAFF_READ)
    # staff of the filing office, or of the office where the document is handed over (a UPTD)
    if not (a.may_act_in(app.office) or (app.pickup_office and a.may_act_in(app.pickup_office))):
        require(a, *STAFF_READ, office=app.office)
    return _app_out(app)


@bp.patch("/applications/<int:app_id>")
@bp.input(s.ApplicationPatchIn, arg_name="body")
@bp.doc(tags=["applications"], summary="Correct applicant data, answers or the SIAK reference")
def application_patch(app_id, body):
    app = apps.update_applicant(ctx(), actor(), app_id, applicant=body["applicant"], answers=body["answers"],
                                siak_reference=body["siak_reference"], expected_version=body["version"])
    return _app_out(app)


@bp.post("/applications/<int:app_id>/verify")
@bp.input(s.VerifyIn, arg_name="body")
@bp.doc(tags=["applications"], summary="Record the documents present: forward a complete file or return it")
def application_verify(app_id, body):
    app = apps.verify_documents(ctx(), actor(), app_id, present=body["present"], siak_reference=body["siak_reference"],
                                expected_version=body["version"])
    notify()
    return _app_out(app)


@bp.post("/applications/<int:app_id>/steps/<step>/start")
@bp.doc(tags=["applications"], summary="Take a berkas from a work queue")
def application_start(app_id, step):
    app = apps.start_step(ctx(), actor(), app_id, step=step)
    return _app_out(app)


@bp.post("/applications/<int:app_id>/steps/<step>/complete")
@bp.input(s.StepCompleteIn, arg_name="body")
@bp.doc(tags=["applications"], summary="Finish the current SOP step (done or returned with a reason)")
def application_complete(app_id, step, body):
    data = {k: body[k] for k in ("card_serial", "ikd_activated", "reason") if body.get(k) is not None}
    app = apps.complete_step(ctx(), actor(), app_id, step=step, outcome=body["outcome"], note=body["note"],
                             data=data, expected_version=body["version"])
    notify()
    return _app_out(app)


@bp.post("/applications/<int:app_id>/handover")
@bp.input(s.HandoverIn, arg_name="body")
@bp.doc(tags=["applications"], summary="Hand the document over (tanda terima)")
def application_handover(app_id, body):
    app = apps.handover(ctx(), actor(), app_id, received_by=body["received_by"], relation=body["relation"],
                        identity_checked=body["identity_checked"], expected_version=body["version"])
    notify()
    return _app_out(app)


@bp.post("/applications/<int:app_id>/reprint")
@bp.input(s.ReprintIn, arg_name="body")
@bp.doc(tags=["applications"], summary="Record a card reprint with its reason")
def application_reprint(app_id, body):
    cp = apps.reprint(ctx(), actor(), app_id, card_serial=body["card_serial"], reason=body["reason"])
    return {"serial": cp.serial, "reason": cp.reason, "printed_at": cp.printed_at}, 201


@bp.put("/applications/<int:app_id>/photo")
@bp.doc(tags=["applications"], summary="Store the accepted photo (body: image/jpeg)")
def application_photo_put(app_id):
    if request.mimetype != "image/jpeg":
        raise Unprocessable("invalid_photo", "Kirim foto sebagai image/jpeg.", "Send the photo as image/jpeg.")
    photo = apps.store_photo(ctx(), actor(), app_id, request.get_data(cache=False))
    return {"width": photo.width, "height": photo.height, "bytes": len(photo.jpeg)}, 201


@bp.get("/applications/<int:app_id>/photo")
@bp.doc(tags=["applications"], summary="The stored photo (staff)")
def application_photo_get(app_id):
    app = apps.get_application(app_id)
    require(actor(), roles.OPERATOR, roles.VERIFIKATOR, roles.PEJABAT_TTE, roles.PETUGAS_CETAK, office=app.office)
    photo = app.photos.first()
    if photo is None:
        raise NotFound("no_photo", "Berkas ini belum punya foto.", "This application has no photo.")
    return Response(bytes(photo.jpeg), mimetype="image/jpeg", headers={"Cache-Control": "no-store"})


@bp.get("/work-queue/<step>")
@bp.input(s.WorkQuery, location="query", arg_name="query")
@bp.doc(tags=["applications"], summary="Work queue of a step with age against the mutu baku")
def work(step, query):
    items = apps.work_queue(ctx(), actor(), office_code=query["office"], step=step, service_code=query["service"])
    return {"step": step, "items": items}


@bp.get("/pickups/<code>")
@bp.doc(tags=["applications"], summary="Find a finished document by its pickup code (distribution)")
def pickup(code):
    app = apps.Application.get_or_none(apps.Application.code == code.strip().upper())
    if app is None:
        raise NotFound("unknown_code", "Kode pengambilan tidak ditemukan.", "Pickup code not found.")
    require(actor(), roles.PETUGAS_DISTRIBUSI, roles.OPERATOR, office=app.pickup_office or app.office)
    return _app_out(app)


@bp.get("/uncollected")
@bp.input(s.OfficeQuery, location="query", arg_name="query")
@bp.doc(tags=["applications"], summary="Documents ready but not collected, with phone numbers, by kecamatan")
def uncollected(query):
    office = _office(query["office"])
    require(actor(), roles.PETUGAS_DISTRIBUSI, roles.KEPALA, office=office.code)
    rows = (apps.Application.select().where(
        ((apps.Application.pickup_office == office.code) | (apps.Application.office == office.code)) &
        (apps.Application.state == apps.workflow.READY)).order_by(apps.Application.step_arrived_at))
    now = ctx().now()
    items = [{"id": a.id, "code": a.code, "service": a.service, "applicant_name": a.applicant_name, "phone": a.phone,
              "kecamatan_code": a.kecamatan_code, "pickup_office": a.pickup_office,
              "ready_since": iso_local(office, a.step_arrived_at),
              "waiting_days": round((now - (a.step_arrived_at or now)) / 86400, 1)} for a in rows]
    names = {k.code: k.name for k in office.kecamatan}
    batches: dict[str, list] = {}
    for it in items:
        batches.setdefault(it["kecamatan_code"] or "-", []).append(it["code"])
    return {"items": items, "by_kecamatan": [{"kecamatan_code": k, "kecamatan": names.get(k, k), "count": len(v),
                                              "codes": v} for k, v in sorted(batches.items())]}


# --------------------------------------------------------------------------- devices, IKM

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


@bp.get("/reports/ikm")
@bp.input(s.DayQuery, location="query", arg_name="query")
@bp.doc(tags=["reports"], summary="IKM score (NRR per element, converted score and category)")
def report_ikm(query):
    office = _office(query["office"])
    require(actor(), roles.KEPALA, office=office.code)
    q = IkmResponse.select().where(IkmResponse.office == office.code)
    if query["date"]:
        q = q.where(IkmResponse.office_day == query["date"])
    responses = [r.answers for r in q]
    if not responses:
        return {"respondents": 0}
    res = ikm_score(responses)
    return {"respondents": res.respondents, "nrr": list(res.nrr), "ikm": res.ikm, "converted": res.converted,
            "category": res.category, "label": res.label}


# --------------------------------------------------------------------------- admin

@bp.post("/staff")
@bp.input(s.StaffIn, arg_name="body")
@bp.doc(tags=["admin"], summary="Create a staff account (admin)")
def staff_create(body):
    a = require(actor(), roles.ADMIN)
    if body["office"]:
        ctx().office(body["office"])
    now = ctx().now()
    with write_tx():
        st = create_staff(body["username"], body["role"], body["password"], full_name=body["full_name"],
                          office=body["office"], nip=body["nip"], now=now)
        AuditLog.create(at=now, actor=a.name, role=a.role, office=body["office"], action="staff.create",
                        target=st.username, details={"role": st.role}, remote_addr=a.remote_addr)
    return {"username": st.username, "role": st.role, "office": st.office}, 201


@bp.get("/staff")
@bp.doc(tags=["admin"], summary="Staff accounts (admin)")
def staff_list():
    require(actor(), roles.ADMIN)
    return {"staff": [{"username": x.username, "full_name": x.full_name, "role": x.role, "office": x.office,
                       "active": x.active} for x in Staff.select().order_by(Staff.username)]}


@bp.post("/devices")
@bp.input(s.DeviceIn, arg_name="body")
@bp.doc(tags=["admin"], summary="Create a kiosk or display token (admin); shown once")
def device_create(body):
    a = require(actor(), roles.ADMIN)
    if body["office"]:
        ctx().office(body["office"])
    now = ctx().now()
    with write_tx():
        token = create_device_token(body["role"], body["name"], office=body["office"], now=now)
        AuditLog.create(at=now, actor=a.name, role=a.role, office=body["office"], action="device.create",
                        target=body["name"], details={"role": body["role"]}, remote_addr=a.remote_addr)
    return {"token": token, "role": body["role"], "name": body["name"]}, 201


@bp.get("/audit")
@bp.doc(tags=["admin"], summary="The latest audit-log entries (admin)")
def audit_list():
    require(actor(), roles.ADMIN)
    raw = request.args.get("limit", "100")
    limit = min(max(int(raw), 1), 1000) if raw.isdigit() else 100
    rows = AuditLog.select().order_by(AuditLog.id.desc()).limit(limit)
    return {"entries": [{"at": r.at, "actor": r.actor, "role": r.role, "office": r.office, "action": r.action,
                         "target": r.target, "details": r.details} for r in rows]}


# --------------------------------------------------------------------------- events

@bp.get("/events")
@bp.input(s.EventsQuery, location="query", arg_name="query")
@bp.doc(tags=["events"], summary="Server-sent events; resume with the Last-Event-ID header")
def events(query):
    a = require(actor(), *roles.ROLES)
    office = query["office"] or a.office
    if office:
        ctx().office(office)
        require(a, *roles.ROLES, office=office)
    public_only = a.role in (roles.DISPLAY, roles.KIOSK)
    header = request.headers.get("Last-Event-ID")
    last_id = query["last_id"]
    if header is not None:
        if not header.strip().isdigit():
            raise Unprocessable("invalid_last_event_id", "Last-Event-ID harus angka.", "Last-Event-ID must be a number.")
        last_id = int(header.strip())
    broker = current_app.extensions["loket_broker"]
    limit = current_app.config["MAX_STREAMS"]
    if broker.subscriber_count >= limit:
        raise Conflict("too_many_streams", "Terlalu banyak koneksi layar. Coba lagi sebentar.",
                       "Too many event streams; retry shortly.", {"limit": limit})
    gen = stream(broker, office=office, public_only=public_only, last_id=last_id,
                 heartbeat=current_app.config["SSE_HEARTBEAT"], max_seconds=current_app.config.get("SSE_MAX_SECONDS"),
                 now=ctx().now)
    return Response(stream_with_context(gen), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@bp.get("/health")
@bp.doc(tags=["public"], summary="Liveness: the server answers, the database is reachable; the server's clock")
def health():
    last = db.execute_sql('SELECT MAX("id") FROM "event"').fetchone()[0] or 0
    office = ctx().office(None)
    now = ctx().now()
    return {"ok": True, "time": now, "local_time": iso_local(office, now), "office_day": ctx().office_day(office, now),
            "clock_speed": getattr(ctx().clock, "speed", 1.0), "last_event_id": last}


@bp.get("/ping")
@bp.doc(tags=["public"], summary="Trivial JSON answer (the stack's ceiling in the benchmark)")
def ping():
    return {"ok": True}
