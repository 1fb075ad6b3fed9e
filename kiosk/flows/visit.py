"""The visit flow: service → questions (date picker, eligibility) → priority → checklist →
ticket (recorded by the server first, then printed) → confirmation."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ..api import ApiError
from ..texts import duration
from .base import (
    CHECKLIST,
    CONFIRMATION,
    IKM,
    INELIGIBLE,
    ISSUING,
    NOTICE,
    NOTIFY,
    PRIORITIES,
    PRIORITY,
    QUESTION,
    SERVICES,
    WELCOME,
    DateEntry,
    KioskCore,
    log,
)


class VisitFlow(KioskCore):
    """The visit flow: service → questions (date picker, eligibility) → priority → checklist →"""

    def begin(self) -> bool:
        """Welcome → services. When the services are not loaded yet, load them first.
        Refused while no service takes a number (:meth:`closed_notice`)."""
        if not self._accept(WELCOME) or self.closed_notice() is not None:
            return False
        self._reset_flow()
        if self.services:
            self._go(SERVICES)
            return True

        def job():
            return {lg: self.api.services(lg)["services"] for lg in ("id", "en")}

        def ok(services):
            self._services_by_lang = services
            self.server_ok = True
            self._go(SERVICES)

        self._call(job, ok)
        return True

    def service_state(self, service: dict) -> tuple[bool, str]:
        """``(selectable, reason_text)`` of a service card: closed or quota used up → greyed."""
        if service.get("open", True):
            return True, ""
        reason = service.get("reason")
        opens = self.when_text(service.get("opens_at"))
        if reason == "closed":
            return False, self.t("closed_until", when=opens) if opens else self.t("closed")
        if reason == "quota_used_up":
            return False, self.t("quota_until", when=opens) if opens else self.t("quota_used_up")
        return False, self.t("unavailable")

    def choose_service(self, code: str) -> bool:
        """Pick a service by code; a closed/full one is ignored. Goes to its first
        question, or straight to the checklist load when it asks none."""
        if not self._accept(SERVICES):
            return False
        service = next((s for s in self.services if s["code"] == code), None)
        if service is None or not self.service_state(service)[0]:
            return False
        self.service = service
        self.answers = {}
        self.question_index = 0
        self._skip_conditional({})
        if not service.get("questions"):
            self._load_checklist(then=PRIORITY)
            return True
        self._show_question(0)
        return True

    @property
    def questions(self) -> list[dict]:
        """The chosen service's questions (as the server sent them) that are asked in
        this case: a question with a ``when`` (e.g. "ever married?" from age 10) only once
        the server's check of the answers so far says it applies."""
        skipped = getattr(self, "skipped_questions", set())
        return [q for q in (self.service or {}).get("questions") or [] if q["key"] not in skipped]

    def _skip_conditional(self, checked: dict) -> None:
        """From a (partial) requirements answer: skip every conditional question whose
        facts are not known yet or which the server lists in ``skipped_questions``."""
        facts = checked.get("facts") or {}
        told = set(checked.get("skipped_questions") or [])
        self.skipped_questions = {q["key"] for q in (self.service or {}).get("questions") or []
                                  if q.get("when") and (q["key"] in told or not all(k in facts for k in q["when"]))}

    @property
    def question(self) -> dict | None:
        """The question on screen (None elsewhere)."""
        qs = self.questions
        if self.screen == QUESTION and 0 <= self.question_index < len(qs):
            return qs[self.question_index]
        return None

    def _show_question(self, index: int) -> None:
        self.question_index = index
        q = self.questions[index]
        self.message = ""
        if q["kind"] == "date":
            today = self.today()
            oldest = date(today.year - 100, 1, 1)
            current = self.answers.get(q["key"])
            if isinstance(current, str):
                self.date_entry = DateEntry.from_date(date.fromisoformat(current), oldest, today)
            else:
                self.date_entry = DateEntry(oldest, today)
        else:
            self.date_entry = None
        self._go(QUESTION)

    def _date_tap(self) -> bool:
        if not self._accept(QUESTION) or self.date_entry is None:
            return False
        if self.stalled is not None:  # a new date: the check that stalled is moot
            self.stalled = None
            self._end_wait()
        return True

    def date_digit(self, digit: str) -> bool:
        """One tap on the date keypad ("0".."9"). A digit that cannot make a real date in
        range is refused with a reason in ``message`` (e.g. day 35, month 13, a date in
        the future); returns True when it was typed."""
        if not self._date_tap():
            return False
        reason = self.date_entry.press(digit)
        self.message = self.t(f"date_bad_{reason}") if reason else ""
        self._changed()
        return reason is None

    def date_backspace(self) -> bool:
        """The keypad's ⌫: remove the last digit."""
        return self._date_edit(lambda entry: entry.backspace())

    def date_clear(self) -> bool:
        """The keypad's "Hapus": start the date again."""
        return self._date_edit(lambda entry: entry.clear())

    def _date_edit(self, change) -> bool:
        if not self._date_tap():
            return False
        change(self.date_entry)
        self.message = ""
        self._changed()
        return True

    def confirm_date(self) -> bool:
        """Accept the typed date as the answer (ISO ``YYYY-MM-DD``). An incomplete date
        is refused on the spot; then the server judges the answers so far
        (``partial``), so a case the service's rules refuse (a 19-year-old for KIA,
        Permendagri 2/2016 Pasal 2) is told on this screen, where the date can be
        corrected, instead of after the next question."""
        if not self._accept(QUESTION) or self.date_entry is None or self.question is None:
            return False
        value = self.date_entry.value
        if value is None:
            self.message = self.t("date_incomplete")
            self._changed()
            return False
        key, code, lang = self.question["key"], self.service["code"], self.lang
        answers = {**self.answers, key: value.isoformat()}

        def ok(data: dict) -> None:
            if not data.get("eligible", True):
                field = "message_en" if self.lang == "en" else "message"
                self.message = " ".join(i.get(field) or i.get("message", "") for i in data.get("ineligible", []))
                self.answers[key] = value.isoformat()
                self._changed()
                return
            self._skip_conditional(data)  # the date decides which later questions are asked
            self._answered(value.isoformat())

        self._call(lambda: self.api.requirements(code, answers, lang, partial=True), ok)
        return True

    @property
    def date_refused(self) -> bool:
        """True when the date on screen was refused by the service's rules."""
        q = self.question
        return bool(q and self.date_entry is not None and self.message and self.date_entry.complete
                    and self.answers.get(q["key"]) == self.date_entry.value.isoformat())

    def answer(self, value: Any) -> bool:
        """Answer a choice (its ``value``) or bool (True/False) question. A "no" to an
        eligibility question ends the flow on the ineligible screen with the office's
        message (no ticket)."""
        if not self._accept(QUESTION) or self.question is None:
            return False
        q = self.question
        if q["kind"] not in ("choice", "bool"):
            return False  # a date is typed on the keypad (confirm_date)
        if q["kind"] == "choice" and value not in [c["value"] for c in q.get("choices", [])]:
            return False
        if q["kind"] == "bool":
            if not isinstance(value, bool):
                return False
            if q.get("eligible_if") is not None and value != q["eligible_if"]:
                self.answers[q["key"]] = value
                self.ineligible = [q.get("ineligible_message") or q.get("label") or ""]
                self._go(INELIGIBLE)
                return True
        return self._answered(value)

    def _answered(self, value: Any) -> bool:
        q = self.questions[self.question_index]
        self.answers[q["key"]] = value
        if self.question_index + 1 < len(self.questions):
            self._show_question(self.question_index + 1)
        else:
            self._load_checklist(then=PRIORITY)
        return True

    def _load_checklist(self, then: str) -> None:
        code = self.service["code"]
        answers = dict(self.answers)
        lang = self.lang

        def ok(data: dict) -> None:
            self.checklist = data
            if not data.get("eligible", True):
                key = "message_en" if self.lang == "en" else "message"
                self.ineligible = [i.get(key) or i.get("message", "") for i in data.get("ineligible", [])]
                self._go(INELIGIBLE)
                return
            self._go(then)

        self._call(lambda: self.api.requirements(code, answers, lang), ok)

    def back(self) -> bool:
        """One screen back (question → previous question or services, etc.)."""
        if self.busy:
            return False
        self.stalled = None
        self._end_wait()
        if self.screen == QUESTION and self.question_index > 0:
            self._arm_idle()
            self._show_question(self.question_index - 1)
        elif self.screen in (QUESTION, INELIGIBLE) and self.service is not None:
            self._arm_idle()
            self.service = None
            self.answers = {}
            self._go(SERVICES)
        elif self.screen == PRIORITY:
            self._arm_idle()
            if self.questions:
                self._show_question(len(self.questions) - 1)
            else:
                self._go(SERVICES)
        elif self.screen == CHECKLIST:
            self._arm_idle()
            self._go(PRIORITY)
        elif self.screen == NOTIFY:
            self.notify_cancel()
        elif self.screen == IKM and self.ikm_index > 0:
            self._arm_idle()
            self.ikm_index -= 1
            self.ikm_answers = self.ikm_answers[:self.ikm_index]
            self._changed()
        elif self.screen != WELCOME:
            self.go_home()
        else:
            return False
        return True

    def choose_priority(self, category: str | None) -> bool:
        """One tap: a priority category of :data:`PRIORITIES` or None (regular queue)."""
        if not self._accept(PRIORITY) or (category is not None and category not in PRIORITIES):
            return False
        self.priority = category
        self._go(CHECKLIST)
        return True

    @property
    def checklist_items(self) -> list[dict]:
        """``[{"code", "label", "note"}]`` of the case in the current language."""
        return list((self.checklist or {}).get("items") or [])

    def photo_hint(self) -> str:
        """For services whose rules give ``photo_required`` (KIA): "Anak berumur 7 tahun:
        PERLU pas foto." — from the server's facts; "" otherwise."""
        facts = (self.checklist or {}).get("facts") or {}
        if "photo_required" not in facts or "age_years" not in facts:
            return ""
        return self.t("photo_needed" if facts["photo_required"] else "photo_not_needed", n=facts["age_years"])

    def take_ticket(self) -> bool:
        """The final tap: record the ticket at the server (idempotent, retried), then print
        it. A double tap or a tap during the transition is ignored."""
        if not self._accept(CHECKLIST):
            return False
        self.screen = ISSUING  # drawn by _call once the request is on its way
        self._cancel_timer()
        self._arm_idle()
        code, answers, priority, key = self.service["code"], dict(self.answers), self.priority, self.idempotency_key
        contact, lang = self.contact, self.lang
        self._call(lambda: self.api.issue_ticket(code, answers, priority, key, contact=contact, lang=lang),
                   self._issued,
                   on_error=self._issue_failed, resume=self.take_ticket, on_stall=lambda: self._go(CHECKLIST))
        return True

    def _issue_failed(self, error: BaseException) -> None:
        """A refusal (quota used up, closed, not eligible): told on the notice screen."""
        if isinstance(error, ApiError):
            self.message = error.text(self.lang)
        else:
            self.message = self._error_text(error)
        self._go(NOTICE)

    def _issued(self, ticket: dict) -> None:
        self.ticket = ticket
        self.busy = True
        self.message = self.t("printing")
        model = self.ticket_model()
        flow = self._flow

        def printed(_result, error):
            if flow != self._flow:
                return
            self.busy = False
            self.message = ""
            self.print_ok = error is None
            if error is not None:
                self._report_printer_fault(error)
            self._go(CONFIRMATION)

        self.runner(lambda: self.printer.print_ticket(model), printed)
        if flow == self._flow and self.busy:  # the job is on its way; now tell the citizen
            self._changed()

    def _report_printer_fault(self, error: BaseException) -> None:
        code = getattr(error, "code", type(error).__name__)
        text = getattr(error, "message_id", None) or str(error)
        number = (self.ticket or {}).get("number")
        log.warning("kiosk: printer fault %s for %s: %s", code, number, error)
        self.runner(lambda: self.api.report_fault("printer", str(code), f"{text} ({error})", number),
                    lambda _r, e: e is not None and log.warning("kiosk: fault report failed: %s", e))

    def ticket_checklist_labels(self) -> list[str]:
        """The printed checklist: the server's recorded requirement codes, labelled in the
        current language (the server records them in Bahasa Indonesia)."""
        recorded = ((self.ticket or {}).get("checklist") or {}).get("items") or []
        labels = {i["code"]: i["label"] for i in self.checklist_items}
        return [labels.get(i["code"], i["label"]) for i in recorded]

    def ticket_model(self):
        """The ``printing.model.Ticket`` for the issued ticket (ValueError if none)."""
        from printing.model import Ticket as PrintTicket

        tk = self.ticket
        if not tk:
            raise ValueError("no ticket issued")
        name = tk.get("service_name_en") if self.lang == "en" else tk.get("service_name")
        return PrintTicket(
            office_name=tk.get("office_name") or self.office_name, office_short=self.office_short,
            service_name=name or tk.get("service", ""), number=tk["number"],
            issued_at=datetime.fromisoformat(tk["issued_at"]), zone=tk.get("zone", ""),
            people_ahead=int(tk.get("people_ahead") or 0), estimated_wait_seconds=tk.get("estimated_wait_seconds"),
            checklist=tuple(self.ticket_checklist_labels()), status_code=tk.get("code") or "",
            status_url=tk.get("status_url") or "", lang=self.lang,
            priority=self.t(f"prio_{tk['priority']}") if tk.get("priority") in PRIORITIES else "")

    def confirmation_lines(self) -> list[str]:
        """The priority (when chosen), people ahead and estimated wait for the confirmation screen."""
        tk = self.ticket or {}
        lines = []
        if tk.get("priority") in PRIORITIES:
            lines.append(f"{self.t('priority_badge')}: {self.t('prio_' + tk['priority'])}")
        lines.append(self.t("people_ahead", n=tk.get("people_ahead", 0)))
        if tk.get("estimated_wait_seconds") is not None:
            lines.append(self.t("estimated_wait", t=duration(tk["estimated_wait_seconds"], self.lang)))
        return lines
