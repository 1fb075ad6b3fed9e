"""One simulated working day through the real HTTP API of a real server process.

The simulation is a *client*: every action (ticket at the kiosk, call, document check,
photo, SOP step, hand-over, reports) is an HTTP request to ``/api/v1`` of a ``loket
serve`` process running on an accelerated clock (``--clock-start``/``--clock-speed``).
Nothing calls the server's domain code.

Time: all durations here are **simulated seconds** unless a name ends in ``_real``;
one real second is ``speed`` simulated seconds.

Arrivals (:func:`plan_visits`): a non-homogeneous Poisson process over opening hours
with the intensity :func:`arrival_rate` (a morning peak 08:30–10:30, a smaller one after
13:00), conditioned on the requested number of visits: given their count, the arrival
times of such a process are independent draws from the normalised intensity, drawn here
by thinning (accept a uniform time with probability λ(t)/λmax). Seeded.

Service times: lognormal around each SOP step's mutu baku (median 0.55 × mutu baku,
σ = 0.45: the mutu baku is the SOP's ceiling, most files take less, some take longer),
seeded; steps without a mutu baku take a median of 2 minutes.

Crash (``kill_at``): at that simulated time the server process group gets SIGKILL and is
started again with ``--clock-start`` = the last server time seen. Clients wait for
``/health`` and resume from the state the server reports (tickets are retried with
their idempotency key; other actions are never blindly repeated).
"""
from __future__ import annotations

import io
import json
import math
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from client.http import ApiError, Client

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


class ServerDown(Exception):
    """The server did not answer (killed, restarting); the caller re-reads the state."""


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


def plan_visits(cfg: SimConfig, opens: datetime, closes: datetime, kecamatan: list[str],
                priority_categories: list[str]) -> list[Visit]:
    """The day's visits, sorted by arrival (seconds after ``opens``), all drawn from
    ``random.Random(cfg.seed)``: exactly ``cfg.visits`` arrivals between opening and
    30 minutes before closing, by thinning against :func:`arrival_rate`."""
    rng = random.Random(cfg.seed)
    span = (closes - opens).total_seconds() - ARRIVAL_END_BEFORE_CLOSE
    if span <= 0:
        raise ValueError("opening hours too short for a simulated day")
    open_min = opens.hour * 60 + opens.minute
    lam_max = max(arrival_rate(open_min + m) for m in range(0, int(span / 60) + 1))
    times = []
    while len(times) < cfg.visits:
        t = rng.uniform(0, span)
        if rng.random() * lam_max <= arrival_rate(open_min + t / 60):
            times.append(t)
    times.sort()
    today = opens.date()
    kinds, weights = list(VISIT_MIX), list(VISIT_MIX.values())
    serial = iter(range(1, 10000))

    def person(min_age: float, max_age: float) -> tuple[str, str, str]:
        birth = today - timedelta(days=rng.randint(int(min_age * 365.25) + 1, int(max_age * 365.25) - 2))
        female = rng.random() < 0.5
        name = f"{rng.choice(_NAMES)} {rng.choice(_FAMILIES)}"
        return name, _nik(rng.choice(kecamatan), birth, female, next(serial)), birth.isoformat()

    def kia(incomplete: bool) -> Application:
        name, nik, birth = person(0.2, 4.9) if rng.random() < 0.45 else person(5.1, 16.8)
        reason = rng.choices(["baru", "hilang", "rusak", "pindah_datang"], [0.8, 0.1, 0.05, 0.05])[0]
        return Application("KIA", {"birth_date": birth, "reason": reason}, name, nik, birth, incomplete)

    visits = []
    for i, t in enumerate(times):
        kind = rng.choices(kinds, weights)[0]
        incomplete = rng.random() < INCOMPLETE_SHARE
        priority = rng.choice(priority_categories) if rng.random() < PRIORITY_SHARE else None
        u = rng.random()
        absent = 3 if u < NO_SHOW_SHARE else 1 if u < NO_SHOW_SHARE + LATE_SHARE else 0
        eligible = True
        apps: list[Application]
        if kind == "KIA":
            apps = [kia(incomplete)] + ([kia(False)] if rng.random() < 0.2 else [])
            service, answers = "KIA", dict(apps[0].answers)
        elif kind in ("KK", "KK+"):
            reason = rng.choice(["keluarga_baru", "kelahiran", "perubahan_data", "pindah", "hilang_rusak"])
            name, nik, birth = person(20, 60)
            apps = [Application("KK", {"reason": reason}, name, nik, birth, incomplete)]
            if kind == "KK+":
                apps += [kia(False) for _ in range(rng.randint(1, 2))]
                pn, pnik, pb = person(20, 50)
                apps.append(Application("IKD", {"ktp_el_recorded": True, "age17_or_married": True,
                                                "has_device_and_email": True}, pn, pnik, pb))
            service, answers = "KK", {"reason": reason}
        elif kind == "IKD":
            answers = {"ktp_el_recorded": True, "age17_or_married": True, "has_device_and_email": True}
            if rng.random() < IKD_INELIGIBLE_SHARE:
                answers[rng.choice(list(answers))] = False
                eligible = False
            name, nik, birth = person(17.5, 70)
            apps = [Application("IKD", dict(answers), name, nik, birth)]
            service = "IKD"
        elif kind == "KTPEL":
            answers = {"sudah_rekam": rng.random() >= KTPEL_UNRECORDED_SHARE,
                       "reason": rng.choices(["baru", "perubahan", "hilang", "rusak"], [0.6, 0.2, 0.15, 0.05])[0]}
            eligible = answers["sudah_rekam"]
            name, nik, birth = person(17.5, 70)
            apps = [Application("KTPEL", dict(answers), name, nik, birth, incomplete)]
            service = "KTPEL"
        else:
            answers = {"has_birth_letter": rng.random() < 0.85}
            name, nik, birth = person(0.05, 0.9)
            apps = [Application("AKTA_LAHIR", dict(answers), name, "", birth, incomplete)]
            service = "AKTA_LAHIR"
        visits.append(Visit(i, t, kind, service, answers, priority, eligible, absent, apps, planned_absent=absent))
    return visits


# --------------------------------------------------------------------------- HTTP and the server process

class Api:
    """JSON over HTTP to ``base`` (``http://host:port``) through the one client
    (:class:`client.http.Client`, never retrying: the caller decides after
    ``ServerDown``). ``request`` raises ``ServerDown`` when no whole answer came
    (refused, reset, or cut off by a SIGKILL) and :class:`client.http.ApiError` on
    non-2xx answers."""

    def __init__(self, base: str, timeout: float = 20.0):
        self.client = Client(base, timeout=timeout, retries=0)
        self.base = self.client.base_url

    def request(self, method: str, path: str, body: Any = None, token: str | None = None, *,
                raw: bytes | None = None, content_type: str = "application/json", want_bytes: bool = False) -> Any:
        """``method /api/v1{path}`` with ``body`` as JSON (or ``raw`` bytes of
        ``content_type``) and a bearer ``token``; returns the parsed JSON (None when
        empty) or, with ``want_bytes``, the raw answer's bytes."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if raw is not None:
            headers["Content-Type"] = content_type
        try:
            resp = self.client.request(method, path, json=body if raw is None else None, data=raw,
                                       headers=headers, raw=True, retries=0)
            if want_bytes:
                return resp.content
            return resp.json() if resp.content else None
        except ApiError as e:
            if e.status is None:
                raise ServerDown(e.details.get("detail") or e.code) from None
            raise
        except ValueError as e:  # a 2xx body cut off mid-JSON by the same crash
            raise ServerDown(f"truncated answer: {e}") from None

    def wait_healthy(self, timeout_real: float = 60.0) -> dict:
        """Poll ``/api/v1/health`` until it answers; returns it. Raises ``ServerDown``."""
        deadline = time.monotonic() + timeout_real
        while True:
            try:
                return self.request("GET", "/health")
            except (ServerDown, ApiError):
                if time.monotonic() > deadline:
                    raise ServerDown("server not healthy") from None
                time.sleep(0.1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _loket(*args: str, data_dir: Path) -> str:
    cmd = [sys.executable, "-m", "loket.cli", *args, "--data-dir", str(data_dir)]
    return subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=120).stdout


class ServerProcess:
    """A ``loket serve`` process group on 127.0.0.1 with its own data dir and an
    accelerated clock; ``kill()`` is SIGKILL (a crash), ``start(clock_start)`` runs it again."""

    def __init__(self, data_dir: Path, speed: float, workers: int = 2):
        self.data_dir = Path(data_dir).resolve()
        self.speed = speed
        self.workers = workers
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self._log = None

    def init(self) -> None:
        """``loket init`` with a known admin password."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        _loket("init", "--admin-password", ADMIN_PASSWORD, data_dir=self.data_dir)

    def start(self, clock_start: str) -> None:
        """Start serving with the clock at ``clock_start`` (ISO 8601 with offset)."""
        cmd = [sys.executable, "-m", "loket.cli", "serve", "--data-dir", str(self.data_dir), "--host", "127.0.0.1",
               "--port", str(self.port), "--workers", str(self.workers), "--threads", "32", "--ignore-hours",
               "--exit-with-parent", "--clock-start", clock_start, "--clock-speed", str(self.speed)]
        self._log = open(self.data_dir / "server.log", "ab")
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        Api(self.url).wait_healthy(60)

    def kill(self) -> None:
        """SIGKILL the process group (no clean shutdown)."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        if self._log:
            self._log.close()
            self._log = None

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 10 s."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        if self._log:
            self._log.close()
            self._log = None


# --------------------------------------------------------------------------- the day

@dataclass
class DayResult:
    """What :func:`run_day` measured and checked.

    ``ok``: the accounting passed; ``problems``: what failed (empty when ok);
    ``summary``: figures (visits, tickets per service, waits in seconds, lateness,
    wall seconds, reports) as written to ``OUT/summary.json``."""

    ok: bool
    problems: list[str]
    summary: dict = field(default_factory=dict)


class _Day:
    def __init__(self, cfg: SimConfig, api: Api, server: ServerProcess | None, tz: ZoneInfo):
        self.cfg = cfg
        self.api = api
        self.server = server
        self.tz = tz
        self.rng_lock = threading.Lock()
        self.rng = random.Random(cfg.seed + 1)
        self.stop = threading.Event()
        self.arrivals_done = threading.Event()
        self.counters_done = threading.Event()
        self.lock = threading.Lock()
        self.tokens: dict[str, str] = {}
        self.mutu_baku: dict[tuple[str, str], float | None] = {}
        self.by_ticket: dict[int, Visit] = {}
        self.cards: dict[int, tuple[str, str]] = {}      # app id -> (serial, pdf path)
        self.receipts: dict[int, str] = {}               # app id -> png path
        self.ready_seen: dict[int, float] = {}           # app id -> sim time first seen ready
        self.errors: list[str] = []
        self.restarts = 0
        self.last_server_time = 0.0
        self.idle: dict[str, bool] = {}
        self.archived: set[int] = set()
        self.dist_done = threading.Event()
        self.back_threads: list[threading.Thread] = []
        self._sync(api.wait_healthy())

    # ---- clock
    def _sync(self, health: dict) -> None:
        with self.lock:
            self.sim0 = float(health["time"])
            self.real0 = time.monotonic()
            self.last_server_time = max(self.last_server_time, self.sim0)

    def now(self) -> float:
        """Estimated server time (epoch seconds, simulated)."""
        return self.sim0 + (time.monotonic() - self.real0) * self.cfg.speed

    def sleep_sim(self, seconds: float) -> None:
        self.stop.wait(max(0.0, seconds) / self.cfg.speed)

    def draw(self, service: str, step: str) -> float:
        mb = self.mutu_baku.get((service, step))
        median = MEDIAN_SHARE * mb if mb else 120.0
        with self.rng_lock:
            return median * math.exp(self.rng.gauss(0, SIGMA))

    def call(self, method: str, path: str, body: Any = None, role: str = "", **kw) -> Any:
        """One request as ``role``'s token; a ``ServerDown`` waits for the server and is
        re-raised; an expired session logs in again and repeats the request once."""
        try:
            try:
                return self.api.request(method, path, body, self.tokens.get(role), **kw)
            except ApiError as e:
                if e.status != 401 or role == "kiosk":
                    raise
                self.tokens[role] = _login(self.api, role, STAFF_PASSWORD)
                return self.api.request(method, path, body, self.tokens.get(role), **kw)
        except ServerDown:
            self.wait_up()
            raise

    def wait_up(self) -> None:
        while not self.stop.is_set():
            try:
                self._sync(self.api.wait_healthy(5))
                return
            except ServerDown:
                continue

    def note(self, msg: str) -> None:
        with self.lock:
            self.errors.append(msg)


def _login(api: Api, username: str, password: str) -> str:
    return api.request("POST", "/auth/login", {"username": username, "password": password})["token"]


def _setup_accounts(day: _Day) -> None:
    api = day.api
    admin = _login(api, "admin", day.cfg.admin_password)
    accounts = {f"op{n}": "operator" for n in (1, 2, 3, 4)}
    accounts.update({u: r for u, r in BACK_OFFICE_ROLES.items()})
    accounts.update({"distribusi": "petugas_distribusi", "kepala": "kepala"})
    existing = {s["username"] for s in api.request("GET", "/staff", token=admin)["staff"]}
    for user, role in accounts.items():
        if user not in existing:
            api.request("POST", "/staff", {"username": user, "role": role, "password": STAFF_PASSWORD,
                                                  "full_name": f"Petugas {user}"}, admin)
        day.tokens[user] = _login(api, user, STAFF_PASSWORD)
    day.tokens["kiosk"] = api.request("POST", "/devices", {"role": "kiosk", "name": "kios-simulasi"},
                                      admin)["token"]


# ---- kiosk

def _kiosk(day: _Day, visits: list[Visit], opens_epoch: float) -> None:
    for v in visits:
        while not day.stop.is_set() and day.now() < opens_epoch + v.arrival:
            day.stop.wait(min(0.05, max(0.0, (opens_epoch + v.arrival - day.now()) / day.cfg.speed)))
        if day.stop.is_set():
            return
        body = {"service": v.service, "answers": v.answers, "priority": v.priority,
                "idempotency_key": f"sim-{day.cfg.seed}-{v.index}"}
        while not day.stop.is_set():
            try:
                t = day.call("POST", "/tickets", body, "kiosk")
                v.ticket_id, v.number = t["id"], t["number"]
                with day.lock:
                    day.by_ticket[t["id"]] = v
                break
            except ServerDown:
                continue
            except ApiError as e:
                if e.code == "not_eligible":
                    v.refused = True
                else:
                    day.note(f"kiosk visit {v.index}: {e}")
                break
    day.arrivals_done.set()


# ---- counters

_PHOTO: bytes | None = None


def _photo() -> bytes:
    """A 4x6 portrait JPEG cut from scikit-image's astronaut sample."""
    global _PHOTO
    if _PHOTO is None:
        from PIL import Image
        from skimage import data
        img = Image.fromarray(data.astronaut())
        img = img.crop((96, 0, 96 + 320, 480)).resize((400, 600))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=85)
        _PHOTO = buf.getvalue()
    return _PHOTO


def _my_current(day: _Day, counter: str, role: str) -> dict | None:
    q = day.call("GET", "/queue", role=role)
    for c in q["counters"]:
        if c["code"] == counter:
            return c["current"]
    return None


def _serve(day: _Day, counter: str, user: str, ticket_id: int) -> None:
    """Serve the called ticket from whatever state the server holds (idempotent)."""
    deadline = time.monotonic() + 30
    while (v := day.by_ticket.get(ticket_id)) is None:  # the kiosk is still reading its answer
        if time.monotonic() > deadline:
            day.note(f"counter {counter}: ticket {ticket_id} unknown to the kiosk")
            day.call("POST", f"/counters/{counter}/finish", {"ticket": ticket_id}, user)
            return
        time.sleep(0.02)
    t = day.call("GET", f"/tickets/{ticket_id}", role=user)
    if v.absent_calls > 0:
        day.sleep_sim(60)  # the officer waits a minute for the citizen
        v.absent_calls -= 1
        day.call("POST", f"/counters/{counter}/skip", {"ticket": ticket_id}, user)
        return
    have = t["applications"]
    for i, plan in enumerate(v.applications):
        if i < len(have):
            app = have[i]
        else:
            day.sleep_sim(15)
            applicant = {"name": plan.name, "nik": plan.nik, "birth_date": plan.birth_date,
                         "phone": "0812" + f"{ticket_id:04d}{i:04d}"}
            app = day.call("POST", f"/tickets/{ticket_id}/applications",
                           {"service": plan.service, "answers": plan.answers, "applicant": applicant}, user)
        _drive_counter_steps(day, user, app["id"], plan)
    day.call("POST", f"/counters/{counter}/finish", {"ticket": ticket_id}, user)


def _drive_counter_steps(day: _Day, user: str, app_id: int, plan: Application) -> None:
    while True:
        app = day.call("GET", f"/applications/{app_id}", role=user)
        if app["state"] != "at_step":
            return
        step = app["step"]
        service = app["service"]
        first = len(app["kartu_kendali"]) == 1
        if not first and step not in COUNTER_STEPS:
            return  # left the counter (back office, pickup)
        day.sleep_sim(day.draw(service, step))
        if first:
            items = [i["code"] for i in app["checklist"]["items"]]
            present = items[:-1] if plan.incomplete and items else items
            siak = f"SIAK-{app['code']}" if service == "KK" else None
            day.call("POST", f"/applications/{app_id}/verify", {"present": present, "siak_reference": siak},
                     user)
            continue
        if step == "foto":
            day.call("PUT", f"/applications/{app_id}/photo", role=user, raw=_photo(), content_type="image/jpeg")
        body: dict = {"outcome": "done"}
        if service == "IKD" and step == "aktivasi":
            body["ikd_activated"] = True
        day.call("POST", f"/applications/{app_id}/steps/{step}/complete", body, user)


#: Counter steps after the document check that the serving operator completes
#: (KIA photo SOP 003 row 4, KK SIAK entry SOP 003 row 3, IKD activation SOP 003 row 7).
COUNTER_STEPS = {"foto", "entri_siak", "aktivasi"}


def _counter(day: _Day, counter: str, user: str) -> None:
    idle_since = None
    while not day.stop.is_set():
        if datetime.fromtimestamp(day.now(), day.tz).date() != day.cfg.day:
            day.note(f"counter {counter}: the office day ended (midnight) with visits still open")
            return
        try:
            cur = _my_current(day, counter, user)
            if cur is not None:
                _serve(day, counter, user, cur["id"])
                continue
            called = day.call("POST", f"/counters/{counter}/call-next", {"ticket": None}, user)
        except ServerDown:
            continue
        except ApiError as e:
            day.note(f"counter {counter}: {e}")
            day.sleep_sim(30)
            continue
        if called is None:
            if day.arrivals_done.is_set():
                idle_since = idle_since or time.monotonic()
                if time.monotonic() - idle_since > 1.0:
                    return
            day.sleep_sim(20)
            continue
        idle_since = None


# ---- back office

#: Back-office officers (one thread each) and the steps they work, oldest file first.
BACK_OFFICE = {
    "verifikator1": ["verifikasi"], "verifikator2": ["verifikasi"], "tte": ["tte"], "op_scan": ["scan"],
    "cetak1": ["cetak", "register", "arsip"], "cetak2": ["cetak", "register", "arsip"],
    "cetak3": ["arsip", "register", "cetak"],
}
BACK_OFFICE_ROLES = {"verifikator1": "verifikator", "verifikator2": "verifikator", "tte": "pejabat_tte",
                     "op_scan": "operator", "cetak1": "petugas_cetak", "cetak2": "petugas_cetak",
                     "cetak3": "petugas_cetak"}


def _render_card(day: _Day, user: str, app: dict, serial: str) -> str:
    from printing.card import CardOutput, render_card
    from printing.model import KiaCard

    facts = app["checklist"]["facts"]
    variant = int(facts.get("kia_variant") or 1)
    photo = day.call("GET", f"/applications/{app['id']}/photo", role=user, want_bytes=True) \
        if app["has_photo"] and variant == 2 else None
    issued = datetime.fromtimestamp(day.now(), day.tz).date()
    nik = app["applicant"]["nik"]
    head = app["applicant"]["name"].split()[-1].upper()
    card = KiaCard(
        nik=nik, name=app["applicant"]["name"].upper(), sex=(app.get("nik_check") or {}).get("sex") or "L",
        birth_place="TANAH GROGOT", birth_date=date.fromisoformat(app["applicant"]["birth_date"]),
        kk_number="6401" + nik[4:6] + f"{app['id']:010d}", head_of_family=f"BAPAK {head}",
        birth_certificate_number=f"6401-LT-{app['id']:06d}", religion="ISLAM", nationality="WNI",
        address="JL. KUSUMA BANGSA, TANAH GROGOT", variant=variant,
        valid_until=date.fromisoformat(facts["valid_until"]) if facts.get("valid_until") else issued,
        issuing_office="DISDUKCAPIL PASER", issue_place="PASER", issue_date=issued,
        head_name="CONTOH - NAMA KEPALA DINAS", head_nip="", qr_payload=f"KIA:{nik}:{issued.isoformat()}",
        photo_jpeg=photo if variant == 2 else None, region_header="PROVINSI KALIMANTAN TIMUR\nKABUPATEN PASER")
    out = CardOutput(f"spool://{(day.cfg.out / 'cards').resolve()}")
    return out.deliver(render_card(card), f"KIA-{app['code']}-{serial}")


def _archived(day: _Day, user: str, app_id: int) -> bool:
    """Whether the KK's archive step (SOP 003 row 12) already ended. The server's work
    queue keeps listing a handed-over KK at 'arsip' after the step ended (state and step
    stay ``handed_over``/``arsip``), so the kartu kendali decides."""
    app = day.call("GET", f"/applications/{app_id}", role=user)
    done = any(r["step"] == "arsip" and r["ended_at"] for r in app["kartu_kendali"])
    if done:
        with day.lock:
            day.archived.add(app_id)
    return done


def _back_office(day: _Day, user: str, steps: list[str]) -> None:
    idle_rounds = 0
    while not day.stop.is_set():
        worked = False
        try:
            for step in steps:
                for item in day.call("GET", f"/work-queue/{step}", role=user)["items"]:
                    if item["taken_by"] not in (None, user) or item["id"] in day.archived:
                        continue
                    if step == "arsip" and _archived(day, user, item["id"]):
                        continue
                    day.idle[user] = False
                    try:
                        day.call("POST", f"/applications/{item['id']}/steps/{step}/start", role=user)
                    except ApiError as e:
                        if e.status == 409:
                            continue
                        raise
                    day.sleep_sim(day.draw(item["service"], step))
                    body: dict = {"outcome": "done"}
                    if step == "cetak":
                        app = day.call("GET", f"/applications/{item['id']}", role=user)
                        serial = f"BLK{item['id']:07d}"
                        if item["service"] == "KIA":
                            path = _render_card(day, user, app, serial)
                            with day.lock:
                                day.cards[item["id"]] = (serial, path)
                        body["card_serial"] = serial
                    try:
                        day.call("POST", f"/applications/{item['id']}/steps/{step}/complete", body, user)
                    except ApiError as e:
                        if e.status != 409:
                            raise
                    worked = True
                    break
        except ServerDown:
            continue
        except ApiError as e:
            day.note(f"{user}: {e}")
        day.idle[user] = not worked
        if worked:
            idle_rounds = 0
            continue
        if day.dist_done.is_set():
            idle_rounds += 1
            if idle_rounds > 2:
                return
        day.sleep_sim(30)


# ---- distribution

def _collector(item: dict) -> tuple[str, str]:
    """Who collects a document and their relation: a parent for a child's KIA or birth
    certificate (same family name), otherwise the applicant."""
    name = item["applicant_name"] or "Pemohon"
    if item["service"] in ("KIA", "AKTA_LAHIR"):
        return f"{_NAMES[item['id'] % len(_NAMES)]} {name.split()[-1]}", "Orang tua"
    return name, "Diri sendiri"


def _distribution(day: _Day) -> None:
    from printing.model import HandoverReceipt
    from printing.uri import open_printer

    user = "distribusi"
    printer = open_printer(f"preview://{(day.cfg.out / 'receipts').resolve()}")
    offices = day.api.request("GET", "/offices")
    office = next(o for o in offices["offices"] if o["code"] == (day.cfg.office or offices["default"]))
    lo, hi = day.cfg.pickup_delay
    idle_rounds = 0
    while not day.stop.is_set():
        end_of_day = day.counters_done.is_set()
        try:
            items = day.call("GET", "/uncollected", role=user)["items"]
        except ServerDown:
            continue
        except ApiError as e:
            day.note(f"distribution: {e}")
            day.sleep_sim(60)
            continue
        handed = False
        for it in items:
            with day.lock:
                if it["id"] not in day.ready_seen:
                    with day.rng_lock:
                        day.ready_seen[it["id"]] = day.now() + day.rng.uniform(lo, hi)
                due = day.ready_seen[it["id"]]
            if not end_of_day and day.now() < due:
                continue
            try:
                day.sleep_sim(day.draw(it["service"], "penyerahan"))
                who, relation = _collector(it)
                app = day.call("POST", f"/applications/{it['id']}/handover",
                               {"received_by": who, "relation": relation, "identity_checked": True}, user)
            except ServerDown:
                break
            except ApiError as e:
                if e.status != 409:
                    day.note(f"handover {it['code']}: {e}")
                continue
            receipt = HandoverReceipt(office["name"], office["short_name"], app["code"], app["service_name"], who,
                                      relation, "Petugas distribusi",
                                      datetime.fromtimestamp(day.now(), day.tz), office["zone"],
                                      app["applicant"]["name"] or "")
            res = printer.print_handover(receipt)
            with day.lock:
                day.receipts[it["id"]] = str(res.path)
            handed = True
        if handed:
            idle_rounds = 0
            continue
        if end_of_day and not items and all(day.idle.get(u, False) for u in BACK_OFFICE):
            idle_rounds += 1
            if idle_rounds > 3:
                day.dist_done.set()
                return
        else:
            idle_rounds = 0
        day.sleep_sim(60)


# ---- crash


def _guarded(day: "_Day", name: str, run):
    """A thread body that, on an unexpected exception, records it as a problem and
    stops the day (the accounting then fails) instead of dying silently while the
    other officers wait for work that never comes."""
    def guarded():
        try:
            run()
        except Exception as e:  # noqa: BLE001 - reported, not hidden
            import traceback
            day.errors.append(f"{name} stopped: {type(e).__name__}: {e}")
            traceback.print_exc()
            day.stop.set()
    return guarded


def _killer(day: _Day, kill_epoch: float) -> None:
    while not day.stop.is_set() and day.now() < kill_epoch:
        day.stop.wait(0.05)
    if day.stop.is_set() or day.server is None:
        return
    try:
        day._sync(day.api.request("GET", "/health"))
    except (ServerDown, ApiError):
        pass
    day.server.kill()
    resume = datetime.fromtimestamp(day.last_server_time, day.tz).isoformat()
    day.server.start(resume)
    day.restarts += 1
    day._sync(day.api.wait_healthy())


# --------------------------------------------------------------------------- accounting

def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    k = (len(s) - 1) * q
    lo, hi = math.floor(k), math.ceil(k)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def _account(day: _Day, visits: list[Visit], services: dict[str, list[str]]) -> tuple[list[str], dict]:
    problems: list[str] = []
    user = "kepala"
    issued = [v for v in visits if v.ticket_id is not None]
    refused = [v for v in visits if v.refused]
    lost = [v for v in visits if v.ticket_id is None and not v.refused]
    if lost:
        problems.append(f"{len(lost)} visits got no ticket and no refusal")
    numbers = [v.number for v in issued]
    if len(set(numbers)) != len(numbers):
        problems.append("a ticket number was issued twice")
    statuses: dict[str, int] = {}
    waits: dict[str, list[float]] = {}
    per_service: dict[str, int] = {}
    apps: list[dict] = []
    for v in issued:
        t = day.call("GET", f"/tickets/{v.ticket_id}", role="op1")
        statuses[t["status"]] = statuses.get(t["status"], 0) + 1
        per_service[t["service"]] = per_service.get(t["service"], 0) + 1
        if t["status"] not in ("done", "no_show"):
            problems.append(f"ticket {t['number']} left {t['status']}")
        if t["status"] == "done" and t["called_at"]:
            w = (datetime.fromisoformat(t["called_at"]) - datetime.fromisoformat(t["issued_at"])).total_seconds()
            waits.setdefault(t["service"], []).append(w)
        if t["status"] == "done" and len(t["applications"]) != len(v.applications):
            problems.append(f"ticket {t['number']}: {len(t['applications'])} applications, "
                            f"{len(v.applications)} expected")
        if t["status"] == "no_show" and v.planned_absent < 3:
            problems.append(f"ticket {t['number']} no-show though the citizen came")
        apps += t["applications"]
    late: dict[str, int] = {}
    states: dict[str, int] = {}
    for a in apps:
        full = day.call("GET", f"/applications/{a['id']}", role=user)
        states[full["state"]] = states.get(full["state"], 0) + 1
        if full["state"] not in ("handed_over", "returned"):
            problems.append(f"application {full['code']} ({full['service']}) left {full['state']} at {full['step']}")
        rows = full["kartu_kendali"]
        if any(r["ended_at"] is None for r in rows):
            problems.append(f"kartu kendali of {full['code']} has an open row")
        order = services[full["service"]]
        idx = [order.index(r["step"]) for r in rows]
        if idx != sorted(idx) or len(set(idx)) != len(idx):
            problems.append(f"kartu kendali of {full['code']} out of SOP order: {[r['step'] for r in rows]}")
        if full["state"] == "handed_over" and full["service"] != "IKD":
            if not any(r["step"] == "penyerahan" for r in rows):
                problems.append(f"{full['code']} handed over without a penyerahan row")
            if full["id"] not in day.receipts or not Path(day.receipts[full["id"]]).exists():
                problems.append(f"{full['code']}: no hand-over receipt")
        if full["service"] == "KIA" and full["state"] == "handed_over":
            card = day.cards.get(full["id"])
            if card is None or not Path(card[1]).exists() or card[0] != full["card_serial"]:
                problems.append(f"KIA {full['code']}: no card PDF with serial {full['card_serial']}")
        for r in rows:
            if r["late"]:
                key = f"{full['service']}:{r['step']}"
                late[key] = late.get(key, 0) + 1
    # The pickup row runs from "ready" until the citizen comes back: its lateness is the
    # citizen's, not the office's, so the office's worst step is chosen without it.
    office_late = {k: n for k, n in late.items() if not k.endswith(":penyerahan")}
    worst = max(office_late.items(), key=lambda kv: kv[1]) if office_late else None
    summary = {
        "visits": len(visits), "tickets": len(issued), "refused_at_kiosk": len(refused),
        "tickets_per_service": dict(sorted(per_service.items())), "ticket_status": statuses,
        "applications": len(apps), "application_states": states, "cards_printed": len(day.cards),
        "receipts": len(day.receipts),
        "wait_minutes": {s: {"mean": round(statistics.fmean(w) / 60, 1), "p90": round(_percentile(w, 0.9) / 60, 1),
                             "n": len(w)} for s, w in sorted(waits.items())},
        "late_rows_per_step": dict(sorted(late.items(), key=lambda kv: -kv[1])),
        "most_late_step": None if worst is None else {"step": worst[0], "late_rows": worst[1]},
    }
    return problems, summary


def _reports(day: _Day) -> dict:
    """The day's reports through the API (``/reports/daily`` PDF and XLSX,
    ``/reports/staffing``) saved in OUT/reports. An endpoint the server does not have
    yet (404 without a JSON error body naming a domain error) is reported as missing."""
    folder = day.cfg.out / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    d = day.cfg.day.isoformat()
    out: dict[str, Any] = {}
    for name, path, binary in (("daily_json", f"/reports/daily?date={d}&format=json", False),
                               ("daily_pdf", f"/reports/daily?date={d}&format=pdf", True),
                               ("daily_xlsx", f"/reports/daily?date={d}&format=xlsx", True),
                               ("staffing", f"/reports/staffing?date={d}&target_wait_minutes=15", False)):
        try:
            data = day.call("GET", path, role="kepala", want_bytes=True)
        except ApiError as e:
            out[name] = {"status": e.status, "error": e.code or "not_available"}
            continue
        ext = {"daily_pdf": "pdf", "daily_xlsx": "xlsx"}.get(name, "json")
        target = folder / f"{name}-{d}.{ext}"
        target.write_bytes(data)
        out[name] = {"file": str(target), "bytes": len(data)}
        if not binary:
            out[name]["answer"] = json.loads(data)
    return out


def _valid_report(name: str, info: dict) -> bool:
    if "file" not in info:
        return False
    head = Path(info["file"]).read_bytes()[:4]
    return {"daily_pdf": head == b"%PDF", "daily_xlsx": head == b"PK\x03\x04"}.get(name, True)


# --------------------------------------------------------------------------- entry point

def _office_hours(office_code: str | None, day: date):
    from queue_server.config import default_office_dir, load_offices
    offices = load_offices(default_office_dir())
    office = next((o for o in offices if o.code == office_code), offices[0]) if office_code else \
        next(o for o in offices if o.parent is None)
    hours = office.opening_hours[day.weekday()]
    if not hours.is_open_day:
        raise ValueError(f"{office.code} is closed on {day.isoformat()}; choose a weekday")
    tz = ZoneInfo(office.timezone)
    return (office, datetime.combine(day, hours.opens, tz), datetime.combine(day, hours.closes, tz), tz)


def _progress(day: _Day, threads: list[threading.Thread], log) -> None:
    busy = [t.name for t in threads if t.is_alive()]
    log(f"  {datetime.fromtimestamp(day.now(), day.tz):%H:%M} tiket {len(day.by_ticket)}, KIA dicetak "
        f"{len(day.cards)}, diserahkan {len(day.receipts)}; aktif: {', '.join(busy)}"
        + (f"; masalah {len(day.errors)}: {day.errors[-1][:300]}" if day.errors else ""))


def run_day(cfg: SimConfig, log=print) -> DayResult:
    """Run the simulated day of ``cfg`` and account for it.

    Starts a server (unless ``cfg.server``), creates the staff accounts and a kiosk
    token, runs the kiosk, counters 1–4, distribution (counter 5) and back-office
    threads until every arrival is served and every document handed over, kills and
    restarts the server at ``cfg.kill_at``, then checks every ticket, application,
    kartu kendali, card and receipt and fetches the reports. Writes
    ``cfg.out/summary.json``. Raises ``ValueError`` for a closed day or bad ``kill_at``.
    """
    wall0 = time.monotonic()
    if cfg.server:
        cfg = replace(cfg, day=date.fromisoformat(Api(cfg.server).wait_healthy(30)["office_day"]))
    office, opens, closes, tz = _office_hours(cfg.office, cfg.day)
    cfg.out.mkdir(parents=True, exist_ok=True)
    kill_epoch = None
    if cfg.kill_at:
        hh, mm = (int(x) for x in cfg.kill_at.split(":"))
        kill_epoch = datetime.combine(cfg.day, datetime.min.time().replace(hour=hh, minute=mm), tz).timestamp()
    server = None
    if cfg.server:
        api = Api(cfg.server)
    else:
        server = ServerProcess(cfg.data_dir, cfg.speed, cfg.workers)
        server.init()
        server.start(opens.isoformat())
        api = Api(server.url)
    try:
        day = _Day(cfg, api, server, tz)
        day.back_threads = []
        _setup_accounts(day)
        svc = api.request("GET", "/services", token=day.tokens["op1"])
        steps = {s["code"]: [st["code"] for st in s["steps"]] for s in svc["services"]}
        for s in svc["services"]:
            for st in s["steps"]:
                day.mutu_baku[(s["code"], st["code"])] = (st["mutu_baku_minutes"] * 60
                                                          if st["mutu_baku_minutes"] else None)
        kec = [k.code for k in office.kecamatan] or ["64.01.04"]
        visits = plan_visits(cfg, opens, closes, kec, [c["code"] for c in svc["priority_categories"]])
        log(f"Simulasi {cfg.day.isoformat()}: {len(visits)} kunjungan, kecepatan ×{cfg.speed:g}, server {api.base}")
        start_epoch = max(day.now(), opens.timestamp())
        threads = [threading.Thread(target=_kiosk, args=(day, visits, start_epoch), name="kiosk")]
        counters = [threading.Thread(target=_counter, args=(day, str(n), f"op{n}"), name=f"loket{n}")
                    for n in (1, 2, 3, 4)]
        day.back_threads = [threading.Thread(target=_back_office, args=(day, u, s), name=u)
                            for u, s in BACK_OFFICE.items()]
        dist = threading.Thread(target=_distribution, args=(day,), name="distribusi")
        if kill_epoch is not None and server is not None:
            threads.append(threading.Thread(target=_killer, args=(day, kill_epoch), name="killer"))
        everyone = threads + counters + day.back_threads + [dist]
        for t in everyone:
            t.daemon = True
            t.run = _guarded(day, t.name, t.run)
            t.start()
        next_log = time.monotonic() + 10
        deadline = time.monotonic() + cfg.max_wall_seconds

        def wait_for(group: list[threading.Thread]) -> None:
            nonlocal next_log
            for t in group:
                while t.is_alive() and not day.stop.is_set():
                    t.join(timeout=0.5)
                    if time.monotonic() > next_log:
                        next_log += 10
                        _progress(day, everyone, log)
                    if time.monotonic() > deadline:
                        day.errors.append(f"the day did not finish within {cfg.max_wall_seconds:g} s (real time)")
                        day.stop.set()

        wait_for(counters)
        day.counters_done.set()
        wait_for(day.back_threads + [dist])
        day.stop.set()
        for t in everyone:
            t.join(timeout=30)
        sim_end = day.now()
        problems, summary = _account(day, visits, steps)
        problems += day.errors
        if kill_epoch is not None and server is not None and day.restarts != 1:
            problems.append(f"server restarted {day.restarts} times, expected 1")
        reports = _reports(day)
        for name, info in reports.items():
            if "file" in info and not _valid_report(name, info):
                problems.append(f"report {name} is not a valid file")
            elif "file" not in info and info.get("status") != 404:
                problems.append(f"report {name}: HTTP {info.get('status')} {info.get('error')}")
        daily = (reports.get("daily_json") or {}).get("answer")
        if daily is not None:
            if daily["tickets"]["total"] != summary["tickets"] or \
                    daily["tickets"]["per_service"] != summary["tickets_per_service"]:
                problems.append(f"daily report counts {daily['tickets']} differ from the simulation's "
                                f"{summary['tickets_per_service']}")
            summary["report_latest_step"] = daily.get("latest_step")
        staffing = (reports.get("staffing") or {}).get("answer")
        if staffing is not None:
            summary["staffing_peak_counters"] = {x["service"]: x["peak_counters"] for x in staffing["services"]}
        summary.update({"date": cfg.day.isoformat(), "seed": cfg.seed, "speed": cfg.speed,
                        "server_restarts": day.restarts, "kill_at": cfg.kill_at,
                        "simulated_end": datetime.fromtimestamp(sim_end, tz).strftime("%H:%M"),
                        "wall_seconds": round(time.monotonic() - wall0, 1), "reports": reports,
                        "accounting_ok": not problems, "problems": problems[:50]})
        (cfg.out / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False))
        return DayResult(not problems, problems, summary)
    finally:
        if server is not None:
            server.stop()


def format_summary(result: DayResult) -> str:
    """The summary printed at the end of ``loket simulate`` (Bahasa Indonesia)."""
    s = result.summary
    lines = [f"Kunjungan: {s['visits']}  tiket: {s['tickets']}  ditolak di kios: {s['refused_at_kiosk']}",
             "Tiket per layanan: " + ", ".join(f"{k} {v}" for k, v in s["tickets_per_service"].items()),
             "Status tiket: " + ", ".join(f"{k} {v}" for k, v in s["ticket_status"].items()),
             f"Berkas: {s['applications']} ({', '.join(f'{k} {v}' for k, v in s['application_states'].items())}); "
             f"KIA dicetak: {s['cards_printed']}; tanda terima: {s['receipts']}",
             "Waktu tunggu (menit) per layanan:"]
    for k, w in s["wait_minutes"].items():
        lines.append(f"  {k:<11} rata-rata {w['mean']:>5.1f}  p90 {w['p90']:>5.1f}  (n={w['n']})")
    worst = s["most_late_step"]
    lines.append("Langkah SOP paling sering terlambat: " +
                 (f"{worst['step']} ({worst['late_rows']} baris)" if worst else "-"))
    if s.get("report_latest_step"):
        r = s["report_latest_step"]
        lines.append(f"Laporan harian, langkah paling terlambat: {r['service']}:{r['step']} ({r['step_name']})")
    if s.get("staffing_peak_counters"):
        lines.append("Loket yang dibutuhkan besok (Erlang C, tunggu ≤ 15 menit): " +
                     ", ".join(f"{k} {v}" for k, v in s["staffing_peak_counters"].items()))
    for name, info in s["reports"].items():
        lines.append(f"Laporan {name}: " + (info["file"] if "file" in info else f"tidak tersedia (HTTP {info['status']})"))
    lines.append(f"Server dimatikan/dinyalakan ulang: {s['server_restarts']}; selesai pukul {s['simulated_end']}; "
                 f"waktu nyata {s['wall_seconds']} s (×{s['speed']:g})")
    lines.append("Akuntansi: " + ("LULUS" if result.ok else "GAGAL"))
    lines += [f"  - {p}" for p in result.problems[:20]]
    return "\n".join(lines)
