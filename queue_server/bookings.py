"""Bookings (antrean online, issue 12 items 4-5): slots with their remaining places,
booking, cancelling and the kiosk's check-in into the booked lane.

The rules are :mod:`queue_server.domain.booking`'s; this module stores them. Every write
runs in one write transaction (:func:`queue_server.db.database.write_tx`: one writer at a
time across the server's threads and processes), so the count of a slot's bookings and
the insert that follows it cannot interleave with another booking: a slot never holds
more than its capacity. The unique index on (office, service, day, ``active_nik``) is the
second guard for "one booking per NIK, service and day".

A booking is personal data (NIK, phone, email): its public form (:func:`booking_public`)
names only the service, day, slot, status and the checklist; the NIK shows masked.
"""
from __future__ import annotations

import logging
import re
import secrets
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from client.phone import mobile_e164
from peewee import IntegrityError

from client.protocol import CODE_ALPHABET

from .applications import mask_nik
from .auth import require
from .context import Actor, Context, EveryMinute, iso_local
from .db.database import write_tx
from .db import sql
from .db.models import Application, Booking, Ticket
from .domain import booking as rules
from .domain.booking import EARLY, LATE
from .domain.nik import parse_nik
from .domain.office import BookingPolicy, Office, Service
from .domain.requirements import build_checklist
from .errors import Conflict, NotFound, Unprocessable
from .events import record
from .tickets import ISSUE_ROLES, audit, issue_ticket, status_url

log = logging.getLogger(__name__)

BOOKED = "booked"
CHECKED_IN = "checked_in"
CANCELLED = "cancelled"
NO_SHOW = "no_show"
#: statuses that hold a place
ACTIVE = (BOOKED, CHECKED_IN)

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def public_actor(remote_addr: str) -> Actor:
    """The audit log's actor for a citizen's own request (no account): ``publik``."""
    return Actor("publik", "public", "public", remote_addr=remote_addr or "")


def new_booking_code() -> str:
    """A booking code: 8 characters of the status alphabet (31^8 ≈ 8.5e11), unguessable
    enough to be the key a citizen holds (it cancels and checks in)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def bookable_service(office: Office, code: str) -> tuple[Service, BookingPolicy]:
    """The service ``code`` and its booking policy. Raises ``NotFound``
    (``unknown_service``) or ``Unprocessable`` (``booking_not_offered``: walk-in only)."""
    try:
        service = office.service(code)
    except KeyError:
        raise NotFound("unknown_service", f"Layanan '{code}' tidak dikenal.", f"Unknown service '{code}'.",
                       {"field": "service"}) from None
    if service.booking is None:
        raise Unprocessable("booking_not_offered",
                            f"{service.name.id} tidak melayani antrean online; silakan datang langsung.",
                            f"{service.name.en or service.name.id} takes no bookings; please come in person.",
                            {"field": "service"})
    return service, service.booking


def _day(ctx: Context, office: Office, policy: BookingPolicy, value: Any) -> date:
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        raise Unprocessable("invalid_date", "Tanggal: harus berformat YYYY-MM-DD.", "Date: must be YYYY-MM-DD.",
                            {"field": "date"}) from None
    days = rules.bookable_days(office, policy, ctx.today(office))
    if day not in days:
        first, last = (days[0].isoformat(), days[-1].isoformat()) if days else (None, None)
        raise Unprocessable("date_not_bookable",
                            "Tanggal itu tidak bisa dipesan: pilih hari kerja mulai besok sampai "
                            f"{policy.days_ahead} hari ke depan.",
                            f"That date cannot be booked: choose a working day from tomorrow up to "
                            f"{policy.days_ahead} days ahead.", {"field": "date", "first": first, "last": last})
    return day


def _slot_epoch(office: Office, day: date, slot: str) -> float:
    hh, mm = (int(x) for x in slot.split(":"))
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=ZoneInfo(office.timezone)).timestamp()


def _taken(office: Office, service: Service, day: str) -> dict[str, int]:
    """Bookings holding a place, by slot "HH:MM"."""
    rows = sql.run('SELECT "slot", COUNT(*) FROM "booking" WHERE "office" = ? AND "service" = ? '
                          'AND "office_day" = ? AND "status" IN (?, ?) GROUP BY "slot"',
                          (office.code, service.code, day, *ACTIVE)).fetchall()
    return {slot: n for slot, n in rows}


def slots(ctx: Context, office: Office, service_code: str, day_value: Any) -> dict:
    """``{"service", "date", "days", "day_remaining", "slots": [{"slot": "08:00",
    "capacity", "remaining", "check_in_from", "check_in_until"}]}`` for a bookable day
    (``day_value`` None: the first); ``days`` lists every bookable date (ISO). Raises as :func:`bookable_service` and
    ``Unprocessable`` (``invalid_date``, ``date_not_bookable``)."""
    service, policy = bookable_service(office, service_code)
    if day_value is None:
        days = rules.bookable_days(office, policy, ctx.today(office))
        if not days:
            raise Unprocessable("date_not_bookable", "Belum ada hari yang bisa dipesan.", "No bookable day.",
                                {"field": "date"})
        day_value = days[0]
    day = _day(ctx, office, policy, day_value)
    taken = _taken(office, service, day.isoformat())
    cap = rules.day_cap(service, policy)
    day_left = None if cap is None else max(0, cap - sum(taken.values()))
    out = []
    for start in rules.slot_starts(office, policy, day):
        key = start.strftime("%H:%M")
        window = rules.check_in_window(policy, day, start, ZoneInfo(office.timezone))
        left = max(0, policy.capacity - taken.get(key, 0))
        if day_left is not None:
            left = min(left, day_left)
        out.append({"slot": key, "capacity": policy.capacity, "remaining": left,
                    "check_in_from": window.opens.strftime("%H:%M"), "check_in_until": window.closes.strftime("%H:%M")})
    return {"service": service.code, "date": day.isoformat(),
            "days": [d.isoformat() for d in rules.bookable_days(office, policy, ctx.today(office))],
            "day_remaining": day_left, "slots": out}


def normalise_phone(value: str | None) -> str:
    """An Indonesian mobile number in E.164 (``+6281234567890``) from "0812-3456-7890",
    "62812…" or "+62 812…"; "" for none. Raises ``Unprocessable`` (``invalid_phone``,
    field ``phone``) for anything else (phonenumbers' validity check for region ID)."""
    number = mobile_e164(value)
    if number is None:
        raise Unprocessable("invalid_phone", "No. HP: bukan nomor HP Indonesia (mis. 081234567890).",
                            "Phone: not an Indonesian mobile number (e.g. 081234567890).", {"field": "phone"})
    return number


def normalise_contact(value: str | None, field: str = "contact") -> str:
    """A phone (→ E.164, :func:`normalise_phone`) or an email address (checked), as the
    citizen typed it at the kiosk or counter; "" for none. Raises ``Unprocessable``
    (``invalid_phone``/``invalid_email``) naming ``field``."""
    text = (value or "").strip()
    try:
        return _email(text) if "@" in text else normalise_phone(text)
    except Unprocessable as e:
        e.details["field"] = field
        raise


def _email(value: str | None) -> str:
    text = (value or "").strip()
    if text and (len(text) > 200 or not EMAIL_RE.match(text)):
        raise Unprocessable("invalid_email", "Email: alamat tidak sah (mis. nama@contoh.id).",
                            "Email: not a valid address (e.g. name@example.id).", {"field": "email"})
    return text


def _answers(service: Service, answers: dict | None, on: date) -> tuple[dict, dict]:
    """The answers to the service's own questions (others dropped) as stored, and the
    checklist for them on the visit day. Raises ``Unprocessable`` as the kiosk's
    issuance does (a bad answer names its question; ``not_eligible``)."""
    if answers is not None and not isinstance(answers, dict):
        raise Unprocessable("invalid_answers", "Jawaban tidak sah.", "Invalid answers.", {"field": "answers"})
    asked = {q.key for q in service.questions}
    kept = {k: v for k, v in (answers or {}).items() if k in asked}
    checklist = build_checklist(service, kept, on)
    if not checklist.eligible:
        raise Unprocessable("not_eligible", "Pemohon belum memenuhi syarat layanan ini.",
                            "The applicant is not eligible for this service.",
                            {"reasons": [i.as_dict() for i in checklist.ineligible], "field": "answers"})
    stored = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in kept.items()}
    return stored, checklist.as_dict()


def create_booking(ctx: Context, *, office_code: str | None, service_code: str, day: Any, slot: str, nik: str,
                   answers: dict | None = None, phone: str | None = None, email: str | None = None,
                   remote_addr: str = "", notify: bool = False, lang: str = "id") -> tuple[Booking, dict]:
    """Book ``slot`` ("HH:MM") of ``day`` for ``service_code``; returns ``(booking,
    checklist)``. Nothing is written unless every check passes.

    Raises ``NotFound``/``Unprocessable`` for bad input (field named: ``service``,
    ``date``, ``slot``, ``nik`` — the domain's NIK rules, ``phone``, ``email``,
    ``answers``), ``Conflict`` ``sudah_terdaftar`` (this NIK already holds a booking of
    the service that day: anti-broker) or ``kuota_habis`` (the slot or the day is full).

    ``notify``: the citizen agreed to a confirmation and a reminder the day before at
    the phone/email given (issue 14; refused as ``contact_required`` without either);
    ``lang`` the language of those messages.
    """
    office = ctx.office(office_code)
    service, policy = bookable_service(office, service_code)
    visit_day = _day(ctx, office, policy, day)
    starts = {s.strftime("%H:%M") for s in rules.slot_starts(office, policy, visit_day)}
    if not isinstance(slot, str) or slot not in starts:
        raise Unprocessable("invalid_slot", "Sesi: pilih salah satu jam sesi yang tersedia.",
                            "Slot: choose one of the offered times.", {"field": "slot"})
    info = parse_nik((nik or "").strip(), today=ctx.today(office))
    if not info.valid:
        first = info.errors[0]
        raise Unprocessable("invalid_nik", f"NIK: {first.message}", f"NIK: {first.message_en or first.message}",
                            {"field": "nik", "errors": [i.as_dict() for i in info.errors]})
    phone_e164 = normalise_phone(phone)
    mail = _email(email)
    if notify and not (phone_e164 or mail):
        raise Unprocessable("contact_required", "Isi nomor HP atau email untuk menerima pengingat.",
                            "Give a phone number or an email to receive reminders.", {"field": "phone"})
    stored, checklist = _answers(service, answers, visit_day)
    if lang == "en":
        stored["_lang"] = "en"
    now = ctx.now()
    day_text = visit_day.isoformat()
    actor = public_actor(remote_addr)
    with write_tx():
        if Booking.select().where((Booking.office == office.code) & (Booking.service == service.code) &
                                  (Booking.office_day == day_text) & (Booking.active_nik == info.nik)).exists():
            raise Conflict("sudah_terdaftar",
                           f"NIK ini sudah memesan {service.name.id} pada tanggal itu. Satu NIK satu pemesanan "
                           "per layanan per hari; batalkan yang lama bila ingin mengganti jam.",
                           f"This NIK already holds a {service.name.en or service.name.id} booking that day. One "
                           "booking per NIK, service and day; cancel it to change the time.", {"field": "nik"})
        taken = _taken(office, service, day_text)
        cap = rules.day_cap(service, policy)
        if taken.get(slot, 0) >= policy.capacity or (cap is not None and sum(taken.values()) >= cap):
            raise Conflict("kuota_habis", f"Kuota sesi {slot} sudah penuh. Silakan pilih jam atau tanggal lain.",
                           f"The {slot} slot is full. Please choose another time or day.",
                           {"field": "slot", "slot": slot, "date": day_text})
        code = new_booking_code()
        while _code_taken(code):
            code = new_booking_code()
        try:
            booking = Booking.create(office=office.code, service=service.code, office_day=day_text, slot=slot,
                                     slot_at=_slot_epoch(office, visit_day, slot), code=code, status=BOOKED,
                                     nik=info.nik, active_nik=info.nik, phone=phone_e164, email=mail,
                                     answers={**stored, "_checklist": checklist}, created_at=now,
                                     remote_addr=(remote_addr or "")[:64], notify=bool(notify), version=0)
        except IntegrityError:  # the unique index: the same NIK won a race by a hair
            raise Conflict("sudah_terdaftar", "NIK ini sudah memesan layanan ini pada tanggal itu.",
                           "This NIK already holds a booking of this service that day.", {"field": "nik"}) from None
        record(office.code, "booking.created", {"service": service.code, "date": day_text, "slot": slot}, now)
        audit(actor, "booking.create", office=office.code, target=code,
              details={"service": service.code, "date": day_text, "slot": slot, "nik": mask_nik(info.nik),
                       "phone": bool(phone_e164), "email": bool(mail), "notify": bool(notify)}, at=now)
        if notify and office.notifications.enabled:
            from .notify import triggers
            triggers.booking_confirmed(ctx, office, booking, now)
    return booking, checklist


def _code_taken(code: str) -> bool:
    """A code is one namespace for ``/s/{code}``: bookings, tickets and berkas."""
    return (Booking.select().where(Booking.code == code).exists()
            or Ticket.select().where(Ticket.public_code == code).exists()
            or Application.select().where(Application.code == code).exists())


def get_booking(code: str) -> Booking:
    """The booking with ``code`` (case-insensitive). Raises ``NotFound`` (``unknown_booking``)."""
    text = (code or "").strip().upper()
    b = Booking.get_or_none(Booking.code == text) if text and len(text) <= 16 else None
    if b is None:
        raise NotFound("unknown_booking", "Kode booking tidak ditemukan.", "Booking code not found.",
                       {"field": "code"})
    return b


def cancel_booking(ctx: Context, code: str, *, actor: Actor) -> Booking:
    """Cancel a booking that has not been checked in: its place is free again at once.
    The code is the citizen's key (a staff actor may cancel too). Raises ``NotFound``,
    ``Conflict`` (``booking_not_active``: already checked in, cancelled or missed)."""
    now = ctx.now()
    with write_tx():
        b = get_booking(code)
        if b.status != BOOKED:
            raise Conflict("booking_not_active", "Booking ini tidak bisa dibatalkan lagi (sudah check-in, "
                           "dibatalkan, atau sesinya lewat).",
                           "This booking can no longer be cancelled (checked in, cancelled or missed).",
                           {"status": b.status})
        changed = (Booking.update(status=CANCELLED, active_nik=None, cancelled_at=now, version=Booking.version + 1)
                   .where((Booking.id == b.id) & (Booking.version == b.version)).execute())
        if not changed:
            raise Conflict("booking_changed", "Booking berubah; muat ulang.", "The booking changed; reload.")
        record(b.office, "booking.cancelled", {"service": b.service, "date": b.office_day, "slot": b.slot}, now)
        audit(actor, "booking.cancel", office=b.office, target=b.code, details={"status": [BOOKED, CANCELLED]},
              at=now)
    return Booking.get_by_id(b.id)


def check_in(ctx: Context, actor: Actor, code: str) -> tuple[Ticket, dict, bool]:
    """The kiosk checks a booking in: a ticket in the booked lane (numbered per service
    as every ticket). Returns ``(ticket, checklist, created)``; a second check-in of the
    same booking returns its ticket with ``created=False`` (a retried request).

    Roles: kiosk, operator. Raises ``NotFound`` (``unknown_booking``), ``Conflict``:
    ``booking_not_active`` (cancelled or missed), ``booking_other_day`` (not today's:
    ``date`` in details), ``check_in_terlalu_awal`` (before the window: ``opens_at``),
    ``check_in_terlambat`` (after it: ``walk_in`` True — the kiosk offers a walk-in
    ticket instead).
    """
    require(actor, *ISSUE_ROLES)
    b = get_booking(code)
    office = ctx.office(b.office)
    require(actor, *ISSUE_ROLES, office=office.code)
    service = office.service(b.service)
    policy = service.booking or rules.BookingPolicy()
    if b.status == CHECKED_IN and b.ticket_id:
        t = Ticket.get_by_id(b.ticket_id)
        return t, (t.answers or {}).get("_checklist") or {}, False
    day = date.fromisoformat(b.office_day)
    window = rules.check_in_window(policy, day, datetime.strptime(b.slot, "%H:%M").time(), ZoneInfo(office.timezone))
    local_now = ctx.local(office)
    details = {"date": b.office_day, "slot": b.slot, "opens_at": window.opens.isoformat(),
               "closes_at": window.closes.isoformat()}
    if b.status != BOOKED:
        raise Conflict("booking_not_active", "Booking ini sudah dibatalkan atau sesinya lewat. Silakan ambil nomor "
                       "antrean biasa.", "This booking was cancelled or missed. Please take a regular number.",
                       {**details, "status": b.status, "walk_in": True})
    if b.office_day != ctx.office_day(office):
        raise Conflict("booking_other_day", f"Booking ini untuk tanggal {b.office_day}, bukan hari ini.",
                       f"This booking is for {b.office_day}, not today.",
                       {**details, "walk_in": day < local_now.date()})
    verdict = window.verdict(local_now)
    if verdict == EARLY:
        raise Conflict("check_in_terlalu_awal", f"Terlalu awal: check-in untuk sesi {b.slot} dibuka pukul "
                       f"{window.opens:%H:%M} {office.zone_abbreviation}.",
                       f"Too early: check-in for the {b.slot} slot opens at {window.opens:%H:%M} "
                       f"{office.zone_abbreviation}.", details)
    if verdict == LATE:
        raise Conflict("check_in_terlambat", f"Terlambat: check-in sesi {b.slot} ditutup pukul {window.closes:%H:%M}. "
                       "Anda masih bisa mengambil nomor antrean biasa.",
                       f"Too late: check-in for the {b.slot} slot closed at {window.closes:%H:%M}. You can still "
                       "take a regular number.", {**details, "walk_in": True})
    answers = {k: v for k, v in (b.answers or {}).items() if not k.startswith("_")}
    now = ctx.now()
    with write_tx():
        fresh = Booking.get_by_id(b.id)
        if fresh.status == CHECKED_IN and fresh.ticket_id:  # another kiosk won the race
            t = Ticket.get_by_id(fresh.ticket_id)
            return t, (t.answers or {}).get("_checklist") or {}, False
        if fresh.status != BOOKED:
            raise Conflict("booking_not_active", "Booking ini sudah dibatalkan.", "This booking was cancelled.",
                           {**details, "status": fresh.status, "walk_in": True})
        res = issue_ticket(ctx, actor, office_code=office.code, service_code=service.code, answers=answers,
                           booking=b.code, contact=(b.phone or b.email) if b.notify else "", notify=b.notify,
                           lang=(b.answers or {}).get("_lang", "id"))
        Booking.update(status=CHECKED_IN, checked_in_at=now, ticket=res.ticket.id, version=Booking.version + 1) \
            .where(Booking.id == b.id).execute()
        audit(actor, "booking.check_in", office=office.code, target=b.code,
              details={"ticket": res.ticket.number, "slot": b.slot}, at=now)
    return res.ticket, res.checklist, True


def expire_missed(ctx: Context, office: Office, *, now: float | None = None) -> int:
    """Mark the bookings whose check-in window is over as ``no_show`` (their place went
    back to walk-ins at the window's end: :func:`queue_server.tickets.expected_bookings`
    stops counting them then). Returns how many; one audit row by ``system``."""
    from .tickets import SYSTEM
    now = ctx.now() if now is None else now
    expired = []
    for service in office.services:
        if service.booking is None:
            continue
        cutoff = now - service.booking.check_in_after * 60
        expired += [b.id for b in Booking.select(Booking.id).where(
            (Booking.office == office.code) & (Booking.service == service.code) & (Booking.status == BOOKED) &
            (Booking.slot_at < cutoff))]
    if not expired:
        return 0
    with write_tx():
        n = (Booking.update(status=NO_SHOW, active_nik=None, version=Booking.version + 1)
             .where(Booking.id.in_(expired) & (Booking.status == BOOKED)).execute())
        if n:
            audit(SYSTEM, "booking.no_show", office=office.code, details={"bookings": n}, at=now)
    return n


class BookingSweeper(EveryMinute):
    """Runs :func:`expire_missed` for every office at most once a minute per process
    (the app calls :meth:`tick` before requests, like the day rollover)."""

    def sweep(self, ctx: Context) -> None:
        for office in ctx.offices.values():
            if any(s.booking for s in office.services):
                expire_missed(ctx, office)


def booking_public(ctx: Context, b: Booking, lang: str = "id") -> dict:
    """A booking as its holder sees it (the code is the key): service, day, slot,
    check-in window, status, the checklist recorded at booking, ``status_url`` and the
    NIK masked (``6401********0003``); never the phone or email."""
    office = ctx.office(b.office)
    service = office.service(b.service)
    policy = service.booking or rules.BookingPolicy()
    day = date.fromisoformat(b.office_day)
    window = rules.check_in_window(policy, day, datetime.strptime(b.slot, "%H:%M").time(), ZoneInfo(office.timezone))
    ticket = Ticket.get_or_none(Ticket.id == b.ticket_id) if b.ticket_id else None
    return {"kind": "booking", "code": b.code, "office": office.code, "office_name": office.name,
            "service": service.code, "service_name": service.name.get(lang), "date": b.office_day,
            "slot": b.slot, "zone": office.zone_abbreviation, "status": b.status,
            "check_in_from": window.opens.isoformat(), "check_in_until": window.closes.isoformat(),
            "nik": mask_nik(b.nik), "checklist": (b.answers or {}).get("_checklist") or {},
            "ticket": ticket.number if ticket else None, "ticket_code": ticket.public_code if ticket else None,
            "created_at": iso_local(office, b.created_at), "status_url": status_url(office, b.code)}


def booking_text(ctx: Context, b: Booking, lang: str = "id") -> str:
    """One sentence on where a booking stands ("terdaftar untuk Rabu, 2 Desember 2026
    pukul 08:30 WITA; check-in di kios 08:00–08:45")."""
    from printing.text import format_day
    office = ctx.office(b.office)
    en = lang == "en"
    day = format_day(date.fromisoformat(b.office_day), "en" if en else "id")
    pub = booking_public(ctx, b, lang)
    window = f"{pub['check_in_from'][11:16]}–{pub['check_in_until'][11:16]}"
    zone = office.zone_abbreviation
    if b.status == BOOKED:
        return (f"booked for {day} at {b.slot} {zone}; check in at the kiosk {window}" if en else
                f"terdaftar untuk {day} pukul {b.slot} {zone}; check-in di kios {window}")
    if b.status == CHECKED_IN:
        return (f"checked in: number {pub['ticket']}" if en else f"sudah check-in: nomor antrean {pub['ticket']}")
    if b.status == CANCELLED:
        return "cancelled" if en else "dibatalkan"
    return ("not checked in during the window; the place was released" if en else
            "tidak check-in pada waktunya; tempatnya sudah dilepas")
