"""The simulation's HTTP side: :class:`Api` (the one client, never retrying; a cut-off
answer is :class:`ServerDown`) and :class:`ServerProcess` (a ``loket serve`` on an
accelerated clock that can be SIGKILLed and started again)."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from client.http import ApiError, Client
from loket.devserver import DevServer

from .plan import ADMIN_PASSWORD


class ServerDown(Exception):
    """The server did not answer (killed, restarting); the caller re-reads the state."""


# --------------------------------------------------------------------------- HTTP and the server process

class Api:
    """JSON over HTTP to ``base`` (``http://host:port``) through the one client
    (:class:`client.http.Client`, never retrying: the caller decides after
    ``ServerDown``). ``request`` raises ``ServerDown`` when no whole answer came
    (refused, reset, or cut off by a SIGKILL) and :class:`client.http.ApiError` on
    non-2xx answers."""

    def __init__(self, base: str, timeout: float = 20.0):
        self.client = Client(base, timeout=timeout, retries=0)
        self.base = self.client.base_url

    def request(self, method: str, path: str, body: Any = None, token: str | None = None, *,
                raw: bytes | None = None, content_type: str = "application/json", want_bytes: bool = False) -> Any:
        """``method /api/v1{path}`` with ``body`` as JSON (or ``raw`` bytes of
        ``content_type``) and a bearer ``token``; returns the parsed JSON (None when
        empty) or, with ``want_bytes``, the raw answer's bytes."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if raw is not None:
            headers["Content-Type"] = content_type
        try:
            resp = self.client.request(method, path, json=body if raw is None else None, data=raw,
                                       headers=headers, raw=True, retries=0)
            if want_bytes:
                return resp.content
            return resp.json() if resp.content else None
        except ApiError as e:
            if e.status is None:
                raise ServerDown(e.details.get("detail") or e.code) from None
            raise
        except ValueError as e:  # a 2xx body cut off mid-JSON by the same crash
            raise ServerDown(f"truncated answer: {e}") from None

    def wait_healthy(self, timeout_real: float = 60.0) -> dict:
        """Poll ``/api/v1/health`` until it answers; returns it. Raises ``ServerDown``."""
        deadline = time.monotonic() + timeout_real
        while True:
            try:
                return self.request("GET", "/health")
            except (ServerDown, ApiError):
                if time.monotonic() > deadline:
                    raise ServerDown("server not healthy") from None
                time.sleep(0.1)


class ServerProcess(DevServer):
    """A ``loket serve`` (:class:`loket.devserver.DevServer`) on 127.0.0.1 with its own
    data dir on an accelerated clock (``speed`` simulated seconds per real second);
    ``kill()`` is SIGKILL (a crash), ``start(clock_start)`` runs it again."""

    def __init__(self, data_dir: Path, speed: float, workers: int = 2):
        super().__init__(data_dir, workers=workers, threads=32)
        self.speed = speed

    def init(self) -> "ServerProcess":
        """``loket init`` with the simulation's admin password."""
        super().init(ADMIN_PASSWORD)
        return self

    def start(self, clock_start: str) -> "ServerProcess":
        """Start serving with the clock at ``clock_start`` (ISO 8601 with offset).
        Raises ``loket.devserver.ServerDidNotStart``."""
        super().start("--clock-start", clock_start, "--clock-speed", str(self.speed))
        return self
