""""Kabari saya": the mobile number for "your turn is near" and "you are called".

Each screen is a function ``(app) -> Widget`` over the app's widget helpers
(:class:`kiosk.app.KioskApp`)."""
from __future__ import annotations

from kivy.uix.widget import Widget

from ..theme import COLORS
from ..ui import ACCENT, OUTLINE
from . import common


def notify(app) -> Widget:
    """The number typed on a big keypad, what it is used for (the consent), Simpan/Batal."""
    ctrl = app.ctrl
    outer, left, right = app.panes()
    common.service_heading(app, left)
    left.add_widget(app.label(app.t("notify_title"), 5.8, bold=True, color=COLORS["primary"]))
    left.add_widget(app.label(app.t("notify_consent", n=(ctrl.office or {}).get("notifications", {})
                                     .get("near_ahead", 3)), 3.8, color=COLORS["muted"]))
    shown = app.label(ctrl.notify_digits or "08…", 7.0, bold=True, halign="center",
                      color=COLORS["primary"] if ctrl.notify_digits else COLORS["muted"])
    shown.kid = "notify_value"
    keys = right if app.landscape else left
    keys.add_widget(shown)
    if ctrl.message:
        keys.add_widget(app.label(ctrl.message, 4.0, bold=True, color=COLORS["danger"], halign="center"))
    grid = app.grid(3)
    grid.spacing = app.u * 1.6
    for key in [str(d) for d in range(1, 10)] + ["clear", "0", "back"]:
        if key == "clear":
            b = app.button(app.t("date_clear"), "notify_clear", ctrl.notify_clear, style=OUTLINE, size=4.2,
                           height=11.5)
        elif key == "back":
            b = app.button("⌫", "notify_backspace", ctrl.notify_backspace, style=OUTLINE, size=6.0, height=11.5)
        else:
            b = app.button(key, f"notify_key_{key}", lambda d=key: ctrl.notify_digit(d), size=7.0, height=11.5)
        grid.add_widget(b)
    keys.add_widget(grid)
    row = app.grid(2)
    row.add_widget(app.button(app.t("notify_cancel"), "notify_cancel", ctrl.notify_cancel, style=OUTLINE, size=4.6,
                              height=12))
    row.add_widget(app.button(app.t("notify_save"), "notify_save", ctrl.notify_save, style=ACCENT, size=4.6,
                              height=12))
    keys.add_widget(row)
    return outer
