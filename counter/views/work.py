"""A back-office work queue's view: the berkas waiting at the step (oldest first, late
ones in red) and the taken berkas with what its step's effect needs: the card data and
serial (``card_print``), the Register KIA and reprints (``register``), or approve /
send back with the kartu kendali (any other step)."""
from __future__ import annotations

from pathlib import Path

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.image import Image
from kivy.uix.widget import Widget

from ..receipts import CARD_FIELDS
from ..session import EFFECT_CARD_PRINT, EFFECT_DISTRIBUTION, EFFECT_ONLINE_VERIFICATION, EFFECT_REGISTER
from .base import View
from .widgets import Btn, Card, Danger, Field, Ghost, Heading, Muted, Row, SLabel, Tick, jpeg_texture, minutes, \
    scroll_of, sp, vbox


class WorkView(View):
    """Any back-office mode (the mode is the step code)."""

    def build(self) -> None:
        left = Card(size_hint_x=0.46)
        self.work_title = Heading(text="")
        left.add_widget(self.work_title)
        left.add_widget(Muted(text=self.t("work_help")))
        self.work_box = vbox(spacing=sp(6))
        left.add_widget(scroll_of(self.work_box))
        reload_btn = self.reg("reload", Ghost(text=self.t("btn_reload")))
        reload_btn.bind(on_release=lambda *_: self.act(self.ctl.reload))
        left.add_widget(reload_btn)
        self.app.body.add_widget(left)
        self.detail = Card(size_hint_x=0.54)
        self.app.body.add_widget(self.detail)

    def update(self) -> None:
        ctl = self.ctl
        lang = ctl.lang
        self.work_title.text = self.t("work_queue_of", step=ctl.work_queue_name(ctl.work_step))
        self.work_box.clear_widgets()
        for item in ctl.work_items:
            line = Card(orientation="horizontal", size_hint_y=None, height=sp(66), padding=sp(10))
            info = vbox(spacing=0)
            info.add_widget(SLabel(text=f"[b]{item['applicant_name'] or '-'}[/b]  ·  "
                                        f"{ctl.service(item['service']).get('name', item['service'])}", shorten=True))
            colour = "c0392b" if item["late"] else "5b6b7b"
            text = self.t("work_item_age", code=item["code"], colour=colour, age=minutes(item["age_seconds"], lang),
                          mutu=minutes(item["mutu_baku_seconds"], lang))
            if item.get("taken_by"):
                text += "  ·  " + self.t("taken_by", officer=item["taken_by"])
            info.add_widget(Muted(text=text))
            line.add_widget(info)
            b = self.reg(f"take_{item['code']}", Btn(text=self.t("btn_take"), size_hint=(None, None), width=sp(96),
                                                      height=sp(44)))
            b.bind(on_release=lambda _b, i=item["id"]: self.act(ctl.take, i))
            line.add_widget(b)
            self.work_box.add_widget(line)
        if not ctl.work_items:
            self.work_box.add_widget(Muted(text=self.t("work_empty")))
        self._update_detail()

    def _update_detail(self) -> None:
        ctl = self.ctl
        d = self.detail
        d.clear_widgets()
        app = ctl.application
        effect = ctl.work_effect
        if effect == EFFECT_DISTRIBUTION:
            self._distribution_panel(d)
            return
        if not app:
            d.add_widget(Heading(text=self.t("berkas")))
            d.add_widget(Muted(text=self.t("take_from_list")))
            if effect == EFFECT_CARD_PRINT and ctl.last_card:
                d.add_widget(SLabel(text=self.t("last_card", name=Path(ctl.last_card).name)))
            if effect == EFFECT_CARD_PRINT and ctl.pending_card:
                again = self.reg("retry_card_print", Btn(text=self.t("btn_print_again")))
                again.bind(on_release=lambda *_: self.act(ctl.retry_card_print))
                d.add_widget(again)
            d.add_widget(Widget())
            return
        d.add_widget(Heading(text=f"{app['service_name']} · {app['code']}"))
        if effect == EFFECT_ONLINE_VERIFICATION:
            self._online_panel(d, app)
            return
        d.add_widget(self._facts(app))
        if effect == EFFECT_CARD_PRINT:
            self._card_panel(d)
            return
        d.add_widget(SLabel(text=self.t("kartu_kendali"), font_name=self.app.font_bold, font_size=sp(14)))
        for k in app.get("kartu_kendali") or []:
            took = minutes(k["duration_seconds"], ctl.lang) if k["duration_seconds"] is not None else self.t("running")
            late = "  [color=c0392b]" + self.t("late") + "[/color]" if k["late"] else ""
            d.add_widget(Muted(text=f"{ctl.step_name(k['step'], app['service'])} · {k['officer'] or '-'} · "
                                    f"{took}{late}", shorten=True))
        d.add_widget(Widget())
        if effect == EFFECT_REGISTER:
            self._register_panel(d, app)
        else:
            self._approve_panel(d, app)

    def _facts(self, app: dict) -> BoxLayout:
        ap = app["applicant"]
        top = BoxLayout(size_hint_y=None, height=sp(150), spacing=sp(12))
        facts = vbox(spacing=sp(2))
        for key, value in (("fact_name", ap["name"]), ("fact_nik", ap["nik"]), ("fact_birth_date", ap["birth_date"]),
                           ("fact_phone", ap["phone"]), ("siak_reference", app.get("siak_reference")),
                           ("fact_documents", self._documents(app))):
            facts.add_widget(SLabel(text=f"[color=5b6b7b]{self.t(key)}:[/color] [b]{value or '-'}[/b]",
                                    font_size=sp(14), shorten=True))
        top.add_widget(facts)
        if app.get("has_photo"):
            img = Image(size_hint_x=None, width=sp(100), fit_mode="contain")
            top.add_widget(img)
            self.app.fetch(self._load_photo, app["id"],
                           then=lambda data: data and setattr(img, "texture", jpeg_texture(data)))
        return top

    @staticmethod
    def _documents(app: dict) -> str:
        """The documents present, by their checklist labels (never their codes)."""
        labels = {i["code"]: i["label"] for i in (app.get("checklist") or {}).get("items") or []}
        return ", ".join(labels.get(c, c) for c in app.get("documents_present") or []) or "-"

    def _card_fields(self, d, extra: tuple[tuple[str, str], ...]) -> None:
        grid = GridLayout(cols=2, spacing=(sp(10), sp(4)), size_hint_y=None)
        grid.bind(minimum_height=grid.setter("height"))
        fields = [(k, self.t(key)) for k, key in CARD_FIELDS.items()] + [(k, self.t(key)) for k, key in extra]
        for key, text in fields:
            cell = vbox(spacing=sp(2), size_hint_y=None, height=sp(58))
            cell.add_widget(Muted(text=text, height=sp(18)))
            old = self.app.card_fields.get(key)
            # an online application brings the place of birth and No. KK the citizen typed (SIAK decides)
            known = ((self.ctl.application or {}).get("card_data") or {}).get(key, "")
            f = self.reg(f"card_{key}", Field(text=old.text if old and old.text else known, height=sp(36),
                                              font_size=sp(14)))
            self.app.card_fields[key] = f
            cell.add_widget(f)
            grid.add_widget(cell)
        d.add_widget(grid)

    def _card_data(self) -> dict:
        return {k: f.text for k, f in self.app.card_fields.items() if k != "serial"}

    def _card_panel(self, d) -> None:
        ctl = self.ctl
        d.add_widget(SLabel(text=self.t("card_data_from_siak"), font_name=self.app.font_bold, font_size=sp(14)))
        self._card_fields(d, (("serial", "card_serial"),))
        d.add_widget(Widget())
        b = self.reg("print_card", Btn(text=self.t("btn_print_card")))
        b.bind(on_release=lambda *_: self.act(ctl.print_card, self._card_data(), self.app.card_fields["serial"].text))
        d.add_widget(b)

    def _register_panel(self, d, app: dict) -> None:
        ctl = self.ctl
        d.add_widget(SLabel(text=self.t("card_serial_is", serial=app.get("card_serial") or "-"),
                            font_name=self.app.font_bold))
        row = Row(height=sp(42))
        why = self.reg("reprint_reason", Field(hint_text=self.t("hint_reprint_reason")))
        serial = self.reg("reprint_serial", Field(hint_text=self.t("hint_new_serial"), size_hint_x=0.6))
        row.add_widget(why)
        row.add_widget(serial)
        d.add_widget(row)
        again = self.reg("reprint", Ghost(text=self.t("btn_reprint_card")))
        again.bind(on_release=lambda *_: self.act(ctl.reprint_card, app["id"], self._card_data(), serial.text,
                                                  why.text))
        d.add_widget(again)
        b = self.reg("register", Btn(text=self.t("btn_register")))
        b.bind(on_release=lambda *_: self.act(ctl.register))
        d.add_widget(b)

    def _approve_panel(self, d, app: dict) -> None:
        ctl = self.ctl
        reason = self.reg("return_reason", Field(hint_text=self.t("hint_return_reason")))
        d.add_widget(reason)
        row = Row()
        ok = self.reg("approve", Btn(text=self.t("btn_approve", step=ctl.step_name(ctl.work_step, app["service"]))))
        ok.bind(on_release=lambda *_: self.act(ctl.approve))
        back = self.reg("send_back", Danger(text=self.t("btn_send_back")))
        back.bind(on_release=lambda *_: self.act(ctl.send_back, reason.text))
        row.add_widget(ok)
        row.add_widget(back)
        d.add_widget(row)

    # ------------------------------------------------------------ online (SOP 001 row 2)
    def _online_panel(self, d, app: dict) -> None:
        """The applicant's data (NIK warnings included) beside the uploads: a thumbnail per
        document (tap to zoom; PDFs rendered page by page), a tick per document matching
        SIAK, the SIAK reference, notes for the citizen, accept or return."""
        ctl = self.ctl
        ap = app["applicant"]
        kec = {k["code"]: k["name"] for k in ctl.office.get("kecamatan") or []}
        facts = vbox(spacing=sp(1), size_hint_y=None, height=sp(150))
        for key, value in (("fact_name", ap["name"]), ("fact_nik", ap["nik"]), ("fact_birth_date", ap["birth_date"]),
                           ("fact_parent", app.get("parent_name")), ("fact_phone", ap["phone"] or ap.get("email")),
                           ("fact_kecamatan", kec.get(ap["kecamatan_code"], ap["kecamatan_code"])),
                           ("fact_pickup", app.get("pickup_office_name") or app.get("pickup_office"))):
            facts.add_widget(SLabel(text=f"[color=5b6b7b]{self.t(key)}:[/color] [b]{value or '-'}[/b]",
                                    font_size=sp(13), shorten=True, height=sp(20)))
        d.add_widget(facts)
        for w in (app.get("nik_check") or {}).get("warnings") or []:
            d.add_widget(SLabel(text="[color=c0392b]" + self.t("nik_warning", text=w.get("message", "")) + "[/color]",
                                font_size=sp(13), shorten=True, height=sp(20)))
        if app.get("return_notes"):
            d.add_widget(Muted(text=app["return_notes"], shorten=True))
        d.add_widget(SLabel(text=self.t("online_docs"), font_name=self.app.font_bold, font_size=sp(14)))
        labels = {i["code"]: i["label"] for i in (app.get("checklist") or {}).get("items") or []}
        grid = GridLayout(cols=3, spacing=sp(8), size_hint_y=None, height=sp(190))
        self.app.online_ticks = {}
        for up in app.get("uploads") or []:
            cell = vbox(spacing=sp(2))
            img = Image(fit_mode="contain")
            cell.add_widget(img)
            self.app.fetch(self.ctl.upload_image, up, 1, 480,
                           then=lambda data, im=img: data and setattr(im, "texture", jpeg_texture(data)))
            pages = f" · {self.t('page_of', page=1, pages=up['pages'])}" if up.get("pages") else ""
            label = labels.get(up["requirement"], up["requirement"])
            tick = self.reg(f"doc_{up['requirement']}", Tick(text=f"☐  {label}{pages}", size_hint_y=None,
                                                             height=sp(34), font_size=sp(12)))
            tick.bind(state=lambda b, st, text=f"{label}{pages}": setattr(b, "text", ("☑" if st == "down" else "☐")
                                                                          + f"  {text}"))
            self.app.online_ticks[up["requirement"]] = tick
            cell.add_widget(tick)
            zoom = self.reg(f"zoom_{up['requirement']}", Ghost(text=self.t("btn_zoom"), size_hint_y=None,
                                                               height=sp(30), font_size=sp(12)))
            zoom.bind(on_release=lambda _b, u=up, text=label: self._zoom(u, text))
            cell.add_widget(zoom)
            grid.add_widget(cell)
        d.add_widget(grid)
        siak = self.reg("siak_reference", Field(hint_text=self.t("siak_reference"), text=app.get("siak_reference") or ""))
        d.add_widget(siak)
        notes = self.reg("online_notes", Field(hint_text=self.t("online_notes_hint")))
        d.add_widget(notes)
        d.add_widget(Widget())
        row = Row()
        ok = self.reg("accept_online", Btn(text=self.t("btn_accept_online")))

        def ticked():
            return [code for code, t in self.app.online_ticks.items() if t.state == "down"]
        ok.bind(on_release=lambda *_: self.act(ctl.verify_online, "accept", ticked(), siak.text, notes.text))
        back = self.reg("return_online", Danger(text=self.t("btn_return_online")))
        back.bind(on_release=lambda *_: self.act(ctl.verify_online, "return", ticked(), siak.text, notes.text))
        row.add_widget(ok)
        row.add_widget(back)
        d.add_widget(row)

    def _zoom(self, upload: dict, title: str) -> None:
        """A large view of one upload: zoom in and out, scroll, next/previous page of a PDF."""
        from kivy.uix.modalview import ModalView
        from kivy.uix.scrollview import ScrollView
        view = ModalView(size_hint=(0.94, 0.94), auto_dismiss=True)
        box = vbox(spacing=sp(6), padding=sp(8))
        head = Row(height=sp(40))
        head.add_widget(SLabel(text=f"[b][color=ffffff]{title}[/color][/b]", shorten=True))
        state = {"zoom": 1.0, "page": 1}
        scroll = ScrollView(do_scroll_x=True, do_scroll_y=True)
        img = Image(size_hint=(None, None), fit_mode="contain")
        scroll.add_widget(img)

        def fit():
            tex = img.texture
            if tex is None:
                return
            base = min(scroll.width / max(1, tex.width), scroll.height / max(1, tex.height))
            img.size = (tex.width * base * state["zoom"], tex.height * base * state["zoom"])

        def load():
            self.app.fetch(self.ctl.upload_image, upload, state["page"], 1600,
                           then=lambda data: data and (setattr(img, "texture", jpeg_texture(data)), fit()))

        def zoom(factor):
            state["zoom"] = max(1.0, min(6.0, state["zoom"] * factor))
            fit()

        def page(step):
            pages = upload.get("pages") or 1
            state["page"] = max(1, min(pages, state["page"] + step))
            load()
        for name, text, fn in (("zoom_in", "+", lambda: zoom(1.5)), ("zoom_out", "−", lambda: zoom(1 / 1.5))):
            b = self.reg(name, Ghost(text=text, size_hint_x=None, width=sp(56)))
            b.bind(on_release=lambda _b, f=fn: f())
            head.add_widget(b)
        if (upload.get("pages") or 1) > 1:
            for name, text, step in (("page_prev", "‹", -1), ("page_next", "›", 1)):
                b = self.reg(name, Ghost(text=text, size_hint_x=None, width=sp(56)))
                b.bind(on_release=lambda _b, s=step: page(s))
                head.add_widget(b)
        close = self.reg("zoom_close", Btn(text=self.t("btn_close"), size_hint_x=None, width=sp(110)))
        close.bind(on_release=lambda *_: view.dismiss())
        head.add_widget(close)
        box.add_widget(head)
        box.add_widget(scroll)
        view.add_widget(box)
        scroll.bind(size=lambda *_: fit())
        self.app.zoom_view = view
        view.bind(on_dismiss=lambda *_: setattr(self.app, "zoom_view", None))
        view.open()
        load()

    # ------------------------------------------------------------ distribution (SOP 001 row 4)
    def _distribution_panel(self, d) -> None:
        ctl = self.ctl
        d.add_widget(Heading(text=self.t("distribution_title")))
        d.add_widget(Muted(text=self.t("distribution_help")))
        if not ctl.distribution:
            d.add_widget(Muted(text=self.t("distribution_empty")))
        for g in ctl.distribution:
            b = self.reg(f"send_{g['pickup_office']}", Btn(text=self.t("btn_send_batch", n=g["count"],
                                                                        place=g["name"])))
            b.bind(on_release=lambda _b, code=g["pickup_office"]: self.act(ctl.send_batch, code))
            d.add_widget(b)
        if ctl.pending_batch:
            again = self.reg("retry_batch_print", Ghost(text=self.t("btn_print_batch_again")))
            again.bind(on_release=lambda *_: self.act(ctl.retry_batch_print))
            d.add_widget(again)
        d.add_widget(Widget())

    def _load_photo(self, app_id):
        try:
            return self.ctl.client.photo(app_id)
        except Exception:  # the photo is a convenience here; the file is still workable
            return None
