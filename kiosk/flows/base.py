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

import calendar
import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Callable

from ..api import ApiError
from ..texts import hours_summary, t, when

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
NOTIFY = "notify"
SCREENS = (WELCOME, SERVICES, QUESTION, INELIGIBLE, PRIORITY, CHECKLIST, ISSUING, CONFIRMATION, NOTICE, STATUS,
           IKM, IKM_DONE, NOTIFY)

#: Priority categories offered on the priority screen (server's PRIORITY_CATEGORIES;
#: UU 25/2009 Pasal 29: the elderly, persons with disabilities, pregnant women,
#: people with small children and victims of a disaster).
PRIORITIES = ("lansia", "disabilitas", "ibu_hamil", "ibu_anak", "korban_bencana")

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


#: Why a keypad digit was refused (:meth:`DateEntry.press`); each has a kiosk text ``date_bad_<reason>``.
DATE_REFUSALS = ("day", "month", "no_such_day", "future", "too_old", "full")


@dataclass
class DateEntry:
    """A date typed on a big numeric keypad as DD-MM-YYYY: eight digit taps (issue 18
    item 7: the +/- steppers took 25 taps for 17-08-2019).

    Every digit is checked as it is typed, so the entry can never hold a date that does
    not exist or lies outside ``min_date``..``max_date`` (e.g. a birth date in the
    future): a refused digit is not added and :meth:`press` names the reason (one of
    :data:`DATE_REFUSALS`). ``digits`` is what was typed so far (0..8 characters).
    """

    min_date: date
    max_date: date
    digits: str = ""

    @classmethod
    def from_date(cls, value: date, min_date: date, max_date: date) -> "DateEntry":
        """An entry already holding ``value`` (an answer given before, shown again on "back")."""
        return cls(min_date, max_date, value.strftime("%d%m") + f"{value.year:04d}")

    @staticmethod
    def _days_in(year: int | None, month: int) -> int:
        if month == 2:
            return 29 if year is None or calendar.isleap(year) else 28
        return 30 if month in (4, 6, 9, 11) else 31

    def refusal(self, digits: str) -> str | None:
        """Why ``digits`` (a prefix of DDMMYYYY) cannot become a date in range, or None."""
        if len(digits) > 8:
            return "full"
        day_s, month_s, year_s = digits[:2], digits[2:4], digits[4:]
        if day_s and (int(day_s[0]) > 3 or (len(day_s) == 2 and not 1 <= int(day_s) <= 31)):
            return "day"
        if month_s:
            if int(month_s[0]) > 1 or (len(month_s) == 2 and not 1 <= int(month_s) <= 12):
                return "month"
            if len(month_s) == 2 and int(day_s) > self._days_in(None, int(month_s)):
                return "no_such_day"
        if year_s:
            lo, hi = self.min_date.year, self.max_date.year
            width = 4 - len(year_s)
            low, high = int(year_s) * 10 ** width, int(year_s) * 10 ** width + 10 ** width - 1
            if high < lo:
                return "too_old"
            if low > hi:
                return "future"
            if len(year_s) == 4:
                year, month, day = int(year_s), int(month_s), int(day_s)
                if day > self._days_in(year, month):
                    return "no_such_day"
                value = date(year, month, day)
                if value > self.max_date:
                    return "future"
                if value < self.min_date:
                    return "too_old"
        return None

    def press(self, digit: str) -> str | None:
        """Type one digit ("0".."9"). Returns None when taken, else the refusal reason
        (the entry is unchanged). ValueError for anything but one digit."""
        if len(digit) != 1 or not digit.isdigit():
            raise ValueError(f"not a digit: {digit!r}")
        reason = self.refusal(self.digits + digit)
        if reason is None:
            self.digits += digit
        return reason

    def backspace(self) -> None:
        """Remove the last digit typed (nothing when empty)."""
        self.digits = self.digits[:-1]

    def clear(self) -> None:
        """Start the date again."""
        self.digits = ""

    @property
    def complete(self) -> bool:
        """True when all eight digits are typed (the date is then valid and in range)."""
        return len(self.digits) == 8

    @property
    def value(self) -> date | None:
        """The date once complete, else None."""
        if not self.complete:
            return None
        d = self.digits
        return date(int(d[4:]), int(d[2:4]), int(d[:2]))

    @property
    def display(self) -> str:
        """What the screen shows: ``"17-08-20__"`` while typing, ``"17-08-2019"`` when done."""
        d = self.digits.ljust(8, "_")
        return f"{d[:2]}-{d[2:4]}-{d[4:]}"


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
            the last one the kiosk says so on the screen the citizen is on, keeps the
            answers and offers "Coba lagi" (:meth:`retry_now`) or "Tunggu"
            (:meth:`wait_for_server`).
        today: callable giving the local date (date entry bounds).
        now: callable giving the current aware datetime ("buka lagi besok pukul 08:00").
        guide: an :class:`kiosk.guide.AudioGuide` when the office offers audio guidance
            (the citizen switches it on; off by default), else None.
        high_contrast, large_text: the kiosk's default display modes; the citizen may
            change them, and they return to these defaults with the language.
        lang_reset_after: seconds the welcome screen stays untouched before a language
            the visitor chose goes back to ``lang`` (the next visitor); 0 = never. The
            visitor's language stays while they go back to welcome themselves.
        wait_limit: seconds the kiosk keeps retrying after the citizen chose to wait.
        wait_interval: seconds between those retries.

    Observable state (read by the UI): ``screen``, ``lang``, ``busy``, ``message``,
    ``services``, ``service``, ``question``, ``question_index``, ``answers``,
    ``date_entry``, ``ineligible``, ``checklist``, ``priority``, ``ticket``,
    ``print_ok``, ``status_code``, ``status_result``, ``ikm_elements``, ``ikm_index``,
    ``ikm_answers``, ``stalled`` (the server could not be reached; the answers are kept),
    ``waiting`` (the citizen chose to wait for it). ``listeners`` are called with the
    controller after every change.
    """

    def __init__(self, api, printer, *, runner: Runner = sync_runner, scheduler: Scheduler | None = None,
                 lang: str = "id", idle_timeout: float = 60.0, confirm_timeout: float = 20.0,
                 retry_delays: tuple[float, ...] = (2.0, 4.0, 8.0, 8.0, 8.0), today: Callable[[], date] = date.today,
                 office_short: str = "", lang_reset_after: float = 90.0, wait_limit: float = 300.0,
                 wait_interval: float = 10.0, now: Callable[[], datetime] | None = None,
                 guide: Any = None, high_contrast: bool = False, large_text: bool = False) -> None:
        self.api = api
        self.printer = printer
        self.runner = runner
        self.scheduler = scheduler or (lambda delay, fn: (lambda: None))
        self.lang = lang if lang in ("id", "en") else "id"
        self.default_lang = self.lang
        self.lang_reset_after = lang_reset_after
        self.wait_limit = wait_limit
        self.wait_interval = wait_interval
        self._lang_cancel: Callable[[], None] | None = None
        self.guide = guide
        self.default_modes = {"high_contrast": bool(high_contrast), "large_text": bool(large_text),
                              "audio_guide": False}
        self.high_contrast = bool(high_contrast)
        self.large_text = bool(large_text)
        self.audio_guide = False
        self.idle_timeout = idle_timeout
        self.confirm_timeout = confirm_timeout
        self.retry_delays = tuple(retry_delays)
        self.today = today
        self.now = now or (lambda: datetime.now(timezone.utc))
        self.office_short = office_short
        self.office_name = ""
        #: the office as ``GET /offices`` gives it (hours, ``next_opening``, ...); {} until loaded
        self.office: dict = {}
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
        self.date_entry: DateEntry | None = None
        self.ineligible: list[str] = []
        self.checklist: dict | None = None
        self.priority: str | None = None
        self.ticket: dict | None = None
        self.print_ok: bool | None = None
        self.idempotency_key = uuid.uuid4().hex
        self.status_code = ""
        self.status_result: dict | None = None
        self.walk_in_service: str | None = None  # a booking too late to check in: its service
        self.contact = ""  # the mobile number (E.164) the citizen gave for messages: their consent
        self.notify_digits = ""
        self.ikm_elements: list[dict] = []
        self.ikm_index = 0
        self.ikm_answers: list[int] = []
        self.ikm_ticket_code: str | None = None
        self._attempt = 0
        self.stalled: Callable[[], Any] | None = None
        if getattr(self, "waiting", False):
            self._end_wait()
        self.waiting = False
        self._wait_cancel: Callable[[], None] | None = None

    def _changed(self) -> None:
        for listener in list(self.listeners):
            listener(self)

    def _cancel_timer(self) -> None:
        if self._timer_cancel is not None:
            self._timer_cancel()
            self._timer_cancel = None

    def _go(self, screen: str) -> None:
        changed_screen = screen != self.screen or screen == QUESTION
        self.screen = screen
        self._cancel_timer()
        if changed_screen:
            self._guide()
        if screen in (IKM_DONE, NOTICE, INELIGIBLE) or (screen == CONFIRMATION and self.print_ok is not False):
            # A ticket that did not print stays on screen until the citizen taps "Selesai".
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
        if self._lang_cancel is not None:
            self._lang_cancel()
            self._lang_cancel = None
        if self.screen == CONFIRMATION and self.print_ok is False:
            return  # the number must stay readable until "Selesai"
        if self.screen != WELCOME:
            flow = self._flow
            self._idle_cancel = self.scheduler(self.idle_timeout, lambda: self._idle(flow))
        elif self._personalised() and self.lang_reset_after > 0:
            self._lang_cancel = self.scheduler(self.lang_reset_after, self._lang_timeout)

    def _personalised(self) -> bool:
        return self.lang != self.default_lang or self.modes() != self.default_modes

    def modes(self) -> dict[str, bool]:
        """The citizen's display modes: ``{"high_contrast", "large_text", "audio_guide"}``."""
        return {"high_contrast": self.high_contrast, "large_text": self.large_text, "audio_guide": self.audio_guide}

    def _lang_timeout(self) -> None:
        """The welcome screen sat untouched: the visitor has gone, the next one is greeted
        in the office's language and display modes."""
        self._lang_cancel = None
        if self.screen == WELCOME and not self.busy and self._personalised():
            self.lang = self.default_lang
            for name, value in self.default_modes.items():
                setattr(self, name, value)
            self._changed()

    def _toggle(self, name: str) -> bool:
        if self.busy:
            return False
        setattr(self, name, not getattr(self, name))
        self._arm_idle()
        self._changed()
        return True

    def toggle_contrast(self) -> bool:
        """High contrast (white and yellow on black) on/off."""
        return self._toggle("high_contrast")

    def toggle_large_text(self) -> bool:
        """Larger text (and buttons) on/off."""
        return self._toggle("large_text")

    def toggle_audio_guide(self) -> bool:
        """Spoken guidance per screen on/off; False when the office offers none. Switching
        it on speaks the current screen's sentence at once."""
        if self.guide is None or not self._toggle("audio_guide"):
            return False
        self._guide()
        return True

    def _guide(self) -> None:
        """Speak the current screen's guidance (when the citizen has it on)."""
        if not self.audio_guide or self.guide is None:
            return
        from ..guide import guide_key

        q = self.question if self.screen == QUESTION else None
        key = guide_key(self.screen, q["kind"] if q else None)
        if key is not None:
            self.guide.say(key)

    def _idle(self, flow: int) -> None:
        self._idle_cancel = None
        if flow != self._flow or self.screen == WELCOME:
            return
        if self.screen == ISSUING or self.waiting:  # the citizen waits for a number or for the server
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
              on_error: Callable[[BaseException], None] | None = None, retry: bool = True,
              resume: Callable[[], Any] | None = None, on_stall: Callable[[], None] | None = None) -> None:
        """Run ``job`` through the runner with the busy flag set; retryable API faults are
        retried after ``retry_delays`` while ``message`` tells the citizen. When the
        retries are used up the kiosk stalls: ``stalled`` holds ``resume`` (default: this
        same call again), the screen stays (``on_stall`` may move it, e.g. from
        "issuing" back to the checklist) and nothing the citizen entered is dropped.
        A refusal (not retryable) goes to ``on_error`` or into ``message``."""
        flow = self._flow
        self.busy = True
        if resume is None:
            def resume() -> None:
                self._call(job, on_ok, on_error=on_error, retry=retry, on_stall=on_stall)

        def done(result: Any, error: BaseException | None) -> None:
            if flow != self._flow:
                return  # the citizen left; a late answer changes nothing
            if error is None:
                self._attempt = 0
                self.busy = False
                self.message = ""
                self.stalled = None
                self._end_wait()
                on_ok(result)
                return
            retryable = isinstance(error, ApiError) and error.retryable
            if retry and retryable and self._attempt < len(self.retry_delays):
                delay = self.retry_delays[self._attempt]
                self._attempt += 1
                self.message = self.t("retrying", n=self._attempt)
                self._changed()
                self.scheduler(delay, lambda: flow == self._flow and self._call(
                    job, on_ok, on_error=on_error, retry=retry, resume=resume, on_stall=on_stall))
                return
            self._attempt = 0
            self.busy = False
            if retry and retryable:
                self._stall(resume, on_stall)
            elif on_error is not None:
                on_error(error)
            else:
                self.message = self._error_text(error)
                self._changed()

        # start the I/O first: drawing the screen must not delay the request
        self.runner(job, done)
        if flow == self._flow and self.busy:
            self._changed()

    def _stall(self, resume: Callable[[], Any], on_stall: Callable[[], None] | None) -> None:
        self.stalled = resume
        self._arm_idle()  # a full idle period to read the message and choose
        self.message = self.t("server_down_kept")
        if self.waiting:
            flow = self._flow
            self.message = self.t("waiting_for_server")
            self.scheduler(self.wait_interval, lambda: flow == self._flow and self.waiting and self.retry_now())
        if on_stall is not None:
            on_stall()
        else:
            self._changed()

    def retry_now(self) -> bool:
        """"Coba lagi": run the call that could not reach the server again (the answers,
        and for a ticket the idempotency key, are the same)."""
        if self.busy or self.stalled is None:
            return False
        resume, self.stalled = self.stalled, None
        self.message = ""
        self._arm_idle()
        resume()
        return True

    def wait_for_server(self) -> bool:
        """"Tunggu": keep retrying every ``wait_interval`` seconds for up to
        ``wait_limit`` seconds; the kiosk does not time out meanwhile."""
        if self.busy or self.stalled is None:
            return False
        self.waiting = True
        flow = self._flow
        self._wait_cancel = self.scheduler(self.wait_limit, lambda: flow == self._flow and self._wait_over())
        return self.retry_now()

    def stop_waiting(self) -> bool:
        """Stop the automatic retries (the citizen may still tap "Coba lagi")."""
        if not self.waiting:
            return False
        self._end_wait()
        if self.stalled is not None:
            self.message = self.t("server_down_kept")
        self._arm_idle()
        self._changed()
        return True

    def _wait_over(self) -> None:
        self._end_wait()
        if self.stalled is not None:
            self.message = self.t("server_down_kept")
        self._arm_idle()
        self._changed()

    def _end_wait(self) -> None:
        self.waiting = False
        cancel = getattr(self, "_wait_cancel", None)
        if cancel is not None:
            cancel()
        self._wait_cancel = None

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
            self.office = office
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

    def when_text(self, iso: str | None) -> str:
        """An ``opens_at`` / ``next_opening`` (ISO with offset) as "besok pukul 08:00"; "" for None."""
        if not iso:
            return ""
        moment = datetime.fromisoformat(iso)
        return when(moment, self.now().astimezone(moment.tzinfo), self.lang)

    def hours_text(self) -> str:
        """"Jam layanan: Senin–Kamis 08:00–15:00 · …" from the office's hours ("" until loaded)."""
        hours = self.office.get("opening_hours")
        return self.t("opening_hours", hours=hours_summary(hours, self.lang)) if hours else ""

    def closed_notice(self) -> tuple[str, list[str]] | None:
        """``(title, lines)`` when no service takes a number now (closed hours, a holiday,
        every quota used up): why, and when to come back; None while any service is open
        or the services are not loaded yet."""
        services = self.services
        if not services or any(sv.get("open", True) for sv in services):
            return None
        closed = [sv for sv in services if sv.get("reason") == "closed"]
        pool = closed or services
        times = sorted(sv["opens_at"] for sv in pool if sv.get("opens_at"))
        lines = []
        reason = next((sv.get("closed_reason") for sv in closed if sv.get("closed_reason")), "")
        if reason:
            lines.append(reason)
        if times:
            lines.append(self.t("opens_again" if closed else "come_back", when=self.when_text(times[0])))
        if self.hours_text():
            lines.append(self.hours_text())
        return self.t("all_closed_title" if closed else "all_full_title"), lines

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
