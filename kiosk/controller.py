"""The citizen's path through the kiosk as a plain-Python state machine (issue 4).

:class:`KioskController` is the core (:mod:`kiosk.flows.base`: screens, timers, the one
way to call the server with retries, language) composed with one class per flow:
:mod:`kiosk.flows.visit` (service to ticket), :mod:`kiosk.flows.status` and
:mod:`kiosk.flows.ikm` and :mod:`kiosk.flows.notify`. See :mod:`kiosk.flows.base` for the screens and the injected
``runner`` / ``scheduler``.
"""
from __future__ import annotations

from client.protocol import CODE_ALPHABET  # noqa: F401  (the screens read it here)

from .flows.base import *  # noqa: F401,F403  (the screen names: WELCOME, SERVICES, ...)
from .flows.base import DATE_REFUSALS, DateEntry, KioskCore, PRIORITIES, SCREENS, Runner, Scheduler, sync_runner
from .flows.ikm import IkmFlow
from .flows.notify import NotifyFlow
from .flows.status import StatusFlow
from .flows.visit import VisitFlow

__all__ = ["KioskController", "DateEntry", "DATE_REFUSALS", "SCREENS", "PRIORITIES", "Runner", "Scheduler", "sync_runner"]


class KioskController(VisitFlow, StatusFlow, IkmFlow, NotifyFlow, KioskCore):
    """State of one kiosk screen flow (arguments and observable state: :class:`KioskCore`)."""
