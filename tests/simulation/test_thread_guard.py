"""The simulation stops and reports when one of its officer threads crashes."""


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
