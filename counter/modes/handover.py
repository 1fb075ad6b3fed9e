"""The hand-over counter: find a document by its pickup code, hand it over with a
tanda terima (SOP 000 row 7, SOP 004), and the list of uncollected documents."""
from __future__ import annotations

import webbrowser

from client import protocol as p

from .. import receipts
from ..session import HANDOVER, StationSession


class HandoverMode(StationSession):
    """Pickups and the uncollected list."""

    #: opens a wa.me link in the station's browser (WhatsApp Web or the desktop app); tests replace it
    open_url = staticmethod(webbrowser.open)

    def reset_mode_state(self) -> None:
        """Forget the uncollected list and the manual messages."""
        super().reset_mode_state()
        self.uncollected: dict = {}
        self.manual: list[dict] = []
        #: batches sent to this office and not confirmed yet (SOP 001 row 5)
        self.incoming: list[dict] = []

    def load_mode(self) -> None:
        super().load_mode()
        if self.mode == HANDOVER:
            self.load_uncollected()
            self.load_manual()
            self.load_incoming()

    def load_incoming(self) -> list | None:
        """Distribution batches on their way to this office (GET /distribution-batches?pending=true)."""
        def run():
            self.incoming = self.client.incoming_batches(self.office.get("code") or "")
            return self.incoming
        return self._guard(run)

    def receive_batch(self, batch_id: int) -> dict | None:
        """Confirm a batch arrived (the cards are here): its documents can be handed over
        and their owners are told (SOP 001 row 5)."""
        def run():
            done = self.client.receive_batch(batch_id)
            self.incoming = [b for b in self.incoming if b["id"] != batch_id]
            self._note("success", self.t("batch_received", code=done["code"], n=done["count"]))
            self.uncollected = self.client.uncollected()
            return done
        return self._guard(run, reload=self.load_incoming)

    def load_manual(self) -> list | None:
        """The WhatsApp messages waiting for an officer (``wa_manual`` offices, issue 14):
        "dokumen siap diambil", "belum diambil", … with their click-to-chat links."""
        if not self.office_notifies():
            self.manual = []
            return self.manual

        def run():
            self.manual = self.client.manual_messages()
            return self.manual
        return self._guard(run)

    def open_manual(self, message_id: int) -> bool:
        """Open the message in WhatsApp (its wa.me link: the number and the text filled in)."""
        msg = next((m for m in self.manual if m["id"] == message_id), None)
        if msg is None or not msg.get("link"):
            return False
        self.open_url(msg["link"])
        return True

    def manual_sent(self, message_id: int) -> dict | None:
        """The officer sent it from the office's WhatsApp: recorded (and audited) as sent by them."""
        def run():
            done = self.client.manual_sent(message_id)
            self.manual = [m for m in self.manual if m["id"] != message_id]
            self._note("success", self.t("manual_marked", recipient=done["recipient"]))
            self.uncollected = self.client.uncollected()
            return done
        return self._guard(run, reload=self.load_manual)

    def on_server_event(self, kind: str, data: dict) -> bool:
        """A document became ready for pickup: reload the uncollected list."""
        changed = super().on_server_event(kind, data)
        if self.logged_in and self.mode == HANDOVER and kind == p.APPLICATION_STEP_FINISHED \
                and data.get("state") == "ready_for_pickup":
            self.load_uncollected()
            self.load_manual()
            return True
        if self.logged_in and self.mode == HANDOVER and kind in (p.DISTRIBUTION_BATCH_CREATED,
                                                                  p.DISTRIBUTION_BATCH_RECEIVED):
            self.load_incoming()
            self.load_uncollected()
            return True
        return changed

    def find_pickup(self, code: str) -> dict | None:
        """Find a document by its pickup code (GET /pickups/{code}) and select it."""
        def run():
            self.application = self.client.pickup(code)
            return self.application
        return self._guard(run)

    def hand_over(self, received_by: str, relation: str, identity_checked: bool) -> dict | None:
        """Record the hand-over (POST handover), then print the tanda terima for
        signature (SOP 000 row 7)."""
        app = self.application
        if not app:
            self._warn("select_app")
            return None

        def run():
            new = self.client.handover(app["id"], received_by.strip(), relation.strip(), identity_checked,
                                       app["version"])
            self.application = new
            self._note("success", self.t("handed_over", code=new["code"], name=received_by.strip()))
            self.last_print = receipts.print_handover(self, new, received_by.strip(), relation.strip())
            self.uncollected = self.client.uncollected()
            return new

        def reload():
            self.application = self.client.pickup(app["code"])
        return self._guard(run, reload=reload)

    def load_uncollected(self) -> dict | None:
        """Documents ready but not collected, with phone numbers, grouped by kecamatan."""
        def run():
            self.uncollected = self.client.uncollected()
            return self.uncollected
        return self._guard(run)
