"""The welcome screen and the service tiles.

Each screen is a function ``(app) -> Widget`` over the app's widget helpers
(:class:`kiosk.app.KioskApp`)."""
from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from ..icons import icon_path
from ..theme import COLORS
from ..ui import (
    ACCENT,
    OUTLINE,
    PRIMARY,
    ServiceCard,
)


def welcome(app) -> Widget:
    """The welcome screen: take a number, check a status, fill in the IKM survey."""
    ctrl = app.ctrl
    if ctrl.large_text:  # larger text may not fit one screen: the page scrolls, no spacers
        page, outer = app.column(pad_x=6)
    else:
        page = outer = app.centred()
        outer.spacing = app.u * (1.8 if app.landscape else 2.5)

    def spacer(weight: float) -> Widget:
        """Free space sharing the height; a small fixed gap when the page scrolls."""
        return Widget(size_hint_y=weight) if not ctrl.large_text else Widget(size_hint_y=None, height=app.u * 1.5)

    outer.add_widget(spacer(0.5))
    outer.add_widget(app.label(app.t("welcome_title"), 8.0, bold=True,
                                color=COLORS["primary"], halign="center"))
    outer.add_widget(app.label(ctrl.office_name or "", 4.4, halign="center"))
    closed = ctrl.closed_notice()
    if closed is None:
        outer.add_widget(app.label(app.t("welcome_sub"), 4.0, color=COLORS["muted"], halign="center"))
        outer.add_widget(spacer(0.3))
        outer.add_widget(app.button(app.t("take_number"), "begin", ctrl.begin, style=ACCENT, size=6.0,
                                     height=17 if app.landscape else 20))
        if ctrl.hours_text():
            hours = app.label(ctrl.hours_text(), 3.2, color=COLORS["muted"], halign="center")
            hours.kid = "hours"
            outer.add_widget(hours)
    else:
        # no service takes a number now: say why and when to come back, no "take a number"
        title, lines = closed
        outer.add_widget(spacer(0.2))
        head = app.label(title, 6.0, bold=True, color=COLORS["danger"], halign="center")
        head.kid = "closed_title"
        outer.add_widget(head)
        for i, line in enumerate(lines):
            lab = app.label(line, 4.4 if i < len(lines) - 1 else 3.4, bold=i < len(lines) - 1,
                            color=COLORS["text"] if i < len(lines) - 1 else COLORS["muted"], halign="center")
            lab.kid = f"closed_line_{i}"
            outer.add_widget(lab)
        outer.add_widget(spacer(0.2))
    row = BoxLayout(spacing=app.u * 3, size_hint_y=None,
                    orientation="horizontal" if app.landscape else "vertical")
    b1 = app.button(app.t("check_status"), "open_status", ctrl.open_status, style=OUTLINE, size=4.4, height=13)
    b2 = app.button(app.t("survey"), "open_ikm", ctrl.open_ikm, style=OUTLINE, size=4.4, height=13)
    row.add_widget(b1)
    row.add_widget(b2)
    row.height = b1.height if app.landscape else b1.height * 2 + app.u * 3
    outer.add_widget(row)
    outer.add_widget(spacer(0.4))
    outer.add_widget(_modes_row(app))
    return page


def _modes_row(app) -> Widget:
    """The citizen's display modes: larger text, high contrast, audio guidance (when the
    office offers it). A mode that is on shows a tick and the filled style."""
    ctrl = app.ctrl
    modes = [("large_text", ctrl.large_text, ctrl.toggle_large_text),
             ("high_contrast", ctrl.high_contrast, ctrl.toggle_contrast)]
    if ctrl.guide is not None:
        modes.append(("audio_guide", ctrl.audio_guide, ctrl.toggle_audio_guide))
    row = BoxLayout(spacing=app.u * 2, size_hint_y=None)
    buttons = []
    for name, on, action in modes:
        label = app.t(f"mode_{name}")
        b = app.button(app.t("mode_on", name=label) if on else label, f"mode_{name}", action,
                       style=PRIMARY if on else OUTLINE, size=3.2, height=10)
        buttons.append(b)
        row.add_widget(b)

    def fit(*_args) -> None:
        row.height = max(b.height for b in buttons)
    for b in buttons:
        b.bind(height=fit)
    fit()
    return row


def services(app) -> Widget:
    """The service tiles, greyed with the reason when closed or the quota is used."""
    ctrl = app.ctrl
    outer, box = app.column(pad_x=5)
    app.heading(box, app.t("choose_service"), app.t("choose_service_sub"))
    grid = app.grid(3 if app.landscape else 2)
    for sv in ctrl.services:
        ok, reason = ctrl.service_state(sv)
        card = ServiceCard(kid=f"service_{sv['code']}", icon=str(icon_path(sv.get("icon", ""))),
                           title=sv.get("name", sv["code"]), reason=reason, enabled=ok)
        card.height = app.u * (25 if app.landscape else 34)
        code = sv["code"]
        card.bind(on_release=lambda *_, code=code: ctrl.choose_service(code))
        grid.add_widget(card)
    box.add_widget(grid)
    return outer
