"""The citizen's online application pages (issue 13, SOP 001 row 1), on the citizen
blueprint: ``/online`` (the services an office takes online), ``/online/{office}/{service}``
(the kiosk's questions one a page, then the applicant's data and one upload per required
document), the receipt ``/s/{code}/resi`` (+ ``.pdf``) and the re-upload form on the
follow page (``POST /s/{code}/unggah``).

Plain HTML forms (``multipart/form-data``) that work without JavaScript;
``static/online.js`` keeps the typed fields in the phone's storage (a dropped connection
or a closed tab loses nothing typed), checks a file's size before it is sent and shows
what was chosen. The form carries a random submission key: sending it twice (the answer
lost on a bad connection) answers the same application, never a second one.
"""
from __future__ import annotations

import secrets

from flask import Response, redirect, request, url_for

from .. import applications as apps
from .. import online
from ..domain.errors import DomainError
from ..limits import online_by_address, public_read
from .citizen import _check_csrf, _ctx, _lang, _message_of, _render, bp, message_page, questions
from .texts import t

#: The applicant fields of the form (``ap_<name>``), in the order shown.
FORM_FIELDS = ("name", "nik", "sex", "birth_place", "birth_date", "kk_number", "parent_name", "phone", "email",
               "kecamatan_code")


@bp.get("/online")
@bp.get("/online/<office_code>")
@public_read
def online_services(office_code: str | None = None):
    """The services citizens of ``office_code`` may apply for from home."""
    try:
        office = _ctx().office(office_code)
    except DomainError:
        return message_page(t("unknown_office", _lang()), t("unknown_office", _lang()), 404)
    return _render("citizen_online.html", step="services", office=office, services=online.online_services(office),
                   hidden={})


def _wizard(office_code: str, service_code: str, source):
    """(base, next page or None) of the online form: the questions first
    (:func:`queue_server.web.citizen.questions`), for an online service only."""
    ctx = _ctx()
    office = ctx.office(office_code)
    service = online._online_service(office, service_code)
    base, page, _ = questions(ctx, "citizen_online.html", office, service, source)
    return base, page


def _form_page(base: dict, status: int = 200, *, form: dict | None = None, error: str | None = None,
               error_field: str | None = None, key: str | None = None):
    ctx = _ctx()
    office, service = base["office"], base["service"]
    documents = online.required_documents(service, base["answers"], ctx.today(office), _lang())
    return _render("citizen_online.html", status, step="form", documents=documents, form=form or {},
                   error=error, error_field=error_field or "", submission_key=key or secrets.token_urlsafe(18),
                   pickups=online.pickup_choices(ctx, office), max_mb=f"{office.online.upload_max_mb:g}",
                   config={"max_bytes": office.online.upload_max_bytes,
                           "draft": f"loket-online-{office.code}-{service.code}",
                           "too_large": t("file_too_large_js", _lang(), mb=f"{office.online.upload_max_mb:g}")},
                   **base)


@bp.get("/online/<office_code>/<service_code>")
@public_read
def online_apply(office_code: str, service_code: str):
    """The questions, then the form with one upload per required document."""
    try:
        base, page = _wizard(office_code, service_code, request.args)
    except DomainError as e:
        return message_page(t("online_title", _lang()), _message_of(e), getattr(e, "http_status", 404))
    return page or _form_page(base)


@bp.post("/online/<office_code>/<service_code>")
@online_by_address
def online_apply_post(office_code: str, service_code: str):
    """Submit the application (multipart, CSRF-checked): the receipt on success; the
    form again with the refusal and the field marked otherwise (files chosen again)."""
    from ..api.online import UPLOAD_REQUESTS
    with UPLOAD_REQUESTS:
        return _apply_post(office_code, service_code)


def _apply_post(office_code: str, service_code: str):
    from ..api.online import read_multipart, store
    lang = _lang()
    try:
        office = _ctx().office(office_code)
        fields, files, _ = read_multipart(office)
    except DomainError as e:
        return message_page(t("online_title", lang), _message_of(e), getattr(e, "http_status", 400),
                            back=request.path)
    _check_csrf()
    try:
        base, page = _wizard(office_code, service_code, fields)
    except DomainError as e:
        return message_page(t("online_title", lang), _message_of(e), getattr(e, "http_status", 404))
    if page is not None:
        return page
    form = {k: (fields.get(f"ap_{k}") or "").strip() for k in FORM_FIELDS}
    form["pickup_office"] = fields.get("pickup_office") or office.code
    form["notify"] = fields.get("ap_notify") == "ya"
    applicant = {k: v for k, v in form.items() if k in FORM_FIELDS}
    applicant["notify"] = form["notify"]
    key = fields.get("submission_key") or None
    try:
        app, created = online.submit(_ctx(), store(), office_code=office.code, service_code=service_code,
                                     answers=base["answers"], applicant=applicant,
                                     pickup_office=form["pickup_office"], files=files, submission_key=key, lang=lang,
                                     remote_addr=request.remote_addr or "")
    except DomainError as e:
        field = str((e.details or {}).get("field") or "")
        return _form_page(base, getattr(e, "http_status", 400) or 400, form=form, error=_message_of(e),
                          error_field=field, key=key)
    if created:
        from ..api.common import notify
        notify()
    return redirect(url_for("citizen.online_receipt", code=app.code) + ("?lang=en" if lang == "en" else ""), code=303)


def _receipt_data(code: str) -> dict:
    """What the receipt shows (no personal data beyond the masked name): code, service,
    filing time, what was uploaded, the next step, the promised day, the follow URL."""
    from ..tickets import status_url
    ctx = _ctx()
    lang = _lang()
    app = online.by_code(code)
    office = ctx.office(app.office)
    service = office.service(app.service)
    status = apps.public_status(ctx, app.code, lang)
    labels = {d["code"]: d["label"] for d in online.public_online(ctx, app, lang)["documents"]}
    uploaded = [labels.get(u["requirement"], u["requirement"]) for u in online.uploads_of(app)]
    pickup = ctx.office(app.pickup_office or app.office)
    return {"code": app.code, "service": service.name.get(lang), "office": office, "filed_at": status["filed_at"],
            "uploaded": uploaded, "ready_by": status["ready_by"], "url": status_url(office, app.code),
            "pickup": pickup.name, "applicant": status["applicant"], "state_text": status["text"],
            "zone": office.zone_abbreviation}


@bp.get("/s/<code>/resi")
@public_read
def online_receipt(code: str):
    """The receipt (resi) of an online application: also what the pickup is collected with."""
    try:
        data = _receipt_data(code)
    except DomainError:
        return message_page(t("unknown_code_title", _lang()), t("unknown_code_text", _lang(), code=code[:16]), 404)
    return _render("citizen_receipt.html", receipt=data, office=data["office"], code=data["code"],
                   config={"clear_draft": True})


@bp.get("/s/<code>/resi.pdf")
@public_read
def online_receipt_pdf(code: str):
    """The receipt as a PDF (A5)."""
    try:
        data = _receipt_data(code)
    except DomainError:
        return message_page(t("unknown_code_title", _lang()), t("unknown_code_text", _lang(), code=code[:16]), 404)
    from .booking_pdf import receipt_pdf
    pdf = receipt_pdf(data, _lang())
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="resi-{data["code"]}.pdf"', "Cache-Control": "no-store"})


@bp.post("/s/<code>/unggah")
@online_by_address
def online_reupload_post(code: str):
    """New files for a returned application (multipart, CSRF-checked), under the same code."""
    from ..api.online import UPLOAD_REQUESTS
    lang = _lang()
    back = url_for("citizen.follow", code=code) + ("?lang=en" if lang == "en" else "")
    with UPLOAD_REQUESTS:
        return _reupload_post(code, back, lang)


def _reupload_post(code: str, back: str, lang: str):
    from ..api.common import notify
    from ..api.online import read_multipart, store
    try:
        app = online.by_code(code)
        _, files, _ = read_multipart(_ctx().office(app.office))  # parsed within the limits, before the CSRF check
        _check_csrf()
        online.reupload(_ctx(), store(), code, {k: v for k, v in files.items() if v}, remote_addr=request.remote_addr or "")
    except DomainError as e:
        return message_page(t("reupload_failed", lang), _message_of(e), getattr(e, "http_status", 400), back=back)
    notify()
    return redirect(back, code=303)
