""""Kabari saya": the citizen gives a mobile number for "your turn is near" and "you are
called" (issue 14 item 4). Offered on the checklist screen only when the office can
message a phone (``GET /offices`` → ``notifications.phone``); typing the number and
saving it is the consent, stated on the screen; it goes with the ticket and can be
removed before the number is taken (and withdrawn later on the follow page)."""
from __future__ import annotations

from client.phone import masked, mobile_e164

from .base import CHECKLIST, NOTIFY, KioskCore


class NotifyFlow(KioskCore):
    """The phone entry screen and the consent it records."""

    def can_notify(self) -> bool:
        """True when this office messages phones (else the button is not shown)."""
        return bool(((getattr(self, "office", None) or {}).get("notifications") or {}).get("phone"))

    def open_notify(self) -> bool:
        """Checklist → the phone entry (the number typed so far kept)."""
        if not self._accept(CHECKLIST) or not self.can_notify():
            return False
        self.notify_digits = self.notify_digits or ("0" + self.contact[3:] if self.contact else "")
        self.message = ""
        self._go(NOTIFY)
        return True

    def notify_digit(self, digit: str) -> bool:
        """One keypad digit (at most 14)."""
        if not self._accept(NOTIFY) or not digit.isdigit() or len(self.notify_digits) >= 14:
            return False
        self.notify_digits += digit
        self.message = ""
        self._changed()
        return True

    def notify_backspace(self) -> bool:
        if not self._accept(NOTIFY):
            return False
        self.notify_digits = self.notify_digits[:-1]
        self._changed()
        return True

    def notify_clear(self) -> bool:
        if not self._accept(NOTIFY):
            return False
        self.notify_digits, self.message = "", ""
        self._changed()
        return True

    def notify_save(self) -> bool:
        """Keep the number (E.164) for the ticket and go back to the checklist; a number
        that is no Indonesian mobile stays on screen with the reason."""
        if not self._accept(NOTIFY):
            return False
        number = mobile_e164(self.notify_digits)
        if not number:
            self.message = self.t("notify_invalid")
            self._changed()
            return False
        self.contact = number
        self.message = ""
        self._go(CHECKLIST)
        return True

    def notify_cancel(self) -> bool:
        """Back to the checklist without changing the saved number."""
        if not self._accept(NOTIFY):
            return False
        self.notify_digits = ""
        self.message = ""
        self._go(CHECKLIST)
        return True

    def notify_remove(self) -> bool:
        """On the checklist: no messages after all."""
        if not self._accept(CHECKLIST) or not self.contact:
            return False
        self.contact, self.notify_digits = "", ""
        self._changed()
        return True

    @property
    def contact_masked(self) -> str:
        """The saved number as shown on screen ("0812-****-7890")."""
        return masked(self.contact)
