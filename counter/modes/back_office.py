"""Back-office work queues: one per step code the officer's role performs.

The mode's name is the step code (``verifikasi``, ``tte``, ``cetak_kia``, ...); what
the officer can do follows the step's ``effect``: approve or send back (any step),
print the card (``card_print``: record first, then print), enter the Register KIA
(``register``). SOP 000 rows 3-6, SOP 003 rows 8-10 and 12.
"""
from __future__ import annotations

from typing import Any

from client import protocol as p

from .. import receipts
from ..session import EFFECT_CARD_PRINT, EFFECT_DISTRIBUTION, EFFECT_ONLINE_VERIFICATION, HANDOVER, LOKET, StationSession


class BackOfficeMode(StationSession):
    """The work queue of the current back-office mode (its step code)."""

    def reset_mode_state(self) -> None:
        """Forget the work queue and the last card."""
        super().reset_mode_state()
        self.work_items: list[dict] = []
        self.last_card: str | None = None
        #: A card recorded as printed whose PDF did not reach the printer: (app id, card data, serial).
        self.pending_card: tuple[int, dict, str] | None = None
        #: ``distribution`` steps: the documents waiting, by pickup office; the last batch sent
        self.distribution: list[dict] = []
        self.last_batch: dict | None = None
        #: a batch recorded whose list did not reach the printer
        self.pending_batch: dict | None = None

    @property
    def work_step(self) -> str | None:
        """The step code of the current back-office mode (None in other modes)."""
        return self.mode if self.mode not in (None, LOKET, HANDOVER) else None

    @property
    def work_effect(self) -> str | None:
        """The effect of the current work step (``card_print``, ``register``, ...) or None."""
        return self.step_info(None, self.work_step).get("effect") if self.work_step else None

    def load_mode(self) -> None:
        super().load_mode()
        if self.work_step:
            if self.work_effect == EFFECT_DISTRIBUTION:
                self.load_distribution()
            self.load_work()

    def on_server_event(self, kind: str, data: dict) -> bool:
        """A berkas reached or left this mode's step: reload the work queue."""
        changed = super().on_server_event(kind, data)
        step = self.work_step
        if self.logged_in and step and ((kind == p.APPLICATION_STEP_FINISHED
                                          and step in (data.get("step"), data.get("next_step")))
                                         or (kind == p.APPLICATION_CREATED and data.get("step") == step)):
            self.load_work()
            if self.work_effect == EFFECT_DISTRIBUTION:
                self.load_distribution()
            return True
        return changed

    def load_work(self) -> list[dict] | None:
        """Reload the work queue (GET /work-queue/{step}): items with ``age_seconds``,
        ``mutu_baku_seconds`` and ``late``."""
        step = self.work_step

        def run():
            self.work_items = self.client.work(step)
            return self.work_items
        return self._guard(run)

    def take(self, app_id: int) -> dict | None:
        """Take a berkas from the work queue (start time on the kartu kendali)."""
        step = self.work_step

        def run():
            app = self.client.start_step(app_id, step)
            self.application = app
            self._note("info", self.t("taken", code=app["code"]))
            self.work_items = self.client.work(step)
            return app
        return self._guard(run, reload=self.load_work)

    def _reload_work(self) -> None:
        self.application = None
        self.load_work()

    def _complete_work(self, outcome: str, note: str, key: str, **data) -> dict | None:
        app = self.application
        if not app:
            self._warn("select_app")
            return None
        step = self.work_step

        def run():
            new = self.client.complete_step(app["id"], step, outcome, note=note, version=app["version"], **data)
            self.application = None
            self._note("success" if outcome == "done" else "warning",
                       self.t(key, code=app["code"], reason=note, serial=data.get("card_serial", "")))
            self.work_items = self.client.work(step)
            return new
        return self._guard(run, reload=self._reload_work)

    def approve(self, note: str = "") -> dict | None:
        """Verification / TTE / any step: approve the taken berkas and forward it."""
        return self._complete_work("done", note, "approved")

    def send_back(self, reason: str) -> dict | None:
        """Return the taken berkas to the previous step with a reason (required)."""
        if not reason.strip():
            self._warn("reason_needed")
            return None
        return self._complete_work("returned", reason.strip(), "sent_back")

    def register(self) -> dict | None:
        """Register KIA: enter the printed card in the register (SOP 000 row 6)."""
        return self._complete_work("done", "", "registered")

    # ------------------------------------------------------------ online (SOP 001)
    def is_online_step(self) -> bool:
        """True in the work queue of the online verification (effect ``online_verification``)."""
        return self.work_effect == EFFECT_ONLINE_VERIFICATION

    def upload_image(self, upload: dict, page: int = 1, width: int = 1400) -> bytes | None:
        """The image the officer looks at: the stored photo itself, or page ``page`` of a
        PDF rendered by the server (PNG). None when it cannot be fetched (a notice says why)."""
        def run():
            if upload.get("kind") == "pdf":
                return self.client.upload_page(upload["id"], page, width)
            return self.client.upload(upload["id"])
        return self._guard(run)

    def verify_online(self, outcome: str, present: list[str], siak_reference: str = "", notes: str = "") -> dict | None:
        """SOP 001 row 2 on the taken berkas: ``"accept"`` (every document ticked: on to
        printing) or ``"return"`` with ``notes`` for the citizen, who uploads again under
        the same code."""
        app = self.application
        if not app:
            self._warn("select_app")
            return None
        if outcome == "return" and not notes.strip():
            self._warn("notes_needed")
            return None

        def run():
            new = self.client.verify_online(app["id"], outcome, present, siak_reference=siak_reference.strip() or None,
                                            notes=notes.strip(), version=app["version"])
            self.application = None
            self._note("success" if outcome == "accept" else "warning",
                       self.t("online_accepted" if outcome == "accept" else "online_returned", code=app["code"]))
            self.work_items = self.client.work(self.work_step)
            return new
        return self._guard(run, reload=self._reload_work)

    # ------------------------------------------------------------ distribution
    def is_distribution_step(self) -> bool:
        """True in the work queue whose step groups printed documents (effect ``distribution``)."""
        return self.work_effect == EFFECT_DISTRIBUTION

    def load_distribution(self) -> list[dict] | None:
        """The documents waiting, grouped by pickup office (GET /distribution/pending)."""
        def run():
            self.distribution = self.client.distribution_pending()
            return self.distribution
        return self._guard(run)

    def send_batch(self, pickup_office: str) -> dict | None:
        """Record the batch for ``pickup_office`` (SOP 001 row 4) first, then print its
        list with the signature lines (handed over by / received by). A print fault
        leaves :attr:`pending_batch` for :meth:`retry_batch_print`."""
        def run():
            batch = self.client.create_batch(pickup_office)
            self.last_batch = batch
            self.distribution = self.client.distribution_pending()
            self.work_items = self.client.work(self.work_step)
            self._print_batch(batch)
            return batch
        return self._guard(run, reload=self.load_distribution)

    def _print_batch(self, batch: dict) -> str | None:
        from printing.card import CardOutput
        from printing.errors import PrinterError
        try:
            where = CardOutput(self.card_output).deliver(self.client.batch_pdf(batch["id"]), batch["code"])
        except PrinterError as e:
            self.pending_batch = batch
            self._note("error", self.t("batch_print_failed", code=batch["code"], error=e.message(self.lang)), e.code)
            return None
        self.pending_batch = None
        self._note("success", self.t("batch_sent", code=batch["code"], n=batch["count"], place=batch["pickup_name"]))
        return where

    def retry_batch_print(self) -> str | None:
        """Print again the list of the batch recorded whose list did not reach the printer."""
        if self.pending_batch is None:
            return None
        batch = self.pending_batch
        return self._guard(lambda: self._print_batch(batch))

    # ------------------------------------------------------------------ cards
    def print_card(self, card_data: dict, card_serial: str) -> str | None:
        """Printing station, step with the ``card_print`` effect: record the print with
        ``card_serial`` (the blank's serial) first, then render the KIA (PDF, with the
        stored photo for variant 2) and deliver it to ``card_output``. A print fault
        after the record leaves :attr:`pending_card` for :meth:`retry_card_print`.
        Services without the KIA card layout only record the serial. Returns where
        the card went (spool path or lp answer), "" when only recorded, None on failure."""
        app = self.application
        if not app:
            self._warn("select_app")
            return None
        serial = card_serial.strip()
        if not serial:
            self._warn("serial_needed")
            return None

        def run():
            full = self.client.application(app["id"])
            kia = full.get("service_rules") == "kia"
            card = None
            if kia:
                photo = self.client.photo(app["id"]) if full.get("has_photo") else None
                try:
                    card = receipts.build_card(self, full, card_data, photo)
                except ValueError as e:
                    self._note("warning", str(e))
                    return None
            # the card data are recorded with the print (the Register KIA and reprints read them)
            self.client.complete_step(app["id"], self.work_step, "done", version=full["version"], card_serial=serial,
                                      card={k: str(card_data.get(k) or "").strip() for k in receipts.CARD_FIELDS}
                                      if kia else None)
            self.application = None
            self.work_items = self.client.work(self.work_step)
            if card is None:
                self._note("success", self.t("serial_recorded", code=full["code"], serial=serial))
                return ""
            return self._deliver_recorded(full["code"], full["id"], card, card_data, serial)
        return self._guard(run, reload=self._reload_work)

    def _deliver_recorded(self, code: str, app_id: int, card: Any, card_data: dict, serial: str) -> str | None:
        from printing.errors import PrinterError
        try:
            where = receipts.deliver_card(self, card, f"KIA-{code}")
        except PrinterError as e:
            self.pending_card = (app_id, dict(card_data), serial)
            self._note("error", self.t("card_recorded_print_failed", code=code, serial=serial,
                                       error=e.message(self.lang)), e.code)
            return None
        self.pending_card = None
        self.last_card = where
        self._note("success", self.t("card_printed", code=code, serial=serial))
        return where

    def retry_card_print(self) -> str | None:
        """Print again the card recorded as printed whose PDF did not reach the printer
        (same serial, no new record). None when there is none or it fails again."""
        if self.pending_card is None:
            self._warn("select_app")
            return None
        app_id, card_data, serial = self.pending_card

        def run():
            full = self.client.application(app_id)
            photo = self.client.photo(app_id) if full.get("has_photo") else None
            card = receipts.build_card(self, full, card_data, photo)
            return self._deliver_recorded(full["code"], app_id, card, card_data, serial)
        return self._guard(run)

    def reprint_card(self, app_id: int, card_data: dict | None, card_serial: str, reason: str) -> str | None:
        """Reprint a spoiled card: record the new serial with the reason (POST
        /applications/{id}/reprint) first, then render and deliver the card again with
        the card data recorded at the first print (fields typed in ``card_data`` win)."""
        if not reason.strip():
            self._warn("reason_needed")
            return None

        def run():
            full = self.client.application(app_id)
            photo = self.client.photo(app_id) if full.get("has_photo") else None
            try:
                card = receipts.build_card(self, full, card_data, photo)
            except ValueError as e:
                self._note("warning", str(e))
                return None
            self.client.reprint(app_id, card_serial.strip(), reason.strip())
            where = receipts.deliver_card(self, card, f"KIA-{full['code']}-ulang")
            self.last_card = where
            self._note("success", self.t("reprinted", code=full["code"], serial=card_serial.strip()))
            return where
        return self._guard(run)

    def is_card_step(self) -> bool:
        """True in a work queue whose step prints cards (effect ``card_print``)."""
        return self.work_effect == EFFECT_CARD_PRINT
