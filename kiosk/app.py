"""The kiosk's Kivy layer: a thin view over :class:`kiosk.controller.KioskController`.

Layout rules (issue 4): large type scaled to the screen's short side (``app.u`` = 1 %
of it), high contrast (navy on white, white on navy), touch targets at least 15 mm
(``kivy.metrics.mm``) and one decision per screen; it adapts to portrait and
landscape (1080×1920, 1920×1080, 768×1366). Network and printer calls run on worker
threads and come back to the UI thread with ``Clock.schedule_once``.

Every tappable widget has a ``kid`` (kiosk id, e.g. ``"service_KIA"``, ``"take_ticket"``)
so :mod:`kiosk.automation` can find and tap it.
"""
from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any, Callable

os.environ.setdefault("KIVY_NO_ARGS", "1")

from kivy.app import App  # noqa: E402
from kivy.clock import Clock  # noqa: E402
from kivy.core.window import Window  # noqa: E402
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty  # noqa: E402
from kivy.uix.boxlayout import BoxLayout  # noqa: E402
from kivy.uix.gridlayout import GridLayout  # noqa: E402
from kivy.uix.label import Label  # noqa: E402
from kivy.uix.screenmanager import NoTransition, Screen  # noqa: E402
from kivy.uix.scrollview import ScrollView  # noqa: E402
from kivy.uix.widget import Widget  # noqa: E402

from . import controller as c  # noqa: E402
from .theme import COLORS, use_palette  # noqa: E402
from .screens import BUILDERS  # noqa: E402

log = logging.getLogger(__name__)

__all__ = ["KioskApp", "COLORS", "thread_runner", "clock_scheduler", "KButton", "find_kid"]

REPO = Path(__file__).resolve().parents[1]
FONT_DIR = REPO / "assets" / "fonts"
LOGO = REPO / "assets" / "logo" / "dukcapil_placeholder.png"


def thread_runner(job: Callable[[], Any], done: Callable[[Any, BaseException | None], None]) -> None:
    """Run ``job`` on a daemon thread; ``done(result, error)`` runs on the Kivy thread."""

    def work() -> None:
        try:
            result, error = job(), None
        except Exception as exc:  # noqa: BLE001 - handed to the controller
            result, error = None, exc
        Clock.schedule_once(lambda _dt: done(result, error))

    threading.Thread(target=work, name="kiosk-io", daemon=True).start()


def clock_scheduler(delay: float, fn: Callable[[], None]) -> Callable[[], None]:
    """``fn()`` after ``delay`` seconds on the Kivy clock; returns the cancel function."""
    event = Clock.schedule_once(lambda _dt: fn(), delay)
    return event.cancel


from .ui import ACCENT, OUTLINE, PRIMARY, FaceButton, KButton, KioskRoot, KLabel, ServiceCard, _register_font, find_kid  # noqa: E402,E501,F401


class KioskApp(App):
    """The kiosk application.

    Args:
        ctrl: the :class:`KioskController` (built by ``kiosk.cli`` with a real API client
            and printer); the app attaches its runner/scheduler if the controller still
            has the defaults.
        fullscreen: take the whole screen (kiosk mode).
        automation: optional callable ``(app) -> None`` started after the first frame
            (:mod:`kiosk.automation`).
    """

    u = NumericProperty(10.0)
    logo = StringProperty(str(LOGO))
    office_title = StringProperty("")
    lang_label = StringProperty("")
    lang_enabled = BooleanProperty(True)
    banner = StringProperty("")
    nav_visible = BooleanProperty(False)
    back_label = StringProperty("")
    home_label = StringProperty("")
    ctrl = ObjectProperty(None)
    #: bumped when the palette changes, so the kv header re-reads its colours
    palette_rev = NumericProperty(0)

    def __init__(self, ctrl: c.KioskController, *, fullscreen: bool = False,
                 automation: Callable[["KioskApp"], None] | None = None, **kw) -> None:
        super().__init__(**kw)
        self.ctrl = ctrl
        self.fullscreen = fullscreen
        self.automation = automation
        self.title = "Loket - Kios"
        self._rendered: tuple | None = None
        self._modes: tuple[bool, bool] | None = None

    # ------------------------------------------------------------------ lifecycle
    def build(self):
        _register_font()
        if self.ctrl.runner is c.sync_runner:
            self.ctrl.runner = thread_runner
        self.ctrl.scheduler = clock_scheduler
        if self.fullscreen:
            Window.fullscreen = "auto"
            Window.show_cursor = False
        Window.clearcolor = COLORS["bg"]
        self.root_widget = KioskRoot()
        self.sm = self.root_widget.ids.sm
        self.sm.transition = NoTransition()
        for name in c.SCREENS:
            self.sm.add_widget(Screen(name=name))
        Window.bind(on_resize=self._on_resize, on_textinput=self._on_textinput, on_key_down=self._on_key_down)
        self._on_resize(Window, *Window.size)
        self.ctrl.listeners.append(lambda _ctrl: self.render())
        self.ctrl.start()
        self.render()
        if self.automation is not None:
            Clock.schedule_once(lambda _dt: self.automation(self), 0.5)
        return self.root_widget

    def _on_resize(self, _window, width, height) -> None:
        # 1 % of the short side; portrait screens have room for slightly larger type; the
        # citizen's "larger text" mode scales type and buttons by 1.25 (pages scroll)
        scale = 1.25 if self.ctrl.large_text else 1.0
        self.u = max(3.0, min(width, height) / 100.0 * (1.0 if width > height else 1.12) * scale)
        self.render()

    def _apply_modes(self) -> None:
        """Follow the citizen's high-contrast and larger-text choices."""
        modes = (self.ctrl.high_contrast, self.ctrl.large_text)
        if modes == self._modes:
            return
        first = self._modes is None
        self._modes = modes
        if not first or self.ctrl.high_contrast:
            use_palette("high_contrast" if self.ctrl.high_contrast else "normal")
            Window.clearcolor = COLORS["bg"]
            self.palette_rev += 1
        self._on_resize(Window, *Window.size)

    @property
    def landscape(self) -> bool:
        """True when the window is wider than tall (two-pane layouts)."""
        return Window.width > Window.height

    # ------------------------------------------------------------------ keyboard / scanner
    def _on_textinput(self, _window, text: str) -> None:
        if self.ctrl.screen == c.STATUS:
            self.ctrl.status_type(text)

    def _on_key_down(self, _window, key, _scancode, _codepoint, _modifiers) -> bool:
        if self.ctrl.screen != c.STATUS:
            return False
        if key in (13, 271):  # Enter / keypad Enter: a scanner ends the code with it
            self.ctrl.status_submit()
            return True
        if key == 8:
            self.ctrl.status_backspace()
            return True
        return False

    # ------------------------------------------------------------------ rendering
    def t(self, key: str, **kw) -> str:
        """A kiosk text in the controller's current language."""
        return self.ctrl.t(key, **kw)

    def render(self) -> None:
        """Show the controller's screen with fresh content."""
        if not hasattr(self, "sm"):
            return
        ctrl = self.ctrl
        if (ctrl.high_contrast, ctrl.large_text) != self._modes:
            self._apply_modes()  # redraws through _on_resize
            return
        self.office_title = ctrl.office_short or ctrl.office_name or "Disdukcapil"
        self.lang_label = self.t("lang_switch")
        self.lang_enabled = ctrl.screen not in (c.ISSUING, c.CONFIRMATION, c.IKM_DONE)
        self.nav_visible = ctrl.screen in (c.SERVICES, c.QUESTION, c.PRIORITY, c.CHECKLIST, c.STATUS, c.IKM,
                                           c.INELIGIBLE)
        self.back_label = "‹  " + self.t("back")
        self.home_label = self.t("home")
        banner = ctrl.message if ctrl.screen not in (c.NOTICE, c.ISSUING, c.QUESTION, c.STATUS, c.NOTIFY) else ""
        if ctrl.stalled is not None or ctrl.waiting:
            banner = ctrl.message or self.t("server_down_kept")
        if ctrl.screen == c.WELCOME and ctrl.server_ok is False and not banner:
            banner = self.t("server_down")
        self.banner = banner
        screen = self.sm.get_screen(ctrl.screen)
        screen.clear_widgets()
        screen.add_widget(self._page(BUILDERS[ctrl.screen](self)))
        if self.sm.current != ctrl.screen:
            self.sm.current = ctrl.screen

    # -- helpers
    def _page(self, content: Widget) -> Widget:
        """The screen's content with the fault banner and the back/home footer below it.
        They live inside the screen, so the ScreenManager never moves or resizes."""
        page = BoxLayout(orientation="vertical")
        page.add_widget(content)
        if self.banner:
            holder = BoxLayout(size_hint_y=None, padding=(self.u * 2, self.u * 1.5))
            lab = Label(text=self.banner, font_name="KioskSans", bold=True, font_size=self.u * 3.4,
                        color=COLORS["warn_fg"], halign="center", valign="middle")
            lab.kid = "banner"
            lab.bind(width=lambda w, v: setattr(w, "text_size", (v, None)))
            stalled = self.ctrl.stalled is not None or self.ctrl.waiting
            if not stalled:
                lab.bind(texture_size=lambda w, v: setattr(holder, "height", v[1] + self.u * 3))
            holder.add_widget(lab)
            if stalled:
                # the server could not be reached: the answers are kept; try again or wait
                holder.orientation = "vertical"
                holder.spacing = self.u * 1.5
                row = BoxLayout(spacing=self.u * 2, size_hint_y=None)
                if self.ctrl.waiting:
                    b = self.button(self.t("stop_waiting"), "stop_waiting", self.ctrl.stop_waiting, style=OUTLINE)
                    row.add_widget(b)
                else:
                    b = self.button(self.t("retry_now"), "retry_now", self.ctrl.retry_now, style=ACCENT)
                    row.add_widget(b)
                    row.add_widget(self.button(self.t("wait_for_server"), "wait_for_server",
                                               self.ctrl.wait_for_server, style=OUTLINE))
                row.height = b.height
                b.bind(height=lambda w, v: setattr(row, "height", v))
                holder.add_widget(row)
                lab.size_hint_y = None
                lab.bind(texture_size=lambda w, v: setattr(w, "height", v[1]))

                def fit(*_args) -> None:
                    holder.height = lab.height + row.height + self.u * 4.5
                lab.bind(height=fit)
                row.bind(height=fit)
                fit()
            self._paint(holder, COLORS["warn_bg"])
            page.add_widget(holder)
        if self.nav_visible:
            footer = BoxLayout(size_hint_y=None, padding=(self.u * 2, self.u * 1.5), spacing=self.u * 2)
            back = self.button(self.back_label, "back", self.ctrl.back, style=OUTLINE)
            home = self.button(self.home_label, "home", self.ctrl.go_home, style=OUTLINE)
            footer.add_widget(back)
            footer.add_widget(home)
            footer.height = back.height + self.u * 3
            back.bind(height=lambda w, v: setattr(footer, "height", v + self.u * 3))
            page.add_widget(footer)
        return page

    @staticmethod
    def _paint(widget: Widget, rgba, radius: float = 0) -> None:
        from kivy.graphics import Color, RoundedRectangle
        with widget.canvas.before:
            Color(*rgba)
            rect = RoundedRectangle(radius=[radius])
        widget.bind(pos=lambda w, v: setattr(rect, "pos", v), size=lambda w, v: setattr(rect, "size", v))

    def label(self, text: str, size: float = 3.6, *, bold: bool = False, color=None, halign: str = "left") -> KLabel:
        """A wrapping label; ``size`` in units of ``app.u`` (1 % of the short side)."""
        lab = KLabel(text=text, font_size=self.u * size, bold=bold, halign=halign)
        if color is not None:
            lab.color = color
        return lab

    def button(self, text: str, kid: str, action: Callable[[], Any], *, style: dict = PRIMARY,
               size: float = 3.8, height: float | None = None) -> KButton:
        """A button named ``kid`` calling ``action()``; ``size`` (type) and ``height``
        (minimum) in units of ``app.u``; never lower than 15 mm (widgets.kv)."""
        b = KButton(text=text, kid=kid, font_size=self.u * size, **style)
        if height is not None:
            b.min_h = self.u * height
        b.bind(on_release=lambda *_: action())
        return b

    def column(self, pad_x: float | None = None) -> tuple[ScrollView, BoxLayout]:
        """(scroll view, vertical box to fill) with the standard page padding; the box
        scrolls only when its content is taller than the screen."""
        pad = self.u * (4 if pad_x is None else pad_x)
        box = BoxLayout(orientation="vertical", padding=(pad, self.u * 3), spacing=self.u * 2.2, size_hint_y=None)
        box.bind(minimum_height=box.setter("height"))
        sv = ScrollView(do_scroll_x=False, bar_width=self.u * 0.8, scroll_type=["bars", "content"])
        sv.add_widget(box)

        def to_top(*_args) -> None:
            sv.scroll_y = 1
            sv.update_from_scroll()

        # keep a new page at its top whatever the order in which sizes settle
        box.bind(height=lambda *_: Clock.schedule_once(to_top, 0))
        sv.bind(size=lambda *_: Clock.schedule_once(to_top, 0))
        return sv, box

    def panes(self) -> tuple[Widget, BoxLayout, BoxLayout]:
        """(outer, text pane, controls pane): side by side in landscape (45 % / 55 %); in
        portrait one column with the texts at the top and the controls lower down."""
        if not self.landscape:
            # portrait: texts at the top, the buttons lower down within reach, half of the
            # free height above them and half below
            outer, box = self.column()
            texts = BoxLayout(orientation="vertical", spacing=box.spacing, size_hint_y=None)
            spacer = Widget(size_hint_y=None, height=0)
            controls = BoxLayout(orientation="vertical", spacing=box.spacing, size_hint_y=None)
            for pane in (texts, controls):
                pane.bind(minimum_height=pane.setter("height"))

            def fill(*_args) -> None:
                used = texts.height + controls.height + box.spacing * 2 + box.padding[1] + box.padding[3]
                spacer.height = max(0.0, (outer.height - used) * 0.5)

            for widget in (texts, controls, outer):
                widget.bind(height=fill)
            box.add_widget(texts)
            box.add_widget(spacer)
            box.add_widget(controls)
            return outer, texts, controls
        outer = BoxLayout(orientation="horizontal", padding=(self.u * 2, 0), spacing=self.u * 2)
        left_sv, left = self.column(pad_x=3)
        right_sv, right = self.column(pad_x=3)
        left_sv.size_hint_x = 0.45
        right_sv.size_hint_x = 0.55
        outer.add_widget(left_sv)
        outer.add_widget(right_sv)
        return outer, left, right

    def heading(self, box: BoxLayout, text: str, sub: str = "") -> None:
        """A page title and an optional grey subtitle."""
        box.add_widget(self.label(text, 6.0, bold=True, color=COLORS["primary"]))
        if sub:
            box.add_widget(self.label(sub, 3.6, color=COLORS["muted"]))

    def grid(self, cols: int) -> GridLayout:
        """A grid of ``cols`` columns as tall as its content."""
        g = GridLayout(cols=cols, spacing=self.u * 2, size_hint_y=None)
        g.bind(minimum_height=g.setter("height"))
        return g

    def centred(self) -> BoxLayout:
        """A vertical page whose content is centred (welcome, confirmation, notices)."""
        pad_x = self.u * (14 if self.landscape else 6)
        return BoxLayout(orientation="vertical", padding=(pad_x, self.u * 3), spacing=self.u * 2.5)

    # -- screens


