"""HTTP client of the counter station for the queue server's ``/api/v1`` (issue 5).

One small class, :class:`StationClient`, wraps ``requests`` with timeouts and retries
with exponential backoff, and turns every failure into one exception type,
:class:`ApiError`, that carries the server's Indonesian message (``message``), the
English one (``message_en``), the stable ``code`` and a ``kind`` the station acts on:

=============  ===============================================================
``kind``       meaning / what the station does
=============  ===============================================================
``offline``    server not reachable (refused, timeout, 502-504): show, retry
``auth``       401: token expired or revoked → back to the login screen
``forbidden``  403: the role may not do this
``not_found``  404: unknown ticket, code, application
``conflict``   409: another officer acted first → show and reload the view
``invalid``    400/422: the input is refused (message says why)
``server``     any other status (500)
=============  ===============================================================

:class:`EventStream` follows ``GET /api/v1/events`` (server-sent events) in a thread,
resuming with ``Last-Event-ID`` after a broken connection.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import requests

log = logging.getLogger(__name__)

OFFLINE_MESSAGE = ("Server antrean tidak dapat dihubungi. Periksa jaringan; "
                   "stasiun mencoba lagi otomatis.")
OFFLINE_MESSAGE_EN = "The queue server cannot be reached. Check the network; the station retries automatically."

_KINDS = {400: "invalid", 401: "auth", 403: "forbidden", 404: "not_found", 405: "invalid", 409: "conflict",
          413: "invalid", 422: "invalid", 429: "offline", 502: "offline", 503: "offline", 504: "offline"}


class ApiError(Exception):
    """A refused or failed API call.

    Attributes: ``status`` (HTTP status, 0 when no answer), ``code`` (server error
    code, e.g. ``"ticket_changed"``; ``"offline"`` for network faults), ``message``
    (Bahasa Indonesia, shown to the officer), ``message_en``, ``details`` (dict) and
    ``kind`` (see the module table).
    """

    def __init__(self, status: int, code: str, message: str, message_en: str = "",
                 details: dict | None = None, kind: str | None = None) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.message_en = message_en or message
        self.details = details or {}
        self.kind = kind or _KINDS.get(status, "server" if status else "offline")
        super().__init__(f"{status} {code}: {self.message_en}")

    def text(self, lang: str = "id") -> str:
        """The message in ``lang`` ("id" default, "en")."""
        return self.message_en if lang == "en" else self.message

    @classmethod
    def offline(cls, detail: str = "") -> "ApiError":
        """The error for an unreachable server (``kind == "offline"``)."""
        return cls(0, "offline", OFFLINE_MESSAGE, OFFLINE_MESSAGE_EN, {"detail": detail} if detail else {},
                   kind="offline")

    @classmethod
    def from_response(cls, resp: requests.Response) -> "ApiError":
        """Build from an error response with the server's ``{"error": {...}}`` body (any
        other body gives a generic message with the status)."""
        try:
            body = resp.json()
            err = body.get("error") if isinstance(body, dict) else None
        except ValueError:
            err = None
        if isinstance(err, dict):
            return cls(resp.status_code, str(err.get("code") or "error"), str(err.get("message") or ""),
                       str(err.get("message_en") or ""), err.get("details") or {})
        if resp.status_code in (502, 503, 504):
            return cls(resp.status_code, "offline", OFFLINE_MESSAGE, OFFLINE_MESSAGE_EN)
        return cls(resp.status_code, "http_error", f"Server menjawab dengan galat {resp.status_code}.",
                   f"The server answered with error {resp.status_code}.")


@dataclass
class StationClient:
    """Client for one server: ``base_url`` like ``http://127.0.0.1:8080``.

    ``timeout`` seconds per request (connect and read); ``retries`` extra attempts for
    network faults, waiting ``backoff × 2**attempt`` seconds between them. GET/PUT are
    retried on any network fault or 502-504; POST/PATCH only when the connection was
    never made (nothing reached the server), so an action is never done twice.
    ``lang`` ("id"/"en") is sent as ``Accept-Language``. ``token`` is set by
    :meth:`login`. Thread-safe for concurrent calls (one ``requests.Session``).
    """

    base_url: str
    timeout: float = 5.0
    retries: int = 2
    backoff: float = 0.3
    lang: str = "id"
    token: str | None = None
    session: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"server URL must start with http:// or https://, got {self.base_url!r}")

    # ------------------------------------------------------------------ transport
    def _headers(self, extra: dict | None = None) -> dict:
        h = {"Accept-Language": self.lang, "Accept": "application/json"}
        if self.token:
            h["Authorization"] = f"Bearer {self.token}"
        h.update(extra or {})
        return h

    def request(self, method: str, path: str, *, json_body: Any = None, params: dict | None = None,
                data: bytes | None = None, headers: dict | None = None, raw: bool = False) -> Any:
        """Call ``/api/v1{path}``; returns the decoded JSON (None for 204) or the
        ``Response`` when ``raw``. Raises :class:`ApiError`."""
        url = f"{self.base_url}/api/v1{path}"
        safe = method in ("GET", "PUT", "HEAD")
        attempt = 0
        while True:
            try:
                resp = self.session.request(method, url, json=json_body, params=params, data=data,
                                            headers=self._headers(headers), timeout=self.timeout)
            except requests.ConnectionError as exc:
                never_sent = isinstance(exc, requests.ConnectTimeout) or "NewConnectionError" in repr(exc) \
                    or "Connection refused" in str(exc)
                if attempt < self.retries and (safe or never_sent):
                    self._sleep(attempt)
                    attempt += 1
                    continue
                raise ApiError.offline(str(exc)) from None
            except requests.Timeout as exc:
                if attempt < self.retries and safe:
                    self._sleep(attempt)
                    attempt += 1
                    continue
                raise ApiError.offline(str(exc)) from None
            if resp.status_code in (502, 503, 504) and safe and attempt < self.retries:
                self._sleep(attempt)
                attempt += 1
                continue
            if resp.status_code >= 400:
                raise ApiError.from_response(resp)
            if raw:
                return resp
            if resp.status_code == 204 or not resp.content:
                return None
            try:
                return resp.json()
            except ValueError:
                raise ApiError(resp.status_code, "bad_answer", "Jawaban server tidak dapat dibaca.",
                               "The server's answer could not be read.", kind="server") from None

    def _sleep(self, attempt: int) -> None:
        time.sleep(self.backoff * (2 ** attempt))

    def get(self, path: str, **params) -> Any:
        """GET with query ``params`` (None values dropped)."""
        return self.request("GET", path, params={k: v for k, v in params.items() if v is not None} or None)

    def post(self, path: str, body: dict | None = None) -> Any:
        """POST a JSON ``body``."""
        return self.request("POST", path, json_body=body if body is not None else {})

    # ------------------------------------------------------------------ auth
    def login(self, username: str, password: str) -> dict:
        """POST /auth/login; stores the token. Returns ``{"token", "username", "role",
        "office", "full_name", "expires_in"}`` (seconds). ``ApiError`` kind ``auth``
        for wrong credentials."""
        self.token = None
        data = self.post("/auth/login", {"username": username, "password": password})
        self.token = data["token"]
        return data

    def logout(self) -> None:
        """Revoke the token on the server (errors ignored: the token is dropped anyway)."""
        try:
            if self.token:
                self.post("/auth/logout")
        except ApiError:
            pass
        finally:
            self.token = None

    def health(self) -> dict:
        """GET /health (no token needed)."""
        return self.get("/health")

    # ------------------------------------------------------------------ public data
    def queue(self) -> dict:
        """GET /queue: waiting counts per service, counters, last calls."""
        return self.get("/queue")

    def counters(self) -> list[dict]:
        """GET /counters → list of ``{"code", "number", "name", "serves": [{"service", "step"}]}``."""
        return self.get("/counters")["counters"]

    def services(self) -> list[dict]:
        """GET /services → list of services with their questions."""
        return self.get("/services")["services"]

    def offices(self) -> dict:
        """GET /offices."""
        return self.get("/offices")

    def validate_nik(self, nik: str) -> dict:
        """POST /nik/validate → ``{"valid", "errors": [...], "warnings": [...], ...}``."""
        return self.post("/nik/validate", {"nik": nik})

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

    def ticket(self, ticket_id: int) -> dict:
        """GET /tickets/{id}: the ticket with its answers and applications."""
        return self.get(f"/tickets/{ticket_id}")

    # ------------------------------------------------------------------ applications
    def create_application(self, ticket_id: int, service: str, answers: dict, applicant: dict) -> dict:
        return self.post(f"/tickets/{ticket_id}/applications",
                         {"service": service, "answers": answers, "applicant": applicant})

    def application(self, app_id: int) -> dict:
        return self.get(f"/applications/{app_id}")

    def patch_application(self, app_id: int, *, applicant: dict | None = None, answers: dict | None = None,
                          siak_reference: str | None = None, version: int | None = None) -> dict:
        body = {"applicant": applicant, "answers": answers, "siak_reference": siak_reference, "version": version}
        return self.request("PATCH", f"/applications/{app_id}", json_body=body)

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
        return self.get(f"/work-queue/{step}", service=service)["items"]

    def pickup(self, code: str) -> dict:
        return self.get(f"/pickups/{code.strip().upper()}")

    def handover(self, app_id: int, received_by: str, relation: str, identity_checked: bool,
                 version: int | None = None) -> dict:
        return self.post(f"/applications/{app_id}/handover",
                         {"received_by": received_by, "relation": relation,
                          "identity_checked": identity_checked, "version": version})

    def reprint(self, app_id: int, card_serial: str, reason: str) -> dict:
        return self.post(f"/applications/{app_id}/reprint", {"card_serial": card_serial, "reason": reason})

    def uncollected(self) -> dict:
        return self.get("/uncollected")


class EventStream:
    """Follow ``GET /api/v1/events`` in a daemon thread and call ``on_event(type, data,
    id)`` for every event except heartbeats (on that thread). Reconnects after
    ``reconnect`` seconds (doubling up to 10 s) with ``Last-Event-ID``; ``on_state(bool)``
    reports connected / disconnected. ``stop()`` ends it."""

    def __init__(self, client: StationClient, on_event: Callable[[str, dict, int], None], *,
                 on_state: Callable[[bool], None] | None = None, reconnect: float = 0.5,
                 last_id: int | None = None) -> None:
        self.client = client
        self.on_event = on_event
        self.on_state = on_state
        self.reconnect = reconnect
        self.last_id = last_id
        self._stop = threading.Event()
        self._resp: requests.Response | None = None
        self._thread = threading.Thread(target=self._run, name="loket-events", daemon=True)

    def start(self) -> "EventStream":
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        resp = self._resp
        if resp is not None:
            try:
                resp.close()
            except Exception:  # closing a half-read stream from another thread may fail
                pass
        self._thread.join(timeout)

    def _run(self) -> None:
        delay = self.reconnect
        session = requests.Session()
        try:
            while not self._stop.is_set():
                try:
                    self._follow(session)
                    delay = self.reconnect
                except Exception as exc:  # network fault: report and retry
                    log.debug("event stream: %s", exc)
                if self.on_state:
                    self.on_state(False)
                if self._stop.wait(delay):
                    break
                delay = min(delay * 2, 10.0)
        finally:
            session.close()

    def _follow(self, session: requests.Session) -> None:
        headers = self.client._headers({"Accept": "text/event-stream"})
        if self.last_id is not None:
            headers["Last-Event-ID"] = str(self.last_id)
        url = f"{self.client.base_url}/api/v1/events"
        with session.get(url, headers=headers, stream=True, timeout=(self.client.timeout, 15)) as resp:
            if resp.status_code != 200:
                raise ApiError.from_response(resp)
            self._resp = resp
            if self.on_state:
                self.on_state(True)
            kind, data, ev_id = "message", [], None
            for raw in resp.iter_lines(decode_unicode=True):
                if self._stop.is_set():
                    return
                line = raw if raw is not None else ""
                if line == "":
                    if data:
                        if ev_id is not None:
                            self.last_id = ev_id
                        if kind != "heartbeat":
                            try:
                                payload = json.loads("\n".join(data))
                            except ValueError:
                                payload = {"raw": "\n".join(data)}
                            self.on_event(kind, payload, ev_id or 0)
                    kind, data, ev_id = "message", [], None
                elif line.startswith(":"):
                    continue
                else:
                    name, _, value = line.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    if name == "event":
                        kind = value
                    elif name == "data":
                        data.append(value)
                    elif name == "id" and value.strip().isdigit():
                        ev_id = int(value.strip())
