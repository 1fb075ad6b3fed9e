"""The questions of a service (with the touch date picker), the ineligible answer and the priority choice.

Each screen is a function ``(app) -> Widget`` over the app's widget helpers
(:class:`kiosk.app.KioskApp`)."""
from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from .. import controller as c
from ..texts import long_date, month_name
from ..theme import COLORS
from ..ui import (
    ACCENT,
    OUTLINE,
)
from . import common


def question(app) -> Widget:
    """One question of the chosen service (choices, yes/no, or the touch date picker)."""
    ctrl = app.ctrl
    q = ctrl.question
    outer, left, right = app.panes()
    if q is None:
        return outer
    common.service_heading(app, left)
    left.add_widget(app.label(app.t("question_of", i=ctrl.question_index + 1, n=len(ctrl.questions)), 3.2,
                               color=COLORS["muted"]))
    left.add_widget(app.label(q.get("label") or "", 6.0, bold=True, color=COLORS["primary"]))
    if q.get("help"):
        left.add_widget(app.label(q["help"], 3.6, color=COLORS["muted"]))
    if ctrl.message:
        left.add_widget(app.label(ctrl.message, 3.8, bold=True, color=COLORS["danger"]))
    if q["kind"] == "date":
        _date_picker(app, right)
    elif q["kind"] == "choice":
        for ch in q.get("choices", []):
            value = ch["value"]
            right.add_widget(app.button(ch["label"], f"choice_{value}", lambda v=value: ctrl.answer(v),
                                         style=OUTLINE, size=4.4, height=12))
    else:
        grid = app.grid(2)
        grid.add_widget(app.button(app.t("yes"), "answer_yes", lambda: ctrl.answer(True), size=6, height=20))
        grid.add_widget(app.button(app.t("no"), "answer_no", lambda: ctrl.answer(False), style=OUTLINE,
                                    size=6, height=20))
        right.add_widget(grid)
    return outer


def _date_picker(app, box: BoxLayout) -> None:
    """The day/month/year steppers of a date question, added to ``box``."""
    ctrl = app.ctrl
    p = ctrl.date_picker
    grid = app.grid(3)
    parts = [("day", app.t("day"), str(p.day)), ("month", app.t("month"), month_name(p.month, ctrl.lang)),
             ("year", app.t("year"), str(p.year))]
    for part, name, value in parts:
        col = BoxLayout(orientation="vertical", size_hint_y=None, spacing=app.u * 1)
        head = Label(text=name, font_name="KioskSans", font_size=app.u * 3.2, color=COLORS["muted"],
                     size_hint_y=None, height=app.u * 5)
        col.add_widget(head)
        plus = app.button("+", f"date_{part}_plus", lambda part=part: ctrl.adjust_date(part, 1), size=7,
                           height=11)
        col.add_widget(plus)
        val = Label(text=value, font_name="KioskSans", bold=True, color=COLORS["text"],
                    font_size=app.u * (4.6 if part == "month" else 6.0), size_hint_y=None, height=app.u * 9,
                    halign="center", valign="middle")
        val.kid = f"date_{part}_value"
        col.add_widget(val)
        minus = app.button("−", f"date_{part}_minus", lambda part=part: ctrl.adjust_date(part, -1), size=7,
                            height=11)
        col.add_widget(minus)
        col.height = head.height + app.u * 11 * 2 + val.height + app.u * 3
        grid.add_widget(col)
    box.add_widget(grid)
    box.add_widget(app.label(long_date(p.value, ctrl.lang), 5.4, bold=True, halign="center",
                              color=COLORS["primary"]))
    box.add_widget(app.button(app.t("next") + "  ›", "date_ok", ctrl.confirm_date, style=ACCENT, size=5,
                               height=13))


def ineligible(app) -> Widget:
    """Why the answers rule the service out (no ticket is made)."""
    ctrl = app.ctrl
    outer, left, right = app.panes()
    if ctrl.service:
        common.service_heading(app, left)
    left.add_widget(app.label(app.t("not_eligible_title"), 6.0, bold=True, color=COLORS["danger"]))
    left.add_widget(app.label(app.t("not_eligible_sub"), 3.8, color=COLORS["muted"]))
    for reason in ctrl.ineligible:
        right.add_widget(common.note(app, reason))
    right.add_widget(app.button(app.t("home"), "done", ctrl.go_home, size=4.8, height=14))
    return outer


def priority(app) -> Widget:
    """The priority categories (UU 25/2009 Pasal 29) or a normal number."""
    ctrl = app.ctrl
    outer, left, right = app.panes()
    common.service_heading(app, left)
    left.add_widget(app.label(app.t("priority_title"), 3.4, color=COLORS["muted"]))
    left.add_widget(app.label(app.t("priority_question"), 5.4, bold=True, color=COLORS["primary"]))
    left.add_widget(app.label(app.t("priority_note"), 3.6, color=COLORS["muted"]))
    grid = app.grid(2)
    for cat in c.PRIORITIES:
        grid.add_widget(app.button(app.t(f"prio_{cat}"), f"prio_{cat}",
                                    lambda cat=cat: ctrl.choose_priority(cat), style=OUTLINE, size=4.0,
                                    height=15))
    right.add_widget(grid)
    right.add_widget(app.button(app.t("prio_none"), "prio_none", lambda: ctrl.choose_priority(None), size=4.8,
                                 height=16))
    return outer
