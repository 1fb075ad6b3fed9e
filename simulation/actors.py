"""The officers and citizens of a simulated day, one thread each: the kiosk, counters
1-4, the back office (verification, TTE, printing, register, archive, scan), the
distribution counter and the crash. They share :class:`_Day` (clock, tokens, what was
seen) and act only through the HTTP API."""
from __future__ import annotations

import contextlib
import io
import math
import random
import threading
import time
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from client.http import ApiError

from .plan import (
    _NAMES,
    MEDIAN_SHARE,
    SIGMA,
    STAFF_PASSWORD,
    Application,
    SimConfig,
    Visit,
)
from .server import Api, ServerDown, ServerProcess


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
        #: Service → the code of its step whose effect is ``handover`` (from /services).
        self.handover_steps: dict[str, str] = {}
        #: Service → the account that hands it over (the hand-over step's role, office file).
        self.handover_users: dict[str, str] = {}
        #: (service, step) done at the counter while the citizen is there (from /services:
        #: presence "counter", not the hand-over).
        self.counter_steps: set[tuple[str, str]] = set()
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

    def read(self, path: str, role: str = "") -> Any:
        """``GET path`` as ``role``, waiting out a server that is down at that moment (a
        read is safe to repeat); raises ``ServerDown`` only when the day is stopping."""
        while True:
            try:
                return self.call("GET", path, role=role)
            except ServerDown:
                if self.stop.is_set():
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
    accounts.update({"distribusi": "petugas_distribusi", "serah": "operator", "kepala": "kepala"})
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
    """A 4x6 (400×600 px) pass-photo-like JPEG drawn with Pillow: a plain red background
    (the usual KIA background), shoulders and a face. The server stores any valid JPEG;
    the station's face checks are not part of the simulated day, so ``loket simulate``
    needs only run-time dependencies (no sample-image package)."""
    global _PHOTO
    if _PHOTO is None:
        from PIL import Image, ImageDraw
        img = Image.new("RGB", (400, 600), (200, 30, 30))
        draw = ImageDraw.Draw(img)
        draw.ellipse((60, 430, 340, 760), fill=(40, 60, 110))       # shoulders
        draw.rectangle((170, 330, 230, 450), fill=(214, 170, 140))  # neck
        draw.ellipse((120, 130, 280, 350), fill=(224, 180, 150))     # face
        draw.ellipse((115, 100, 285, 210), fill=(30, 25, 20))        # hair
        for x in (165, 235):                                         # eyes
            draw.ellipse((x - 10, 225, x + 10, 240), fill=(40, 30, 25))
        draw.arc((170, 270, 230, 310), 20, 160, fill=(150, 60, 60), width=4)
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
        if not first and (service, step) not in day.counter_steps:
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


def _card_data(app: dict) -> dict:
    """The card fields a printing officer keys from SIAK (``domain.kia.CARD_FIELDS``),
    made up per berkas: recorded on the berkas and printed on the card."""
    nik = app["applicant"]["nik"]
    head = app["applicant"]["name"].split()[-1]
    return {"birth_place": "Tanah Grogot", "kk_number": "6401" + nik[4:6] + f"{app['id']:010d}",
            "head_of_family": f"Bapak {head}", "birth_certificate_number": f"6401-LT-{app['id']:06d}",
            "religion": "Islam", "address": "Jl. Kusuma Bangsa, Tanah Grogot"}


def _render_card(day: _Day, user: str, app: dict, serial: str, data: dict) -> str:
    from printing.card import CardOutput, render_card
    from printing.model import KiaCard

    facts = app["checklist"]["facts"]
    variant = int(facts.get("kia_variant") or 1)
    photo = day.call("GET", f"/applications/{app['id']}/photo", role=user, want_bytes=True) \
        if app["has_photo"] and variant == 2 else None
    issued = datetime.fromtimestamp(day.now(), day.tz).date()
    nik = app["applicant"]["nik"]
    card = KiaCard(
        nik=nik, name=app["applicant"]["name"].upper(), sex=app["applicant"]["sex"],
        birth_place=data["birth_place"].upper(), birth_date=date.fromisoformat(app["applicant"]["birth_date"]),
        kk_number=data["kk_number"], head_of_family=data["head_of_family"].upper(),
        birth_certificate_number=data["birth_certificate_number"], religion=data["religion"].upper(),
        nationality="WNI", address=data["address"].upper(), variant=variant,
        valid_until=date.fromisoformat(facts["valid_until"]) if facts.get("valid_until") else issued,
        issuing_office="DISDUKCAPIL PASER", issue_place="PASER", issue_date=issued,
        head_name="CONTOH - NAMA KEPALA DINAS", head_nip="", specimen=True, qr_payload=f"KIA:{nik}:{issued.isoformat()}",
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
                            body["card"] = _card_data(app)
                            path = _render_card(day, user, app, serial, body["card"])
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
    offices = day.read("/offices")  # the server may be down at this very moment (the crash)
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
                day.sleep_sim(day.draw(it["service"], day.handover_steps.get(it["service"], "")))
                who, relation = _collector(it)
                app = day.call("POST", f"/applications/{it['id']}/handover",
                               {"received_by": who, "relation": relation, "identity_checked": True},
                               day.handover_users.get(it["service"], user))
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
    with contextlib.suppress(ServerDown, ApiError):  # the last clock reading is a nicety
        day._sync(day.api.request("GET", "/health"))
    day.server.kill()
    resume = datetime.fromtimestamp(day.last_server_time, day.tz).isoformat()
    day.server.start(resume)
    day.restarts += 1
    day._sync(day.api.wait_healthy())
