"""DisplayController hooks with a fake API (no server, no threads started): resume
points, the server-clock offset, event parsing and the voice."""
from __future__ import annotations

import json

from display.controller import DisplayController
from client.sse import SseEvent


class FakeApi:
    base_url = "http://127.0.0.1:9"
    token = "t"

    def __init__(self):
        self.last_event_id = 40
        self.time = 2_000_000_000.0

    def health(self):
        return {"ok": True, "time": self.time, "last_event_id": self.last_event_id, "today": "2033-05-18"}

    def queue(self, office=None):
        return {"office": "paser", "office_day": "2033-05-18", "last_calls": [],
                "services": [{"service": "KIA", "name": "KIA", "prefix": "A", "waiting": 1}],
                "counters": [{"code": "1", "number": 1, "name": "Loket 1", "services": ["KIA"], "current": None}]}

    def offices(self):
        return {"offices": [{"code": "paser", "name": "Disdukcapil", "short_name": "Paser", "timezone": "Asia/Makassar",
                             "zone": "WITA", "running_text": "GRATIS"}], "default": "paser"}


class FakeVoice:
    def __init__(self):
        self.calls = []

    def announce(self, number, counter, *, recall=False):
        self.calls.append((number, counter, recall))


def called(i, number, at, kind="ticket.called"):
    data = {"id": i, "type": kind, "office": "paser", "at": at, "number": number, "service": "KIA", "counter": "1",
            "counter_number": 1, "priority": False}
    return SseEvent(kind, json.dumps(data), str(i))


def make(clock_offset=0.0):
    api = FakeApi()
    voice = FakeVoice()
    ctrl = DisplayController(api, voice=voice, clock=lambda: api.time + clock_offset)
    return api, voice, ctrl


def test_first_connection_resumes_after_the_servers_newest_event():
    api, voice, ctrl = make()
    assert ctrl._prepare() == 40
    assert ctrl.office_info["zone"] == "WITA" and ctrl.state.loaded
    ctrl._on_event(called(41, "A001", api.time))
    ctrl._on_event(called(42, "A001", api.time, "ticket.recalled"))
    assert voice.calls == [("A001", 1, False), ("A001", 1, True)]
    api.last_event_id = 45  # three more events while the display was away
    assert ctrl._prepare() == 42  # reconnect: resume after the last event applied


def test_recreated_event_log_starts_afresh_and_still_speaks():
    api, voice, ctrl = make()
    ctrl._prepare()
    ctrl._on_event(called(41, "A001", api.time))
    api.last_event_id = 3  # new database on the server
    assert ctrl._prepare() == 3
    ctrl._on_event(called(4, "A002", api.time))
    assert [c[0] for c in voice.calls] == ["A001", "A002"]


def test_heartbeats_and_pings_correct_a_wrong_pc_clock():
    api, voice, ctrl = make(clock_offset=-600.0)  # this PC is 10 minutes slow
    ctrl._prepare()
    assert abs(ctrl.state.skew - 600.0) < 1e-6
    api.time += 5
    ctrl._on_event(SseEvent("heartbeat", json.dumps({"at": api.time + 1, "last_id": 40})))
    assert abs(ctrl.state.skew - 601.0) < 1e-6
    ctrl._on_event(SseEvent("comment", f"ping {api.time}"))
    assert abs(ctrl.state.skew - 600.0) < 1e-6
    ctrl._on_event(called(41, "A003", api.time - 10))  # 10 s old on the server's clock: spoken
    assert voice.calls == [("A003", 1, False)]


def test_unreadable_and_unknown_events_are_ignored():
    api, voice, ctrl = make()
    ctrl._prepare()
    ctrl._on_event(SseEvent("ticket.called", "not json", "41"))
    ctrl._on_event(SseEvent("retry", "", None, 2000))
    ctrl._on_event(SseEvent("application.step_finished", json.dumps({"id": 41, "type": "application.step_finished"})))
    assert voice.calls == [] and ctrl.state.last_event_id == 41
