"""The sender: delivers the outbox (issue 14 item 1).

One :class:`Sender` thread per ``loket serve`` process, started with the process's first
request (threads do not survive the fork into workers). Every ``interval`` seconds — or
at once when a request in this process wrote a message (:meth:`Sender.wake`) — it claims
the due messages (:func:`queue_server.notify.outbox.claim`: a conditional update, so the
processes never share a row), hands each to its channel's driver, and records the
answer. It never runs inside a request, so a slow or dead provider delays no kiosk.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable

from ..db.models import Message, db
from ..domain import notify as rules
from . import outbox
from .channels import Channel, Outgoing, SendError, driver_for

log = logging.getLogger(__name__)


class Sender:
    """Delivers due outbox rows.

    ``offices``: office code → Office (its ``notifications`` policy gives the drivers,
    the retry schedule and the rate limits); ``now``: the server clock (epoch s);
    ``drivers``: channel → driver overriding the real ones (tests, ``loket notify test``);
    ``batch``: messages claimed per round; ``lease``: seconds after which a claim left
    ``sending`` by a dead process is marked interrupted."""

    def __init__(self, offices: Callable[[], dict], now: Callable[[], float], *,
                 drivers: dict[str, Channel] | None = None, interval: float = 1.0, batch: int = 20,
                 lease: float = outbox.CLAIM_LEASE) -> None:
        self._offices = offices
        self._now = now
        self.overrides = dict(drivers or {})
        self.interval = interval
        self.batch = batch
        self.lease = lease
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        self._drivers: dict[tuple[str, str], Channel | None] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._last_recovery = 0.0
        self.rounds = 0

    # -- lifecycle ---------------------------------------------------------------
    def ensure_started(self) -> None:
        """Start the thread in this process (again after a fork)."""
        if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
            return
        self._pid = os.getpid()
        self.worker = f"{socket.gethostname()}:{self._pid}"
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="loket-notify-sender", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._thread = None

    def wake(self) -> None:
        """A message was written in this process: deliver it without waiting."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            if not self._rates():  # no office sends messages: no database work at all
                self._wake.wait(max(self.interval, 5.0))
                self._wake.clear()
                continue
            try:
                with db.connection_context():
                    busy = self.run_once() > 0  # more may be due: go on until nothing is
            except Exception:  # the database may be busy or restarting: try again next round
                log.exception("notification sender round failed")
                busy = False
            if not busy:
                self._wake.wait(self.interval)
                self._wake.clear()

    # -- one round ---------------------------------------------------------------
    def driver(self, office_code: str, channel: str) -> Channel | None:
        """The driver of ``channel`` for an office (an override first)."""
        if channel in self.overrides:
            return self.overrides[channel]
        key = (office_code, channel)
        if key not in self._drivers:
            office = self._offices().get(office_code)
            self._drivers[key] = driver_for(office.notifications, channel) if office else None
        return self._drivers[key]

    def _rates(self) -> dict[str, int]:
        rates: dict[str, int] = {}
        for office in self._offices().values():
            for ch in office.notifications.channels:
                if ch != rules.WA_MANUAL:
                    rates[ch] = max(rates.get(ch, 0), office.notifications.rate_per_minute)
        for ch in self.overrides:
            rates.setdefault(ch, 600)
        return rates

    def run_once(self) -> int:
        """Recover interrupted sends (once a minute), claim a batch and deliver it.
        Returns how many messages were attempted. Call inside a connection context."""
        rates = self._rates()
        if not rates:
            return 0
        now = self._now()
        if now - self._last_recovery >= min(60.0, self.lease / 2):
            self._last_recovery = now
            outbox.recover_interrupted(now=now, lease=self.lease)
        # one claim per send, right before it: a message is ``sending`` only while it is
        # really being sent, so a crash interrupts at most the one in flight
        attempted = 0
        for mid in outbox.due(now=now, limit=self.batch, rate_per_minute=rates):  # oldest first: in order
            if self._stop.is_set():
                break
            msg = outbox.claim_one(mid, now=self._now(), worker=self.worker)
            if msg is None:  # another process took it
                continue
            self.deliver(msg)
            attempted += 1
        self.rounds += 1
        return attempted

    def deliver(self, msg: Message) -> str:
        """Send one claimed message and record the answer; returns its new state."""
        office = self._offices().get(msg.office)
        policy = office.notifications if office else rules.NotificationPolicy()
        driver = self.driver(msg.office, msg.channel)
        now = self._now()
        if driver is None:
            return outbox.mark_failed(msg, error=f"channel {msg.channel} not configured for office {msg.office}",
                                      permanent=True, now=now, max_attempts=policy.max_attempts, retry_at=now)
        out = Outgoing(ref_id=msg.id, kind=msg.kind, recipient=msg.recipient, text=msg.text,
                       params=dict(msg.params or {}), lang=msg.lang, office_name=office.name if office else "")
        started = time.monotonic()
        try:
            provider_id = driver.send(out)
        except SendError as e:
            now = self._now()
            delay = e.retry_after if e.retry_after is not None else policy.retry_delay(msg.attempts)
            state = outbox.mark_failed(msg, error=str(e), permanent=e.permanent, now=now,
                                       max_attempts=policy.max_attempts, retry_at=now + delay)
            log.info("message %s (%s → %s) attempt %d: %s → %s", msg.id, msg.kind, msg.channel, msg.attempts,
                     e, state)
            return state
        except Exception as e:  # a driver bug must not stop the sender; treated as temporary
            log.exception("message %s: driver %s failed", msg.id, msg.channel)
            now = self._now()
            return outbox.mark_failed(msg, error=f"{type(e).__name__}: {e}", permanent=False, now=now,
                                      max_attempts=policy.max_attempts, retry_at=now + policy.retry_delay(msg.attempts))
        outbox.mark_sent(msg, provider_id=provider_id or "", now=self._now())
        log.debug("message %s sent by %s in %.0f ms", msg.id, msg.channel, (time.monotonic() - started) * 1000)
        return rules.SENT
