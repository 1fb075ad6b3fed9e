"""Attacks on a real ``loket serve`` (two worker processes) on 127.0.0.1, bounded in
count and time (issue 16): wrong passwords do not stall the office's writes; a logout,
a disabled account or a revoked device is refused at once by every worker."""
from __future__ import annotations

import os
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from live_server import STAFF_PASSWORD, LiveServer
from server_kit import KIA_7Y


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    # every test client is 127.0.0.1: lift the per-address login limit, or the guessers
    # below would be refused before any hash is checked (the limit has its own tests)
    env = {**os.environ, "LOKET_LOGIN_ADDRESS_LIMIT": "100000"}
    s = LiveServer(tmp_path_factory.mktemp("live-security"), workers=2, env=env).setup()
    s.start()
    yield s
    s.stop()


def _ticket_seconds(server) -> float:
    start = time.perf_counter()
    status, _ = server.request("POST", "/api/v1/tickets", {"service": "KIA", "answers": KIA_7Y},
                               token=server.tokens["kiosk"], timeout=30)
    assert status == 201
    return time.perf_counter() - start


def test_wrong_passwords_from_16_clients_do_not_stall_ticket_issuing(server):
    # issue 16 item 1: the scrypt check ran inside the global write lock, so 16 guessing
    # clients took a kiosk's ticket from 7 ms to 3.8 s. Each guesser targets its own
    # (unknown) account and address limit is far away: this is about the lock, not the lockout.
    stop = threading.Event()

    def guess(i):
        n = 0
        while not stop.is_set() and n < 40:
            server.request("POST", "/api/v1/auth/login", {"username": f"tebak-{i}-{n}", "password": "salah-sekali"},
                           timeout=30)
            n += 1

    with ThreadPoolExecutor(max_workers=16) as pool:
        for i in range(16):
            pool.submit(guess, i)
        time.sleep(1.0)  # the guessing is in full swing
        during = [_ticket_seconds(server) for _ in range(15)]
        stop.set()
    # generous bounds for a shared 2-core machine; the figures are in bench/bench_server.py
    assert statistics.median(during) < 0.5, during
    assert max(during) < 2.0, during


def test_a_logout_is_refused_at_once_by_every_worker(server):
    token = server.login("u_operator")
    for _ in range(20):  # both worker processes have the token in their cache now
        assert server.request("GET", "/api/v1/auth/me", token=token)[0] == 200
    assert server.request("POST", "/api/v1/auth/logout", token=token)[0] == 200
    statuses = [server.request("GET", "/api/v1/auth/me", token=token)[0] for _ in range(20)]
    assert statuses == [401] * 20  # no worker serves the logged-out token from its cache


def test_a_disabled_account_ends_its_sessions_on_every_worker(server):
    admin = server.login("admin", "admin-pass-123")
    token = server.login("u_verifikator", STAFF_PASSWORD)
    for _ in range(20):
        assert server.request("GET", "/api/v1/auth/me", token=token)[0] == 200
    assert server.request("POST", "/api/v1/staff/u_verifikator/disable", token=admin)[0] == 200
    assert [server.request("GET", "/api/v1/auth/me", token=token)[0] for _ in range(20)] == [401] * 20
    status, body = server.request("POST", "/api/v1/auth/login", {"username": "u_verifikator",
                                                                  "password": STAFF_PASSWORD})
    assert status == 401
    assert server.request("POST", "/api/v1/staff/u_verifikator/enable", token=admin)[0] == 200


def test_600_idle_connections_do_not_shut_the_kiosks_out(server):
    # issue 16 item 2: ~520 idle sockets used to exhaust both workers (256 each, idle kept 300 s)
    import socket
    idle = []
    try:
        for _ in range(600):
            s = socket.create_connection(("127.0.0.1", int(server.url.rsplit(":", 1)[1])), timeout=5)
            idle.append(s)
        time.sleep(1.0)
        seconds = [_ticket_seconds(server) for _ in range(5)]
        assert max(seconds) < 1.0, seconds
        # the server closes sockets that never send anything (IDLE_SECONDS = 20), bounded wait
        deadline = time.monotonic() + 40
        closed = 0
        while time.monotonic() < deadline and closed < len(idle):
            closed = 0
            for s in idle:
                s.settimeout(0.0)
                try:
                    closed += s.recv(1) == b""
                except BlockingIOError:
                    pass
                except OSError:
                    closed += 1
            time.sleep(1.0)
        assert closed == len(idle)
    finally:
        for s in idle:
            s.close()


def test_one_token_cannot_take_every_event_stream(server):
    # issue 16 item 8: 112 streams from one display token left every counter with 409
    import http.client
    port = int(server.url.rsplit(":", 1)[1])

    def open_stream(token):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/api/v1/events", headers={"Authorization": f"Bearer {token}"})
        resp = conn.getresponse()
        return conn, resp

    display = server.tokens["display"]
    streams = []
    try:
        for _ in range(40):  # far more than the per-token limit (4 per worker process)
            conn, resp = open_stream(display)
            assert resp.status == 200
            assert resp.read(5)  # "retry" hint: subscribed
            resp.fp.raw._sock.settimeout(0.5)  # the response owns the socket (Connection: close)
            streams.append((conn, resp))
        time.sleep(1.0)
        ended = 0
        for conn, resp in streams:
            try:
                while resp.read(256):
                    pass
                ended += 1  # the server ended this older stream
            except (TimeoutError, OSError, ValueError):
                pass  # still live: nothing more within 0.5 s (heartbeats every 3 s)
        assert ended >= 40 - 2 * 4, ended  # at most 4 live per worker process
        # a counter station still gets its stream
        conn, resp = open_stream(server.login("u_operator"))
        assert resp.status == 200 and resp.read(5)
        conn.close()
    finally:
        for conn, _ in streams:
            conn.close()
