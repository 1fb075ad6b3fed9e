"""Automation driver for real-window tests of the counter station.

``LOKET_STATION_SCRIPT`` names a JSON file ``{"steps": [...], "result": PATH}``. Each
step runs when the app is idle (no action running) on the Kivy clock:

* ``{"tap": NAME}`` — touch down/up at the centre of widget ``NAME`` (``app.w``);
* ``{"type": [NAME, TEXT]}`` — set a text field; ``{"select": [NAME, VALUE]}`` — a choice;
* ``{"until": EXPR, "timeout": S}`` — wait until the Python expression is true
  (names: ``ctl`` the controller, ``app``, ``w`` the widgets);
* ``{"key": NAME}`` — press keyboard key ``NAME`` ("f2", ...) through the window's
  ``on_key_down`` (as a real key press arrives);
* ``{"wait": S}`` — pause; ``{"shot": PATH}`` — save ``Window.screenshot`` as PATH;
* ``{"remember": [KEY, EXPR]}`` — keep a value; later names and texts may use
  ``{KEY}`` (``str.format``), e.g. ``{"tap": "take_{code}"}``.

When the script ends (or a step fails) the result ``{"ok", "step", "error"}`` is
written to ``result`` and the app stops.
"""
from __future__ import annotations

import json
import os
import time
import traceback
from pathlib import Path

from kivy.clock import Clock
from kivy.logger import Logger
from kivy.core.window import Window
from kivy.tests.common import UnitTestTouch


def screenshot(path: Path) -> None:
    """Save the window's framebuffer as PNG. RGBA rows are always 4-byte aligned, so
    any window width works (``Window.screenshot`` reads RGB and shears odd widths)."""
    from kivy.graphics.opengl import GL_RGBA, GL_UNSIGNED_BYTE, glReadPixels
    from PIL import Image as PILImage
    width, height = Window.system_size
    data = glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE)
    image = PILImage.frombytes("RGBA", (width, height), bytes(data)).transpose(PILImage.FLIP_TOP_BOTTOM)
    image.convert("RGB").save(path)


class Driver:
    """Runs a JSON script of steps against a :class:`StationApp` (module docstring)."""

    def __init__(self, app, script_path: str | os.PathLike) -> None:
        self.app = app
        data = json.loads(Path(script_path).read_text(encoding="utf-8"))
        self.steps = data["steps"]
        self.result = Path(data["result"])
        self.index = 0
        self.deadline: float | None = None
        self.pause_until = 0.0
        self.vars: dict[str, str] = {}

    def attach(self) -> None:
        Clock.schedule_once(lambda dt: Clock.schedule_interval(self._tick, 0.1), 1.0)

    def _finish(self, ok: bool, error: str = "") -> None:
        self.result.write_text(json.dumps({"ok": ok, "step": self.index, "error": error}), encoding="utf-8")
        Clock.schedule_once(lambda dt: self.app.stop(), 0.2)

    def _widget(self, name: str):
        name = name.format(**self.vars)
        if name not in self.app.w:
            raise KeyError(f"no widget {name!r}; known: {sorted(self.app.w)}")
        return self.app.w[name]

    def _tick(self, dt):
        if self.index >= len(self.steps):
            self._finish(True)
            return False
        if self.app.busy or time.monotonic() < self.pause_until:
            return True
        step = self.steps[self.index]
        if self.deadline is None:
            Logger.info("StationDriver: step %d %s", self.index, step)
        try:
            if "until" in step:
                env = {"ctl": self.app.ctl, "app": self.app, "w": self.app.w}
                if self.deadline is None:
                    self.deadline = time.monotonic() + float(step.get("timeout", 20))
                if not eval(step["until"], {}, env):  # noqa: S307 - test scripts written by the test suite
                    if time.monotonic() > self.deadline:
                        notice = self.app.ctl.notice
                        raise TimeoutError(f"until {step['until']!r} timed out; notice={notice}; vars={self.vars}")
                    return True
                self.deadline = None
            elif "tap" in step:
                w = self._widget(step["tap"])
                if w.disabled:
                    raise RuntimeError(f"widget {step['tap']!r} is disabled")
                x, y = w.to_window(w.center_x, w.center_y)
                touch = UnitTestTouch(x, y)
                touch.touch_down()
                touch.touch_up()
                self.pause_until = time.monotonic() + 0.15
            elif "type" in step:
                name, text = step["type"]
                self._widget(name).text = text.format(**self.vars)
            elif "remember" in step:
                key, expr = step["remember"]
                expr = expr.format(**self.vars)
                env = {"ctl": self.app.ctl, "app": self.app, "w": self.app.w}
                self.vars[key] = str(eval(expr, {}, env))  # noqa: S307 - test scripts
            elif "select" in step:
                name, value = step["select"]
                self._widget(name).text = value
            elif "key" in step:
                from kivy.core.window import Keyboard
                code = Keyboard.keycodes[step["key"]]
                Window.dispatch("on_key_down", code, 0, None, [])
                Window.dispatch("on_key_up", code, 0)
                self.pause_until = time.monotonic() + 0.15
            elif "wait" in step:
                self.pause_until = time.monotonic() + float(step["wait"])
            elif "shot" in step:
                target = Path(step["shot"])
                target.parent.mkdir(parents=True, exist_ok=True)
                screenshot(target)
            else:
                raise ValueError(f"unknown step {step!r}")
        except Exception as exc:  # report any failure to the test, then stop
            self._finish(False, f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
            return False
        self.index += 1
        return True
