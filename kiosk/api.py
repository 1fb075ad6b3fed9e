"""HTTP client of the kiosk for the queue server's ``/api/v1`` (issue 4).

One small class, :class:`KioskApi`, over ``requests``: a bearer token, a timeout per
request (seconds), a few retries with exponential backoff for faults that are safe to
repeat (no answer, timeout, HTTP 502/503/504) and one error type, :class:`ApiError`,
that carries the server's Indonesian ``message`` and English ``message_en``.

Retrying ``POST /tickets`` is safe because every call carries the flow's idempotency
key: the server answers a repeat with the ticket it recorded first (HTTP 200).
"""
from __future__ import annotations

import time
from typing import Any, Callable

import requests

__all__ = ["ApiError", "KioskApi", "UNREACHABLE", "TIMEOUT"]

#: Error code when the server cannot be reached (connection refused, DNS, reset).
UNREACHABLE = "unreachable"
#: Error code when the server did not answer within the timeout.
TIMEOUT = "timeout"

_RETRY_STATUS = (502, 503, 504)


class ApiError(Exception):
    """A failed API call.

    Attributes: ``code`` (server error code, or ``"unreachable"`` / ``"timeout"`` /
    ``"bad_response"``), ``message`` (Bahasa Indonesia), ``message_en``, ``status``
    (HTTP status or None when no answer came), ``details`` (dict from the server) and
    ``retryable`` (True when repeating the same request later may succeed).
    """

    def __init__(self, code: str, message: str, message_en: str = "", *, status: int | None = None,
                 details: dict | None = None, retryable: bool = False) -> None:
        super().__init__(f"{code}: {message_en or message}")
        self.code = code
        self.message = message
        self.message_en = message_en or message
        self.status = status
        self.details = details or {}
        self.retryable = retryable

    def text(self, lang: str = "id") -> str:
        """The message in ``lang`` ("id" or "en")."""
        return self.message_en if lang == "en" else self.message


def _unreachable(detail: str) -> ApiError:
    return ApiError(UNREACHABLE, "Server antrean tidak dapat dihubungi.", "The queue server cannot be reached.",
                    details={"detail": detail}, retryable=True)


def _timeout(detail: str) -> ApiError:
    return ApiError(TIMEOUT, "Server antrean tidak menjawab tepat waktu.", "The queue server did not answer in time.",
                    details={"detail": detail}, retryable=True)


class KioskApi:
    """Client of one queue server for one kiosk token.

    Args:
        base_url: e.g. ``"http://192.168.1.10:8080"`` (``/api/v1`` is appended).
        token: the kiosk's bearer token (``loket token create --role kiosk``).
        timeout: seconds per attempt (connect and read).
        retries: extra attempts for a retryable fault (0 = one attempt only).
        backoff: seconds before the first retry; doubled each time.
        office: office code sent with calls that take one (None: the token's office).
        session: a ``requests.Session`` to use (tests); a new one by default.
        sleep: the sleep function (tests pass a fake).

    Every method returns the decoded JSON (dict) or raises :class:`ApiError`.
    """

    def __init__(self, base_url: str, token: str, *, timeout: float = 5.0, retries: int = 2, backoff: float = 0.3,
                 office: str | None = None, session: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.base = base_url.rstrip("/") + "/api/v1"
        self.token = token
        self.timeout = float(timeout)
        self.retries = int(retries)
        self.backoff = float(backoff)
        self.office = office
        self.session = session or requests.Session()
        self._sleep = sleep

    # ------------------------------------------------------------------ transport
    def _request(self, method: str, path: str, *, lang: str | None = None, params: dict | None = None,
                 json: Any = None, retries: int | None = None) -> dict:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if lang:
            headers["Accept-Language"] = lang
        attempts = 1 + (self.retries if retries is None else retries)
        delay = self.backoff
        last: ApiError | None = None
        for attempt in range(attempts):
            if attempt:
                self._sleep(delay)
                delay *= 2
            try:
                resp = self.session.request(method, self.base + path, params=params, json=json, headers=headers,
                                            timeout=self.timeout)
            except requests.Timeout as exc:
                last = _timeout(str(exc))
                continue
            except requests.RequestException as exc:
                last = _unreachable(str(exc))
                continue
            if resp.status_code in _RETRY_STATUS:
                last = ApiError("server_busy", "Server antrean sedang sibuk.", "The queue server is busy.",
                                status=resp.status_code, retryable=True)
                continue
            return self._decode(resp)
        assert last is not None
        raise last

    @staticmethod
    def _decode(resp: requests.Response) -> dict:
        try:
            data = resp.json() if resp.content else {}
        except ValueError:
            data = None
        if resp.status_code >= 400:
            err = (data or {}).get("error") if isinstance(data, dict) else None
            if isinstance(err, dict):
                raise ApiError(str(err.get("code", "error")), str(err.get("message", "")),
                               str(err.get("message_en", "")), status=resp.status_code,
                               details=err.get("details") or {}, retryable=resp.status_code >= 500)
            raise ApiError("http_error", f"Server menjawab dengan galat {resp.status_code}.",
                           f"The server answered with error {resp.status_code}.", status=resp.status_code,
                           retryable=resp.status_code >= 500)
        if not isinstance(data, dict):
            raise ApiError("bad_response", "Jawaban server tidak dapat dibaca.", "The server's answer is unreadable.",
                           status=resp.status_code)
        return data

    def _office_params(self, extra: dict | None = None) -> dict:
        params = dict(extra or {})
        if self.office:
            params["office"] = self.office
        return params

    # ------------------------------------------------------------------ endpoints
    def health(self) -> dict:
        """``GET /health`` → ``{"ok", "time", "last_event_id", "today"}`` (one attempt)."""
        return self._request("GET", "/health", retries=0)

    def offices(self) -> dict:
        """``GET /offices`` → ``{"offices": [{"code", "name", "short_name", "zone", ...}], "default"}``."""
        return self._request("GET", "/offices")

    def services(self, lang: str = "id") -> dict:
        """``GET /services`` → ``{"office", "services": [{"code", "name", "icon", "questions", "open",
        "reason", "remaining", ...}]}`` with texts in ``lang``."""
        return self._request("GET", "/services", lang=lang, params=self._office_params())

    def requirements(self, service: str, answers: dict[str, Any], lang: str = "id") -> dict:
        """``GET /services/<service>/requirements`` for a case → ``{"service", "items": [{"code", "label",
        "note"}], "facts", "eligible", "ineligible": [{"code", "message", "message_en"}]}``.
        Answers are sent as query parameters (bools as ``true``/``false``)."""
        params = {k: (("true" if v else "false") if isinstance(v, bool) else str(v)) for k, v in answers.items()}
        return self._request("GET", f"/services/{service}/requirements", lang=lang,
                             params=self._office_params(params))

    def issue_ticket(self, service: str, answers: dict[str, Any], priority: str | None,
                     idempotency_key: str) -> dict:
        """``POST /tickets`` → the ticket (``id``, ``number``, ``code``, ``people_ahead``,
        ``estimated_wait_seconds``, ``issued_at`` ISO with offset, ``zone``, ``checklist``,
        ``office_name``, ``created``). Safe to repeat with the same ``idempotency_key``."""
        body = {"service": service, "answers": answers, "priority": priority, "idempotency_key": idempotency_key}
        if self.office:
            body["office"] = self.office
        return self._request("POST", "/tickets", json=body)

    def status(self, code: str, lang: str = "id") -> dict:
        """``GET /status/<code>`` → ``{"kind": "ticket"|"visit"|"application", "text", ...}``;
        ``ApiError`` code ``unknown_code`` when not found."""
        return self._request("GET", f"/status/{requests.utils.quote(code.strip(), safe='')}", lang=lang)

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
