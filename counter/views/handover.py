"""The hand-over counter's view: call, find a document by its pickup code, hand it
over with the identity check and a tanda terima; the uncollected list by kecamatan."""
from __future__ import annotations

from kivy.uix.widget import Widget

from .base import View
from .widgets import Btn, Card, Choice, Field, Ghost, Heading, Muted, Row, SLabel, Tick, scroll_of, sp, vbox

#: Relations of the person collecting a document (catalogue keys).
RELATIONS = ("relation_parent", "relation_self", "relation_guardian", "relation_proxy")


class HandoverView(View):
    """``handover`` mode."""

    def build(self) -> None:
        ctl = self.ctl
        left = Card(size_hint_x=0.5)
        top = Row(height=sp(32))
        top.add_widget(Heading(text=self.t("mode_handover"), height=sp(32)))
        self.pickup_number = SLabel(text="", halign="right", font_size=sp(20), height=sp(32))
        top.add_widget(self.pickup_number)
        left.add_widget(top)
        calls = Row()
        for name, key, fn, cls in (("call_next", "btn_call_next", ctl.call_next, Btn),
                                   ("recall", "btn_recall", ctl.recall, Ghost),
                                   ("finish", "btn_finish_short", ctl.finish, Ghost)):
            b = self.reg(name, cls(text=self.t(key)))
            b.bind(on_release=lambda _b, f=fn: self.act(f))
            calls.add_widget(b)
        left.add_widget(calls)
        left.add_widget(Muted(text=self.t("pickup_help")))
        row = Row()
        code = self.reg("pickup_code", Field(hint_text=self.t("hint_pickup_code")))
        row.add_widget(code)
        find = self.reg("find_pickup", Btn(text=self.t("btn_find"), size_hint_x=None, width=sp(110)))
        find.bind(on_release=lambda *_: code.text.strip() and self.act(ctl.find_pickup, code.text))
        code.bind(on_text_validate=lambda *_: find.dispatch("on_release"))
        row.add_widget(find)
        left.add_widget(row)
        self.pickup_box = vbox()
        left.add_widget(self.pickup_box)
        self.app.body.add_widget(left)
        right = Card(size_hint_x=0.5)
        # batches on their way here from the Dinas (SOP 001 row 5): confirmed on arrival
        self.incoming_box = vbox(spacing=sp(4), size_hint_y=None)
        self.incoming_box.bind(minimum_height=self.incoming_box.setter("height"))
        right.add_widget(self.incoming_box)
        right.add_widget(Heading(text=self.t("uncollected")))
        right.add_widget(Muted(text=self.t("uncollected_help")))
        self.uncollected_box = vbox(spacing=sp(4))
        right.add_widget(scroll_of(self.uncollected_box))
        if ctl.office_notifies():  # the office's own WhatsApp, message by message (issue 14)
            right.add_widget(Heading(text=self.t("manual_title")))
            self.manual_box = vbox(spacing=sp(4))
            right.add_widget(scroll_of(self.manual_box))
        else:
            self.manual_box = None
        self.app.body.add_widget(right)

    def update(self) -> None:
        ctl = self.ctl
        number = ctl.ticket["number"] if ctl.ticket else ctl.current_number
        self.pickup_number.text = self.t("number_is", number=number) if number else ""
        for name in ("recall", "finish"):
            self.app.w[name].disabled = ctl.ticket is None
        self._update_pickup()
        self._update_incoming()
        self._update_uncollected()
        self._update_manual()

    def _update_incoming(self) -> None:
        box = self.incoming_box
        box.clear_widgets()
        ctl = self.ctl
        if not ctl.incoming:
            return
        box.add_widget(Heading(text=self.t("incoming_title")))
        box.add_widget(Muted(text=self.t("incoming_help")))
        for b in ctl.incoming[:10]:
            go = self.reg(f"receive_{b['code']}", Btn(text=self.t("btn_receive_batch", code=b["code"], n=b["count"]),
                                                      size_hint_y=None, height=sp(42)))
            go.bind(on_release=lambda _b, i=b["id"]: self.act(ctl.receive_batch, i))
            box.add_widget(go)

    def _update_manual(self) -> None:
        box = self.manual_box
        if box is None:
            return
        box.clear_widgets()
        ctl = self.ctl
        if not ctl.manual:
            box.add_widget(Muted(text=self.t("manual_none")))
            return
        for m in ctl.manual[:20]:
            box.add_widget(Muted(text=f"{self.t('kind_' + m['kind'])} · {m['recipient']}", shorten=True))
            row = Row(height=sp(38))
            send = self.reg(f"manual_open_{m['id']}", Btn(text=self.t("btn_manual_open")))
            send.bind(on_release=lambda _b, i=m["id"]: ctl.open_manual(i))
            done = self.reg(f"manual_sent_{m['id']}", Ghost(text=self.t("btn_manual_sent")))
            done.bind(on_release=lambda _b, i=m["id"]: self.act(ctl.manual_sent, i))
            row.add_widget(send)
            row.add_widget(done)
            box.add_widget(row)

    def _update_pickup(self) -> None:
        ctl = self.ctl
        box = self.pickup_box
        box.clear_widgets()
        app = ctl.application
        if not app:
            box.add_widget(Muted(text=self.t("no_document_selected")))
            box.add_widget(Widget())
            return
        ap = app["applicant"]
        box.add_widget(SLabel(text=f"[b]{app['service_name']}[/b]  ·  {app['code']}"))
        box.add_widget(SLabel(text=self.t("in_the_name_of", name=ap["name"] or "-", nik=ap["nik"] or "-")))
        colour = {"ready_for_pickup": "2e8b57", "handed_over": "1b7f79"}.get(app["state"], "c0392b")
        box.add_widget(SLabel(text=self.t("status_is", colour=colour, state=self.state(app["state"]))))
        if app["state"] != "ready_for_pickup":
            box.add_widget(Widget())
            return
        name = self.reg("received_by", Field(hint_text=self.t("hint_received_by")))
        relations = [self.t(k) for k in RELATIONS]
        rel = self.reg("relation", Choice(text=relations[0], values=relations))
        checked = self.t("identity_checked")
        ident = self.reg("identity_checked", Tick(text=f"☐  {checked}"))
        ident.bind(state=lambda b, s: setattr(b, "text", ("☑" if s == "down" else "☐") + f"  {checked}"))
        for w in (name, rel, ident):
            box.add_widget(w)
        box.add_widget(Widget())
        go = self.reg("hand_over", Btn(text=self.t("btn_hand_over")))
        go.bind(on_release=lambda *_: self.act(ctl.hand_over, name.text, rel.text, ident.state == "down"))
        box.add_widget(go)

    def _update_uncollected(self) -> None:
        ub = self.uncollected_box
        ub.clear_widgets()
        data = self.ctl.uncollected or {}
        items = {i["code"]: i for i in data.get("items", [])}
        for group in data.get("by_kecamatan", []):
            place = group["kecamatan"] if group["kecamatan_code"] != "-" else self.t("kecamatan_unknown")
            ub.add_widget(SLabel(text=f"{place}  ({group['count']})", font_name=self.app.font_bold))
            for c in group["codes"]:
                i = items[c]
                ub.add_widget(Muted(text=self.t("uncollected_line", code=c, name=i["applicant_name"] or "-",
                                                service=i["service"], phone=i["phone"] or "-",
                                                days=f"{float(i['waiting_days']):.0f}"), shorten=True))
                last = i.get("last_message")
                if last:  # the last message that reached the citizen (issue 14)
                    ub.add_widget(Muted(text=self.t("uncollected_last", kind=self.t("kind_" + last["kind"]),
                                                    channel=last["channel"], when=(last["sent_at"] or "")[:16]
                                                    .replace("T", " ")), shorten=True))
        if not data.get("items"):
            ub.add_widget(Muted(text=self.t("all_collected")))
