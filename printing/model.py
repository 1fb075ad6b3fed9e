"""Plain data handed to the printing library.

``printing`` never imports Flask, Kivy or ``queue_server``: the caller copies what a
document needs into these small frozen dataclasses. Units are stated per field:
durations are **seconds** (int/float), dates are ``datetime.date``, instants are
*aware* ``datetime.datetime`` in the office's zone and ``zone`` is its printed
abbreviation (WIB/WITA/WIT, UU: Indonesian time zones). ``lang`` is "id"
(default) or "en".
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Mapping, Sequence

LANGS = ("id", "en")


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")


def _check_aware(name: str, value: datetime | None) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError(f"{name} must be an aware datetime (with tzinfo)")


@dataclass(frozen=True)
class Ticket:
    """A queue ticket (nomor antrean) printed at the kiosk (DOMAIN.md "Announcements and tickets").

    Fields: ``number`` as called, e.g. "A012"; ``issued_at`` aware datetime;
    ``zone`` "WIB"/"WITA"/"WIT"; ``people_ahead`` count of waiting numbers before this
    one; ``estimated_wait_seconds`` seconds or None when unknown; ``checklist`` the
    requirement texts (already in ``lang``) printed with tick boxes; ``status_code`` a
    short code the citizen can type to follow the queue; ``status_url`` the URL put in
    the QR (when empty, the QR holds ``status_code``); ``priority`` the priority
    category's label in ``lang`` (e.g. "Lansia (60+)", UU 25/2009 Pasal 29), printed
    under the number, or "" for the regular queue.

    Raises ValueError for a naive ``issued_at``, negative counts or unknown ``lang``.
    """

    office_name: str
    office_short: str
    service_name: str
    number: str
    issued_at: datetime
    zone: str
    people_ahead: int
    estimated_wait_seconds: int | None = None
    checklist: tuple[str, ...] = ()
    status_code: str = ""
    status_url: str = ""
    lang: str = "id"
    priority: str = ""

    def __post_init__(self) -> None:
        _check_lang(self.lang)
        _check_aware("issued_at", self.issued_at)
        if self.people_ahead < 0:
            raise ValueError("people_ahead must be >= 0")
        if self.estimated_wait_seconds is not None and self.estimated_wait_seconds < 0:
            raise ValueError("estimated_wait_seconds must be >= 0 or None")
        if not self.number:
            raise ValueError("number must not be empty")
        object.__setattr__(self, "checklist", tuple(self.checklist))

    @property
    def qr_payload(self) -> str:
        """What the QR holds: ``status_url`` if set, else ``status_code`` (may be "")."""
        return self.status_url or self.status_code


@dataclass(frozen=True)
class RejectionSlip:
    """Slip given when a berkas is returned as incomplete (SOP 000 row 1: "operator checks,
    returns if incomplete").

    ``missing`` lists missing/invalid requirements (texts in ``lang``); ``notes`` free
    remarks of the officer; ``officer`` the officer's name; ``counter`` the loket name.
    """

    office_name: str
    office_short: str
    service_name: str
    number: str
    issued_at: datetime
    zone: str
    missing: tuple[str, ...]
    officer: str
    counter: str = ""
    notes: str = ""
    lang: str = "id"

    def __post_init__(self) -> None:
        _check_lang(self.lang)
        _check_aware("issued_at", self.issued_at)
        object.__setattr__(self, "missing", tuple(self.missing))


#: Where a pickup happens: a counter of the main office, the office itself, or a
#: kecamatan/UPTD distribution point (SOP 001).
PICKUP_PLACES = ("counter", "office", "kecamatan")


@dataclass(frozen=True)
class PickupSlip:
    """Slip pengambilan (SOP 002 KIA flow "pickup slip"; SOP 001 application code).

    ``application_code`` is printed as text and as QR; ``items`` the documents to
    collect; ``ready_date`` the first day they can be collected; ``place_kind`` one of
    :data:`PICKUP_PLACES` and ``place_name`` e.g. "Loket 5" or "UPTD Kec. Tempeh";
    ``bring`` what to bring on pickup (texts in ``lang``); ``complaints`` where to
    complain or give feedback (SOP 004: kotak saran, website, telepon, email), printed
    at the foot when given.
    """

    office_name: str
    office_short: str
    application_code: str
    applicant_name: str
    items: tuple[str, ...]
    ready_date: date
    place_kind: str
    place_name: str
    issued_at: datetime
    zone: str
    bring: tuple[str, ...] = ()
    status_url: str = ""
    lang: str = "id"
    complaints: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_lang(self.lang)
        _check_aware("issued_at", self.issued_at)
        if self.place_kind not in PICKUP_PLACES:
            raise ValueError(f"place_kind must be one of {PICKUP_PLACES}")
        object.__setattr__(self, "items", tuple(self.items))
        object.__setattr__(self, "bring", tuple(self.bring))
        object.__setattr__(self, "complaints", tuple(self.complaints))

    @property
    def qr_payload(self) -> str:
        """QR content: ``status_url`` if set, else the application code."""
        return self.status_url or self.application_code


@dataclass(frozen=True)
class HandoverReceipt:
    """Tanda terima on hand-over (SOP 000 "hand over (1 min)"; SOP 001 delivery report).

    ``received_by`` is the name exactly as on the receiver's identity document;
    ``relation`` to the applicant (e.g. "Orang tua", "Diri sendiri"); ``officer`` the
    handing officer; ``handed_over_at`` aware datetime.
    """

    office_name: str
    office_short: str
    application_code: str
    document: str
    received_by: str
    relation: str
    officer: str
    handed_over_at: datetime
    zone: str
    applicant_name: str = ""
    lang: str = "id"

    def __post_init__(self) -> None:
        _check_lang(self.lang)
        _check_aware("handed_over_at", self.handed_over_at)


@dataclass(frozen=True)
class IkmInvitation:
    """Invitation to the IKM survey (Permen PANRB 14/2017; SOP 004 "IKM survey").

    ``survey_url`` goes into the QR; ``survey_code`` is printed for typing by hand.
    """

    office_name: str
    office_short: str
    survey_url: str
    survey_code: str = ""
    service_name: str = ""
    lang: str = "id"

    def __post_init__(self) -> None:
        _check_lang(self.lang)
        if not self.survey_url:
            raise ValueError("survey_url must not be empty")


@dataclass(frozen=True)
class KiaCard:
    """Data printed on a KIA (Permendagri 2/2016; DOMAIN.md "KIA").

    ``variant`` 1 (age 0 to under 5, no photo, valid until the 5th birthday) or 2 (age
    5 to under 17, with photo). ``photo_jpeg`` JPEG bytes, required for variant 2 and
    refused for variant 1. ``sex`` "L" (laki-laki) or "P" (perempuan). ``nik`` and
    ``kk_number`` 16 digits. ``valid_until`` the last valid day. ``issue_place`` and
    ``issue_date`` as printed ("PASER, 05-12-2020"). ``head_name``/``head_nip`` of the
    head of office who signs. ``qr_payload`` what the back-side QR holds.
    ``region_header`` e.g. "PROVINSI KALIMANTAN TIMUR\\nKABUPATEN PASER".
    ``specimen`` True prints "CONTOH - TIDAK SAH" across both sides (a preview, or an
    office file whose head of office is still the shipped example).

    Raises ValueError on a bad variant, photo presence not matching the variant, or
    NIK/KK not 16 digits.
    """

    nik: str
    name: str
    sex: str
    birth_place: str
    birth_date: date
    kk_number: str
    head_of_family: str
    birth_certificate_number: str
    religion: str
    nationality: str
    address: str
    variant: int
    valid_until: date
    issuing_office: str
    issue_place: str
    issue_date: date
    head_name: str
    head_nip: str
    qr_payload: str
    photo_jpeg: bytes | None = None
    region_header: str = ""
    head_title: str = "KEPALA DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL"
    specimen: bool = False

    def __post_init__(self) -> None:
        if self.variant not in (1, 2):
            raise ValueError("variant must be 1 or 2 (Permendagri 2/2016)")
        if self.variant == 1 and self.photo_jpeg is not None:
            raise ValueError("KIA variant 1 (age under 5) carries no photo")
        if self.variant == 2 and not self.photo_jpeg:
            raise ValueError("KIA variant 2 (age 5 to under 17) needs photo_jpeg")
        for name in ("nik", "kk_number"):
            value = getattr(self, name)
            if len(value) != 16 or not value.isdigit():
                raise ValueError(f"{name} must be 16 digits")
        if self.sex not in ("L", "P"):
            raise ValueError('sex must be "L" or "P"')


@dataclass(frozen=True)
class RegisterRow:
    """One line of the Register KIA (SOP 000 records: "Register KIA").

    ``no`` running number; ``issued_on`` print date; ``handed_over_on`` None while
    not collected; ``received_by`` name of the person who collected it.
    """

    no: int
    issued_on: date
    application_code: str
    nik: str
    name: str
    sex: str
    birth_place: str
    birth_date: date
    kk_number: str
    variant: int
    kecamatan: str = ""
    handed_over_on: date | None = None
    received_by: str = ""
    note: str = ""


def percentile(samples: Sequence[float], q: float) -> float:
    """Return the ``q``-th percentile (0 < q < 100) of ``samples`` with linear
    interpolation between closest ranks (``statistics.quantiles`` "inclusive").

    A single sample is its own percentile. Raises ValueError on empty input.
    """
    data = sorted(float(x) for x in samples)
    if not data:
        raise ValueError("no samples")
    if len(data) == 1:
        return data[0]
    if not 0 < q < 100:
        raise ValueError("q must be between 0 and 100")
    cuts = statistics.quantiles(data, n=100, method="inclusive")
    return cuts[int(round(q)) - 1]


@dataclass(frozen=True)
class ServiceTimes:
    """Waiting and service time per service, in seconds (p50 = median, p90)."""

    service: str
    count: int
    wait_p50_seconds: float
    wait_p90_seconds: float
    service_p50_seconds: float
    service_p90_seconds: float

    @classmethod
    def from_samples(cls, service: str, wait_seconds: Sequence[float],
                     service_seconds: Sequence[float]) -> "ServiceTimes":
        """Compute the percentiles from raw samples (seconds). Empty samples give 0."""
        def pct(s: Sequence[float], q: float) -> float:
            return percentile(s, q) if s else 0.0
        return cls(service, len(wait_seconds), pct(wait_seconds, 50), pct(wait_seconds, 90),
                   pct(service_seconds, 50), pct(service_seconds, 90))


@dataclass(frozen=True)
class StepLateness:
    """Time a berkas spent in one SOP step versus the step's mutu baku (seconds).

    ``late`` counts berkas whose time exceeded ``mutu_baku_seconds``; ``waiting_now``
    berkas still waiting at that step at the end of the day (where files wait).
    """

    service: str
    step: str
    mutu_baku_seconds: float
    median_seconds: float
    p90_seconds: float
    count: int
    late: int
    waiting_now: int = 0

    @property
    def late_share(self) -> float:
        """Fraction 0..1 of berkas over the mutu baku."""
        return self.late / self.count if self.count else 0.0


@dataclass(frozen=True)
class OfficerStat:
    """Per officer: numbers served and median service time (seconds)."""

    officer: str
    counter: str
    served: int
    median_service_seconds: float


@dataclass(frozen=True)
class DailyRecap:
    """The day's recap for the head of office.

    ``tickets`` maps service name -> {hour 0..23 (office local time) -> tickets
    issued}. ``ikm_score`` is the converted IKM 25..100 (Permen PANRB 14/2017) and
    ``ikm_category`` e.g. "B (Baik)"; both None when there were no answers.
    """

    office_name: str
    day: date
    zone: str
    tickets: Mapping[str, Mapping[int, int]] = field(default_factory=dict)
    times: tuple[ServiceTimes, ...] = ()
    lateness: tuple[StepLateness, ...] = ()
    officers: tuple[OfficerStat, ...] = ()
    no_shows: int = 0
    uncollected: int = 0
    ikm_score: float | None = None
    ikm_category: str | None = None
    ikm_respondents: int = 0

    def tickets_per_hour(self) -> dict[int, int]:
        """Total tickets per hour over all services, hours sorted."""
        total: dict[int, int] = {}
        for per_hour in self.tickets.values():
            for hour, n in per_hour.items():
                total[hour] = total.get(hour, 0) + n
        return dict(sorted(total.items()))

    def tickets_per_service(self) -> dict[str, int]:
        """Total tickets per service."""
        return {s: sum(h.values()) for s, h in self.tickets.items()}

    def worst_step(self) -> StepLateness | None:
        """The step where berkas wait most: highest late share, then most waiting_now,
        then highest median over mutu baku. None without data."""
        if not self.lateness:
            return None
        return max(self.lateness, key=lambda s: (s.late_share, s.waiting_now,
                                                 s.median_seconds - s.mutu_baku_seconds))


@dataclass(frozen=True)
class DistributionRow:
    """One printed card/document awaiting distribution (SOP 001: grouped by the
    applicant's kecamatan and handed to the UPTD head)."""

    kecamatan: str
    application_code: str
    name: str
    nik: str
    document: str
    printed_on: date
    handed_to_uptd_on: date | None = None
    collected: bool = False


@dataclass(frozen=True)
class DistributionRecap:
    """Distribution recap for a date range (SOP 001), rows grouped by kecamatan."""

    office_name: str
    date_from: date
    date_to: date
    rows: tuple[DistributionRow, ...] = ()

    def groups(self) -> list[tuple[str, list[DistributionRow]]]:
        """Rows grouped by kecamatan (sorted by kecamatan, then name)."""
        out: dict[str, list[DistributionRow]] = {}
        for row in sorted(self.rows, key=lambda r: (r.kecamatan.casefold(), r.name.casefold())):
            out.setdefault(row.kecamatan, []).append(row)
        return list(out.items())
