"""DisplayState without a server: snapshot, events, filter, the announcement rule,
bounded memory (issue 6 §1, §2, §4)."""
from __future__ import annotations

import pytest

from display.state import (CONNECTING, DISCONNECTED, LIVE, DisplayFilter, DisplayState)

T0 = 1_795_000_000.0  # server clock in these tests (epoch s)


class Clock:
    def __init__(self, t=T0):
        self.t = t

    def __call__(self):
        return self.t


def overview(calls=(), current=None, waiting=None, day="2026-11-23"):
    """A GET /api/v1/queue answer for the default office (counters 1..5)."""
    current = current or {}
    waiting = waiting or {}
    services = [("KIA", "A"), ("KK", "B"), ("IKD", "C")]
    return {
        "office": "paser", "office_day": day,
        "services": [{"service": s, "name": f"Layanan {s}", "prefix": p, "waiting": waiting.get(s, 0),
                      "priority_waiting": 0, "next": [], "estimated_wait_seconds": 300 * waiting.get(s, 0)}
                     for s, p in services],
        "counters": [{"code": str(n), "number": n, "name": f"Loket {n}",
                      "services": ["IKD"] if n == 4 else ["KIA", "KK"],
                      "current": ({"number": current[str(n)], "service": "KIA",
                                   "called_at": "2026-11-23T09:00:00+08:00"} if str(n) in current else None)}
                     for n in range(1, 6)],
        "last_calls": list(calls),
    }


def ev(id_, type_="ticket.called", number="A001", counter="1", service="KIA", at=T0, **extra):
    return {"id": id_, "type": type_, "office": "paser", "at": at, "number": number, "service": service,
            "step": "penerimaan", "counter": counter, "counter_number": int(counter) if counter else None, "priority": False, **extra}


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def state(clock):
    s = DisplayState(clock=clock, max_calls=5)
    s.load_snapshot(overview(waiting={"KIA": 3}))
    s.set_last_event_id(10)
    return s


def test_snapshot_fills_counters_services_and_calls(clock):
    s = DisplayState(clock=clock)
    calls = [{"number": "A002", "service": "KIA", "counter": "2", "counter_number": 2, "action": "call",
              "at": "2026-11-23T09:00:05+08:00"},
             {"number": "A001", "service": "KIA", "counter": "1", "counter_number": 1, "action": "call",
              "at": "2026-11-23T09:00:00+08:00"}]
    s.load_snapshot(overview(calls, current={"1": "A001", "2": "A002"}, waiting={"KIA": 4}))
    v = s.view()
    assert [c.current for c in v.counters] == ["A001", "A002", None, None, None]
    assert v.latest.number == "A002" and v.latest.counter_number == 2
    assert [c.number for c in v.last_calls] == ["A001"]
    kia = next(x for x in v.services if x.code == "KIA")
    assert (kia.waiting, kia.estimated_wait_seconds) == (4, 1200)
    assert v.connection == CONNECTING and s.loaded


def test_a_call_updates_counter_latest_history_and_waiting(state):
    announce = state.apply_event(ev(11, number="A001", counter="3"))
    v = state.view()
    assert [c.number for c in announce] == ["A001"]
    assert v.counters[2].current == "A001" and v.latest.counter == "3"
    assert next(x for x in v.services if x.code == "KIA").waiting == 2
    assert v.flash_serial == 1 and v.last_event_id == 11
    state.apply_event(ev(12, number="A002", counter="1"))
    v = state.view()
    assert v.latest.number == "A002" and [c.number for c in v.last_calls] == ["A001"]


def test_finish_skip_and_transfer_free_the_counter(state):
    state.apply_events([ev(11, number="A001", counter="1"), ev(12, number="A002", counter="2"),
                        ev(13, number="A003", counter="3")])
    state.apply_events([ev(14, "ticket.finished", number="A001", counter="1"),
                        ev(15, "ticket.skipped", number="A002", counter="2", skips=1),
                        ev(16, "ticket.transferred", number="A003", counter="3", to_service="KK", to_step="x"),
                        ev(17, "ticket.finished", number="A999", counter="3")])  # not the one there: ignored
    v = state.view()
    assert [c.current for c in v.counters[:3]] == [None, None, None]
    assert next(x for x in v.services if x.code == "KK").waiting == 1
    assert v.latest.number == "A003"  # the list of calls keeps them


def test_issued_tickets_count_as_waiting(state):
    state.apply_events([ev(11, "ticket.issued", number="B001", service="KK", counter=None)])
    assert next(x for x in state.view().services if x.code == "KK").waiting == 1


def test_replayed_and_old_events_are_ignored(state):
    assert state.apply_event(ev(11)) and not state.apply_event(ev(11))
    assert state.apply_event(ev(9, number="A777")) == []
    assert state.view().latest.number == "A001"


def test_stale_calls_are_shown_but_not_announced(state, clock):
    clock.t = T0 + 31
    assert state.apply_event(ev(11, number="A005", at=T0)) == []  # 31 s old: silent
    assert state.view().latest.number == "A005"
    assert [c.number for c in state.apply_event(ev(12, number="A006", at=T0 + 2))] == ["A006"]  # 29 s: spoken


def test_age_is_judged_on_the_server_clock(state, clock):
    clock.t = T0 + 3600  # this PC's clock runs an hour fast
    assert state.apply_event(ev(11, at=T0)) == []
    state.set_server_time(T0 + 1)  # heartbeat says the server's time is T0+1
    assert [c.number for c in state.apply_event(ev(12, number="A002", at=T0))] == ["A002"]


def test_recall_is_announced_again_as_a_recall(state):
    state.apply_event(ev(11, number="A001", counter="2"))
    again = state.apply_event(ev(12, "ticket.recalled", number="A001", counter="2"))
    assert [(c.number, c.action) for c in again] == [("A001", "recall")]


def test_snapshot_calls_are_never_announced_and_replays_dedupe(clock):
    s = DisplayState(clock=clock)
    snap_call = {"number": "A001", "service": "KIA", "counter": "1", "counter_number": 1, "action": "call",
                 "at": "2026-11-23T09:00:00+08:00"}
    at = 1_795_395_600.0  # 2026-11-23 09:00:00 WITA
    clock.t = at + 5
    s.load_snapshot(overview([snap_call], current={"1": "A001"}))
    s.set_last_event_id(20)
    assert s.apply_event(ev(20, number="A001", at=at + 0.4)) == []  # covered by the snapshot's id
    # a replayed event newer than the resume point that the snapshot already lists:
    # it is fresh, so it is spoken, but listed once
    spoken = s.apply_event(ev(21, number="A001", at=at + 0.4))
    assert [c.number for c in spoken] == ["A001"]
    v = s.view()
    assert v.latest.event_id == 21 and v.last_calls == ()


def test_server_event_log_recreated_resets_announcements(state):
    state.apply_event(ev(50, number="A001"))
    state.set_last_event_id(0, reset=True)
    assert [c.number for c in state.apply_event(ev(1, number="A002"))] == ["A002"]


def test_filter_by_service_and_counter(clock):
    s = DisplayState(clock=clock, filter=DisplayFilter.parse("ikd", None))
    s.load_snapshot(overview())
    assert [c.code for c in s.view().counters] == ["4"]
    assert [x.code for x in s.view().services] == ["IKD"]
    assert s.apply_event(ev(1, number="A001", counter="1")) == []
    assert [c.number for c in s.apply_event(ev(2, number="C001", counter="4", service="IKD"))] == ["C001"]
    assert s.view().latest.number == "C001" and s.view().last_calls == ()

    hall = DisplayState(clock=clock, filter=DisplayFilter.parse(None, "1,2"))
    hall.load_snapshot(overview())
    assert [c.code for c in hall.view().counters] == ["1", "2"]
    assert hall.apply_event(ev(1, number="A001", counter="3")) == []
    assert len(hall.apply_event(ev(2, number="A002", counter="2"))) == 1


def test_filter_parse():
    f = DisplayFilter.parse(" kia, KK ,", ["1", 2])
    assert f.services == frozenset({"KIA", "KK"}) and f.counters == frozenset({"1", "2"})
    assert DisplayFilter.parse("", "") == DisplayFilter()


def test_new_office_day_asks_for_a_full_snapshot(state):
    assert state.load_waiting(overview(waiting={"KIA": 9})) is False
    assert next(x for x in state.view().services if x.code == "KIA").waiting == 9
    assert state.load_waiting(overview(day="2026-11-24")) is True
    assert next(x for x in state.view().services if x.code == "KIA").waiting == 9


def test_connection_status_changes_notify(clock):
    seen = []
    s = DisplayState(clock=clock, on_change=lambda: seen.append(s.connection))
    s.set_connection(LIVE)
    s.set_connection(LIVE)
    clock.t += 7
    s.set_connection(DISCONNECTED)
    assert seen == [LIVE, DISCONNECTED] and s.view().connection_since == clock.t
    with pytest.raises(ValueError):
        s.set_connection("gone")


def test_memory_is_bounded_after_ten_thousand_calls(state, clock):
    events = [ev(11 + i, number=f"A{i % 999 + 1:03d}", counter=str(i % 5 + 1), at=T0) for i in range(10_000)]
    spoken = state.apply_events(events)
    assert len(spoken) == 10_000
    v = state.view()
    assert len(v.last_calls) == 4 and v.latest.number == f"A{9999 % 999 + 1:03d}"
    assert len(state._calls) == 5 and state.last_event_id == 10_010


def test_bad_overview_raises(clock):
    with pytest.raises(KeyError):
        DisplayState(clock=clock).load_snapshot({"office": "paser"})
