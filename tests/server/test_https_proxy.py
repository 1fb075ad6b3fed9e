"""HTTPS on the office LAN (issue 16 item 18): Debian's nginx runs the shipped site file
``deploy/nginx/loket.conf`` (only its ports and certificate folder changed) with a
certificate from ``scripts/office-ca.sh``, in front of a real ``loket serve
--trusted-proxy 127.0.0.1``. Clients reach it from other loopback addresses (127.0.0.2,
127.0.0.3) so the address the audit log records can be told apart from the proxy's."""
from __future__ import annotations

import http.client
import json
import shutil
import sqlite3
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest
from live_server import LiveServer, free_port, loket
from server_kit import KIA_7Y

from client.http import ApiError, Client
from client.sse import EventFeed
from kiosk.api import KioskApi

REPO = Path(__file__).resolve().parents[2]
SITE = REPO / "deploy" / "nginx" / "loket.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

pytestmark = pytest.mark.slow


def _nginx_conf(tmp: Path, tls: Path, http_port: int, https_port: int, upstream: int) -> Path:
    site = SITE.read_text(encoding="utf-8")
    for old, new, count in (("listen 80;", f"listen 127.0.0.1:{http_port};", 1),
                            ("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;", 1),
                            ("/etc/loket/tls/", f"{tls}/", 2),
                            ("http://127.0.0.1:8080;", f"http://127.0.0.1:{upstream};", 2)):
        assert site.count(old) == count, old  # the shipped file is what runs here
        site = site.replace(old, new)
    (tmp / "site.conf").write_text(site, encoding="utf-8")
    temp = "\n".join(f"    {k}_temp_path {tmp}/{k};" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = tmp / "nginx.conf"
    conf.write_text(f"""daemon off;
master_process off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
{temp}
    include {tmp}/site.conf;
}}
""", encoding="utf-8")
    return conf


def _wait_port(port: int, proc: subprocess.Popen, log: Path, timeout: float = 20) -> None:
    import socket
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"nginx exited: {log.read_text() if log.exists() else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("nginx did not listen")


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """(server, proxy base URL, http URL, CA file) with nginx stopped at the end."""
    tmp = tmp_path_factory.mktemp("tls-proxy")
    tls = tmp / "tls"
    subprocess.run(["bash", str(REPO / "scripts" / "office-ca.sh"), str(tls), "loket.dukcapil.local", "127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    assert (tls / "loket.key").stat().st_mode & 0o077 == 0  # private keys are the owner's only
    srv = LiveServer(tmp / "data", workers=2, extra_args=("--trusted-proxy", "127.0.0.1")).setup().start()
    http_port, https_port = free_port(), free_port()
    conf = _nginx_conf(tmp, tls, http_port, https_port, srv.port)
    proc = subprocess.Popen([NGINX, "-p", str(tmp), "-c", str(conf), "-e", str(tmp / "error.log")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_port(https_port, proc, tmp / "error.log")
        yield srv, f"https://127.0.0.1:{https_port}", f"http://127.0.0.1:{http_port}", str(tls / "office-ca.crt")
    finally:
        proc.terminate()
        proc.wait(10)
        srv.stop()


def _request(base: str, method: str, path: str, *, source: str, ca: str | None = None, body=None,
             headers: dict | None = None):
    """One request from the loopback address ``source``; returns (status, headers, json)."""
    from urllib.parse import urlsplit
    u = urlsplit(base)
    if u.scheme == "https":
        conn = http.client.HTTPSConnection(u.hostname, u.port, timeout=10, source_address=(source, 0),
                                           context=ssl.create_default_context(cafile=ca))
    else:
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10, source_address=(source, 0))
    try:
        data = None if body is None else json.dumps(body).encode()
        conn.request(method, "/api/v1" + path, body=data,
                     headers={"Content-Type": "application/json", **(headers or {})})
        r = conn.getresponse()
        raw = r.read()
        return r.status, dict(r.getheaders()), (json.loads(raw) if raw and raw[:1] in b"{[" else raw)
    finally:
        conn.close()


def _last_login_address(srv: LiveServer, username: str) -> str:
    with sqlite3.connect(f"file:{srv.data_dir / 'loket.sqlite3'}?mode=ro", uri=True) as conn:
        return conn.execute('SELECT "remote_addr" FROM "audit_log" WHERE "action" = ? AND "actor" = ? '
                            'ORDER BY "id" DESC LIMIT 1', ("auth.login", username)).fetchone()[0]


def test_through_the_proxy_the_public_url_is_https_and_hsts_is_sent(office):
    srv, https, http_url, ca = office
    status, headers, body = _request(https, "GET", "/health", source="127.0.0.2", ca=ca)
    assert status == 200 and body["ok"] is True
    assert body["public_url"] == https
    assert headers["Strict-Transport-Security"] == "max-age=31536000"
    # straight to waitress on loopback: plain http, no HSTS
    status, headers, body = _request(srv.url, "GET", "/health", source="127.0.0.1")
    assert body["public_url"] == srv.url and "Strict-Transport-Security" not in headers
    # clear text on the LAN is sent to https
    status, headers, _ = _request(http_url, "GET", "/health", source="127.0.0.2")
    assert status == 301 and headers["Location"] == "https://127.0.0.1/api/v1/health"  # the host asked for


def test_the_audit_log_records_the_clients_address_not_the_proxys(office):
    srv, https, _, ca = office
    creds = {"username": "u_operator", "password": "petugas-123"}
    status, _, body = _request(https, "POST", "/auth/login", source="127.0.0.2", ca=ca, body=creds,
                               headers={"X-Forwarded-For": "10.9.9.9"})  # a claim nginx replaces
    assert status == 200, body
    assert _last_login_address(srv, "u_operator") == "127.0.0.2"
    # a client that goes around the proxy cannot claim an address either
    status, _, body = _request(srv.url, "POST", "/auth/login", source="127.0.0.3", body=creds,
                               headers={"X-Forwarded-For": "10.9.9.9", "X-Forwarded-Proto": "https"})
    assert status == 200, body
    assert _last_login_address(srv, "u_operator") == "127.0.0.3"


def test_devices_verify_the_server_with_the_office_ca(office):
    srv, https, _, ca = office
    with pytest.raises(ApiError) as refused:  # the system's authorities do not know the office CA
        Client(https, retries=0).health()
    err = refused.value
    assert err.code == "certificate_untrusted" and not err.retryable and err.kind == "offline"
    assert "CERTIFICATE_VERIFY_FAILED" in err.details["detail"] and "--ca-file" in err.message
    kiosk = KioskApi(https, srv.tokens["kiosk"], retries=0, ca_file=ca)
    ticket = kiosk.issue_ticket("KIA", KIA_7Y, None, idempotency_key="tls-1")
    assert ticket["number"].startswith("A")
    with pytest.raises(ValueError):
        Client(https, ca_file=str(Path(ca).with_name("no-such-ca.crt")))


def test_the_event_stream_passes_the_proxy_at_once(office):
    srv, https, _, ca = office
    events, opened = [], []
    feed = EventFeed(https, srv.tokens["display"], ca_file=ca, on_open=lambda: opened.append(1),
                     on_event=lambda ev: events.append(ev)).start()
    try:
        deadline = time.monotonic() + 15
        while not opened and time.monotonic() < deadline:
            time.sleep(0.05)
        assert opened, "the stream did not open through nginx"
        kiosk = KioskApi(https, srv.tokens["kiosk"], retries=0, ca_file=ca)
        number = kiosk.issue_ticket("KIA", KIA_7Y, None, idempotency_key="tls-2")["number"]
        while time.monotonic() < deadline and not any(
                e.event == "ticket.issued" and e.json().get("number") == number for e in events):
            time.sleep(0.05)
        assert any(e.event == "ticket.issued" and e.json().get("number") == number for e in events)
    finally:
        feed.stop()


def test_serve_refuses_a_trusted_proxy_that_is_not_an_address(tmp_path):
    r = loket("serve", "--trusted-proxy", "nginx-pc", data_dir=tmp_path / "d", check=False)
    assert r.returncode == 2 and "bukan alamat IP" in r.stderr


def test_a_waiting_room_display_runs_over_https_with_the_office_ca(office, tmp_path):
    """The real ``loket display`` window (Xvfb) on the proxy's https URL with
    ``--ca-file``: it connects, and a call made through the proxy reaches its screen."""
    from xvfb_kit import kivy_env, start_xvfb, stop_xvfb

    srv, https, _, ca = office
    display, xvfb = start_xvfb(1280, 720)
    folder = tmp_path / "display"
    folder.mkdir()
    log = open(folder / "display.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "loket.cli", "display", "--server", https, "--ca-file", ca,
                             "--token", srv.tokens["display"], "--size", "1280x720", "--no-voice",
                             "--automation", str(folder)],
                            env=kivy_env(display, str(folder / "kivy-home")), stdout=log, stderr=subprocess.STDOUT)
    try:
        def status() -> dict:
            try:
                return json.loads((folder / "status.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return {}

        def wait(predicate, timeout: float) -> dict:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                assert proc.poll() is None, (folder / "display.log").read_text(errors="replace")[-3000:]
                st = status()
                if st and predicate(st):
                    return st
                time.sleep(0.05)
            raise AssertionError(f"not on screen in {timeout} s: {status()}")

        wait(lambda st: st.get("connection") == "live", 40)
        kiosk = KioskApi(https, srv.tokens["kiosk"], retries=0, ca_file=ca)
        kiosk.issue_ticket("KIA", KIA_7Y, None, idempotency_key="tls-display")
        op = Client(https, ca_file=ca)
        op.token = op.request("POST", "/auth/login", json={"username": "u_operator",
                                                            "password": "petugas-123"})["token"]
        number = op.request("POST", "/counters/3/call-next", json={})["number"]
        wait(lambda st: st["screen"]["latest"]["number"] == number, 15)
    finally:
        (folder / "quit").touch()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log.close()
        stop_xvfb(xvfb)


@pytest.mark.parametrize("command", ["kiosk", "counter", "display"])
def test_devices_refuse_a_ca_file_that_is_not_a_certificate(tmp_path, command):
    bad = tmp_path / "not-a-ca.crt"
    bad.write_text("hello", encoding="utf-8")
    args = ["--server", "https://127.0.0.1:9", "--ca-file", str(bad)]
    if command != "counter":
        args += ["--token", "x"]
    r = subprocess.run([sys.executable, "-m", "loket.cli", command, *args], capture_output=True, text=True,
                       timeout=60, stdin=subprocess.DEVNULL)
    assert r.returncode == 2 and "cannot be used" in r.stderr, r.stderr
