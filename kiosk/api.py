"""HTTP client of the kiosk for the queue server's ``/api/v1`` (issue 4).

:class:`KioskApi` is the one client (:class:`client.http.Client`: bearer token, timeout
per attempt, the one retry policy, one error type :class:`ApiError` carrying the
server's Indonesian ``message`` and English ``message_en``) with the kiosk's calls.

Retrying ``POST /tickets`` is safe because every call carries the flow's idempotency
key: the server answers a repeat with the ticket it recorded first (HTTP 200).
"""
from __future__ import annotations

import time
from typing import Any, Callable

import requests

from client.http import TIMEOUT, UNREACHABLE, ApiError, Client

__all__ = ["ApiError", "KioskApi", "UNREACHABLE", "TIMEOUT"]


class KioskApi(Client):
    """Client of one queue server for one kiosk token (a :class:`client.http.Client`).

    Args:
        base_url: e.g. ``"http://192.168.1.10:8080"`` (``/api/v1`` is appended).
        token: the kiosk's bearer token (``loket token create --role kiosk``).
        timeout: seconds per attempt (connect and read).
        retries: extra attempts for a retryable fault (0 = one attempt only).
        backoff: seconds before the first retry; doubled each time.
        office: office code sent with calls that take one (None: the token's office).
        session: a ``requests.Session`` to use (tests); a new one by default.
        sleep: the sleep function (tests pass a fake).
        ca_file: the office CA's PEM file for an ``https://`` server (docs/deployment.md).

    Every method returns the decoded JSON (dict) or raises :class:`ApiError`.
    """

    def __init__(self, base_url: str, token: str, *, timeout: float = 5.0, retries: int = 2, backoff: float = 0.3,
                 office: str | None = None, session: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep, ca_file: str | None = None) -> None:
        super().__init__(base_url, token, timeout=timeout, retries=retries, backoff=backoff, session=session,
                         sleep=sleep, ca_file=ca_file)
        self.office = office

    def _request(self, method: str, path: str, *, lang: str | None = None, params: dict | None = None,
                 json: Any = None, idempotent: bool = False) -> dict:
        data = self.request(method, path, lang=lang, params=params, json=json, idempotent=idempotent)
        if not isinstance(data, dict):
            raise ApiError("bad_response", "Jawaban server tidak dapat dibaca.", "The server's answer is unreadable.",
                           retryable=False)
        return data

    def _office_params(self, extra: dict | None = None) -> dict:
        params = dict(extra or {})
        if self.office:
            params["office"] = self.office
        return params

    # ------------------------------------------------------------------ endpoints
    def services(self, lang: str = "id") -> dict:
        """``GET /services`` → ``{"office", "services": [{"code", "name", "icon", "questions", "open",
        "reason", "remaining", ...}]}`` with texts in ``lang``."""
        return self._request("GET", "/services", lang=lang, params=self._office_params())

    def requirements(self, service: str, answers: dict[str, Any], lang: str = "id", partial: bool = False) -> dict:
        """``GET /services/<service>/requirements`` for a case → ``{"service", "items": [{"code", "label",
        "note"}], "facts", "eligible", "ineligible": [{"code", "message", "message_en"}]}``.
        Answers are sent as query parameters (bools as ``true``/``false``); ``partial``
        judges the answers given so far (missing ones are no error)."""
        params = {k: (("true" if v else "false") if isinstance(v, bool) else str(v)) for k, v in answers.items()}
        if partial:
            params["partial"] = "true"
        return self._request("GET", f"/services/{service}/requirements", lang=lang,
                             params=self._office_params(params))

    def issue_ticket(self, service: str, answers: dict[str, Any], priority: str | None,
                     idempotency_key: str, *, contact: str = "", lang: str = "id") -> dict:
        """``POST /tickets`` → the ticket (``id``, ``number``, ``code``, ``people_ahead``,
        ``estimated_wait_seconds``, ``issued_at`` ISO with offset, ``zone``, ``checklist``,
        ``office_name``, ``created``). Safe to repeat with the same ``idempotency_key``.
        ``contact`` (E.164): the citizen consented to "near"/"called" messages there."""
        body = {"service": service, "answers": answers, "priority": priority, "idempotency_key": idempotency_key,
                "lang": lang}
        if contact:
            body.update(contact=contact, notify=True)
        if self.office:
            body["office"] = self.office
        return self._request("POST", "/tickets", json=body, idempotent=True)

    def status(self, code: str, lang: str = "id") -> dict:
        """``GET /status/<code>`` → ``{"kind": "ticket"|"visit"|"application", "text", ...}``;
        ``ApiError`` code ``unknown_code`` when not found."""
        return self._request("GET", f"/status/{requests.utils.quote(code.strip(), safe='')}", lang=lang)

    def check_in(self, code: str) -> dict:
        """``POST /bookings/<code>/check-in`` → the ticket of the booked lane (as
        :meth:`issue_ticket`); safe to repeat (the same booking gives the same ticket).
        ``ApiError`` ``check_in_terlalu_awal``/``check_in_terlambat``/``booking_not_active``
        (409) with the reason in its text."""
        return self._request("POST", f"/bookings/{requests.utils.quote(code.strip(), safe='')}/check-in",
                             idempotent=True)

    def ikm_questions(self, lang: str = "id") -> dict:
        """``GET /ikm/questions`` → ``{"elements": [{"code", "name", "question", "answers": [{"value",
        "label"}]}]}`` (Permen PANRB 14/2017)."""
        return self._request("GET", "/ikm/questions", lang=lang)

    def submit_ikm(self, answers: list[int], ticket_code: str | None = None) -> dict:
        """``POST /ikm`` with nine answers 1..4 (anonymous; optional ticket code)."""
        body: dict[str, Any] = {"answers": list(answers), "ticket_code": ticket_code or None}
        if self.office:
            body["office"] = self.office
        return self._request("POST", "/ikm", json=body)

    def report_fault(self, kind: str, code: str, message: str, ticket: str | None = None) -> dict:
        """``POST /devices/faults`` (``kind`` "printer" | "network" | "other") so staff see it."""
        return self._request("POST", "/devices/faults",
                             json={"kind": kind, "code": code[:64], "message": message[:500], "ticket": ticket})
