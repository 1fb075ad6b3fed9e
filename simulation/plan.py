"""The plan of a simulated day: what is simulated (:class:`SimConfig`), who comes when
(:func:`plan_visits`, a non-homogeneous Poisson process with a morning peak, seeded) and
what each visit carries (:class:`Visit`, :class:`Application`). Pure Python."""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

#: Passwords of the accounts the simulation creates on its own server.
ADMIN_PASSWORD = "sim-admin-pass"
STAFF_PASSWORD = "sim-petugas-pass"

#: Share of visits per kind (sums to 1). "KK+" is a family visit carrying a KK with KIA
#: for the children and IKD for a parent (SOP 003 rows 1–12).
VISIT_MIX = {"KIA": 0.30, "KK": 0.17, "KK+": 0.08, "IKD": 0.17, "KTPEL": 0.14, "AKTA_LAHIR": 0.14}
PRIORITY_SHARE = 0.08
INCOMPLETE_SHARE = 0.10
NO_SHOW_SHARE = 0.04      # never comes when called: skipped until the server marks no-show
LATE_SHARE = 0.05         # not there at the first call, comes back and is served
IKD_INELIGIBLE_SHARE = 0.2
KTPEL_UNRECORDED_SHARE = 0.05
ARRIVAL_END_BEFORE_CLOSE = 30 * 60
SIGMA = 0.45
MEDIAN_SHARE = 0.55


# --------------------------------------------------------------------------- configuration and plan

@dataclass(frozen=True)
class SimConfig:
    """What to simulate.

    ``visits``: number of arrivals; ``seed``: all random draws; ``speed``: simulated
    seconds per real second; ``day``: a weekday the office is open; ``data_dir``: the
    server's data directory (created); ``out``: cards/, receipts/, reports/ and
    summary.json go here; ``server``: URL of an already running server (then no process
    is started, no kill, and the day is the server's office day; ``admin_password``
    creates the staff accounts there); ``kill_at``: local "HH:MM" to SIGKILL and restart the server;
    ``pickup_delay``: (min, max) simulated seconds between "ready" and the citizen
    coming back for the document; ``office``: office code (default: the server's default);
    ``max_wall_seconds``: real seconds after which an unfinished day is stopped and fails.
    """

    visits: int = 400
    seed: int = 1
    speed: float = 120.0
    day: date = date(2026, 11, 23)
    data_dir: Path = Path("sim-data")
    out: Path = Path("sim-out")
    server: str | None = None
    kill_at: str | None = None
    pickup_delay: tuple[float, float] = (20 * 60, 150 * 60)
    office: str | None = None
    max_wall_seconds: float = 3600.0
    workers: int = 2
    admin_password: str = ADMIN_PASSWORD


@dataclass
class Application:
    """One application a visit carries: ``service``, kiosk/counter ``answers``, the
    applicant (``name``, ``nik``, ``birth_date`` ISO or None) and whether the file is
    ``incomplete`` (one document missing at the check)."""

    service: str
    answers: dict
    name: str
    nik: str = ""
    birth_date: str | None = None
    incomplete: bool = False


@dataclass
class Visit:
    """A citizen's visit: arrives at ``arrival`` (simulated seconds after opening), takes
    a ticket of ``service`` with ``answers`` and ``priority``; ``absent_calls``: calls
    missed before showing up (≥ 3 never shows: a no-show); ``eligible``: the kiosk issues
    a ticket; ``applications`` what is opened at the counter."""

    index: int
    arrival: float
    kind: str
    service: str
    answers: dict
    priority: str | None
    eligible: bool
    absent_calls: int
    applications: list[Application]
    planned_absent: int = 0
    ticket_id: int | None = None
    number: str | None = None
    refused: bool = False


def arrival_rate(minute_of_day: float) -> float:
    """Relative arrival intensity (unitless, peak ≈ 1) at local ``minute_of_day``:
    a base of 0.15, a morning peak centred 09:30 (σ 60 min, covering 08:30–10:30) and a
    smaller afternoon peak centred 13:30 (σ 40 min, height 0.45)."""
    h = minute_of_day / 60.0
    return 0.15 + math.exp(-0.5 * ((h - 9.5) / 1.0) ** 2) + 0.45 * math.exp(-0.5 * ((h - 13.5) / 0.67) ** 2)


def _nik(kec_code: str, birth: date, female: bool, serial: int) -> str:
    region = kec_code.replace(".", "")
    dd = birth.day + (40 if female else 0)
    return f"{region}{dd:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


_NAMES = ["Ahmad", "Siti", "Budi", "Dewi", "Rahmat", "Nur", "Agus", "Fitri", "Hendra", "Wahyuni", "Yusuf", "Aisyah",
          "Rudi", "Lestari", "Fajar", "Intan", "Arif", "Putri", "Dedi", "Rina"]
_FAMILIES = ["Saputra", "Hidayat", "Rahman", "Wijaya", "Kurniawan", "Pratama", "Susanto", "Hasanah", "Syahputra",
             "Nugroho"]


class _People:
    """Draws the people of the day (name, NIK of a kecamatan, birth date) from ``rng``."""

    def __init__(self, rng: random.Random, today: date, kecamatan: list[str]) -> None:
        self.rng, self.today, self.kecamatan = rng, today, kecamatan
        self.serial = iter(range(1, 10000))

    def person(self, min_age: float, max_age: float) -> tuple[str, str, str]:
        """(name, NIK, birth date ISO) of someone aged ``min_age``..``max_age`` years."""
        rng = self.rng
        birth = self.today - timedelta(days=rng.randint(int(min_age * 365.25) + 1, int(max_age * 365.25) - 2))
        female = rng.random() < 0.5
        name = f"{rng.choice(_NAMES)} {rng.choice(_FAMILIES)}"
        return name, _nik(rng.choice(self.kecamatan), birth, female, next(self.serial)), birth.isoformat()

    def kia(self, incomplete: bool) -> Application:
        """A KIA application for a child under 5 (45 %) or 5 to 17."""
        name, nik, birth = self.person(0.2, 4.9) if self.rng.random() < 0.45 else self.person(5.1, 16.8)
        reason = self.rng.choices(["baru", "hilang", "rusak", "pindah_datang"], [0.8, 0.1, 0.05, 0.05])[0]
        # never married: asked from age 10 (Permendagri 2/2016), ignored by the server below that
        return Application("KIA", {"birth_date": birth, "reason": reason, "never_married": True}, name, nik, birth,
                           incomplete)


def _arrival_times(cfg: SimConfig, rng: random.Random, opens: datetime, span: float) -> list[float]:
    """``cfg.visits`` arrival times (seconds after ``opens``, sorted), by thinning against
    :func:`arrival_rate`."""
    open_min = opens.hour * 60 + opens.minute
    lam_max = max(arrival_rate(open_min + m) for m in range(0, int(span / 60) + 1))
    times = []
    while len(times) < cfg.visits:
        t = rng.uniform(0, span)
        if rng.random() * lam_max <= arrival_rate(open_min + t / 60):
            times.append(t)
    return sorted(times)


def _what_they_ask(kind: str, people: _People, incomplete: bool) -> tuple[str, dict, bool, list[Application]]:
    """(service at the kiosk, its answers, eligible, applications) for a visit of ``kind``
    (:data:`VISIT_MIX`)."""
    rng = people.rng
    if kind == "KIA":
        apps = [people.kia(incomplete)] + ([people.kia(False)] if rng.random() < 0.2 else [])
        return "KIA", dict(apps[0].answers), True, apps
    if kind in ("KK", "KK+"):
        reason = rng.choice(["keluarga_baru", "kelahiran", "perubahan_data", "pindah", "hilang_rusak"])
        name, nik, birth = people.person(20, 60)
        apps = [Application("KK", {"reason": reason}, name, nik, birth, incomplete)]
        if kind == "KK+":
            apps += [people.kia(False) for _ in range(rng.randint(1, 2))]
            pn, pnik, pb = people.person(20, 50)
            apps.append(Application("IKD", {"ktp_el_recorded": True, "age17_or_married": True,
                                            "has_device_and_email": True}, pn, pnik, pb))
        return "KK", {"reason": reason}, True, apps
    if kind == "IKD":
        answers = {"ktp_el_recorded": True, "age17_or_married": True, "has_device_and_email": True}
        eligible = True
        if rng.random() < IKD_INELIGIBLE_SHARE:
            answers[rng.choice(list(answers))] = False
            eligible = False
        name, nik, birth = people.person(17.5, 70)
        return "IKD", answers, eligible, [Application("IKD", dict(answers), name, nik, birth)]
    if kind == "KTPEL":
        answers = {"sudah_rekam": rng.random() >= KTPEL_UNRECORDED_SHARE,
                   "reason": rng.choices(["baru", "perubahan", "hilang", "rusak"], [0.6, 0.2, 0.15, 0.05])[0]}
        name, nik, birth = people.person(17.5, 70)
        return "KTPEL", answers, answers["sudah_rekam"], [Application("KTPEL", dict(answers), name, nik, birth,
                                                                        incomplete)]
    answers = {"has_birth_letter": rng.random() < 0.85}
    name, nik, birth = people.person(0.05, 0.9)
    return "AKTA_LAHIR", answers, True, [Application("AKTA_LAHIR", dict(answers), name, "", birth, incomplete)]


def plan_visits(cfg: SimConfig, opens: datetime, closes: datetime, kecamatan: list[str],
                priority_categories: list[str]) -> list[Visit]:
    """The day's visits, sorted by arrival (seconds after ``opens``), all drawn from
    ``random.Random(cfg.seed)``: exactly ``cfg.visits`` arrivals between opening and
    30 minutes before closing, by thinning against :func:`arrival_rate`. Raises
    ``ValueError`` when the opening hours are too short."""
    rng = random.Random(cfg.seed)
    span = (closes - opens).total_seconds() - ARRIVAL_END_BEFORE_CLOSE
    if span <= 0:
        raise ValueError("opening hours too short for a simulated day")
    times = _arrival_times(cfg, rng, opens, span)
    people = _People(rng, opens.date(), kecamatan)
    kinds, weights = list(VISIT_MIX), list(VISIT_MIX.values())
    visits = []
    for i, t in enumerate(times):
        kind = rng.choices(kinds, weights)[0]
        incomplete = rng.random() < INCOMPLETE_SHARE
        priority = rng.choice(priority_categories) if rng.random() < PRIORITY_SHARE else None
        u = rng.random()
        absent = 3 if u < NO_SHOW_SHARE else 1 if u < NO_SHOW_SHARE + LATE_SHARE else 0
        service, answers, eligible, apps = _what_they_ask(kind, people, incomplete)
        visits.append(Visit(i, t, kind, service, answers, priority, eligible, absent, apps, planned_absent=absent))
    return visits
