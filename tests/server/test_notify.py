"""Notifications (issue 14) through the Flask client: the office file's
``[notifications]``, the outbox rows the triggers write in the same transaction as their
cause, the sender's retries and failures against fake channels, consent and its
withdrawal, the officers' manual WhatsApp list and the admin's outbox."""
from __future__ import annotations

import pytest
from server_kit import (
    CHILD,
    KIA_CARD,
    MONDAY_0900,
    issue,
    jpeg,
    login_tokens,
    step,
    with_notifications,
)

from queue_server.config import OfficeConfigError, load_office
from queue_server.db.models import AuditLog, Message, db
from queue_server.domain import notify as rules
from queue_server.notify import outbox
from queue_server.notify.channels import FakeChannel, SendError
from queue_server.notify.triggers import NotifySweeper

NOTIFY = """
[notifications]
channels = ["whatsapp", "email"]
near_ahead = 2
uncollected_after_days = 7
survey_url = "https://ikm.paserkab.go.id/survei"
retry_base_seconds = 30

[notifications.whatsapp]
phone_number_id = "1234567890"

[notifications.email]
host = "127.0.0.1"
port = 2525
security = "none"
sender = "loket@paserkab.go.id"
"""

#: every test here runs on SQLite and on PostgreSQL (issue 17)
ENGINES = ("sqlite", "postgresql")


@pytest.fixture
def fakes():
    return {"whatsapp": FakeChannel("whatsapp"), "email": FakeChannel("email")}


@pytest.fixture
def app(make_app, offices_dir, fakes):
    with_notifications(offices_dir, NOTIFY)
    return make_app(NOTIFY_DRIVERS=fakes)


def relogin(app, role: str, clock) -> dict:
    """A fresh session for ``u_<role>`` at the clock's time."""
    from server_kit import PASSWORD

    from queue_server.auth import login
    with app.app_context(), db.connection_context():
        token, _ = login(f"u_{role}", PASSWORD, now=clock.now())
    return {"Authorization": f"Bearer {token}"}


def sender(app):
    return app.extensions["loket_sender"]


def deliver(app) -> int:
    with app.app_context(), db.connection_context():
        return sender(app).run_once()


def messages(**where) -> list[Message]:
    with db.connection_context():
        q = Message.select().order_by(Message.id)
        for k, v in where.items():
            q = q.where(getattr(Message, k) == v)
        return list(q)


# -- rules and the office file ---------------------------------------------------------
def test_templates_take_only_their_own_placeholders_and_render_nothing_else():
    assert rules.template_problems("ticket_near", "Nomor {number}, {ahead} lagi") == []
    assert rules.template_problems("ticket_near", "NIK {nik}")[0].startswith("{nik} tidak tersedia")
    assert rules.template_problems("card_ready", "{code.__class__}")  # no attribute access either
    assert rules.template_problems("nope", "x")[0].startswith("jenis pesan tidak dikenal")
    assert rules.template_problems("test", "{office") == ["kurung kurawal tidak berpasangan (unbalanced braces)"]
    assert rules.render("{office}: nomor {number}  ({missing})", {"office": "Paser", "number": "A001"}) == \
        "Paser: nomor A001 ()"
    policy = rules.NotificationPolicy(channels=("sms",), retry_base_seconds=30, retry_cap_seconds=600)
    assert [policy.retry_delay(n) for n in (1, 2, 3, 4, 5, 6)] == [30, 60, 120, 240, 480, 600]
    assert policy.channel_for("+6281234567890") == "sms" and policy.channel_for("a@b.id") is None
    assert rules.wa_me_link("+6281234567890", "Nomor A001 dipanggil") == \
        "https://wa.me/6281234567890?text=Nomor%20A001%20dipanggil"


def test_the_office_file_refuses_secrets_unknown_channels_and_bad_templates(offices_dir):
    with_notifications(offices_dir, """
[notifications]
channels = ["whatsapp", "telegram", "sms"]
access_token = "EAAG..."
[notifications.templates]
ticket_called = "Nomor {number}, NIK {nik}"
[notifications.whatsapp]
phone_number_id = "abc"
""")
    with pytest.raises(OfficeConfigError) as e:
        load_office(offices_dir / "default.toml")
    text = str(e.value)
    assert "notifications.access_token: rahasia tidak boleh di berkas kantor" in text
    assert "notifications.channels[2]: saluran 'telegram' tidak dikenal" in text
    assert "saluran 'sms' dipilih tetapi tabel [notifications.sms] tidak ada" in text
    assert "notifications.templates.ticket_called: {nik} tidak tersedia" in text
    assert "notifications.whatsapp.phone_number_id: angka ID" in text


def test_the_shipped_office_files_send_nothing():
    from server_kit import OFFICES
    office = load_office(OFFICES / "default.toml")
    assert not office.notifications.enabled and office.notifications.near_ahead == 3


# -- triggers ----------------------------------------------------------------------------
def test_near_and_called_go_once_to_the_ticket_that_consented(client, tokens, app):
    r = issue(client, tokens, contact="0812-3456-7890", notify=True)
    assert r.status_code == 201
    mine = r.json
    issue(client, tokens)  # no consent: never messaged
    r = issue(client, tokens, contact="0812 3456", notify=True)
    assert r.status_code == 422 and r.json["error"]["details"]["field"] == "contact"
    r = issue(client, tokens, notify=True)
    assert r.status_code == 422 and r.json["error"]["code"] == "contact_required"
    for _ in range(3):
        issue(client, tokens)
    # A001 is first: two people ahead of nobody → the first call messages "called" only
    assert client.post("/api/v1/counters/1/call-next", json={}, headers=tokens["operator"]).json["number"] == "A001"
    rows = messages()
    assert [(m.kind, m.channel, m.recipient) for m in rows] == [("ticket_called", "whatsapp", "+6281234567890")]
    assert "Silakan menuju loket 1" in rows[0].text and "A001" in rows[0].text
    # a recall or a second call of the same ticket writes nothing new
    client.post("/api/v1/counters/1/recall", json={}, headers=tokens["operator"])
    assert len(messages()) == 1
    assert mine["number"] == "A001"


def test_turn_near_when_near_ahead_or_fewer_wait_before(client, tokens, app):
    for _ in range(3):
        issue(client, tokens)
    mine = issue(client, tokens, contact="nur@contoh.id", notify=True).json  # A004: three ahead
    client.post("/api/v1/counters/1/call-next", json={}, headers=tokens["operator"])  # A001 called: 2 ahead
    near = messages(kind="ticket_near")
    assert [(m.channel, m.recipient, m.cause) for m in near] == [("email", "nur@contoh.id",
                                                                  f"ticket_near:{mine['id']}")]
    assert "2 orang lagi sebelum Anda" in near[0].text and mine["status_url"] in near[0].text
    client.post("/api/v1/counters/1/call-next", json={}, headers=tokens["operator"])  # 1 ahead: no second
    assert len(messages(kind="ticket_near")) == 1
    assert deliver(app) == 1
    assert messages(kind="ticket_near")[0].state == "sent"


def test_a_booking_confirms_and_reminds_the_day_before_once(client, tokens, app, clock, fakes):
    slots = client.get("/api/v1/bookings/slots?service=KIA").json
    r = client.post("/api/v1/bookings", json={"service": "KIA", "date": slots["date"], "slot": slots["slots"][0]["slot"],
                                              "nik": CHILD["nik"], "answers": {"birth_date": "2019-06-15",
                                                                               "reason": "baru"},
                                              "phone": "081234567890", "notify": True})
    assert r.status_code == 201, r.json
    code = r.json["code"]
    assert [m.kind for m in messages()] == ["booking_confirmed"]
    assert deliver(app) == 1 and fakes["whatsapp"].sent[0].recipient == "+6281234567890"
    assert code in fakes["whatsapp"].sent[0].text and "6401045506190003" not in fakes["whatsapp"].sent[0].text
    with app.test_request_context(), db.connection_context():
        assert NotifySweeper.sweep(app.extensions["loket"]) == 0  # Monday 09:00: the visit is Tuesday, 16:00 not yet
        clock.advance(7 * 3600)  # Monday 16:00
        assert NotifySweeper.sweep(app.extensions["loket"]) == 1
        assert NotifySweeper.sweep(app.extensions["loket"]) == 0
    reminder = messages(kind="booking_reminder")[0]
    assert "besok" in reminder.text and code in reminder.text
    r = client.post("/api/v1/bookings", json={"service": "KK", "date": slots["date"], "slot": "08:00",
                                              "nik": CHILD["nik"], "answers": {"reason": "kelahiran"}, "notify": True})
    assert r.status_code == 422 and r.json["error"]["code"] == "contact_required"


def kia_with_consent(client, tokens, **applicant):
    t = issue(client, tokens).json
    client.post("/api/v1/counters/1/call-next", json={}, headers=tokens["operator"])
    r = client.post(f"/api/v1/tickets/{t['id']}/applications",
                    json={"service": "KIA", "answers": {"birth_date": "2019-06-15", "reason": "baru"},
                          "applicant": {**CHILD, "notify": True, **applicant}}, headers=tokens["operator"])
    assert r.status_code == 201, r.json
    return r.json


def test_berkas_returned_ready_uncollected_and_survey_each_once_in_order(client, tokens, app, clock, fakes):
    app_json = kia_with_consent(client, tokens, email="ibu.nur@contoh.id")
    codes = [i["code"] for i in app_json["checklist"]["items"]]
    r = client.post(f"/api/v1/applications/{app_json['id']}/verify", json={"present": codes[1:]},
                    headers=tokens["operator"])
    assert r.json["state"] == "returned"
    returned = messages(kind="berkas_returned")
    assert {m.channel for m in returned} == {"whatsapp", "email"}
    assert "belum lengkap" in returned[0].text and app_json["code"] in returned[0].text
    assert "Nur Aisyah" not in returned[0].text  # names only when the office allows them
    # the citizen brings the missing paper: a new berkas this time, walked to the pickup
    app_json = kia_with_consent(client, tokens, nik="6401045506190011", name="Nur Aisyah")
    codes = [i["code"] for i in app_json["checklist"]["items"]]
    client.post(f"/api/v1/applications/{app_json['id']}/verify", json={"present": codes}, headers=tokens["operator"])
    client.put(f"/api/v1/applications/{app_json['id']}/photo", data=jpeg(),
               headers={**tokens["operator"], "Content-Type": "image/jpeg"})
    for role, code in (("operator", "foto"), ("operator", "unggah_foto"), ("verifikator", "verifikasi"),
                       ("pejabat_tte", "tte")):
        assert step(client, tokens, role, app_json, code).status_code == 200
    assert step(client, tokens, "petugas_cetak", app_json, "cetak", card_serial="KIA-9", card=KIA_CARD).status_code == 200
    r = step(client, tokens, "petugas_cetak", app_json, "register")
    assert r.json["state"] == "ready_for_pickup", r.json
    ready = messages(kind="card_ready")
    assert len(ready) == 1 and "siap diambil di" in ready[0].text
    with app.test_request_context(), db.connection_context():
        clock.advance(6 * 86400)
        assert NotifySweeper.sweep(app.extensions["loket"]) == 0
        clock.advance(86400 + 60)  # 7 days ready, not collected
        assert NotifySweeper.sweep(app.extensions["loket"]) == 1
        assert NotifySweeper.sweep(app.extensions["loket"]) == 0
    assert "7 hari menunggu diambil" in messages(kind="card_uncollected")[0].text
    tokens = {role: relogin(app, role, clock) for role in ("petugas_distribusi", "operator")}  # a week on: new sessions
    assert deliver(app) >= 3
    listing = client.get("/api/v1/uncollected", headers=tokens["petugas_distribusi"]).json["items"]
    mine = next(i for i in listing if i["code"] == app_json["code"])
    assert mine["last_message"]["kind"] == "card_uncollected" and mine["last_message"]["channel"] == "whatsapp"
    r = client.post(f"/api/v1/applications/{app_json['id']}/handover",
                    json={"received_by": "Ibu Nur", "relation": "ibu", "identity_checked": True},
                    headers=tokens["operator"])  # the KIA's hand-over step is the operator's (default.toml)
    assert r.status_code == 200, r.json
    survey = messages(kind="ikm_survey")
    assert len(survey) == 1 and "https://ikm.paserkab.go.id/survei" in survey[0].text
    kinds = [m.kind for m in messages(ref=f"application:{app_json['code']}", channel="whatsapp")]
    assert kinds == ["card_ready", "card_uncollected", "ikm_survey"]


# -- sender --------------------------------------------------------------------------------
def test_temporary_failures_back_off_then_deliver_once_and_permanent_ones_stop(client, tokens, app, clock, fakes):
    issue(client, tokens, contact="081234567890", notify=True)
    issue(client, tokens, contact="081234567891", notify=True)
    fakes["whatsapp"].failures = [SendError("busy", permanent=False), SendError("busy", permanent=False)]
    client.post("/api/v1/counters/1/call-next", json={}, headers=tokens["operator"])  # called A001, near A002
    assert len(messages()) == 2
    assert deliver(app) == 2  # both fail once (the fake's two failures)
    rows = messages()
    assert [(m.state, m.attempts) for m in rows] == [("pending", 1), ("pending", 1)]
    assert rows[0].next_attempt_at == pytest.approx(MONDAY_0900 + 30)
    assert deliver(app) == 0  # not due yet
    clock.advance(31)
    assert deliver(app) == 2 and len(fakes["whatsapp"].sent) == 2
    assert [m.state for m in messages()] == ["sent", "sent"]
    assert deliver(app) == 0  # nothing twice
    with db.connection_context():
        audited = AuditLog.select().where(AuditLog.action == "message.sent").count()
    assert audited == 2
    # an invalid number: permanent, never retried
    issue(client, tokens, contact="081234567892", notify=True)
    fakes["whatsapp"].failures = [SendError("#131026 undeliverable", permanent=True, code="131026")]
    client.post("/api/v1/counters/2/call-next", json={}, headers=tokens["operator"])
    deliver(app)
    failed = messages(state="failed")
    assert len(failed) == 1 and "131026" in failed[0].last_error
    clock.advance(3600)
    assert deliver(app) == 0


def test_two_senders_never_take_the_same_message(client, tokens, app, fakes):
    from queue_server.notify.sender import Sender
    for i in range(6):
        issue(client, tokens, contact=f"08123456789{i}", notify=True)
    for counter in ("1", "2"):
        client.post(f"/api/v1/counters/{counter}/call-next", json={}, headers=tokens["operator"])
    total = len(messages())
    ctx = app.extensions["loket"]
    other = Sender(lambda: ctx.offices, ctx.now, drivers=fakes, batch=2)
    with app.app_context(), db.connection_context():
        with db.atomic():
            first = outbox.claim(now=ctx.now(), worker="a", limit=3, rate_per_minute={"whatsapp": 100})
        second = outbox.claim(now=ctx.now(), worker="b", limit=50, rate_per_minute={"whatsapp": 100})
        assert not {m.id for m in first} & {m.id for m in second}
        assert len(first) + len(second) == total
        for m in first + second:
            other.deliver(m)
    assert len(fakes["whatsapp"].sent) == total == len({m.ref_id for m in fakes["whatsapp"].sent})


def test_the_rate_limit_spreads_a_backlog_over_minutes(make_app, offices_dir, clock, fakes):
    with_notifications(offices_dir, NOTIFY.replace("retry_base_seconds = 30", "rate_per_minute = 18"))
    app = make_app(NOTIFY_DRIVERS=fakes)
    c = app.test_client()
    toks = login_tokens(app)
    with app.app_context(), db.connection_context():
        office = app.extensions["loket"].office("paser")
        with db.atomic():
            for i in range(7):
                outbox.enqueue(office, "test", f"test:{i}", [f"+62812345678{i:02d}"], "test:x", {"office": "P"},
                               now=clock.now())
    # 18 a minute: at most 3 in any 10 s
    assert deliver(app) == 3 and deliver(app) == 0
    clock.advance(11)
    assert deliver(app) == 3
    clock.advance(11)
    assert deliver(app) == 1 and len(fakes["whatsapp"].sent) == 7
    assert c.get("/api/v1/messages?state=sent", headers=toks["admin"]).json["counts"]["sent"] == 7


def test_an_interrupted_send_is_never_repeated_by_itself(client, tokens, app, clock, fakes):
    issue(client, tokens, contact="081234567890", notify=True)
    client.post("/api/v1/counters/1/call-next", json={}, headers=tokens["operator"])
    with app.app_context(), db.connection_context():
        [_claimed] = outbox.claim(now=clock.now(), worker="dead", limit=5, rate_per_minute={"whatsapp": 100})
    # ... the process dies here, before the provider's answer was recorded
    clock.advance(outbox.CLAIM_LEASE + 61)
    assert deliver(app) == 0 and fakes["whatsapp"].sent == []
    [row] = messages()
    assert row.state == "failed" and row.last_error.startswith("interrupted")
    # the admin resends it deliberately
    r = client.post(f"/api/v1/messages/{row.id}/resend", json={}, headers=tokens["admin"])
    assert r.status_code == 200 and r.json["state"] == "pending"
    assert client.post(f"/api/v1/messages/{row.id}/resend", json={}, headers=tokens["admin"]).status_code == 409
    assert client.post(f"/api/v1/messages/{row.id}/resend", json={}, headers=tokens["operator"]).status_code == 403
    assert deliver(app) == 1 and len(fakes["whatsapp"].sent) == 1


# -- consent, manual WhatsApp, the outbox --------------------------------------------------
def test_withdrawing_consent_cancels_what_is_pending(client, tokens, app):
    t = issue(client, tokens, contact="081234567890", notify=True).json
    issue(client, tokens)
    issue(client, tokens)
    client.post("/api/v1/counters/1/call-next", json={}, headers=tokens["operator"])  # A001 called → message
    page = client.get(f"/s/{t['code']}")
    assert b'id="notify-stop"' in page.data
    r = client.post("/api/v1/consent/withdraw", json={"code": t["code"]}, headers=tokens["operator"])
    assert r.status_code == 200 and r.json == {"kind": "ticket", "code": t["code"], "cancelled": 1}
    assert [m.state for m in messages()] == ["cancelled"]
    assert deliver(app) == 0
    assert b'id="notify-stop"' not in client.get(f"/s/{t['code']}").data
    assert client.post("/api/v1/consent/withdraw", json={"code": "ZZZZZZZZ"},
                       headers=tokens["operator"]).status_code == 404
    assert client.post("/api/v1/consent/withdraw", json={"code": t["code"]}).status_code == 401


def test_manual_whatsapp_is_a_list_of_links_marked_sent_by_the_officer(make_app, offices_dir):
    with_notifications(offices_dir, '\n[notifications]\nchannels = ["wa_manual"]\n')
    app = make_app()
    c = app.test_client()
    toks = login_tokens(app)
    issue(c, toks, contact="081234567890", notify=True)
    c.post("/api/v1/counters/1/call-next", json={}, headers=toks["operator"])
    listing = c.get("/api/v1/messages/manual", headers=toks["operator"]).json["messages"]
    assert len(listing) == 1 and listing[0]["state"] == "manual"
    assert listing[0]["link"].startswith("https://wa.me/6281234567890?text=")
    with app.app_context(), db.connection_context():
        assert app.extensions["loket_sender"].run_once() == 0  # the sender never takes a manual one
    assert c.get("/api/v1/messages/manual", headers=toks["kiosk"]).status_code == 403
    r = c.post(f"/api/v1/messages/{listing[0]['id']}/sent", headers=toks["operator"])
    assert r.status_code == 200 and r.json["state"] == "sent" and r.json["sent_by"] == "u_operator"
    assert c.post(f"/api/v1/messages/{listing[0]['id']}/sent", headers=toks["operator"]).status_code == 409
    assert c.get("/api/v1/messages/manual", headers=toks["operator"]).json["messages"] == []


def test_the_admin_outbox_filters_and_the_test_message(client, tokens, app, fakes):
    r = client.post("/api/v1/messages/test", json={"to": "0812-3456-7890"}, headers=tokens["admin"])
    assert r.status_code == 201 and r.json["channel"] == "whatsapp" and r.json["recipient"] == "+6281234567890"
    assert client.post("/api/v1/messages/test", json={"to": "0812"}, headers=tokens["admin"]).json["error"]["details"] \
        == {"field": "to"}
    assert client.post("/api/v1/messages/test", json={"to": "x@y.id"}, headers=tokens["operator"]).status_code == 403
    deliver(app)
    out = client.get("/api/v1/messages?state=sent", headers=tokens["admin"]).json
    assert [m["kind"] for m in out["messages"]] == ["test"] and out["counts"]["sent"] == 1
    assert client.get("/api/v1/messages", headers=tokens["kepala"]).status_code == 200
    assert client.get("/api/v1/messages", headers=tokens["operator"]).status_code == 403
    assert client.get("/api/v1/messages?state=nope", headers=tokens["admin"]).status_code == 422


def test_one_citizen_one_visit_every_message_once_and_in_order(client, tokens, app, clock, fakes):
    """Booked on Monday → reminder Monday 16:00 → checked in Tuesday → near → called →
    the berkas returned incomplete → brought again, ready → not collected for 7 days."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    def at(day: str, hm: str) -> float:
        return datetime.fromisoformat(f"{day}T{hm}:00").replace(tzinfo=ZoneInfo("Asia/Makassar")).timestamp()

    phone = "+6281234567890"
    r = client.post("/api/v1/bookings", json={"service": "KIA", "date": "2026-11-24", "slot": "08:30",
                                              "nik": CHILD["nik"], "answers": {"birth_date": "2019-06-15",
                                                                               "reason": "baru"},
                                              "phone": "0812-3456-7890", "notify": True})
    assert r.status_code == 201, r.json
    for _ in range(2):
        deliver(app)
        with app.test_request_context(), db.connection_context():
            NotifySweeper.sweep(app.extensions["loket"])
        clock.set(at("2026-11-23", "16:05"))
    clock.set(at("2026-11-24", "08:05"))
    ticket = client.post(f"/api/v1/bookings/{r.json['code']}/check-in", headers=tokens["kiosk"]).json
    assert ticket["booked"] is True
    issue(client, tokens)  # a walk-in behind, never messaged
    op = relogin(app, "operator", clock)
    # a walk-in already waiting ahead? none: the booked ticket is first, then called at once
    first = client.post("/api/v1/counters/1/call-next", json={}, headers=op).json
    assert first["number"] == ticket["number"]
    deliver(app)
    r = client.post(f"/api/v1/tickets/{ticket['id']}/applications",
                    json={"service": "KIA", "answers": {"birth_date": "2019-06-15", "reason": "baru"},
                          "applicant": {**CHILD, "notify": True}}, headers=op)
    assert r.status_code == 201, r.json
    berkas = r.json
    codes = [i["code"] for i in berkas["checklist"]["items"]]
    client.post(f"/api/v1/applications/{berkas['id']}/verify", json={"present": codes[1:]}, headers=op)
    deliver(app)
    # Wednesday: the missing paper brought, a new berkas walked to the pickup
    clock.set(at("2026-11-25", "09:00"))
    op = relogin(app, "operator", clock)
    toks = {**tokens, "operator": op, **{r: relogin(app, r, clock) for r in ("verifikator", "pejabat_tte",
                                                                             "petugas_cetak")}}
    t2 = issue(client, toks).json
    client.post("/api/v1/counters/1/call-next", json={}, headers=op)
    berkas = client.post(f"/api/v1/tickets/{t2['id']}/applications",
                         json={"service": "KIA", "answers": {"birth_date": "2019-06-15", "reason": "baru"},
                               "applicant": {**CHILD, "notify": True}}, headers=op).json
    codes = [i["code"] for i in berkas["checklist"]["items"]]
    client.post(f"/api/v1/applications/{berkas['id']}/verify", json={"present": codes}, headers=op)
    client.put(f"/api/v1/applications/{berkas['id']}/photo", data=jpeg(),
               headers={**op, "Content-Type": "image/jpeg"})
    for role, code in (("operator", "foto"), ("operator", "unggah_foto"), ("verifikator", "verifikasi"),
                       ("pejabat_tte", "tte")):
        assert step(client, toks, role, berkas, code).status_code == 200
    step(client, toks, "petugas_cetak", berkas, "cetak", card_serial="KIA-77", card=KIA_CARD)
    assert step(client, toks, "petugas_cetak", berkas, "register").json["state"] == "ready_for_pickup"
    deliver(app)
    for days in range(1, 9):  # the sweeper runs every day; the card waits
        clock.set(at("2026-11-25", "09:30") + days * 86400)
        with app.test_request_context(), db.connection_context():
            NotifySweeper.sweep(app.extensions["loket"])
        deliver(app)
    to_phone = [m for m in fakes["whatsapp"].sent if m.recipient == phone]
    assert [m.kind for m in to_phone] == ["booking_confirmed", "booking_reminder", "ticket_called", "berkas_returned",
                                          "card_ready", "card_uncollected"]
    assert len({m.ref_id for m in to_phone}) == len(to_phone)
    assert all(CHILD["nik"] not in m.text for m in to_phone)
