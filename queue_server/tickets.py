"""Queue numbers and counter actions (issue 2 §3-4).

Numbering: one ``DayCounter`` row per office, ticket prefix and office day is
incremented inside a ``BEGIN IMMEDIATE`` transaction together with the ticket insert,
so numbers are consecutive with no duplicate and no gap under any number of kiosks and
server processes, and restart at the office's local midnight (history is kept).

Every counter action (call next, call a number, recall, skip, transfer, finish) is one
transaction that updates the ticket, appends to ``CallLog``, the event log and the audit
log, so the state after a restart is the state after the last committed action.
"""
from __future__ import annotations

from client.protocol import CODE_ALPHABET, OFFICE_DAY_CLOSED

import copy
import json
import logging
import secrets
import threading
import time
from datetime import date, datetime, time as dtime, timedelta
from zoneinfo import ZoneInfo
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

from peewee import fn

from .auth import require
from .context import Actor, Context, is_open, iso_local
from .db.database import write_tx
from .db import sql
from .db.models import CallLog, DayCounter, Ticket
from .domain import opening, roles
from .domain.office import PRESENCE_COUNTER, PRIORITY_CATEGORIES, Counter, Office, Service
from .domain.requirements import build_checklist
from .domain.routing import WaitingTicket, choose_next
from .domain.workflow import first_step
from .errors import Conflict, NotFound, Unprocessable
from .events import record

WAITING = "waiting"
CALLED = "called"
SKIPPED = "skipped"
NO_SHOW = "no_show"
DONE = "done"
CANCELLED = "cancelled"
#: A ticket still at a counter when its office day ended (issue 16 item 16).
UNFINISHED = "unfinished"
#: Statuses of a ticket that its office day's end closes.
OPEN_STATUSES = (WAITING, CALLED, SKIPPED)
#: The CallLog action written when the day's end closes a ticket.
DAY_END = "day_end"
#: Who closes a past day's tickets in the audit log.
SYSTEM = Actor("system", "system", "system")

COUNTER_ROLES = (roles.OPERATOR, roles.PETUGAS_DISTRIBUSI)
ISSUE_ROLES = (roles.KIOSK, roles.OPERATOR)


def new_public_code(length: int = 8) -> str:
    """A random code for the status QR (31^8 ≈ 8.5e11 values; unguessable enough for a
    status page that shows no personal data)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def audit(actor: Actor, action: str, *, office: str | None, target: str = "", details: dict | None = None, at: float) -> None:
    """Append one audit-log row (inside the caller's transaction)."""
    sql.run(
        'INSERT INTO "audit_log" ("at", "actor", "role", "office", "action", "target", "details", "remote_addr") '
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        (at, actor.name, actor.role, office, action, target,
         json.dumps(details or {}, ensure_ascii=False, separators=(",", ":")), actor.remote_addr))


def format_number(prefix: str, seq: int, digits: int) -> str:
    """``("A", 12, 3)`` → ``"A012"``; more digits once ``seq`` needs them."""
    return f"{prefix}{seq:0{digits}d}"


@dataclass
class IssueResult:
    """A ticket issue: the row, whether it was created now (False for an idempotent
    replay), and the case's checklist (dict, from the domain)."""

    ticket: Ticket
    created: bool
    checklist: dict


def _service(office: Office, code: str) -> Service:
    try:
        return office.service(code)
    except KeyError:
        raise NotFound("unknown_service", f"Layanan '{code}' tidak dikenal.", f"Unknown service '{code}'.",
                       {"service": code, "known": [s.code for s in office.services]}) from None


def _counter(office: Office, code: str) -> Counter:
    try:
        return office.counter(code)
    except KeyError:
        raise NotFound("unknown_counter", f"Loket '{code}' tidak dikenal.", f"Unknown counter '{code}'.",
                       {"counter": code}) from None


def service_status(ctx: Context, office: Office, service: Service) -> dict:
    """Whether ``service`` takes tickets now: ``{"open", "reason", "quota", "issued",
    "remaining", "opens_at", "closed_reason"}``.

    ``reason`` is ``"closed"`` outside opening hours (when enforced) or ``"quota_used_up"``;
    then ``opens_at`` is when to come back (ISO 8601 with the office's offset: the next
    opening, for a used-up quota the next day's), else None; ``closed_reason`` names a
    public holiday or closed date ("" for a day without hours, None when open).
    """
    day = ctx.office_day(office)
    issued = (DayCounter.select(DayCounter.last_seq)
              .where((DayCounter.office == office.code) & (DayCounter.prefix == service.prefix) &
                     (DayCounter.office_day == day)).scalar()) or 0
    expected = expected_bookings(office, service, day, ctx.now()) if service.daily_quota is not None else 0
    remaining = None if service.daily_quota is None else max(0, service.daily_quota - issued - expected)
    reason = opens_at = closed_reason = None
    local = ctx.local(office)
    if ctx.enforce_hours and not is_open(office, local):
        reason = "closed"
        closed_reason = opening.closed_reason(office, local.date())
        opens_at = opening.next_opening(office, local)
    elif remaining == 0:
        reason = "quota_used_up"
        opens_at = opening.next_opening(office, local.replace(hour=23, minute=59))
    return {"open": reason is None, "reason": reason, "quota": service.daily_quota, "issued": issued,
            "remaining": remaining, "opens_at": opens_at.isoformat() if opens_at else None,
            "closed_reason": closed_reason}


def scoped_idempotency_key(actor: Actor, office_day: str, key: str | None) -> str | None:
    """The stored form of a kiosk's idempotency key: scoped to the device (or officer)
    that sent it and to the office day, so another kiosk's key never returns this
    kiosk's ticket and a key expires with the day (SHA-256 hex, 64 characters)."""
    if not key:
        return None
    import hashlib
    return hashlib.sha256(f"{office_day}|{actor.kind}:{actor.name}|{key}".encode("utf-8")).hexdigest()


def issue_ticket(ctx: Context, actor: Actor, *, office_code: str | None, service_code: str,
                 priority: str | None = None, answers: dict[str, Any] | None = None,
                 idempotency_key: str | None = None, booking: str | None = None, contact: str = "",
                 notify: bool = False, lang: str = "id") -> IssueResult:
    """Issue the next number of ``service_code`` for today's office day.

    Raises ``NotFound`` (unknown office/service), ``Unprocessable`` (bad priority or
    answers, applicant not eligible), ``Conflict`` (``kuota_habis``: quota used up;
    ``layanan_tutup``: outside opening hours). The same ``idempotency_key`` from the same
    device on the same office day returns the ticket issued first (``created=False``)
    instead of a second one; with a different request it is ``Conflict``
    (``idempotency_key_reused``).

    ``booking`` (a booking code; :func:`queue_server.bookings.check_in` only, inside the
    caller's write transaction) issues the booked lane's ticket: its place was reserved,
    so neither the opening hours (the check-in window may open before them) nor the
    walk-in quota apply. A walk-in is refused with ``kuota_habis`` once the numbers
    issued plus the bookings still expected today reach the ``daily_quota``.

    ``contact`` (an E.164 phone or an email address, already normalised by the caller)
    and ``notify`` (the citizen's consent) let the outbox tell them when their turn is
    near and when they are called (issue 14); no consent, no message. ``lang`` ("id"
    or "en", the kiosk's language) is the language of those messages.
    """
    require(actor, *ISSUE_ROLES)
    office = ctx.office(office_code or actor.office)
    require(actor, *ISSUE_ROLES, office=office.code)
    service = _service(office, service_code)
    if priority is not None and priority not in PRIORITY_CATEGORIES:
        raise Unprocessable("invalid_priority", "Kategori prioritas tidak dikenal.", "Unknown priority category.",
                            {"allowed": list(PRIORITY_CATEGORIES)})
    # only the answers to the service's own questions are stored (issue 16 item 17: a
    # kiosk, or anyone with its token, cannot park arbitrary data in the ticket)
    asked = {q.key for q in service.questions}
    answers = {k: v for k, v in (answers or {}).items() if k in asked}
    now = ctx.now()
    checklist = build_checklist(service, answers, ctx.today(office))
    if not checklist.eligible:
        raise Unprocessable("not_eligible", "Pemohon belum memenuhi syarat layanan ini.",
                            "The applicant is not eligible for this service.",
                            {"reasons": [i.as_dict() for i in checklist.ineligible]})
    if booking is None and ctx.enforce_hours and not is_open(office, ctx.local(office, now)):
        raise Conflict("layanan_tutup", "Layanan sedang tutup. Silakan datang pada jam pelayanan.",
                       "The service is closed now. Please come during opening hours.")
    step = first_step(service, checklist.facts)
    day = ctx.office_day(office, now)
    stored_answers = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in answers.items()}
    stored_answers["_checklist"] = checklist.as_dict()
    if lang == "en" and notify:
        stored_answers["_lang"] = "en"
    key = scoped_idempotency_key(actor, day, idempotency_key)
    fields = dict(office=office.code, office_day=day, prefix=service.prefix, origin_service=service.code,
                  service=service.code, step=step.code, priority=priority, status=WAITING, answers=stored_answers,
                  public_code=new_public_code(), idempotency_key=key, issued_by=actor.name,
                  issued_at=now, queued_at=now, sort_key=now, skip_count=0, version=0, booking=booking,
                  contact=(contact or "")[:200] if notify else "", notify=bool(notify and contact))
    # The hot path of every kiosk: plain parameterised SQL, one write transaction.
    with write_tx():
        if key:
            row = sql.run('SELECT "id" FROM "ticket" WHERE "office" = ? AND "idempotency_key" = ?',
                                 (office.code, key)).fetchone()
            if row is not None:
                existing = Ticket.get_by_id(row[0])
                same = (existing.origin_service == service.code and existing.priority == priority and
                        {k: v for k, v in (existing.answers or {}).items() if not k.startswith("_")}
                        == {k: v for k, v in stored_answers.items() if not k.startswith("_")})
                if not same:  # the key of another request: never hand out its ticket (issue 16 item 12)
                    raise Conflict("idempotency_key_reused",
                                   "Kunci permintaan ini sudah dipakai untuk permintaan lain.",
                                   "This idempotency key was already used for a different request.",
                                   {"field": "idempotency_key"})
                return IssueResult(existing, False, existing.answers.get("_checklist", {}))
        seq = _next_seq(office.code, service.prefix, day)
        if booking is None and service.daily_quota is not None and \
                seq + expected_bookings(office, service, day, now) > service.daily_quota:
            raise Conflict("kuota_habis", f"Kuota {service.name.id} hari ini sudah habis.",
                           f"Today's quota for {service.name.en or service.name.id} is used up.",
                           {"quota": service.daily_quota})
        while sql.run('SELECT 1 FROM "ticket" WHERE "public_code" = ?', (fields["public_code"],)).fetchone():
            fields["public_code"] = new_public_code()  # a collision (31^8 codes): draw again
        fields["seq"] = seq
        fields["number"] = format_number(service.prefix, seq, office.queue.number_digits)
        cursor = sql.run(_INSERT_TICKET, [
            json.dumps(fields[k], ensure_ascii=False, separators=(",", ":")) if k == "answers" else fields[k]
            for k in _TICKET_COLUMNS])
        ticket = Ticket(id=cursor.fetchone()[0], **fields)
        record(office.code, "ticket.issued", {"number": ticket.number, "service": service.code,
                                             "step": step.code, "priority": priority is not None,
                                             "booked": booking is not None}, now)
        audit(actor, "ticket.issue", office=office.code, target=ticket.number,
              details={"service": service.code, "priority": priority}, at=now)
    return IssueResult(ticket, True, stored_answers["_checklist"])


def reprint_ticket(ctx: Context, actor: Actor, *, office_code: str | None, number: str) -> tuple[Ticket, dict]:
    """An officer reprints today's ticket ``number`` (e.g. "A003") whose kiosk print
    failed (issue 18 item 9): recorded in the audit log first (``ticket.reprint``), then
    the station prints it. Returns ``(ticket, checklist)`` — the checklist the kiosk
    recorded. Roles: operator, petugas_distribusi. Raises ``Unprocessable``
    (``invalid_number``) for a malformed number, ``NotFound`` (``unknown_ticket``) when the
    office issued no such number today.
    """
    require(actor, *COUNTER_ROLES)
    office = ctx.office(office_code or actor.office)
    require(actor, *COUNTER_ROLES, office=office.code)
    wanted = (number or "").strip().upper()
    if not wanted or len(wanted) > 16 or not wanted.isalnum():
        raise Unprocessable("invalid_number", "Nomor antrean tidak valid, mis. A003.",
                            "Invalid queue number, e.g. A003.", {"field": "number"})
    now = ctx.now()
    with write_tx():
        t = Ticket.get_or_none((Ticket.office == office.code) & (Ticket.office_day == ctx.office_day(office))
                               & (Ticket.number == wanted))
        if t is None:
            raise NotFound("unknown_ticket", f"Nomor {wanted} tidak ada pada antrean hari ini.",
                           f"Number {wanted} is not in today's queue.", {"field": "number"})
        audit(actor, "ticket.reprint", office=office.code, target=t.number, details={"status": t.status}, at=now)
    return t, (t.answers or {}).get("_checklist") or {}


_TICKET_COLUMNS = ("office", "office_day", "prefix", "seq", "number", "origin_service", "service", "step", "priority",
                   "status", "answers", "public_code", "idempotency_key", "issued_by", "issued_at", "queued_at",
                   "sort_key", "skip_count", "version", "booking", "contact", "notify")
_INSERT_TICKET = ('INSERT INTO "ticket" (' + ", ".join(f'"{c}"' for c in _TICKET_COLUMNS) + ") VALUES (" +
                  ", ".join("?" for _ in _TICKET_COLUMNS) + ') RETURNING "id"')


def expected_bookings(office: Office, service: Service, day: str, now: float) -> int:
    """Bookings of ``service`` on ``day`` still expected: booked and their check-in
    window not over (a booking that missed it gave its place back). 0 for a service
    without bookings."""
    if service.booking is None:
        return 0
    return sql.run(
        'SELECT COUNT(*) FROM "booking" WHERE "office" = ? AND "service" = ? AND "office_day" = ? '
        'AND "status" = ? AND "slot_at" >= ?',
        (office.code, service.code, day, "booked", now - service.booking.check_in_after * 60)).fetchone()[0]


def _next_seq(office: str, prefix: str, day: str) -> int:
    """Increment and return the day's counter (inside the caller's write transaction)."""
    cursor = sql.run(
        'INSERT INTO "day_counter" ("office", "prefix", "office_day", "last_seq") VALUES (?, ?, ?, 1) '
        'ON CONFLICT ("office", "prefix", "office_day") DO UPDATE SET "last_seq" = "day_counter"."last_seq" + 1 '
        'RETURNING "last_seq"', (office, prefix, day))
    return cursor.fetchone()[0]


#: People ahead are counted exactly up to this many (a display of "500+" is as useful as
#: the exact figure, and the count stays cheap however long the queue grows).
PEOPLE_AHEAD_CAP = 500


def people_ahead(ticket: Ticket) -> int:
    """Waiting tickets of the same service and step that will be called before this one
    (by queue order; priority interleave is not predicted), at most ``PEOPLE_AHEAD_CAP``."""
    if ticket.status != WAITING:
        return 0
    return sql.run(
        'SELECT COUNT(*) FROM (SELECT 1 FROM "ticket" WHERE "office" = ? AND "office_day" = ? AND "status" = ? '
        'AND "service" = ? AND "step" = ? AND ("sort_key" < ? OR ("sort_key" = ? AND "id" < ?)) LIMIT ?) AS "ahead"',
        (ticket.office, ticket.office_day, WAITING, ticket.service, ticket.step, ticket.sort_key, ticket.sort_key,
         ticket.id, PEOPLE_AHEAD_CAP)).fetchone()[0]


_avg_cache: dict[tuple, tuple[float, float]] = {}
_avg_lock = threading.Lock()
AVERAGE_TTL = 15.0  # seconds: estimates need not be fresher than this


def average_service_seconds(ctx: Context, office: Office, service: Service, step_code: str, *, sample: int = 20) -> float:
    """Mean time between a call and the counter's next action for this service and step,
    over today's last ``sample`` visits; the step's mutu baku (or 5 min) before there
    is data. Seconds; cached for ``AVERAGE_TTL`` seconds."""
    key = (office.code, service.code, step_code, ctx.office_day(office))
    with _avg_lock:
        hit = _avg_cache.get(key)
    if hit and hit[0] > time.monotonic():
        return hit[1]
    value = _average_service_seconds(ctx, office, service, step_code, sample)
    with _avg_lock:
        if len(_avg_cache) > 1000:
            _avg_cache.clear()
        _avg_cache[key] = (time.monotonic() + AVERAGE_TTL, value)
    return value


def _average_service_seconds(ctx: Context, office: Office, service: Service, step_code: str, sample: int) -> float:
    step = service.step(step_code) if step_code in {s.code for s in service.steps} else None
    fallback = (step.mutu_baku_seconds if step and step.mutu_baku_seconds else 300.0)
    rows = (Ticket.select(Ticket.called_at, Ticket.finished_at)
            .where((Ticket.office == office.code) & (Ticket.office_day == ctx.office_day(office)) &
                   (Ticket.origin_service == service.code) & (Ticket.finished_at.is_null(False)) &
                   (Ticket.called_at.is_null(False)))
            .order_by(Ticket.finished_at.desc()).limit(sample))
    durations = [r.finished_at - r.called_at for r in rows if r.finished_at > r.called_at]
    if len(durations) < 3:
        return fallback
    return sum(durations) / len(durations)


def estimated_wait_seconds(ctx: Context, office: Office, ticket: Ticket, ahead: int) -> int:
    """People ahead × mean service time ÷ counters serving that step (seconds)."""
    service = office.service(ticket.service)
    counters = sum(1 for c in office.counters if (ticket.service, ticket.step) in c.serves) or 1
    return int(round(ahead * average_service_seconds(ctx, office, service, ticket.step) / counters))


def public_base_url(office: Office) -> str:
    """Where citizens reach this server: the office file's ``public_url``, else the
    address of the request being answered (``http://192.168.1.10:8080``); "" outside a
    request."""
    if office.public_url:
        return office.public_url
    from flask import has_request_context, request
    return request.host_url.rstrip("/") if has_request_context() else ""


def status_url(office: Office, code: str) -> str:
    """The page that follows a ticket, berkas or booking: ``{public_base_url}/s/{code}``
    (what the printed QR holds)."""
    return f"{public_base_url(office)}/s/{code}"


def ticket_public(ctx: Context, office: Office, t: Ticket, *, with_position: bool = True) -> dict:
    """The ticket as shown to the citizen and the display: no personal data."""
    service = office.service(t.service)
    data = {
        "id": t.id,
        "number": t.number,
        "office": office.code,
        "service": t.service,
        "service_name": service.name.id,
        "service_name_en": service.name.en or service.name.id,
        "step": t.step,
        "status": t.status,
        "priority": t.priority,
        "office_day": t.office_day,
        "issued_at": iso_local(office, t.issued_at),
        "called_at": iso_local(office, t.called_at),
        "counter": t.counter,
        "code": t.public_code,
        "zone": office.zone_abbreviation,
        "version": t.version,
        "booked": t.booking is not None,
        "status_url": status_url(office, t.public_code),
    }
    if with_position:
        ahead = people_ahead(t)
        data["people_ahead"] = ahead
        data["estimated_wait_seconds"] = estimated_wait_seconds(ctx, office, t, ahead) if t.status == WAITING else 0
    return data


# --------------------------------------------------------------------------- counters

def _call_index(office: str, day: str, service: str) -> int:
    """How many calls of ``service`` have been made today (for the skip window)."""
    return sql.run('SELECT COUNT(*) FROM "call_log" WHERE "office" = ? AND "office_day" = ? AND "service" = ? '
                          'AND "action" = ?', (office, day, service, "call")).fetchone()[0]


def _current(office: Office, counter: Counter, day: str) -> Ticket | None:
    rows = list(Ticket.raw(sql.text('SELECT * FROM "ticket" WHERE "office" = ? AND "office_day" = ? AND "status" = ? '
                                    'AND "counter" = ? ORDER BY "called_at" DESC LIMIT 1'),
                           office.code, day, CALLED, counter.code))
    return rows[0] if rows else None


def _log(ticket: Ticket, counter: Counter | None, action: str, actor: Actor, at: float) -> None:
    sql.run('INSERT INTO "call_log" ("office", "office_day", "ticket_id", "counter", "service", "step", '
                   '"action", "priority", "officer", "at") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
                   (ticket.office, ticket.office_day, ticket.id, counter.code if counter else None, ticket.service,
                    ticket.step, action, ticket.priority is not None, actor.name, at))


def _public_call(office: Office, counter: Counter | None, t: Ticket) -> dict:
    return {"number": t.number, "service": t.service, "step": t.step,
            "counter": counter.code if counter else None, "counter_number": counter.number if counter else None,
            "priority": t.priority is not None}


def _check_expected(t: Ticket | None, expected_ticket: int | None, expected_version: int | None) -> None:
    if expected_ticket is not None and (t is None or t.id != expected_ticket):
        raise Conflict("ticket_changed", "Nomor di loket ini sudah berubah (petugas lain bertindak lebih dulu).",
                       "The ticket at this counter changed (another officer acted first).",
                       {"current": t.number if t else None})
    if expected_version is not None and t is not None and t.version != expected_version:
        raise Conflict("ticket_changed", "Data nomor ini sudah diubah petugas lain. Muat ulang.",
                       "This ticket was changed by another officer. Reload.", {"version": t.version})


def _bump(t: Ticket, **changes) -> None:
    """Optimistic update: fails with ``Conflict`` if someone changed the row meanwhile."""
    changes["version"] = t.version + 1
    sets = ", ".join(f'"{k}" = ?' for k in changes)
    n = sql.run(f'UPDATE "ticket" SET {sets} WHERE "id" = ? AND "version" = ?',
                       (*changes.values(), t.id, t.version)).rowcount
    if n != 1:
        raise Conflict("ticket_changed", "Nomor ini baru saja ditangani petugas lain.",
                       "Another officer just acted on this ticket.", {"number": t.number})
    for k, v in changes.items():
        setattr(t, k, v)


def _finish_current(office: Office, counter: Counter, day: str, actor: Actor, now: float) -> Ticket | None:
    cur = _current(office, counter, day)
    if cur is not None:
        _bump(cur, status=DONE, finished_at=now)
        _log(cur, counter, "finish", actor, now)
        record(office.code, "ticket.finished", _public_call(office, counter, cur), now)
    return cur


def waiting_candidates(ctx: Context, office: Office, counter: Counter, day: str) -> list[WaitingTicket]:
    """Tickets this counter may call now: the head of the normal and of the priority queue
    over the (service, step) pairs it serves, plus skipped ones whose return window has
    come (QueuePolicy.skip_return_after), or any skipped ones when nobody else waits.

    Only queue heads are read (``choose_next`` serves each queue in order), so a call
    costs the same with ten or ten thousand people waiting.
    """
    cols = '"id", "service", "step", "priority", "queued_at", "sort_key", "status", "skip_call_index", "booking"'
    head = (f'SELECT {cols} FROM "ticket" WHERE "office" = ? AND "office_day" = ? AND "status" = ? '
            'AND "service" = ? AND "step" = ? AND {prio} ORDER BY "sort_key", "id" LIMIT {n}')
    rows = []
    booked_services = {sv.code for sv in office.services if sv.booking is not None}
    for service, step in sorted(set(counter.serves)):
        args = (office.code, day, WAITING, service, step)
        if service in booked_services:  # the walk-in and the booked lane (issue 12 item 5)
            rows += sql.run(head.format(prio='"priority" IS NULL AND "booking" IS NULL', n=1), args).fetchall()
            rows += sql.run(head.format(prio='"priority" IS NULL AND "booking" > \'\'', n=1),
                                   args).fetchall()
        else:
            rows += sql.run(head.format(prio='"priority" IS NULL', n=1), args).fetchall()
        rows += sql.run(head.format(prio='"priority" > \'\'', n=1), args).fetchall()
        rows += sql.run(head.format(prio="TRUE", n=50), (office.code, day, SKIPPED, service, step)).fetchall()
    out, parked = [], []
    call_index: dict[str, int] = {}
    for (tid, service, step, priority, queued_at, sort_key, status, skip_index, booking) in rows:
        wt = WaitingTicket(ticket_id=tid, service=service, step=step, priority=priority is not None,
                           queued_at=queued_at, sort_key=sort_key, booked=booking is not None)
        if status == SKIPPED:
            if service not in call_index:
                call_index[service] = _call_index(office.code, day, service)
            if call_index[service] - (skip_index or 0) < office.queue.skip_return_after:
                parked.append(wt)
                continue
        out.append(wt)
    # Nobody else waits: a skipped number need not wait for others that will not come.
    return out or parked


def _recent_calls(office: Office, counter: Counter, day: str, n: int = 16) -> tuple[list[bool], list[bool]]:
    """This counter's latest calls, oldest first: ``(priority flags, booked flags of the
    normal ones)`` for :func:`queue_server.domain.routing.choose_next`."""
    rows = sql.run('SELECT "c"."priority", "t"."booking" FROM "call_log" AS "c" '
                          'JOIN "ticket" AS "t" ON "t"."id" = "c"."ticket_id" '
                          'WHERE "c"."office" = ? AND "c"."counter" = ? AND "c"."office_day" = ? '
                          'AND "c"."action" = ? ORDER BY "c"."id" DESC LIMIT ?',
                          (office.code, counter.code, day, "call", n)).fetchall()[::-1]
    return [bool(p) for p, _ in rows], [b is not None for p, b in rows if not p]


def _do_call(office: Office, counter: Counter, t: Ticket, actor: Actor, now: float) -> Ticket:
    _bump(t, status=CALLED, counter=counter.code, officer=actor.name, called_at=now)
    _log(t, counter, "call", actor, now)
    record(office.code, "ticket.called", _public_call(office, counter, t), now)
    audit(actor, "counter.call", office=office.code, target=t.number, details={"counter": counter.code}, at=now)
    if office.notifications.enabled:
        from .notify import triggers
        triggers.ticket_called(office, counter, t, now)
    return t


def _counter_ctx(ctx: Context, actor: Actor, office_code: str | None, counter_code: str) -> tuple[Office, Counter]:
    require(actor, *COUNTER_ROLES)
    office = ctx.office(office_code or actor.office)
    require(actor, *COUNTER_ROLES, office=office.code)
    return office, _counter(office, counter_code)


def call_next(ctx: Context, actor: Actor, *, office_code: str | None, counter_code: str,
              expected_ticket: int | None = None) -> Ticket | None:
    """Finish the counter's current ticket (if any) and call the next one by the routing
    policy (``domain.routing.choose_next``). Returns None when nobody waits."""
    office, counter = _counter_ctx(ctx, actor, office_code, counter_code)
    now = ctx.now()
    day = ctx.office_day(office, now)
    with write_tx():
        cur = _current(office, counter, day)
        _check_expected(cur, expected_ticket, None)
        _finish_current(office, counter, day, actor, now)
        recent, recent_booked = _recent_calls(office, counter, day)
        chosen = choose_next(waiting_candidates(ctx, office, counter, day), recent, office.queue, recent_booked)
        if chosen is None:
            return None
        t = list(Ticket.raw(sql.text('SELECT * FROM "ticket" WHERE "id" = ?'), chosen.ticket_id))[0]
        return _do_call(office, counter, t, actor, now)


def find_ticket(office: Office, day: str, number: str) -> Ticket:
    """Today's ticket with ``number`` (case-insensitive); ``NotFound`` otherwise."""
    t = (Ticket.select().where((Ticket.office == office.code) & (Ticket.office_day == day) &
                               (Ticket.number == (number or "").strip().upper())).first())
    if t is None:
        raise NotFound("unknown_number", f"Nomor {number} tidak ada hari ini.", f"No ticket {number} today.",
                       {"number": number})
    return t


def call_number(ctx: Context, actor: Actor, *, office_code: str | None, counter_code: str, number: str) -> Ticket:
    """Call a specific waiting or skipped number at this counter (it must serve the
    ticket's service and step). ``Conflict`` when it is already called, done or a no-show."""
    office, counter = _counter_ctx(ctx, actor, office_code, counter_code)
    now = ctx.now()
    day = ctx.office_day(office, now)
    with write_tx():
        t = find_ticket(office, day, number)
        if t.status not in (WAITING, SKIPPED):
            raise Conflict("not_callable", f"Nomor {t.number} tidak sedang menunggu (status: {t.status}).",
                           f"Ticket {t.number} is not waiting (status: {t.status}).", {"status": t.status})
        if (t.service, t.step) not in counter.serves:
            raise Conflict("not_served_here", f"Loket {counter.number} tidak melayani nomor {t.number}.",
                           f"Counter {counter.number} does not serve {t.number}.", {"service": t.service, "step": t.step})
        _finish_current(office, counter, day, actor, now)
        return _do_call(office, counter, t, actor, now)


def _require_current(office: Office, counter: Counter, day: str) -> Ticket:
    t = _current(office, counter, day)
    if t is None:
        raise Conflict("no_current_ticket", f"Belum ada nomor yang dipanggil di loket {counter.number}.",
                       f"No ticket is being served at counter {counter.number}.")
    return t


@dataclass
class _Serving:
    office: Office
    counter: Counter
    ticket: Ticket
    now: float
    day: str


@contextmanager
def _serving(ctx: Context, actor: Actor, office_code: str | None, counter_code: str,
             expected_ticket: int | None) -> Iterator[_Serving]:
    """One write transaction on the ticket being served at a counter: checks the role,
    that a ticket is being served and (optionally) that it is the one the officer sees."""
    office, counter = _counter_ctx(ctx, actor, office_code, counter_code)
    now = ctx.now()
    day = ctx.office_day(office, now)
    with write_tx():
        t = _require_current(office, counter, day)
        _check_expected(t, expected_ticket, None)
        yield _Serving(office, counter, t, now, day)


def recall(ctx: Context, actor: Actor, *, office_code: str | None, counter_code: str,
           expected_ticket: int | None = None) -> Ticket:
    """Announce the current number again (a ``ticket.recalled`` event)."""
    with _serving(ctx, actor, office_code, counter_code, expected_ticket) as sv:
        office, counter, t, now, day = sv.office, sv.counter, sv.ticket, sv.now, sv.day
        _log(t, counter, "recall", actor, now)
        record(office.code, "ticket.recalled", _public_call(office, counter, t), now)
        audit(actor, "counter.recall", office=office.code, target=t.number, at=now)
        return t


def skip(ctx: Context, actor: Actor, *, office_code: str | None, counter_code: str,
         expected_ticket: int | None = None) -> Ticket:
    """The called citizen did not come: park the number. It may be called again after
    ``skip_return_after`` other calls of its service; past ``max_skips`` it is a no-show."""
    with _serving(ctx, actor, office_code, counter_code, expected_ticket) as sv:
        office, counter, t, now, day = sv.office, sv.counter, sv.ticket, sv.now, sv.day
        count = t.skip_count + 1
        final = count > office.queue.max_skips
        _bump(t, status=NO_SHOW if final else SKIPPED, skip_count=count, counter=None,
              skip_call_index=_call_index(office.code, day, t.service), finished_at=now if final else None)
        _log(t, counter, "no_show" if final else "skip", actor, now)
        record(office.code, "ticket.no_show" if final else "ticket.skipped",
               {**_public_call(office, counter, t), "skips": count}, now)
        audit(actor, "counter.skip", office=office.code, target=t.number, details={"final": final}, at=now)
        return t


def transfer(ctx: Context, actor: Actor, *, office_code: str | None, counter_code: str, service_code: str,
             step_code: str | None = None, expected_ticket: int | None = None) -> Ticket:
    """Send the current ticket to another service or step, keeping its number and its
    place in the order of arrival. The target step must be a counter step some loket serves."""
    office, counter = _counter_ctx(ctx, actor, office_code, counter_code)
    service = _service(office, service_code)
    counter_steps = [s for s in service.steps if s.presence == PRESENCE_COUNTER]
    if step_code is None:
        if not counter_steps:
            raise Unprocessable("no_counter_step", "Layanan ini tidak punya langkah di loket.",
                                "This service has no counter step.")
        step_code = counter_steps[0].code
    if step_code not in {s.code for s in counter_steps}:
        raise Unprocessable("invalid_step", f"Langkah '{step_code}' bukan langkah loket layanan {service.code}.",
                            f"'{step_code}' is not a counter step of {service.code}.",
                            {"steps": [s.code for s in counter_steps]})
    if not any((service.code, step_code) in c.serves for c in office.counters):
        raise Unprocessable("no_counter", "Tidak ada loket yang melayani langkah itu.", "No counter serves that step.")
    now = ctx.now()
    day = ctx.office_day(office, now)
    with write_tx():
        t = _require_current(office, counter, day)
        _check_expected(t, expected_ticket, None)
        _log(t, counter, "transfer", actor, now)
        _bump(t, status=WAITING, service=service.code, step=step_code, counter=None, queued_at=now)
        record(office.code, "ticket.transferred",
               {**_public_call(office, counter, t), "to_service": service.code, "to_step": step_code}, now)
        audit(actor, "counter.transfer", office=office.code, target=t.number,
              details={"service": service.code, "step": step_code}, at=now)
        return t


def finish(ctx: Context, actor: Actor, *, office_code: str | None, counter_code: str,
           expected_ticket: int | None = None) -> Ticket:
    """The visit at this counter is over."""
    with _serving(ctx, actor, office_code, counter_code, expected_ticket) as sv:
        office, counter, t, now, day = sv.office, sv.counter, sv.ticket, sv.now, sv.day
        _finish_current(office, counter, day, actor, now)
        audit(actor, "counter.finish", office=office.code, target=t.number, at=now)
        return Ticket.get_by_id(t.id)


def close_counter(ctx: Context, actor: Actor, *, office_code: str | None, counter_code: str) -> Ticket | None:
    """The officer closes the loket (break, end of day): the current visit, if any, is
    finished and displays clear the counter (``counter.closed``). Returns that ticket."""
    office, counter = _counter_ctx(ctx, actor, office_code, counter_code)
    now = ctx.now()
    day = ctx.office_day(office, now)
    with write_tx():
        finished = _finish_current(office, counter, day, actor, now)
        record(office.code, "counter.closed", {"counter": counter.code, "counter_number": counter.number}, now)
        audit(actor, "counter.close", office=office.code, target=counter.code, at=now)
    return finished


def set_priority(ctx: Context, actor: Actor, *, office_code: str | None, counter_code: str, priority: str | None,
                 expected_ticket: int | None = None) -> Ticket:
    """The officer confirms, changes or clears the priority the citizen declared at the
    kiosk for the ticket being served (UU 25/2009 Pasal 29; DOMAIN.md)."""
    if priority is not None and priority not in PRIORITY_CATEGORIES:
        raise Unprocessable("invalid_priority", "Kategori prioritas tidak dikenal.", "Unknown priority category.",
                            {"allowed": list(PRIORITY_CATEGORIES)})
    with _serving(ctx, actor, office_code, counter_code, expected_ticket) as sv:
        office, counter, t, now, day = sv.office, sv.counter, sv.ticket, sv.now, sv.day
        before = t.priority
        _bump(t, priority=priority)
        audit(actor, "counter.priority", office=office.code, target=t.number,
              details={"from": before, "to": priority}, at=now)
        return t


_overview_cache: dict[tuple[str, str], tuple[float, int, dict]] = {}
_overview_lock = threading.Lock()


def queue_overview(ctx: Context, office: Office) -> dict:
    """Waiting counts and next numbers per service and step, the number at each counter,
    and the last calls: what the display and the counter stations show (public).

    Every change to the queue writes an event, so the answer is kept per office and day
    until the newest event id changes (at most :data:`AVERAGE_TTL` seconds, for the
    estimates): a hall of displays refreshing at once costs one ``MAX(id)`` each
    (bench/bench_web.py). Returns a new dict the caller may change."""
    day = ctx.office_day(office)
    last = sql.run('SELECT MAX("id") FROM "event"').fetchone()[0] or 0
    key = (office.code, day)
    with _overview_lock:
        hit = _overview_cache.get(key)
    if hit is not None and hit[1] == last and hit[0] > time.monotonic():
        return copy.deepcopy(hit[2])
    out = _queue_overview(ctx, office, day)
    with _overview_lock:
        if len(_overview_cache) > 100:
            _overview_cache.clear()
        _overview_cache[key] = (time.monotonic() + AVERAGE_TTL, last, copy.deepcopy(out))
    return out


def _queue_overview(ctx: Context, office: Office, day: str) -> dict:
    per_service: dict[str, dict] = {
        s.code: {"service": s.code, "name": s.name.id, "name_en": s.name.en or s.name.id, "prefix": s.prefix,
                 "waiting": 0, "priority_waiting": 0, "next": [], "estimated_wait_seconds": 0}
        for s in office.services}
    # counted in SQL and only the next five numbers of each service returned, in one
    # query: every display refreshes this, so its cost must not grow in Python with the
    # number of people waiting (bench/bench_web.py)
    rows = sql.run(
        'SELECT "service", "number", "n", "p" FROM (SELECT "service", "number", '
        'ROW_NUMBER() OVER (PARTITION BY "service" ORDER BY "sort_key", "id") AS "rn", '
        'COUNT(*) OVER (PARTITION BY "service") AS "n", COUNT("priority") OVER (PARTITION BY "service") AS "p" '
        'FROM "ticket" WHERE "office" = ? AND "office_day" = ? AND "status" = ?) AS "w" WHERE "rn" <= 5 '
        'ORDER BY "service", "rn"', (office.code, day, WAITING)).fetchall()
    for service, number, n, prio in rows:
        entry = per_service.get(service)
        if entry is not None:
            entry.update(waiting=n, priority_waiting=prio)
            entry["next"].append(number)
    for s in office.services:
        entry = per_service[s.code]
        if entry["waiting"]:
            first = next((st for st in s.steps if st.presence == PRESENCE_COUNTER), None)
            step_code = first.code if first else ""
            counters = sum(1 for c in office.counters if (s.code, step_code) in c.serves) or 1
            entry["estimated_wait_seconds"] = int(
                entry["waiting"] * average_service_seconds(ctx, office, s, step_code) / counters)
    current = {t.counter: t for t in Ticket.select().where(
        (Ticket.office == office.code) & (Ticket.office_day == day) & (Ticket.status == CALLED))}
    counters = []
    for c in office.counters:
        t = current.get(c.code)
        counters.append({"code": c.code, "number": c.number, "name": c.name.id,
                         "services": sorted({s for s, _ in c.serves}),
                         "current": None if t is None else {"id": t.id, "number": t.number, "service": t.service,
                                                            "step": t.step, "called_at": iso_local(office, t.called_at)}})
    calls = (CallLog.select(CallLog, Ticket.number).join(Ticket)
             .where((CallLog.office == office.code) & (CallLog.office_day == day) &
                    (CallLog.action.in_(["call", "recall"])))
             .order_by(CallLog.id.desc()).limit(10))
    by_code = {c.code: c for c in office.counters}
    last_calls = [{"number": r.ticket.number, "service": r.service, "counter": r.counter,
                   "counter_number": by_code[r.counter].number if r.counter in by_code else None,
                   "action": r.action, "at": iso_local(office, r.at)} for r in calls]
    return {"office": office.code, "office_day": day, "services": list(per_service.values()),
            "counters": counters, "last_calls": last_calls,
            "waiting_total": sum(e["waiting"] for e in per_service.values())}


def _day_end_epoch(office: Office, day: str) -> float:
    """Epoch seconds of the office's local midnight that ends ``day`` (ISO date)."""
    nxt = date.fromisoformat(day) + timedelta(days=1)
    return datetime.combine(nxt, dtime(0), tzinfo=ZoneInfo(office.timezone)).timestamp()


def close_past_days(ctx: Context, office: Office, *, now: float | None = None) -> dict[str, dict[str, int]]:
    """Close the tickets of the office's past days that are still open (issue 16 item 16).

    At the office's local midnight a number stops being valid: a ticket still
    ``called`` at a counter becomes ``unfinished``, a ``waiting`` or ``skipped`` one
    ``no_show``; ``finished_at`` and the ``day_end`` CallLog row carry that midnight, not
    the moment this runs, so the day's report is the same whenever it is closed. The
    berkas opened on such a ticket stay where they are. One event
    ``office.day_closed`` per closed day (counts only) and one audit row by ``system``
    with the numbers. Idempotent; returns ``{day: {"no_show": n, "unfinished": m}}``.
    """
    now = ctx.now() if now is None else now
    today = ctx.office_day(office, now)
    closed: dict[str, dict[str, int]] = {}
    with write_tx():
        rows = list(Ticket.select().where((Ticket.office == office.code) & (Ticket.office_day < today) &
                                          (Ticket.status.in_(OPEN_STATUSES)))
                    .order_by(Ticket.office_day, Ticket.id))
        by_code = {c.code: c for c in office.counters}
        numbers: dict[str, list[str]] = {}
        for t in rows:
            end = _day_end_epoch(office, t.office_day)
            status = UNFINISHED if t.status == CALLED else NO_SHOW
            _bump(t, status=status, finished_at=end)
            _log(t, by_code.get(t.counter) if status == UNFINISHED else None, DAY_END, SYSTEM, end)
            counts = closed.setdefault(t.office_day, {NO_SHOW: 0, UNFINISHED: 0})
            counts[status] += 1
            numbers.setdefault(t.office_day, []).append(t.number)
        for day, counts in closed.items():
            record(office.code, OFFICE_DAY_CLOSED, {"day": day, **counts}, now)
            audit(SYSTEM, "ticket.day_closed", office=office.code, target=day,
                  details={**counts, "numbers": numbers[day]}, at=now)
    return closed


class DayCloser:
    """Runs :func:`close_past_days` for every office once per office day and process
    (the server's ``before_request`` calls :meth:`tick`; a display refreshes every 15 s,
    so this happens within a minute of midnight). A failure (storage full, locked) is
    logged and tried again after ``retry_seconds``; it never fails the request."""

    def __init__(self, retry_seconds: float = 60.0) -> None:
        self.retry_seconds = retry_seconds
        self._done: dict[str, str] = {}
        self._retry_at = 0.0
        self._lock = threading.Lock()

    def tick(self, ctx: Context) -> None:
        """Close past days of the offices whose day changed since the last tick."""
        now = ctx.now()
        due = [o for o in ctx.offices.values() if self._done.get(o.code) != ctx.office_day(o, now)]
        if not due or now < self._retry_at or not self._lock.acquire(blocking=False):
            return
        try:
            for office in due:
                close_past_days(ctx, office, now=now)
                self._done[office.code] = ctx.office_day(office, now)
        except Exception:  # noqa: BLE001 - logged; the request goes on
            logging.getLogger(__name__).exception("closing past office days failed")
            self._retry_at = now + self.retry_seconds
        finally:
            self._lock.release()


def ticket_counts(office: Office, day: str) -> dict[str, int]:
    """Tickets per status for ``day`` (reports and accounting)."""
    rows = (Ticket.select(Ticket.status, fn.COUNT(Ticket.id).alias("n"))
            .where((Ticket.office == office.code) & (Ticket.office_day == day)).group_by(Ticket.status))
    return {r.status: r.n for r in rows}

