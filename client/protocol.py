"""What the queue server and its clients agree on: paths, event names, the error shape.

Imported by the server (``queue_server``) and by every client (kiosk, counter station,
display, simulation), so the two sides of the wire cannot drift apart. Pure Python.
"""
from __future__ import annotations

from typing import Any

#: Path prefix of the HTTP JSON API.
API_PREFIX = "/api/v1"

#: Alphabet of ticket status codes, berkas codes and pickup codes: no 0/O and no 1/I/L,
#: so a code read aloud or typed from paper is not mistaken.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

# Event types of the durable event log (queue_server/events.py) and the SSE stream.
TICKET_ISSUED = "ticket.issued"
TICKET_CALLED = "ticket.called"
TICKET_RECALLED = "ticket.recalled"
TICKET_SKIPPED = "ticket.skipped"
TICKET_NO_SHOW = "ticket.no_show"
TICKET_TRANSFERRED = "ticket.transferred"
TICKET_FINISHED = "ticket.finished"
TICKET_RETURNED = "ticket.returned"
APPLICATION_STEP_FINISHED = "application.step_finished"
#: A berkas was opened (at a counter, or from home: payload ``channel`` "online") at ``step``.
APPLICATION_CREATED = "application.created"
#: Printed documents left for a pickup office / arrived there (payload ``batch``, ``count``).
DISTRIBUTION_BATCH_CREATED = "distribution.batch_created"
DISTRIBUTION_BATCH_RECEIVED = "distribution.batch_received"
COUNTER_CLOSED = "counter.closed"
#: The office's day ended: its open numbers were closed; payload ``day``, ``no_show``,
#: ``unfinished`` (counts only). Displays and stations reload their snapshot.
OFFICE_DAY_CLOSED = "office.day_closed"
#: Keep-alive event (every few seconds); payload ``{"time": server epoch s}``.
HEARTBEAT = "heartbeat"
#: First event of a stream, sent at once; payload ``{"time": server epoch s}``.
PING = "ping"

#: Event types that may be streamed to a public display (no personal data in them:
#: number, service, step and counter only).
PUBLIC_EVENT_TYPES = frozenset({
    TICKET_ISSUED, TICKET_CALLED, TICKET_RECALLED, TICKET_SKIPPED, TICKET_NO_SHOW,
    TICKET_TRANSFERRED, TICKET_FINISHED, TICKET_RETURNED, APPLICATION_STEP_FINISHED, COUNTER_CLOSED,
    OFFICE_DAY_CLOSED,
})

#: Ticket events that change what a counter or display shows as called.
CALL_EVENTS = frozenset({TICKET_CALLED, TICKET_RECALLED})

# Step effects: what an office-file step does besides moving the berkas on (``effect``
# in the office file, ``effect`` of each step in ``GET /services``, ``step_effect`` of a
# berkas). Meanings: queue_server.domain.office.
EFFECT_PHOTO = "photo"
EFFECT_CARD_PRINT = "card_print"
EFFECT_REGISTER = "register"
EFFECT_IKD_ACTIVATION = "ikd_activation"
EFFECT_HANDOVER = "handover"
#: The electronic signature (TTE): after it the applicant's data and photo are frozen;
#: a correction sends the berkas back with a reason (issue 11 item 13).
EFFECT_SIGNATURE = "tte"
#: The check of an online application's uploads against SIAK (SOP 001 row 2): the
#: first step of an application made from home; accept or return it with notes.
EFFECT_ONLINE_VERIFICATION = "online_verification"
#: Grouping printed documents by pickup office into a distribution batch (SOP 001
#: row 4, "rekap distribusi"): completed by creating the batch, never one by one.
EFFECT_DISTRIBUTION = "distribution"
#: Every effect, and those only a counter step (the citizen present) can have.
EFFECTS = (EFFECT_PHOTO, EFFECT_CARD_PRINT, EFFECT_REGISTER, EFFECT_IKD_ACTIVATION, EFFECT_HANDOVER,
           EFFECT_SIGNATURE, EFFECT_ONLINE_VERIFICATION, EFFECT_DISTRIBUTION)
#: Effects only a back-office step can have (nobody is called to a counter for them).
BACK_OFFICE_EFFECTS = (EFFECT_ONLINE_VERIFICATION, EFFECT_DISTRIBUTION)
COUNTER_EFFECTS = (EFFECT_PHOTO, EFFECT_IKD_ACTIVATION, EFFECT_HANDOVER)

#: HTTP statuses after which repeating a request that is safe to repeat may succeed.
RETRY_STATUSES = frozenset({502, 503, 504})

#: Header carrying the kiosk's idempotency key (the body's ``idempotency_key`` also works).
IDEMPOTENCY_HEADER = "Idempotency-Key"


def error_body(code: str, message: str, message_en: str = "", details: Any = None) -> dict:
    """The one error shape of the API: ``{"error": {"code", "message" (Bahasa
    Indonesia), "message_en", "details" (dict; e.g. ``{"field": ...}`` for bad input)}}``."""
    return {"error": {"code": code, "message": message, "message_en": message_en or message,
                      "details": details or {}}}


def parse_error(body: Any) -> dict | None:
    """The ``error`` object of an answer body, or None when the body has none."""
    err = body.get("error") if isinstance(body, dict) else None
    return err if isinstance(err, dict) else None
