"""The kiosk controller's core and the names every flow shares (screens, runners, the
date picker). The citizen's path through the kiosk as a plain-Python state machine (issue 4).

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
from datetime import date
from typing import Any, Callable

from ..api import ApiError
from ..texts import t

log = logging.getLogger(__name__)


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


class KioskCore:
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
        self.listeners: list[Callable[[KioskCore], None]] = []
        self._services_by_lang: dict[str, list[dict]] = {}
        self._idle_cancel: Callable[[], None] | None = None
        self._timer_cancel: Callable[[], None] | None = None
        self._flow = 0
        self._refreshing = False
        self._refresh_retry = False
        self.server_ok: bool | None = None
        self._reset_flow()
        self.screen = WELCOME

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
