"""Fixtures for the display tests: a real ``loket serve`` on 127.0.0.1 (tests/support/
live_server.py), a TCP proxy that can cut the network between display and server,
and small helpers to issue and call tickets through the API."""
from __future__ import annotations

import time

import pytest
from live_server import LiveServer
from net_kit import Proxy
from server_kit import KIA_7Y


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
