"""The citizen's pages on a phone (issue 12): follow a ticket, a berkas or a booking
(``/s/{code}``, what every printed QR holds), the office's public page (``/kantor``) and
booking a visit (``/booking``). Flask + Jinja2, plain HTML forms that work without
JavaScript; ``static/follow.js`` only refreshes the follow page and rings when the
number is called.

Nothing personal is shown: the applicant's name masked ("S*** A*****"), the NIK masked,
never a phone or email. Every page answers ``Cache-Control: no-store``; the forms carry
a CSRF token (Flask-WTF, checked on every POST here); the public writes are rate-limited
per address and per NIK (:mod:`queue_server.limits`). A follow page polls
``/api/v1/status/{code}`` every 10 seconds instead of holding an event stream open: a
waitress thread per open stream is what three hundred phones could not afford
(bench/README.md "Phones").
"""
from __future__ import annotations

import io
import json
from datetime import date

from flask import Blueprint, Response, current_app, make_response, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from wtforms.validators import ValidationError as CsrfInvalid

from .. import applications as apps
from .. import bookings as bk
from .. import tickets
from ..domain import booking as rules
from ..domain.errors import DomainError
from ..domain.requirements import build_checklist
from ..limits import booking_by_address, booking_by_nik, public_read
from .texts import page_texts, t

bp = Blueprint("citizen", __name__, template_folder="templates")

#: Seconds between the follow page's refreshes (JavaScript; without it the page reloads every 30 s).
POLL_SECONDS = 10


def _ctx():
    return current_app.extensions["loket"]


def _lang() -> str:
    return "en" if (request.args.get("lang") or request.form.get("lang") or "").lower().startswith("en") else "id"


def _render(template: str, status: int = 200, **context):
    lang = _lang()
    config = {"lang": lang, "texts": page_texts("follow", lang), **context.pop("config", {})}
    html = render_template(template, t=lambda key, **kw: t(key, lang, **kw), lang=lang, csrf_token=generate_csrf,
                           lang_query="?lang=en" if lang == "en" else "",
                           config_json=json.dumps(config, ensure_ascii=False).replace("</", "<\\/"), **context)
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def message_page(title: str, text: str, status: int, back: str | None = None):
    """A page with one message (errors, refusals) in the page's language."""
    return _render("citizen_message.html", status, title=title, text=text, back=back)


def rate_limited_page(retry_after: int):
    """The 429 page of a rate-limited citizen request (``Retry-After`` set)."""
    minutes = max(1, round(retry_after / 60))
    response = message_page(t("too_many_title", _lang()), t("too_many_text", _lang(), n=minutes), 429)
    response.headers["Retry-After"] = str(retry_after)
    return response


@bp.errorhandler(CSRFError)
def _csrf_failed(e):
    return message_page(t("form_expired_title", _lang()), t("form_expired_text", _lang()), 400,
                        back=request.path)


def _check_csrf() -> None:
    try:
        validate_csrf(request.form.get("csrf_token"))
    except CsrfInvalid as e:
        raise CSRFError(str(e)) from None


def _message_of(e: DomainError) -> str:
    return e.message_en if _lang() == "en" and e.message_en else e.message


# --------------------------------------------------------------------------- follow

@bp.get("/s/<code>")
@public_read
def follow(code: str):
    """Follow a ticket, a visit's berkas or a booking by its code (the printed QR)."""
    try:
        status = apps.public_status(_ctx(), code, _lang())
    except DomainError:
        return message_page(t("unknown_code_title", _lang()), t("unknown_code_text", _lang(), code=code[:16]), 404)
    ctx = _ctx()
    office = None
    checklist = None
    if status["kind"] == "ticket":
        from ..db.models import Ticket
        ticket = Ticket.get(Ticket.public_code == code.strip().upper())
        office = ctx.office(ticket.office)
        checklist = (ticket.answers or {}).get("_checklist")
    elif status["kind"] == "booking":
        office = ctx.office(status["office"])
        checklist = status.get("checklist")
    elif status["kind"] == "application" and status.get("channel") == "online":
        from .. import online
        app = online.by_code(code)
        office = ctx.office(app.office)
        status = {**status, "online": online.public_online(ctx, app, _lang())}
    from ..notify.triggers import consent_of
    return _render("citizen_follow.html", info=status, office=office, checklist=checklist, code=code.upper(),
                   poll=POLL_SECONDS, config={"code": code.upper(), "poll": POLL_SECONDS, "status": status},
                   consent=consent_of(code))


@bp.post("/s/<code>/berhenti")
@booking_by_address
def stop_notifications(code: str):
    """Withdraw consent to messages about this code (issue 14 item 4; CSRF-checked):
    every pending message is cancelled."""
    _check_csrf()
    from ..notify.triggers import withdraw
    ctx = _ctx()
    done = withdraw(ctx, code, now=ctx.now(), actor=f"publik:{(request.remote_addr or '')[:40]}", role="publik")
    if done is None:
        return message_page(t("unknown_code_title", _lang()), t("unknown_code_text", _lang(), code=code[:16]), 404)
    return message_page(t("notify_stop", _lang()), t("notify_stopped", _lang()), 200,
                        back=url_for("citizen.follow", code=code))


@bp.post("/s/<code>/batal")
@booking_by_address
def cancel(code: str):
    """Cancel a booking from its page (the code is the key; CSRF-checked)."""
    _check_csrf()
    try:
        bk.cancel_booking(_ctx(), code, actor=bk.public_actor(request.remote_addr or ""))
    except DomainError as e:
        return message_page(t("cancel_failed", _lang()), _message_of(e), getattr(e, "http_status", 400),
                            back=url_for("citizen.follow", code=code))
    return redirect(url_for("citizen.follow", code=code) + ("?lang=en" if _lang() == "en" else ""), code=303)


@bp.get("/s/<code>/qr.svg")
@public_read
def qr(code: str):
    """The QR of the code's status URL (SVG), for the booking page and its PDF."""
    import segno
    try:
        apps.public_status(_ctx(), code, "id")
    except DomainError:
        return Response(status=404)
    office = _office_of(code)
    buffer = io.BytesIO()
    segno.make(tickets.status_url(office, code.strip().upper()), error="m").save(buffer, kind="svg", scale=6, border=2)
    return Response(buffer.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


def _office_of(code: str):
    from ..db.models import Application, Booking, Ticket
    text = code.strip().upper()
    row = (Booking.get_or_none(Booking.code == text) or Ticket.get_or_none(Ticket.public_code == text)
           or Application.get_or_none(Application.code == text))
    return _ctx().office(row.office)


@bp.get("/s/<code>/bukti.pdf")
@public_read
def booking_pdf(code: str):
    """The booking's proof as a PDF (A5: code, QR, day and slot, check-in window, checklist)."""
    try:
        booking = bk.get_booking(code)
    except DomainError:
        return message_page(t("unknown_code_title", _lang()), t("unknown_code_text", _lang(), code=code[:16]), 404)
    from .booking_pdf import booking_pdf as render
    data = bk.booking_public(_ctx(), booking, _lang())
    pdf = render(data, _ctx().office(booking.office), _lang())
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="booking-{booking.code}.pdf"', "Cache-Control": "no-store"})


# --------------------------------------------------------------------------- office page

@bp.get("/")
@bp.get("/kantor")
@bp.get("/kantor/<office_code>")
@public_read
def office_page(office_code: str | None = None):
    """The office's public page: today's services with the waiting and the estimate,
    opening hours, the booking entry and the complaint channels."""
    ctx = _ctx()
    try:
        office = ctx.office(office_code)
    except DomainError:
        return message_page(t("unknown_office", _lang()), t("unknown_office", _lang()), 404)
    overview = tickets.queue_overview(ctx, office)
    waiting = {row["service"]: row for row in overview.get("services", [])}
    lang = _lang()
    rows = []
    for sv in office.services:
        w = waiting.get(sv.code, {})
        status = tickets.service_status(ctx, office, sv)
        rows.append({"code": sv.code, "name": sv.name.get(lang), "waiting": w.get("waiting", 0),
                     "minutes": round((w.get("estimated_wait_seconds") or 0) / 60), "open": status["open"],
                     "reason": status["reason"], "bookable": sv.booking is not None})
    local = ctx.local(office)
    from ..domain import opening
    return _render("citizen_office.html", office=office, rows=rows,
                   hours=apps.opening_hours_text(office, lang), open_now=opening.is_open(office, local),
                   closed_reason=opening.closed_reason(office, local.date()), now=local.strftime("%H:%M"))


# --------------------------------------------------------------------------- booking

@bp.get("/booking")
@bp.get("/booking/<office_code>")
@public_read
def booking_services(office_code: str | None = None):
    """Step 1 of a booking: the services that take bookings."""
    try:
        office = _ctx().office(office_code)
    except DomainError:
        return message_page(t("unknown_office", _lang()), t("unknown_office", _lang()), 404)
    services = [sv for sv in office.services if sv.booking is not None]
    return _render("citizen_book_services.html", office=office, services=services)


def _answers_from(service, source) -> dict:
    """The answers carried by the form so far (``a_<key>`` fields)."""
    out = {}
    for q in service.questions:
        value = source.get(f"a_{q.key}")
        if value is None or value == "":
            continue
        out[q.key] = (value in ("1", "true", "ya", "yes")) if q.kind == "bool" else value
    return out


def questions(ctx, template: str, office, service, source) -> tuple[dict, object | None, object | None]:
    """The kiosk's questions one a page (its order and ``when`` conditions), shared by the
    booking and the online application wizards: the answers so far travel in the form
    (``a_<key>``). Returns ``(base, page, checklist)``: ``base`` the template context
    (office, service, answers, the hidden fields), ``page`` the next question, a refused
    answer (422) or the "not eligible" page rendered with ``template`` — None once every
    question is answered, when ``checklist`` is the case's (partial) checklist."""
    lang = _lang()
    answers = _answers_from(service, source)
    base = {"office": office, "service": service, "answers": answers,
            "hidden": {f"a_{k}": ("ya" if v is True else "tidak" if v is False else v) for k, v in answers.items()}}
    try:
        checklist = build_checklist(service, answers, ctx.today(office), lang=lang, partial=True)
    except DomainError as e:
        bad = (e.details or {}).get("question") or (e.details or {}).get("field") or ""
        answers.pop(bad, None)
        base["hidden"].pop(f"a_{bad}", None)
        question = next((q for q in service.questions if q.key == bad), None) or service.questions[0]
        return base, _render(template, 422, step="question", question=question, error=_message_of(e), **base), None
    if not checklist.eligible:
        reasons = [i.message_en if lang == "en" and i.message_en else i.message for i in checklist.ineligible]
        return base, _render(template, step="ineligible", reasons=reasons, **base), None
    skipped = set(checklist.skipped_questions)
    pending = [q for q in service.questions if q.key not in answers and q.key not in skipped]
    if pending:
        return base, _render(template, step="question", question=pending[0], error=None, **base), None
    return base, None, checklist


@bp.route("/booking/<office_code>/<service_code>", methods=["GET", "POST"])
@public_read
@booking_by_address
@booking_by_nik
def booking_form(office_code: str, service_code: str):
    """The booking wizard, one step a page: each question the service asks (those its
    ``when`` skips are not asked), the day, then the slot with the NIK and an optional
    phone or email. The answers travel in the form (``a_<key>``); POST books."""
    ctx = _ctx()
    lang = _lang()
    try:
        office = ctx.office(office_code)
        service, policy = bk.bookable_service(office, service_code)
    except DomainError as e:
        return message_page(t("booking_title", lang), _message_of(e), 404)
    source = request.form if request.method == "POST" else request.args
    base, page, checklist = questions(ctx, "citizen_book_step.html", office, service, source)
    if page is not None:
        return page
    answers = base["answers"]
    days = rules.bookable_days(office, policy, ctx.today(office))
    chosen = source.get("date")
    if not chosen or chosen not in {d.isoformat() for d in days}:
        return _render("citizen_book_step.html", step="date", days=days, checklist=checklist.as_dict(), **base)
    slot_info = bk.slots(ctx, office, service.code, chosen)
    form = {"slot": source.get("slot", ""), "nik": source.get("nik", ""), "phone": source.get("phone", ""),
            "email": source.get("email", ""), "notify": source.get("notify") == "ya"}
    if request.method == "GET":
        return _render("citizen_book_step.html", step="slot", day=date.fromisoformat(chosen), slots=slot_info,
                       form=form, error=None, **base)
    _check_csrf()
    try:
        booking, _ = bk.create_booking(ctx, office_code=office.code, service_code=service.code, day=chosen,
                                       slot=form["slot"], nik=form["nik"], answers=answers, phone=form["phone"],
                                       email=form["email"], remote_addr=request.remote_addr or "",
                                       notify=form["notify"], lang=lang)
    except DomainError as e:
        slot_info = bk.slots(ctx, office, service.code, chosen)
        field = (e.details or {}).get("field")
        return _render("citizen_book_step.html", getattr(e, "http_status", 400) or 400, step="slot",
                       day=date.fromisoformat(chosen), slots=slot_info, form=form, error=_message_of(e),
                       error_field=field, **base)
    from ..api.common import notify
    notify()
    return redirect(url_for("citizen.follow", code=booking.code) + ("?lang=en" if lang == "en" else ""), code=303)


@bp.get("/s")
def follow_lookup():
    """The office page's code box: ``/s?code=ABCD2345`` → ``/s/ABCD2345``."""
    code = "".join(ch for ch in (request.args.get("code") or "").upper() if ch.isalnum())[:16]
    if not code:
        return redirect(url_for("citizen.office_page"), code=303)
    return redirect(url_for("citizen.follow", code=code) + ("?lang=en" if _lang() == "en" else ""), code=303)


@bp.app_template_filter("format_day")
def _format_day(value, lang: str = "id") -> str:
    from printing.text import format_day
    return format_day(value, "en" if lang == "en" else "id")
