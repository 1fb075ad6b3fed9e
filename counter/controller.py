"""The counter station's logic, without a window (issue 5): one class composed of the
session and its modes.

:class:`StationController` holds what the officer sees (plain attributes) and does
what the buttons ask, through :class:`~counter.api.StationClient` and the devices of
this PC (receipt printer from ``printing.open_printer``, card output
``printing.card.CardOutput``, camera from ``counter.photo``). The Kivy layer calls its
methods on a worker thread and redraws on ``on_change``. Every action returns its
result, or ``None`` when it failed; a failure never raises to the UI but sets
:attr:`notice` (see :mod:`counter.session`).

Modes follow the office file (:func:`counter.session.modes_for`): ``loket``
(:mod:`counter.modes.loket`), ``handover`` (:mod:`counter.modes.handover`) and one work
queue per back-office step (:mod:`counter.modes.back_office`). Steps follow the
office's SOP (SOP 000 rows 2-7, SOP 003 rows 2-11).
"""
from __future__ import annotations

from .modes.back_office import BackOfficeMode
from .modes.handover import HandoverMode
from .modes.loket import LoketMode
from .receipts import CARD_FIELDS
from .session import HANDOVER, LOKET, Notice, modes_for
from .texts import TEXTS

__all__ = ["CARD_FIELDS", "HANDOVER", "LOKET", "Notice", "StationController", "TEXTS", "modes_for"]


class StationController(LoketMode, BackOfficeMode, HandoverMode):
    """State and actions of one counter station (arguments: :class:`counter.session.StationSession`)."""

    def reload(self, *, reconnected: bool = False) -> None:
        """Reload the current view's data, keeping the selection (after the server was
        unreachable, or on the officer's request). ``reconnected`` says so in the notice."""
        if not self.logged_in:
            return

        def run():
            if self.mode == LOKET:
                self._reload_loket()
            elif self.mode == HANDOVER:
                self.uncollected = self.client.uncollected()
                if self.counter:
                    self._reload_loket()
            elif self.work_step:
                self.work_items = self.client.work(self.work_step)
            if reconnected:
                self._note("info", self.t("reconnected"))
        self._guard(run)
