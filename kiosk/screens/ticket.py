"""The requirements checklist, taking the number, the confirmation and the fault notice.

Each screen is a function ``(app) -> Widget`` over the app's widget helpers
(:class:`kiosk.app.KioskApp`)."""
from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from ..theme import COLORS, hex_of
from ..ui import (
    ACCENT,
    OUTLINE,
)
from . import common


def checklist(app) -> Widget:
    """The requirements checklist for the case, before taking the number."""
    ctrl = app.ctrl
    outer, left, right = app.panes()
    common.service_heading(app, left)
    left.add_widget(app.label(app.t("checklist_title"), 5.8, bold=True, color=COLORS["primary"]))
    hint = ctrl.photo_hint()
    if hint:
        left.add_widget(common.note(app, hint))
    if ctrl.priority:
        left.add_widget(app.label(f"{app.t('priority_badge')}: {app.t('prio_' + ctrl.priority)}", 3.8,
                                   bold=True, color=COLORS["muted"]))
    items = app.landscape and right or left
    for item in ctrl.checklist_items:
        text = f"☐  {item['label']}"
        if item.get("note"):
            text += f"\n[size={int(app.u * 3.2)}][color={hex_of('muted')}]{item['note']}[/color][/size]"
        items.add_widget(app.label(text, 4.2))
    right.add_widget(Widget(size_hint_y=None, height=app.u * 1))
    if ctrl.contact:  # the citizen asked to be told: shown masked, removable before the number is taken
        saved = app.label(app.t("notify_saved", number=ctrl.contact_masked), 3.8, bold=True, color=COLORS["primary"])
        saved.kid = "notify_saved"
        right.add_widget(saved)
        right.add_widget(app.button(app.t("notify_remove"), "notify_remove", ctrl.notify_remove, style=OUTLINE,
                                    size=3.8, height=10))
    elif ctrl.can_notify():
        right.add_widget(app.button(app.t("notify_offer"), "open_notify", ctrl.open_notify, style=OUTLINE, size=4.0,
                                    height=12))
    right.add_widget(app.button(app.t("print_ticket"), "take_ticket", ctrl.take_ticket, style=ACCENT, size=5.4,
                                 height=16))
    return outer


def issuing(app) -> Widget:
    """Taking the number (the server records it, then the printer prints)."""
    ctrl = app.ctrl
    outer = app.centred()
    outer.add_widget(Widget())
    outer.add_widget(app.label(app.t("issuing"), 6.0, bold=True, color=COLORS["primary"], halign="center"))
    if ctrl.message:
        outer.add_widget(app.label(ctrl.message, 4.2, halign="center"))
    outer.add_widget(Widget())
    return outer


def confirmation(app) -> Widget:
    """The number, the people ahead, the wait and the checklist."""
    ctrl = app.ctrl
    if ctrl.print_ok is False:
        return _unprinted(app)
    tk = ctrl.ticket or {}
    outer = app.centred()
    outer.add_widget(Widget(size_hint_y=0.2))
    name = tk.get("service_name_en") if ctrl.lang == "en" else tk.get("service_name")
    outer.add_widget(app.label(name or "", 4.2, bold=True, color=COLORS["muted"], halign="center"))
    outer.add_widget(app.label(app.t("your_number"), 5.0, halign="center"))
    number = app.label(tk.get("number", ""), 22.0 if app.landscape else 26.0, bold=True,
                        color=COLORS["primary"], halign="center")
    number.kid = "ticket_number"
    outer.add_widget(number)
    for line in ctrl.confirmation_lines():
        outer.add_widget(app.label(line, 4.4, halign="center"))
    if ctrl.print_ok is False:
        outer.add_widget(common.note(app, app.t("printer_fault")))
    else:
        outer.add_widget(app.label(app.t("take_ticket"), 4.2, bold=True, halign="center",
                                    color=COLORS["primary"]))
    outer.add_widget(Widget(size_hint_y=0.2))
    row = BoxLayout(spacing=app.u * 3, size_hint_y=None)
    b1 = app.button(app.t("done"), "done", ctrl.go_home, size=4.4, height=13)
    b2 = app.button(app.t("ikm_offer"), "open_ikm", ctrl.open_ikm, style=OUTLINE, size=4.0, height=13)
    row.add_widget(b1)
    row.add_widget(b2)

    def same_height(*_args) -> None:  # both buttons as tall as the taller one
        tallest = max(b1.texture_size[1], b2.texture_size[1]) + app.u * 4
        b1.min_h = b2.min_h = max(app.u * 13, tallest)
        row.height = max(b1.height, b2.height)

    b1.bind(texture_size=same_height, height=same_height)
    b2.bind(texture_size=same_height, height=same_height)
    same_height()
    outer.add_widget(row)
    return outer


def _unprinted(app) -> Widget:
    """The ticket did not print: the number, the service and the checklist stay on screen
    until the citizen taps "Selesai" (an officer can reprint it at any loket)."""
    ctrl = app.ctrl
    tk = ctrl.ticket or {}
    outer, left, right = app.panes()
    name = tk.get("service_name_en") if ctrl.lang == "en" else tk.get("service_name")
    left.add_widget(app.label(name or "", 4.2, bold=True, color=COLORS["muted"], halign="center"))
    left.add_widget(app.label(app.t("your_number"), 5.0, halign="center"))
    number = app.label(tk.get("number", ""), 20.0, bold=True, color=COLORS["primary"], halign="center")
    number.kid = "ticket_number"
    left.add_widget(number)
    for line in ctrl.confirmation_lines():
        left.add_widget(app.label(line, 4.0, halign="center"))
    left.add_widget(common.note(app, app.t("printer_fault")))
    right.add_widget(app.label(app.t("checklist_title"), 4.6, bold=True, color=COLORS["primary"]))
    for label in ctrl.ticket_checklist_labels():
        right.add_widget(app.label(f"☐  {label}", 3.8))
    right.add_widget(app.button(app.t("done"), "done", ctrl.go_home, size=4.6, height=14))
    return outer


def notice(app) -> Widget:
    """A fault the citizen must know of (server or printer), with what to do."""
    ctrl = app.ctrl
    outer = app.centred()
    outer.add_widget(Widget())
    outer.add_widget(common.note(app, ctrl.message or app.t("issue_failed")))
    outer.add_widget(app.button(app.t("home"), "done", ctrl.go_home, size=4.6, height=14))
    outer.add_widget(Widget())
    return outer
