"""When an office takes tickets: its weekly hours, national public holidays and the
office's own closed dates (cuti bersama, local days), and the next opening.

Pure functions over :class:`queue_server.domain.office.Office`; times are naive-free:
``local`` datetimes carry the office's zone. National holidays come from the
``holidays`` package (``country_holidays(office.public_holidays)``, Indonesian names);
cuti bersama days are decided each year by SKB Menteri and are listed by the office in
``closed_dates``.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays

from .office import Office

__all__ = ["add_working_days", "closed_reason", "is_open", "next_opening", "holiday_names"]


@lru_cache(maxsize=64)
def holiday_names(country: str, year: int) -> dict[date, str]:
    """``{date: name}`` of ``country``'s public holidays in ``year`` (Indonesian names for
    "ID"); ``{}`` when ``country`` is empty. ValueError for an unknown country code."""
    if not country:
        return {}
    if country not in holidays.list_supported_countries():
        raise ValueError(f"unknown holiday country {country!r}")
    table = holidays.country_holidays(country, years=year, language="id" if country == "ID" else None)
    return dict(table.items())


def closed_reason(office: Office, day: date) -> str | None:
    """Why the office is closed all of ``day``: the closed date's or holiday's name, or
    "" for a weekday without hours; None when the office opens that day."""
    for closed_day, name in office.closed_dates:
        if closed_day == day:
            return name or "Tutup"
    name = holiday_names(office.public_holidays, day.year).get(day)
    if name:
        return name
    if not office.opening_hours[day.weekday()].is_open_day:
        return ""
    return None


def is_open(office: Office, local: datetime) -> bool:
    """True when ``local`` (office zone) is within the day's hours on a day the office opens."""
    if closed_reason(office, local.date()) is not None:
        return False
    hours = office.opening_hours[local.weekday()]
    return hours.opens <= local.time() < hours.closes


def next_opening(office: Office, local: datetime, horizon_days: int = 60) -> datetime | None:
    """The first opening time after ``local`` (``local`` itself never counts), in the
    same zone; None when nothing opens within ``horizon_days`` days."""
    for offset in range(horizon_days + 1):
        day = local.date() + timedelta(days=offset)
        if closed_reason(office, day) is not None:
            continue
        opens = datetime.combine(day, office.opening_hours[day.weekday()].opens, tzinfo=local.tzinfo)
        if opens > local:
            return opens
    return None


def add_working_days(office: Office, start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted): a
    working day is one the office opens (its weekly hours, not a public holiday or a
    closed date). "12 hari kerja" (SOP 004 butir 3) from Tuesday 1 December 2026 is
    Thursday 17 December. ``days`` = 0 gives ``start``. ValueError for negative days.
    """
    if days < 0:
        raise ValueError("days must be >= 0")
    day, left = start, days
    while left:
        day += timedelta(days=1)
        if closed_reason(office, day) is None:
            left -= 1
    return day
