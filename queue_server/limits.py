"""Rate limits of the public (no-login) writes, with Flask-Limiter (issue 12 "Safety").

Storage is the process's memory by default (``memory://``): each ``loket serve`` worker
counts on its own, so with N workers an address gets at most N times the figure — still
a bound on a broker's script, and no extra server to run. An office running several
machines sets ``RATELIMIT_STORAGE_URI`` (any storage the ``limits`` package supports,
e.g. ``redis://``) in the app config to share the counts.

The figures are app config (strings in Flask-Limiter's notation), taken from the
environment variable of the same name when set (``LOKET_BOOKING_ADDRESS_LIMIT="60 per
hour" loket serve``), so an office can change them and tests can raise them:

* ``LOKET_BOOKING_ADDRESS_LIMIT`` (default ``"20 per hour"``): bookings, cancellations
  and booking forms sent from one address;
* ``LOKET_BOOKING_NIK_LIMIT`` (default ``"5 per day"``): booking attempts for one NIK,
  whichever address they come from (anti-broker: a NIK cannot be tried over and over);
* ``LOKET_PUBLIC_READ_LIMIT`` (default ``"600 per minute"``): slot lists and status
  pages read by one address (a phone following its ticket polls every 10 s: 6 a minute).

A refused request answers 429 in the API's one error shape (``rate_limited`` with
``retry_after`` seconds and a ``Retry-After`` header), or an Indonesian page on the
citizen pages.
"""
from __future__ import annotations

from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

DEFAULTS = {
    "LOKET_BOOKING_ADDRESS_LIMIT": "20 per hour",
    "LOKET_BOOKING_NIK_LIMIT": "5 per day",
    "LOKET_PUBLIC_READ_LIMIT": "600 per minute",
    "LOKET_ONLINE_ADDRESS_LIMIT": "30 per hour",
}

limiter = Limiter(get_remote_address, storage_uri="memory://", headers_enabled=True, strategy="moving-window")


def _figure(name: str):
    return lambda: current_app.config.get(name) or DEFAULTS[name]


def request_nik() -> str:
    """The NIK a booking request carries (JSON body or form), digits only; "" without."""
    data = request.get_json(silent=True) if request.is_json else request.form
    value = (data or {}).get("nik") if hasattr(data, "get") else None
    return "".join(ch for ch in str(value or "") if ch.isdigit())[:16]


def _nik_key() -> str:
    return "nik:" + (request_nik() or get_remote_address())


#: Decorators for the views.
booking_by_address = limiter.limit(_figure("LOKET_BOOKING_ADDRESS_LIMIT"), scope="booking-address",
                                   methods=["POST", "DELETE"])
booking_by_nik = limiter.limit(_figure("LOKET_BOOKING_NIK_LIMIT"), key_func=_nik_key, scope="booking-nik",
                               methods=["POST"])
online_by_address = limiter.limit(_figure("LOKET_ONLINE_ADDRESS_LIMIT"), scope="online-address", methods=["POST"])
public_read = limiter.limit(_figure("LOKET_PUBLIC_READ_LIMIT"), scope="public-read", methods=["GET", "HEAD"])


def init_app(app) -> None:
    """Attach the limiter to ``app`` (config ``RATELIMIT_*`` of Flask-Limiter applies)."""
    import os
    for key, value in DEFAULTS.items():  # the environment (loket serve) overrides the default
        app.config.setdefault(key, os.environ.get(key) or value)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
