"""Glue between the server and the display state (issue 6 §2): start-up snapshot,
event feed, waiting-count refresh and voice announcements, no Kivy involved.

:class:`DisplayController` owns a :class:`~display.state.DisplayState`
and keeps it current:

* before every (re)connection of the event stream: ``GET /health`` (server clock and
  newest event id) and ``GET /queue`` (the snapshot) — so the state is rebuilt from
  the server at start-up and after every cut, and the stream resumes with
  ``Last-Event-ID`` after the last event applied (after the server's newest id at
  start-up, or afresh if the server's event log was recreated);
* every SSE event is applied; calls the state marks for announcing are queued on the
  ``voice`` (an :class:`display.voice.AnnouncementQueue` or anything with its
  ``announce(number, counter, recall=)``);
* waiting counts and estimates are re-read from ``GET /queue`` ``refresh_debounce``
  seconds after a ticket event and every ``refresh_seconds`` anyway; a new office day
  reloads the whole snapshot;
* heartbeats and the stream's ping keep the server-clock offset current.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from client.http import ApiError, Client
from client.sse import EventFeed, SseDisconnected, SseEvent
from .state import DISCONNECTED, LIVE, Call, DisplayFilter, DisplayState

log = logging.getLogger(__name__)

__all__ = ["DisplayController", "OfficeInfo"]

#: Events after which waiting counts change (after ``office.day_closed`` the refresh
#: sees the new office day and reloads the whole snapshot).
_WAITING_EVENTS = frozenset({"ticket.issued", "ticket.called", "ticket.transferred", "ticket.skipped",
                             "ticket.no_show", "ticket.returned", "office.day_closed"})


class OfficeInfo(dict):
    """The office as ``GET /api/v1/offices`` lists it: ``code``, ``name``,
    ``short_name``, ``timezone`` (IANA), ``zone`` ("WITA"), ``running_text``."""


class DisplayController:
    """Feeds a DisplayState from the server (see module docstring).

    ``api``: the REST client (its server and token are used for the stream too);
    ``office``: office code (None: the token's office); ``filter``: services/counters
    shown; ``voice``: announcer or None (silent); ``max_calls``, ``announce_max_age``:
    passed to DisplayState; ``read_timeout``: seconds without data before the stream
    counts as lost (2 heartbeats + margin); ``on_change``: called after each change
    (on a worker thread: the Kivy layer hops to its clock).
    """

    def __init__(self, api: Client, *, office: str | None = None, filter: DisplayFilter | None = None,
                 voice=None, max_calls: int = 9, announce_max_age: float = 30.0,
                 refresh_seconds: float = 15.0, refresh_debounce: float = 0.5, read_timeout: float = 6.5,
                 backoff_max: float = 5.0, on_change: Callable[[], None] | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.api = api
        self.office = office
        self.voice = voice
        self.refresh_seconds = refresh_seconds
        self.refresh_debounce = refresh_debounce
        self.state = DisplayState(filter=filter, max_calls=max_calls, announce_max_age=announce_max_age,
                                  clock=clock, on_change=on_change)
        self.office_info: OfficeInfo | None = None
        self.announced: list[Call] = []  # calls queued on the voice (last 50; status files, tests)
        self.spoken: list[str] = []  # "A012@3" as the voice starts playing them (last 50)
        self.last_error: str | None = None
        self.last_event_received = 0.0  # epoch s when the last SSE event arrived (bench)
        self._refresh = threading.Event()
        self._stop = threading.Event()
        self.feed = EventFeed(api.base_url, api.token, office=office, ca_file=getattr(api, "ca_file", None),
                              prepare=self._prepare, on_open=self._on_open, on_event=self._on_event,
                              on_close=self._on_close, read_timeout=read_timeout, backoff_max=backoff_max)
        self._refresher = threading.Thread(target=self._refresh_loop, name="loket-display-refresh", daemon=True)

    def start(self) -> "DisplayController":
        """Start the feed and refresher threads (once); returns self."""
        if not self.started:
            self.feed.start()
            self._refresher.start()
        return self

    @property
    def started(self) -> bool:
        """Whether :meth:`start` has been called."""
        return self._refresher.is_alive() or self._stop.is_set()

    def stop(self) -> None:
        """Stop both threads (the voice queue is the caller's to stop)."""
        self._stop.set()
        self._refresh.set()
        self.feed.stop()
        if self._refresher.is_alive():
            self._refresher.join(5)

    # ------------------------------------------------------------------ feed hooks
    def _prepare(self) -> int | None:
        try:
            health = self.api.health()
            self.state.set_server_time(float(health["time"]))
            overview = self.api.queue(self.office)
            if self.office_info is None:
                self._load_office(overview.get("office"))
        except ApiError as exc:
            raise SseDisconnected(f"{exc.code}: {exc.message_en}", exc.status, exc.message) from exc
        server_last = int(health.get("last_event_id") or 0)
        mine = self.state.last_event_id
        first = not self.state.loaded
        self.state.load_snapshot(overview)
        if first or server_last < mine:
            # start-up, or the server's event log was recreated: start from its newest id
            self.state.set_last_event_id(server_last, reset=server_last < mine)
            return server_last
        return mine

    def _load_office(self, code: str | None) -> None:
        data = self.api.offices()
        code = code or self.office or data.get("default")
        for o in data.get("offices", []):
            if o.get("code") == code:
                self.office_info = OfficeInfo(o)
                return
        self.office_info = OfficeInfo(code=code, name=code or "", short_name=code or "", timezone="UTC",
                                      zone="UTC", running_text="")

    def _on_open(self) -> None:
        self.last_error = None
        self.state.set_connection(LIVE)

    def _on_close(self, reason: str) -> None:
        self.last_error = reason
        self.state.set_connection(DISCONNECTED)

    def _on_event(self, ev: SseEvent) -> None:
        if ev.event == "comment":
            if ev.data.startswith("ping "):
                try:
                    self.state.set_server_time(float(ev.data.split()[1]))
                except (IndexError, ValueError):
                    pass
            return
        if ev.event == "retry":
            return
        try:
            data = ev.json()
        except ValueError:
            log.warning("unreadable event %s: %r", ev.id, ev.data[:200])
            return
        if ev.event == "heartbeat":
            if "at" in data:
                self.state.set_server_time(float(data["at"]))
            return
        self.last_event_received = time.time()
        data.setdefault("type", ev.event)
        if ev.id and "id" not in data and ev.id.isdigit():
            data["id"] = int(ev.id)
        for call in self.state.apply_event(data):
            self.announce(call)
        if data["type"] in _WAITING_EVENTS:
            self._refresh.set()

    def announce(self, call: Call) -> None:
        """Queue ``call`` on the voice (a recall is spoken as a recall)."""
        self.announced.append(call)
        del self.announced[:-50]
        if self.voice is None:
            return
        try:
            self.voice.announce(call.number, call.counter_number or call.counter, recall=call.action == "recall")
        except (ValueError, RuntimeError) as exc:
            log.warning("cannot announce %s at loket %s: %s", call.number, call.counter, exc)

    def record_spoken(self, announcement) -> None:
        """``on_announce`` hook for the AnnouncementQueue: remember that the voice
        started playing ``announcement`` (its ``number`` and ``counter``)."""
        self.spoken.append(f"{announcement.number}@{announcement.counter}")
        del self.spoken[:-50]

    # ------------------------------------------------------------------ refresh
    def _refresh_loop(self) -> None:
        while not self._stop.is_set():
            triggered = self._refresh.wait(self.refresh_seconds)
            if self._stop.is_set():
                return
            if triggered:
                self._stop.wait(self.refresh_debounce)
                self._refresh.clear()
            if self.state.connection != LIVE:
                continue
            try:
                overview = self.api.queue(self.office)
                if self.state.load_waiting(overview):
                    self.state.load_snapshot(overview)
            except ApiError as exc:
                log.info("waiting counts not refreshed: %s", exc.message_en)
            except Exception:
                log.exception("waiting counts refresh failed")

    @property
    def disconnected(self) -> bool:
        """Whether the screen should show TERPUTUS."""
        return self.state.connection == DISCONNECTED
