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
    """Wake this process's event broker after a write (the event row is committed).

    Inside a request the wake-up waits until the answer has been sent
    (``response.call_on_close``, set by the app's ``after_request``): the broker then
    fans the event out to every open stream of this process, and those threads must not
    compete for the GIL with the request that is still building its answer (100 open
    displays cost a kiosk's ticket +4.7 ms at the median otherwise; bench/README.md
    "Browser pages"). Without a request it wakes the broker at once."""
    from flask import g, has_request_context
    if has_request_context():
        g.loket_events = True
    else:
        current_app.extensions["loket_broker"].notify()


def _office(code=None):
    """The office ``code``, or the caller's own; ``NotFound`` for an unknown code."""
    a = actor()
    return ctx().office(code or (a.office if a else None))
