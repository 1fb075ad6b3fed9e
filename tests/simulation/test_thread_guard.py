"""The simulation stops and reports when one of its officer threads crashes, and its
reads wait out a server that is down."""
import pytest


def test_an_officer_thread_that_crashes_stops_the_day_and_is_reported():
    """A thread must not die silently while the others wait for its work forever."""
    import threading
    import types

    from simulation.day import _guarded

    day = types.SimpleNamespace(errors=[], stop=threading.Event())

    def body():
        raise KeyError("items")

    t = threading.Thread(target=_guarded(day, "op_scan", body))
    t.start()
    t.join(timeout=5)
    assert day.stop.is_set()
    assert day.errors == ["op_scan stopped: KeyError: 'items'"]


def test_a_read_waits_out_a_server_that_is_down_at_that_moment(tmp_path):
    """#18 item 4: the distribution thread's first GET /offices during the crash used to
    kill the thread; a read now waits until the server answers again."""
    from zoneinfo import ZoneInfo

    from simulation.actors import _Day
    from simulation.plan import SimConfig
    from simulation.server import ServerDown

    class FlakyApi:
        def __init__(self):
            self.down = 3
            self.calls = 0

        def wait_healthy(self, timeout_real=60.0):
            return {"time": 1_800_000_000.0}

        def request(self, method, path, body=None, token=None, **kw):
            self.calls += 1
            if self.down:
                self.down -= 1
                raise ServerDown("refused")
            return {"offices": [], "default": "paser", "path": path}

    api = FlakyApi()
    day = _Day(SimConfig(out=tmp_path), api, None, ZoneInfo("Asia/Makassar"))
    assert day.read("/offices")["path"] == "/offices"
    assert api.calls == 4  # three refusals, then the answer
    day.stop.set()
    api.down = 1
    with pytest.raises(ServerDown):  # a stopping day gives up instead of waiting
        day.read("/offices")
