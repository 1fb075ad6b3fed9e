"""Bookings (antrean online, issue 12): which days and slots a service offers, how many
places a day has, and when a booking may be checked in at the kiosk.

Pure functions over :class:`~queue_server.domain.office.Office`,
:class:`~queue_server.domain.office.Service` and its
:class:`~queue_server.domain.office.BookingPolicy`; datetimes carry the office's zone.

Rules (the office file sets the figures; defaults in ``BookingPolicy``):

* A service is bookable from **tomorrow** up to ``days_ahead`` calendar days ahead, on
  the days the office opens (weekly hours, public holidays, its closed dates: the same
  rules as ticket issuance, :mod:`queue_server.domain.opening`). Same-day places stay
  with the citizens who come in person.
* Slots start at the opening time every ``slot_minutes``; the last one starts no later
  than ``slot_minutes`` before closing (a 08:00-15:00 day with 30-minute slots has 14:
  08:00 ... 14:30). Each slot holds ``capacity`` bookings.
* With a ``daily_quota`` the bookings of a day stop at
  ``daily_quota * (100 - walk_in_percent) // 100`` so walk-ins always keep their share;
  a walk-in ticket is refused when the numbers issued plus the bookings still expected
  reach the quota (a booking that did not check in gives its place back).
* Check-in opens ``check_in_before`` minutes before the slot starts and closes
  ``check_in_after`` minutes after it (30/15: an 08:30 slot checks in 08:00-08:45).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from .office import BookingPolicy, Office, Service
from .opening import closed_reason

__all__ = ["CheckInWindow", "bookable_days", "check_in_window", "day_cap", "slot_starts"]

EARLY = "early"
OPEN = "open"
LATE = "late"


def slot_starts(office: Office, policy: BookingPolicy, day: date) -> list[time]:
    """The start times of ``day``'s slots (office local time), [] when the office is
    closed that day (weekly hours, a public holiday or a closed date)."""
    if closed_reason(office, day) is not None:
        return []
    hours = office.opening_hours[day.weekday()]
    start = datetime.combine(day, hours.opens)
    end = datetime.combine(day, hours.closes) - timedelta(minutes=policy.slot_minutes)
    out = []
    while start <= end:
        out.append(start.time())
        start += timedelta(minutes=policy.slot_minutes)
    return out


def bookable_days(office: Office, policy: BookingPolicy, today: date) -> list[date]:
    """The days a booking can be made for, seen on ``today`` (office date): tomorrow up
    to ``today + days_ahead`` days, only those with slots."""
    days = (today + timedelta(days=n) for n in range(1, policy.days_ahead + 1))
    return [d for d in days if slot_starts(office, policy, d)]


def day_cap(service: Service, policy: BookingPolicy) -> int | None:
    """At most this many bookings per day for ``service`` (its ``daily_quota`` less the
    walk-ins' share), or None when the service has no daily quota (then only the slots'
    capacity limits)."""
    if service.daily_quota is None:
        return None
    return service.daily_quota * (100 - policy.walk_in_percent) // 100


@dataclass(frozen=True)
class CheckInWindow:
    """When a booking of the slot starting at ``slot`` may be checked in: ``opens`` ..
    ``closes`` inclusive (office-zone datetimes)."""

    slot: datetime
    opens: datetime
    closes: datetime

    def verdict(self, now: datetime) -> str:
        """``"early"`` before ``opens``, ``"late"`` after ``closes``, else ``"open"``."""
        if now < self.opens:
            return EARLY
        if now > self.closes:
            return LATE
        return OPEN


def check_in_window(policy: BookingPolicy, day: date, slot: time, zone: tzinfo) -> CheckInWindow:
    """The check-in window of the slot ``slot`` on ``day`` in the office's ``zone``."""
    start = datetime.combine(day, slot, tzinfo=zone)
    return CheckInWindow(start, start - timedelta(minutes=policy.check_in_before),
                         start + timedelta(minutes=policy.check_in_after))
