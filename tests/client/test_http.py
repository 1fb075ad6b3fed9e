"""client.http.Client: the one retry policy and the one error type, against a local
HTTP server that answers as scripted (refusals, 503s, error bodies)."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from client.http import SERVER_BUSY, TIMEOUT, UNREACHABLE, ApiError, Client
from client.protocol import error_body, parse_error


class Scripted:
    """A local server answering each request with the next (status, body) of a script."""

    def __init__(self, script):
        self.script = list(script)
        self.hits: list[tuple[str, str, dict]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                outer.hits.append((self.command, self.path, dict(self.headers), self.rfile.read(length)))
                status, body = outer.script.pop(0) if outer.script else (200, {"ok": True})
                raw = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer  # noqa: N815 - http.server API

            def log_message(self, *args):
                """Keep the test output quiet."""

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def scripted():
    made = []

    def make(*script):
        s = Scripted(script)
        made.append(s)
        return s
    yield make
    for s in made:
        s.close()


def closed_url() -> str:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def test_reads_are_retried_after_503_with_doubling_backoff(scripted):
    srv = scripted((503, b"busy"), (503, b"busy"), (200, {"n": 1}))
    sleeps = []
    c = Client(srv.url, "tok", retries=2, backoff=0.1, sleep=sleeps.append, lang="en")
    assert c.get("/queue", {"office": None, "service": "KIA"}) == {"n": 1}
    assert sleeps == [0.1, 0.2] and len(srv.hits) == 3
    method, path, headers, _ = srv.hits[0]
    assert (method, path) == ("GET", "/api/v1/queue?service=KIA")
    assert headers["Authorization"] == "Bearer tok" and headers["Accept-Language"] == "en"


def test_an_action_is_not_repeated_after_503_unless_idempotent(scripted):
    srv = scripted((503, b"busy"), (503, b"busy"), (201, {"id": 1}))
    c = Client(srv.url, retries=2, sleep=lambda s: None)
    with pytest.raises(ApiError) as e:
        c.post("/counters/1/call-next", {"ticket": None})
    assert (e.value.code, e.value.kind, e.value.status, e.value.retryable) == (SERVER_BUSY, "offline", 503, True)
    assert len(srv.hits) == 1
    assert c.post("/tickets", {"service": "KIA"}, idempotent=True) == {"id": 1} and len(srv.hits) == 3


def test_refused_connections_are_retried_for_every_method_and_then_named():
    sleeps = []
    c = Client(closed_url(), retries=1, backoff=0.05, sleep=sleeps.append)
    with pytest.raises(ApiError) as e:
        c.post("/counters/1/finish", {})
    assert e.value.code == UNREACHABLE and e.value.kind == "offline" and e.value.status is None
    assert "tidak dapat dihubungi" in e.value.text("id") and "cannot be reached" in e.value.text("en")
    assert sleeps == [0.05]  # never reached a server: repeating it is safe


def test_a_read_timeout_on_an_action_is_not_repeated():
    class Slow(requests.Session):
        n = 0

        def request(self, *a, **kw):
            Slow.n += 1
            raise requests.ReadTimeout("slow")
    c = Client("http://127.0.0.1:9", retries=3, session=Slow(), sleep=lambda s: None)
    with pytest.raises(ApiError) as e:
        c.post("/counters/1/skip", {})
    assert e.value.code == TIMEOUT and Slow.n == 1
    with pytest.raises(ApiError):
        c.get("/queue")
    assert Slow.n == 1 + 4


@pytest.mark.parametrize("status, kind", [(400, "invalid"), (401, "auth"), (403, "forbidden"), (404, "not_found"),
                                          (409, "conflict"), (415, "invalid"), (422, "invalid"), (429, "offline"),
                                          (500, "server")])
def test_the_servers_error_shape_is_carried_with_its_kind(scripted, status, kind):
    body = error_body("nik_invalid", "NIK: hari lahir 72 tidak ada.", "NIK: day 72 does not exist.", {"field": "nik"})
    srv = scripted((status, body))
    with pytest.raises(ApiError) as e:
        Client(srv.url, retries=0).post("/nik/validate", {"nik": "3201017202150001"})
    err = e.value
    assert (err.status, err.kind, err.code, err.field) == (status, kind, "nik_invalid", "nik")
    assert err.text() == "NIK: hari lahir 72 tidak ada." and err.text("en") == "NIK: day 72 does not exist."
    assert err.retryable is (status >= 500 or status == 429)


def test_bodies_without_the_error_shape_and_unreadable_answers(scripted):
    srv = scripted((418, b"<html>teapot</html>"), (200, b"{not json"), (204, b""))
    c = Client(srv.url, retries=0)
    with pytest.raises(ApiError) as e:
        c.get("/x")
    assert e.value.code == "http_error" and "418" in e.value.message
    with pytest.raises(ApiError) as e:
        c.get("/x")
    assert e.value.code == "bad_response" and not e.value.retryable
    assert c.get("/x") is None


def test_login_keeps_the_token_and_logout_drops_it_even_when_the_server_is_gone(scripted):
    srv = scripted((200, {"token": "abc", "role": "operator"}))
    c = Client(srv.url, retries=0)
    assert c.login("siti", "pw")["role"] == "operator" and c.token == "abc"
    srv.close()
    c.logout()
    assert c.token is None


def test_urls_must_be_http_and_the_error_shape_parses():
    with pytest.raises(ValueError):
        Client("127.0.0.1:8080")
    assert parse_error(error_body("x", "pesan")) == {"code": "x", "message": "pesan", "message_en": "pesan",
                                                     "details": {}}
    assert parse_error({"ok": True}) is None and parse_error(["error"]) is None
