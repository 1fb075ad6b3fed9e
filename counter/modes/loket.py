"""The service counter (loket): call numbers, serve the visit's applications.

The queue state is kept from server events (:meth:`LoketMode.on_server_event` applies
``ticket.*`` events to the waiting counts and this counter's current number, as the
waiting-room display does) instead of re-reading ``GET /queue`` per event; a counter
action answers with the whole visit (ticket, answers, applications), so calling the
next number is one request.
"""
from __future__ import annotations

import contextlib
from typing import Any, Callable

from client import protocol as p

from .. import receipts
from ..api import ApiError
from ..session import EFFECT_HANDOVER, EFFECT_PHOTO, LOKET, HANDOVER, StationSession


class LoketMode(StationSession):
    """Counter actions and the berkas of the visit being served (SOP 000 rows 1-2,
    SOP 003 rows 1-7)."""

    def reset_mode_state(self) -> None:
        """Forget the queue, the visit and its applications."""
        super().reset_mode_state()
        self.queue: dict = {}
        #: Number now called at this counter (from the server, also after a restart).
        self.current_number: str | None = None
        self.ticket: dict | None = None
        self.applications: list[dict] = []
        self.application: dict | None = None
        self.present: set[str] = set()
        self.siak_reference: str = ""
        self.nik_check: dict | None = None
        self.photo_result: Any = None
        self.last_print: Any = None
        #: Set when the visit changed under the station (another station at this counter).
        self.stale_ticket = False
        #: A refused duplicate berkas (service, answers, applicant) the officer may confirm.
        self.pending_duplicate: tuple | None = None
        #: Bumped when the *Buat permohonan* form must start again (a new berkas was made).
        self.draft_version = 0
        #: True while the officer fills the form for a further berkas of the visit (no
        #: berkas selected, none selected by itself on a reload).
        self.composing = False
        #: The ticket id whose unfinished counter steps the officer was warned about: the
        #: next *Selesai* / *Panggil berikutnya* for it goes ahead (issue 11 item 4).
        self.finish_warned: int | None = None
        #: Berkas waiting at a photo step (effect ``photo``) of this counter, any visit:
        #: rows of ``GET /work-queue/{step}`` with ``step``.
        self.photo_queue: list[dict] = []

    def load_mode(self) -> None:
        super().load_mode()
        if self.mode == LOKET or (self.mode == HANDOVER and self.counter):
            self.refresh_queue()

    # ------------------------------------------------------------------ queue
    def refresh_queue(self) -> dict | None:
        """Reload ``GET /queue`` (waiting counts, this counter's current number)."""
        def run():
            self._apply_queue(self.client.queue())
            return self.queue
        return self._guard(run)

    def _apply_queue(self, overview: dict) -> None:
        self.queue = overview
        cur = next((c for c in overview.get("counters", []) if c["code"] == self.counter), None)
        self._set_current(cur["current"]["number"] if cur and cur.get("current") else None)

    def _set_current(self, number: str | None) -> None:
        self.current_number = number
        if self.ticket and self.ticket.get("number") != number:
            # Finished or moved on by another station at this counter.
            self._clear_visit()

    def _clear_visit(self) -> None:
        self.composing = False
        self.ticket, self.applications, self.application = None, [], None
        self.present, self.siak_reference, self.nik_check, self.photo_result = set(), "", None, None

    def _bump_waiting(self, service: str | None, delta: int) -> bool:
        for row in self.queue.get("services", []):
            if row.get("service") == service:
                row["waiting"] = max(0, int(row.get("waiting", 0)) + delta)
                return True
        return False

    def waiting_for_counter(self) -> list[dict]:
        """Per-service waiting rows of the services this counter serves (all when unbound)."""
        served = {s for s, _ in self.counter_steps(self.counter)} if self.counter else None
        return [s for s in self.queue.get("services", []) if served is None or s["service"] in served]

    def on_server_event(self, kind: str, data: dict) -> bool:
        """Apply ``ticket.*`` events to the waiting counts and this counter's number
        (no request); True when the view changed."""
        changed = super().on_server_event(kind, data)
        if self.logged_in and self.mode == LOKET and kind == p.APPLICATION_STEP_FINISHED and \
                any(st in (data.get("step"), data.get("next_step")) for _, st in self.photo_steps()):
            with contextlib.suppress(ApiError):
                self._load_photo_queue()
            return True
        if not self.logged_in or self.mode not in (LOKET, HANDOVER) or kind not in self.TICKET_EVENTS:
            return changed
        with self._lock:
            service = data.get("service")
            mine = self.counter is not None and str(data.get("counter")) == str(self.counter)
            if kind == p.TICKET_ISSUED:
                self._bump_waiting(service, +1)
            elif kind == p.TICKET_CALLED:
                self._bump_waiting(service, -1)
            elif kind == p.TICKET_TRANSFERRED:
                self._bump_waiting(data.get("to_service"), +1)
            if mine and kind in p.CALL_EVENTS:
                self._set_current(data.get("number"))
            elif mine and self.current_number == data.get("number"):
                self._set_current(None)
        return True

    # ------------------------------------------------------------------ counter actions
    def _counter_action(self, name: str, fn: Callable[[], Any], done_key: str, **kw) -> dict | None:
        if not self.counter:
            self._note("error", self.t("no_counter"))
            self._changed()
            return None

        def run():
            result = fn()
            if result is None:
                self._note("info", self.t("nobody_waiting"))
                self._clear_visit()
                self._set_current(None)
                return {}
            self._note("success", self.t(done_key, number=result["number"], **kw))
            if name in ("call", "recall"):
                if not self.ticket or self.ticket.get("id") != result["id"]:
                    self._clear_visit()
                self._take_visit(result)
                self.current_number = result["number"]
            else:
                self._clear_visit()
                self.current_number = None
            return result
        return self._guard(run, reload=self._reload_loket)

    def _take_visit(self, ticket: dict) -> None:
        """Show a visit from a staff ticket answer (with its ``applications``)."""
        self.ticket = ticket
        self.applications = ticket.get("applications") or []
        if self.application:
            self.application = next((a for a in self.applications if a["id"] == self.application["id"]), None)
        if self.application is None and self.applications and not self.composing:
            open_apps = [a for a in self.applications if a["state"] == "at_step"]
            self.select_application((open_apps or self.applications)[-1]["id"], load=False)

    def _load_ticket(self, ticket_id: int) -> None:
        self._take_visit(self.client.ticket(ticket_id))

    def _reload_loket(self) -> None:
        self._apply_queue(self.client.queue())
        if self.ticket:
            self._load_ticket(self.ticket["id"])
        self._load_photo_queue()

    def photo_steps(self) -> list[tuple[str, str]]:
        """(service, step) pairs with the ``photo`` effect served at this counter (all
        counters when the station is not bound to one)."""
        return sorted((sv, st) for sv, st in self.counter_steps(self.counter)
                      if self.step_info(sv, st).get("effect") == EFFECT_PHOTO)

    def _load_photo_queue(self) -> None:
        rows: list[dict] = []
        for service, step in self.photo_steps():
            rows += [{**r, "step": step} for r in self.client.work(step, service)]
        self.photo_queue = sorted(rows, key=lambda r: -r["age_seconds"])

    def load_photo_queue(self) -> list[dict] | None:
        """Reload :attr:`photo_queue`: every berkas waiting for its photo at this counter,
        oldest first, also those of visits already finished (a citizen who stepped out)."""
        def run():
            self._load_photo_queue()
            return self.photo_queue
        return self._guard(run)

    def unfinished_here(self) -> list[dict]:
        """The visit's berkas still at one of this counter's steps (the document check,
        the photo, the SIAK upload ...): finishing the visit would strand them."""
        mine = self.counter_steps(self.counter)
        return [a for a in self.applications if a["state"] == "at_step" and (a["service"], a["step"]) in mine]

    def _warn_unfinished(self) -> bool:
        """True (with a warning naming the berkas and their steps) when the visit has
        unfinished counter steps and the officer was not yet warned for this ticket."""
        left = self.unfinished_here()
        if not left or not self.ticket or self.finish_warned == self.ticket["id"]:
            return False
        self.finish_warned = self.ticket["id"]
        what = ", ".join(f"{a['code']} ({a.get('step_name') or self.step_name(a['step'], a['service'])})"
                         for a in left)
        self._note("warning", self.t("unfinished_steps", what=what), "unfinished_counter_step")
        self._changed()
        return True

    def _expected(self) -> int | None:
        return self.ticket["id"] if self.ticket else None

    def call_next(self) -> dict | None:
        """Finish the current number and call the next (``{}`` when nobody waits). When
        the current visit still has a berkas at one of this counter's steps, the first
        press only warns (:meth:`unfinished_here`); the second goes ahead."""
        if self._warn_unfinished():
            return None
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

    def reprint_ticket(self, number: str) -> dict | None:
        """Print today's ticket ``number`` again (e.g. the kiosk's printer failed): the
        server records the reprint first, then this station's printer prints it."""
        number = number.strip().upper()

        def run():
            data = self.client.reprint_ticket(number)
            self.last_print = receipts.print_ticket(self, data)
            self._note("success", self.t("ticket_reprinted", number=data["number"]))
            return data
        return self._guard(run)

    def transfer(self, service: str, step: str | None = None) -> dict | None:
        """Send the current number to another service/step queue, keeping its number."""
        return self._counter_action("transfer", lambda: self.client.transfer(self.counter, service, step,
                                                                            self._expected()),
                                    "transferred", service=self.service(service).get("name", service))

    def finish(self) -> dict | None:
        """The visit at this counter is over. A berkas still at one of this counter's
        steps (e.g. the photo) makes the first press a warning; the second finishes, and
        the berkas waits in :attr:`photo_queue` (its pickup slip prints when its counter
        part is done)."""
        if self._warn_unfinished():
            return None
        result = self._counter_action("finish", lambda: self.client.finish(self.counter, self._expected()),
                                      "finished")
        if result is not None:
            self.load_photo_queue()
        return result

    # ------------------------------------------------------------------ applications
    def check_nik(self, nik: str, birth_date: str | None = None) -> dict | None:
        """Live NIK validation (POST /nik/validate): ``{"valid", "sex", "birth_date",
        "errors": [{"code","message",...}], "warnings": [...]}``; errors block, warnings
        only inform (NIK data are hints, Permendagri 108/2019 Pasal 15(3)): a NIK of
        another region, or one whose birth date differs from ``birth_date`` (the
        documents'), is a warning."""
        digits = "".join(ch for ch in nik if ch.isdigit())
        if not digits:
            self.nik_check = None
            return None
        result = self._guard(lambda: self.client.validate_nik(nik, birth_date))
        if result is not None:
            self.nik_check = result
        return result

    def add_application(self, service: str, answers: dict, applicant: dict, *,
                        confirm_duplicate: bool = False) -> dict | None:
        """Open a berkas for the current visit (several per visit: SOP 003) and select it.
        When the server finds an open berkas of this service for the same NIK (409
        ``duplicate_application``), nothing is made: ``pending_duplicate`` keeps the
        request for :meth:`confirm_duplicate` (a replacement) and the notice names the
        open berkas."""
        if not self.ticket:
            self._warn("select_ticket")
            return None
        self.pending_duplicate = None
        applicant = dict(applicant)
        pickup = applicant.pop("pickup_office", None)

        def run():
            try:
                app = self.client.create_application(self.ticket["id"], service, answers, applicant,
                                                     confirm_duplicate=confirm_duplicate, pickup_office=pickup)
            except ApiError as e:
                if e.code == "duplicate_application":
                    self.pending_duplicate = (service, dict(answers), {**applicant, "pickup_office": pickup})
                    self._note("warning", e.text(self.lang), e.code, e.field or "")
                    return None
                raise
            self._note("success", self.t("app_added", service=app["service_name"], code=app["code"]))
            self._load_ticket(self.ticket["id"])
            self.select_application(app["id"], load=False)
            self.draft_version += 1  # the form starts empty for the next family member
            return app
        return self._guard(run, reload=self._reload_loket)

    def confirm_duplicate(self) -> dict | None:
        """The officer confirms the refused duplicate is a new request (e.g. a
        replacement): send it again with the confirmation."""
        if not self.pending_duplicate:
            return None
        service, answers, applicant = self.pending_duplicate
        return self.add_application(service, answers, applicant, confirm_duplicate=True)

    def application_draft(self) -> dict:
        """What the *Buat permohonan* form starts with for the visit being served:
        ``{"service", "answers", "name", "nik", "birth_date", "phone"}``. The first berkas
        of a visit takes the service and the answers the citizen gave at the kiosk (birth
        date, reason, ...); a further berkas (SOP 003 family visit) starts empty. The
        applicant fields are always empty: the previous citizen's data never carries
        over. ``{}`` when no ticket is served."""
        t = self.ticket
        if not t:
            return {}
        first = not self.applications
        answers = {k: v for k, v in (t.get("answers") or {}).items() if first and not k.startswith("_")}
        return {"service": t.get("origin_service") or t.get("service"), "answers": answers, "name": "",
                "nik": "", "birth_date": str(answers.get("birth_date") or ""), "phone": "", "email": "", "sex": "",
                "kecamatan_code": "", "pickup_office": self.office.get("code", "")}

    def pickup_choices(self) -> list[tuple[str, str]]:
        """Where a document can be collected: ``[(office code, name)]``, this office
        first, then its ``pickup_offices`` (a UPTD; SOP 001, 004)."""
        names = {o["code"]: o.get("short_name") or o.get("name") or o["code"] for o in self.all_offices}
        own = self.office.get("code", "")
        return [(own, names.get(own, self.office.get("short_name", own)))] + \
            [(c, names.get(c, c)) for c in self.office.get("pickup_offices") or []]

    def kecamatan_choices(self) -> list[tuple[str, str]]:
        """The office's kecamatan as ``[(code, name)]`` (the office file's list)."""
        return [(k["code"], k["name"]) for k in self.office.get("kecamatan") or []]

    def kecamatan_of_nik(self) -> str:
        """The kecamatan code the checked NIK was issued in, when it is one of the office's
        ("" otherwise): a hint to prefill the domicile, which the officer can change."""
        chk = self.nik_check or {}
        code = chk.get("district_code") or ""
        return code if chk.get("valid") and code in {c for c, _ in self.kecamatan_choices()} else ""

    def compose_application(self) -> None:
        """Open the *Tambah permohonan* form for a further berkas of the visit (SOP 003:
        KK, then KIA for each child, IKD for a parent): no berkas selected meanwhile."""
        self.composing = True
        self.application = None
        self.notice = None
        self._changed()

    def select_application(self, app_id: int, *, load: bool = True) -> dict | None:
        """Show one berkas (checklist ticks start from what was recorded)."""
        self.composing = False

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

    def _refresh_ticket_quiet(self) -> None:
        if self.ticket:
            self._load_ticket(self.ticket["id"])

    def submit_verification(self) -> str | None:
        """POST /applications/{id}/verify with the ticks and the SIAK reference.
        Returns "forwarded" (complete; prints the pickup slip when the berkas leaves
        the counter for back-office steps) or "returned" (prints the rejection slip
        listing what is missing, SOP 000 row 2). None on failure."""
        if not self.application:
            self._warn("select_app")
            return None
        app = self.application

        def run():
            new = self.client.verify(app["id"], sorted(self.present), self.siak_reference or None, app["version"])
            self.application = new
            if new["state"] == "returned":
                self._note("warning", self.t("returned"))
                self._refresh_ticket_quiet()
                self.last_print = receipts.print_rejection(self, new, (self.ticket or {}).get("number"))
                return "returned"
            self._note("success", self.t("forwarded"))
            self._refresh_ticket_quiet()
            self._after_counter_step(new)
            return "forwarded"
        return self._guard(run, reload=self._refresh_application)

    def needs_photo(self) -> bool:
        """True when the selected berkas waits at a step whose effect is ``photo``
        (KIA variant 2)."""
        return bool(self.application and self.application["state"] == "at_step"
                    and self.application.get("step_effect") == EFFECT_PHOTO)

    def _after_counter_step(self, app: dict) -> None:
        """Print the pickup slip when the berkas has left the counter steps for good."""
        if app["state"] == "at_step" and (app["service"], app["step"]) in self.counter_steps():
            return
        if app["state"] == "at_step" and self.service(app["service"]).get("pickup", True):
            self.print_pickup_slip(app)

    def pickup_place(self, service: str) -> str:
        """Name of the counter that hands the service's documents over (its step with
        the ``handover`` effect), e.g. "Loket 5"; the office's name when none is set."""
        steps = {st["code"] for st in self.service(service).get("steps", ()) if st.get("effect") == EFFECT_HANDOVER}
        for c in self.counters:
            if any(s["service"] == service and s["step"] in steps for s in c["serves"]):
                return self.counter_label(c["code"])
        return self.office.get("short_name", "")

    def print_pickup_slip(self, app: dict | None = None) -> Any:
        """Print the slip pengambilan for ``app`` (default: the selected berkas)."""
        app = app or self.application

        def run():
            self.last_print = receipts.print_pickup(self, app, self.pickup_place(app["service"]))
            self._note("success", self.t("pickup_printed", code=app["code"]))
            return self.last_print
        return self._guard(run)

    # ------------------------------------------------------------------ photo
    def birth_year(self) -> int | None:
        """The applicant's birth year (for the photo's age check), or None."""
        bd = (self.application or {}).get("applicant", {}).get("birth_date")
        return int(bd[:4]) if bd else None

    def analyse_frame(self, frame) -> Any:
        """Analyse one BGR camera frame (``counter.photo.analyse``) with the office's
        policy; keeps and returns the ``PhotoResult``."""
        from counter.photo import PhotoPolicy, analyse
        policy = self.photo_policy or PhotoPolicy()
        self.photo_result = analyse(frame, policy, birth_year=self.birth_year())
        return self.photo_result

    def capture_photo(self) -> Any:
        """Read a frame from the station camera and judge it (:meth:`judge_frame`). None
        (with a notice) when no camera is configured or it fails."""
        def run():
            from counter.photo import CameraNotFound
            from ..texts import TEXTS
            if self.camera is None:
                raise CameraNotFound(TEXTS["no_camera"][0], TEXTS["no_camera"][1], code="no_camera")
            if not self.camera.is_open:
                self.camera.open()
            return self._judge(self.camera.read())
        return self._guard(run)

    def judge_frame(self, frame) -> Any:
        """Analyse a frame the UI took from its live preview; a refused photo sets a
        warning with the plain-language reasons (``counter.photo`` checks)."""
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
        complete the berkas's photo step (SOP 003 row 4); prints the pickup slip when
        the berkas then leaves the counter. Refuses a result that is not ``ok``."""
        result = result or self.photo_result
        if result is None or not result.ok:
            self._warn("photo_refused", reasons=" ".join(result.messages(self.lang)) if result else "-")
            return None
        app = self.application

        def run():
            self.client.put_photo(app["id"], result.to_jpeg(92))
            new = self.client.complete_step(app["id"], app["step"], "done", version=self._version(app["id"]))
            self.application = new
            self._note("success", self.t("photo_saved"))
            self._refresh_ticket_quiet()
            self._after_counter_step(new)
            return new
        return self._guard(run, reload=self._refresh_application)

    def _version(self, app_id: int) -> int:
        return self.client.application(app_id)["version"]

    # ------------------------------------------------------------------ other counter steps
    def record_ikd(self, activated: bool, reason: str = "") -> dict | None:
        """Record the IKD activation outcome at the step whose effect is
        ``ikd_activation`` (Permendagri 72/2022; SOP 003 row 7): activated, or not with
        a reason."""
        app = self.application
        if not app:
            self._warn("select_app")
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
        """Finish the selected berkas's current counter step (e.g. KK SIAK entry, SOP
        003 row 3), saving the SIAK reference first when it was typed; prints the
        pickup slip when the berkas then leaves the counter."""
        app = self.application
        if not app:
            self._warn("select_app")
            return None

        def run():
            version = app["version"]
            if self.siak_reference and self.siak_reference != (app.get("siak_reference") or ""):
                version = self.client.patch_application(app["id"], siak_reference=self.siak_reference,
                                                        version=version)["version"]
            new = self.client.complete_step(app["id"], app["step"], "done", note=note, version=version)
            self.application = new
            self._note("success", self.t("step_done", step=self.step_name(app["step"], app["service"])))
            self._refresh_ticket_quiet()
            self._after_counter_step(new)
            return new
        return self._guard(run, reload=self._refresh_application)
