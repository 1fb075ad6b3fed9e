"""Scripted taps for the kiosk window: real-window tests, the benchmark and demos.

``loket kiosk ...`` runs a script when the environment variable ``LOKET_KIOSK_SCRIPT``
names a JSON file ``{"out": DIR, "steps": [...]}``. Each step is one object:

==============================  ============================================================
``{"tap": KID}``                wait until the widget with that ``kid`` is on screen and the
                                kiosk is not busy, then touch down/up at its centre
                                (``"double": true``: two touches in the same frame)
``{"wait": SCREEN}``            wait until the controller shows ``SCREEN`` (and is not busy)
``{"date": "YYYY-MM-DD"}``      type the date on the keypad, one digit tap per frame
``{"see": KID}``                wait until the widget with that ``kid`` is on screen
``{"absent": KID}``             fail when the widget with that ``kid`` is on screen
``{"wait_file": PATH}``         wait until the file exists (a test's signal to go on)
``{"type": TEXT}``              keyboard/scanner input (``\\r`` submits on the status screen)
``{"shot": NAME}``              save ``DIR/NAME.png`` (``Window.screenshot``)
``{"size": [W, H]}``            resize the window (orientation change)
``{"mark": NAME}``              record ``time.time()`` under NAME
``{"sleep": SECONDS}``          pause
==============================  ============================================================

Steps may carry ``"timeout"`` (seconds, default 15). At the end (or at the first
failure) ``DIR/automation.json`` holds ``{"ok", "error", "marks", "taps", "screens"}``
and the app stops. Touches are Kivy's own ``UnitTestTouch`` events dispatched through
the event loop, so they travel the same path as a finger on the screen.
"""
from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

from kivy.clock import Clock
from kivy.core.window import Window

__all__ = ["ScriptRunner", "load_script"]

STEP_PAUSE = 0.12  # seconds between steps: one or two frames for the screen to settle


def load_script(path: str | Path) -> dict:
    """Read a script file (JSON); ValueError when it has no ``steps`` list."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data.get("steps"), list):
        raise ValueError("automation script needs a 'steps' list")
    return data


class ScriptRunner:
    """Plays ``script`` on a running :class:`kiosk.app.KioskApp` (call it with the app)."""

    def __init__(self, script: dict) -> None:
        self.steps = list(script["steps"])
        self.out = Path(script.get("out") or ".")
        self.index = 0
        self.started = 0.0
        self.result: dict = {"ok": False, "error": None, "marks": {}, "taps": [], "screens": []}

    def __call__(self, app) -> None:
        self.app = app
        self.out.mkdir(parents=True, exist_ok=True)
        self._next(0)

    # ------------------------------------------------------------------ loop
    def _next(self, delay: float = STEP_PAUSE) -> None:
        self.started = time.monotonic()
        Clock.schedule_once(lambda _dt: self._run(), delay)

    def _retry(self) -> None:
        Clock.schedule_once(lambda _dt: self._run(), 0.05)

    def _fail(self, message: str) -> None:
        self.result["error"] = f"step {self.index} {self.steps[self.index]!r}: {message}"
        self._shot("failure")
        self._finish()

    def _finish(self) -> None:
        self.result["ok"] = self.result["error"] is None
        (self.out / "automation.json").write_text(json.dumps(self.result, indent=1), encoding="utf-8")
        self.app.stop()

    def _run(self) -> None:
        if self.index >= len(self.steps):
            self._finish()
            return
        step = self.steps[self.index]
        timeout = float(step.get("timeout", 15))
        ctrl = self.app.ctrl
        if time.monotonic() - self.started > timeout:
            self._fail(f"timed out on screen {ctrl.screen!r} (busy={ctrl.busy}, message={ctrl.message!r})")
            return
        try:
            done = self._step(step)
        except Exception as exc:  # noqa: BLE001 - reported in automation.json
            self._fail(f"{type(exc).__name__}: {exc}")
            return
        if done:
            if not self.result["screens"] or self.result["screens"][-1] != ctrl.screen:
                self.result["screens"].append(ctrl.screen)
            self.index += 1
            self._next()
        else:
            self._retry()

    # ------------------------------------------------------------------ steps
    def _tap_kid(self, kid: str, double: bool = False) -> bool:
        from .app import find_kid

        ctrl = self.app.ctrl
        if ctrl.busy:
            return False
        screen = self.app.sm.current_screen
        if self.app.sm.transition.is_active:
            return False
        widget = find_kid(screen, kid) or find_kid(self.app.root_widget.ids.header, kid)
        if widget is None:
            return False
        if not self._visible(widget):
            return False
        tapped_at = time.time()
        self.tap(widget)
        if double:  # a double tap: the second touch lands in the same frame
            self.tap(widget)
        self.result["taps"].append({"kid": kid, "at": tapped_at, "screen": ctrl.screen, "double": double})
        return True

    @staticmethod
    def _visible(widget) -> bool:
        """True when the widget's centre is on screen; otherwise scroll its ScrollView to it
        (as a citizen would) and answer False so the tap is tried on the next frame."""
        from kivy.uix.scrollview import ScrollView

        x, y = widget.to_window(*widget.center)
        parent = widget.parent
        while parent is not None and not isinstance(parent, ScrollView):
            parent = None if parent is Window else parent.parent  # the Window is its own parent
        if parent is not None:
            px, py = parent.to_window(parent.x, parent.y)
            inside = px <= x <= px + parent.width and py <= y <= py + parent.height
            if not inside:
                parent.scroll_to(widget, animate=False)
                return False
        return 0 <= x < Window.width and 0 <= y < Window.height

    @staticmethod
    def tap(widget) -> None:
        """Touch down and up at the centre of ``widget`` (window coordinates)."""
        from kivy.tests.common import UnitTestTouch

        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()

    def _step(self, step: dict) -> bool:
        ctrl = self.app.ctrl
        if "tap" in step:
            return self._tap_kid(step["tap"], bool(step.get("double")))
        if "wait" in step:
            return ctrl.screen == step["wait"] and not ctrl.busy and self.app.sm.current == step["wait"] \
                and not self.app.sm.transition.is_active
        if "date" in step:
            # type the date on the keypad as a citizen would, one tap per frame
            target = date.fromisoformat(step["date"])
            entry = ctrl.date_entry
            if entry is None or ctrl.busy:
                return False
            want = target.strftime("%d%m") + f"{target.year:04d}"
            if entry.digits == want:
                return True
            if not want.startswith(entry.digits):
                self._tap_kid("date_clear")
                return False
            self._tap_kid(f"date_key_{want[len(entry.digits)]}")
            return False
        if "wait_file" in step:
            return Path(step["wait_file"]).exists()
        if "see" in step or "absent" in step:
            from .app import find_kid

            kid = step.get("see") or step["absent"]
            widget = find_kid(self.app.sm.current_screen, kid) or find_kid(self.app.root_widget.ids.header, kid)
            if "absent" in step:
                if widget is not None and self._visible(widget):
                    raise AssertionError(f"{kid!r} is on screen")
                return True
            return widget is not None and self._visible(widget)
        if "type" in step:
            for ch in step["type"]:
                if ch in "\r\n":
                    Window.dispatch("on_key_down", 13, 40, None, [])
                else:
                    Window.dispatch("on_textinput", ch)
            return True
        if "shot" in step:
            self._shot(step["shot"])
            return True
        if "size" in step:
            w, h = step["size"]
            if tuple(Window.size) != (w, h):
                Window.size = (w, h)
                return False
            return True
        if "mark" in step:
            self.result["marks"][step["mark"]] = time.time()
            return True
        if "sleep" in step:
            return time.monotonic() - self.started >= float(step["sleep"])
        raise ValueError(f"unknown step {step!r}")

    def _shot(self, name: str) -> None:
        target = self.out / f"{name}.png"
        made = Window.screenshot(name=str(self.out / f"{name}_.png"))
        if made:
            Path(made).replace(target)
