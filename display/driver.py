"""Automation of a running display for tests and the bench (not used in production).

Enabled by ``DisplayApp(automation_dir=DIR)`` (``loket display --automation DIR`` or
the ``LOKET_DISPLAY_AUTOMATION`` environment variable). After every render the app
writes ``DIR/status.json`` atomically: the texts on screen (``DisplayApp.screen_text``),
``revision``, ``connection``, ``last_event_id``, ``rendered_at`` (epoch s),
``renders``, ``fps`` (Kivy frames per second) and ``rss_kb`` (resident memory). Every 0.1 s it looks for request files:

* ``NAME.shot`` — save a screenshot as ``DIR/NAME.png`` (then the request is removed);
* ``NAME.feed`` — JSON ``{"count": 10000, "start_id": 1000000, "batch": 10,
  "pause": 0.005}``: apply ``count`` synthetic ``ticket.called`` events (A001..A999
  on the state's counters, generated batch by batch, ids from ``start_id``) to the
  state on a worker thread as if they came from the server (nothing is announced),
  pausing ``pause`` s between batches, then create ``DIR/NAME.fed`` (bench: memory
  after 10,000 calls with the window rendering them);
* ``quit`` — stop the app.
"""
from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

from kivy.clock import Clock
from kivy.core.window import Window

__all__ = ["Automation", "rss_kb"]


def rss_kb() -> int:
    """Resident memory of this process in KiB (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Automation:
    """Status file and screenshot requests for ``app`` in ``directory``."""

    def __init__(self, app, directory: str | Path) -> None:
        self.app = app
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self._last = None
        Clock.schedule_interval(self._poll, 0.1)

    def rendered(self, view) -> None:
        """Write status.json for the view just rendered."""
        self._last = view
        self.write_status()

    def write_status(self) -> None:
        """Write the current screen texts to status.json (atomic rename)."""
        view = self._last or self.app.controller.state.view()
        data = {"revision": view.revision, "connection": view.connection, "last_event_id": view.last_event_id,
                "rendered_at": time.time(), "event_received_at": self.app.controller.last_event_received, "renders": self.app.render_count, "rss_kb": rss_kb(),
                "fps": round(Clock.get_fps(), 1),
                "announced": [c.number for c in self.app.controller.announced],
                "spoken": list(self.app.controller.spoken),
                "screen": self.app.screen_text()}
        tmp = self.dir / "status.json.tmp"
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.dir / "status.json")

    def _poll(self, _dt) -> None:
        for req in sorted(self.dir.glob("*.shot")):
            target = self.dir / f"{req.stem}.png"
            saved = Window.screenshot(name=str(target))
            if saved:
                os.replace(saved, target)
            req.unlink(missing_ok=True)
        for req in sorted(self.dir.glob("*.feed")):
            spec = json.loads(req.read_text(encoding="utf-8"))
            req.unlink(missing_ok=True)
            threading.Thread(target=self._feed, args=(req.stem, spec), daemon=True).start()
        if (self.dir / "quit").exists():
            (self.dir / "quit").unlink(missing_ok=True)
            self.app.stop()
        else:
            self.write_status()

    def _feed(self, name: str, spec: dict) -> None:
        state = self.app.controller.state
        counters = [(c.code, c.number) for c in state.view().counters] or [("1", 1)]
        count, start = int(spec["count"]), int(spec.get("start_id", 1_000_000))
        batch, pause = max(1, int(spec.get("batch", 10))), float(spec.get("pause", 0.0))
        for first in range(0, count, batch):
            events = []
            for i in range(first, min(count, first + batch)):
                code, number = counters[i % len(counters)]
                events.append({"id": start + i, "type": "ticket.called", "at": state.server_now(),
                               "number": f"A{i % 999 + 1:03d}", "service": "KIA", "counter": code,
                               "counter_number": number})
            state.apply_events(events)
            time.sleep(pause)
        (self.dir / f"{name}.fed").touch()
