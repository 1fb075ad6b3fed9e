"""What the waiting-room display shows, as plain Python (issue 6 §1, §2, §4).

:class:`DisplayState` is fed by the server: a snapshot from ``GET /api/v1/queue`` at
start-up and after every reconnect (:meth:`DisplayState.load_snapshot`), then the
public events of ``GET /api/v1/events`` (:meth:`DisplayState.apply_event`), and a
periodic refresh of the waiting counts (:meth:`DisplayState.load_waiting`). It keeps
the number at each counter, the latest call (highlighted, with a ``flash_serial``
the screen uses to flash), the last ``N`` calls in a bounded deque, waiting counts and
estimated waits per service, and the connection status. Nothing personal is kept:
numbers, services and counters only (the events carry nothing else).

Announcement rule (issue 6 §2 "without re-announcing old calls")
-----------------------------------------------------------------
A ``ticket.called`` or ``ticket.recalled`` event is announced when, and only when:

1. it passes the display's :class:`DisplayFilter` (services / counters of this hall);
2. its event id is greater than every id announced before (an event replayed twice
   after a reconnect is spoken once);
3. it is *fresh*: ``server_now - event.at <= announce_max_age`` seconds (default 30),
   where ``server_now`` is this PC's clock corrected by the offset to the server's
   clock learnt from ``/health`` and heartbeats, so a display whose clock is wrong
   still judges age correctly.

So after a short cut (a few seconds, e.g. a server restart) the calls made meanwhile
are shown *and* spoken, since people are still walking to the counter; calls older
than ``announce_max_age`` that arrive by ``Last-Event-ID`` catch-up after a long cut
are shown in the list but stay silent. Calls in a start-up snapshot are never spoken.
A recall is announced again (it is a new event).

``view()`` returns an immutable :class:`DisplayView` for the screen; ``on_change`` is
called (outside the lock, on the caller's thread) after every change.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

__all__ = [
    "CALL_TYPES",
    "CONNECTING",
    "DISCONNECTED",
    "LIVE",
    "Call",
    "CounterView",
    "DisplayFilter",
    "DisplayState",
    "DisplayView",
    "ServiceView",
]

#: Connection states shown by the screen ("menghubungkan", live, "terputus").
CONNECTING = "connecting"
LIVE = "live"
DISCONNECTED = "disconnected"

#: Event types that are calls (shown and announced), with their ``Call.action``.
CALL_TYPES = {"ticket.called": "call", "ticket.recalled": "recall"}

#: Event types after which the ticket no longer stands at its counter.
_LEAVE_TYPES = frozenset({"ticket.finished", "ticket.skipped", "ticket.no_show", "ticket.transferred"})

#: Two records of the same call (snapshot vs. replayed event) are the same call when
#: their times differ by less than this (s): the snapshot's times are whole seconds.
_SAME_CALL_SECONDS = 1.5


@dataclass(frozen=True)
class Call:
    """One call: ticket ``number`` ("A012"), ``service`` code, ``counter`` code ("3"),
    ``counter_number`` (3), ``action`` "call" or "recall", ``at`` (server epoch s) and the
    ``event_id`` it came from (None when it came from a snapshot)."""

    number: str
    service: str
    counter: str
    counter_number: int | None
    action: str
    at: float
    event_id: int | None = None

    def same_as(self, other: "Call") -> bool:
        """Whether ``other`` records the same call (ids when both have one, else
        number, counter, action and time within 1.5 s)."""
        if self.event_id is not None and other.event_id is not None:
            return self.event_id == other.event_id
        return (self.number == other.number and self.counter == other.counter and self.action == other.action
                and abs(self.at - other.at) < _SAME_CALL_SECONDS)


@dataclass(frozen=True)
class CounterView:
    """A counter (loket) row: ``code``, ``number``, ``name``, the ``services`` it serves,
    the ``current`` ticket number at it (None when free) with its ``service`` and
    ``called_at`` (epoch s)."""

    code: str
    number: int
    name: str
    services: tuple[str, ...]
    current: str | None = None
    service: str | None = None
    called_at: float | None = None


@dataclass(frozen=True)
class ServiceView:
    """Waiting figures of one service: ``code``, ``name`` (Indonesian), ``prefix``,
    ``waiting`` and ``priority_waiting`` (people), ``estimated_wait_seconds`` (s, the
    server's estimate) and the ``next`` numbers (at most five)."""

    code: str
    name: str
    prefix: str
    waiting: int
    priority_waiting: int
    estimated_wait_seconds: int
    next: tuple[str, ...] = ()


@dataclass(frozen=True)
class DisplayView:
    """An immutable picture of the state for the screen.

    ``revision`` grows with every change; ``flash_serial`` grows with every new call
    (the screen flashes the latest call when it changes); ``last_calls`` newest first,
    without ``latest``; ``connection`` one of CONNECTING/LIVE/DISCONNECTED since
    ``connection_since`` (epoch s, this PC's clock)."""

    revision: int
    office: str | None
    office_day: str | None
    counters: tuple[CounterView, ...]
    services: tuple[ServiceView, ...]
    latest: Call | None
    last_calls: tuple[Call, ...]
    connection: str
    connection_since: float
    last_event_id: int
    flash_serial: int


@dataclass(frozen=True)
class DisplayFilter:
    """Which services and counters this display shows (an office with two halls,
    issue 6 §4). ``services``: service codes (None = all); ``counters``: counter codes
    or numbers as strings (None = all). A counter is shown when it is listed (or no
    list is given) and, with a service list, serves one of those services; a call is
    shown when both its service and its counter pass."""

    services: frozenset[str] | None = None
    counters: frozenset[str] | None = None

    @classmethod
    def parse(cls, services: str | Iterable[str] | None = None,
              counters: str | Iterable[str | int] | None = None) -> "DisplayFilter":
        """Build from comma-separated text (``"KIA,KK"``, ``"1,2"``) or iterables;
        empty means no restriction. Service codes are upper-cased."""
        def split(value):
            """Comma text or iterable -> frozenset of stripped items (None if empty)."""
            if value is None:
                return None
            items = value.split(",") if isinstance(value, str) else value
            out = frozenset(str(i).strip() for i in items if str(i).strip())
            return out or None
        s = split(services)
        return cls(frozenset(x.upper() for x in s) if s else None, split(counters))

    def allows_service(self, service: str | None) -> bool:
        """Whether calls and waiting counts of ``service`` are shown."""
        return self.services is None or (service or "").upper() in self.services

    def allows_counter(self, code: str | None, number: int | None = None,
                       services: Iterable[str] | None = None) -> bool:
        """Whether counter ``code`` (number ``number``, serving ``services``) is shown."""
        if self.counters is not None and str(code) not in self.counters and str(number) not in self.counters:
            return False
        if self.services is not None and services is not None:
            return any(s.upper() in self.services for s in services)
        return True


def _epoch(value) -> float | None:
    """Epoch seconds from an ISO 8601 string with offset or a number; None if absent."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return datetime.fromisoformat(str(value)).timestamp()


@dataclass
class _Counter:
    code: str
    number: int
    name: str
    services: tuple[str, ...]
    current: str | None = None
    service: str | None = None
    called_at: float | None = None


class DisplayState:
    """Thread-safe display state (see the module docstring for the announcement rule).

    ``filter``: what this display shows; ``max_calls``: calls kept (latest plus history;
    memory stays bounded however long it runs); ``announce_max_age``: seconds a call
    stays fresh enough to be spoken; ``clock``: this PC's epoch clock (tests);
    ``on_change()``: called after each change.
    """

    def __init__(self, *, filter: DisplayFilter | None = None, max_calls: int = 9,
                 announce_max_age: float = 30.0, clock: Callable[[], float] = time.time,
                 on_change: Callable[[], None] | None = None) -> None:
        if max_calls < 1:
            raise ValueError("max_calls must be >= 1")
        self.filter = filter or DisplayFilter()
        self.announce_max_age = announce_max_age
        self.clock = clock
        self.on_change = on_change
        self._lock = threading.RLock()
        self._calls: deque[Call] = deque(maxlen=max_calls)
        self._counters: dict[str, _Counter] = {}
        self._services: dict[str, ServiceView] = {}
        self._office: str | None = None
        self._office_day: str | None = None
        self._connection = CONNECTING
        self._connection_since = clock()
        self._revision = 0
        self._flash = 0
        self._last_event_id = 0
        self._announced_id = 0
        self._skew = 0.0
        self.loaded = False

    # ------------------------------------------------------------------ properties
    @property
    def last_event_id(self) -> int:
        """The newest event id applied (0 before any); the SSE client resumes after it."""
        with self._lock:
            return self._last_event_id

    @property
    def connection(self) -> str:
        """CONNECTING, LIVE or DISCONNECTED."""
        with self._lock:
            return self._connection

    @property
    def skew(self) -> float:
        """Server clock minus this PC's clock (s), as last measured."""
        with self._lock:
            return self._skew

    def server_now(self) -> float:
        """This PC's clock corrected to the server's (epoch s)."""
        return self.clock() + self.skew

    # ------------------------------------------------------------------ feeding
    def set_server_time(self, server_epoch: float) -> None:
        """Record the server's clock (from ``/health`` or a heartbeat) to measure skew."""
        with self._lock:
            self._skew = float(server_epoch) - self.clock()

    def set_last_event_id(self, event_id: int, *, reset: bool = False) -> None:
        """Resume point after a snapshot taken when the server's newest event was
        ``event_id``; events up to it are treated as already announced. ``reset``
        also forgets higher ids announced before (the server's event log was
        recreated, so ids start again)."""
        with self._lock:
            self._last_event_id = int(event_id)
            self._announced_id = int(event_id) if reset else max(self._announced_id, int(event_id))

    def set_connection(self, status: str) -> None:
        """Set CONNECTING, LIVE or DISCONNECTED (no change event when unchanged)."""
        if status not in (CONNECTING, LIVE, DISCONNECTED):
            raise ValueError(f"unknown connection status {status!r}")
        with self._lock:
            if status == self._connection:
                return
            self._connection = status
            self._connection_since = self.clock()
            self._revision += 1
        self._changed()

    def load_snapshot(self, overview: Mapping) -> None:
        """Replace counters, services and last calls by a ``GET /api/v1/queue`` answer
        (start-up and every reconnect). Snapshot calls are never announced.
        Raises KeyError/ValueError for a malformed overview."""
        counters = {}
        for c in overview["counters"]:
            cur = c.get("current") or None
            counters[str(c["code"])] = _Counter(
                code=str(c["code"]), number=int(c["number"]), name=c.get("name", ""),
                services=tuple(c.get("services", ())),
                current=cur["number"] if cur else None, service=cur["service"] if cur else None,
                called_at=_epoch(cur.get("called_at")) if cur else None)
        calls = [Call(number=r["number"], service=r["service"], counter=str(r["counter"]),
                      counter_number=r.get("counter_number"), action=r.get("action", "call"), at=_epoch(r["at"]))
                 for r in reversed(overview.get("last_calls", []))]  # oldest first
        with self._lock:
            old_calls = list(self._calls)
            self._office = overview.get("office")
            self._office_day = overview.get("office_day")
            self._counters = counters
            self._services = self._service_views(overview)
            self._calls.clear()
            for call in calls:
                if self._call_visible(call):
                    # keep the event id of a call we already knew, so later replays dedupe by id
                    known = next((o for o in old_calls if o.same_as(call)), None)
                    self._calls.append(known or call)
            self.loaded = True
            self._revision += 1
        self._changed()

    def load_waiting(self, overview: Mapping) -> bool:
        """Refresh only the waiting counts and estimates from a ``GET /api/v1/queue``
        answer. Returns True when the office day changed (the caller should then
        :meth:`load_snapshot`), in which case nothing is changed."""
        with self._lock:
            if self._office_day is not None and overview.get("office_day") != self._office_day:
                return True
            services = self._service_views(overview)
            if services == self._services:
                return False
            self._services = services
            self._revision += 1
        self._changed()
        return False

    def apply_event(self, event: Mapping) -> list[Call]:
        """Apply one SSE event (its JSON ``data``: ``id``, ``type``, ``at``, ``number``,
        ``service``, ``counter``, ``counter_number`` ...). Events with an id not above
        :attr:`last_event_id` are ignored (replays). Returns the calls to announce now
        (empty or one), by the rule in the module docstring."""
        return self.apply_events([event])

    def apply_events(self, events: Iterable[Mapping]) -> list[Call]:
        """Apply several events in order with one change notification; returns the
        calls to announce in order."""
        announce: list[Call] = []
        changed = False
        with self._lock:
            for ev in events:
                ev_id = int(ev.get("id") or 0)
                if ev_id and ev_id <= self._last_event_id:
                    continue
                if ev_id:
                    self._last_event_id = ev_id
                changed |= self._apply(ev, ev_id, announce)
            if changed:
                self._revision += 1
        if changed:
            self._changed()
        return announce

    def _apply(self, ev: Mapping, ev_id: int, announce: list[Call]) -> bool:
        kind = ev.get("type")
        service = ev.get("service")
        counter = None if ev.get("counter") is None else str(ev.get("counter"))
        if kind in CALL_TYPES:
            call = Call(number=str(ev["number"]), service=str(service), counter=str(counter),
                        counter_number=ev.get("counter_number"), action=CALL_TYPES[kind],
                        at=float(ev.get("at") or self.server_now()), event_id=ev_id or None)
            c = self._counters.get(counter)
            if c is not None:
                c.current, c.service, c.called_at = call.number, call.service, call.at
            if kind == "ticket.called":
                self._bump_waiting(service, -1)
            if not self._call_visible(call):
                return True
            known = any(o.same_as(call) for o in self._calls)
            if known:  # already listed by a snapshot: keep its place, learn its id
                self._calls = deque(((call if o.same_as(call) else o) for o in self._calls), maxlen=self._calls.maxlen)
            else:
                self._calls.append(call)
            fresh = self.server_now() - call.at <= self.announce_max_age
            spoken = bool(ev_id and ev_id > self._announced_id and fresh)
            if spoken:
                announce.append(call)
            if spoken or not known:
                self._flash += 1
            if ev_id:
                self._announced_id = max(self._announced_id, ev_id)
            return True
        if kind in _LEAVE_TYPES or kind == "counter.closed":
            c = self._counters.get(counter)
            number = ev.get("number")
            if c is not None and c.current is not None and (number is None or c.current == number):
                c.current = c.service = c.called_at = None
            if kind == "ticket.transferred":
                self._bump_waiting(ev.get("to_service"), +1)
            return True
        if kind == "ticket.issued":
            self._bump_waiting(service, +1)
            return True
        return False

    def _bump_waiting(self, service: str | None, delta: int) -> None:
        sv = self._services.get(service or "")
        if sv is not None:
            self._services[sv.code] = replace(sv, waiting=max(0, sv.waiting + delta))

    def _service_views(self, overview: Mapping) -> dict[str, ServiceView]:
        return {s["service"]: ServiceView(code=s["service"], name=s.get("name", s["service"]), prefix=s.get("prefix", ""),
                                          waiting=int(s.get("waiting", 0)), priority_waiting=int(s.get("priority_waiting", 0)),
                                          estimated_wait_seconds=int(s.get("estimated_wait_seconds", 0)),
                                          next=tuple(s.get("next", ())))
                for s in overview.get("services", [])}

    def _call_visible(self, call: Call) -> bool:
        c = self._counters.get(call.counter)
        return self.filter.allows_service(call.service) and self.filter.allows_counter(
            call.counter, call.counter_number if c is None else c.number, None)

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()

    # ------------------------------------------------------------------ reading
    def view(self) -> DisplayView:
        """An immutable picture for the screen (filtered)."""
        with self._lock:
            counters = tuple(
                CounterView(c.code, c.number, c.name, c.services, c.current, c.service, c.called_at)
                for c in sorted(self._counters.values(), key=lambda c: (c.number, c.code))
                if self.filter.allows_counter(c.code, c.number, c.services))
            services = tuple(s for s in self._services.values() if self.filter.allows_service(s.code))
            calls = list(reversed(self._calls))
            return DisplayView(
                revision=self._revision, office=self._office, office_day=self._office_day,
                counters=counters, services=services, latest=calls[0] if calls else None,
                last_calls=tuple(calls[1:]), connection=self._connection,
                connection_since=self._connection_since, last_event_id=self._last_event_id,
                flash_serial=self._flash)
