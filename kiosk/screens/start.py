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
    ServiceCard,
)


def welcome(app) -> Widget:
    """The welcome screen: take a number, check a status, fill in the IKM survey."""
    ctrl = app.ctrl
    outer = app.centred()
    outer.add_widget(Widget(size_hint_y=0.5))
    outer.add_widget(app.label(app.t("welcome_title"), 10.0 if app.landscape else 8.0, bold=True,
                                color=COLORS["primary"], halign="center"))
    outer.add_widget(app.label(ctrl.office_name or "", 4.4, halign="center"))
    outer.add_widget(app.label(app.t("welcome_sub"), 4.0, color=COLORS["muted"], halign="center"))
    outer.add_widget(Widget(size_hint_y=0.3))
    outer.add_widget(app.button(app.t("take_number"), "begin", ctrl.begin, style=ACCENT, size=6.0,
                                 height=20))
    row = BoxLayout(spacing=app.u * 3, size_hint_y=None,
                    orientation="horizontal" if app.landscape else "vertical")
    b1 = app.button(app.t("check_status"), "open_status", ctrl.open_status, style=OUTLINE, size=4.4, height=13)
    b2 = app.button(app.t("survey"), "open_ikm", ctrl.open_ikm, style=OUTLINE, size=4.4, height=13)
    row.add_widget(b1)
    row.add_widget(b2)
    row.height = b1.height if app.landscape else b1.height * 2 + app.u * 3
    outer.add_widget(row)
    outer.add_widget(Widget(size_hint_y=0.5))
    return outer


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
