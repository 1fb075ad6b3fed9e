"""What every server operation needs: the loaded offices, a clock and the acting user.

The clock is injectable (tests move it across the office's midnight; the simulation
runs an accelerated day). Times are UTC epoch seconds; the *office day* is the ISO date
in the office's own timezone (WIB/WITA/WIT), so numbering restarts at the office's local
midnight.
"""
from __future__ import annotations

import abc
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Mapping
from zoneinfo import ZoneInfo

from .errors import NotFound
from .domain import opening
from .domain.office import Office


class Clock:
    """Wall clock, optionally accelerated: ``now()`` returns epoch seconds.

    ``Clock(start=epoch, speed=60)`` makes one real second count as a minute from
    ``start`` on (for ``loket simulate``); ``Clock()`` is the real time.
    """

    def __init__(self, start: float | None = None, speed: float = 1.0):
        self._real0 = time.time()
        self._start = self._real0 if start is None else float(start)
        self.speed = float(speed)

    def now(self) -> float:
        return self._start + (time.time() - self._real0) * self.speed


class FixedClock(Clock):
    """A clock that only moves when told (tests)."""

    def __init__(self, at: float):
        super().__init__(at, 1.0)
        self._at = float(at)

    def now(self) -> float:
        return self._at

    def set(self, at: float) -> None:
        self._at = float(at)

    def advance(self, seconds: float) -> None:
        self._at += seconds


@dataclass(frozen=True)
class Actor:
    """Who acts: a staff member (``kind="staff"``) or a device (``"device"``).

    ``office`` None means all offices (an admin of the Dinas).
    """

    name: str
    role: str
    kind: str
    office: str | None = None
    staff_id: int | None = None
    remote_addr: str = ""

    def may_act_in(self, office_code: str) -> bool:
        """True when the actor belongs to ``office_code`` (or to every office)."""
        return self.office is None or self.office == office_code


@dataclass
class Context:
    """Offices by code, the default office and the clock."""

    offices: Mapping[str, Office]
    default_office: str
    clock: Clock = field(default_factory=Clock)
    enforce_hours: bool = True

    def office(self, code: str | None) -> Office:
        """The office ``code`` (the default one for None); ``DomainError`` 404 if unknown."""
        key = code or self.default_office
        try:
            return self.offices[key]
        except KeyError:
            raise NotFound("unknown_office", f"Kantor '{key}' tidak dikenal.", f"Unknown office '{key}'.") from None

    def now(self) -> float:
        return self.clock.now()

    def local(self, office: Office, at: float | None = None) -> datetime:
        """Aware datetime in the office's zone for epoch ``at`` (now by default)."""
        return datetime.fromtimestamp(self.now() if at is None else at, tz=ZoneInfo(office.timezone))

    def office_day(self, office: Office, at: float | None = None) -> str:
        """ISO date of the office's local day at epoch ``at`` (now by default)."""
        return self.local(office, at).date().isoformat()

    def today(self, office: Office) -> date:
        return self.local(office).date()


def iso_utc(epoch: float | None) -> str | None:
    """ISO 8601 UTC timestamp for JSON, or None."""
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, tz=timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def iso_local(office: Office, epoch: float | None) -> str | None:
    """ISO 8601 timestamp with the office's offset (e.g. +08:00 for WITA), or None."""
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, tz=ZoneInfo(office.timezone)).isoformat(timespec="seconds")


def is_open(office: Office, local_dt: datetime) -> bool:
    """True when ``local_dt`` (office zone) falls within the office's opening hours on a
    day it opens (not a public holiday or closed date: :mod:`queue_server.domain.opening`)."""
    return opening.is_open(office, local_dt)


class EveryMinute(abc.ABC):
    """A job run from requests at most once every ``every_seconds`` per process (the
    app calls :meth:`tick` before each request), never twice at once, and never failing
    the request: an error is logged and the job runs again at the next tick. Subclasses
    define :meth:`sweep` (``ctx`` → None)."""

    def __init__(self, every_seconds: float = 60.0) -> None:
        import threading
        self.every = every_seconds
        self._next = 0.0
        self._lock = threading.Lock()

    def tick(self, ctx: "Context") -> None:
        """Run :meth:`sweep` when due."""
        import logging
        if time.monotonic() < self._next or not self._lock.acquire(blocking=False):
            return
        try:
            self._next = time.monotonic() + self.every
            self.sweep(ctx)
        except Exception:  # noqa: BLE001 - a sweep never fails a request
            logging.getLogger(__name__).exception("%s failed", type(self).__name__)
        finally:
            self._lock.release()

    @abc.abstractmethod
    def sweep(self, ctx: "Context") -> object:
        """The job (one sweep now, inside the request's database connection)."""

