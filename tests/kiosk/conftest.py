"""Fakes for the kiosk controller tests: an API backed by the real domain rules and the
shipped Paser office file (so checklists are the server's), a manual runner, a fake
clock scheduler, and printers from ``printing`` (Dummy, or one that always fails)."""
from __future__ import annotations

import itertools
from datetime import date, datetime, timezone, timedelta
from pathlib import Path

import pytest

from kiosk.api import ApiError
from kiosk.controller import KioskController
from printing.errors import PrinterConnectionRefused
from printing.thermal import DummyPrinter
from queue_server.config import load_office
from queue_server.domain.ikm import ELEMENTS
from queue_server.domain.requirements import build_checklist

REPO = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 23)
WITA = timezone(timedelta(hours=8))



class FakeApi:
    """Same methods as kiosk.api.KioskApi. ``faults[method]`` is a list of exceptions
    raised by the next calls; ``record_then_fail`` makes issue_ticket record the ticket
    and then raise (a timeout after the server committed)."""

    office = None

    def __init__(self):
        self.office_obj = load_office(REPO / "assets" / "offices" / "default.toml")
        self.calls: list[str] = []
        self.faults: dict[str, list[Exception]] = {}
        self.tickets: dict[str, dict] = {}
        self.seq = {}
        self.record_then_fail: list[Exception] = []
        self.closed: set[str] = set()  # quota used up
        #: service code → extra status fields (e.g. reason "closed", opens_at, closed_reason)
        self.status_of: dict[str, dict] = {}
        self.ikm: list[tuple[list[int], str | None]] = []
        self.device_faults: list[tuple] = []
        self.status_answers: dict[str, dict] = {}
        self.check_in_refusals: dict[str, Exception] = {}
        self.booking_answers: dict[str, dict] = {}  # what the citizen answered when booking
        self.notify_phone = False  # the office messages phones ([notifications] with a phone channel)
        self.contacts: list[str] = []  # the contact sent with each issue_ticket call

    def _enter(self, name):
        self.calls.append(name)
        queue = self.faults.get(name)
        if queue:
            raise queue.pop(0)

    def offices(self):
        self._enter("offices")
        o = self.office_obj
        hours = [{"opens": h.opens.strftime("%H:%M"), "closes": h.closes.strftime("%H:%M")} if h.is_open_day
                 else None for h in o.opening_hours]
        return {"offices": [{"code": o.code, "name": o.name, "short_name": o.short_name, "zone": "WITA",
                             "opening_hours": hours,
                             "notifications": {"phone": self.notify_phone, "email": False, "near_ahead": 3}}],
                "default": o.code}

    def services(self, lang="id"):
        self._enter("services")
        out = []
        for sv in self.office_obj.services:
            from queue_server.api.public import _question
            qs = [_question(q, lang) for q in sv.questions]  # the server's own shape
            closed = sv.code in self.closed
            row = {"code": sv.code, "name": sv.name.get(lang), "prefix": sv.prefix, "icon": sv.icon,
                   "questions": qs, "open": not closed, "reason": "quota_used_up" if closed else None,
                   "opens_at": None, "closed_reason": None}
            row.update(self.status_of.get(sv.code, {}))
            out.append(row)
        return {"office": "paser", "services": out}

    def _bools(self, service, answers):
        fixed = dict(answers)
        for q in service.questions:
            if q.kind == "bool" and isinstance(fixed.get(q.key), str):
                fixed[q.key] = fixed[q.key] == "true"
        return fixed

    def requirements(self, service, answers, lang="id", partial=False):
        self._enter("requirements_partial" if partial else "requirements")
        sv = self.office_obj.service(service)
        return {"service": service,
                **build_checklist(sv, self._bools(sv, answers), TODAY, lang=lang, partial=partial).as_dict()}

    def issue_ticket(self, service, answers, priority, idempotency_key, contact="", lang="id"):
        self._enter("issue_ticket")
        self.contacts.append(contact)
        if idempotency_key in self.tickets:
            return {**self.tickets[idempotency_key], "created": False}
        sv = self.office_obj.service(service)
        cl = build_checklist(sv, self._bools(sv, answers), TODAY)
        if not cl.eligible:
            raise ApiError("not_eligible", "Pemohon belum memenuhi syarat layanan ini.", status=422)
        n = self.seq[sv.prefix] = self.seq.get(sv.prefix, 0) + 1
        ticket = {"id": len(self.tickets) + 1, "number": f"{sv.prefix}{n:03d}", "service": service,
                  "service_name": sv.name.id, "service_name_en": sv.name.en, "priority": priority,
                  "issued_at": datetime(2026, 11, 23, 9, 0, tzinfo=WITA).isoformat(), "zone": "WITA",
                  "code": f"KD{n:06d}".replace("0", "Q").replace("1", "R"), "people_ahead": n - 1, "estimated_wait_seconds": (n - 1) * 300,
                  "checklist": cl.as_dict(), "office_name": self.office_obj.name, "created": True,
                  "answers": dict(answers)}
        self.tickets[idempotency_key] = ticket
        if self.record_then_fail:
            raise self.record_then_fail.pop(0)
        return ticket

    def status(self, code, lang="id"):
        self._enter("status")
        if code not in self.status_answers:
            raise ApiError("unknown_code", "Kode tidak ditemukan.", "Code not found.", status=404)
        return self.status_answers[code]

    def check_in(self, code):
        """A booking's check-in: ``check_in_refusals[code]`` (an ApiError) is raised when
        set, otherwise a booked-lane ticket is issued with the booking's service."""
        self._enter("check_in")
        if code in self.check_in_refusals:
            raise self.check_in_refusals[code]
        booking = self.status_answers[code]
        ticket = self.issue_ticket(booking["service"], self.booking_answers.get(code, {}), None, f"booking-{code}")
        return {**ticket, "booked": True}

    def ikm_questions(self, lang="id"):
        self._enter("ikm_questions")
        return {"elements": [{"code": e.code, "name": e.name, "question": e.question_en if lang == "en" else e.question_id,
                              "answers": [{"value": i + 1, "label": a[1] if lang == "en" else a[0]}
                                          for i, a in enumerate(e.answers)]} for e in ELEMENTS]}

    def submit_ikm(self, answers, ticket_code=None):
        self._enter("submit_ikm")
        self.ikm.append((list(answers), ticket_code))
        return {"ok": True}

    def report_fault(self, kind, code, message, ticket=None):
        self._enter("report_fault")
        self.device_faults.append((kind, code, message, ticket))
        return {"ok": True}


class ManualRunner:
    """Jobs wait until ``run()``: lets a test tap while a call is in flight."""

    def __init__(self):
        self.pending = []

    def __call__(self, job, done):
        self.pending.append((job, done))

    def run(self, limit: int = 100):
        n = 0
        while self.pending and n < limit:
            job, done = self.pending.pop(0)
            try:
                result = job()
            except Exception as exc:  # noqa: BLE001
                done(None, exc)
            else:
                done(result, None)
            n += 1
        return n


class FakeClock:
    """A scheduler with manual time: ``advance(seconds)`` fires what is due, in order."""

    def __init__(self):
        self.now = 0.0
        self.timers = []
        self._ids = itertools.count()

    def __call__(self, delay, fn):
        entry = [self.now + delay, next(self._ids), fn, False]
        self.timers.append(entry)

        def cancel():
            entry[3] = True
        return cancel

    def advance(self, seconds):
        end = self.now + seconds
        while True:
            due = sorted((e for e in self.timers if not e[3] and e[0] <= end), key=lambda e: (e[0], e[1]))
            if not due:
                break
            entry = due[0]
            entry[3] = True
            self.now = entry[0]
            entry[2]()
        self.now = end


class FailingPrinter(DummyPrinter):
    """Refuses every job like a network printer that is off."""

    def _deliver(self, data, ops, name):
        raise PrinterConnectionRefused("tcp://127.0.0.1:9: refused")


@pytest.fixture
def api():
    return FakeApi()


@pytest.fixture
def runner():
    return ManualRunner()


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def printer():
    return DummyPrinter(paper=58)


@pytest.fixture
def make_kiosk(api, runner, clock, printer):
    def make(**kw):
        kw.setdefault("printer", printer)
        k = KioskController(api, kw.pop("printer"), runner=runner, scheduler=clock, today=lambda: TODAY,
                            now=lambda: datetime(2026, 11, 23, 16, 0, tzinfo=WITA),
                            idle_timeout=60, confirm_timeout=20, **kw)
        k.start()
        runner.run()
        return k
    return make


@pytest.fixture
def kiosk(make_kiosk):
    return make_kiosk()


@pytest.fixture
def failing_printer():
    return FailingPrinter(paper=58)
