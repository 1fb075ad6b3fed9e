"""When Loket messages a citizen (issue 14 item 3): one function per cause, each called
inside the write transaction of the change, writing outbox rows only for a record whose
citizen consented (``notify``) and left a phone or email.

Causes and their keys (one message per key, recipient and channel):

* ``booking_confirmed:<code>`` — a booking was made; ``booking_reminder:<code>`` — the
  day before, from ``reminder_hour`` (the sweeper);
* ``ticket_near:<id>`` — after a call, once ``near_ahead`` or fewer people are ahead;
  ``ticket_called:<id>`` — the first call (with the counter's number);
* ``berkas_returned:<code>:<n>`` — the n-th return of a berkas (what is missing);
  ``card_ready:<code>`` — ready for pickup (where and when);
  ``card_uncollected:<code>:<k>`` — the k-th reminder, every ``uncollected_after_days``;
  ``ikm_survey:<code>`` — after the hand-over, when the office has a survey link.

The texts never carry the NIK; a name only with ``use_names`` (outbox.enqueue drops it).
"""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ..context import Context, EveryMinute
from ..db.database import write_tx
from ..db.models import Application, Booking, KartuKendali, Message, Ticket
from ..domain import workflow
from ..domain.office import Counter, Office
from . import outbox

log = logging.getLogger(__name__)


def _office_name(office: Office) -> str:
    return office.short_name or office.name


def _recipients(*values: str) -> list[str]:
    return [v for v in values if v]


def _mobile(phone: str) -> str:
    """A berkas's phone as typed at the counter ("0812-…") → E.164, "" when it is no
    mobile number (a landline cannot take WhatsApp or SMS)."""
    from ..bookings import normalise_phone
    from ..errors import Unprocessable
    try:
        return normalise_phone(phone)
    except Unprocessable:
        return ""


def _lang(answers: dict | None) -> str:
    return "en" if (answers or {}).get("_lang") == "en" else "id"


def _service_name(office: Office, code: str, lang: str) -> str:
    try:
        return office.service(code).name.get(lang)
    except KeyError:
        return code


# -- bookings --------------------------------------------------------------------
def _booking_params(ctx: Context, office: Office, b: Booking, lang: str) -> dict:
    from printing.text import format_day

    from ..bookings import booking_public
    pub = booking_public(ctx, b, lang)
    return {"office": _office_name(office), "service": pub["service_name"],
            "date": format_day(date.fromisoformat(b.office_day), lang),
            "slot": b.slot, "zone": office.zone_abbreviation, "code": b.code, "url": pub["status_url"],
            "check_in": f"{pub['check_in_from'][11:16]}–{pub['check_in_until'][11:16]}"}


def booking_confirmed(ctx: Context, office: Office, b: Booking, now: float) -> int:
    """The confirmation of a new booking (its code, day, slot, check-in window, link)."""
    if not b.notify:
        return 0
    lang = _lang(b.answers)
    return outbox.enqueue(office, "booking_confirmed", f"booking_confirmed:{b.code}", _recipients(b.phone, b.email),
                          f"booking:{b.code}", _booking_params(ctx, office, b, lang), lang=lang, now=now)


def booking_reminders(ctx: Context, office: Office, now: float) -> int:
    """The day-before reminders, from ``reminder_hour`` local time, for tomorrow's
    bookings still booked (one per booking: the unique cause)."""
    policy = office.notifications
    local = datetime.fromtimestamp(now, ZoneInfo(office.timezone))
    if local.hour < policy.reminder_hour:
        return 0
    tomorrow = (local.date() + timedelta(days=1)).isoformat()
    due = list(Booking.select().where((Booking.office == office.code) & (Booking.office_day == tomorrow) &
                                      (Booking.status == "booked") & (Booking.notify == True)))
    if not due:
        return 0
    done = {m.cause for m in Message.select(Message.cause).where(
        Message.cause.in_([f"booking_reminder:{b.code}" for b in due]))}
    n = 0
    for b in due:
        cause = f"booking_reminder:{b.code}"
        if cause in done or now - b.created_at < 6 * 3600:  # just booked: the confirmation says it all
            continue
        lang = _lang(b.answers)
        with write_tx():
            n += outbox.enqueue(office, "booking_reminder", cause, _recipients(b.phone, b.email), f"booking:{b.code}",
                                _booking_params(ctx, office, b, lang), lang=lang, now=now)
    return n


# -- tickets ---------------------------------------------------------------------
def ticket_called(office: Office, counter: Counter, t: Ticket, now: float) -> int:
    """After a call (inside its transaction): "called to counter N" for the called
    ticket, and "your turn is near" for every consenting ticket of the same queue that
    now has ``near_ahead`` or fewer people ahead."""
    from ..tickets import WAITING, people_ahead, status_url
    n = 0
    if t.notify and t.contact:
        lang = _lang(t.answers)
        n += outbox.enqueue(office, "ticket_called", f"ticket_called:{t.id}", [t.contact], f"ticket:{t.id}",
                            {"office": _office_name(office), "service": _service_name(office, t.service, lang),
                             "number": t.number, "counter": counter.number,
                             "url": status_url(office, t.public_code)}, lang=lang, now=now)
    limit = office.notifications.near_ahead
    waiting = list(Ticket.select().where((Ticket.office == office.code) & (Ticket.office_day == t.office_day) &
                                         (Ticket.status == WAITING) & (Ticket.notify == True) &
                                         (Ticket.service == t.service) & (Ticket.step == t.step)))
    for w in waiting:
        ahead = people_ahead(w)
        if ahead > limit:
            continue
        lang = _lang(w.answers)
        n += outbox.enqueue(office, "ticket_near", f"ticket_near:{w.id}", [w.contact], f"ticket:{w.id}",
                            {"office": _office_name(office), "service": _service_name(office, w.service, lang),
                             "number": w.number, "ahead": ahead, "url": status_url(office, w.public_code)},
                            lang=lang, now=now)
    return n


# -- berkas ----------------------------------------------------------------------
def _app_params(ctx_office: Office, app: Application, lang: str) -> dict:
    from ..tickets import status_url
    return {"office": _office_name(ctx_office), "service": _service_name(ctx_office, app.service, lang),
            "code": app.code, "url": status_url(ctx_office, app.code), "name": app.applicant_name}


def _pickup(ctx: Context, app: Application, lang: str) -> tuple[str, str]:
    from ..applications import opening_hours_text
    place = ctx.office(app.pickup_office or app.office)
    hours = "; ".join(opening_hours_text(place, lang)[:2])
    return place.name, hours


def application_changed(ctx: Context, office: Office, app: Application, now: float) -> int:
    """After a berkas moved (inside its transaction): returned → what is missing; ready
    for pickup → where and when; handed over → the IKM survey link (when set)."""
    if not app.notify or not office.notifications.enabled:
        return 0
    lang = _lang(app.answers)
    recipients = _recipients(_mobile(app.phone), app.email)
    params = _app_params(office, app, lang)
    ref = f"application:{app.code}"
    if app.state == workflow.RETURNED:
        returns = (KartuKendali.select().where((KartuKendali.application == app.id) &
                                               (KartuKendali.outcome == "returned")).count())
        missing = ", ".join(m.get("label", m.get("code", "")) for m in (app.missing or [])) or \
            (app.outcome_note or "lihat catatan petugas")
        return outbox.enqueue(office, "berkas_returned", f"berkas_returned:{app.code}:{max(1, returns)}", recipients,
                              ref, {**params, "missing": missing}, lang=lang, now=now)
    if app.state == workflow.READY:
        place, hours = _pickup(ctx, app, lang)
        return outbox.enqueue(office, "card_ready", f"card_ready:{app.code}", recipients, ref,
                              {**params, "place": place, "hours": hours}, lang=lang, now=now)
    if app.state == workflow.HANDED_OVER and office.notifications.survey_url:
        return outbox.enqueue(office, "ikm_survey", f"ikm_survey:{app.code}", recipients, ref,
                              {"office": params["office"], "service": params["service"],
                               "survey_url": office.notifications.survey_url}, lang=lang, now=now)
    return 0


def online_changed(ctx: Context, office: Office, app: Application, kind: str, now: float, **extra) -> int:
    """An online application (issue 13) was received, accepted or returned with notes
    (``kind``: ``online_received``/``online_accepted``/``online_returned``; inside its
    transaction). A returned application may be returned again after a re-upload: each
    return is its own cause."""
    if not app.notify or not office.notifications.enabled:
        return 0
    lang = _lang(app.answers)
    recipients = _recipients(_mobile(app.phone), app.email)
    cause = f"{kind}:{app.code}"
    if kind == "online_returned":
        cause += f":{KartuKendali.select().where((KartuKendali.application == app.id) & (KartuKendali.outcome == 'returned')).count()}"
    return outbox.enqueue(office, kind, cause, recipients, f"application:{app.code}",
                          {**_app_params(office, app, lang), **extra}, lang=lang, now=now)


def uncollected_reminders(ctx: Context, office: Office, now: float) -> int:
    """Cards ready for ``uncollected_after_days`` or more and not collected: the k-th
    reminder after k such periods, at most ``uncollected_reminders`` (SOP 004: "Pemohon
    dihubungi")."""
    policy = office.notifications
    if policy.uncollected_reminders <= 0:
        return 0
    period = policy.uncollected_after_days * 86400
    rows = list(Application.select().where(
        ((Application.pickup_office == office.code) | ((Application.office == office.code) &
                                                       Application.pickup_office.is_null())) &
        (Application.state == workflow.READY) & (Application.notify == True) &
        (Application.step_arrived_at <= now - period)))
    n = 0
    for app in rows:
        k = min(policy.uncollected_reminders, int((now - app.step_arrived_at) // period))
        home = ctx.office(app.office)
        lang = _lang(app.answers)
        place, hours = _pickup(ctx, app, lang)
        with write_tx():
            n += outbox.enqueue(home, "card_uncollected", f"card_uncollected:{app.code}:{k}",
                                _recipients(_mobile(app.phone), app.email), f"application:{app.code}",
                                {**_app_params(home, app, lang), "place": place, "hours": hours,
                                 "days": int((now - app.step_arrived_at) // 86400)}, lang=lang, now=now)
    return n


# -- consent ---------------------------------------------------------------------
def withdraw(ctx: Context, code: str, *, now: float, actor: str, role: str = "") -> dict | None:
    """The citizen (by the code they hold) or an officer stops every message about a
    ticket, berkas or booking: consent off, open messages cancelled (issue 14 item 4).
    Returns ``{"kind", "code", "cancelled"}`` or None for an unknown code."""
    code = (code or "").strip().upper()
    with write_tx():
        for model, field, kind, ref in ((Ticket, Ticket.public_code, "ticket", lambda r: f"ticket:{r.id}"),
                                        (Application, Application.code, "application", lambda r: f"application:{r.code}"),
                                        (Booking, Booking.code, "booking", lambda r: f"booking:{r.code}")):
            row = model.get_or_none(field == code)
            if row is None:
                continue
            model.update(notify=False, version=model.version + 1).where(model.id == row.id).execute()
            cancelled = outbox.cancel_for(ref(row), now=now, actor=actor, role=role, office=row.office)
            from ..db.models import AuditLog
            AuditLog.create(at=now, actor=actor, role=role, office=row.office, action="consent.withdrawn",
                            target=ref(row), details={"cancelled": cancelled})
            return {"kind": kind, "code": code, "cancelled": cancelled}
    return None


def consent_of(code: str) -> bool:
    """Whether messages are on for the ticket, berkas or booking with ``code``."""
    code = (code or "").strip().upper()
    for model, field in ((Ticket, Ticket.public_code), (Application, Application.code), (Booking, Booking.code)):
        row = model.select(model.notify).where(field == code).first()
        if row is not None:
            return bool(row.notify)
    return False


class NotifySweeper(EveryMinute):
    """Runs the time-driven causes (booking reminders, uncollected cards) for every office
    with notifications at most once a minute per process, from a request (so the links
    carry the address citizens reach the server by when ``public_url`` is unset)."""

    @staticmethod
    def sweep(ctx: Context) -> int:
        """One sweep now; returns how many messages were written."""
        now = ctx.now()
        n = 0
        for office in ctx.offices.values():
            if office.notifications.enabled:
                n += booking_reminders(ctx, office, now) + uncollected_reminders(ctx, office, now)
        return n
