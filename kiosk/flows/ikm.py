"""The IKM survey (Permen PANRB 14/2017): nine questions answered with faces, sent anonymously."""
from __future__ import annotations

from .base import CONFIRMATION, IKM, IKM_DONE, NOTICE, WELCOME, KioskCore


class IkmFlow(KioskCore):
    """The IKM survey (Permen PANRB 14/2017): nine questions answered with faces, sent anonymously."""

    def open_ikm(self) -> bool:
        """Welcome or confirmation → the IKM survey (from the confirmation screen it is
        tied to the ticket's code)."""
        if not self._accept(WELCOME, CONFIRMATION):
            return False
        code = (self.ticket or {}).get("code") if self.screen == CONFIRMATION else None
        self._reset_flow()
        self.ikm_ticket_code = code

        def ok(data):
            self.ikm_elements = list(data.get("elements", []))
            self.ikm_index = 0
            self.ikm_answers = []
            self._go(IKM)

        self._call(lambda: self.api.ikm_questions(self.lang), ok)
        return True

    @property
    def ikm_element(self) -> dict | None:
        """The survey element on screen."""
        if self.screen == IKM and 0 <= self.ikm_index < len(self.ikm_elements):
            return self.ikm_elements[self.ikm_index]
        return None

    def ikm_answer(self, value: int) -> bool:
        """Answer the element on screen (1..4); after the ninth the response is sent."""
        if not self._accept(IKM) or self.ikm_element is None or value not in (1, 2, 3, 4):
            return False
        self.ikm_answers.append(value)
        if len(self.ikm_answers) < len(self.ikm_elements):
            self.ikm_index += 1
            self._changed()
            return True
        answers, code = list(self.ikm_answers), self.ikm_ticket_code

        def failed(error):
            self.message = self.t("ikm_failed")
            self._go(NOTICE)

        self._call(lambda: self.api.submit_ikm(answers, code), lambda _r: self._go(IKM_DONE), on_error=failed)
        return True
