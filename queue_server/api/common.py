"""Helpers shared by the API blueprints: the request's context, actor, language and office."""
from __future__ import annotations

from flask import current_app, g, request

from ..context import Context
from ..domain import roles

#: Staff roles that may read a ticket's or a berkas's personal data.
STAFF_READ = (roles.OPERATOR, roles.VERIFIKATOR, roles.PEJABAT_TTE, roles.PETUGAS_CETAK, roles.PETUGAS_DISTRIBUSI,
              roles.KEPALA)


def ctx() -> Context:
    """The app's :class:`~queue_server.context.Context` (offices, clock)."""
    return current_app.extensions["loket"]


def actor():
    """The authenticated caller of this request (``auth.Actor``), or None."""
    return g.get("actor")


def lang() -> str:
    """"en" when the caller asked for English (``?lang=`` or ``Accept-Language``), else "id"."""
    value = request.args.get("lang") or request.headers.get("Accept-Language", "id")
    return "en" if value.lower().startswith("en") else "id"


def notify():
    """Wake this process's event broker after a write (the event row is committed)."""
    current_app.extensions["loket_broker"].notify()


def _office(code=None):
    """The office ``code``, or the caller's own; ``NotFound`` for an unknown code."""
    a = actor()
    return ctx().office(code or (a.office if a else None))
