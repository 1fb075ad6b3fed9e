"""The counter station's calls of the queue server's ``/api/v1`` (issue 5).

:class:`StationClient` is the one client (:class:`client.http.Client`: timeouts, the
one retry policy, one :class:`~client.http.ApiError` whose ``kind`` the station acts
on) with the station's calls. ``kind`` meanings:

=============  ===============================================================
``offline``    server not reachable (refused, timeout, 502-504): show, retry
``auth``       401: token expired or revoked → back to the login screen
``forbidden``  403: the role may not do this
``not_found``  404: unknown ticket, code, application
``conflict``   409: another officer acted first → show and reload the view
``invalid``    400/422: the input is refused (message says why)
``server``     any other status (500)
=============  ===============================================================

The station follows ``GET /api/v1/events`` with the one event reader,
:class:`client.sse.EventFeed`.
"""
from __future__ import annotations

import time
from typing import Callable

import requests

from client.http import ApiError, Client
from client.protocol import HEARTBEAT, PING
from client.sse import EventFeed, SseEvent

__all__ = ["ApiError", "StationClient", "station_feed"]


class StationClient(Client):
    """Client for one server: ``base_url`` like ``http://127.0.0.1:8080``.

    ``timeout`` seconds per request (connect and read); ``retries`` extra attempts for
    network faults, waiting ``backoff × 2**attempt`` seconds between them. GET/PUT are
    retried on any network fault or 502-504; POST/PATCH only when the connection was
    never made (nothing reached the server), so an action is never done twice.
    ``lang`` ("id"/"en") is sent as ``Accept-Language``. ``token`` is set by
    :meth:`login`. Thread-safe for concurrent calls (one ``requests.Session``).
    ``ca_file``: the office CA's PEM file for an ``https://`` server (docs/deployment.md).
    Raises ValueError for a URL that is not http(s) or an unusable CA file.
    """

    def __init__(self, base_url: str, timeout: float = 5.0, retries: int = 2, backoff: float = 0.3,
                 lang: str = "id", token: str | None = None, session: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep, ca_file: str | None = None) -> None:
        super().__init__(base_url, token, timeout=timeout, retries=retries, backoff=backoff, lang=lang,
                         session=session, sleep=sleep, ca_file=ca_file)

    # ------------------------------------------------------------------ public data
    def counters(self) -> list[dict]:
        """GET /counters → list of ``{"code", "number", "name", "serves": [{"service", "step"}]}``."""
        return self.get("/counters")["counters"]

    def services(self) -> list[dict]:
        """GET /services → list of services with their questions."""
        return self.get("/services")["services"]

    def services_and_priorities(self) -> tuple[list[dict], list[dict]]:
        """GET /services once → (services, priority categories ``[{"code", "label", "source"}]``)."""
        data = self.get("/services")
        return data["services"], data.get("priority_categories", [])

    def validate_nik(self, nik: str, birth_date: str | None = None) -> dict:
        """POST /nik/validate → ``{"valid", "errors": [...], "warnings": [...], ...}``;
        with ``birth_date`` (the documents') a mismatch is among the warnings."""
        return self.post("/nik/validate", {"nik": nik, "birth_date": birth_date or None})

    # ------------------------------------------------------------------ counter actions
    def call_next(self, counter: str, ticket: int | None = None) -> dict | None:
        """POST /counters/{counter}/call-next; None when nobody waits (204)."""
        return self.post(f"/counters/{counter}/call-next", {"ticket": ticket})

    def recall(self, counter: str, ticket: int | None = None) -> dict:
        return self.post(f"/counters/{counter}/recall", {"ticket": ticket})

    def skip(self, counter: str, ticket: int | None = None) -> dict:
        return self.post(f"/counters/{counter}/skip", {"ticket": ticket})

    def call_number(self, counter: str, number: str) -> dict:
        return self.post(f"/counters/{counter}/call", {"number": number})

    def transfer(self, counter: str, service: str, step: str | None = None, ticket: int | None = None) -> dict:
        return self.post(f"/counters/{counter}/transfer", {"service": service, "step": step, "ticket": ticket})

    def finish(self, counter: str, ticket: int | None = None) -> dict:
        return self.post(f"/counters/{counter}/finish", {"ticket": ticket})

    def reprint_ticket(self, number: str) -> dict:
        """POST /tickets/reprint: today's ticket ``number`` to print again (audited)."""
        return self.post("/tickets/reprint", {"number": number})

    def ticket(self, ticket_id: int) -> dict:
        """GET /tickets/{id}: the ticket with its answers and applications."""
        return self.get(f"/tickets/{ticket_id}")

    # ------------------------------------------------------------------ applications
    def create_application(self, ticket_id: int, service: str, answers: dict, applicant: dict,
                           confirm_duplicate: bool = False, pickup_office: str | None = None) -> dict:
        """POST /tickets/{id}/applications; ``confirm_duplicate``: the officer confirms a
        second open berkas of this service for the same NIK (409 ``duplicate_application``
        without it); ``pickup_office``: where the document will be collected (None: here)."""
        return self.post(f"/tickets/{ticket_id}/applications",
                         {"service": service, "answers": answers, "applicant": applicant,
                          "confirm_duplicate": confirm_duplicate, "pickup_office": pickup_office or None})

    def application(self, app_id: int) -> dict:
        return self.get(f"/applications/{app_id}")

    def patch_application(self, app_id: int, *, applicant: dict | None = None, answers: dict | None = None,
                          siak_reference: str | None = None, version: int | None = None) -> dict:
        body = {"applicant": applicant, "answers": answers, "siak_reference": siak_reference, "version": version}
        return self.patch(f"/applications/{app_id}", body)

    def verify(self, app_id: int, present: list[str], siak_reference: str | None = None,
               version: int | None = None) -> dict:
        return self.post(f"/applications/{app_id}/verify",
                         {"present": list(present), "siak_reference": siak_reference, "version": version})

    def start_step(self, app_id: int, step: str) -> dict:
        return self.post(f"/applications/{app_id}/steps/{step}/start")

    def complete_step(self, app_id: int, step: str, outcome: str = "done", *, note: str = "",
                      version: int | None = None, **data) -> dict:
        """``data``: ``card_serial``, ``ikd_activated``, ``reason`` as the step needs."""
        body = {"outcome": outcome, "note": note, "version": version}
        body.update({k: v for k, v in data.items() if v is not None})
        return self.post(f"/applications/{app_id}/steps/{step}/complete", body)

    def put_photo(self, app_id: int, jpeg: bytes) -> dict:
        return self.request("PUT", f"/applications/{app_id}/photo", data=jpeg,
                            headers={"Content-Type": "image/jpeg"})

    def photo(self, app_id: int) -> bytes:
        return self.request("GET", f"/applications/{app_id}/photo", raw=True).content

    def work(self, step: str, service: str | None = None) -> list[dict]:
        return self.get(f"/work-queue/{step}", {"service": service})["items"]

    def pickup(self, code: str) -> dict:
        return self.get(f"/pickups/{code.strip().upper()}")

    def handover(self, app_id: int, received_by: str, relation: str, identity_checked: bool,
                 version: int | None = None) -> dict:
        return self.post(f"/applications/{app_id}/handover",
                         {"received_by": received_by, "relation": relation,
                          "identity_checked": identity_checked, "version": version})

    def reprint(self, app_id: int, card_serial: str, reason: str) -> dict:
        return self.post(f"/applications/{app_id}/reprint", {"card_serial": card_serial, "reason": reason})

    def verify_online(self, app_id: int, outcome: str, present: list[str], *, siak_reference: str | None = None,
                      notes: str = "", version: int | None = None) -> dict:
        """Accept (``outcome="accept"``) or return with ``notes`` an online application."""
        return self.post(f"/applications/{app_id}/online-verification",
                         {"outcome": outcome, "present": list(present), "siak_reference": siak_reference,
                          "notes": notes, "version": version})

    def upload(self, upload_id: int) -> bytes:
        """An uploaded document's bytes (JPEG or PDF)."""
        return self.request("GET", f"/uploads/{upload_id}", raw=True).content

    def upload_page(self, upload_id: int, page: int = 1, width: int = 1400) -> bytes:
        """Page ``page`` (1-based) of an uploaded PDF as PNG, ``width`` px wide."""
        return self.request("GET", f"/uploads/{upload_id}/pages/{page}", params={"width": width}, raw=True).content

    def distribution_pending(self) -> list[dict]:
        """Printed documents waiting to be sent, grouped by pickup office."""
        return self.get("/distribution/pending")["groups"]

    def create_batch(self, pickup_office: str) -> dict:
        return self.post("/distribution-batches", {"pickup_office": pickup_office})

    def batch_pdf(self, batch_id: int) -> bytes:
        """The batch's list to sign (PDF)."""
        return self.request("GET", f"/distribution-batches/{batch_id}", params={"format": "pdf"}, raw=True).content

    def incoming_batches(self, office: str) -> list[dict]:
        """Batches sent to ``office`` and not confirmed yet."""
        return self.get("/distribution-batches", {"pickup_office": office, "pending": "true"})["batches"]

    def receive_batch(self, batch_id: int) -> dict:
        return self.post(f"/distribution-batches/{batch_id}/receive", {})

    def uncollected(self) -> dict:
        return self.get("/uncollected")

    def manual_messages(self) -> list[dict]:
        """WhatsApp messages the office sends by hand, each with its wa.me ``link``."""
        return self.get("/messages/manual")["messages"]

    def manual_sent(self, message_id: int) -> dict:
        return self.post(f"/messages/{message_id}/sent", {})


def station_feed(client: Client, on_event: Callable[[str, dict, int], None], *,
                 on_state: Callable[[bool], None] | None = None, last_id: int | None = None) -> EventFeed:
    """The station's follower of ``GET /api/v1/events`` (not started): the one
    :class:`client.sse.EventFeed` with the login's current token, calling
    ``on_event(type, payload, id)`` for every event except pings, heartbeats and
    comments, and ``on_state(True|False)`` when the stream opens or is lost (a dead
    server is noticed after :data:`client.sse.HEARTBEAT_TIMEOUT` seconds, as the
    display notices it). Hooks run on the feed thread."""

    def deliver(ev: SseEvent) -> None:
        if ev.event in _QUIET_EVENTS:
            return
        try:
            payload = ev.json()
        except ValueError:
            payload = {"raw": ev.data}
        on_event(ev.event, payload if isinstance(payload, dict) else {"value": payload},
                 int(ev.id) if ev.id and ev.id.isdigit() else 0)

    return EventFeed(client.base_url, lambda: client.token, on_event=deliver, last_id=last_id,
                     ca_file=getattr(client, "ca_file", None),
                     on_open=(lambda: on_state(True)) if on_state else None,
                     on_close=(lambda _reason: on_state(False)) if on_state else None)


_QUIET_EVENTS = frozenset({"comment", "retry", HEARTBEAT, PING})
