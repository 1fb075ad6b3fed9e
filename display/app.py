"""The waiting-room display as a Kivy app (issue 6 §1): a thin layer over
:class:`~display.controller.DisplayController`.

Import this module only after the window is configured (``launch.run`` does it):
importing Kivy's window module creates the window. Everything shown comes from
``controller.state.view()``; the controller's threads ask for a render with
:meth:`DisplayApp.request_render`, which hops to the Kivy clock. Two layouts, chosen
by the window's shape (or the theme's ``orientation``): landscape (1920×1080) and
portrait (1080×1920). With ``automation_dir`` set, :class:`~display.driver.Automation`
writes what the screen shows to ``status.json`` and takes screenshots on request
(tests, bench).
"""
from __future__ import annotations

import logging
import threading
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date
from kivy.animation import Animation
from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.graphics import Color, Rectangle
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.stencilview import StencilView
from kivy.uix.widget import Widget

from .controller import DisplayController
from .state import DISCONNECTED, LIVE, DisplayView
from .theme import Theme, format_wait, service_label

log = logging.getLogger(__name__)

__all__ = ["DisplayApp", "format_wait", "service_label"]

KV_FILE = Path(__file__).with_name("waiting_room.kv")

#: The counters list is laid out for at least this many rows (fewer counters leave
#: space below rather than growing huge).
MIN_ROWS = 5

#: Up to this many counters are listed in one column, more in two.
MAX_SINGLE_COLUMN = 7


class Tile(BoxLayout):
    """A rounded panel; ``flash`` (0..1) whitens it for the new-call flash."""

    bg = ListProperty([0, 0, 0, 0])
    radius = NumericProperty(dp(14))
    flash = NumericProperty(0)


class TextLabel(Label):
    """One line of text sized to ``fit`` × its height, smaller when the line would
    not fit its width (``width_fit`` ≈ 1 / average glyph width in em), shortened
    with "…" only as a last resort."""

    fit = NumericProperty(0.5)
    width_fit = NumericProperty(1.65)


class FitLabel(Label):
    """A big bold label whose size fits its box (height × ``fit``, width per glyph)."""

    fit = NumericProperty(0.8)
    width_fit = NumericProperty(1.3)


class Header(BoxLayout):
    """Logo, office name and the clock/date in the office's zone."""

    logo = StringProperty("")
    title = StringProperty("")
    subtitle = StringProperty("")
    clock = StringProperty("")
    date = StringProperty("")
    clock_share = NumericProperty(0.3)


class Banner(BoxLayout):
    """The TERPUTUS banner (height 0 and transparent while live); ``alert`` paints it
    in the alert colour (disconnected) rather than the panel colour (connecting)."""

    text = StringProperty("")
    alert = BooleanProperty(False)


class LatestCall(Tile):
    """The latest call in the largest type."""

    caption = StringProperty("")
    number = StringProperty("")
    counter = StringProperty("")
    service = StringProperty("")


class CounterRow(Tile):
    """One counter: "LOKET 3", the service code and the number being served."""

    code = StringProperty("")
    label = StringProperty("")
    service = StringProperty("")
    number = StringProperty("")
    highlighted = BooleanProperty(False)


class HistoryChip(Tile):
    """A previous call: number and loket."""

    number = StringProperty("")
    counter = StringProperty("")


class ServiceTile(Tile):
    """Waiting people and estimated wait of one service."""

    code = StringProperty("")
    waiting = StringProperty("")
    people = StringProperty("")
    estimate = StringProperty("")


class Ticker(StencilView):
    """The running text, scrolling right to left at ``speed`` × height per second,
    repeated (``REPEAT`` times, separated by a bullet) so the line is never empty."""

    REPEAT = 4
    SEPARATOR = "      •      "
    text = StringProperty("")
    looped = StringProperty("")
    offset = NumericProperty(0)
    speed = NumericProperty(2.2)

    def on_text(self, _widget, text: str) -> None:
        """Rebuild the repeated line when the office's running text changes."""
        self.looped = (text + self.SEPARATOR) * self.REPEAT if text else ""

    def step(self, dt: float) -> None:
        """Move the text; called by the app's clock."""
        label = self.ids.get("ticker_label")
        if label is None or not self.text or not label.width:
            return
        self.offset -= self.speed * self.height * dt
        period = label.width / self.REPEAT
        if self.offset < -period:
            self.offset += period


def _section(text: str) -> Label:
    from kivy.factory import Factory

    return Factory.SectionTitle(text=text)


class DisplayApp(App):
    """The fullscreen display. ``controller`` feeds it; ``theme`` styles it;
    ``automation_dir`` (tests/bench) enables status files and screenshots."""

    theme_font = StringProperty("")
    theme_font_bold = StringProperty("")
    orientation = StringProperty("landscape")

    def __init__(self, controller: DisplayController, theme: Theme | None = None, *,
                 automation_dir: str | Path | None = None, **kw) -> None:
        super().__init__(**kw)
        self.controller = controller
        self.theme = theme or Theme()
        self.theme_font = str(self.theme.font)
        self.theme_font_bold = str(self.theme.font_bold)
        self.title = "Loket — Layar Antrean"
        self.automation_dir = Path(automation_dir) if automation_dir else None
        self.automation = None
        self._pending = threading.Event()
        self._flash_serial = 0
        self._flash_until = 0.0
        self._flash_anim: Animation | None = None
        self._rows: dict[str, CounterRow] = {}
        self._row_codes: tuple[str, ...] = ()
        self._service_codes: tuple[str, ...] = ()
        self.rendered_revision = -1
        self.render_count = 0
        controller.state.on_change = self.request_render

    # ------------------------------------------------------------------ helpers
    def color(self, name: str):
        """Theme colour ``name`` as RGBA (used by waiting_room.kv)."""
        return self.theme.colors.rgba(name)

    @property
    def texts(self) -> dict[str, str]:
        """Screen texts in the theme's language."""
        return self.theme.texts

    def _zone(self) -> ZoneInfo:
        info = self.controller.office_info or {}
        try:
            return ZoneInfo(info.get("timezone") or "Asia/Makassar")
        except (KeyError, ValueError):
            return ZoneInfo("UTC")

    # ------------------------------------------------------------------ build
    def build(self):
        """Build the landscape or portrait layout (by window shape or theme)."""
        Builder.load_file(str(KV_FILE))
        w, h = Window.size
        orientation = self.theme.orientation
        if orientation == "auto":
            orientation = "landscape" if w >= h else "portrait"
        self.orientation = orientation
        root = BoxLayout(orientation="vertical")
        with root.canvas.before:
            Color(*self.color("background"))
            self._bg_rect = Rectangle(pos=root.pos, size=root.size)
        root.bind(pos=lambda *_: setattr(self._bg_rect, "pos", root.pos),
                  size=lambda *_: setattr(self._bg_rect, "size", root.size))
        t = self.texts
        portrait = orientation == "portrait"
        self.header = Header(size_hint_y=0.075 if portrait else 0.115, logo=str(self.theme.logo),
                             clock_share=0.42 if portrait else 0.3)
        self.banner = Banner(size_hint_y=None, height=0, opacity=0)
        self._banner_height = (0.04 if portrait else 0.07) * h
        self.latest = LatestCall(caption=t["called"])
        self.counters_box = GridLayout(cols=1, spacing=dp(8))
        self.history = GridLayout(cols=3, spacing=dp(10))
        self.history_chips = [HistoryChip() for _ in range(self.theme.history)]
        for chip in self.history_chips:
            self.history.add_widget(chip)
        self.services_box = GridLayout(rows=1, spacing=dp(10))
        self.ticker = Ticker(size_hint_y=0.04 if portrait else 0.065)
        pad = dp(16)
        if portrait:
            body = BoxLayout(orientation="vertical", padding=pad, spacing=dp(10))
            body.add_widget(self.latest)
            self.latest.size_hint_y = 0.3
            for title, widget, share in ((t["counters"], self.counters_box, 0.33),
                                         (t["history"], self.history, 0.13),
                                         (t["waiting"], self.services_box, 0.15)):
                if widget is self.history and not self.history_chips:
                    continue
                body.add_widget(_section(title))
                body.children[0].size_hint_y = 0.03
                widget.size_hint_y = share
                body.add_widget(widget)
        else:
            body = BoxLayout(orientation="horizontal", padding=pad, spacing=dp(24))
            left = BoxLayout(orientation="vertical", spacing=dp(10), size_hint_x=0.44)
            left.add_widget(self.latest)
            self.latest.size_hint_y = 0.66
            if self.history_chips:
                left.add_widget(_section(t["history"]))
                left.children[0].size_hint_y = 0.06
                self.history.size_hint_y = 0.28
                left.add_widget(self.history)
            right = BoxLayout(orientation="vertical", spacing=dp(10), size_hint_x=0.56)
            right.add_widget(_section(t["counters"]))
            right.children[0].size_hint_y = 0.06
            self.counters_box.size_hint_y = 0.6
            right.add_widget(self.counters_box)
            right.add_widget(_section(t["waiting"]))
            right.children[0].size_hint_y = 0.06
            self.services_box.size_hint_y = 0.28
            right.add_widget(self.services_box)
            body.add_widget(left)
            body.add_widget(right)
        for widget in (self.header, self.banner, body, self.ticker):
            root.add_widget(widget)
        self.root_widget = root
        Clock.schedule_interval(self._tick_clock, 0.5)
        if self.theme.ticker_fps > 0:
            Clock.schedule_interval(lambda dt: self.ticker.step(dt), 1 / self.theme.ticker_fps)
        if self.automation_dir is not None:
            from .driver import Automation

            self.automation = Automation(self, self.automation_dir)
        return root

    def on_start(self) -> None:
        """Show the clock at once and start the controller's threads."""
        self._tick_clock(0)
        self.request_render()
        self.controller.start()

    def on_stop(self) -> None:
        """Stop the controller and the voice queue."""
        self.controller.stop()
        voice = self.controller.voice
        if voice is not None and hasattr(voice, "stop"):
            voice.stop()

    # ------------------------------------------------------------------ render
    def request_render(self) -> None:
        """Ask for a render on the Kivy clock (any thread; bursts coalesce)."""
        if not self._pending.is_set():
            self._pending.set()
            Clock.schedule_once(self._render, 0)

    def _tick_clock(self, _dt) -> None:
        self._update_header()
        if self._flash_until and time.monotonic() > self._flash_until:
            self._flash_until = 0.0
            for row in self._rows.values():
                row.highlighted = False
        self._update_banner(self.controller.state.view())

    def _update_header(self) -> None:
        """Clock and date in the office's zone, office name, running text."""
        now = datetime.now(self._zone())
        info = self.controller.office_info or {}
        self.header.clock = now.strftime("%H:%M:%S")
        zone = info.get("zone") or ""
        self.header.date = f"{format_date(now, format='full', locale=self.theme.language)} · {zone}".strip(" ·")
        if info:
            self.header.title = info.get("short_name") or info.get("name") or ""
            self.header.subtitle = info.get("name") or ""
            if self.ticker.text != (info.get("running_text") or ""):
                self.ticker.text = info.get("running_text") or ""
                self.ticker.offset = 0

    def _update_banner(self, view: DisplayView) -> None:
        t = self.texts
        if view.connection == LIVE:
            self.banner.height, self.banner.opacity = 0, 0
            return
        since = datetime.fromtimestamp(view.connection_since, self._zone()).strftime("%H:%M:%S")
        self.banner.alert = view.connection == DISCONNECTED
        if view.connection == DISCONNECTED:
            self.banner.text = f"{t['disconnected']}  ({t['since'].format(time=since)})"
        else:
            self.banner.text = t["connecting"]
        self.banner.height, self.banner.opacity = self._banner_height, 1

    def _render(self, _dt=None) -> None:
        self._pending.clear()
        view = self.controller.state.view()
        t = self.texts
        names = {s.code: s.name for s in view.services}
        # latest call
        if view.latest is not None:
            c = view.latest
            self.latest.number = c.number
            self.latest.counter = f"{t['counter']} {c.counter_number or c.counter}"
            self.latest.service = names.get(c.service, service_label(c.service))
        else:
            self.latest.number, self.latest.counter, self.latest.service = "", t["none_yet"], ""
        # counters
        codes = tuple(c.code for c in view.counters)
        if codes != self._row_codes:
            self.counters_box.clear_widgets()
            self.counters_box.cols = 1 if len(codes) <= MAX_SINGLE_COLUMN else 2
            self._rows = {c.code: CounterRow(code=c.code) for c in view.counters}
            for code in codes:
                self.counters_box.add_widget(self._rows[code])
            for _ in range(MIN_ROWS * self.counters_box.cols - len(codes)):  # few counters: rows keep their size
                self.counters_box.add_widget(Widget())
            self._row_codes = codes
        for c in view.counters:
            row = self._rows[c.code]
            row.label = f"{t['counter']} {c.number}"
            row.number = c.current or t["free"]
            row.service = service_label(c.service) if c.current and c.service else ""
        # history
        for chip, call in zip(self.history_chips, list(view.last_calls) + [None] * len(self.history_chips)):
            chip.number = call.number if call else ""
            chip.counter = f"{t['counter']} {call.counter_number or call.counter}" if call else ""
            chip.opacity = 1 if call else 0.35
        # waiting
        codes = tuple(s.code for s in view.services)
        if codes != self._service_codes:
            self.services_box.clear_widgets()
            self.services_box.cols = max(1, len(codes))
            self._service_tiles = {code: ServiceTile() for code in codes}
            for code in codes:
                self.services_box.add_widget(self._service_tiles[code])
            self._service_codes = codes
        for s in view.services:
            tile = self._service_tiles[s.code]
            tile.code = service_label(s.code)
            tile.waiting = str(s.waiting)
            tile.people = t["people"]
            tile.estimate = format_wait(s.estimated_wait_seconds if s.waiting else 0, t,
                                        short=len(view.services) > 5)
        # flash on a new call
        if view.flash_serial != self._flash_serial and view.latest is not None:
            self._flash_serial = view.flash_serial
            self._start_flash(view.latest.counter)
        self._update_banner(view)
        self._update_header()
        self.rendered_revision = view.revision
        self.render_count += 1
        if self.automation is not None:
            self.automation.rendered(view)

    def _start_flash(self, counter: str) -> None:
        seconds = self.theme.flash_seconds
        for code, row in self._rows.items():
            row.highlighted = code == counter and seconds > 0
        if seconds <= 0:
            return
        self._flash_until = time.monotonic() + seconds
        if self._flash_anim is not None:
            self._flash_anim.cancel(self.latest)
        pulses = max(1, int(seconds / 0.8))
        anim = Animation(flash=0.55, duration=0.2) + Animation(flash=0.0, duration=0.6)
        seq = anim
        for _ in range(pulses - 1):
            seq = seq + Animation(flash=0.55, duration=0.2) + Animation(flash=0.0, duration=0.6)
        self._flash_anim = seq
        self.latest.flash = 0
        seq.start(self.latest)

    def screen_text(self) -> dict:
        """What the screen shows right now, as text (automation and tests)."""
        return {
            "latest": {"number": self.latest.number, "counter": self.latest.counter, "service": self.latest.service},
            "counters": {code: {"label": r.label, "number": r.number, "service": r.service,
                                "highlighted": r.highlighted} for code, r in self._rows.items()},
            "history": [{"number": c.number, "counter": c.counter} for c in self.history_chips if c.number],
            "services": {code: {"waiting": tile.waiting, "estimate": tile.estimate}
                         for code, tile in getattr(self, "_service_tiles", {}).items()},
            "banner": self.banner.text if self.banner.opacity else "",
            "clock": self.header.clock, "date": self.header.date, "title": self.header.title,
            "ticker": self.ticker.text, "orientation": self.orientation,
            "window": list(Window.size),
        }


__all__ += ["Tile", "TextLabel", "FitLabel", "Header", "Banner", "LatestCall", "CounterRow", "HistoryChip",
            "ServiceTile", "Ticker"]
