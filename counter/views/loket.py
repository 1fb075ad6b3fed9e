"""The service counter's view: the queue and calling (left), the visit and its
applications (middle), the selected berkas with the panel its step needs (right):
documents check, photo (effect ``photo``), IKD activation (effect ``ikd_activation``)
or another counter step."""
from __future__ import annotations

import threading

from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from ..session import EFFECT_IKD_ACTIVATION
from .base import View
from .widgets import (AMBER, GREEN, RED, BigNumber, Btn, Card, Choice, Danger, Field, Ghost, Heading, Muted, Row,
                      SLabel, Tick, bgr_texture, minutes, scroll_of, sp, vbox)


class LoketView(View):
    """``loket`` mode (see the module docstring)."""

    def __init__(self, app) -> None:
        super().__init__(app)
        self.preview = None
        self.choice_values: dict[str, dict[str, str]] = {}

    # ------------------------------------------------------------------ build
    def build(self) -> None:
        self.app.body.add_widget(self._calling())
        self.app.body.add_widget(self._visit())
        self.detail = Card(size_hint_x=0.58)
        self.app.body.add_widget(self.detail)

    def _calling(self) -> Card:
        ctl = self.ctl
        left = Card(size_hint_x=None, width=sp(330))
        left.add_widget(Heading(text=self.t("queue_waiting")))
        self.queue_box = vbox(spacing=sp(4))
        left.add_widget(scroll_of(self.queue_box))
        call = self.reg("call_next", Btn(text=self.t("btn_call_next"), height=sp(60), font_size=sp(19)))
        call.bind(on_release=lambda *_: self.act(ctl.call_next))
        left.add_widget(call)
        row = Row()
        for name, key, fn in (("recall", "btn_recall", ctl.recall), ("skip", "btn_skip", ctl.skip)):
            b = self.reg(name, Ghost(text=self.t(key)))
            b.bind(on_release=lambda _b, f=fn: self.act(f))
            row.add_widget(b)
        left.add_widget(row)
        row = Row()
        num = self.reg("call_number_input", Field(hint_text=self.t("hint_number")))
        row.add_widget(num)
        b = self.reg("call_number", Ghost(text=self.t("btn_call"), size_hint_x=None, width=sp(110)))
        b.bind(on_release=lambda *_: num.text.strip() and self.act(
            ctl.call_number, num.text, then=lambda r: r and setattr(num, "text", "")))
        row.add_widget(b)
        left.add_widget(row)
        again = self.reg("reprint_ticket", Ghost(text=self.t("btn_reprint_ticket")))
        again.bind(on_release=lambda *_: num.text.strip() and self.act(
            ctl.reprint_ticket, num.text, then=lambda r: r and setattr(num, "text", "")))
        left.add_widget(again)
        row = Row()
        names = {s["name"]: s["code"] for s in ctl.services}
        first = next(iter(names), "")
        transfer = self.reg("transfer_service", Choice(text=first, values=list(names)))
        row.add_widget(transfer)
        b = self.reg("transfer", Ghost(text=self.t("btn_transfer"), size_hint_x=None, width=sp(110)))
        b.bind(on_release=lambda *_: self.act(ctl.transfer, names.get(transfer.text, transfer.text)))
        row.add_widget(b)
        left.add_widget(row)
        fin = self.reg("finish", Danger(text=self.t("btn_finish")))
        fin.bind(on_release=lambda *_: self.act(ctl.finish))
        left.add_widget(fin)
        return left

    def _visit(self) -> Card:
        ctl = self.ctl
        mid = Card(size_hint_x=0.42)
        self.serving_label = Muted(text="", halign="center")
        mid.add_widget(self.serving_label)
        self.serving_number = BigNumber(text="-")
        mid.add_widget(self.serving_number)
        self.serving_info = Muted(text="", halign="center")
        mid.add_widget(self.serving_info)
        mid.add_widget(Heading(text=self.t("visit_applications")))
        self.apps_box = vbox(spacing=sp(6))
        mid.add_widget(scroll_of(self.apps_box))
        more = self.reg("new_application", Ghost(text=self.t("btn_new_application")))
        more.bind(on_release=lambda *_: self.act(ctl.compose_application))
        mid.add_widget(more)
        # the *Tambah permohonan* form lives in the right panel while no berkas is selected;
        # built once, so a redraw (a server event) never clears what the officer typed
        self.form_scroll = self._form()
        return mid

    def _form(self) -> ScrollView:
        ctl = self.ctl
        form = vbox(size_hint_y=None, spacing=sp(6))
        form.bind(minimum_height=form.setter("height"))
        services = {s["name"]: s for s in ctl.services}
        first = next((n for n, s in services.items() if s["code"] == "KIA"), next(iter(services), ""))
        svc = self.reg("new_service", Choice(text=first, values=list(services)))
        form.add_widget(svc)
        name = self.reg("new_name", Field(hint_text=self.t("hint_name")))
        form.add_widget(name)
        row = Row(height=sp(42))
        nik = self.reg("new_nik", Field(hint_text=self.t("hint_nik")))
        bd = self.reg("new_birth_date", Field(hint_text=self.t("hint_birth_date"), size_hint_x=0.7))
        row.add_widget(nik)
        row.add_widget(bd)
        form.add_widget(row)
        self.nik_label = self.reg("nik_result", Muted(text="", height=sp(34)))
        form.add_widget(self.nik_label)
        row = Row(height=sp(42))
        self.sex_values = {self.t("sex_unknown"): "", self.t("choice_sex_L"): "L", self.t("choice_sex_P"): "P"}
        sex = self.reg("new_sex", Choice(text=self.t("sex_unknown"), values=list(self.sex_values), size_hint_x=0.7))
        row.add_widget(sex)
        phone = self.reg("new_phone", Field(hint_text=self.t("hint_phone")))
        row.add_widget(phone)
        form.add_widget(row)
        row = Row(height=sp(42))
        self.kecamatan_values = {self.t("kecamatan_choose"): ""}
        self.kecamatan_values.update({self.t("kecamatan_named", name=n): c for c, n in ctl.kecamatan_choices()})
        kec = self.reg("new_kecamatan", Choice(text=self.t("kecamatan_choose"), values=list(self.kecamatan_values)))
        row.add_widget(kec)
        self.pickup_values = {self.t("pickup_at", place=n): c for c, n in ctl.pickup_choices()}
        pickup = self.reg("new_pickup_office", Choice(text=next(iter(self.pickup_values), ""),
                                                      values=list(self.pickup_values)))
        if len(self.pickup_values) > 1:  # one place only: nothing to choose
            row.add_widget(pickup)
        form.add_widget(row)
        # the citizen's consent to messages about this berkas (issue 14): only where the office sends any
        email = self.reg("new_email", Field(hint_text=self.t("hint_email")))
        notify = self.reg("new_notify", Tick(text="☐  " + self.t("notify_consent"), height=sp(40)))
        notify.bind(state=lambda b, st: setattr(b, "text", ("☑  " if st == "down" else "☐  ") +
                                                self.t("notify_consent")))
        if ctl.office_notifies():
            form.add_widget(email)
            form.add_widget(notify)
        # the selected service's own questions (choices, yes/no, dates), as the office file words them
        self.questions_box = vbox(size_hint_y=None, spacing=sp(6))
        self.questions_box.bind(minimum_height=self.questions_box.setter("height"))
        form.add_widget(self.questions_box)
        add = self.reg("add_application", Btn(text=self.t("btn_add_application")))
        form.add_widget(add)
        again = self.reg("confirm_duplicate", Ghost(text=self.t("btn_confirm_duplicate")))
        again.bind(on_release=lambda *_: self.act(ctl.confirm_duplicate))
        form.add_widget(again)
        self._draft_key: tuple | None = None
        self._services_by_code = {s["code"]: n for n, s in services.items()}
        self._question_fields(services.get(svc.text))
        svc.bind(text=lambda _w, v: self._question_fields(services.get(v)))

        def nik_changed(*_args):
            digits = "".join(c for c in nik.text if c.isdigit())
            if len(digits) == 16:
                self.act(ctl.check_nik, digits, bd.text.strip() if len(bd.text.strip()) == 10 else None,
                         then=lambda _r: self._prefill_from_nik())
            elif not digits:
                ctl.nik_check = None
                self.update_nik()
        nik.bind(text=nik_changed)
        bd.bind(text=lambda _w, v: len(v.strip()) in (0, 10) and nik_changed())  # compare with the documents

        def add_app(*_):
            sv = services.get(svc.text) or {}
            applicant = {"name": name.text.strip(), "nik": nik.text.strip(), "birth_date": bd.text.strip() or None,
                         "phone": phone.text.strip(), "sex": self.sex_values.get(sex.text, ""),
                         "kecamatan_code": self.kecamatan_values.get(kec.text, ""),
                         "pickup_office": self.pickup_values.get(pickup.text) or None,
                         "email": email.text.strip(), "notify": notify.state == "down"}
            self.act(ctl.add_application, sv.get("code", svc.text), self._answers(sv, bd.text.strip()), applicant)
        add.bind(on_release=add_app)
        box = ScrollView(do_scroll_x=False, bar_width=sp(6))
        box.add_widget(form)
        return box

    def _prefill_from_nik(self) -> None:
        """After a valid NIK: the sex and the kecamatan the NIK names, where the officer
        left them unset (both stay editable; the documents decide)."""
        chk = self.ctl.nik_check or {}
        w = self.app.w
        if not chk.get("valid"):
            return
        if self.sex_values.get(w["new_sex"].text, "") == "" and chk.get("sex") in ("L", "P"):
            w["new_sex"].text = next(lbl for lbl, v in self.sex_values.items() if v == chk["sex"])
        kec = self.ctl.kecamatan_of_nik()
        if kec and self.kecamatan_values.get(w["new_kecamatan"].text, "") == "":
            w["new_kecamatan"].text = next(lbl for lbl, v in self.kecamatan_values.items() if v == kec)

    def _question_fields(self, service: dict | None) -> None:
        """One control per question of the selected service (item 3: any configured
        service can be added to a visit): a choice per ``choice`` question (labels shown,
        values sent), a yes/no toggle per ``bool`` question, a date field per ``date``
        question other than the birth date (typed above)."""
        box = self.questions_box
        box.clear_widgets()
        self.choice_values = {}
        self.bool_keys: list[str] = []
        self.date_keys: list[str] = []
        for q in (service or {}).get("questions", ()):
            key, kind = q["key"], q.get("kind")
            if kind == "choice" and q.get("choices"):
                values = {c["label"]: c["value"] for c in q["choices"]}
                self.choice_values[key] = values
                row = Row(height=sp(40))
                row.add_widget(Muted(text=q.get("label") or key, size_hint_x=0.45, height=sp(40), valign="middle"))
                row.add_widget(self.reg(f"new_{key}", Choice(text=next(iter(values)), values=list(values))))
                box.add_widget(row)
            elif kind == "bool":
                self.bool_keys.append(key)
                label = q.get("label") or key
                ages = (q.get("when") or {}).get("age_years")
                if ages:  # a conditional question: say when it counts (e.g. "ever married?" from 10)
                    label += "  " + self.t("asked_for_ages", low=min(ages), high=max(ages))
                t = self.reg(f"new_{key}", Tick(text="☐  " + label, height=sp(40)))
                t.bind(state=lambda b, st, label=label:
                       setattr(b, "text", ("☑  " if st == "down" else "☐  ") + label))
                box.add_widget(t)
            elif kind == "date" and key != "birth_date":
                self.date_keys.append(key)
                box.add_widget(self.reg(f"new_{key}", Field(hint_text=f"{q.get('label') or key} (YYYY-MM-DD)")))

    def _answers(self, service: dict, birth_date: str) -> dict:
        answers: dict = {}
        w = self.app.w
        for q in service.get("questions", ()):
            key = q["key"]
            if q.get("kind") == "date":
                value = birth_date if key == "birth_date" else w[f"new_{key}"].text.strip() if key in self.date_keys \
                    else ""
                if value:
                    answers[key] = value
            elif key in self.choice_values:
                chosen = w[f"new_{key}"].text
                answers[key] = self.choice_values[key].get(chosen, chosen)
            elif key in self.bool_keys:
                answers[key] = w[f"new_{key}"].state == "down"
        return answers

    def _fill_form(self, draft: dict) -> None:
        """Start the *Buat permohonan* form from ``draft`` (:meth:`application_draft`):
        the visit's service and kiosk answers, empty applicant fields."""
        w = self.app.w
        name = self._services_by_code.get(draft.get("service") or "")
        if name:
            w["new_service"].text = name  # rebuilds the question controls (bound)
        for field, key in (("new_name", "name"), ("new_nik", "nik"), ("new_birth_date", "birth_date"),
                           ("new_phone", "phone"), ("new_email", "email")):
            w[field].text = draft.get(key) or ""
        w["new_notify"].state = "normal"  # each citizen consents for themselves
        w["new_sex"].text = self.t("sex_unknown")
        w["new_kecamatan"].text = self.t("kecamatan_choose")
        pickup = next((lbl for lbl, c in self.pickup_values.items() if c == draft.get("pickup_office")), None)
        if pickup:
            w["new_pickup_office"].text = pickup
        answers = draft.get("answers") or {}
        for key, values in self.choice_values.items():
            label = next((lbl for lbl, v in values.items() if v == answers.get(key)), None)
            if label is not None:
                w[f"new_{key}"].text = label
        for key in self.bool_keys:
            w[f"new_{key}"].state = "down" if answers.get(key) is True else "normal"
        for key in self.date_keys:
            w[f"new_{key}"].text = str(answers.get(key) or "")

    # ------------------------------------------------------------------ update
    def update_nik(self) -> None:
        """Show the live NIK check: errors block, warnings only inform."""
        chk = self.ctl.nik_check
        if not chk:
            self.nik_label.text = ""
            return
        if chk["errors"]:
            self.nik_label.color = RED
            self.nik_label.text = self.t("nik_invalid", errors="; ".join(e["message"] for e in chk["errors"]))
            return
        sex = self.t("sex_" + chk["sex"]) if chk.get("sex") in ("L", "P") else "-"
        text = self.t("nik_valid", sex=sex, birth_date=chk.get("birth_date") or "-")
        if chk.get("lansia"):
            text += " · " + self.t("nik_lansia")
        if chk["warnings"]:
            self.nik_label.color = AMBER
            text += " · " + self.t("nik_warnings", warnings="; ".join(w["message"] for w in chk["warnings"]))
        else:
            self.nik_label.color = GREEN
        self.nik_label.text = text

    def update(self) -> None:
        ctl = self.ctl
        self.queue_box.clear_widgets()
        rows = ctl.waiting_for_counter()
        for s in rows:
            line = BoxLayout(size_hint_y=None, height=sp(50), spacing=sp(8))
            info = vbox(spacing=0)
            info.add_widget(SLabel(text=f"[b]{s['name']}[/b]", font_size=sp(14), shorten=True, shorten_from="right"))
            info.add_widget(Muted(text=self.t("next_numbers", numbers=", ".join(s.get("next") or []) or "—"),
                                  shorten=True))
            line.add_widget(info)
            line.add_widget(SLabel(text=f"[b]{s['waiting']}[/b]", font_size=sp(26), halign="right",
                                   size_hint_x=None, width=sp(56), height=sp(50)))
            self.queue_box.add_widget(line)
        self.queue_box.add_widget(Muted(text=self.t("waiting_total", total=sum(s["waiting"] for s in rows))))
        if ctl.photo_steps():
            # berkas waiting for their photo, also of visits already finished (item 4)
            self.queue_box.add_widget(Heading(text=self.t("photo_queue", n=len(ctl.photo_queue)), font_size=sp(15),
                                              height=sp(28)))
            for item in ctl.photo_queue:
                b = self.reg(f"photo_{item['code']}", Ghost(
                    text=self.t("photo_queue_item", code=item["code"], name=item["applicant_name"] or "-",
                                minutes=minutes(item["age_seconds"], ctl.lang)), height=sp(40), font_size=sp(13)))
                b.bind(on_release=lambda _b, i=item["id"]: self.act(ctl.select_application, i))
                self.queue_box.add_widget(b)
        t = ctl.ticket
        self.serving_number.text = t["number"] if t else (ctl.current_number or "—")
        counter = ctl.counter_label()
        if t:
            self.serving_label.text = self.t("serving_at", counter=counter)
            self.serving_info.text = ctl.service(t["service"]).get("name", t["service"]) + \
                (f"  ·  {self.t('priority')}" if t.get("priority") else "") + \
                f"  ·  {self.t('booked') if t.get('booked') else self.t('walk_in')}"
        else:
            self.serving_label.text = self.t("nobody_called", counter=counter)
            self.serving_info.text = self.t("press_call_next") if not ctl.current_number else \
                self.t("called_elsewhere")
        for name in ("recall", "skip", "finish", "transfer", "add_application"):
            self.app.w[name].disabled = t is None
        more = self.app.w["new_application"]
        more.opacity, more.disabled = (1, False) if t and ctl.application else (0, True)
        key = (t["id"] if t else None, ctl.draft_version)
        if key != self._draft_key:  # a new visit (or a berkas just made): the form starts again
            self._draft_key = key
            self._fill_form(ctl.application_draft() or {"service": None})
        dup = self.app.w["confirm_duplicate"]
        dup.opacity, dup.disabled = (1, False) if ctl.pending_duplicate else (0, True)
        self.apps_box.clear_widgets()
        for a in ctl.applications:
            sel = ctl.application and ctl.application["id"] == a["id"]
            b = self.reg(f"app_{a['code']}", Tick(
                text=f"[b]{a['service_name']}[/b] · {a['applicant']['name'] or '-'} · {a['code']}\n"
                     f"{a.get('step_name') or '-'} · {self.state(a['state'])}",
                markup=True, state="down" if sel else "normal", group="apps", allow_no_selection=False))
            b.bind(on_release=lambda _b, i=a["id"]: self.act(ctl.select_application, i))
            self.apps_box.add_widget(b)
        if not ctl.applications:
            self.apps_box.add_widget(Muted(text=self.t("no_applications")))
        self.update_nik()
        self.update_detail()

    def update_detail(self) -> None:
        """The selected berkas with the panel its current step needs."""
        ctl = self.ctl
        d = self.detail
        if not ctl.needs_photo():
            self.stop()
        d.clear_widgets()
        app = ctl.application
        if not app:
            d.add_widget(Heading(text=self.t("add_application")))
            if not ctl.ticket:
                d.add_widget(Muted(text=self.t("select_or_create")))
            if self.form_scroll.parent is not None:
                self.form_scroll.parent.remove_widget(self.form_scroll)
            d.add_widget(self.form_scroll)
            return
        d.add_widget(Heading(text=f"{app['service_name']}"))
        ap = app["applicant"]
        sex = self.t("sex_" + ap["sex"]) if ap.get("sex") in ("L", "P") else self.t("sex_not_set")
        d.add_widget(SLabel(text=self.t("applicant_line", name=ap["name"] or "-", sex=sex, nik=ap["nik"] or "-",
                                        birth_date=ap["birth_date"] or "-")))
        d.add_widget(Muted(text=self.t("berkas_line", code=app["code"], step=app.get("step_name") or "-",
                                       state=self.state(app["state"]))))
        answers = ctl.answer_labels(app)
        if answers:
            line = self.reg("answers_line", Muted(text="  ·  ".join(f"{q}: [b]{a}[/b]" for q, a in answers)))
            d.add_widget(line)
        at_step = app["state"] == "at_step"
        if at_step and self._at_first_step(app):
            self._verify_panel(d)
        elif ctl.needs_photo():
            self._photo_panel(d)
        elif at_step and app.get("step_effect") == EFFECT_IKD_ACTIVATION:
            self._ikd_panel(d)
        elif at_step and (app["service"], app["step"]) in ctl.counter_steps(ctl.counter):
            self._step_panel(d, app)
        elif app["state"] == "returned":
            self._returned_panel(d, app)
        elif app["state"] == "handed_over" and not app.get("step"):
            # finished at the counter (IKD: pickup = false) or collected: nothing to print
            d.add_widget(SLabel(text=self.t("finished_here", note=app.get("outcome_note") or self.state(app["state"]))))
            d.add_widget(Widget())
        else:
            d.add_widget(SLabel(text=self.t("forwarded_to", step=app.get("step_name") or "-")))
            if app.get("siak_reference"):
                d.add_widget(Muted(text=self.t("siak_reference_is", ref=app["siak_reference"])))
            d.add_widget(Widget())
            if ctl.service(app["service"]).get("pickup", True):
                b = self.reg("print_pickup", Ghost(text=self.t("btn_print_pickup")))
                b.bind(on_release=lambda *_: self.act(ctl.print_pickup_slip))
                d.add_widget(b)

    def _at_first_step(self, app: dict) -> bool:
        steps = self.ctl.service(app["service"]).get("steps") or []
        return bool(steps) and steps[0]["code"] == app["step"]

    def _returned_panel(self, d, app) -> None:
        ctl = self.ctl
        d.add_widget(SLabel(text=self.t("returned_missing")))
        for m in app.get("missing") or []:
            d.add_widget(SLabel(text=f"•  {m['label']}"))
        b = self.reg("reprint_rejection", Ghost(text=self.t("btn_reprint_rejection")))
        from .. import receipts
        number = (ctl.ticket or {}).get("number")
        b.bind(on_release=lambda *_: self.act(lambda: ctl._guard(lambda: receipts.print_rejection(ctl, app, number))))
        d.add_widget(Widget())
        d.add_widget(b)

    def _siak_row(self, d) -> None:
        ctl = self.ctl
        row = Row(height=sp(42))
        row.add_widget(SLabel(text=self.t("siak_reference"), size_hint_x=None, width=sp(140), height=sp(42)))
        siak = self.reg("siak_reference", Field(text=ctl.siak_reference, hint_text=self.t("hint_siak")))
        siak.bind(text=lambda _w, v: setattr(ctl, "siak_reference", v.strip()))
        row.add_widget(siak)
        d.add_widget(row)

    def _verify_panel(self, d) -> None:
        ctl = self.ctl
        d.add_widget(SLabel(text=self.t("requirements_tick")))
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
        self._siak_row(d)
        self.verify_btn = self.reg("verify", Btn(text=""))
        self.verify_btn.bind(on_release=lambda *_: self.act(ctl.submit_verification))
        d.add_widget(self.verify_btn)
        self._update_verify_button()

    def _update_verify_button(self) -> None:
        missing = [i for i in self.ctl.checklist() if not i["present"]]
        b = self.verify_btn
        if missing:
            b.text = self.t("btn_return_incomplete", n=len(missing))
            b.background_color = RED
        else:
            b.text = self.t("btn_forward_complete")
            b.background_color = (0.106, 0.498, 0.475, 1)
        self.app.label_shortcut("verify")

    # ------------------------------------------------------------------ photo
    def _photo_panel(self, d) -> None:
        ctl = self.ctl
        d.add_widget(SLabel(text=self.t("photo_title", ratio=ctl.photo_policy.ratio)))
        row = BoxLayout(spacing=sp(12))
        self.preview_img = Image(fit_mode="contain")
        row.add_widget(self.preview_img)
        self.crop_img = Image(fit_mode="contain", size_hint_x=0.42)
        row.add_widget(self.crop_img)
        d.add_widget(row)
        self.photo_msg = self.reg("photo_result", SLabel(text=self.t("photo_press_take")))
        d.add_widget(self.photo_msg)
        r = ctl.photo_result
        if r is not None:
            self._show_result(r)
        buttons = Row()
        take = self.reg("capture", Btn(text=self.t("btn_take_photo")))
        take.bind(on_release=lambda *_: self.capture())
        ok = self.reg("accept_photo", Btn(text=self.t("btn_accept_photo")))
        ok.disabled = not (r is not None and r.ok)
        ok.bind(on_release=lambda *_: self.act(ctl.accept_photo))
        buttons.add_widget(take)
        buttons.add_widget(ok)
        d.add_widget(buttons)
        self._start_preview()

    def _show_result(self, r) -> None:
        if r.crop is not None:
            self.crop_img.texture = bgr_texture(r.crop)
        if r.ok:
            self.photo_msg.color = GREEN
            self.photo_msg.text = self.t("photo_ok")
        else:
            self.photo_msg.color = RED
            self.photo_msg.text = self.t("photo_refused_retake", reasons=" ".join(r.messages(self.ctl.lang)))

    def _start_preview(self) -> None:
        from counter.photo import CameraError, LivePreview, open_camera
        if self.preview is not None:
            return
        if not self.app.camera_uri:
            self.photo_msg.text = self.t("no_camera_option")
            return
        try:
            cam = open_camera(self.app.camera_uri)
            self.preview = LivePreview(cam, self.ctl.photo_policy, fps=10, analyse_every=5,
                                       on_frame=lambda f: Clock.schedule_once(lambda dt: self._frame(f)),
                                       on_error=lambda e: Clock.schedule_once(lambda dt: self._camera_error(e)))
            self.preview.start()
        except CameraError as e:
            self._camera_error(e)

    def _frame(self, frame) -> None:
        if self.preview is not None and getattr(self, "preview_img", None) is not None:
            self.preview_img.texture = bgr_texture(frame.frame)

    def _camera_error(self, e) -> None:
        msg = e.message(self.ctl.lang) if hasattr(e, "message") else str(e)
        if getattr(self, "photo_msg", None) is not None:
            self.photo_msg.color = RED
            self.photo_msg.text = self.t("camera_problem", message=msg)

    def stop(self) -> None:
        """Stop the camera preview (when the photo panel goes away)."""
        if self.preview is not None:
            preview, self.preview = self.preview, None
            threading.Thread(target=preview.stop, daemon=True).start()

    def capture(self) -> None:
        """Judge the latest preview frame."""
        latest = self.preview.latest() if self.preview else None
        if latest is None:
            self._camera_error(Exception(self.t("no_camera_frame")))
            return
        self.act(self.ctl.judge_frame, latest.frame)

    # ------------------------------------------------------------------ other counter steps
    def _step_panel(self, d, app) -> None:
        ctl = self.ctl
        d.add_widget(SLabel(text=self.t("counter_step", step=app.get("step_name") or "-")))
        d.add_widget(Muted(text=self.t("counter_step_help")))
        d.add_widget(Widget())
        self._siak_row(d)
        b = self.reg("complete_step", Btn(text=self.t("btn_step_done")))
        b.bind(on_release=lambda *_: self.act(ctl.complete_counter_step))
        d.add_widget(b)

    def _ikd_panel(self, d) -> None:
        ctl = self.ctl
        d.add_widget(SLabel(text=self.t("ikd_title")))
        reason = self.reg("ikd_reason", Field(hint_text=self.t("hint_ikd_reason")))
        d.add_widget(Widget())
        d.add_widget(reason)
        row = Row()
        yes = self.reg("ikd_yes", Btn(text=self.t("btn_ikd_yes")))
        yes.bind(on_release=lambda *_: self.act(ctl.record_ikd, True, ""))
        no = self.reg("ikd_no", Danger(text=self.t("btn_ikd_no")))
        no.bind(on_release=lambda *_: self.act(ctl.record_ikd, False, reason.text))
        row.add_widget(yes)
        row.add_widget(no)
        d.add_widget(row)
