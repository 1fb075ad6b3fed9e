"""Automation of a running display for tests and the bench (not used in production).

Enabled by ``DisplayApp(automation_dir=DIR)`` (``loket display --automation DIR`` or
the ``LOKET_DISPLAY_AUTOMATION`` environment variable). After every render the app
writes ``DIR/status.json`` atomically: the texts on screen (``DisplayApp.screen_text``),
``revision``, ``connection``, ``last_event_id``, ``rendered_at`` (epoch s),
``renders``, ``fps`` (Kivy frames per second) and ``rss_kb`` (resident memory). Every 0.1 s it looks for request files:

* ``NAME.shot`` — save a screenshot as ``DIR/NAME.png`` (then the request is removed);
* ``NAME.feed`` — JSON ``{"events": [...], "batch": 50}``: apply these event
  dicts to the state in batches on a worker thread (as if they came from the
  server; nothing is announced), then create ``DIR/NAME.fed`` (bench: memory
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
        events, batch = spec["events"], max(1, int(spec.get("batch", 50)))
        for i in range(0, len(events), batch):
            self.app.controller.state.apply_events(events[i:i + batch])
            time.sleep(float(spec.get("pause", 0.0)))
        (self.dir / f"{name}.fed").touch()
