"""``/api/v1/applications`` (berkas), ``/work-queue/{step}``, ``/pickups``, ``/uncollected``.

Every handler authenticates through ``g.actor`` (set from the bearer token before the
request), checks the role in the operation it calls, and answers JSON; errors have the one
shape of ``client.protocol.error_body``.
"""
from __future__ import annotations

from apiflask import APIBlueprint
from flask import Response, request

from .. import applications as apps
from ..auth import require
from ..context import iso_local
from ..domain import roles
from ..errors import NotFound, Unprocessable
from . import schemas as s
from .common import STAFF_READ, _office, actor, ctx, lang, notify

bp = APIBlueprint("applications", __name__, url_prefix="/api/v1")


def _app_out(app, status=200):
    return apps.application_dict(ctx(), app, lang=lang()), status


@bp.post("/tickets/<int:ticket_id>/applications")
@bp.input(s.ApplicationIn, arg_name="body")
@bp.doc(tags=["applications"], summary="Open an application (berkas) for a visit")
def application_create(ticket_id, body):
    app = apps.create_application(ctx(), actor(), ticket_id=ticket_id, service_code=body["service"],
                                  answers=body["answers"], applicant=body["applicant"],
                                  pickup_office=body["pickup_office"], confirm_duplicate=body["confirm_duplicate"])
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
    data = {k: body[k] for k in ("card_serial", "ikd_activated", "reason", "card") if body.get(k) is not None}
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
    office = ctx().office(app.pickup_office or app.office)
    require(actor(), *apps.handover_roles(ctx(), office), office=office.code)
    return _app_out(app)


@bp.get("/uncollected")
@bp.input(s.OfficeQuery, location="query", arg_name="query")
@bp.doc(tags=["applications"], summary="Documents ready but not collected, with phone numbers, by kecamatan")
def uncollected(query):
    office = _office(query["office"])
    require(actor(), *apps.handover_roles(ctx(), office), roles.KEPALA, office=office.code)
    rows = (apps.Application.select().where(
        ((apps.Application.pickup_office == office.code) | (apps.Application.office == office.code)) &
        (apps.Application.state == apps.workflow.READY)).order_by(apps.Application.step_arrived_at))
    now = ctx().now()
    rows = list(rows)
    moving = apps.batches_in_transit(a.batch for a in rows)
    transit = {a.id for a in rows if a.batch in moving}
    # a card still on its way to this pickup office is listed under its incoming batch, not here
    rows = [a for a in rows if not (a.id in transit and a.office != office.code)]
    from ..notify.outbox import last_sent
    last = last_sent([f"application:{a.code}" for a in rows])

    def last_message(code: str):
        m = last.get(f"application:{code}")
        return {"kind": m.kind, "channel": m.channel, "sent_at": iso_local(office, m.sent_at),
                "sent_by": m.sent_by} if m else None

    items = [{"id": a.id, "code": a.code, "service": a.service, "applicant_name": a.applicant_name, "phone": a.phone,
              "kecamatan_code": a.kecamatan_code, "pickup_office": a.pickup_office,
              "ready_since": iso_local(office, a.step_arrived_at),
              "waiting_days": round((now - (a.step_arrived_at or now)) / 86400, 1),
              "notify": a.notify, "last_message": last_message(a.code), "in_transit": a.id in transit}
             for a in rows]
    names = {k.code: k.name for k in office.kecamatan}
    batches: dict[str, list] = {}
    for it in items:
        batches.setdefault(it["kecamatan_code"] or "-", []).append(it["code"])
    return {"items": items, "by_kecamatan": [{"kecamatan_code": k, "kecamatan": names.get(k, k), "count": len(v),
                                              "codes": v} for k, v in sorted(batches.items())]}


