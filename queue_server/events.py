"""Durable, ordered event log and the server-sent-events stream (issue 2 §8).

Writers call ``record(office, type, payload, at)`` inside their own transaction, so an
event exists exactly when the change it reports was committed ("commit first, then
publish"). Readers never depend on being in the writer's process: one ``Broker`` thread
per process polls the ``event`` table for ids above the last one it saw (and is woken
at once by ``notify()`` when a write happened in this process), then fans each event
out to one bounded queue per SSE subscriber (CTFd's pattern). So with several server
processes every subscriber receives every event, in id order, exactly once; a
subscriber that reconnects with ``Last-Event-ID`` first replays what it missed from the
table.

Public payloads carry no personal data: number, service, step and counter only.
"""
from __future__ import annotations

import functools
import json
import logging
import queue
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterator

from client.protocol import PUBLIC_EVENT_TYPES

from .db import sql
from .db.models import Event, db

log = logging.getLogger(__name__)

#: Event types that may be streamed to a public display (client.protocol).
PUBLIC_TYPES = PUBLIC_EVENT_TYPES


def record(office: str, type_: str, payload: dict, at: float) -> int:
    """Append an event (call inside the writer's transaction). Returns its id."""
    cursor = sql.run('INSERT INTO "event" ("office", "type", "payload", "created_at") VALUES (?, ?, ?, ?) '
                     'RETURNING "id"',
                            (office, type_, json.dumps(payload, ensure_ascii=False, separators=(",", ":")), at))
    return cursor.fetchone()[0]


@dataclass(frozen=True)
class StreamEvent:
    """An event as streamed: id, office, type, payload (dict), created_at (epoch s)."""

    id: int
    office: str
    type: str
    payload: dict
    created_at: float

    def sse(self) -> str:
        """The event in SSE wire format (``id``, ``event``, ``data`` lines); built once
        for all the streams it goes to."""
        return self._wire

    @functools.cached_property
    def _wire(self) -> str:
        data = json.dumps(
            {"id": self.id, "type": self.type, "office": self.office, "at": self.created_at, **self.payload},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        return f"id: {self.id}\nevent: {self.type}\ndata: {data}\n\n"


def _row(e: Event) -> StreamEvent:
    return StreamEvent(e.id, e.office, e.type, e.payload, e.created_at)


def events_after(last_id: int, *, office: str | None = None, public_only: bool = False, limit: int = 1000) -> list[StreamEvent]:
    """Events with id > ``last_id`` in id order (at most ``limit``)."""
    q = Event.select().where(Event.id > last_id)
    if office:
        q = q.where(Event.office == office)
    if public_only:
        q = q.where(Event.type.in_(sorted(PUBLIC_TYPES)))
    return [_row(e) for e in q.order_by(Event.id).limit(limit)]


def last_event_id() -> int:
    """The newest event id (0 when there is none)."""
    row = Event.select(Event.id).order_by(Event.id.desc()).first()
    return row.id if row else 0


class Subscription:
    """One SSE client: a bounded queue of events after ``last_id`` with a filter."""

    def __init__(self, broker: "Broker", office: str | None, public_only: bool, max_queue: int = 2000,
                 owner: str | None = None):
        self.broker = broker
        self.office = office
        self.public_only = public_only
        self.queue: queue.Queue[StreamEvent | None] = queue.Queue(max_queue)
        self.overflowed = False
        #: who holds the stream ("device:layar-aula", "staff:ani"); None for internal use
        self.owner = owner
        self.opened = time.monotonic()

    def wants(self, ev: StreamEvent) -> bool:
        if self.office and ev.office != self.office:
            return False
        return not (self.public_only and ev.type not in PUBLIC_TYPES)

    def offer(self, ev: StreamEvent) -> None:
        if not self.wants(ev):
            return
        try:
            self.queue.put_nowait(ev)
        except queue.Full:
            # A stuck client: end its stream; it reconnects with Last-Event-ID and
            # replays from the table, so nothing is lost.
            self.overflowed = True

    def close(self) -> None:
        self.broker.unsubscribe(self)


class Broker:
    """Per-process fan-out of the event table to subscribers.

    ``poll_interval`` (s) bounds the delay for events written by other processes;
    events written by this process are delivered as soon as ``notify()`` is called.
    """

    def __init__(self, poll_interval: float = 0.05):
        self.poll_interval = poll_interval
        self._subs: set[Subscription] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_id = 0

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subs)

    def start(self) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._last_id = last_event_id()
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="loket-event-broker", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self._thread = None
        with self._lock:
            subs = list(self._subs)
        for s in subs:
            s.queue.put(None)

    def notify(self) -> None:
        """Wake the poller (call after committing an event in this process)."""
        self._wake.set()

    def subscribe(self, office: str | None, public_only: bool, *, owner: str | None = None,
                  owner_limit: int | None = None) -> Subscription:
        """A new subscription. When ``owner`` already holds ``owner_limit`` streams in this
        process, its oldest is ended first (issue 16 item 8: one token cannot take every
        stream slot; a display that reconnects replaces its own dead stream)."""
        self.start()
        sub = Subscription(self, office, public_only, owner=owner)
        with self._lock:
            if owner is not None and owner_limit:
                mine = sorted((s for s in self._subs if s.owner == owner), key=lambda s: s.opened)
                while len(mine) >= owner_limit:
                    oldest = mine.pop(0)
                    self._subs.discard(oldest)
                    oldest.overflowed = True  # its generator ends at the next wake-up
                    try:
                        oldest.queue.put_nowait(None)
                    except queue.Full:
                        pass
            self._subs.add(sub)
        return sub

    def count_for(self, owner: str) -> int:
        """Streams ``owner`` holds in this process."""
        with self._lock:
            return sum(1 for s in self._subs if s.owner == owner)

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            self._subs.discard(sub)

    @property
    def last_id(self) -> int:
        return self._last_id

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.poll_interval)
            self._wake.clear()
            with self._lock:
                idle = not self._subs
            if idle:
                continue
            try:
                with db.connection_context():
                    new = events_after(self._last_id, limit=5000)
            except Exception:  # the database may be busy or restarting; try again
                log.exception("event broker poll failed")
                time.sleep(self.poll_interval)
                continue
            if not new:
                continue
            self._last_id = new[-1].id
            with self._lock:
                subs = list(self._subs)
            for ev in new:
                for s in subs:
                    s.offer(ev)


def stream(
    broker: Broker,
    *,
    office: str | None,
    public_only: bool,
    last_id: int | None,
    heartbeat: float = 3.0,
    max_seconds: float | None = None,
    now: Callable[[], float] = time.time,
    owner: str | None = None,
    owner_limit: int | None = None,
) -> Iterator[str]:
    """Generate SSE text for one client.

    Sends a ``retry`` hint and an immediate ``ping`` comment, then (after replaying
    events with id > ``last_id`` from the table) live events and a ``heartbeat`` event
    every ``heartbeat`` seconds so proxies do not buffer and clients notice a dead
    server. ``last_id`` None means "from now on": the last event id is read before the
    subscription and what falls between the two is replayed. The subscription is
    registered before the replay so no event can fall between them; duplicates are
    dropped by id.
    ``now`` is the server's clock (epoch s; accelerated in a simulation): the ping and
    the heartbeats carry it, so clients compare event times with the same clock.
    ``owner``/``owner_limit``: see :meth:`Broker.subscribe`.
    """
    if last_id is None:
        # "from now on" is fixed before the subscription: an event committed between
        # the two is replayed from the table, not lost (it is in no queue yet) nor
        # dropped as a duplicate
        with db.connection_context():
            last_id = last_event_id()
    sub = broker.subscribe(office, public_only, owner=owner, owner_limit=owner_limit)
    started = time.monotonic()
    try:
        yield f"retry: 2000\n: ping {now():.3f}\n\n"
        with db.connection_context():
            sent = last_id
            while True:
                backlog = events_after(sent, office=office, public_only=public_only, limit=1000)
                for ev in backlog:
                    yield ev.sse()
                if len(backlog) < 1000:
                    break
                sent = backlog[-1].id
            if backlog:
                sent = backlog[-1].id
        next_beat = time.monotonic()  # an immediate heartbeat, then one every ``heartbeat`` s
        while True:
            if max_seconds is not None and time.monotonic() - started > max_seconds:
                return
            timeout = max(0.0, next_beat - time.monotonic())
            try:
                ev = sub.queue.get(timeout=timeout)
            except queue.Empty:
                ev = False
            if ev is None or sub.overflowed:
                return
            if ev is False:
                next_beat = time.monotonic() + heartbeat
                yield f"event: heartbeat\ndata: {{\"at\":{now():.3f},\"last_id\":{sent}}}\n\n"
                continue
            if ev.id <= sent:
                continue
            sent = ev.id
            yield ev.sse()
    finally:
        sub.close()
