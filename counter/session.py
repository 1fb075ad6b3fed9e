"""The counter station's session: login, modes, notices, devices and server events.

:class:`StationSession` holds what every mode shares (plain attributes the views
read): the officer, the office, its services and counters (from ``/offices``,
``/services``, ``/counters``), the current mode, the :class:`Notice` shown to the
officer, and the receipt printer. Its :meth:`_guard` turns every failure into a
notice in Bahasa Indonesia (or English), never an exception to the UI:

* server down → "Server antrean tidak dapat dihubungi ..." (the view stays, retry);
* token expired/revoked (401) → back to the login screen with the server's message;
* another officer acted first (409) → the server's message, and the view reloads;
* printer or camera missing → the device's own message; the server state was
  recorded first, so only a reprint is needed.

Modes come from the office file, never from step codes: ``loket`` (the role has
counter steps), ``handover`` (the role has a step whose effect is ``handover``) and one
back-office work queue per step code the role performs (SOP order), labelled with the
step's name. The mode classes in :mod:`counter.modes` add the actions.
"""
from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable
from zoneinfo import ZoneInfo

from client import protocol as p
from client.protocol import (  # noqa: F401  (step effects, re-exported for the modes and views)
    EFFECT_CARD_PRINT,
    EFFECT_DISTRIBUTION,
    EFFECT_HANDOVER,
    EFFECT_ONLINE_VERIFICATION,
    EFFECT_IKD_ACTIVATION,
    EFFECT_PHOTO,
    EFFECT_REGISTER,
)

from .api import ApiError, StationClient
from .texts import TEXTS, tr

#: Mode of the service counter (call numbers, serve the visit's applications).
LOKET = "loket"
#: Mode of the hand-over counter (pickups, tanda terima, uncollected list).
HANDOVER = "handover"


def modes_for(role: str, services: list[dict]) -> tuple[str, ...]:
    """The station modes of ``role`` in the office whose ``GET /services`` answer is
    ``services``: ``loket`` first when the role has counter steps other than the
    hand-over, ``handover`` when it has a hand-over step, then each back-office step
    code it performs, in SOP order (first appearance)."""
    counter = handover = False
    back: list[str] = []
    for sv in services:
        for st in sv.get("steps", ()):
            if st.get("role") != role:
                continue
            if st.get("effect") == EFFECT_HANDOVER:
                handover = True
            elif st.get("presence") == "counter":
                counter = True
            elif st["code"] not in back and st["code"] not in (LOKET, HANDOVER):
                back.append(st["code"])
    return ((LOKET,) if counter else ()) + ((HANDOVER,) if handover else ()) + tuple(back)


@dataclass(frozen=True)
class Notice:
    """A message for the officer: ``kind`` "info" | "success" | "warning" | "error"
    and ``text`` (already in the station's language); ``code`` the server/device code;
    ``field`` the input field the message is about (or "")."""

    kind: str
    text: str
    code: str = ""
    field: str = ""


class StationSession:
    """State shared by the station's modes (see the module docstring).

    ``client``: a :class:`StationClient` (or a fake with the same methods).
    ``counter``: the loket code this PC is bound to (e.g. "1"); needed for calling.
    ``printer``: a ``printing`` ThermalPrinter, or a URI for ``printing.open_printer``
    (receipt, rejection and pickup slips, tanda terima); None: no receipt printer.
    ``card_output``: ``spool://DIR`` or ``cups://QUEUE`` (``printing.card.CardOutput``).
    ``camera``: a ``counter.photo.Camera`` (or None). ``photo_policy``: a
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
        self.login_message = ""
        self.reset()

    # ------------------------------------------------------------------ state
    def reset(self) -> None:
        """Forget everything tied to a login (after logout or expiry)."""
        self.user: dict | None = None
        self.role: str | None = None
        self.modes: tuple[str, ...] = ()
        self.mode: str | None = None
        self.office: dict = {}
        #: Every office the server hosts (``GET /offices``), for pickup-office names.
        self.all_offices: list[dict] = []
        self.services: list[dict] = []
        #: Priority categories (UU 25/2009 Pasal 29) as ``GET /services`` lists them.
        self.priority_categories: list[dict] = []
        self.counters: list[dict] = []
        self.notice: Notice | None = None
        #: Since when (epoch s) the server's event stream is lost, None while it is live:
        #: the station shows a banner even when the officer is idle (issue 11 item 5).
        self.server_lost_since: float | None = None
        self.reset_mode_state()

    def reset_mode_state(self) -> None:
        """Forget the modes' working state (overridden by the mode classes)."""

    @property
    def logged_in(self) -> bool:
        """True while an officer is logged in."""
        return self.user is not None

    def t(self, key: str, **kw) -> str:
        """A station text (:data:`counter.texts.TEXTS`) in the station's language."""
        return tr(self.lang, key, **kw)

    def _changed(self) -> None:
        if self.on_change:
            self.on_change()

    def office_notifies(self) -> bool:
        """Whether this office messages citizens (``GET /offices`` → ``notifications``,
        issue 14): the forms then ask for the citizen's consent, the hand-over counter
        lists the WhatsApp messages sent by hand."""
        n = self.office.get("notifications") or {}
        return bool(n.get("phone") or n.get("email"))

    def _note(self, kind: str, text: str, code: str = "", field: str = "") -> None:
        self.notice = Notice(kind, text, code, field)

    def set_server_reachable(self, reachable: bool, at: float | None = None) -> bool:
        """Record that the event stream opened (``True``) or was lost (``False``: a dead
        server or network, noticed within :data:`client.sse.HEARTBEAT_TIMEOUT` s while
        idle). Returns True when the state changed (the banner must be redrawn)."""
        import time
        if reachable:
            changed, self.server_lost_since = self.server_lost_since is not None, None
            return changed
        if self.server_lost_since is None:
            self.server_lost_since = at if at is not None else time.time()
            return True
        return False

    def banner(self) -> Notice | None:
        """What the notice bar shows: the lost server (red, with the time) over any other
        notice, else the last notice."""
        if self.server_lost_since is not None and self.logged_in:
            from datetime import datetime
            since = datetime.fromtimestamp(self.server_lost_since).strftime("%H:%M:%S")
            return Notice("error", self.t("server_lost", since=since), "server_unreachable")
        return self.notice

    def _warn(self, key: str, **kw) -> None:
        """Show the warning ``key`` without any server call."""
        self._note("warning", self.t(key, **kw))
        self._changed()

    def _guard(self, fn: Callable[[], Any], *, reload: Callable[[], Any] | None = None) -> Any:
        """Run ``fn``; turn ApiError / device errors into a notice (module docstring)."""
        from counter.photo import CameraError
        from printing.errors import PrinterError
        with self._lock:
            try:
                return fn()
            except ApiError as e:
                self._api_failed(e, reload)
                return None
            except (PrinterError, CameraError) as e:
                self._note("error", e.message(self.lang), e.code)
                return None
            finally:
                self._changed()

    def _api_failed(self, e: ApiError, reload: Callable[[], Any] | None) -> None:
        if e.kind == "auth" and self.logged_in:
            self.login_message = e.text(self.lang)
            self.client.token = None
            self.reset()
            self._note("error", self.login_message, e.code)
            return
        self._note("error" if e.kind != "conflict" else "warning", e.text(self.lang), e.code, e.field or "")
        if e.kind == "conflict" and reload is not None:
            with contextlib.suppress(ApiError):  # the notice already says what happened
                reload()

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
                self.all_offices = list(offices["offices"])
                self.services, self.priority_categories = self.client.services_and_priorities()
                self.counters = self.client.counters()
            except ApiError as e:
                self.login_message = e.text(self.lang)
                self.client.token = None
                self._changed()
                return False
            modes = modes_for(data["role"], self.services)
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
        """Switch to ``mode`` (one of ``self.modes``) and load its data. Raises
        ValueError for a mode the role does not have."""
        if mode not in self.modes:
            raise ValueError(f"mode {mode!r} is not allowed for role {self.role!r}")
        self.mode = mode
        self.application = None
        self.load_mode()

    def load_mode(self) -> None:
        """Load the current mode's data (overridden by the mode classes)."""

    def mode_label(self, mode: str) -> str:
        """What the officer reads on the mode's tab: "Loket pelayanan", or a step name."""
        if mode == LOKET:
            return self.t("mode_loket")
        if mode == HANDOVER:
            return self.t("mode_handover")
        return self.work_queue_name(mode)

    def work_queue_name(self, step: str) -> str:
        """The name of the work queue of ``step``: the step's name, or the distinct names
        of every service's step with that code ("Verifikasi KIA / Verifikasi berkas KK"),
        since one queue lists them all."""
        names: list[str] = []
        for sv in self.services:
            for st in sv.get("steps", ()):
                if st["code"] == step and st.get("name") and st["name"] not in names:
                    names.append(st["name"])
        return " / ".join(names) or step

    # ------------------------------------------------------------------ office data
    def zone(self) -> ZoneInfo:
        """The office's time zone."""
        return ZoneInfo(self.office.get("timezone") or "Asia/Jakarta")

    def now(self) -> datetime:
        """Aware local time of the office."""
        return datetime.now(self.zone())

    def today(self) -> date:
        """The office's date (or the injected one)."""
        return self._today() if self._today else self.now().date()

    def service(self, code: str) -> dict:
        """The ``/services`` entry of ``code`` (a stub with the code when unknown)."""
        return next((s for s in self.services if s["code"] == code), {"code": code, "name": code, "steps": []})

    def step_info(self, service: str | None, step: str | None) -> dict:
        """The ``/services`` step entry (code, name, role, presence, effect); when
        ``service`` is None the first service with that step code."""
        for sv in self.services:
            if service is not None and sv["code"] != service:
                continue
            for st in sv.get("steps", ()):
                if st["code"] == step:
                    return st
        return {"code": step, "name": step or "-", "effect": None, "presence": None}

    def step_name(self, step: str | None, service: str | None = None) -> str:
        """The step's name as the office file gives it (never the bare code when known)."""
        return self.step_info(service, step).get("name") or (step or "-")

    def counter_info(self, code: str | None = None) -> dict | None:
        """The ``/counters`` entry of ``code`` (default: this station's counter)."""
        code = code or self.counter
        return next((c for c in self.counters if c["code"] == code), None)

    def counter_steps(self, counter: str | None = None) -> set[tuple[str, str]]:
        """(service, step) pairs served at ``counter`` (default: every counter)."""
        rows = [self.counter_info(counter)] if counter else self.counters
        return {(s["service"], s["step"]) for c in rows if c for s in c["serves"]}

    def answer_labels(self, app: dict) -> list[tuple[str, str]]:
        """The berkas's answers as the officer reads them: ``[(question label, answer
        label)]`` in the office file's order — a choice by its label ("Hilang", never
        ``hilang``), a yes/no as Ya/Tidak, a date as DD-MM-YYYY."""
        answers = app.get("answers") or {}
        out = []
        for q in self.service(app.get("service", "")).get("questions", ()):
            if q["key"] not in answers or answers[q["key"]] in (None, ""):
                continue
            value = answers[q["key"]]
            if q.get("kind") == "choice":
                text = next((c["label"] for c in q.get("choices", ()) if c["value"] == value), str(value))
            elif q.get("kind") == "bool" or isinstance(value, bool):
                text = self.t("yes") if value in (True, "true") else self.t("no")
            elif q.get("kind") == "date" and isinstance(value, str) and len(value) == 10:
                text = f"{value[8:10]}-{value[5:7]}-{value[:4]}"
            else:
                text = str(value)
            out.append((q.get("label") or q["key"], text))
        return out

    def counter_label(self, code: str | None = None) -> str:
        """The counter's name as the office file gives it ("Loket 3"), never doubled."""
        info = self.counter_info(code)
        if info is None:
            return self.t("counter_n", number=code or self.counter or "-")
        return info.get("name") or self.t("counter_n", number=info["number"])

    # ------------------------------------------------------------------ devices
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

    # ------------------------------------------------------------------ events
    def on_server_event(self, kind: str, data: dict) -> bool:
        """Apply a server event to the state (called on the event thread). Returns True
        when the view should be redrawn; the mode classes refine it."""
        return False

    #: Event types the station applies (client.protocol).
    TICKET_EVENTS = frozenset({p.TICKET_ISSUED, p.TICKET_CALLED, p.TICKET_RECALLED, p.TICKET_SKIPPED,
                               p.TICKET_NO_SHOW, p.TICKET_TRANSFERRED, p.TICKET_FINISHED, p.TICKET_RETURNED})
