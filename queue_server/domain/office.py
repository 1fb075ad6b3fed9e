"""The office's SOP as data: immutable domain objects built from the office file.

These classes are the contract between the office configuration loader
(``queue_server.config``), the domain rules and the server. They are pure Python
(no Flask, peewee, Kivy or cv2) and frozen, so one loaded office can be shared
between threads.

Units: times of day are ``datetime.time`` in the office's own timezone;
mutu baku durations are minutes (float) as written in the SOP documents, with
``Step.mutu_baku_seconds`` for arithmetic.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from typing import TYPE_CHECKING, Any, Mapping

from client.protocol import (  # noqa: F401  (step effects, re-exported for the server)
    BACK_OFFICE_EFFECTS,
    COUNTER_EFFECTS,
    EFFECT_DISTRIBUTION,
    EFFECT_ONLINE_VERIFICATION,
    EFFECT_CARD_PRINT,
    EFFECT_HANDOVER,
    EFFECT_IKD_ACTIVATION,
    EFFECT_PHOTO,
    EFFECT_REGISTER,
    EFFECT_SIGNATURE,
    EFFECTS,
)

from .roles import ROLES

if TYPE_CHECKING:
    from .notify import NotificationPolicy

#: Step presence: the citizen is at a counter (a called number) or the step is
#: back-office work (a work queue of berkas, no number is called).
PRESENCE_COUNTER = "counter"
PRESENCE_BACK_OFFICE = "back_office"
PRESENCES = (PRESENCE_COUNTER, PRESENCE_BACK_OFFICE)

#: Which applications take a step: every one (``all``), only those opened at a counter
#: (``counter``) or only those made from home (``online``, SOP 001). The workflow's
#: facts carry the application's channel under ``CHANNEL_FACT``.
CHANNEL_ALL = "all"
CHANNEL_COUNTER = "counter"
CHANNEL_ONLINE = "online"
CHANNELS = (CHANNEL_ALL, CHANNEL_COUNTER, CHANNEL_ONLINE)
CHANNEL_FACT = "_channel"

#: Step effects: what a step does besides moving the berkas on. The server and the
#: counter station branch on a step's effect, never on its code, so an office may name
#: its steps as its own SOP does ("cetak_kia", "serah", ...).
#:
#: * ``photo`` — a counter step: the child's photo is taken and stored (KIA variant 2,
#:   SOP 003 row 4); the step cannot be completed before a photo is stored;
#: * ``card_print`` — the card is printed; completing it needs the blank's serial
#:   (``card_serial``) and records a card print (SOP 000 row 5);
#: * ``register`` — the printed card is entered in the Register KIA with the next
#:   number of the office and year (SOP 000 row 6);
#: * ``ikd_activation`` — a counter step recording whether IKD was activated, with a
#:   reason when not (Permendagri 72/2022; SOP 003 row 7);
#: * ``handover`` — a counter step where the document is handed to the citizen with a
#:   receipt (tanda terima; SOP 000 row 7, SOP 004); completed only by a hand-over;
#: * ``online_verification`` — a back-office step, first for applications made from
#:   home: the uploads are checked against SIAK, then accepted or returned to the
#:   citizen with notes (SOP 001 row 2);
#: * ``distribution`` — a back-office step where printed documents are grouped by
#:   pickup office into a distribution batch (SOP 001 row 4, SOP 004).
#: The names are the wire vocabulary of ``client.protocol`` (pure Python, no imports),
#: shared with the clients; re-exported here for the server.

#: Indonesian time zones by their IANA names (UU: WIB/WITA/WIT).
ZONE_ABBREVIATIONS = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}

#: Priority categories (UU 25/2009 Pasal 29; DOMAIN.md "Priority service").
PRIORITY_CATEGORIES = ("lansia", "disabilitas", "ibu_hamil", "ibu_anak", "korban_bencana")


@dataclass(frozen=True)
class Text:
    """A user-facing text in Bahasa Indonesia (default) and English."""

    id: str
    en: str = ""

    def get(self, lang: str = "id") -> str:
        """Return the text in ``lang`` ("id" or "en"), falling back to Indonesian."""
        if lang == "en" and self.en:
            return self.en
        return self.id


@dataclass(frozen=True)
class Condition:
    """``when`` clause of a requirement or step: every named fact must have one of the
    allowed values. An empty condition always matches.

    ``facts`` maps a fact name (an answer key such as ``"reason"`` or a derived fact
    such as ``"kia_variant"``) to the tuple of values that satisfy it.
    """

    facts: tuple[tuple[str, tuple[Any, ...]], ...] = ()

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any] | None) -> "Condition":
        """Build from ``{"kia_variant": 2, "reason": ["hilang", "rusak"]}``."""
        if not mapping:
            return cls()
        items = []
        for key, value in mapping.items():
            values = tuple(value) if isinstance(value, (list, tuple)) else (value,)
            items.append((str(key), values))
        return cls(tuple(items))

    def matches(self, facts: Mapping[str, Any]) -> bool:
        """True when every fact named here is present in ``facts`` with an allowed value."""
        for key, allowed in self.facts:
            if key not in facts or facts[key] not in allowed:
                return False
        return True

    def as_dict(self) -> dict[str, list[Any]]:
        """JSON-friendly form."""
        return {k: list(v) for k, v in self.facts}


@dataclass(frozen=True)
class Choice:
    """One answer of a ``choice`` question."""

    value: str
    label: Text


@dataclass(frozen=True)
class Question:
    """A question the kiosk asks to shape the checklist (DOMAIN.md, issue 4).

    ``kind`` is ``"date"`` (ISO date, e.g. the child's birth date), ``"choice"``
    (one of ``choices``) or ``"bool"``. A bool question with ``eligible_if`` set is an
    eligibility question: any other answer makes the applicant ineligible and
    ``ineligible_message`` says why and what to do instead. ``when`` names derived
    facts only (``age_years``, ``kia_variant`` ...), known once the date is answered;
    a question whose ``when`` does not match is not asked and its answer is ignored.
    """

    key: str
    kind: str
    label: Text
    choices: tuple[Choice, ...] = ()
    required: bool = True
    eligible_if: bool | None = None
    ineligible_message: Text | None = None
    help: Text | None = None
    #: asked only when the derived facts match (e.g. ``age_years`` 10-16 for "ever
    #: married?", Permendagri 2/2016): never put to the parents of a toddler
    when: Condition = field(default_factory=Condition)


@dataclass(frozen=True)
class Requirement:
    """A document the applicant brings (one line of the checklist)."""

    code: str
    label: Text
    when: Condition = field(default_factory=Condition)
    note: Text | None = None


@dataclass(frozen=True)
class Step:
    """One step of a service's SOP workflow with its mutu baku.

    ``role`` is the staff role that performs it (see ``roles.ROLES``); ``presence`` is
    ``"counter"`` (the citizen is called to a loket) or ``"back_office"`` (a work
    queue); ``mutu_baku_minutes`` is the SOP's standard time for the step
    (``None`` where the SOP gives none); ``output`` is the SOP's output column;
    ``source`` names the SOP document and row the step comes from; ``effect`` is one
    of ``EFFECTS`` (what the step does besides moving the berkas on) or None.
    """

    code: str
    name: Text
    role: str
    presence: str
    mutu_baku_minutes: float | None
    output: str = ""
    when: Condition = field(default_factory=Condition)
    source: str = ""
    effect: str | None = None
    #: which applications take the step (``CHANNELS``): all, counter-made or online ones
    channel: str = CHANNEL_ALL

    @property
    def mutu_baku_seconds(self) -> float | None:
        """The mutu baku in seconds, or ``None``."""
        return None if self.mutu_baku_minutes is None else self.mutu_baku_minutes * 60.0

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}")
        if self.presence not in PRESENCES:
            raise ValueError(f"unknown presence {self.presence!r}")
        if self.effect is not None and self.effect not in EFFECTS:
            raise ValueError(f"unknown effect {self.effect!r}")
        if self.effect in COUNTER_EFFECTS and self.presence != PRESENCE_COUNTER:
            raise ValueError(f"effect {self.effect!r} needs a counter step")
        if self.effect in BACK_OFFICE_EFFECTS and self.presence != PRESENCE_BACK_OFFICE:
            raise ValueError(f"effect {self.effect!r} needs a back-office step")
        if self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel!r}")
        if self.effect == EFFECT_ONLINE_VERIFICATION and self.channel != CHANNEL_ONLINE:
            raise ValueError("the online verification step is for online applications (channel 'online')")

    def takes(self, channel: str) -> bool:
        """True when an application of ``channel`` (``counter`` or ``online``) takes this step."""
        return self.channel in (CHANNEL_ALL, channel)


@dataclass(frozen=True)
class BookingPolicy:
    """How a service takes bookings (antrean online, issue 12 item 4).

    ``days_ahead``: bookable from tomorrow up to this many days ahead (calendar days;
    closed days have no slots); ``slot_minutes``: length of a slot, slots start at the
    opening time and end ``slot_minutes`` before closing; ``capacity``: bookings per slot;
    ``walk_in_percent``: share (0..90 %) of the service's ``daily_quota`` kept for
    walk-ins, so bookings of a day stop at ``daily_quota * (100 - percent) // 100`` (no
    cap without a quota); ``check_in_before``/``check_in_after``: minutes before and after the slot's
    start when the kiosk checks the booking in (e.g. 30 and 15: 08:30 slot, 08:00-08:45).
    """

    days_ahead: int = 14
    slot_minutes: int = 30
    capacity: int = 4
    walk_in_percent: int = 50
    check_in_before: int = 30
    check_in_after: int = 15


@dataclass(frozen=True)
class Service:
    """A service the office offers (KIA, KK, IKD, KTP-el print, Akta Kelahiran, ...).

    ``prefix`` is the ticket letter(s); ``daily_quota`` is ``None`` for no quota;
    ``rules`` names built-in domain rules applied to the answers (``"kia"``, ``"ikd"``
    or ``None``); ``pickup`` is True when the service produces a document that is
    handed over later (slip pengambilan), False when finished at the counter.
    """

    code: str
    name: Text
    prefix: str
    questions: tuple[Question, ...] = ()
    requirements: tuple[Requirement, ...] = ()
    steps: tuple[Step, ...] = ()
    daily_quota: int | None = None
    rules: str | None = None
    icon: str = ""
    description: Text | None = None
    pickup: bool = True
    completion_days: int | None = None
    #: bookings (antrean online) for this service; None: walk-in only
    booking: BookingPolicy | None = None
    #: citizens may apply from home with uploads (SOP 001); the service then has an
    #: ``online_verification`` step
    online: bool = False
    #: the office's own wording of a rule's refusal, by its code (e.g.
    #: ``kia_age_17_or_over``): where to go in this office; ``{age}`` is filled in
    refusals: Mapping[str, Text] = field(default_factory=dict)

    def step(self, code: str) -> Step:
        """Return the step named ``code``; raises ``KeyError`` if the service has none."""
        for s in self.steps:
            if s.code == code:
                return s
        raise KeyError(code)

    def step_with(self, effect: str) -> Step | None:
        """The step carrying ``effect`` (one of ``EFFECTS``), or None when none does."""
        return next((s for s in self.steps if s.effect == effect), None)

    def question(self, key: str) -> Question:
        """Return the question ``key``; raises ``KeyError``."""
        for q in self.questions:
            if q.key == key:
                return q
        raise KeyError(key)


@dataclass(frozen=True)
class Counter:
    """A loket: which services and which of their counter steps it serves.

    ``code`` is the counter's identifier in the API (e.g. ``"1"``); ``number`` is what
    the display and the voice call say ("loket tiga"). ``serves`` holds
    ``(service_code, step_code)`` pairs.
    """

    code: str
    number: int
    name: Text
    serves: tuple[tuple[str, str], ...]

    def serves_service(self, service_code: str) -> bool:
        """True when any step of ``service_code`` is served here."""
        return any(s == service_code for s, _ in self.serves)


@dataclass(frozen=True)
class DayHours:
    """Opening hours of one weekday in the office's zone; ``None`` times mean closed."""

    opens: time | None
    closes: time | None

    @property
    def is_open_day(self) -> bool:
        return self.opens is not None and self.closes is not None


@dataclass(frozen=True)
class Kecamatan:
    """A district the office serves (Kemendagri code ``PP.KK.CC`` and name)."""

    code: str
    name: str


@dataclass(frozen=True)
class QueuePolicy:
    """How numbers are called (issue 2 §3-4).

    ``normal_run`` normal tickets are served between priority ones and at most
    ``priority_run`` priority tickets in a row while normal ones wait (so neither queue
    starves); a skipped number may come back after ``skip_return_after`` other calls of
    its service, at most ``max_skips`` times, then it is a no-show. The live dashboard
    raises an alert when someone has waited longer than ``alert_wait_minutes`` for a
    service (a berkas: longer than its step's mutu baku).
    """

    normal_run: int = 2
    priority_run: int = 1
    skip_return_after: int = 3
    max_skips: int = 2
    number_digits: int = 3
    alert_wait_minutes: int = 45
    #: booked tickets (antrean online, checked in at the kiosk) and walk-in tickets of
    #: the normal queue alternate like priority and normal ones: at most ``booked_run``
    #: booked calls in a row while walk-ins wait, ``walk_in_run`` walk-ins between them
    booked_run: int = 1
    walk_in_run: int = 1


@dataclass(frozen=True)
class OnlinePolicy:
    """The office's rules for applications made from home (``[online]``, SOP 001).

    ``upload_max_mb``: the largest upload accepted per document (MB = 10^6 bytes);
    ``max_pdf_pages``: pages of one PDF; ``retention_days``: uploads are deleted this
    many days after the berkas was finished (handed over, returned or cancelled; UU
    27/2022 Pasal 43: personal data kept no longer than needed).
    """

    upload_max_mb: float = 5.0
    max_pdf_pages: int = 20
    retention_days: int = 30

    @property
    def upload_max_bytes(self) -> int:
        """``upload_max_mb`` in bytes."""
        return int(self.upload_max_mb * 1_000_000)

    @property
    def retention_seconds(self) -> float:
        """``retention_days`` in seconds."""
        return self.retention_days * 86400.0


@dataclass(frozen=True)
class Office:
    """One office (the Dinas or a UPTD/kecamatan unit) with its SOP.

    ``timezone`` is an IANA name (``Asia/Jakarta``, ``Asia/Makassar``,
    ``Asia/Jayapura``); ``opening_hours`` has seven entries, Monday first;
    ``parent`` is the code of the Dinas for a UPTD; ``pickup_offices`` lists office
    codes where this office's documents can be handed over.
    """

    code: str
    name: str
    regency: str
    timezone: str
    opening_hours: tuple[DayHours, ...]
    services: tuple[Service, ...]
    counters: tuple[Counter, ...]
    kecamatan: tuple[Kecamatan, ...] = ()
    short_name: str = ""
    address: str = ""
    phone: str = ""
    head_name: str = ""
    head_nip: str = ""
    head_title: str = "Kepala Dinas"
    #: the province the regency belongs to ("Kalimantan Timur"): the card's first line
    #: ("PROVINSI KALIMANTAN TIMUR", Permendagri 2/2016 card layout)
    province: str = ""
    parent: str | None = None
    pickup_offices: tuple[str, ...] = ()
    queue: QueuePolicy = field(default_factory=QueuePolicy)
    running_text: str = ""
    photo_ratio: str = "3x4"
    source_file: str = ""
    #: where citizens complain or give feedback (SOP 004 butir 5: kotak saran, website,
    #: telepon, email), printed on the pickup slip
    complaints: tuple[str, ...] = ()
    #: ISO 3166 country whose public holidays close the office ("" = none); see domain.opening
    public_holidays: str = "ID"
    #: the office's own closed days (cuti bersama, local holidays): ``((date, name), ...)``
    closed_dates: tuple[tuple[date, str], ...] = ()
    #: whether an ``admin`` account may complete a TTE step (effect ``tte``); by default the
    #: signature is the pejabat TTE's own (issue 16 item 17)
    admin_may_sign: bool = False
    #: the address citizens reach this server by (``https://antrean.example.go.id``): the
    #: printed QR codes and ``status_url`` use it; "" = the address the request came by
    public_url: str = ""
    #: whom Loket messages and how (``[notifications]``, issue 14); off by default
    notifications: NotificationPolicy = field(default_factory=lambda: _notification_default())
    #: applications made from home: upload size, retention (``[online]``, issue 13)
    online: OnlinePolicy = field(default_factory=OnlinePolicy)

    @property
    def zone_abbreviation(self) -> str:
        """WIB, WITA or WIT for the office's timezone (the IANA name otherwise)."""
        return ZONE_ABBREVIATIONS.get(self.timezone, self.timezone)

    def service(self, code: str) -> Service:
        """Return the service ``code`` (case-insensitive); raises ``KeyError``."""
        wanted = code.upper()
        for s in self.services:
            if s.code.upper() == wanted:
                return s
        raise KeyError(code)

    def counter(self, code: str) -> Counter:
        """Return the counter ``code``; raises ``KeyError``."""
        for c in self.counters:
            if c.code == str(code):
                return c
        raise KeyError(code)


def _notification_default():
    from .notify import NotificationPolicy
    return NotificationPolicy()
