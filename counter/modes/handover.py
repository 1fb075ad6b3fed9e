"""The hand-over counter: find a document by its pickup code, hand it over with a
tanda terima (SOP 000 row 7, SOP 004), and the list of uncollected documents."""
from __future__ import annotations

from client import protocol as p

from .. import receipts
from ..session import HANDOVER, StationSession


class HandoverMode(StationSession):
    """Pickups and the uncollected list."""

    def reset_mode_state(self) -> None:
        """Forget the uncollected list."""
        super().reset_mode_state()
        self.uncollected: dict = {}

    def load_mode(self) -> None:
        super().load_mode()
        if self.mode == HANDOVER:
            self.load_uncollected()

    def on_server_event(self, kind: str, data: dict) -> bool:
        """A document became ready for pickup: reload the uncollected list."""
        changed = super().on_server_event(kind, data)
        if self.logged_in and self.mode == HANDOVER and kind == p.APPLICATION_STEP_FINISHED \
                and data.get("state") == "ready_for_pickup":
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
