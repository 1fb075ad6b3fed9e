"""The status check: a ticket, visit or berkas code typed or scanned (a barcode scanner
acting as a keyboard) and the server's public status of it."""
from __future__ import annotations

from client.protocol import CODE_ALPHABET

from ..api import ApiError
from .base import SERVICES, STATUS, WELCOME, KioskCore


class StatusFlow(KioskCore):
    """The status check: a ticket, visit or berkas code typed or scanned (a barcode scanner"""

    def open_status(self) -> bool:
        """Welcome → status check."""
        if not self._accept(WELCOME):
            return False
        self._reset_flow()
        self._go(STATUS)
        return True

    def status_type(self, text: str) -> bool:
        """Append typed or scanned characters to the code (others are dropped; a scanner
        acts as a keyboard). A newline submits."""
        if not self._accept(STATUS):
            return False
        submit = "\n" in text or "\r" in text
        for ch in text.upper():
            if ch == "/":  # a scanned QR holds the status URL (…/s/CODE): the code is what follows the last "/"
                self.status_code = ""
            elif (ch in CODE_ALPHABET or ch == "-") and len(self.status_code) < 16:
                self.status_code += ch
        self.status_result = None
        self.walk_in_service = None
        self.message = ""
        self._changed()
        if submit:
            self.status_submit()
        return True

    def status_backspace(self) -> bool:
        """Delete the last character of the code."""
        if not self._accept(STATUS):
            return False
        self.status_code = self.status_code[:-1]
        self.status_result = None
        self.walk_in_service = None
        self._changed()
        return True

    def status_clear(self) -> bool:
        """Empty the code."""
        if not self._accept(STATUS):
            return False
        self.status_code, self.status_result, self.message = "", None, ""
        self.walk_in_service = None
        self._changed()
        return True

    def status_submit(self) -> bool:
        """Ask the server where the code's ticket/application stands."""
        if not self._accept(STATUS):
            return False
        if not self.status_code:
            self.message = self.t("status_code_empty")
            self._changed()
            return False
        code = self.status_code

        def ok(data):
            self.status_result = data
            self.walk_in_service = None
            self._changed()

        self._call(lambda: self.api.status(code, self.lang), ok)
        return True

    def can_check_in(self) -> bool:
        """True when the code shown is a booking still waiting for its check-in (and the
        server has not already said it is too late for it)."""
        r = self.status_result or {}
        return r.get("kind") == "booking" and r.get("status") == "booked" and not self.walk_in_service

    def can_walk_in(self) -> bool:
        """True when the booking shown can no longer be checked in — its window is over
        (``no_show``: the place was released) or the server refused the check-in as too
        late (``check_in_terlambat``/a past day, ``walk_in`` in its details): the kiosk
        then offers a regular number for the booking's service (issue 12 item 5)."""
        r = self.status_result or {}
        return bool(self.walk_in_service) or (r.get("kind") == "booking" and r.get("status") == "no_show")

    def take_walk_in(self) -> bool:
        """Too late for the booking → the regular visit flow for the booking's service:
        its questions (asked again: the booking's answers are not public), priority,
        checklist and a walk-in ticket. When that service takes no number now (closed,
        quota used up) the service list shows why, as for anyone walking in."""
        if not self._accept(STATUS) or not self.can_walk_in():
            return False
        code = self.walk_in_service or self.status_result["service"]
        self._go(WELCOME)
        if not self.begin():
            return False
        if self.screen == SERVICES:
            self.choose_service(code)
        return True

    def check_in(self) -> bool:
        """Check the booking in (``POST /bookings/{code}/check-in``): its ticket in the
        booked lane is recorded by the server, then printed, then the confirmation
        screen, as for a walk-in ticket. Outside the window the server's reason (too
        early: the time it opens; too late: take a regular number) stays on this screen."""
        if not self._accept(STATUS) or not self.can_check_in():
            return False
        code = self.status_result["code"]

        service = self.status_result.get("service")

        def refused(error: BaseException) -> None:
            self.message = error.text(self.lang) if isinstance(error, ApiError) else self._error_text(error)
            if isinstance(error, ApiError) and (error.details or {}).get("walk_in"):
                self.walk_in_service = service
            self._changed()

        self._call(lambda: self.api.check_in(code), self._issued, on_error=refused)
        return True

    def status_lines(self) -> list[str]:
        """The answer as lines: "Nomor A012 — menunggu dipanggil", or one line per
        application of a visit ("KIA: siap diambil di loket 5")."""
        r = self.status_result
        if not r:
            return []
        if r.get("kind") == "visit":
            head = [self.t("status_number", number=r.get("number", ""))]
            return head + [f"{a.get('service', '')}: {a.get('text', '')}" for a in r.get("applications", [])]
        if r.get("kind") == "ticket":
            lines = [f"{self.t('status_number', number=r.get('number', ''))}: {r.get('text', '')}"]
            if r.get("status") == "waiting":
                lines.append(self.t("people_ahead", n=r.get("people_ahead", 0)))
            return lines
        if r.get("kind") == "booking":
            return [f"{self.t('booking_code')} {r.get('code', '')}", f"{r.get('service_name', '')}: {r.get('text', '')}"]
        return [f"{r.get('service', '')} {r.get('code', '')}: {r.get('text', '')}"]
