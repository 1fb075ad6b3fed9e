"""The Kivy front-end of the counter station (``loket counter``), issue 5.

A thin shell over :class:`~counter.controller.StationController`: every button runs a
controller method on a worker thread (:meth:`StationApp.act`) and the view is redrawn
from the controller's state on the UI thread. Server events are applied to the
controller's state on the feed thread and the redraws they ask for are coalesced into
one per frame (``Clock.create_trigger``), so a burst of events costs one redraw and no
request. One view per mode (:mod:`counter.views`): login, loket, a back-office work
queue, hand-over. Styles are in ``counter.kv``; texts in :mod:`counter.texts`.

Widgets that tests drive are registered by name in ``StationApp.w`` (see ``driver.py``).
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

os.environ.setdefault("KIVY_NO_ARGS", "1")

from kivy.app import App  # noqa: E402
from kivy.clock import Clock  # noqa: E402
from kivy.core.text import LabelBase  # noqa: E402
from kivy.core.window import Window  # noqa: E402
from kivy.lang import Builder  # noqa: E402
from kivy.properties import NumericProperty, StringProperty  # noqa: E402
from kivy.uix.boxlayout import BoxLayout  # noqa: E402
from kivy.uix.textinput import TextInput  # noqa: E402
from kivy.uix.widget import Widget  # noqa: E402

from .api import station_feed  # noqa: E402
from .controller import HANDOVER, LOKET, StationController  # noqa: E402
from .texts import ROLE_LABELS, label, tr  # noqa: E402
from .views.handover import HandoverView  # noqa: E402
from .views.login import LoginScreen  # noqa: E402
from .views.loket import LoketView  # noqa: E402
from .views.widgets import NOTICE_COLOURS, SCALE, Ghost, Header, NoticeBar, SLabel, Tab, sp, vbox  # noqa: E402
from .views.work import WorkView  # noqa: E402

HERE = Path(__file__).resolve().parent
FONTS = HERE.parent / "assets" / "fonts"


#: Keyboard shortcuts for what an officer repeats a hundred times a day (issue 11 item 5):
#: key → the widgets it presses, the first one shown and enabled in the current view.
#: F8 "forward" moves the selected berkas on (documents complete, photo kept, step done,
#: approve, register, print, hand over).
SHORTCUTS: dict[str, tuple[str, ...]] = {
    "f2": ("call_next",), "f3": ("recall",), "f4": ("skip",), "f5": ("finish",), "f6": ("transfer",),
    "f8": ("verify", "accept_photo", "complete_step", "ikd_yes", "approve", "print_card", "register", "hand_over"),
}
#: The key shown on a button: widget name → key label.
SHORTCUT_LABELS = {name: key.upper() for key, names in SHORTCUTS.items() for name in names}


class StationApp(App):
    """``loket counter``: ``server`` URL, bound ``counter`` code, receipt ``printer``
    URI, ``card_output`` (spool://DIR or cups://QUEUE), ``camera`` URI
    (webcam://0, file://...), ``photo_ratio`` ("2x3", "3x4", "4x6"), ``lang``, ``ca_file``
    (the office CA for an ``https://`` server)."""

    busy = NumericProperty(0)
    font = StringProperty(str(FONTS / "DejaVuSans.ttf"))
    font_bold = StringProperty(str(FONTS / "DejaVuSans-Bold.ttf"))

    def __init__(self, server: str, *, counter: str | None = "1", printer: str | None = None,
                 card_output: str = "spool://kartu-kia", camera: str | None = None, photo_ratio: str = "4x6",
                 lang: str = "id", ca_file: str | None = None, **kw) -> None:
        super().__init__(**kw)
        from counter.photo import PhotoPolicy
        from .api import StationClient
        self.title = tr(lang, "window_title")
        self.camera_uri = camera
        self.ctl = StationController(StationClient(server, lang=lang, ca_file=ca_file), counter=counter, printer=printer,
                                     card_output=card_output, camera=None,
                                     photo_policy=PhotoPolicy(ratio=photo_ratio), lang=lang)
        self.w: dict[str, Widget] = {}
        self.events = None
        self.view = None
        self._view_mode: str | None = None
        self._actions = threading.Lock()
        self._connected: bool | None = None
        #: Card data typed at the printing station (kept across redraws, for reprints).
        self.card_fields: dict[str, TextInput] = {}
        self._redraw = Clock.create_trigger(lambda dt: self.show())

    def sp(self, value: float) -> float:
        """The scaled ``sp`` for ``counter.kv``."""
        return sp(value)

    @property
    def preview(self):
        """The live camera preview of the photo panel (None when not shown)."""
        return getattr(self.view, "preview", None)

    # ------------------------------------------------------------------ lifecycle
    def build(self):
        SCALE[0] = max(1.0, min(Window.width / 1366.0, Window.height / 768.0))
        # A font family so that [b] markup picks the bold face.
        LabelBase.register("LoketSans", str(FONTS / "DejaVuSans.ttf"), fn_bold=str(FONTS / "DejaVuSans-Bold.ttf"))
        self.font = "LoketSans"
        Builder.load_file(str(HERE / "counter.kv"))
        Window.clearcolor = (0.933, 0.949, 0.961, 1)
        self.root_box = vbox(spacing=0)
        Window.bind(on_key_down=self._on_key_down)
        self.show()
        return self.root_box

    def _on_key_down(self, _window, key, _scancode, _codepoint, modifiers) -> bool:
        """A shortcut key presses its button (:data:`SHORTCUTS`); True when handled."""
        from kivy.core.window import Keyboard
        name = next((k for k, v in Keyboard.keycodes.items() if v == key), "")
        if name not in SHORTCUTS or not self.ctl.logged_in or self.busy:
            return False
        for widget_name in SHORTCUTS[name]:
            w = self.w.get(widget_name)
            if w is not None and not w.disabled and w.opacity > 0 and w.get_root_window() is not None:
                w.trigger_action(duration=0)
                return True
        return False

    def on_stop(self):
        self._stop_events()
        if self.view is not None:
            self.view.stop()

    def reg(self, name: str, widget: Widget) -> Widget:
        """Register ``widget`` under ``name`` for the test driver; returns it."""
        self.w[name] = widget
        return widget

    def act(self, fn, *args, then=None, rebuild: bool = False, **kwargs) -> None:
        """Run ``fn(*args, **kwargs)`` on a worker thread; redraw on the UI thread
        afterwards (``then(result)`` first when given)."""
        self.busy += 1

        def work():
            result = None
            try:
                with self._actions:
                    result = fn(*args, **kwargs)
            finally:
                Clock.schedule_once(lambda dt: self._done(result, then, rebuild))
        threading.Thread(target=work, daemon=True).start()

    def fetch(self, fn, *args, then) -> None:
        """Run ``fn(*args)`` on a worker thread and hand the result to ``then`` on the UI
        thread, without redrawing (pictures, side data)."""
        self.busy += 1

        def work():
            result = None
            try:
                result = fn(*args)
            finally:
                def back(dt):
                    try:
                        then(result)
                    finally:
                        self.busy -= 1
                Clock.schedule_once(back)
        threading.Thread(target=work, daemon=True).start()

    def _done(self, result, then, rebuild):
        try:
            if then:
                then(result)
            self.show(rebuild=rebuild)
        finally:
            self.busy -= 1

    # ------------------------------------------------------------------ events
    def start_events(self):
        """Follow the server's events for the logged-in officer."""
        self._stop_events()
        self._connected = None
        self.events = station_feed(self.ctl.client, self._on_event, on_state=self._on_stream_state).start()

    def _on_stream_state(self, connected: bool) -> None:
        was, self._connected = self._connected, connected
        if self.ctl.set_server_reachable(connected):
            self._redraw()  # the banner comes or goes, also while nobody touches the station
        if connected and was is False:
            # The server came back: reload what may have changed meanwhile.
            Clock.schedule_once(lambda dt: self.act(self.ctl.reload, reconnected=True))

    def _stop_events(self):
        if self.events:
            events, self.events = self.events, None
            threading.Thread(target=events.stop, daemon=True).start()

    def _on_event(self, kind, data, ev_id):
        if self.ctl.on_server_event(kind, data):
            self._redraw()

    # ------------------------------------------------------------------ screens
    def show(self, rebuild: bool = False) -> None:
        """Draw the screen for the controller's state (login or the current mode)."""
        ctl = self.ctl
        mode = ctl.mode if ctl.logged_in else "login"
        if mode != self._view_mode or rebuild:
            self._open_view(mode)
        if mode == "login":
            self.w["login_message"].text = ctl.login_message
            return
        n = ctl.banner()
        self.notice_bar.text = n.text if n else ""
        if n:
            self.notice_bar.bg = NOTICE_COLOURS.get(n.kind, NOTICE_COLOURS["info"])
        for name, tab in self.tabs.items():
            tab.active = name == ctl.mode
        self.view.update()
        for name in SHORTCUT_LABELS:
            self.label_shortcut(name)

    def label_shortcut(self, name: str) -> None:
        """Show the shortcut key on button ``name`` ("Panggil berikutnya (F2)")."""
        w = self.w.get(name)
        key = SHORTCUT_LABELS.get(name)
        if w is not None and key and hasattr(w, "text") and w.text and not w.text.endswith(f"({key})"):
            w.text = f"{w.text}  ({key})"

    def _open_view(self, mode: str) -> None:
        if self.view is not None:
            self.view.stop()
        self.root_box.clear_widgets()
        self.w = {}
        self._view_mode = mode
        if mode == "login":
            self._stop_events()
            self.view = None
            self.root_box.add_widget(LoginScreen(self).widget())
            return
        self.root_box.add_widget(self._header())
        self.notice_bar = NoticeBar()
        self.root_box.add_widget(self.notice_bar)
        self.body = BoxLayout(padding=sp(14), spacing=sp(14))
        self.root_box.add_widget(self.body)
        self.view = {LOKET: LoketView, HANDOVER: HandoverView}.get(mode, WorkView)(self)
        self.view.build()

    def _header(self) -> Header:
        ctl = self.ctl
        h = Header()
        title = SLabel(text=f"[b]Loket[/b]  ·  {ctl.office.get('short_name', '')}", color=(1, 1, 1, 1),
                       font_size=sp(18), size_hint=(None, 1), width=sp(250))
        title.text_size = (title.width, None)
        h.add_widget(title)
        self.tabs = {}
        for mode in ctl.modes:
            tab = self.reg(f"tab_{mode}", Tab(text=ctl.mode_label(mode)))
            tab.bind(on_release=lambda b, m=mode: self.act(self.ctl.open_mode, m))
            self.tabs[mode] = tab
            h.add_widget(tab)
        h.add_widget(Widget())
        who = ctl.user.get("full_name") or ctl.user.get("username")
        where = f"  ·  {ctl.counter_label()}" if ctl.counter and ctl.mode in (LOKET, HANDOVER) else ""
        lab = SLabel(text=f"[b]{who}[/b]\n{label(ROLE_LABELS, ctl.role, ctl.lang)}{where}", color=(1, 1, 1, 1),
                     font_size=sp(13), halign="right", size_hint=(None, 1), width=sp(330))
        lab.text_size = (lab.width, None)
        h.add_widget(lab)
        out = self.reg("logout", Ghost(text=tr(ctl.lang, "btn_logout"), size_hint=(None, None), width=sp(100),
                                       height=sp(42)))
        out.bind(on_release=lambda *_: self.act(self.ctl.logout))
        h.add_widget(out)
        return h


def run(server: str, **options) -> None:
    """Start the station window (blocks until closed). ``LOKET_STATION_SCRIPT`` (env)
    names a JSON automation script for tests (``driver.py``)."""
    app = StationApp(server, **options)
    script = os.environ.get("LOKET_STATION_SCRIPT")
    if script:
        from .driver import Driver
        app.driver = Driver(app, script)  # Kivy's Clock keeps only weak references
        app.driver.attach()
    app.run()
