"""The status check by code (typed or scanned).

Each screen is a function ``(app) -> Widget`` over the app's widget helpers
(:class:`kiosk.app.KioskApp`)."""
from __future__ import annotations

from kivy.uix.widget import Widget

from .. import controller as c
from ..theme import COLORS
from ..ui import (
    ACCENT,
    OUTLINE,
)


def status(app) -> Widget:
    """The status check by code, typed on the keypad or scanned."""
    ctrl = app.ctrl
    outer, left, right = app.panes()
    app.heading(left, app.t("status_title"), app.t("status_sub"))
    code = app.label(ctrl.status_code or "—", 7.0, bold=True, halign="center", color=COLORS["primary"])
    code.kid = "status_code"
    left.add_widget(code)
    results = left
    keys = c.CODE_ALPHABET + "-"
    grid = app.grid(8)
    for ch in keys:
        grid.add_widget(app.button(ch, f"key_{ch}", lambda ch=ch: ctrl.status_type(ch), style=OUTLINE, size=4.2,
                                    height=9 if app.landscape else 10))
    right.add_widget(grid)
    row = app.grid(3)
    row.add_widget(app.button("⌫", "key_bs", ctrl.status_backspace, style=OUTLINE, size=5))
    row.add_widget(app.button(app.t("status_clear"), "status_clear", ctrl.status_clear, style=OUTLINE))
    row.add_widget(app.button(app.t("status_check"), "status_check", ctrl.status_submit, style=ACCENT))
    right.add_widget(row)
    if ctrl.message:
        results.add_widget(app.label(ctrl.message, 4.2, bold=True, color=COLORS["danger"], halign="center"))
    for i, line in enumerate(ctrl.status_lines()):
        lab = app.label(line, 4.8 if i == 0 else 4.0, bold=i == 0, halign="center")
        lab.kid = f"status_line_{i}"
        results.add_widget(lab)
    if ctrl.can_check_in():  # a booking: its ticket in the booked lane (issue 12 item 5)
        results.add_widget(app.button(app.t("check_in"), "check_in", ctrl.check_in, style=ACCENT, size=5, height=14))
    if ctrl.can_walk_in():  # too late for the booking: a regular number for its service
        results.add_widget(app.button(app.t("walk_in_instead"), "walk_in", ctrl.take_walk_in, style=ACCENT, size=5,
                                      height=14))
    return outer
