"""The display's small HTTP client for the queue server's REST API (issue 6).

Only what a waiting-room screen reads: ``GET /api/v1/health`` (server clock and the
newest event id), ``GET /api/v1/queue`` (the public state: counters, last calls,
waiting counts) and ``GET /api/v1/offices`` (office name, zone and running text).
Every call has a timeout and is retried with exponential backoff on connection
errors and 5xx answers; failures raise :class:`DisplayApiError` carrying the
server's Indonesian message (``{"error": {"code", "message", "message_en"}}``).
"""
from __future__ import annotations

import time
from typing import Any

import requests

__all__ = ["DisplayApi", "DisplayApiError"]


class DisplayApiError(Exception):
    """A failed API call.

    ``code`` is the server's error code (or ``"network"`` / ``"http_<status>"`` when
    the server gave none), ``message`` the Indonesian text to show, ``message_en`` the
    English one and ``status`` the HTTP status (``None`` for network errors).
    """

    def __init__(self, code: str, message: str, message_en: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.message_en = message_en or message
        self.status = status


class DisplayApi:
    """REST client bound to one server and one bearer token.

    ``server`` is the base URL (``http://127.0.0.1:8080``), ``token`` a ``display``
    (or any) device token. ``timeout`` is seconds per request; ``retries`` extra
    attempts after a network error or 5xx, waiting ``backoff * 2**attempt`` seconds.
    """

    def __init__(self, server: str, token: str, *, timeout: float = 5.0, retries: int = 2,
                 backoff: float = 0.25, session: requests.Session | None = None) -> None:
        self.server = server.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.session = session or requests.Session()

    @property
    def headers(self) -> dict[str, str]:
        """The ``Authorization: Bearer`` header."""
        return {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}

    def close(self) -> None:
        """Close the pooled connections."""
        self.session.close()

    def get(self, path: str, params: dict[str, Any] | None = None) -> dict:
        """GET ``/api/v1<path>`` and return its JSON object; raises DisplayApiError."""
        url = f"{self.server}/api/v1{path}"
        last: DisplayApiError | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                resp = self.session.get(url, params=params, headers=self.headers, timeout=self.timeout)
            except requests.RequestException as exc:
                last = DisplayApiError("network", "Server antrean tidak dapat dihubungi.",
                                       f"Cannot reach the queue server ({exc.__class__.__name__}).")
                continue
            if resp.status_code >= 500:
                last = _error(resp)
                continue
            if resp.status_code >= 400:
                raise _error(resp)
            try:
                return resp.json()
            except ValueError:
                raise DisplayApiError("bad_response", "Jawaban server tidak dapat dibaca.",
                                      "The server's answer is not JSON.", resp.status_code) from None
        assert last is not None
        raise last

    def health(self) -> dict:
        """``{"ok", "time" (server epoch s), "last_event_id", "today"}``."""
        return self.get("/health")

    def queue(self, office: str | None = None) -> dict:
        """The public queue overview of ``office`` (token's office when None)."""
        return self.get("/queue", {"office": office} if office else None)

    def offices(self) -> dict:
        """``{"offices": [{"code", "name", "short_name", "timezone", "zone", "running_text", ...}], "default"}``."""
        return self.get("/offices")


def _error(resp: requests.Response) -> DisplayApiError:
    try:
        err = resp.json()["error"]
        return DisplayApiError(err.get("code", f"http_{resp.status_code}"), err.get("message", ""),
                               err.get("message_en", ""), resp.status_code)
    except (ValueError, KeyError, TypeError):
        return DisplayApiError(f"http_{resp.status_code}", f"Server menjawab dengan galat {resp.status_code}.",
                               f"The server answered with error {resp.status_code}.", resp.status_code)
