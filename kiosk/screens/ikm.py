"""The IKM survey (Permen PANRB 14/2017) and its thanks.

Each screen is a function ``(app) -> Widget`` over the app's widget helpers
(:class:`kiosk.app.KioskApp`)."""
from __future__ import annotations

from kivy.uix.image import Image
from kivy.uix.widget import Widget

from ..icons import face_path
from ..theme import COLORS
from ..ui import (
    FaceButton,
)


def ikm(app) -> Widget:
    """One IKM element with its four answers as faces."""
    ctrl = app.ctrl
    el = ctrl.ikm_element
    outer, left, right = app.panes()
    if el is None:
        return outer
    left.add_widget(app.label(app.t("ikm_title"), 3.6, bold=True, color=COLORS["muted"]))
    progress = app.t("ikm_of", i=ctrl.ikm_index + 1, n=len(ctrl.ikm_elements))
    if ctrl.lang == "id":  # the element's official name (Permen PANRB 14/2017) is Indonesian only
        progress += f"  ·  {el.get('name', '')}"
    left.add_widget(app.label(progress, 3.2, color=COLORS["muted"]))
    left.add_widget(app.label(el.get("question", ""), 5.2, bold=True, color=COLORS["primary"]))
    left.add_widget(app.label(app.t("ikm_sub"), 3.2, color=COLORS["muted"]))
    for ans in reversed(el.get("answers", [])):
        v = int(ans["value"])
        fb = FaceButton(kid=f"ikm_{v}", icon=str(face_path(v)), title=ans["label"])
        fb.bind(on_release=lambda *_, v=v: ctrl.ikm_answer(v))
        right.add_widget(fb)
    return outer


def ikm_done(app) -> Widget:
    """Thanks after the IKM survey."""
    outer = app.centred()
    outer.add_widget(Widget())
    outer.add_widget(Image(source=str(face_path(4)), fit_mode="contain", size_hint_y=None, height=app.u * 24))
    outer.add_widget(app.label(app.t("ikm_thanks"), 6.0, bold=True, color=COLORS["primary"], halign="center"))
    outer.add_widget(app.button(app.t("home"), "done", app.ctrl.go_home, size=4.6, height=14))
    outer.add_widget(Widget())
    return outer
