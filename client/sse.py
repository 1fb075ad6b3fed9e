"""Server-sent events client of the queue server's ``/api/v1/events`` (the only one).

:func:`parse_sse` turns SSE text lines into :class:`SseEvent` (WHATWG "server-sent
events" rules: ``id``, ``event``, ``data`` (joined with newlines), ``retry``, comment
lines starting with ``:``). :class:`SseStream` opens one ``GET`` with
``Accept: text/event-stream`` and ``Last-Event-ID`` using ``http.client`` and yields
events until the connection drops; a read that waits longer than ``read_timeout``
seconds (the server sends a heartbeat every 3 s, so the default
:data:`HEARTBEAT_TIMEOUT` of 6.5 s is about two missed heartbeats) counts as a lost
server. :class:`EventFeed` runs a stream on a daemon thread forever: it reconnects with
exponential backoff (0.5 s doubling to 5 s), resumes after the last event id it saw (or
the one ``prepare()`` gives), and reports open/close so a screen can show "TERPUTUS"
within a few seconds of losing the server. The display, the counter station and any
other client use this one reader, so they notice a dead server equally fast.
"""
from __future__ import annotations

import http.client
import json
import logging
import socket
import ssl
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from .protocol import API_PREFIX

log = logging.getLogger(__name__)

__all__ = ["EventFeed", "HEARTBEAT_TIMEOUT", "SseDisconnected", "SseEvent", "SseStream", "parse_sse"]

#: Seconds without any data (the server sends a heartbeat every 3 s) after which the
#: server counts as lost: two missed heartbeats and a half.
HEARTBEAT_TIMEOUT = 6.5


@dataclass(frozen=True)
class SseEvent:
    """One dispatched event: ``event`` type ("message" by default, "comment" for a
    ``:`` line, whose text is in ``data``), ``data`` text, ``id`` (the last id seen,
    None if none yet) and ``retry`` (ms, when the server sent a hint)."""

    event: str
    data: str
    id: str | None = None
    retry: int | None = None

    def json(self) -> dict:
        """``data`` parsed as JSON (raises ValueError when it is not)."""
        return json.loads(self.data)


def parse_sse(lines: Iterable[str]) -> Iterator[SseEvent]:
    """Parse SSE lines (without or with their line ending) into events.

    An event is dispatched at a blank line when it has data; comments are yielded at
    once as ``SseEvent("comment", text)``; a ``retry`` field alone yields
    ``SseEvent("retry", "", retry=ms)``. Unknown fields are ignored (per the spec).
    """
    data: list[str] = []
    kind = ""
    last_id: str | None = None
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line:
            if data:
                yield SseEvent(kind or "message", "\n".join(data), last_id)
            data, kind = [], ""
            continue
        if line.startswith(":"):
            yield SseEvent("comment", line[1:].strip(), last_id)
            continue
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "data":
            data.append(value)
        elif name == "event":
            kind = value
        elif name == "id" and "\0" not in value:
            last_id = value
        elif name == "retry" and value.isdigit():
            yield SseEvent("retry", "", last_id, int(value))


class SseDisconnected(Exception):
    """The stream ended: closed by the server, no data for ``read_timeout`` seconds,
    a network error, or a non-200 answer (``status``; ``body`` holds its text)."""

    def __init__(self, reason: str, status: int | None = None, body: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.body = body


class SseStream:
    """One connection to an SSE endpoint.

    ``url``: full URL (http or https) with any query; ``headers``: extra headers (the
    bearer token); ``connect_timeout`` / ``read_timeout`` in seconds; ``ca_file``: the
    office CA's PEM file for an https URL (None: the system's authorities).
    """

    def __init__(self, url: str, headers: dict[str, str] | None = None, *,
                 connect_timeout: float = 3.0, read_timeout: float = HEARTBEAT_TIMEOUT,
                 ca_file: str | None = None) -> None:
        self.url = url
        self.ca_file = ca_file
        self.headers = dict(headers or {})
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self._conn: http.client.HTTPConnection | None = None
        self._sock: socket.socket | None = None

    def events(self, last_event_id: int | str | None = None) -> Iterator[SseEvent]:
        """Connect and yield events until the stream ends, which always raises
        :class:`SseDisconnected` (never returns normally)."""
        parts = urlsplit(self.url)
        if parts.scheme == "https":  # the certificate and host name are verified
            conn = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=self.connect_timeout,
                                               context=ssl.create_default_context(cafile=self.ca_file))
        else:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=self.connect_timeout)
        self._conn = conn
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache", **self.headers}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        try:
            try:
                conn.request("GET", path, headers=headers)
                self._sock = conn.sock  # http.client may drop conn.sock once the response is read
                if self._sock is not None:
                    self._sock.settimeout(self.read_timeout)
                resp = conn.getresponse()
            except (OSError, http.client.HTTPException) as exc:
                raise SseDisconnected(f"connect failed: {exc.__class__.__name__}: {exc}") from exc
            if resp.status != 200:
                body = resp.read(4096).decode("utf-8", "replace")
                raise SseDisconnected(f"HTTP {resp.status}", resp.status, body)
            yield from parse_sse(self._lines(resp))
            raise SseDisconnected("closed by server")
        finally:
            self.close()

    @staticmethod
    def _lines(resp: http.client.HTTPResponse) -> Iterator[str]:
        while True:
            try:
                raw = resp.readline()
            except (socket.timeout, TimeoutError) as exc:
                raise SseDisconnected("no data (heartbeat missed)") from exc
            except (OSError, http.client.HTTPException, ValueError) as exc:
                raise SseDisconnected(f"read failed: {exc.__class__.__name__}") from exc
            if not raw:
                return
            yield raw.decode("utf-8", "replace")

    def close(self) -> None:
        """Close the connection (safe from another thread to interrupt a read)."""
        conn, self._conn = self._conn, None
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if conn is not None:
            conn.close()


class EventFeed:
    """Keeps an SSE stream open on a daemon thread, for days.

    ``server``: base URL (``http://host:port``); ``token``: the bearer token, or a
    callable giving it at each connection (a station whose login changes); ``office``:
    office code or None. Hooks (all called on the feed thread):

    * ``prepare()`` before each connection attempt; returns the ``Last-Event-ID`` to
      resume after (None: after the last event this feed saw, or "from now on" before
      the first); raising SseDisconnected or OSError counts as a failed attempt (any
      other exception too, and is logged as a bug);
    * ``on_open()`` when the server accepted the stream;
    * ``on_event(event: SseEvent)`` for each event, heartbeat and comment;
    * ``on_close(reason: str)`` when a stream or an attempt failed.

    ``last_id`` is the id of the last event received (an int, or None). Backoff:
    ``backoff_start`` seconds after the first failure, doubling up to ``backoff_max``;
    reset once a stream has opened. ``read_timeout`` in seconds (see
    :data:`HEARTBEAT_TIMEOUT`). ``ca_file``: the office CA for an https server.
    """

    def __init__(self, server: str, token: str | Callable[[], str | None] | None, *, office: str | None = None,
                 prepare: Callable[[], int | None] | None = None,
                 on_open: Callable[[], None] | None = None,
                 on_event: Callable[[SseEvent], None] | None = None,
                 on_close: Callable[[str], None] | None = None,
                 read_timeout: float = HEARTBEAT_TIMEOUT, connect_timeout: float = 3.0,
                 backoff_start: float = 0.5, backoff_max: float = 5.0, last_id: int | None = None,
                 ca_file: str | None = None) -> None:
        self.ca_file = ca_file
        query = f"?{urlencode({'office': office})}" if office else ""
        self.url = f"{server.rstrip('/')}{API_PREFIX}/events{query}"
        self.token = token
        self.prepare = prepare
        self.on_open = on_open
        self.on_event = on_event
        self.on_close = on_close
        self.read_timeout = read_timeout
        self.connect_timeout = connect_timeout
        self.backoff_start = backoff_start
        self.backoff_max = backoff_max
        self.connects = 0
        self.last_id = last_id
        self._stop = threading.Event()
        self._stream: SseStream | None = None
        self._thread = threading.Thread(target=self._run, name="loket-sse", daemon=True)

    def start(self) -> "EventFeed":
        """Start the thread; returns self."""
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> bool:
        """Stop and close the stream; True if the thread ended within ``timeout`` s."""
        self._stop.set()
        stream = self._stream
        if stream is not None:
            stream.close()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        delay = self.backoff_start
        while not self._stop.is_set():
            opened = False
            try:
                last_id = self.prepare() if self.prepare else None
                if last_id is None:
                    last_id = self.last_id
                token = self.token() if callable(self.token) else self.token
                stream = SseStream(self.url, {"Authorization": f"Bearer {token}"} if token else {},
                                   connect_timeout=self.connect_timeout, read_timeout=self.read_timeout,
                                   ca_file=self.ca_file)
                self._stream = stream
                if self._stop.is_set():
                    break
                for ev in stream.events(last_id):
                    if not opened:
                        opened = True
                        self.connects += 1
                        delay = self.backoff_start
                        if self.on_open:
                            self.on_open()
                    if ev.id is not None and ev.id.isdigit() and ev.event not in ("comment", "retry"):
                        self.last_id = int(ev.id)
                    if self.on_event:
                        self.on_event(ev)
            except SseDisconnected as exc:
                reason = exc.reason
            except OSError as exc:  # e.g. prepare() could not reach the server
                reason = f"{exc.__class__.__name__}: {exc}"
            except Exception as exc:  # a bug in a hook: log it, keep the display alive
                reason = f"{exc.__class__.__name__}: {exc}"
                log.exception("event feed hook failed")
            else:  # pragma: no cover - events() always raises
                reason = "ended"
            self._stream = None
            if self._stop.is_set():
                break
            log.info("event stream lost (%s); retrying in %.1f s", reason, delay)
            if self.on_close:
                try:
                    self.on_close(reason)
                except Exception:
                    log.exception("on_close hook failed")
            if self._stop.wait(delay):
                break
            delay = min(self.backoff_max, delay * 2)
