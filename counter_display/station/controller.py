"""The counter station's logic, without a window (issue 5).

:class:`StationController` holds what the officer sees (plain attributes) and does
what the buttons ask, through :class:`~counter_display.station.api.StationClient`
and the devices of this PC (receipt printer from ``printing.open_printer``, card
output ``printing.card.CardOutput``, camera from ``counter_display.photo``). The Kivy
layer calls its methods on a worker thread and redraws on ``on_change``.

Every action returns its result, or ``None`` when it failed; a failure never raises
to the UI but sets :attr:`notice` (a :class:`Notice` in Bahasa Indonesia by default):

* server down → "Server antrean tidak dapat dihubungi ..." (the view stays, retry);
* token expired/revoked (401) → back to the login screen with the server's message
  in :attr:`login_message`;
* another officer acted first (409) → the server's message, and the view reloads;
* printer or camera missing → the device's own message (``PrinterError`` /
  ``CameraError``); the server state was already recorded, so only a reprint is needed.

Modes per role (``MODES_BY_ROLE``): ``loket`` (operator: call, serve, verify, photo,
IKD), ``verifikasi`` (verifikator), ``tte`` (pejabat_tte), ``cetak`` (petugas_cetak:
print KIA and Register KIA), ``penyerahan`` (petugas_distribusi: hand-over and
uncollected list). Steps follow the office's SOP (SOP 000 rows 2-7, SOP 003 rows 2-11).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Callable
from zoneinfo import ZoneInfo

from .api import ApiError, StationClient

#: Station modes each role may use (first = default).
MODES_BY_ROLE: dict[str, tuple[str, ...]] = {
    "operator": ("loket",),
    "verifikator": ("verifikasi",),
    "pejabat_tte": ("tte",),
    "petugas_cetak": ("cetak", "register"),
    "petugas_distribusi": ("penyerahan",),
}

#: Mode → the work-queue step it lists (back-office modes).
WORK_STEP = {"verifikasi": "verifikasi", "tte": "tte", "cetak": "cetak", "register": "register"}

MODE_LABELS = {
    "loket": ("Loket pelayanan", "Service counter"),
    "verifikasi": ("Verifikasi berkas", "Verification"),
    "tte": ("Persetujuan dan TTE", "Approval and TTE"),
    "cetak": ("Cetak KIA", "Card printing"),
    "register": ("Register KIA", "KIA register"),
    "penyerahan": ("Penyerahan dokumen", "Hand-over"),
}

#: Texts of the station in Bahasa Indonesia and English.
TEXTS = {
    "nobody_waiting": ("Tidak ada nomor yang menunggu.", "Nobody is waiting."),
    "called": ("Nomor {number} dipanggil.", "Number {number} called."),
    "recalled": ("Nomor {number} dipanggil ulang.", "Number {number} called again."),
    "skipped": ("Nomor {number} dilewati.", "Number {number} skipped."),
    "transferred": ("Nomor {number} dialihkan ke {service}.", "Number {number} transferred to {service}."),
    "finished": ("Pelayanan nomor {number} selesai.", "Number {number} finished."),
    "app_added": ("Permohonan {service} dibuat (kode {code}).", "{service} application created (code {code})."),
    "forwarded": ("Berkas lengkap, diteruskan ke langkah berikutnya.", "Complete file forwarded to the next step."),
    "returned": ("Berkas belum lengkap dan dikembalikan. Slip penolakan dicetak.",
                 "Incomplete file returned. Rejection slip printed."),
    "pickup_printed": ("Slip pengambilan {code} dicetak.", "Pickup slip {code} printed."),
    "photo_saved": ("Foto disimpan dan langkah foto selesai.", "Photo stored and photo step done."),
    "photo_refused": ("Foto ditolak: {reasons}", "Photo refused: {reasons}"),
    "no_camera": ("Kamera belum diatur di stasiun ini.", "No camera is configured on this station."),
    "no_printer": ("Printer struk belum diatur di stasiun ini.", "No receipt printer is configured on this station."),
    "taken": ("Berkas {code} diambil.", "File {code} taken."),
    "approved": ("Berkas {code} disetujui dan diteruskan.", "File {code} approved and forwarded."),
    "sent_back": ("Berkas {code} dikembalikan: {reason}", "File {code} sent back: {reason}"),
    "reason_needed": ("Alasan wajib diisi.", "A reason is required."),
    "card_printed": ("KIA {code} dikirim ke printer kartu (seri {serial}).",
                     "KIA {code} sent to the card printer (serial {serial})."),
    "reprinted": ("KIA {code} dicetak ulang (seri {serial}).", "KIA {code} reprinted (serial {serial})."),
    "registered": ("Berkas {code} masuk Register KIA.", "File {code} entered in the KIA register."),
    "handed_over": ("Dokumen {code} diserahkan kepada {name}. Tanda terima dicetak.",
                    "Document {code} handed over to {name}. Receipt printed."),
    "step_done": ("Langkah '{step}' selesai.", "Step '{step}' done."),
    "ikd_done": ("Hasil aktivasi IKD dicatat.", "IKD activation outcome recorded."),
    "card_data_missing": ("Lengkapi data kartu: {fields}.", "Complete the card data: {fields}."),
    "not_kia": ("Hanya KIA yang dicetak di stasiun ini.", "Only KIA cards are printed at this station."),
    "logged_out": ("Anda sudah keluar.", "You are logged out."),
    "role_not_station": ("Peran {role} tidak memakai stasiun loket.", "Role {role} has no counter station."),
    "no_counter": ("Pilih loket yang sesuai untuk peran ini.", "Choose a counter for this role."),
    "select_ticket": ("Panggil nomor antrean lebih dahulu.", "Call a number first."),
    "select_app": ("Pilih berkas lebih dahulu.", "Select a file first."),
    "reconnected": ("Tersambung kembali ke server. Tampilan dimuat ulang.", "Reconnected to the server. View reloaded."),
}

#: Card data the server does not hold (keyed from the SIAK record at the printing
#: station): field → (Indonesian label, English label). Permendagri 2/2016 card content.
CARD_FIELDS = {
    "birth_place": ("Tempat lahir", "Place of birth"),
    "kk_number": ("Nomor KK", "KK number"),
    "head_of_family": ("Nama kepala keluarga", "Head of family"),
    "birth_certificate_number": ("Nomor akta kelahiran", "Birth certificate number"),
    "religion": ("Agama", "Religion"),
    "address": ("Alamat", "Address"),
}


@dataclass(frozen=True)
class Notice:
    """A message for the officer: ``kind`` "info" | "success" | "warning" | "error"
    and ``text`` (already in the station's language); ``code`` the server/device code."""

    kind: str
    text: str
    code: str = ""


def _t(lang: str, key: str, **kw) -> str:
    id_text, en_text = TEXTS[key]
    return (en_text if lang == "en" else id_text).format(**kw)


class StationController:
    """State and actions of one counter station.

    ``client``: a :class:`StationClient` (or a fake with the same methods).
    ``counter``: the loket code this PC is bound to (e.g. "1"); needed for calling.
    ``printer``: a ``printing`` ThermalPrinter, or a URI for ``printing.open_printer``
    (receipt, rejection and pickup slips, tanda terima); None: no receipt printer.
    ``card_output``: ``spool://DIR`` or ``cups://QUEUE`` (``printing.card.CardOutput``).
    ``camera``: a ``counter_display.photo.Camera`` (or None). ``photo_policy``: a
    ``PhotoPolicy`` (default: national 2x3). ``lang``: "id" or "en".
    ``on_change``: called (no arguments, on the calling thread) after every action.
    ``today``: callable giving the office's date (tests).
    """

    def __init__(self, client: StationClient, *, counter: str | None = None, printer: Any = None,
                 card_output: str = "spool://kartu-kia", camera: Any = None, photo_policy: Any = None,
                 lang: str = "id", on_change: Callable[[], None] | None = None,
                 today: Callable[[], date] | None = None) -> None:
        self.client = client
        self.counter = counter
        self._printer_spec = printer
        self._printer = None
        self.card_output = card_output
        self.camera = camera
        self.photo_policy = photo_policy
        self.lang = lang
        self.on_change = on_change
        self._today = today
        self._lock = threading.RLock()
        self.reset()

    # ------------------------------------------------------------------ state
    def reset(self) -> None:
        """Forget everything tied to a login (after logout or expiry)."""
        self.user: dict | None = None
        self.role: str | None = None
        self.modes: tuple[str, ...] = ()
        self.mode: str | None = None
        self.office: dict = {}
        self.services: list[dict] = []
        self.counters: list[dict] = []
        self.queue: dict = {}
        #: Number now called at this counter per GET /queue (also after a station restart).
        self.current_number: str | None = None
        self.ticket: dict | None = None
        self.applications: list[dict] = []
        self.application: dict | None = None
        self.present: set[str] = set()
        self.siak_reference: str = ""
        self.nik_check: dict | None = None
        self.photo_result: Any = None
        self.work_items: list[dict] = []
        self.uncollected: dict = {}
        self.last_print: Any = None
        self.last_card: str | None = None
        self.notice: Notice | None = None
        self.login_message: str = getattr(self, "login_message", "")

    @property
    def logged_in(self) -> bool:
        return self.user is not None

    def t(self, key: str, **kw) -> str:
        """A station text in the station's language."""
        return _t(self.lang, key, **kw)

    def _changed(self) -> None:
        if self.on_change:
            self.on_change()

    def _note(self, kind: str, text: str, code: str = "") -> None:
        self.notice = Notice(kind, text, code)

    def _guard(self, fn: Callable[[], Any], *, reload: Callable[[], Any] | None = None) -> Any:
        """Run ``fn``; turn ApiError / device errors into a notice (module docstring)."""
        from counter_display.photo import CameraError
        from printing.errors import PrinterError
        with self._lock:
            try:
                return fn()
            except ApiError as e:
                if e.kind == "auth" and self.logged_in:
                    self.login_message = e.text(self.lang)
                    self.client.token = None
                    self.reset()
                    self._note("error", self.login_message, e.code)
                else:
                    self._note("error" if e.kind != "conflict" else "warning", e.text(self.lang), e.code)
                    if e.kind == "conflict" and reload is not None:
                        try:
                            reload()
                        except ApiError:
                            pass
                return None
            except PrinterError as e:
                self._note("error", e.message(self.lang), e.code)
                return None
            except CameraError as e:
                self._note("error", e.message(self.lang), e.code)
                return None
            finally:
                self._changed()

    # ------------------------------------------------------------------ login
    def login(self, username: str, password: str) -> bool:
        """Log in; sets ``user``, ``role``, ``modes``, ``mode`` and loads the office
        data. False (with ``login_message``) for wrong credentials, server down or a
        role without a station."""
        with self._lock:
            self.login_message = ""
            try:
                data = self.client.login(username.strip(), password)
                offices = self.client.offices()
                office_code = data.get("office") or offices.get("default")
                self.office = next((o for o in offices["offices"] if o["code"] == office_code), {})
                self.services = self.client.services()
                self.counters = self.client.counters()
            except ApiError as e:
                self.login_message = e.text(self.lang)
                self.client.token = None
                self._changed()
                return False
            modes = MODES_BY_ROLE.get(data["role"])
            if not modes:
                self.login_message = self.t("role_not_station", role=data["role"])
                self.client.logout()
                self._changed()
                return False
            self.user, self.role, self.modes, self.mode = data, data["role"], modes, modes[0]
            self.notice = None
        self.open_mode(self.mode)
        return True

    def logout(self) -> None:
        """Revoke the token and return to the login screen."""
        with self._lock:
            self.client.logout()
            self.reset()
            self.login_message = self.t("logged_out")
        self._changed()

    def open_mode(self, mode: str) -> None:
        """Switch to ``mode`` (one of ``self.modes``) and load its data."""
        if mode not in self.modes:
            raise ValueError(f"mode {mode!r} is not allowed for role {self.role!r}")
        self.mode = mode
        self.application = None
        if mode == "loket":
            self.refresh_queue()
        elif mode in WORK_STEP:
            self.load_work()
        elif mode == "penyerahan":
            self.load_uncollected()
            if self.counter:
                self.refresh_queue()

    def reload(self, *, reconnected: bool = False) -> None:
        """Reload the current view's data, keeping the selection (after the server was
        unreachable, or on the officer's request). ``reconnected`` says so in the notice."""
        if not self.logged_in:
            return

        def run():
            if self.mode == "loket":
                self._reload_loket()
            elif self.mode in WORK_STEP:
                self.work_items = self.client.work(WORK_STEP[self.mode])
            elif self.mode == "penyerahan":
                self.uncollected = self.client.uncollected()
                if self.counter:
                    self._reload_loket()
            if reconnected:
                self._note("info", self.t("reconnected"))
        self._guard(run)

    # ------------------------------------------------------------------ helpers
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.office.get("timezone") or "Asia/Jakarta")

    def now(self) -> datetime:
        """Aware local time of the office."""
        return datetime.now(self.zone())

    def today(self) -> date:
        return self._today() if self._today else self.now().date()

    def service(self, code: str) -> dict:
        return next((s for s in self.services if s["code"] == code), {"code": code, "name": code})

    def counter_info(self, code: str | None = None) -> dict | None:
        code = code or self.counter
        return next((c for c in self.counters if c["code"] == code), None)

    def counter_steps(self, counter: str | None = None) -> set[tuple[str, str]]:
        """(service, step) pairs served at ``counter`` (default: every counter)."""
        rows = [self.counter_info(counter)] if counter else self.counters
        return {(s["service"], s["step"]) for c in rows if c for s in c["serves"]}

    @property
    def printer(self):
        """The receipt printer (opened lazily from the URI); None when not configured."""
        if self._printer is None and self._printer_spec:
            if isinstance(self._printer_spec, str):
                from printing.uri import open_printer
                self._printer = open_printer(self._printer_spec)
            else:
                self._printer = self._printer_spec
        return self._printer

    def _require_printer(self):
        from printing.errors import PrinterConfigError
        if self.printer is None:
            raise PrinterConfigError("no receipt printer configured", code="no_printer",
                                     message_id=TEXTS["no_printer"][0], message_en=TEXTS["no_printer"][1])
        return self.printer

    # ------------------------------------------------------------------ loket: queue
    def refresh_queue(self) -> dict | None:
        """Reload GET /queue (waiting counts, this counter's current number)."""
        def run():
            self._apply_queue(self.client.queue())
            return self.queue
        return self._guard(run)

    def _apply_queue(self, overview: dict) -> None:
        self.queue = overview
        cur = next((c for c in overview.get("counters", []) if c["code"] == self.counter), None)
        self.current_number = cur["current"]["number"] if cur and cur.get("current") else None
        if self.ticket and self.ticket.get("number") != self.current_number:
            # Finished or moved on by another station at this counter.
            self.ticket, self.applications, self.application = None, [], None

    def waiting_for_counter(self) -> list[dict]:
        """Per-service waiting rows of the services this counter serves (all when unbound)."""
        served = {s for s, _ in self.counter_steps(self.counter)} if self.counter else None
        return [s for s in self.queue.get("services", []) if served is None or s["service"] in served]

    def _load_ticket(self, ticket_id: int) -> None:
        self.ticket = self.client.ticket(ticket_id)
        self.applications = self.ticket.get("applications") or []
        if self.application:
            self.application = next((a for a in self.applications if a["id"] == self.application["id"]), None)
        if self.application is None and self.applications:
            open_apps = [a for a in self.applications if a["state"] == "at_step"]
            self.select_application((open_apps or self.applications)[-1]["id"], load=False)

    def _reload_loket(self) -> None:
        self._apply_queue(self.client.queue())
        if self.ticket:
            self._load_ticket(self.ticket["id"])

    def _counter_action(self, name: str, fn: Callable[[], Any], done_key: str, **kw) -> dict | None:
        if not self.counter:
            self._note("error", self.t("no_counter"))
            self._changed()
            return None

        def run():
            result = fn()
            if result is None:
                self._note("info", self.t("nobody_waiting"))
                self.ticket, self.applications, self.application = None, [], None
                self._apply_queue(self.client.queue())
                return {}
            self._note("success", self.t(done_key, number=result["number"], **kw))
            if name in ("call", "recall"):
                if not self.ticket or self.ticket.get("id") != result["id"]:
                    self.application, self.present, self.siak_reference = None, set(), ""
                    self.nik_check, self.photo_result = None, None
                self._load_ticket(result["id"])
            else:
                self.ticket, self.applications, self.application = None, [], None
            self._apply_queue(self.client.queue())
            return result
        return self._guard(run, reload=self._reload_loket)

    def _expected(self) -> int | None:
        return self.ticket["id"] if self.ticket else None

    def call_next(self) -> dict | None:
        """Finish the current number and call the next (``{}`` when nobody waits)."""
        return self._counter_action("call", lambda: self.client.call_next(self.counter, self._expected()), "called")

    def recall(self) -> dict | None:
        """Announce the current number again."""
        return self._counter_action("recall", lambda: self.client.recall(self.counter, self._expected()), "recalled")

    def skip(self) -> dict | None:
        """The called citizen is not here: skip (no-show after the office's limit)."""
        return self._counter_action("skip", lambda: self.client.skip(self.counter, self._expected()), "skipped")

    def call_number(self, number: str) -> dict | None:
        """Call a specific waiting or skipped number (e.g. "A012")."""
        number = number.strip().upper()
        return self._counter_action("call", lambda: self.client.call_number(self.counter, number), "called")

    def transfer(self, service: str, step: str | None = None) -> dict | None:
        """Send the current number to another service/step queue, keeping its number."""
        return self._counter_action("transfer", lambda: self.client.transfer(self.counter, service, step,
                                                                            self._expected()),
                                    "transferred", service=self.service(service).get("name", service))

    def finish(self) -> dict | None:
        """The visit at this counter is over."""
        return self._counter_action("finish", lambda: self.client.finish(self.counter, self._expected()), "finished")

    # ------------------------------------------------------------------ loket: applications
    def check_nik(self, nik: str) -> dict | None:
        """Live NIK validation (POST /nik/validate): ``{"valid", "sex", "birth_date",
        "errors": [{"code","message",...}], "warnings": [...]}``; errors block, warnings
        only inform (NIK data are hints, Permendagri 108/2019 Pasal 15(3))."""
        digits = "".join(ch for ch in nik if ch.isdigit())
        if not digits:
            self.nik_check = None
            return None
        result = self._guard(lambda: self.client.validate_nik(nik))
        if result is not None:
            self.nik_check = result
        return result

    def add_application(self, service: str, answers: dict, applicant: dict) -> dict | None:
        """Open a berkas for the current visit (several per visit: SOP 003) and select it."""
        if not self.ticket:
            self._note("warning", self.t("select_ticket"))
            self._changed()
            return None

        def run():
            app = self.client.create_application(self.ticket["id"], service, answers, applicant)
            self._note("success", self.t("app_added", service=app["service_name"], code=app["code"]))
            self._load_ticket(self.ticket["id"])
            self.select_application(app["id"], load=False)
            return app
        return self._guard(run, reload=self._reload_loket)

    def select_application(self, app_id: int, *, load: bool = True) -> dict | None:
        """Show one berkas (checklist ticks start from what was recorded)."""
        def run():
            app = self.client.application(app_id) if load else next(a for a in self.applications if a["id"] == app_id)
            self.application = app
            self.present = set(app.get("documents_present") or [])
            self.siak_reference = app.get("siak_reference") or ""
            self.photo_result = None
            return app
        return self._guard(run) if load else run()

    def checklist(self) -> list[dict]:
        """Requirement items of the selected berkas with ``present`` ticks."""
        if not self.application:
            return []
        items = (self.application.get("checklist") or {}).get("items") or []
        return [{**i, "present": i["code"] in self.present} for i in items]

    def set_present(self, code: str, present: bool) -> None:
        """Tick or untick a requirement of the selected berkas."""
        (self.present.add if present else self.present.discard)(code)
        self._changed()

    def _refresh_application(self) -> None:
        if self.application:
            self.application = self.client.application(self.application["id"])
            if self.ticket:
                self._load_ticket(self.ticket["id"])

    def submit_verification(self) -> str | None:
        """POST /applications/{id}/verify with the ticks and the SIAK reference.
        Returns "forwarded" (complete; prints the pickup slip when the berkas leaves
        the counter for back-office steps) or "returned" (prints the rejection slip
        listing what is missing, SOP 000 row 2). None on failure."""
        if not self.application:
            self._note("warning", self.t("select_app"))
            self._changed()
            return None
        app = self.application

        def run():
            new = self.client.verify(app["id"], sorted(self.present), self.siak_reference or None, app["version"])
            self.application = new
            if new["state"] == "returned":
                self._note("warning", self.t("returned"))
                self._refresh_ticket_quiet()
                self._print_rejection(new)
                return "returned"
            self._note("success", self.t("forwarded"))
            self._refresh_ticket_quiet()
            self._after_counter_step(new)
            return "forwarded"
        return self._guard(run, reload=self._refresh_application)

    def _refresh_ticket_quiet(self) -> None:
        if self.ticket:
            self._load_ticket(self.ticket["id"])

    def needs_photo(self) -> bool:
        """True when the selected berkas waits at the photo step (KIA variant 2)."""
        return bool(self.application and self.application["state"] == "at_step"
                    and self.application["step"] == "foto")

    def _after_counter_step(self, app: dict) -> None:
        """Print the pickup slip when the berkas has left the counter steps for good."""
        if app["state"] == "at_step" and (app["service"], app["step"]) in self.counter_steps():
            return
        if app["state"] == "at_step" and self.service(app["service"]).get("pickup", True):
            self.print_pickup_slip(app)

    # ------------------------------------------------------------------ printing slips
    def _office_names(self) -> tuple[str, str]:
        return self.office.get("name", ""), self.office.get("short_name", "") or self.office.get("name", "")

    def _print_rejection(self, app: dict) -> None:
        from printing.model import RejectionSlip
        name, short = self._office_names()
        slip = RejectionSlip(name, short, app["service_name"], (self.ticket or {}).get("number") or app["code"],
                             self.now(), self.office.get("zone", ""),
                             tuple(m["label"] for m in app.get("missing") or []),
                             (self.user or {}).get("full_name") or (self.user or {}).get("username", ""),
                             counter=(self.counter_info() or {}).get("name", self.counter or ""), lang=self.lang)
        self.last_print = self._require_printer().print_rejection(slip)

    def pickup_place(self, service: str) -> str:
        """Name of the counter that hands the service's documents over, e.g. "Loket 5"."""
        for c in self.counters:
            if any(s["service"] == service and s["step"] == "penyerahan" for s in c["serves"]):
                return f"Loket {c['number']}" if self.lang != "en" else f"Counter {c['number']}"
        return self.office.get("short_name", "")

    def print_pickup_slip(self, app: dict | None = None) -> Any:
        """Print the slip pengambilan for ``app`` (default: the selected berkas). The
        ready date is today + the service's ``completion_days`` (calendar days)."""
        from printing.model import PickupSlip
        app = app or self.application

        def run():
            sv = self.service(app["service"])
            name, short = self._office_names()
            ready = self.today() + timedelta(days=int(sv.get("completion_days") or 0))
            slip = PickupSlip(name, short, app["code"], app["applicant"]["name"] or "-", (app["service_name"],),
                              ready, "counter", self.pickup_place(app["service"]), self.now(),
                              self.office.get("zone", ""),
                              ("Slip ini", "Kartu Keluarga asli") if self.lang != "en" else
                              ("This slip", "The original family card"), lang=self.lang)
            self.last_print = self._require_printer().print_pickup(slip)
            self._note("success", self.t("pickup_printed", code=app["code"]))
            return self.last_print
        return self._guard(run)

    # ------------------------------------------------------------------ photo
    def birth_year(self) -> int | None:
        bd = (self.application or {}).get("applicant", {}).get("birth_date")
        return int(bd[:4]) if bd else None

    def analyse_frame(self, frame) -> Any:
        """Analyse one BGR camera frame (``counter_display.photo.analyse``) with the
        office's policy; keeps and returns the ``PhotoResult``."""
        from counter_display.photo import PhotoPolicy, analyse
        policy = self.photo_policy or PhotoPolicy()
        self.photo_result = analyse(frame, policy, birth_year=self.birth_year())
        return self.photo_result

    def capture_photo(self) -> Any:
        """Read a frame from the station camera and judge it (:meth:`judge_frame`). None
        (with a notice) when no camera is configured or it fails."""
        def run():
            from counter_display.photo import CameraNotFound
            if self.camera is None:
                raise CameraNotFound(TEXTS["no_camera"][0], TEXTS["no_camera"][1], code="no_camera")
            if not self.camera.is_open:
                self.camera.open()
            return self._judge(self.camera.read())
        return self._guard(run)

    def judge_frame(self, frame) -> Any:
        """Analyse a frame the UI took from its live preview; a refused photo sets a
        warning with the plain-language reasons (``counter_display.photo`` checks)."""
        return self._guard(lambda: self._judge(frame))

    def _judge(self, frame) -> Any:
        result = self.analyse_frame(frame)
        if not result.ok:
            self._note("warning", self.t("photo_refused", reasons=" ".join(result.messages(self.lang))),
                       ",".join(result.codes))
        else:
            self.notice = None
        return result

    def accept_photo(self, result: Any = None) -> dict | None:
        """Store an accepted photo (PUT /applications/{id}/photo, image/jpeg) and
        complete the 'foto' step (SOP 003 row 4); prints the pickup slip when the berkas
        then leaves the counter. Refuses a result that is not ``ok``."""
        result = result or self.photo_result
        if result is None or not result.ok:
            self._note("warning", self.t("photo_refused", reasons=" ".join(result.messages(self.lang)) if result
                                         else "-"))
            self._changed()
            return None
        app = self.application

        def run():
            self.client.put_photo(app["id"], result.to_jpeg(92))
            new = self.client.complete_step(app["id"], "foto", "done", version=self._version(app["id"]))
            self.application = new
            self._note("success", self.t("photo_saved"))
            self._refresh_ticket_quiet()
            self._after_counter_step(new)
            return new
        return self._guard(run, reload=self._refresh_application)

    def _version(self, app_id: int) -> int:
        return self.client.application(app_id)["version"]

    # ------------------------------------------------------------------ IKD
    def record_ikd(self, activated: bool, reason: str = "") -> dict | None:
        """Record the IKD activation outcome at the 'aktivasi' step (Permendagri
        72/2022; SOP 003 row 7): activated, or not with a reason."""
        app = self.application
        if not app:
            self._note("warning", self.t("select_app"))
            self._changed()
            return None

        def run():
            new = self.client.complete_step(app["id"], app["step"], "done", version=app["version"],
                                            ikd_activated=activated, reason=reason.strip() or None)
            self.application = new
            self._note("success", self.t("ikd_done"))
            self._refresh_ticket_quiet()
            return new
        return self._guard(run, reload=self._refresh_application)

    def complete_counter_step(self, note: str = "") -> dict | None:
        """Finish the selected berkas's current counter step (e.g. KK 'entri_siak', SOP
        003 row 3), saving the SIAK reference first when it was typed; prints the
        pickup slip when the berkas then leaves the counter."""
        app = self.application
        if not app:
            self._note("warning", self.t("select_app"))
            self._changed()
            return None

        def run():
            version = app["version"]
            if self.siak_reference and self.siak_reference != (app.get("siak_reference") or ""):
                version = self.client.patch_application(app["id"], siak_reference=self.siak_reference,
                                                        version=version)["version"]
            new = self.client.complete_step(app["id"], app["step"], "done", note=note, version=version)
            self.application = new
            self._note("success", self.t("step_done", step=app["step"]))
            self._refresh_ticket_quiet()
            self._after_counter_step(new)
            return new
        return self._guard(run, reload=self._refresh_application)

    # ------------------------------------------------------------------ back office
    def load_work(self) -> list[dict] | None:
        """Reload the work queue of the current mode (GET /work-queue/{step}): items with
        ``age_seconds``, ``mutu_baku_seconds`` and ``late``."""
        step = WORK_STEP[self.mode]

        def run():
            self.work_items = self.client.work(step)
            return self.work_items
        return self._guard(run)

    def take(self, app_id: int) -> dict | None:
        """Take a berkas from the work queue (start time on the kartu kendali)."""
        step = WORK_STEP[self.mode]

        def run():
            app = self.client.start_step(app_id, step)
            self.application = app
            self._note("info", self.t("taken", code=app["code"]))
            self.work_items = self.client.work(step)
            return app
        return self._guard(run, reload=self.load_work)

    def _complete_work(self, outcome: str, note: str, key: str, **data) -> dict | None:
        app = self.application
        if not app:
            self._note("warning", self.t("select_app"))
            self._changed()
            return None
        step = WORK_STEP[self.mode]

        def run():
            new = self.client.complete_step(app["id"], step, outcome, note=note, version=app["version"], **data)
            self.application = None
            self._note("success" if outcome == "done" else "warning",
                       self.t(key, code=app["code"], reason=note, serial=data.get("card_serial", "")))
            self.work_items = self.client.work(step)
            return new

        def reload():
            self.application = None
            self.load_work()
        return self._guard(run, reload=reload)

    def approve(self, note: str = "") -> dict | None:
        """Verification / TTE: approve the taken berkas and forward it (kartu kendali entry)."""
        return self._complete_work("done", note, "approved")

    def send_back(self, reason: str) -> dict | None:
        """Return the taken berkas with a reason (required)."""
        if not reason.strip():
            self._note("warning", self.t("reason_needed"))
            self._changed()
            return None
        return self._complete_work("returned", reason.strip(), "sent_back")

    def register(self) -> dict | None:
        """Register KIA: enter the printed card in the register (SOP 000 row 6)."""
        return self._complete_work("done", "", "registered")

    def build_card(self, app: dict, card_data: dict, photo: bytes | None):
        """A ``printing.model.KiaCard`` from the berkas, its photo and the card data
        keyed at the printing station (:data:`CARD_FIELDS`). Raises ValueError when a
        field is missing (message lists them in the station's language)."""
        from printing.model import KiaCard
        missing = [CARD_FIELDS[k][1 if self.lang == "en" else 0] for k in CARD_FIELDS
                   if not str(card_data.get(k) or "").strip()]
        if missing:
            raise ValueError(self.t("card_data_missing", fields=", ".join(missing)))
        facts = (app.get("checklist") or {}).get("facts") or {}
        nik = app["applicant"]["nik"]
        sex = ((app.get("nik_check") or {}).get("sex")) or card_data.get("sex") or "L"
        variant = int(facts.get("kia_variant") or (2 if photo else 1))
        issued = self.today()
        head = self.office.get("head_name") or card_data.get("head_name") or ""
        return KiaCard(
            nik=nik, name=app["applicant"]["name"].upper(), sex=sex,
            birth_place=card_data["birth_place"].upper(), birth_date=date.fromisoformat(app["applicant"]["birth_date"]),
            kk_number=card_data["kk_number"].strip(), head_of_family=card_data["head_of_family"].upper(),
            birth_certificate_number=card_data["birth_certificate_number"].strip(),
            religion=card_data["religion"].upper(), nationality=card_data.get("nationality") or "WNI",
            address=card_data["address"].upper(), variant=variant,
            valid_until=date.fromisoformat(facts["valid_until"]) if facts.get("valid_until") else issued,
            issuing_office=(self.office.get("short_name") or "").upper(),
            issue_place=(self.office.get("regency") or "").replace("Kabupaten ", "").replace("Kota ", "").upper(),
            issue_date=issued, head_name=card_data.get("head_name") or head, head_nip=card_data.get("head_nip", ""),
            qr_payload=f"KIA:{nik}:{issued.isoformat()}", photo_jpeg=photo if variant == 2 else None,
            region_header=(self.office.get("regency") or "").upper())

    def print_card(self, card_data: dict, card_serial: str) -> str | None:
        """Printing station: render the taken KIA (PDF, with the stored photo for
        variant 2) with ``printing.card.render_card``, deliver it to ``card_output``
        and complete step 'cetak' with ``card_serial`` (the blank's serial). Returns
        where the card went (spool path or lp answer)."""
        app = self.application
        if not app:
            self._note("warning", self.t("select_app"))
            self._changed()
            return None
        if app["service"] != "KIA":
            self._note("warning", self.t("not_kia"))
            self._changed()
            return None
        if not card_serial.strip():
            self._note("warning", "Nomor seri blangko wajib diisi." if self.lang != "en" else "Card serial required.")
            self._changed()
            return None

        def run():
            from printing.card import CardOutput, render_card
            full = self.client.application(app["id"])
            photo = self.client.photo(app["id"]) if full.get("has_photo") else None
            try:
                card = self.build_card(full, card_data, photo)
            except ValueError as e:
                self._note("warning", str(e))
                return None
            where = CardOutput(self.card_output).deliver(render_card(card), f"KIA-{full['code']}")
            self.last_card = where
            self.client.complete_step(app["id"], "cetak", "done", version=full["version"],
                                      card_serial=card_serial.strip())
            self.application = None
            self._note("success", self.t("card_printed", code=full["code"], serial=card_serial.strip()))
            self.work_items = self.client.work("cetak")
            return where
        def reload():
            self.application = None
            self.load_work()
        return self._guard(run, reload=reload)

    def reprint_card(self, app_id: int, card_data: dict, card_serial: str, reason: str) -> str | None:
        """Reprint a spoiled card: render and deliver again and record the new serial
        with the reason (POST /applications/{id}/reprint)."""
        if not reason.strip():
            self._note("warning", self.t("reason_needed"))
            self._changed()
            return None

        def run():
            from printing.card import CardOutput, render_card
            full = self.client.application(app_id)
            photo = self.client.photo(app_id) if full.get("has_photo") else None
            try:
                card = self.build_card(full, card_data, photo)
            except ValueError as e:
                self._note("warning", str(e))
                return None
            where = CardOutput(self.card_output).deliver(render_card(card), f"KIA-{full['code']}-ulang")
            self.client.reprint(app_id, card_serial.strip(), reason.strip())
            self.last_card = where
            self._note("success", self.t("reprinted", code=full["code"], serial=card_serial.strip()))
            return where
        return self._guard(run)

    # ------------------------------------------------------------------ hand-over
    def find_pickup(self, code: str) -> dict | None:
        """Find a document by its pickup code (GET /pickups/{code}) and select it."""
        def run():
            self.application = self.client.pickup(code)
            return self.application
        return self._guard(run)

    def hand_over(self, received_by: str, relation: str, identity_checked: bool) -> dict | None:
        """Record the hand-over (POST handover) and print the tanda terima for signature
        (SOP 000 row 7). The receipt is printed after the server recorded it."""
        app = self.application
        if not app:
            self._note("warning", self.t("select_app"))
            self._changed()
            return None

        def run():
            from printing.model import HandoverReceipt
            new = self.client.handover(app["id"], received_by.strip(), relation.strip(), identity_checked,
                                       app["version"])
            self.application = new
            name, short = self._office_names()
            receipt = HandoverReceipt(name, short, new["code"], new["service_name"], received_by.strip(),
                                      relation.strip(), (self.user or {}).get("full_name") or
                                      (self.user or {}).get("username", ""), self.now(),
                                      self.office.get("zone", ""), new["applicant"]["name"] or "", self.lang)
            self._note("success", self.t("handed_over", code=new["code"], name=received_by.strip()))
            self.last_print = self._require_printer().print_handover(receipt)
            self.uncollected = self.client.uncollected()
            return new

        def reload():
            self.application = self.client.pickup(app["code"])
        return self._guard(run, reload=reload)

    def load_uncollected(self) -> dict | None:
        """Documents ready but not collected, with phone numbers, grouped by kecamatan."""
        def run():
            self.uncollected = self.client.uncollected()
            return self.uncollected
        return self._guard(run)

    # ------------------------------------------------------------------ events
    def on_server_event(self, kind: str, data: dict) -> bool:
        """Decide whether a server event concerns the current view; reloads it when
        it does and returns True (called on the event thread)."""
        if not self.logged_in:
            return False
        if self.mode in ("loket", "penyerahan") and kind.startswith("ticket."):
            self.refresh_queue()
            return True
        if self.mode in WORK_STEP and kind.startswith("application."):
            step = WORK_STEP[self.mode]
            if step in (data.get("step"), data.get("next_step")):
                self.load_work()
                return True
        if self.mode == "penyerahan" and kind == "application.step_finished" and data.get("state") == "ready_for_pickup":
            self.load_uncollected()
            return True
        return False
