"""A real ``loket serve`` process on 127.0.0.1 for tests and benchmarks.

``LiveServer(data_dir)`` runs ``loket init`` (admin password known), creates staff and
device tokens through the CLI, starts the server on a free loopback port and waits for
``/api/v1/health``. ``kill()`` sends SIGKILL (a crash), ``restart()`` starts it again on
the same port and data. Everything stops by itself in ``stop()``.
"""
from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from loket.devserver import DevServer, free_port, run_loket  # noqa: F401  (free_port: for the tests)

ADMIN_PASSWORD = "admin-pass-123"
STAFF_PASSWORD = "petugas-123"


def loket(*args: str, data_dir: Path, check: bool = True, timeout: float = 60,
          env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``loket ARGS --data-dir DATA_DIR`` with this interpreter (``env``: the whole
    environment, e.g. with ``DATABASE_URL``)."""
    return run_loket(*args, data_dir=data_dir, check=check, timeout=timeout, env=env)


class LiveServer(DevServer):
    """A loket server process (:class:`loket.devserver.DevServer`) with staff accounts and
    device tokens; ``url`` is ``http://127.0.0.1:PORT``."""

    def __init__(self, data_dir: Path, *, threads: int = 64, workers: int = 2, extra_args: tuple[str, ...] = (),
                 ignore_hours: bool = True, env: dict | None = None):
        super().__init__(data_dir, workers=workers, threads=threads, extra_args=extra_args, ignore_hours=ignore_hours,
                         env=env)
        self.tokens: dict[str, str] = {}

    def setup(self, staff_roles=("operator", "verifikator", "pejabat_tte", "petugas_cetak", "petugas_distribusi",
                                 "kepala")) -> "LiveServer":
        loket("init", "--admin-password", ADMIN_PASSWORD, data_dir=self.data_dir, env=self.env)
        for role in staff_roles:
            loket("staff", "add", f"u_{role}", "--role", role, "--password", STAFF_PASSWORD, data_dir=self.data_dir,
                  env=self.env)
        for role in ("kiosk", "display"):
            out = loket("token", "create", "--role", role, "--name", f"{role}-1", data_dir=self.data_dir, env=self.env)
            self.tokens[role] = out.stdout.strip().splitlines()[-1]
        return self

    def start(self, timeout: float = 30) -> "LiveServer":
        """Start and wait for ``/health``; returns self."""
        super().start(timeout=timeout)
        return self

    def login(self, username: str, password: str = STAFF_PASSWORD) -> str:
        status, body = self.request("POST", "/api/v1/auth/login", {"username": username, "password": password})
        assert status == 200, body
        return body["token"]

    def request(self, method: str, path: str, body=None, token: str | None = None, timeout: float = 10,
                headers: dict | None = None):
        """One JSON request; returns (status, parsed body or None)."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                raw = r.read()
                return r.status, (json.loads(raw) if raw else None)
        except urllib.error.HTTPError as e:
            raw = e.read()
            return e.code, (json.loads(raw) if raw else None)

    def restart(self) -> "LiveServer":
        """SIGKILL and start again on the same port and data."""
        self.kill()
        return self.start()


def read_sse(url: str, token: str, *, last_id: int | None = None, until: int = 1, timeout: float = 10,
             types: set[str] | None = None, on_open=None) -> list[dict]:
    """Open an SSE stream and collect ``until`` events (heartbeats excluded unless asked
    for in ``types``); returns the parsed ``data`` dicts with their ``id``."""
    import http.client
    from urllib.parse import urlparse

    u = urlparse(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
    if last_id is not None:
        headers["Last-Event-ID"] = str(last_id)
    conn.request("GET", u.path + ("?" + u.query if u.query else ""), headers=headers)
    resp = conn.getresponse()
    assert resp.status == 200, resp.read()
    if on_open:
        on_open()
    out: list[dict] = []
    event: dict = {}
    deadline = time.time() + timeout
    try:
        while len(out) < until and time.time() < deadline:
            try:
                line = resp.fp.readline()
            except TimeoutError:  # nothing more within the caller's time budget
                break
            if not line:
                break
            line = line.decode().rstrip("\n")
            if not line:
                if "data" in event and (types is None and event.get("event") != "heartbeat" or
                                        types is not None and event.get("event") in types):
                    d = json.loads(event["data"])
                    d["_event"] = event.get("event")
                    out.append(d)
                event = {}
                continue
            if line.startswith(":"):
                continue
            key, _, value = line.partition(": ")
            event[key] = value
    finally:
        conn.close()
    return out
