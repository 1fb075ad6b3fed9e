"""The questions of a service (with the date keypad), the ineligible answer and the priority choice.

Each screen is a function ``(app) -> Widget`` over the app's widget helpers
(:class:`kiosk.app.KioskApp`)."""
from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from .. import controller as c
from ..texts import long_date
from ..theme import COLORS
from ..ui import (
    ACCENT,
    OUTLINE,
)
from . import common


def question(app) -> Widget:
    """One question of the chosen service (choices, yes/no, or the date keypad)."""
    ctrl = app.ctrl
    q = ctrl.question
    outer, left, right = app.panes()
    if q is None:
        return outer
    common.service_heading(app, left)
    left.add_widget(app.label(app.t("question_of", i=ctrl.question_index + 1, n=len(ctrl.questions)), 3.2,
                               color=COLORS["muted"]))
    left.add_widget(app.label(q.get("label") or "", 6.0, bold=True, color=COLORS["primary"]))
    if q.get("help") and not ctrl.message:  # a refusal takes the help's place (one screen, no scrolling)
        left.add_widget(app.label(q["help"], 3.6, color=COLORS["muted"]))
    if ctrl.message and ctrl.stalled is None and not ctrl.waiting:  # a stall is told by the banner
        msg = app.label(ctrl.message, 3.8, bold=True, color=COLORS["danger"])
        msg.kid = "question_message"
        left.add_widget(msg)
    if q["kind"] == "date":
        _date_keypad(app, right, left)
    elif q["kind"] == "choice":
        choices = q.get("choices", [])
        many = len(choices) > 4  # e.g. the seven KK reasons: two columns, so all fit one screen
        box = app.grid(2) if many else right
        buttons = []
        for ch in choices:
            value = ch["value"]
            buttons.append(app.button(ch["label"], f"choice_{value}", lambda v=value: ctrl.answer(v),
                                      style=OUTLINE, size=(3.3 if app.landscape else 3.8) if many else 4.4,
                                      height=11 if many else 12))
            box.add_widget(buttons[-1])
        if many:
            _same_height(app, buttons)
            right.add_widget(box)
    else:
        grid = app.grid(2)
        grid.add_widget(app.button(app.t("yes"), "answer_yes", lambda: ctrl.answer(True), size=6, height=20))
        grid.add_widget(app.button(app.t("no"), "answer_no", lambda: ctrl.answer(False), style=OUTLINE,
                                    size=6, height=20))
        right.add_widget(grid)
    return outer


def _same_height(app, buttons: list) -> None:
    """Make ``buttons`` (one grid) as tall as the tallest, so the rows line up."""
    def fit(*_args) -> None:
        tallest = max(b.texture_size[1] for b in buttons) + app.u * 4  # as KButton sizes itself
        for b in buttons:
            b.min_h = max(app.u * 11, tallest)
    for b in buttons:
        b.bind(texture_size=fit)
    fit()


def _date_keypad(app, box: BoxLayout, texts: BoxLayout) -> None:
    """The date as DD-MM-YYYY on a big numeric keypad (eight taps) and "Lanjut", added
    to ``box``; in landscape the typed date goes under the question in ``texts`` so the
    keypad keeps its full size."""
    ctrl = app.ctrl
    entry = ctrl.date_entry
    value = entry.value
    if app.landscape:
        box, keys = texts, box
    else:
        keys = box
    if value:
        box.add_widget(app.label(long_date(value, ctrl.lang), 4.0, bold=True, halign="center"))
    else:  # how to type it; before the first digit with an example
        box.add_widget(app.label(app.t("date_example" if not entry.digits else "date_format"), 3.4,
                                  color=COLORS["muted"], halign="center"))
    shown = app.label(entry.display, 7.0 if app.landscape else 8.0, bold=True, color=COLORS["primary"],
                      halign="center")
    shown.kid = "date_value"
    box.add_widget(shown)
    grid = app.grid(3)
    grid.spacing = app.u * 1.6
    for key in [str(d) for d in range(1, 10)] + ["clear", "0", "back"]:
        if key == "clear":
            b = app.button(app.t("date_clear"), "date_clear", ctrl.date_clear, style=OUTLINE, size=4.2, height=12.3)
        elif key == "back":
            b = app.button("⌫", "date_backspace", ctrl.date_backspace, style=OUTLINE, size=6.0, height=12.3)
        else:
            b = app.button(key, f"date_key_{key}", lambda d=key: ctrl.date_digit(d), size=7.0, height=12.3)
        grid.add_widget(b)
    keys.add_widget(grid)
    keys.add_widget(app.button(app.t("next") + "  ›", "date_ok", ctrl.confirm_date,
                               style=ACCENT if entry.complete and not ctrl.date_refused else OUTLINE,
                               size=5, height=11 if app.landscape else 12))


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
