"""The citizen's path through the kiosk as a plain-Python state machine (issue 4).

:class:`KioskController` holds no business rules: services, questions, checklists,
eligibility and numbers come from the queue server (:class:`kiosk.api.KioskApi`); the
ticket is printed through ``printing`` only after the server has recorded it
(ARCHITECTURE.md "Recording comes before printing").

Screens (``controller.screen``)::

    welcome → services → question (1..n) → priority → checklist → issuing → confirmation → welcome
                                   └→ ineligible (told why, no ticket)
    welcome → status ;  welcome/confirmation → ikm (9 questions) → ikm_done ;  notice (fault)

Side effects go through two small injected callables so the controller runs without a
window and in tests without threads:

* ``runner(job, done)``: run ``job()`` (network or printer I/O) somewhere and later call
  ``done(result, error)`` on the controller's thread (the Kivy app: a thread plus
  ``Clock.schedule_once``).
* ``scheduler(delay_seconds, fn) -> cancel``: call ``fn()`` after ``delay_seconds``;
  the returned callable cancels it (the Kivy app: ``Clock.schedule_once``).

While a call is in flight ``busy`` is True and every tap is ignored (double taps and
taps during a transition create nothing). One idempotency key is made per flow and
reused by every retry of ``POST /tickets``, so a retry after a timeout never makes a
second ticket. Leaving the kiosk mid-flow (idle timeout) starts a new flow and
discards late answers of the old one.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable

from client.protocol import CODE_ALPHABET  # the server's public codes (re-exported for the screens)

from .api import ApiError
from .texts import duration, t

log = logging.getLogger(__name__)

__all__ = ["KioskController", "DatePicker", "SCREENS", "PRIORITIES", "Runner", "Scheduler", "sync_runner"]

WELCOME = "welcome"
SERVICES = "services"
QUESTION = "question"
INELIGIBLE = "ineligible"
PRIORITY = "priority"
CHECKLIST = "checklist"
ISSUING = "issuing"
CONFIRMATION = "confirmation"
NOTICE = "notice"
STATUS = "status"
IKM = "ikm"
IKM_DONE = "ikm_done"
SCREENS = (WELCOME, SERVICES, QUESTION, INELIGIBLE, PRIORITY, CHECKLIST, ISSUING, CONFIRMATION, NOTICE, STATUS,
           IKM, IKM_DONE)

#: Priority categories offered on the priority screen (server's PRIORITY_CATEGORIES;
#: UU 25/2009 Pasal 29). "korban_bencana" is left to the officer.
PRIORITIES = ("lansia", "disabilitas", "ibu_hamil", "ibu_anak")

Runner = Callable[[Callable[[], Any], Callable[[Any, BaseException | None], None]], None]
Scheduler = Callable[[float, Callable[[], None]], Callable[[], None]]


def sync_runner(job: Callable[[], Any], done: Callable[[Any, BaseException | None], None]) -> None:
    """A runner that runs ``job`` at once on the caller's thread (CLI tools, tests)."""
    try:
        result = job()
    except Exception as exc:  # noqa: BLE001 - handed to the controller
        done(None, exc)
    else:
        done(result, None)


@dataclass
class DatePicker:
    """A keyboard-free date: year, month and day changed with +/- taps.

    ``min_year``..``max_year`` bound the year (clamped); month and day wrap around;
    the day is clamped to the month's length after any change (so 31 → 30 in April and
    29 Feb → 28 Feb in a common year). ``value`` is the ``datetime.date``.
    """

    year: int
    month: int
    day: int
    min_year: int
    max_year: int

    @property
    def value(self) -> date:
        return date(self.year, self.month, self.day)

    @staticmethod
    def _days_in(year: int, month: int) -> int:
        nxt = date(year + (month == 12), month % 12 + 1, 1)
        return (nxt - date(year, month, 1)).days

    def adjust(self, part: str, delta: int) -> None:
        """Change ``part`` ("year" | "month" | "day") by ``delta``; ValueError for another part."""
        if part == "year":
            self.year = min(self.max_year, max(self.min_year, self.year + delta))
        elif part == "month":
            self.month = (self.month - 1 + delta) % 12 + 1
        elif part == "day":
            self.day = (self.day - 1 + delta) % self._days_in(self.year, self.month) + 1
        else:
            raise ValueError(f"unknown date part {part!r}")
        self.day = min(self.day, self._days_in(self.year, self.month))


class KioskController:
    """State of one kiosk screen flow.

    Args:
        api: a :class:`kiosk.api.KioskApi` (or a fake with the same methods).
        printer: a ``printing`` ThermalPrinter (``print_ticket(printing.model.Ticket)``).
        runner, scheduler: see the module docstring.
        lang: "id" (default) or "en".
        idle_timeout: seconds without a tap before any screen returns to welcome.
        confirm_timeout: seconds the confirmation / thanks / notice screens stay.
        retry_delays: seconds between automatic retries of a failed server call; after
            the last one the kiosk gives up and asks the citizen to see an officer.
        today: callable giving the local date (date picker bounds).

    Observable state (read by the UI): ``screen``, ``lang``, ``busy``, ``message``,
    ``services``, ``service``, ``question``, ``question_index``, ``answers``,
    ``date_picker``, ``ineligible``, ``checklist``, ``priority``, ``ticket``,
    ``print_ok``, ``status_code``, ``status_result``, ``ikm_elements``, ``ikm_index``,
    ``ikm_answers``. ``listeners`` are called with the controller after every change.
    """

    def __init__(self, api, printer, *, runner: Runner = sync_runner, scheduler: Scheduler | None = None,
                 lang: str = "id", idle_timeout: float = 60.0, confirm_timeout: float = 20.0,
                 retry_delays: tuple[float, ...] = (2.0, 4.0, 8.0, 8.0, 8.0), today: Callable[[], date] = date.today,
                 office_short: str = "") -> None:
        self.api = api
        self.printer = printer
        self.runner = runner
        self.scheduler = scheduler or (lambda delay, fn: (lambda: None))
        self.lang = lang if lang in ("id", "en") else "id"
        self.idle_timeout = idle_timeout
        self.confirm_timeout = confirm_timeout
        self.retry_delays = tuple(retry_delays)
        self.today = today
        self.office_short = office_short
        self.office_name = ""
        self.listeners: list[Callable[[KioskController], None]] = []
        self._services_by_lang: dict[str, list[dict]] = {}
        self._idle_cancel: Callable[[], None] | None = None
        self._timer_cancel: Callable[[], None] | None = None
        self._flow = 0
        self._refreshing = False
        self._refresh_retry = False
        self.server_ok: bool | None = None
        self._reset_flow()
        self.screen = WELCOME

    # ------------------------------------------------------------------ basics
    def t(self, key: str, **kw) -> str:
        """A kiosk text in the current language (:func:`kiosk.texts.t`)."""
        return t(key, self.lang, **kw)

    def _reset_flow(self) -> None:
        self._flow += 1
        self.busy = False
        self.message = ""
        self.service: dict | None = None
        self.question_index = 0
        self.answers: dict[str, Any] = {}
        self.date_picker: DatePicker | None = None
        self.ineligible: list[str] = []
        self.checklist: dict | None = None
        self.priority: str | None = None
        self.ticket: dict | None = None
        self.print_ok: bool | None = None
        self.idempotency_key = uuid.uuid4().hex
        self.status_code = ""
        self.status_result: dict | None = None
        self.ikm_elements: list[dict] = []
        self.ikm_index = 0
        self.ikm_answers: list[int] = []
        self.ikm_ticket_code: str | None = None
        self._attempt = 0

    def _changed(self) -> None:
        for listener in list(self.listeners):
            listener(self)

    def _cancel_timer(self) -> None:
        if self._timer_cancel is not None:
            self._timer_cancel()
            self._timer_cancel = None

    def _go(self, screen: str) -> None:
        self.screen = screen
        self._cancel_timer()
        if screen in (CONFIRMATION, IKM_DONE, NOTICE, INELIGIBLE):
            flow = self._flow
            self._timer_cancel = self.scheduler(self.confirm_timeout, lambda: self._timeout_home(flow))
        self._arm_idle()
        self._changed()

    def _timeout_home(self, flow: int) -> None:
        if flow == self._flow and not self.busy:
            self.go_home()

    def _arm_idle(self) -> None:
        if self._idle_cancel is not None:
            self._idle_cancel()
            self._idle_cancel = None
        if self.screen != WELCOME:
            flow = self._flow
            self._idle_cancel = self.scheduler(self.idle_timeout, lambda: self._idle(flow))

    def _idle(self, flow: int) -> None:
        self._idle_cancel = None
        if flow != self._flow or self.screen == WELCOME:
            return
        if self.screen == ISSUING:  # the citizen is waiting for a number being made: never drop it
            self._arm_idle()
            return
        self.go_home()

    def _accept(self, *screens: str) -> bool:
        """True when a tap may act now: not busy and on one of ``screens``."""
        if self.busy or (screens and self.screen not in screens):
            return False
        self._arm_idle()
        return True

    def _call(self, job: Callable[[], Any], on_ok: Callable[[Any], None], *,
              on_error: Callable[[BaseException], None] | None = None, retry: bool = True) -> None:
        """Run ``job`` through the runner with the busy flag set; retryable API faults are
        retried after ``retry_delays`` while ``message`` tells the citizen."""
        flow = self._flow
        self.busy = True

        def done(result: Any, error: BaseException | None) -> None:
            if flow != self._flow:
                return  # the citizen left; a late answer changes nothing
            if error is None:
                self._attempt = 0
                self.busy = False
                self.message = ""
                on_ok(result)
                return
            if retry and isinstance(error, ApiError) and error.retryable and self._attempt < len(self.retry_delays):
                delay = self.retry_delays[self._attempt]
                self._attempt += 1
                self.message = self.t("retrying", n=self._attempt)
                self._changed()
                self.scheduler(delay, lambda: flow == self._flow and self._call(job, on_ok, on_error=on_error,
                                                                                retry=retry))
                return
            self._attempt = 0
            self.busy = False
            if on_error is not None:
                on_error(error)
            else:
                self.message = self._error_text(error)
                self._changed()

        # start the I/O first: drawing the screen must not delay the request
        self.runner(job, done)
        if flow == self._flow and self.busy:
            self._changed()

    def _error_text(self, error: BaseException) -> str:
        if isinstance(error, ApiError):
            return error.text(self.lang)
        log.exception("kiosk: unexpected error", exc_info=error)
        return self.t("issue_failed")

    # ------------------------------------------------------------------ welcome
    def start(self) -> None:
        """Load the office and services (both languages) in the background; keep retrying
        every 10 s while the server is unreachable. Call once when the app starts."""
        self.refresh()

    def refresh(self) -> None:
        """Reload services in both languages (open/closed state, quota) in the background.
        While the server is unreachable one retry loop (every 10 s) runs, however often
        this is called."""
        if self._refreshing:
            return
        self._refreshing = True
        flow = self._flow

        def job():
            offices = self.api.offices()
            return offices, {lg: self.api.services(lg)["services"] for lg in ("id", "en")}

        def done(result, error):
            self._refreshing = False
            if error is not None:
                self.server_ok = False
                if not self._refresh_retry:
                    self._refresh_retry = True
                    self.scheduler(10.0, self._retry_refresh)
                if flow == self._flow and self.screen == WELCOME:
                    self._changed()
                return
            offices, services = result
            self.server_ok = True
            self._services_by_lang = services
            office = next((o for o in offices.get("offices", []) if o.get("code") == getattr(self.api, "office", None)),
                          None) or next(iter(offices.get("offices", [])), {})
            self.office_name = office.get("name", "")
            self.office_short = self.office_short or office.get("short_name", "")
            self._changed()

        self.runner(job, done)

    def _retry_refresh(self) -> None:
        self._refresh_retry = False
        self.refresh()

    @property
    def services(self) -> list[dict]:
        """Services in the current language (as ``GET /services``), [] until loaded."""
        return self._services_by_lang.get(self.lang, [])

    def go_home(self) -> None:
        """Back to the welcome screen; the current flow is abandoned (no ticket is made)."""
        self._reset_flow()
        if self._idle_cancel is not None:
            self._idle_cancel()
            self._idle_cancel = None
        self._go(WELCOME)
        self.refresh()

    def set_lang(self, lang: str) -> bool:
        """Switch the language ("id" | "en"). Texts of the chosen service and the checklist
        are reloaded in the new language. Ignored while busy."""
        if self.busy or lang not in ("id", "en") or lang == self.lang:
            return False
        self.lang = lang
        self._arm_idle()
        if self.service is not None:
            same = next((s for s in self.services if s["code"] == self.service["code"]), None)
            if same is not None:
                self.service = same
        if self.screen in (PRIORITY, CHECKLIST) and self.checklist is not None:
            self._load_checklist(then=self.screen)
            return True
        if self.screen == IKM and self.ikm_elements:
            self._call(lambda: self.api.ikm_questions(self.lang),
                       lambda data: (setattr(self, "ikm_elements", data["elements"]), self._changed()))
            return True
        self._changed()
        return True

    def toggle_lang(self) -> bool:
        """Switch between Bahasa Indonesia and English."""
        return self.set_lang("en" if self.lang == "id" else "id")

    def begin(self) -> bool:
        """Welcome → services. When the services are not loaded yet, load them first."""
        if not self._accept(WELCOME):
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

    # ------------------------------------------------------------------ service and questions
    def service_state(self, service: dict) -> tuple[bool, str]:
        """``(selectable, reason_text)`` of a service card: closed or quota used up → greyed."""
        if service.get("open", True):
            return True, ""
        reason = service.get("reason")
        key = {"closed": "closed", "quota_used_up": "quota_used_up"}.get(reason, "unavailable")
        return False, self.t(key)

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
        if not service.get("questions"):
            self._load_checklist(then=PRIORITY)
            return True
        self._show_question(0)
        return True

    @property
    def questions(self) -> list[dict]:
        """The chosen service's questions (as the server sent them)."""
        return list((self.service or {}).get("questions") or [])

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
            current = self.answers.get(q["key"])
            if isinstance(current, str):
                d = date.fromisoformat(current)
                self.date_picker = DatePicker(d.year, d.month, d.day, today.year - 100, today.year)
            else:
                # Children's services: start five years back, bounded to a century.
                self.date_picker = DatePicker(today.year - 5, 1, 1, today.year - 100, today.year)
        else:
            self.date_picker = None
        self._go(QUESTION)

    def adjust_date(self, part: str, delta: int) -> bool:
        """+/- on the date picker ("year" | "month" | "day")."""
        if not self._accept(QUESTION) or self.date_picker is None:
            return False
        self.date_picker.adjust(part, delta)
        self.message = ""
        self._changed()
        return True

    def confirm_date(self) -> bool:
        """Accept the date on the picker as the answer (ISO ``YYYY-MM-DD``). A future
        date is refused on the spot."""
        if not self._accept(QUESTION) or self.date_picker is None or self.question is None:
            return False
        value = self.date_picker.value
        if value > self.today():
            self.message = ("Tanggal lahir tidak boleh di masa depan." if self.lang == "id"
                            else "The date of birth cannot be in the future.")
            self._changed()
            return False
        return self._answered(value.isoformat())

    def answer(self, value: Any) -> bool:
        """Answer a choice (its ``value``) or bool (True/False) question. A "no" to an
        eligibility question ends the flow on the ineligible screen with the office's
        message (no ticket)."""
        if not self._accept(QUESTION) or self.question is None:
            return False
        q = self.question
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

    # ------------------------------------------------------------------ priority and checklist
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

    # ------------------------------------------------------------------ issue and print
    def take_ticket(self) -> bool:
        """The final tap: record the ticket at the server (idempotent, retried), then print
        it. A double tap or a tap during the transition is ignored."""
        if not self._accept(CHECKLIST):
            return False
        self.screen = ISSUING  # drawn by _call once the request is on its way
        self._cancel_timer()
        self._arm_idle()
        code, answers, priority, key = self.service["code"], dict(self.answers), self.priority, self.idempotency_key
        self._call(lambda: self.api.issue_ticket(code, answers, priority, key), self._issued,
                   on_error=self._issue_failed)
        return True

    def _issue_failed(self, error: BaseException) -> None:
        if isinstance(error, ApiError) and not error.retryable:
            self.message = error.text(self.lang)
        else:
            self.message = self.t("issue_failed")
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
            checklist=tuple(self.ticket_checklist_labels()), status_code=tk.get("code") or "", lang=self.lang)

    def confirmation_lines(self) -> list[str]:
        """People ahead and estimated wait for the confirmation screen."""
        tk = self.ticket or {}
        lines = [self.t("people_ahead", n=tk.get("people_ahead", 0))]
        if tk.get("estimated_wait_seconds") is not None:
            lines.append(self.t("estimated_wait", t=duration(tk["estimated_wait_seconds"], self.lang)))
        return lines

    # ------------------------------------------------------------------ status check
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
            if (ch in CODE_ALPHABET or ch == "-") and len(self.status_code) < 16:
                self.status_code += ch
        self.status_result = None
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
        self._changed()
        return True

    def status_clear(self) -> bool:
        """Empty the code."""
        if not self._accept(STATUS):
            return False
        self.status_code, self.status_result, self.message = "", None, ""
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
            self._changed()

        self._call(lambda: self.api.status(code, self.lang), ok)
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
        return [f"{r.get('service', '')} {r.get('code', '')}: {r.get('text', '')}"]

    # ------------------------------------------------------------------ IKM survey
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
