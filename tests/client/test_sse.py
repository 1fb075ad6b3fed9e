"""SSE parsing, one stream and the reconnecting feed against a scripted local HTTP
server on 127.0.0.1 (no queue server needed)."""
from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from client.sse import EventFeed, SseDisconnected, SseEvent, SseStream, parse_sse


def test_parse_sse_fields_comments_and_multiline_data():
    text = ("retry: 2000\r\n: ping 17.5\r\n\r\nid: 7\r\nevent: ticket.called\r\ndata: {\"a\":\r\ndata: 1}\r\n\r\n"
            "data:no-space\n\nid: 8\nevent: x\n")  # the last event has no blank line: not dispatched
    events = list(parse_sse(text.splitlines(keepends=True)))
    assert events == [SseEvent("retry", "", None, 2000), SseEvent("comment", "ping 17.5", None),
                      SseEvent("ticket.called", "{\"a\":\n1}", "7"), SseEvent("message", "no-space", "7")]
    assert events[2].json() == {"a": 1}


class Script:
    """What the fake server does for each successive connection: a list of
    (chunks to send, then "hang" or "close"); records each request's headers."""

    def __init__(self, plan):
        self.plan = list(plan)
        self.requests: list[dict] = []
        self.release = threading.Event()


@pytest.fixture
def fake_server():
    servers = []

    def make(script: Script, status: int = 200):
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                n = len(script.requests)
                script.requests.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
                if status != 200:
                    body = b'{"error":{"code":"unauthorized","message":"Token tidak sah."}}'
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                chunks, then = script.plan[min(n, len(script.plan) - 1)]
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for c in chunks:
                    self.wfile.write(c.encode())
                    self.wfile.flush()
                if then == "hang":
                    script.release.wait(10)
                self.close_connection = True

        srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        srv.daemon_threads = True
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append((srv, script))
        return f"http://127.0.0.1:{srv.server_address[1]}"

    yield make
    for srv, script in servers:
        script.release.set()
        srv.shutdown()
        srv.server_close()


def _ev(i):
    return f"id: {i}\nevent: ticket.called\ndata: {{\"id\":{i},\"number\":\"A00{i}\"}}\n\n"


def test_a_silent_server_is_noticed_within_the_read_timeout(fake_server):
    url = fake_server(Script([(["retry: 2000\n: ping 1\n\n", _ev(1), _ev(2)], "hang")]))
    stream = SseStream(url + "/api/v1/events", {"Authorization": "Bearer t"}, read_timeout=0.6)
    got = []
    started = time.monotonic()
    with pytest.raises(SseDisconnected) as info:
        for e in stream.events(last_event_id=0):
            got.append(e)
    waited = time.monotonic() - started
    assert [e.id for e in got if e.event == "ticket.called"] == ["1", "2"]
    assert "heartbeat" in info.value.reason and 0.5 < waited < 2.0


def test_closed_stream_and_http_errors_raise_disconnected(fake_server):
    url = fake_server(Script([([_ev(1)], "close")]))
    with pytest.raises(SseDisconnected, match="closed by server"):
        list(SseStream(url + "/e").events())
    bad = fake_server(Script([([], "close")]), status=401)
    with pytest.raises(SseDisconnected) as info:
        list(SseStream(bad + "/e").events())
    assert info.value.status == 401 and "Token tidak sah" in info.value.body


def test_feed_reconnects_and_resumes_after_the_last_event(fake_server):
    script = Script([([_ev(1), _ev(2)], "close"), ([_ev(3)], "hang")])
    url = fake_server(script)
    seen, opened, closed = [], [], []
    done = threading.Event()

    def on_event(e):
        if e.event == "ticket.called":
            seen.append(int(e.id))
            if int(e.id) == 3:
                done.set()

    feed = EventFeed(url, "tok", office="paser", prepare=lambda: seen[-1] if seen else None,
                     on_open=lambda: opened.append(time.monotonic()), on_event=on_event,
                     on_close=closed.append, backoff_start=0.1, read_timeout=5).start()
    try:
        assert done.wait(5)
    finally:
        assert feed.stop(5)
    assert seen == [1, 2, 3] and len(opened) == 2 and closed == ["closed by server"]
    assert "last-event-id" not in script.requests[0] and script.requests[1]["last-event-id"] == "2"
    assert script.requests[0]["path"] == "/api/v1/events?office=paser"
    assert script.requests[0]["authorization"] == "Bearer tok"


def test_feed_keeps_retrying_with_backoff_when_nothing_listens():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    closes = []
    feed = EventFeed(f"http://127.0.0.1:{port}", "t", on_close=lambda r: closes.append(time.monotonic()),
                     backoff_start=0.05, backoff_max=0.2).start()
    time.sleep(1.0)
    assert feed.stop(5)
    gaps = [b - a for a, b in zip(closes, closes[1:])]
    assert len(closes) >= 4 and gaps[0] < 0.15 and max(gaps) < 0.45 and gaps[-1] >= 0.15
