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
from kivy.core.text import LabelBase  # noqa: E402
from kivy.core.window import Window  # noqa: E402
from kivy.lang import Builder  # noqa: E402
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, ObjectProperty, StringProperty  # noqa: E402
from kivy.uix.behaviors import ButtonBehavior  # noqa: E402
from kivy.uix.boxlayout import BoxLayout  # noqa: E402
from kivy.uix.gridlayout import GridLayout  # noqa: E402
from kivy.uix.image import Image  # noqa: E402
from kivy.uix.label import Label  # noqa: E402
from kivy.uix.screenmanager import NoTransition, Screen  # noqa: E402
from kivy.uix.scrollview import ScrollView  # noqa: E402
from kivy.uix.widget import Widget  # noqa: E402

from . import controller as c  # noqa: E402
from .icons import face_path, icon_path  # noqa: E402
from .theme import COLORS  # noqa: E402
from .texts import long_date, month_name  # noqa: E402

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


class KLabel(Label):
    """A wrapping label sized to its text."""


class KButton(ButtonBehavior, Label):
    """A large rounded button. ``kid`` names it for automation; ``bg``/``fg`` colours."""

    kid = StringProperty("")
    bg = ListProperty(COLORS["primary"])
    bg_down = ListProperty(COLORS["primary_down"])
    fg = ListProperty(COLORS["on_primary"])
    border = ListProperty(COLORS["none"])
    min_h = NumericProperty(0)


class ServiceCard(ButtonBehavior, BoxLayout):
    """A service tile: icon, name and, when greyed, the reason."""

    kid = StringProperty("")
    icon = StringProperty("")
    title = StringProperty("")
    reason = StringProperty("")
    enabled = BooleanProperty(True)


class FaceButton(ButtonBehavior, BoxLayout):
    """An IKM answer: face icon and the official wording."""

    kid = StringProperty("")
    icon = StringProperty("")
    title = StringProperty("")


class KioskRoot(BoxLayout):
    """Header (logo, office, language), the ScreenManager, the fault banner and the footer."""


def find_kid(root: Widget, kid: str) -> Widget | None:
    """The first visible widget under ``root`` whose ``kid`` is ``kid`` (None if absent)."""
    for w in root.walk(restrict=True):
        if getattr(w, "kid", None) == kid and not getattr(w, "disabled", False) and w.opacity > 0:
            return w
    return None


def _register_font() -> None:
    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if regular.is_file():
        LabelBase.register("KioskSans", str(regular), fn_bold=str(bold if bold.is_file() else regular))
    else:  # Kivy's bundled Roboto
        LabelBase.register("KioskSans", "Roboto-Regular.ttf", fn_bold="Roboto-Bold.ttf")


Builder.load_file(str(Path(__file__).with_name("widgets.kv")))

PRIMARY = dict(bg=COLORS["primary"], bg_down=COLORS["primary_down"], fg=COLORS["on_primary"])
ACCENT = dict(bg=COLORS["accent"], bg_down=COLORS["accent_down"], fg=COLORS["text"])
OUTLINE = dict(bg=COLORS["card"], bg_down=COLORS["card_down"], fg=COLORS["primary"], border=COLORS["primary"])


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

    def __init__(self, ctrl: c.KioskController, *, fullscreen: bool = False,
                 automation: Callable[["KioskApp"], None] | None = None, **kw) -> None:
        super().__init__(**kw)
        self.ctrl = ctrl
        self.fullscreen = fullscreen
        self.automation = automation
        self.title = "Loket - Kios"
        self._rendered: tuple | None = None

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
        # 1 % of the short side; portrait screens have room for slightly larger type
        self.u = max(5.0, min(width, height) / 100.0 * (1.0 if width > height else 1.12))
        self.render()

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
        self.office_title = ctrl.office_short or ctrl.office_name or "Disdukcapil"
        self.lang_label = self.t("lang_switch")
        self.lang_enabled = ctrl.screen not in (c.ISSUING, c.CONFIRMATION, c.IKM_DONE)
        self.nav_visible = ctrl.screen in (c.SERVICES, c.QUESTION, c.PRIORITY, c.CHECKLIST, c.STATUS, c.IKM,
                                           c.INELIGIBLE)
        self.back_label = "‹  " + self.t("back")
        self.home_label = self.t("home")
        banner = ctrl.message if ctrl.screen not in (c.NOTICE, c.ISSUING, c.QUESTION, c.STATUS) else ""
        if ctrl.screen == c.WELCOME and ctrl.server_ok is False and not banner:
            banner = self.t("server_down")
        self.banner = banner
        screen = self.sm.get_screen(ctrl.screen)
        screen.clear_widgets()
        screen.add_widget(self._page(getattr(self, f"_screen_{ctrl.screen}")()))
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
            lab.bind(texture_size=lambda w, v: setattr(holder, "height", v[1] + self.u * 3))
            holder.add_widget(lab)
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
    def _screen_welcome(self) -> Widget:
        ctrl = self.ctrl
        outer = self.centred()
        outer.add_widget(Widget(size_hint_y=0.5))
        outer.add_widget(self.label(self.t("welcome_title"), 10.0 if self.landscape else 8.0, bold=True,
                                    color=COLORS["primary"], halign="center"))
        outer.add_widget(self.label(ctrl.office_name or "", 4.4, halign="center"))
        outer.add_widget(self.label(self.t("welcome_sub"), 4.0, color=COLORS["muted"], halign="center"))
        outer.add_widget(Widget(size_hint_y=0.3))
        outer.add_widget(self.button(self.t("take_number"), "begin", ctrl.begin, style=ACCENT, size=6.0,
                                     height=20))
        row = BoxLayout(spacing=self.u * 3, size_hint_y=None,
                        orientation="horizontal" if self.landscape else "vertical")
        b1 = self.button(self.t("check_status"), "open_status", ctrl.open_status, style=OUTLINE, size=4.4, height=13)
        b2 = self.button(self.t("survey"), "open_ikm", ctrl.open_ikm, style=OUTLINE, size=4.4, height=13)
        row.add_widget(b1)
        row.add_widget(b2)
        row.height = b1.height if self.landscape else b1.height * 2 + self.u * 3
        outer.add_widget(row)
        outer.add_widget(Widget(size_hint_y=0.5))
        return outer

    def _screen_services(self) -> Widget:
        ctrl = self.ctrl
        outer, box = self.column(pad_x=5)
        self.heading(box, self.t("choose_service"), self.t("choose_service_sub"))
        grid = self.grid(3 if self.landscape else 2)
        for sv in ctrl.services:
            ok, reason = ctrl.service_state(sv)
            card = ServiceCard(kid=f"service_{sv['code']}", icon=str(icon_path(sv.get("icon", ""))),
                               title=sv.get("name", sv["code"]), reason=reason, enabled=ok)
            card.height = self.u * (25 if self.landscape else 34)
            code = sv["code"]
            card.bind(on_release=lambda *_, code=code: ctrl.choose_service(code))
            grid.add_widget(card)
        box.add_widget(grid)
        return outer

    def _service_heading(self, box: BoxLayout) -> None:
        sv = self.ctrl.service or {}
        row = BoxLayout(size_hint_y=None, height=self.u * 8, spacing=self.u * 2)
        row.add_widget(Image(source=str(icon_path(sv.get("icon", ""))), fit_mode="contain", size_hint_x=None,
                             width=self.u * 8))
        lab = Label(text=sv.get("name", ""), font_name="KioskSans", bold=True, font_size=self.u * 3.6,
                    color=COLORS["muted"], halign="left", valign="middle")
        lab.bind(size=lambda w, v: setattr(w, "text_size", v))
        row.add_widget(lab)
        box.add_widget(row)

    def _screen_question(self) -> Widget:
        ctrl = self.ctrl
        q = ctrl.question
        outer, left, right = self.panes()
        if q is None:
            return outer
        self._service_heading(left)
        left.add_widget(self.label(self.t("question_of", i=ctrl.question_index + 1, n=len(ctrl.questions)), 3.2,
                                   color=COLORS["muted"]))
        left.add_widget(self.label(q.get("label") or "", 6.0, bold=True, color=COLORS["primary"]))
        if q.get("help"):
            left.add_widget(self.label(q["help"], 3.6, color=COLORS["muted"]))
        if ctrl.message:
            left.add_widget(self.label(ctrl.message, 3.8, bold=True, color=COLORS["danger"]))
        if q["kind"] == "date":
            self._date_picker(right)
        elif q["kind"] == "choice":
            for ch in q.get("choices", []):
                value = ch["value"]
                right.add_widget(self.button(ch["label"], f"choice_{value}", lambda v=value: ctrl.answer(v),
                                             style=OUTLINE, size=4.4, height=12))
        else:
            grid = self.grid(2)
            grid.add_widget(self.button(self.t("yes"), "answer_yes", lambda: ctrl.answer(True), size=6, height=20))
            grid.add_widget(self.button(self.t("no"), "answer_no", lambda: ctrl.answer(False), style=OUTLINE,
                                        size=6, height=20))
            right.add_widget(grid)
        return outer

    def _date_picker(self, box: BoxLayout) -> None:
        ctrl = self.ctrl
        p = ctrl.date_picker
        grid = self.grid(3)
        parts = [("day", self.t("day"), str(p.day)), ("month", self.t("month"), month_name(p.month, ctrl.lang)),
                 ("year", self.t("year"), str(p.year))]
        for part, name, value in parts:
            col = BoxLayout(orientation="vertical", size_hint_y=None, spacing=self.u * 1)
            head = Label(text=name, font_name="KioskSans", font_size=self.u * 3.2, color=COLORS["muted"],
                         size_hint_y=None, height=self.u * 5)
            col.add_widget(head)
            plus = self.button("+", f"date_{part}_plus", lambda part=part: ctrl.adjust_date(part, 1), size=7,
                               height=11)
            col.add_widget(plus)
            val = Label(text=value, font_name="KioskSans", bold=True, color=COLORS["text"],
                        font_size=self.u * (4.6 if part == "month" else 6.0), size_hint_y=None, height=self.u * 9,
                        halign="center", valign="middle")
            val.kid = f"date_{part}_value"
            col.add_widget(val)
            minus = self.button("−", f"date_{part}_minus", lambda part=part: ctrl.adjust_date(part, -1), size=7,
                                height=11)
            col.add_widget(minus)
            col.height = head.height + self.u * 11 * 2 + val.height + self.u * 3
            grid.add_widget(col)
        box.add_widget(grid)
        box.add_widget(self.label(long_date(p.value, ctrl.lang), 5.4, bold=True, halign="center",
                                  color=COLORS["primary"]))
        box.add_widget(self.button(self.t("next") + "  ›", "date_ok", ctrl.confirm_date, style=ACCENT, size=5,
                                   height=13))

    def _screen_ineligible(self) -> Widget:
        ctrl = self.ctrl
        outer, left, right = self.panes()
        if ctrl.service:
            self._service_heading(left)
        left.add_widget(self.label(self.t("not_eligible_title"), 6.0, bold=True, color=COLORS["danger"]))
        left.add_widget(self.label(self.t("not_eligible_sub"), 3.8, color=COLORS["muted"]))
        for reason in ctrl.ineligible:
            right.add_widget(self._note(reason))
        right.add_widget(self.button(self.t("home"), "done", ctrl.go_home, size=4.8, height=14))
        return outer

    def _screen_priority(self) -> Widget:
        ctrl = self.ctrl
        outer, left, right = self.panes()
        self._service_heading(left)
        left.add_widget(self.label(self.t("priority_title"), 3.4, color=COLORS["muted"]))
        left.add_widget(self.label(self.t("priority_question"), 5.4, bold=True, color=COLORS["primary"]))
        left.add_widget(self.label(self.t("priority_note"), 3.6, color=COLORS["muted"]))
        grid = self.grid(2)
        for cat in c.PRIORITIES:
            grid.add_widget(self.button(self.t(f"prio_{cat}"), f"prio_{cat}",
                                        lambda cat=cat: ctrl.choose_priority(cat), style=OUTLINE, size=4.0,
                                        height=15))
        right.add_widget(grid)
        right.add_widget(self.button(self.t("prio_none"), "prio_none", lambda: ctrl.choose_priority(None), size=4.8,
                                     height=16))
        return outer

    def _screen_checklist(self) -> Widget:
        ctrl = self.ctrl
        outer, left, right = self.panes()
        self._service_heading(left)
        left.add_widget(self.label(self.t("checklist_title"), 5.8, bold=True, color=COLORS["primary"]))
        hint = ctrl.photo_hint()
        if hint:
            left.add_widget(self._note(hint))
        if ctrl.priority:
            left.add_widget(self.label(f"{self.t('priority_badge')}: {self.t('prio_' + ctrl.priority)}", 3.8,
                                       bold=True, color=COLORS["muted"]))
        items = self.landscape and right or left
        for item in ctrl.checklist_items:
            text = f"☐  {item['label']}"
            if item.get("note"):
                text += f"\n[size={int(self.u * 3.2)}][color=5A6478]{item['note']}[/color][/size]"
            items.add_widget(self.label(text, 4.2))
        right.add_widget(Widget(size_hint_y=None, height=self.u * 1))
        right.add_widget(self.button(self.t("print_ticket"), "take_ticket", ctrl.take_ticket, style=ACCENT, size=5.4,
                                     height=16))
        return outer

    def _note(self, text: str) -> Widget:
        holder = BoxLayout(size_hint_y=None, padding=self.u * 1.6)
        lab = self.label(text, 4.2, bold=True, color=COLORS["warn_fg"])
        holder.add_widget(lab)
        lab.bind(height=lambda w, h: setattr(holder, "height", h + self.u * 3.2))
        holder.height = lab.height + self.u * 3.2
        self._paint(holder, COLORS["warn_bg"], self.u * 1.2)
        return holder

    def _screen_issuing(self) -> Widget:
        ctrl = self.ctrl
        outer = self.centred()
        outer.add_widget(Widget())
        outer.add_widget(self.label(self.t("issuing"), 6.0, bold=True, color=COLORS["primary"], halign="center"))
        if ctrl.message:
            outer.add_widget(self.label(ctrl.message, 4.2, halign="center"))
        outer.add_widget(Widget())
        return outer

    def _screen_confirmation(self) -> Widget:
        ctrl = self.ctrl
        tk = ctrl.ticket or {}
        outer = self.centred()
        outer.add_widget(Widget(size_hint_y=0.2))
        name = tk.get("service_name_en") if ctrl.lang == "en" else tk.get("service_name")
        outer.add_widget(self.label(name or "", 4.2, bold=True, color=COLORS["muted"], halign="center"))
        outer.add_widget(self.label(self.t("your_number"), 5.0, halign="center"))
        number = self.label(tk.get("number", ""), 22.0 if self.landscape else 26.0, bold=True,
                            color=COLORS["primary"], halign="center")
        number.kid = "ticket_number"
        outer.add_widget(number)
        for line in ctrl.confirmation_lines():
            outer.add_widget(self.label(line, 4.4, halign="center"))
        if ctrl.print_ok is False:
            outer.add_widget(self._note(self.t("printer_fault")))
        else:
            outer.add_widget(self.label(self.t("take_ticket"), 4.2, bold=True, halign="center",
                                        color=COLORS["primary"]))
        outer.add_widget(Widget(size_hint_y=0.2))
        row = BoxLayout(spacing=self.u * 3, size_hint_y=None)
        b1 = self.button(self.t("done"), "done", ctrl.go_home, size=4.4, height=13)
        b2 = self.button(self.t("ikm_offer"), "open_ikm", ctrl.open_ikm, style=OUTLINE, size=4.0, height=13)
        row.add_widget(b1)
        row.add_widget(b2)

        def same_height(*_args) -> None:  # both buttons as tall as the taller one
            tallest = max(b1.texture_size[1], b2.texture_size[1]) + self.u * 4
            b1.min_h = b2.min_h = max(self.u * 13, tallest)
            row.height = max(b1.height, b2.height)

        b1.bind(texture_size=same_height, height=same_height)
        b2.bind(texture_size=same_height, height=same_height)
        same_height()
        outer.add_widget(row)
        return outer

    def _screen_notice(self) -> Widget:
        ctrl = self.ctrl
        outer = self.centred()
        outer.add_widget(Widget())
        outer.add_widget(self._note(ctrl.message or self.t("issue_failed")))
        outer.add_widget(self.button(self.t("home"), "done", ctrl.go_home, size=4.6, height=14))
        outer.add_widget(Widget())
        return outer

    def _screen_status(self) -> Widget:
        ctrl = self.ctrl
        outer, left, right = self.panes()
        self.heading(left, self.t("status_title"), self.t("status_sub"))
        code = self.label(ctrl.status_code or "—", 7.0, bold=True, halign="center", color=COLORS["primary"])
        code.kid = "status_code"
        left.add_widget(code)
        results = left
        keys = c.CODE_ALPHABET + "-"
        grid = self.grid(8)
        for ch in keys:
            grid.add_widget(self.button(ch, f"key_{ch}", lambda ch=ch: ctrl.status_type(ch), style=OUTLINE, size=4.2,
                                        height=9 if self.landscape else 10))
        right.add_widget(grid)
        row = self.grid(3)
        row.add_widget(self.button("⌫", "key_bs", ctrl.status_backspace, style=OUTLINE, size=5))
        row.add_widget(self.button(self.t("status_clear"), "status_clear", ctrl.status_clear, style=OUTLINE))
        row.add_widget(self.button(self.t("status_check"), "status_check", ctrl.status_submit, style=ACCENT))
        right.add_widget(row)
        if ctrl.message:
            results.add_widget(self.label(ctrl.message, 4.2, bold=True, color=COLORS["danger"], halign="center"))
        for i, line in enumerate(ctrl.status_lines()):
            lab = self.label(line, 4.8 if i == 0 else 4.0, bold=i == 0, halign="center")
            lab.kid = f"status_line_{i}"
            results.add_widget(lab)
        return outer

    def _screen_ikm(self) -> Widget:
        ctrl = self.ctrl
        el = ctrl.ikm_element
        outer, left, right = self.panes()
        if el is None:
            return outer
        left.add_widget(self.label(self.t("ikm_title"), 3.6, bold=True, color=COLORS["muted"]))
        progress = self.t("ikm_of", i=ctrl.ikm_index + 1, n=len(ctrl.ikm_elements))
        if ctrl.lang == "id":  # the element's official name (Permen PANRB 14/2017) is Indonesian only
            progress += f"  ·  {el.get('name', '')}"
        left.add_widget(self.label(progress, 3.2, color=COLORS["muted"]))
        left.add_widget(self.label(el.get("question", ""), 5.2, bold=True, color=COLORS["primary"]))
        left.add_widget(self.label(self.t("ikm_sub"), 3.2, color=COLORS["muted"]))
        for ans in reversed(el.get("answers", [])):
            v = int(ans["value"])
            fb = FaceButton(kid=f"ikm_{v}", icon=str(face_path(v)), title=ans["label"])
            fb.bind(on_release=lambda *_, v=v: ctrl.ikm_answer(v))
            right.add_widget(fb)
        return outer

    def _screen_ikm_done(self) -> Widget:
        outer = self.centred()
        outer.add_widget(Widget())
        outer.add_widget(Image(source=str(face_path(4)), fit_mode="contain", size_hint_y=None, height=self.u * 24))
        outer.add_widget(self.label(self.t("ikm_thanks"), 6.0, bold=True, color=COLORS["primary"], halign="center"))
        outer.add_widget(self.button(self.t("home"), "done", self.ctrl.go_home, size=4.6, height=14))
        outer.add_widget(Widget())
        return outer
