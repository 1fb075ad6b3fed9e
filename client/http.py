"""HTTP JSON client of the queue server's ``/api/v1``: one error type, one retry policy.

:class:`Client` wraps a ``requests.Session`` with a bearer token, ``Accept-Language``,
a timeout per attempt and this retry policy (the only one in Loket):

* ``GET``, ``HEAD``, ``PUT`` and ``DELETE`` are repeated after a network fault or an
  HTTP 502/503/504 answer — they are safe to repeat;
* ``POST`` and ``PATCH`` are repeated only when the request never reached the server
  (connection refused, connect timeout), or when the caller marks the call
  ``idempotent=True`` (e.g. ``POST /tickets`` with its idempotency key, which the
  server answers with the ticket it recorded first), so an action is never done twice;
* attempts wait ``backoff × 2**n`` seconds between them.

Every failure raises :class:`ApiError`, carrying the server's Indonesian ``message``,
the English ``message_en``, the stable ``code`` and a ``kind`` the clients act on.
"""
from __future__ import annotations

import contextlib
import time
from typing import Any, Callable

import requests

from .protocol import API_PREFIX, RETRY_STATUSES, parse_error

__all__ = ["ApiError", "Client", "UNREACHABLE", "TIMEOUT", "SERVER_BUSY", "CERTIFICATE", "check_ca_file"]

#: ``ApiError.code`` when the server cannot be reached (refused, DNS, reset).
UNREACHABLE = "unreachable"
#: ``ApiError.code`` when the server did not answer within the timeout.
TIMEOUT = "timeout"
#: ``ApiError.code`` for a 502/503/504 answer without the server's error body.
SERVER_BUSY = "server_busy"
#: ``ApiError.code`` when an https server's certificate is not trusted (no or the wrong
#: ``ca_file``, a certificate for another name, expired): a set-up fault, not retried.
CERTIFICATE = "certificate_untrusted"

_SAFE_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE"})
_KINDS = {400: "invalid", 401: "auth", 403: "forbidden", 404: "not_found", 405: "invalid", 409: "conflict",
          413: "invalid", 415: "invalid", 422: "invalid", 429: "offline", 502: "offline", 503: "offline",
          504: "offline"}
_MESSAGES = {
    UNREACHABLE: ("Server antrean tidak dapat dihubungi. Periksa jaringan; perangkat mencoba lagi otomatis.",
                  "The queue server cannot be reached. Check the network; the device retries automatically."),
    TIMEOUT: ("Server antrean tidak menjawab tepat waktu.", "The queue server did not answer in time."),
    SERVER_BUSY: ("Server antrean sedang sibuk.", "The queue server is busy."),
    CERTIFICATE: ("Sertifikat server antrean tidak dipercaya: periksa berkas CA kantor (--ca-file) dan alamat "
                  "server.", "The queue server's certificate is not trusted: check the office CA file (--ca-file) "
                  "and the server address."),
}


class ApiError(Exception):
    """A refused or failed API call.

    Attributes: ``code`` (the server's error code, e.g. ``"ticket_changed"``, or
    ``"unreachable"`` / ``"timeout"`` / ``"server_busy"`` / ``"http_error"`` /
    ``"bad_response"``), ``message`` (Bahasa Indonesia), ``message_en``, ``status``
    (HTTP status, None when no answer came), ``details`` (dict from the server, e.g.
    ``{"field": "nik"}``), ``retryable`` (True when repeating later may succeed) and
    ``kind``:

    =============  ============================================================
    ``offline``    no answer, timeout, 429, 502-504: show it, retry later
    ``auth``       401: token expired or revoked → log in again
    ``forbidden``  403: the role may not do this
    ``not_found``  404: unknown ticket, code, application
    ``conflict``   409: another officer acted first, quota used up, duplicate
    ``invalid``    400/405/413/415/422: the input is refused (message says why)
    ``server``     any other status (500)
    =============  ============================================================
    """

    def __init__(self, code: str, message: str, message_en: str = "", *, status: int | None = None,
                 details: dict | None = None, retryable: bool | None = None) -> None:
        super().__init__(f"{status or '-'} {code}: {message_en or message}")
        self.code = code
        self.message = message
        self.message_en = message_en or message
        self.status = status
        self.details = details or {}
        self.retryable = (status is None or status >= 500 or status == 429) if retryable is None \
            else retryable

    @property
    def kind(self) -> str:
        """What the caller should do about it (see the class table)."""
        if self.status is None:
            return "offline"
        return _KINDS.get(self.status, "server")

    @property
    def field(self) -> str | None:
        """The input field the server named (``details["field"]``), if any."""
        value = self.details.get("field")
        return str(value) if value else None

    def text(self, lang: str = "id") -> str:
        """The message in ``lang`` ("id" default, "en")."""
        return self.message_en if lang == "en" else self.message

    @classmethod
    def no_answer(cls, code: str, detail: str = "") -> "ApiError":
        """The error for a request without an answer: ``code`` UNREACHABLE, TIMEOUT or
        CERTIFICATE (not retryable: the set-up must change)."""
        msg, msg_en = _MESSAGES[code]
        return cls(code, msg, msg_en, details={"detail": detail} if detail else {}, retryable=code != CERTIFICATE)

    @classmethod
    def from_response(cls, resp: requests.Response) -> "ApiError":
        """Build from an error answer with the server's ``{"error": {...}}`` body (any
        other body gives a generic message with the status)."""
        try:
            err = parse_error(resp.json())
        except ValueError:
            err = None
        if err is not None:
            return cls(str(err.get("code") or "error"), str(err.get("message") or ""),
                       str(err.get("message_en") or ""), status=resp.status_code, details=err.get("details") or {})
        if resp.status_code in RETRY_STATUSES:
            msg, msg_en = _MESSAGES[SERVER_BUSY]
            return cls(SERVER_BUSY, msg, msg_en, status=resp.status_code)
        return cls("http_error", f"Server menjawab dengan galat {resp.status_code}.",
                   f"The server answered with error {resp.status_code}.", status=resp.status_code)


def check_ca_file(path: str | None) -> str | None:
    """``path`` as a string when it is a readable PEM file of certificates, None for
    None. Raises ValueError (naming the file) otherwise."""
    if not path:
        return None
    import os
    import ssl
    path = os.fspath(path)
    try:
        ssl.create_default_context(cafile=path)
    except (OSError, ssl.SSLError) as exc:
        raise ValueError(f"CA file {path!r} cannot be used: {exc}") from None
    return path


def _never_sent(exc: requests.RequestException) -> bool:
    """True when the request cannot have reached the server (safe to send again)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    text = repr(exc)
    return "NewConnectionError" in text or "Connection refused" in text or "NameResolutionError" in text


class Client:
    """Client of one queue server.

    Args:
        base_url: e.g. ``"http://192.168.1.10:8080"`` (``/api/v1`` is appended).
        token: bearer token (device token, or set by :meth:`login`); None: none sent.
        timeout: seconds per attempt (connect and read).
        retries: extra attempts after a fault that the policy allows to repeat.
        backoff: seconds before the first retry; doubled each time.
        lang: "id" or "en", sent as ``Accept-Language``.
        session: a ``requests.Session`` (tests); a new one by default.
        sleep: the sleep function (tests pass a fake).
        ca_file: PEM file of the office's certificate authority, for an ``https://``
            server behind the office's TLS proxy (docs/deployment.md); None: the
            system's authorities. The server's certificate is always verified.

    Raises ValueError when ``base_url`` is not http(s) or ``ca_file`` is not a readable
    file. Thread-safe for concurrent calls.
    """

    def __init__(self, base_url: str, token: str | None = None, *, timeout: float = 5.0, retries: int = 2,
                 backoff: float = 0.3, lang: str = "id", session: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep, ca_file: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"server URL must start with http:// or https://, got {base_url!r}")
        self.token = token
        self.timeout = float(timeout)
        self.retries = int(retries)
        self.backoff = float(backoff)
        self.lang = lang
        self.session = session or requests.Session()
        self.ca_file = check_ca_file(ca_file)
        # given with each request: requests lets REQUESTS_CA_BUNDLE override a session's verify
        self._tls = {"verify": self.ca_file} if self.ca_file else {}
        self._sleep = sleep

    @property
    def api_url(self) -> str:
        """``base_url`` + ``/api/v1``."""
        return self.base_url + API_PREFIX

    def headers(self, extra: dict | None = None, *, lang: str | None = None) -> dict:
        """Headers of every call: ``Accept``, ``Accept-Language`` and the bearer token."""
        h = {"Accept": "application/json", "Accept-Language": lang or self.lang}
        if self.token:
            h["Authorization"] = f"Bearer {self.token}"
        h.update(extra or {})
        return h

    def close(self) -> None:
        """Close the pooled connections."""
        self.session.close()

    # ------------------------------------------------------------------ transport
    def request(self, method: str, path: str, *, json: Any = None, params: dict | None = None,
                data: bytes | None = None, headers: dict | None = None, lang: str | None = None,
                raw: bool = False, idempotent: bool = False, retries: int | None = None) -> Any:
        """Call ``/api/v1{path}``.

        Returns the decoded JSON (None for 204 or an empty body), or the
        ``requests.Response`` when ``raw``. ``idempotent`` lets a POST/PATCH be repeated
        after any fault; ``retries`` overrides the client's count for this call.
        Raises :class:`ApiError`.
        """
        method = method.upper()
        repeatable = idempotent or method in _SAFE_METHODS
        attempts = 1 + (self.retries if retries is None else retries)
        url = self.api_url + path
        last: ApiError | None = None
        for attempt in range(attempts):
            if attempt:
                self._sleep(self.backoff * 2 ** (attempt - 1))
            try:
                resp = self.session.request(method, url, json=json, params=params, data=data,
                                            headers=self.headers(headers, lang=lang), timeout=self.timeout,
                                            **self._tls)
            except requests.exceptions.SSLError as exc:
                raise ApiError.no_answer(CERTIFICATE, str(exc)) from None
            except requests.RequestException as exc:
                timed_out = isinstance(exc, requests.Timeout) and not isinstance(exc, requests.ConnectTimeout)
                last = ApiError.no_answer(TIMEOUT if timed_out else UNREACHABLE, str(exc))
                if repeatable or _never_sent(exc):
                    continue
                raise last from None
            if resp.status_code in RETRY_STATUSES and repeatable and attempt + 1 < attempts:
                last = ApiError.from_response(resp)
                continue
            return self._decode(resp, raw)
        assert last is not None
        raise last

    @staticmethod
    def _decode(resp: requests.Response, raw: bool) -> Any:
        if resp.status_code >= 400:
            raise ApiError.from_response(resp)
        if raw:
            return resp
        if resp.status_code == 204 or not resp.content:
            return None
        try:
            return resp.json()
        except ValueError:
            raise ApiError("bad_response", "Jawaban server tidak dapat dibaca.",
                           "The server's answer could not be read.", status=resp.status_code,
                           retryable=False) from None

    def get(self, path: str, params: dict | None = None, **kw) -> Any:
        """GET with query ``params`` (None values dropped)."""
        clean = {k: v for k, v in (params or {}).items() if v is not None} or None
        return self.request("GET", path, params=clean, **kw)

    def post(self, path: str, body: Any = None, **kw) -> Any:
        """POST a JSON ``body`` (``{}`` when None)."""
        return self.request("POST", path, json=body if body is not None else {}, **kw)

    def patch(self, path: str, body: Any, **kw) -> Any:
        """PATCH a JSON ``body``."""
        return self.request("PATCH", path, json=body, **kw)

    # ------------------------------------------------------------------ common calls
    def health(self) -> dict:
        """``GET /health`` (no token needed, one attempt) → ``{"ok", "time" (server epoch
        s), "last_event_id", "today", "office_day"}``."""
        return self.request("GET", "/health", retries=0)

    def offices(self) -> dict:
        """``GET /offices`` → ``{"offices": [{"code", "name", "short_name", "timezone",
        "zone", "running_text", ...}], "default"}``."""
        return self.get("/offices")

    def queue(self, office: str | None = None) -> dict:
        """``GET /queue``: the public overview (waiting per service, counters, last calls)."""
        return self.get("/queue", {"office": office})

    def login(self, username: str, password: str) -> dict:
        """``POST /auth/login``; keeps the token. Returns ``{"token", "username", "role",
        "office", "full_name", "expires_in"}`` (seconds). ApiError kind ``auth`` for
        wrong credentials."""
        self.token = None
        data = self.post("/auth/login", {"username": username, "password": password})
        self.token = data["token"]
        return data

    def logout(self) -> None:
        """Revoke the token on the server (errors ignored: the token is dropped anyway)."""
        try:
            with contextlib.suppress(ApiError):
                if self.token:
                    self.post("/auth/logout", retries=0)
        finally:
            self.token = None
