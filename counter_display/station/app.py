"""The Kivy front-end of the counter station (``loket counter``), issue 5.

A thin layer over :class:`~counter_display.station.controller.StationController`:
every button runs a controller method on a worker thread (:meth:`StationApp.act`),
and the view is redrawn from the controller's state with ``Clock.schedule_once``.
Server events (SSE) reload the view when they concern it. One view class per mode:
login, loket (call / serve / verify / photo / IKD), work queue (verifikasi, TTE,
register), printing station, hand-over. Styles are in ``counter.kv``.

Widgets that tests drive are registered by name in ``StationApp.w`` (see
``driver.py``).
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

os.environ.setdefault("KIVY_NO_ARGS", "1")

from kivy.app import App  # noqa: E402
from kivy.clock import Clock  # noqa: E402
from kivy.core.window import Window  # noqa: E402
from kivy.graphics.texture import Texture  # noqa: E402
from kivy.core.text import LabelBase  # noqa: E402
from kivy.lang import Builder  # noqa: E402
from kivy.metrics import sp as _kivy_sp  # noqa: E402
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty  # noqa: E402
from kivy.uix.boxlayout import BoxLayout  # noqa: E402
from kivy.uix.button import Button  # noqa: E402
from kivy.uix.gridlayout import GridLayout  # noqa: E402
from kivy.uix.image import Image  # noqa: E402
from kivy.uix.label import Label  # noqa: E402
from kivy.uix.scrollview import ScrollView  # noqa: E402
from kivy.uix.spinner import Spinner  # noqa: E402
from kivy.uix.textinput import TextInput  # noqa: E402
from kivy.uix.togglebutton import ToggleButton  # noqa: E402
from kivy.uix.widget import Widget  # noqa: E402

from .api import EventStream  # noqa: E402
from .controller import CARD_FIELDS, MODE_LABELS, StationController  # noqa: E402

HERE = Path(__file__).resolve().parent
FONTS = HERE.parents[1] / "assets" / "fonts"
NOTICE_COLOURS = {"info": (0.16, 0.38, 0.55, 1), "success": (0.18, 0.55, 0.34, 1),
                  "warning": (0.80, 0.50, 0.04, 1), "error": (0.75, 0.22, 0.17, 1)}
ROLE_NAMES = {"operator": "Petugas pelayanan", "verifikator": "Verifikator", "pejabat_tte": "Pejabat TTE",
              "petugas_cetak": "Petugas cetak", "petugas_distribusi": "Petugas distribusi"}
STEP_NAMES = {"penerimaan": "Penerimaan berkas", "foto": "Foto anak", "verifikasi": "Verifikasi",
              "tte": "Persetujuan TTE", "cetak": "Cetak", "register": "Register", "penyerahan": "Penyerahan",
              "pemeriksaan_kelayakan": "Pemeriksaan kelayakan", "aktivasi": "Aktivasi IKD",
              "pemeriksaan": "Pemeriksaan dokumen", "entri_siak": "Input SIAK"}
STATE_NAMES = {"at_step": "diproses", "returned": "dikembalikan", "ready_for_pickup": "siap diambil",
               "handed_over": "sudah diserahkan"}


#: Type and spacing scale: 1.0 at 1366 px wide, larger on bigger screens (1920 → 1.4).
_SCALE = [1.0]


def sp(value: float) -> float:
    """Kivy ``sp`` times the window scale (set when the window opens)."""
    return _kivy_sp(value) * _SCALE[0]


class SLabel(Label):
    pass


class Muted(SLabel):
    pass


class Heading(SLabel):
    pass


class BigNumber(SLabel):
    pass


class Card(BoxLayout):
    pass


class Btn(Button):
    pass


class Ghost(Btn):
    pass


class Danger(Btn):
    pass


class Tab(Button):
    active = BooleanProperty(False)


class Tick(ToggleButton):
    pass


class Field(TextInput):
    pass


class Choice(Spinner):
    pass


class Row(BoxLayout):
    pass


class NoticeBar(BoxLayout):
    text = StringProperty("")
    bg = ListProperty([0.16, 0.38, 0.55, 1])


class Header(BoxLayout):
    pass


class LoginView(BoxLayout):
    pass


def _mins(seconds) -> str:
    if seconds is None:
        return "-"
    m = int(seconds // 60)
    return f"{m // 60} j {m % 60} mnt" if m >= 60 else f"{m} mnt"


def scroll_of(content: BoxLayout) -> ScrollView:
    """Wrap a vertical BoxLayout in a ScrollView (content grows with its children)."""
    content.size_hint_y = None
    content.bind(minimum_height=content.setter("height"))
    sv = ScrollView(do_scroll_x=False, bar_width=sp(6), bar_color=(0.06, 0.3, 0.36, 0.6),
                    bar_inactive_color=(0.06, 0.3, 0.36, 0.25), scroll_type=["bars", "content"])
    sv.add_widget(content)
    return sv


def vbox(**kw) -> BoxLayout:
    return BoxLayout(orientation="vertical", spacing=kw.pop("spacing", sp(8)), **kw)


class StationApp(App):
    """``loket counter``: ``server`` URL, bound ``counter`` code, receipt ``printer``
    URI, ``card_output`` (spool://DIR or cups://QUEUE), ``camera`` URI
    (webcam://0, file://...), ``photo_ratio`` ("2x3", "3x4", "4x6"), ``lang``."""

    busy = NumericProperty(0)
    font = StringProperty(str(FONTS / "DejaVuSans.ttf"))
    font_bold = StringProperty(str(FONTS / "DejaVuSans-Bold.ttf"))

    def __init__(self, server: str, *, counter: str | None = "1", printer: str | None = None,
                 card_output: str = "spool://kartu-kia", camera: str | None = None, photo_ratio: str = "4x6",
                 lang: str = "id", **kw) -> None:
        super().__init__(**kw)
        from counter_display.photo import PhotoPolicy
        from .api import StationClient
        self.title = "Loket - Stasiun Petugas"
        self.camera_uri = camera
        self.ctl = StationController(StationClient(server), counter=counter, printer=printer,
                                     card_output=card_output, camera=None,
                                     photo_policy=PhotoPolicy(ratio=photo_ratio), lang=lang)
        self.w: dict[str, Widget] = {}
        self.events: EventStream | None = None
        self.preview = None
        self._view_mode: str | None = None
        self._actions = threading.Lock()
        #: Card data typed at the printing station (kept across redraws, for reprints).
        self.card_fields: dict[str, TextInput] = {}

    def sp(self, value: float) -> float:
        return sp(value)

    # ------------------------------------------------------------------ lifecycle
    def build(self):
        _SCALE[0] = max(1.0, min(Window.width / 1366.0, Window.height / 768.0))
        # A font family so that [b] markup picks the bold face.
        LabelBase.register("LoketSans", str(FONTS / "DejaVuSans.ttf"), fn_bold=str(FONTS / "DejaVuSans-Bold.ttf"))
        self.font = "LoketSans"
        Builder.load_file(str(HERE / "counter.kv"))
        Window.clearcolor = (0.933, 0.949, 0.961, 1)
        self.root_box = vbox(spacing=0)
        self.show()
        return self.root_box

    def on_stop(self):
        self._stop_events()
        self._stop_preview()

    def reg(self, name: str, widget: Widget) -> Widget:
        """Register ``widget`` under ``name`` for the test driver; returns it."""
        self.w[name] = widget
        return widget

    def act(self, fn, *args, then=None, rebuild: bool = False, **kwargs) -> None:
        """Run ``fn(*args, **kwargs)`` on a worker thread; redraw on the UI thread
        afterwards (``then(result)`` first when given)."""
        self.busy += 1

        def work():
            result = None
            try:
                with self._actions:
                    result = fn(*args, **kwargs)
            finally:
                Clock.schedule_once(lambda dt: self._done(result, then, rebuild))
        threading.Thread(target=work, daemon=True).start()

    def fetch(self, fn, *args, then) -> None:
        """Run ``fn(*args)`` on a worker thread and hand the result to ``then`` on the UI
        thread, without redrawing (pictures, side data)."""
        self.busy += 1

        def work():
            result = None
            try:
                result = fn(*args)
            finally:
                def back(dt):
                    try:
                        then(result)
                    finally:
                        self.busy -= 1
                Clock.schedule_once(back)
        threading.Thread(target=work, daemon=True).start()

    def _done(self, result, then, rebuild):
        try:
            if then:
                then(result)
            self.show(rebuild=rebuild)
        finally:
            self.busy -= 1

    # ------------------------------------------------------------------ events
    def _start_events(self):
        self._stop_events()
        self._connected = None
        self.events = EventStream(self.ctl.client, self._on_event, on_state=self._on_stream_state).start()

    def _on_stream_state(self, connected: bool) -> None:
        was, self._connected = self._connected, connected
        if connected and was is False:
            # The server came back: reload what may have changed meanwhile.
            Clock.schedule_once(lambda dt: self.act(self.ctl.reload, reconnected=True))

    def _stop_events(self):
        if self.events:
            events, self.events = self.events, None
            threading.Thread(target=events.stop, daemon=True).start()

    def _on_event(self, kind, data, ev_id):
        if not self._actions.acquire(blocking=False):
            # An action is running and reloads the view itself afterwards.
            return
        try:
            changed = self.ctl.on_server_event(kind, data)
        finally:
            self._actions.release()
        if changed:
            Clock.schedule_once(lambda dt: self.show())

    # ------------------------------------------------------------------ screens
    def show(self, rebuild: bool = False) -> None:
        """Draw the screen for the controller's state (login or the current mode)."""
        ctl = self.ctl
        mode = ctl.mode if ctl.logged_in else "login"
        if mode != self._view_mode or rebuild:
            self._stop_preview()
            self.root_box.clear_widgets()
            self.w = {}
            self._view_mode = mode
            if mode == "login":
                self._stop_events()
                self.root_box.add_widget(self.build_login())
            else:
                self.root_box.add_widget(self.build_header())
                self.notice_bar = NoticeBar()
                self.root_box.add_widget(self.notice_bar)
                self.body = BoxLayout(padding=sp(14), spacing=sp(14))
                self.root_box.add_widget(self.body)
                {"loket": self.build_loket, "penyerahan": self.build_handover,
                 "cetak": self.build_work, "verifikasi": self.build_work, "tte": self.build_work,
                 "register": self.build_work}[mode]()
        if mode == "login":
            self.w["login_message"].text = ctl.login_message
            return
        n = ctl.notice
        self.notice_bar.text = n.text if n else ""
        if n:
            self.notice_bar.bg = NOTICE_COLOURS.get(n.kind, NOTICE_COLOURS["info"])
        for name, tab in self.tabs.items():
            tab.active = name == ctl.mode
        {"loket": self.update_loket, "penyerahan": self.update_handover}.get(mode, self.update_work)()

    # ------------------------------------------------------------------ login
    def build_login(self):
        outer = LoginView(orientation="vertical", padding=sp(40))
        outer.add_widget(Widget())
        row = BoxLayout(size_hint_y=None, height=sp(470))
        row.add_widget(Widget())
        card = Card(size_hint=(None, None), width=sp(460), height=sp(470), padding=sp(28), spacing=sp(12))
        card.add_widget(Heading(text="Loket · Stasiun Petugas", font_size=sp(26), height=sp(38)))
        counter = self.ctl.counter
        card.add_widget(Muted(text=("Komputer ini terikat ke [b]Loket %s[/b]. " % counter if counter else "") +
                            "Masuk dengan akun petugas Anda."))
        card.add_widget(SLabel(text="Nama pengguna"))
        user = self.reg("username", Field(hint_text="mis. ani.operator"))
        card.add_widget(user)
        card.add_widget(SLabel(text="Kata sandi"))
        pw = self.reg("password", Field(password=True, hint_text="Kata sandi"))
        card.add_widget(pw)
        msg = self.reg("login_message", SLabel(text="", color=(0.75, 0.22, 0.17, 1)))
        card.add_widget(msg)
        card.add_widget(Widget())
        btn = self.reg("login", Btn(text="Masuk"))
        card.add_widget(btn)

        def go(*_):
            self.w["login_message"].text = ""
            self.act(self.ctl.login, user.text, pw.text, then=lambda ok: ok and self._start_events())
        btn.bind(on_release=go)
        pw.bind(on_text_validate=go)
        row.add_widget(card)
        row.add_widget(Widget())
        outer.add_widget(row)
        outer.add_widget(Widget())
        outer.add_widget(Label(text="Disdukcapil · layanan administrasi kependudukan gratis", font_name=self.font,
                               color=(1, 1, 1, 0.7), size_hint_y=None, height=sp(30), font_size=sp(13)))
        return outer

    def build_header(self):
        ctl = self.ctl
        h = Header()
        title = SLabel(text=f"[b]Loket[/b]  ·  {ctl.office.get('short_name', '')}", color=(1, 1, 1, 1),
                       font_size=sp(18), size_hint=(None, 1), width=sp(250))
        title.text_size = (title.width, None)
        h.add_widget(title)
        self.tabs = {}
        for mode in ctl.modes:
            tab = self.reg(f"tab_{mode}", Tab(text=MODE_LABELS[mode][0]))
            tab.bind(on_release=lambda b, m=mode: self.act(self.ctl.open_mode, m))
            self.tabs[mode] = tab
            h.add_widget(tab)
        h.add_widget(Widget())
        who = ctl.user.get("full_name") or ctl.user.get("username")
        where = f"  ·  Loket {ctl.counter}" if ctl.counter and ctl.mode in ("loket", "penyerahan") else ""
        lab = SLabel(text=f"[b]{who}[/b]\n{ROLE_NAMES.get(ctl.role, ctl.role)}{where}", color=(1, 1, 1, 1),
                     font_size=sp(13), halign="right", size_hint=(None, 1), width=sp(330))
        lab.text_size = (lab.width, None)
        h.add_widget(lab)
        out = self.reg("logout", Ghost(text="Keluar", size_hint=(None, None), width=sp(100), height=sp(42)))
        out.bind(on_release=lambda *_: self.act(self.ctl.logout))
        h.add_widget(out)
        return h

    # ------------------------------------------------------------------ loket
    def build_loket(self):
        ctl = self.ctl
        # Left: queue and calling.
        left = Card(size_hint_x=None, width=sp(330))
        left.add_widget(Heading(text="Antrean menunggu"))
        self.queue_box = vbox(spacing=sp(4))
        left.add_widget(scroll_of(self.queue_box))
        call = self.reg("call_next", Btn(text="Panggil berikutnya", height=sp(60), font_size=sp(19)))
        call.bind(on_release=lambda *_: self.act(ctl.call_next))
        left.add_widget(call)
        row = Row()
        for name, label, fn in (("recall", "Panggil ulang", ctl.recall), ("skip", "Lewati", ctl.skip)):
            b = self.reg(name, Ghost(text=label))
            b.bind(on_release=lambda _b, f=fn: self.act(f))
            row.add_widget(b)
        left.add_widget(row)
        row = Row()
        num = self.reg("call_number_input", Field(hint_text="Nomor, mis. A012"))
        row.add_widget(num)
        b = self.reg("call_number", Ghost(text="Panggil", size_hint_x=None, width=sp(110)))
        b.bind(on_release=lambda *_: num.text.strip() and self.act(
            ctl.call_number, num.text, then=lambda r: r and setattr(num, "text", "")))
        row.add_widget(b)
        left.add_widget(row)
        row = Row()
        targets = [f"{s['code']}" for s in ctl.services]
        tr = self.reg("transfer_service", Choice(text=targets[0] if targets else "", values=targets))
        row.add_widget(tr)
        b = self.reg("transfer", Ghost(text="Alihkan", size_hint_x=None, width=sp(110)))
        b.bind(on_release=lambda *_: self.act(ctl.transfer, tr.text))
        row.add_widget(b)
        left.add_widget(row)
        fin = self.reg("finish", Danger(text="Selesai melayani"))
        fin.bind(on_release=lambda *_: self.act(ctl.finish))
        left.add_widget(fin)
        self.body.add_widget(left)

        # Middle: the visit and its applications.
        mid = Card(size_hint_x=0.42)
        self.serving_label = Muted(text="Sedang dilayani", halign="center")
        mid.add_widget(self.serving_label)
        self.serving_number = BigNumber(text="-")
        mid.add_widget(self.serving_number)
        self.serving_info = Muted(text="", halign="center")
        mid.add_widget(self.serving_info)
        mid.add_widget(Heading(text="Permohonan dalam kunjungan ini"))
        self.apps_box = vbox(spacing=sp(6))
        mid.add_widget(scroll_of(self.apps_box))
        form = vbox(size_hint_y=None, spacing=sp(6))
        form.bind(minimum_height=form.setter("height"))
        form.add_widget(Heading(text="Tambah permohonan", font_size=sp(16), height=sp(24)))
        codes = [s["code"] for s in ctl.services]
        svc = self.reg("new_service", Choice(text="KIA" if "KIA" in codes else (codes[0] if codes else ""),
                                             values=codes))
        form.add_widget(svc)
        name = self.reg("new_name", Field(hint_text="Nama pemohon (sesuai dokumen)"))
        form.add_widget(name)
        row = Row(height=sp(42))
        nik = self.reg("new_nik", Field(hint_text="NIK (16 angka)"))
        bd = self.reg("new_birth_date", Field(hint_text="Lahir YYYY-MM-DD", size_hint_x=0.9))
        row.add_widget(nik)
        row.add_widget(bd)
        form.add_widget(row)
        self.nik_label = self.reg("nik_result", Muted(text=""))
        form.add_widget(self.nik_label)
        row = Row(height=sp(42))
        phone = self.reg("new_phone", Field(hint_text="No. HP"))
        reason = self.reg("new_reason", Choice(text="baru", values=["baru", "hilang", "rusak", "pindah_datang"],
                                               size_hint_x=0.6))
        row.add_widget(phone)
        row.add_widget(reason)
        form.add_widget(row)
        add = self.reg("add_application", Btn(text="Buat permohonan"))
        form.add_widget(add)

        def nik_changed(_w, text):
            digits = "".join(c for c in text if c.isdigit())
            if len(digits) == 16:
                self.act(ctl.check_nik, digits)
            elif not digits:
                ctl.nik_check = None
                self.update_nik()
        nik.bind(text=nik_changed)

        def add_app(*_):
            applicant = {"name": name.text.strip(), "nik": nik.text.strip(), "birth_date": bd.text.strip() or None,
                         "phone": phone.text.strip()}
            answers = {}
            if svc.text == "KIA":
                answers = {"birth_date": bd.text.strip(), "reason": reason.text}
            self.act(ctl.add_application, svc.text, answers, applicant)
        add.bind(on_release=add_app)
        mid.add_widget(form)
        self.body.add_widget(mid)

        # Right: the selected berkas.
        self.detail = Card(size_hint_x=0.58)
        self.body.add_widget(self.detail)

    def update_nik(self):
        chk = self.ctl.nik_check
        if not chk:
            self.nik_label.text = ""
            return
        if chk["errors"]:
            self.nik_label.color = (0.75, 0.22, 0.17, 1)
            self.nik_label.text = "NIK tidak sah: " + "; ".join(e["message"] for e in chk["errors"])
        else:
            sex = {"L": "laki-laki", "P": "perempuan"}.get(chk.get("sex"), "-")
            text = f"NIK sah · {sex} · lahir {chk.get('birth_date') or '-'}"
            if chk["warnings"]:
                self.nik_label.color = (0.75, 0.45, 0.02, 1)
                text += " · Perhatian: " + "; ".join(w["message"] for w in chk["warnings"])
            else:
                self.nik_label.color = (0.18, 0.55, 0.34, 1)
            self.nik_label.text = text

    def update_loket(self):
        ctl = self.ctl
        self.queue_box.clear_widgets()
        rows = ctl.waiting_for_counter()
        for s in rows:
            line = BoxLayout(size_hint_y=None, height=sp(50), spacing=sp(8))
            info = vbox(spacing=0)
            info.add_widget(SLabel(text=f"[b]{s['name']}[/b]", font_size=sp(14), shorten=True,
                                   shorten_from="right"))
            nxt = ", ".join(s.get("next") or []) or "—"
            info.add_widget(Muted(text=f"Berikutnya: {nxt}", shorten=True))
            line.add_widget(info)
            line.add_widget(SLabel(text=f"[b]{s['waiting']}[/b]", font_size=sp(26), halign="right",
                                   size_hint_x=None, width=sp(56), height=sp(50)))
            self.queue_box.add_widget(line)
        total = sum(s["waiting"] for s in rows)
        self.queue_box.add_widget(Muted(text=f"Total menunggu untuk loket ini: {total}"))
        t = ctl.ticket
        self.serving_number.text = t["number"] if t else (ctl.current_number or "—")
        if t:
            self.serving_label.text = f"Sedang dilayani di Loket {ctl.counter}"
            self.serving_info.text = f"{ctl.service(t['service']).get('name', t['service'])}" + \
                ("  ·  PRIORITAS" if t.get("priority") else "")
        else:
            self.serving_label.text = f"Loket {ctl.counter}: belum ada nomor dipanggil"
            self.serving_info.text = "Tekan «Panggil berikutnya»" if not ctl.current_number else \
                "Nomor ini dipanggil dari komputer lain"
        for name in ("recall", "skip", "finish", "transfer", "add_application"):
            self.w[name].disabled = t is None
        self.apps_box.clear_widgets()
        for a in ctl.applications:
            sel = ctl.application and ctl.application["id"] == a["id"]
            b = self.reg(f"app_{a['code']}", Tick(
                text=f"[b]{a['service']}[/b] · {a['applicant']['name'] or '-'} · {a['code']}\n"
                     f"{STEP_NAMES.get(a['step'], a['step'])} · {STATE_NAMES.get(a['state'], a['state'])}",
                markup=True, state="down" if sel else "normal", group="apps", allow_no_selection=False))
            b.bind(on_release=lambda _b, i=a["id"]: self.act(ctl.select_application, i))
            self.apps_box.add_widget(b)
        if not ctl.applications:
            self.apps_box.add_widget(Muted(text="Belum ada permohonan. Isi formulir di bawah."))
        self.update_nik()
        self.update_detail()

    def update_detail(self):
        ctl = self.ctl
        d = self.detail
        if not ctl.needs_photo():
            self._stop_preview()
        d.clear_widgets()
        app = ctl.application
        if not app:
            d.add_widget(Heading(text="Berkas"))
            d.add_widget(Muted(text="Pilih atau buat permohonan untuk memeriksa berkasnya."))
            d.add_widget(Widget())
            return
        d.add_widget(Heading(text=f"{app['service_name']}"))
        ap = app["applicant"]
        d.add_widget(SLabel(text=f"[b]{ap['name'] or '-'}[/b]  ·  NIK {ap['nik'] or '-'}  ·  lahir "
                                 f"{ap['birth_date'] or '-'}"))
        d.add_widget(Muted(text=f"Kode berkas [b]{app['code']}[/b]  ·  Langkah: "
                                f"{STEP_NAMES.get(app['step'], app['step'])}  ·  "
                                f"{STATE_NAMES.get(app['state'], app['state'])}"))
        if app["state"] == "at_step" and app["step"] in ("penerimaan", "pemeriksaan", "pemeriksaan_kelayakan"):
            self._verify_panel(d, app)
        elif ctl.needs_photo():
            self._photo_panel(d, app)
        elif app["state"] == "at_step" and app["step"] == "aktivasi":
            self._ikd_panel(d, app)
        elif app["state"] == "at_step" and (app["service"], app["step"]) in ctl.counter_steps(ctl.counter):
            self._step_panel(d, app)
        elif app["state"] == "returned":
            d.add_widget(SLabel(text="[b]Berkas dikembalikan.[/b] Yang belum ada:"))
            for m in app.get("missing") or []:
                d.add_widget(SLabel(text=f"•  {m['label']}"))
            b = self.reg("reprint_rejection", Ghost(text="Cetak ulang slip penolakan"))
            b.bind(on_release=lambda *_: self.act(lambda: ctl._guard(lambda: ctl._print_rejection(app))))
            d.add_widget(Widget())
            d.add_widget(b)
        else:
            d.add_widget(SLabel(text="Berkas sudah diteruskan ke langkah berikutnya "
                                     f"([b]{STEP_NAMES.get(app['step'], app['step'])}[/b])."))
            if app.get("siak_reference"):
                d.add_widget(Muted(text=f"Referensi SIAK: {app['siak_reference']}"))
            d.add_widget(Widget())
            b = self.reg("print_pickup", Ghost(text="Cetak slip pengambilan"))
            b.bind(on_release=lambda *_: self.act(ctl.print_pickup_slip))
            d.add_widget(b)

    def _verify_panel(self, d, app):
        ctl = self.ctl
        d.add_widget(SLabel(text="[b]Persyaratan[/b]  (centang dokumen yang dibawa)"))
        box = vbox(spacing=sp(6))
        for item in ctl.checklist():
            t = self.reg(f"req_{item['code']}", Tick(text=("☑  " if item["present"] else "☐  ") + item["label"],
                                                     state="down" if item["present"] else "normal"))

            def toggled(btn, _state, code=item["code"], label=item["label"]):
                ctl.present.add(code) if btn.state == "down" else ctl.present.discard(code)
                btn.text = ("☑  " if btn.state == "down" else "☐  ") + label
                self._update_verify_button()
            t.bind(state=toggled)
            box.add_widget(t)
        d.add_widget(scroll_of(box))
        row = Row(height=sp(42))
        row.add_widget(SLabel(text="Referensi SIAK", size_hint_x=None, width=sp(140), height=sp(42)))
        siak = self.reg("siak_reference", Field(text=ctl.siak_reference, hint_text="Nomor dari SIAK"))
        siak.bind(text=lambda _w, v: setattr(ctl, "siak_reference", v.strip()))
        row.add_widget(siak)
        d.add_widget(row)
        self.verify_btn = self.reg("verify", Btn(text=""))
        self.verify_btn.bind(on_release=lambda *_: self.act(ctl.submit_verification))
        d.add_widget(self.verify_btn)
        self._update_verify_button()

    def _update_verify_button(self):
        ctl = self.ctl
        missing = [i for i in ctl.checklist() if not i["present"]]
        b = self.verify_btn
        if missing:
            b.text = f"Belum lengkap ({len(missing)}) — kembalikan & cetak slip"
            b.background_color = (0.75, 0.22, 0.17, 1)
        else:
            b.text = "Berkas lengkap — teruskan"
            b.background_color = (0.106, 0.498, 0.475, 1)

    def _photo_panel(self, d, app):
        ctl = self.ctl
        d.add_widget(SLabel(text=f"[b]Foto anak[/b]  ·  pas foto {ctl.photo_policy.ratio}, wajah di tengah"))
        row = BoxLayout(spacing=sp(12))
        self.preview_img = Image(fit_mode="contain")
        row.add_widget(self.preview_img)
        self.crop_img = Image(fit_mode="contain", size_hint_x=0.42)
        row.add_widget(self.crop_img)
        d.add_widget(row)
        self.photo_msg = self.reg("photo_result", SLabel(text="Tekan «Ambil foto» saat anak siap."))
        d.add_widget(self.photo_msg)
        r = ctl.photo_result
        if r is not None:
            self._show_result(r)
        buttons = Row()
        take = self.reg("capture", Btn(text="Ambil foto"))
        take.bind(on_release=lambda *_: self.capture())
        ok = self.reg("accept_photo", Btn(text="Terima & simpan foto"))
        ok.disabled = not (r is not None and r.ok)
        ok.bind(on_release=lambda *_: self.act(ctl.accept_photo))
        buttons.add_widget(take)
        buttons.add_widget(ok)
        d.add_widget(buttons)
        self._start_preview()

    def _show_result(self, r):
        if r.crop is not None:
            self.crop_img.texture = bgr_texture(r.crop)
        if r.ok:
            self.photo_msg.color = (0.18, 0.55, 0.34, 1)
            self.photo_msg.text = "[b]Foto memenuhi syarat.[/b] Terima dan simpan, atau ambil ulang."
        else:
            self.photo_msg.color = (0.75, 0.22, 0.17, 1)
            self.photo_msg.text = "[b]Foto ditolak:[/b] " + " ".join(r.messages(self.ctl.lang)) + \
                " Ambil ulang."

    def _start_preview(self):
        from counter_display.photo import CameraError, LivePreview, open_camera
        if self.preview is not None:
            return
        if not self.camera_uri:
            self.photo_msg.text = "Kamera belum diatur (--camera)."
            return
        try:
            cam = open_camera(self.camera_uri)
            self.preview = LivePreview(cam, self.ctl.photo_policy, fps=10, analyse_every=5,
                                       on_frame=lambda f: Clock.schedule_once(lambda dt: self._frame(f)),
                                       on_error=lambda e: Clock.schedule_once(lambda dt: self._camera_error(e)))
            self.preview.start()
        except CameraError as e:
            self._camera_error(e)

    def _frame(self, frame):
        if self.preview is not None and getattr(self, "preview_img", None) is not None:
            self.preview_img.texture = bgr_texture(frame.frame)

    def _camera_error(self, e):
        msg = e.message(self.ctl.lang) if hasattr(e, "message") else str(e)
        if getattr(self, "photo_msg", None) is not None:
            self.photo_msg.color = (0.75, 0.22, 0.17, 1)
            self.photo_msg.text = f"[b]Kamera bermasalah:[/b] {msg}"

    def _stop_preview(self):
        if self.preview is not None:
            preview, self.preview = self.preview, None
            threading.Thread(target=preview.stop, daemon=True).start()

    def capture(self):
        latest = self.preview.latest() if self.preview else None
        if latest is None:
            self._camera_error(Exception("Belum ada gambar dari kamera."))
            return
        frame = latest.frame
        self.act(self.ctl.judge_frame, frame)

    def _step_panel(self, d, app):
        ctl = self.ctl
        d.add_widget(SLabel(text=f"Langkah di loket ini: [b]{STEP_NAMES.get(app['step'], app['step'])}[/b]"))
        d.add_widget(Muted(text="Kerjakan di SIAK, catat nomor referensinya, lalu selesaikan langkah."))
        row = Row(height=sp(42))
        row.add_widget(SLabel(text="Referensi SIAK", size_hint_x=None, width=sp(140), height=sp(42)))
        siak = self.reg("siak_reference", Field(text=ctl.siak_reference, hint_text="Nomor dari SIAK"))
        siak.bind(text=lambda _w, v: setattr(ctl, "siak_reference", v.strip()))
        row.add_widget(siak)
        d.add_widget(Widget())
        d.add_widget(row)
        b = self.reg("complete_step", Btn(text="Langkah selesai — teruskan"))
        b.bind(on_release=lambda *_: self.act(ctl.complete_counter_step))
        d.add_widget(b)

    def _ikd_panel(self, d, app):
        ctl = self.ctl
        d.add_widget(SLabel(text="[b]Aktivasi IKD[/b] (Permendagri 72/2022): catat hasilnya."))
        reason = self.reg("ikd_reason", Field(hint_text="Alasan bila tidak teraktivasi"))
        d.add_widget(Widget())
        d.add_widget(reason)
        row = Row()
        yes = self.reg("ikd_yes", Btn(text="IKD teraktivasi"))
        yes.bind(on_release=lambda *_: self.act(ctl.record_ikd, True, ""))
        no = self.reg("ikd_no", Danger(text="Tidak teraktivasi"))
        no.bind(on_release=lambda *_: self.act(ctl.record_ikd, False, reason.text))
        row.add_widget(yes)
        row.add_widget(no)
        d.add_widget(row)

    # ------------------------------------------------------------------ work queues
    def build_work(self):
        left = Card(size_hint_x=0.46)
        self.work_title = Heading(text="")
        left.add_widget(self.work_title)
        left.add_widget(Muted(text="Berkas menunggu, terlama di atas. Merah: melewati mutu baku."))
        self.work_box = vbox(spacing=sp(6))
        left.add_widget(scroll_of(self.work_box))
        reload_btn = self.reg("reload", Ghost(text="Muat ulang"))
        reload_btn.bind(on_release=lambda *_: self.act(self.ctl.reload))
        left.add_widget(reload_btn)
        self.body.add_widget(left)
        self.detail = Card(size_hint_x=0.54)
        self.body.add_widget(self.detail)

    def update_work(self):
        ctl = self.ctl
        self.work_title.text = {"verifikasi": "Antrean verifikasi", "tte": "Antrean persetujuan TTE",
                                "cetak": "Antrean cetak KIA", "register": "Antrean Register KIA"}[ctl.mode]
        self.work_box.clear_widgets()
        for item in ctl.work_items:
            late = item["late"]
            line = Card(orientation="horizontal", size_hint_y=None, height=sp(66), padding=sp(10))
            info = vbox(spacing=0)
            info.add_widget(SLabel(text=f"[b]{item['applicant_name'] or '-'}[/b]  ·  {item['service']}",
                                   shorten=True))
            colour = "c0392b" if late else "5b6b7b"
            info.add_widget(Muted(text=f"{item['code']}  ·  menunggu [color={colour}][b]{_mins(item['age_seconds'])}"
                                       f"[/b][/color] / mutu baku {_mins(item['mutu_baku_seconds'])}"
                                       + (f"  ·  diambil {item['taken_by']}" if item.get("taken_by") else "")))
            line.add_widget(info)
            b = self.reg(f"take_{item['code']}", Btn(text="Ambil", size_hint=(None, None), width=sp(96),
                                                      height=sp(44)))
            b.bind(on_release=lambda _b, i=item["id"]: self.act(ctl.take, i))
            line.add_widget(b)
            self.work_box.add_widget(line)
        if not ctl.work_items:
            self.work_box.add_widget(Muted(text="Tidak ada berkas yang menunggu."))
        self._update_work_detail()

    def _update_work_detail(self):
        ctl = self.ctl
        d = self.detail
        d.clear_widgets()
        app = ctl.application
        if not app:
            d.add_widget(Heading(text="Berkas"))
            d.add_widget(Muted(text="Ambil berkas dari daftar untuk mengerjakannya."))
            if ctl.mode == "cetak" and ctl.last_card:
                d.add_widget(SLabel(text=f"Cetakan terakhir: {Path(ctl.last_card).name}"))
            d.add_widget(Widget())
            return
        ap = app["applicant"]
        d.add_widget(Heading(text=f"{app['service_name']} · {app['code']}"))
        top = BoxLayout(size_hint_y=None, height=sp(150), spacing=sp(12))
        facts = vbox(spacing=sp(2))
        for label, value in (("Nama", ap["name"]), ("NIK", ap["nik"]), ("Tanggal lahir", ap["birth_date"]),
                             ("No. HP", ap["phone"]), ("Referensi SIAK", app.get("siak_reference")),
                             ("Dokumen ada", ", ".join(app.get("documents_present") or []) or "-")):
            facts.add_widget(SLabel(text=f"[color=5b6b7b]{label}:[/color] [b]{value or '-'}[/b]", font_size=sp(14),
                                    shorten=True))
        top.add_widget(facts)
        if app.get("has_photo"):
            img = Image(size_hint_x=None, width=sp(100), fit_mode="contain")
            top.add_widget(img)
            self.fetch(self._load_photo, app["id"], then=lambda data: data and setattr(img, "texture",
                                                                                         jpeg_texture(data)))
        d.add_widget(top)
        if ctl.mode == "cetak":
            d.add_widget(SLabel(text="Data kartu dari SIAK", font_name=self.font_bold, font_size=sp(14)))
            grid = GridLayout(cols=2, spacing=(sp(10), sp(4)), size_hint_y=None)
            grid.bind(minimum_height=grid.setter("height"))
            fields = [(k, label) for k, (label, _en) in CARD_FIELDS.items()] + [("serial", "Nomor seri blangko KIA")]
            for key, label in fields:
                cell = vbox(spacing=sp(2), size_hint_y=None, height=sp(58))
                cell.add_widget(Muted(text=label, height=sp(18)))
                old = self.card_fields.get(key)
                f = self.reg(f"card_{key}", Field(text=old.text if old else "", height=sp(36), font_size=sp(14)))
                self.card_fields[key] = f
                cell.add_widget(f)
                grid.add_widget(cell)
            d.add_widget(grid)
            d.add_widget(Widget())
            b = self.reg("print_card", Btn(text="Cetak KIA & tandai tercetak"))
            b.bind(on_release=lambda *_: self.act(
                ctl.print_card, {k: f.text for k, f in self.card_fields.items() if k != "serial"},
                self.card_fields["serial"].text))
            d.add_widget(b)
            return
        d.add_widget(SLabel(text="Kartu kendali", font_name=self.font_bold, font_size=sp(14)))
        for k in app.get("kartu_kendali") or []:
            took = _mins(k["duration_seconds"]) if k["duration_seconds"] is not None else "berjalan"
            late = "  [color=c0392b]terlambat[/color]" if k["late"] else ""
            d.add_widget(Muted(text=f"{STEP_NAMES.get(k['step'], k['step'])} · {k['officer'] or '-'} · {took}{late}",
                               shorten=True))
        d.add_widget(Widget())
        if ctl.mode == "register":
            d.add_widget(SLabel(text=f"Nomor seri kartu: {app.get('card_serial') or '-'}",
                                font_name=self.font_bold))
            row = Row(height=sp(42))
            why = self.reg("reprint_reason", Field(hint_text="Alasan cetak ulang (kartu rusak)"))
            serial = self.reg("reprint_serial", Field(hint_text="Seri blangko baru", size_hint_x=0.6))
            row.add_widget(why)
            row.add_widget(serial)
            d.add_widget(row)
            again = self.reg("reprint", Ghost(text="Cetak ulang kartu"))
            again.bind(on_release=lambda *_: self.act(
                ctl.reprint_card, app["id"], {k: f.text for k, f in self.card_fields.items() if k != "serial"},
                serial.text, why.text))
            d.add_widget(again)
            b = self.reg("register", Btn(text="Masukkan ke Register KIA"))
            b.bind(on_release=lambda *_: self.act(ctl.register))
            d.add_widget(b)
            return
        reason = self.reg("return_reason", Field(hint_text="Alasan bila dikembalikan"))
        d.add_widget(reason)
        row = Row()
        ok = self.reg("approve", Btn(text="Setujui TTE & teruskan" if ctl.mode == "tte" else "Setujui & teruskan"))
        ok.bind(on_release=lambda *_: self.act(ctl.approve))
        back = self.reg("send_back", Danger(text="Kembalikan"))
        back.bind(on_release=lambda *_: self.act(ctl.send_back, reason.text))
        row.add_widget(ok)
        row.add_widget(back)
        d.add_widget(row)

    def _load_photo(self, app_id):
        try:
            return self.ctl.client.photo(app_id)
        except Exception:  # the photo is a convenience here; the file is still workable
            return None

    # ------------------------------------------------------------------ hand-over
    def build_handover(self):
        ctl = self.ctl
        left = Card(size_hint_x=0.5)
        top = Row(height=sp(32))
        top.add_widget(Heading(text="Penyerahan dokumen", height=sp(32)))
        self.pickup_number = SLabel(text="", halign="right", font_size=sp(20), height=sp(32))
        top.add_widget(self.pickup_number)
        left.add_widget(top)
        calls = Row()
        for name, label, fn, cls in (("call_next", "Panggil berikutnya", ctl.call_next, Btn),
                                     ("recall", "Panggil ulang", ctl.recall, Ghost),
                                     ("finish", "Selesai", ctl.finish, Ghost)):
            b = self.reg(name, cls(text=label))
            b.bind(on_release=lambda _b, f=fn: self.act(f))
            calls.add_widget(b)
        left.add_widget(calls)
        left.add_widget(Muted(text="Ketik atau pindai kode pada slip pengambilan."))
        row = Row()
        code = self.reg("pickup_code", Field(hint_text="Kode pengambilan, mis. K7M3PQ"))
        row.add_widget(code)
        find = self.reg("find_pickup", Btn(text="Cari", size_hint_x=None, width=sp(110)))
        find.bind(on_release=lambda *_: code.text.strip() and self.act(ctl.find_pickup, code.text))
        code.bind(on_text_validate=lambda *_: find.dispatch("on_release"))
        row.add_widget(find)
        left.add_widget(row)
        self.pickup_box = vbox()
        left.add_widget(self.pickup_box)
        self.body.add_widget(left)
        right = Card(size_hint_x=0.5)
        right.add_widget(Heading(text="Belum diambil"))
        right.add_widget(Muted(text="Per kecamatan, dengan nomor HP untuk dihubungi."))
        self.uncollected_box = vbox(spacing=sp(4))
        right.add_widget(scroll_of(self.uncollected_box))
        self.body.add_widget(right)

    def update_handover(self):
        ctl = self.ctl
        number = ctl.ticket["number"] if ctl.ticket else ctl.current_number
        self.pickup_number.text = f"Nomor [b]{number}[/b]" if number else ""
        for name in ("recall", "finish"):
            self.w[name].disabled = ctl.ticket is None
        box = self.pickup_box
        box.clear_widgets()
        app = ctl.application
        if app:
            ap = app["applicant"]
            box.add_widget(SLabel(text=f"[b]{app['service_name']}[/b]  ·  {app['code']}"))
            box.add_widget(SLabel(text=f"Atas nama [b]{ap['name'] or '-'}[/b]  ·  NIK {ap['nik'] or '-'}"))
            ready = app["state"] == "ready_for_pickup"
            colour = {"ready_for_pickup": "2e8b57", "handed_over": "1b7f79"}.get(app["state"], "c0392b")
            box.add_widget(SLabel(text=f"Status: [color={colour}][b]{STATE_NAMES.get(app['state'], app['state'])}"
                                       f"[/b][/color]"))
            if ready:
                name = self.reg("received_by", Field(hint_text="Nama pengambil (sesuai KTP-el)"))
                rel = self.reg("relation", Choice(text="Orang tua", values=["Orang tua", "Diri sendiri", "Wali",
                                                                         "Kuasa"]))
                ident = self.reg("identity_checked", Tick(text="☐  Identitas pengambil sudah diperiksa"))
                ident.bind(state=lambda b, s: setattr(b, "text", ("☑" if s == "down" else "☐") +
                                                      "  Identitas pengambil sudah diperiksa"))
                for w in (name, rel, ident):
                    box.add_widget(w)
                box.add_widget(Widget())
                go = self.reg("hand_over", Btn(text="Serahkan & cetak tanda terima"))
                go.bind(on_release=lambda *_: self.act(ctl.hand_over, name.text, rel.text, ident.state == "down"))
                box.add_widget(go)
            else:
                box.add_widget(Widget())
        else:
            box.add_widget(Muted(text="Belum ada dokumen dipilih."))
            box.add_widget(Widget())
        ub = self.uncollected_box
        ub.clear_widgets()
        data = ctl.uncollected or {}
        items = {i["code"]: i for i in data.get("items", [])}
        for group in data.get("by_kecamatan", []):
            place = group["kecamatan"] if group["kecamatan_code"] != "-" else "Kecamatan belum dicatat"
            ub.add_widget(SLabel(text=f"{place}  ({group['count']})", font_name=self.font_bold))
            for c in group["codes"]:
                i = items[c]
                ub.add_widget(Muted(text=f"{c} · {i['applicant_name'] or '-'} · {i['service']} · "
                                         f"HP {i['phone'] or '-'} · {i['waiting_days']} hari", shorten=True))
        if not data.get("items"):
            ub.add_widget(Muted(text="Semua dokumen sudah diambil."))


def bgr_texture(frame):
    """A Kivy texture from a BGR uint8 frame (rows flipped: GL's origin is bottom-left)."""
    h, w = frame.shape[:2]
    tex = Texture.create(size=(w, h), colorfmt="bgr")
    tex.blit_buffer(frame[::-1].tobytes(), colorfmt="bgr", bufferfmt="ubyte")
    return tex


def jpeg_texture(data: bytes):
    import cv2
    import numpy as np
    frame = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    return bgr_texture(frame)


def run(server: str, **options) -> None:
    """Start the station window (blocks until closed). ``LOKET_STATION_SCRIPT`` (env)
    names a JSON automation script for tests (``driver.py``)."""
    app = StationApp(server, **options)
    script = os.environ.get("LOKET_STATION_SCRIPT")
    if script:
        from .driver import Driver
        app.driver = Driver(app, script)  # Kivy's Clock keeps only weak references
        app.driver.attach()
    app.run()
