"""Fixtures for the display tests: a real ``loket serve`` on 127.0.0.1 (tests/support/
live_server.py), a TCP proxy that can cut the network between display and server,
and small helpers to issue and call tickets through the API."""
from __future__ import annotations

import socket
import threading
import time

import pytest
from live_server import LiveServer
from server_kit import KIA_7Y


class Proxy:
    """Forwards 127.0.0.1:<port> to ``target_port``; ``cut()`` drops every connection
    and refuses new ones (a network cut) until ``restore()``; ``freeze()`` keeps the
    connections open but forwards nothing (a pulled cable: no FIN, no RST)."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._open = threading.Event()
        self._open.set()
        self._flowing = threading.Event()
        self._flowing.set()
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self._open.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=3)
            except OSError:
                client.close()
                continue
            with self._lock:
                if not self._open.is_set():  # cut while this one was connecting upstream
                    client.close()
                    upstream.close()
                    continue
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, a, b):
        try:
            while True:
                data = a.recv(65536)
                if not data:
                    break
                self._flowing.wait()
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self):
        self._open.clear()
        with self._lock:
            conns, self._conns = self._conns, []
        for s in conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def freeze(self):
        self._flowing.clear()

    def restore(self):
        self._open.set()
        self._flowing.set()

    def close(self):
        self._closed = True
        self._flowing.set()
        self.cut()
        self.listener.close()


class Kit:
    """API helpers for one live server."""

    def __init__(self, server: LiveServer):
        self.server = server
        self.op = server.login("u_operator")

    def issue(self, n: int = 1, service: str = "KIA") -> list[str]:
        answers = KIA_7Y if service == "KIA" else {"reason": "kelahiran"}
        out = []
        for _ in range(n):
            status, body = self.server.request("POST", "/api/v1/tickets", {"service": service, "answers": answers},
                                               token=self.server.tokens["kiosk"])
            assert status == 201, body
            out.append(body["number"])
        return out

    def call_next(self, counter: str) -> str:
        status, body = self.server.request("POST", f"/api/v1/counters/{counter}/call-next", {}, token=self.op)
        assert status == 200, (status, body)
        return body["number"]

    def recall(self, counter: str) -> str:
        status, body = self.server.request("POST", f"/api/v1/counters/{counter}/recall", {}, token=self.op)
        assert status == 200, (status, body)
        return body["number"]


def wait_for(predicate, timeout: float, interval: float = 0.02):
    """Poll ``predicate`` until truthy; returns its value or raises AssertionError."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("display-live"), threads=16).setup(staff_roles=("operator",))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def kit(live):
    return Kit(live)


@pytest.fixture
def proxy(live):
    p = Proxy(live.port)
    yield p
    p.close()


@pytest.fixture
def waiter():
    return wait_for
