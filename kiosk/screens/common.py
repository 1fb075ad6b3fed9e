"""Pieces several kiosk screens share: the chosen service's heading and a notice box.

Each screen is a function ``(app) -> Widget`` over the app's widget helpers
(:class:`kiosk.app.KioskApp`)."""
from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from ..icons import icon_path
from ..theme import COLORS


def service_heading(app, box: BoxLayout) -> None:
    """The chosen service's name and icon on top of a pane."""
    sv = app.ctrl.service or {}
    row = BoxLayout(size_hint_y=None, height=app.u * 8, spacing=app.u * 2)
    row.add_widget(Image(source=str(icon_path(sv.get("icon", ""))), fit_mode="contain", size_hint_x=None,
                         width=app.u * 8))
    lab = Label(text=sv.get("name", ""), font_name="KioskSans", bold=True, font_size=app.u * 3.6,
                color=COLORS["muted"], halign="left", valign="middle")
    lab.bind(size=lambda w, v: setattr(w, "text_size", v))
    row.add_widget(lab)
    box.add_widget(row)


def note(app, text: str) -> Widget:
    """A framed notice text."""
    holder = BoxLayout(size_hint_y=None, padding=app.u * 1.6)
    lab = app.label(text, 4.2, bold=True, color=COLORS["warn_fg"])
    holder.add_widget(lab)
    lab.bind(height=lambda w, h: setattr(holder, "height", h + app.u * 3.2))
    holder.height = lab.height + app.u * 3.2
    app._paint(holder, COLORS["warn_bg"], app.u * 1.2)
    return holder
