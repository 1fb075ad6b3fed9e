"""The real channel drivers against real local servers (issue 14): a local HTTP server
playing the WhatsApp Cloud API and an SMS gateway as their documentation describes
(tests/support/provider_kit.py), aiosmtpd as the mail server; then ``loket serve`` itself,
killed with SIGKILL in the middle of a send and started again."""
from __future__ import annotations

import os
import time

import pytest
from provider_kit import WA_TOKEN, Answer, FakeProvider, SmtpServer, wa_error
from server_kit import issue, login_tokens, with_notifications

from queue_server.db.models import Message, db
from queue_server.domain.notify import EmailSettings, SmsSettings, WhatsAppSettings
from queue_server.notify.channels import (
    HttpSmsChannel,
    Outgoing,
    SendError,
    SmtpEmailChannel,
    WhatsAppCloudChannel,
)


@pytest.fixture
def provider():
    p = FakeProvider()
    yield p
    p.stop()


@pytest.fixture
def wa_token(monkeypatch):
    monkeypatch.setenv("LOKET_WHATSAPP_TOKEN", WA_TOKEN)


def out(kind="ticket_called", to="+6281234567890", text="Paser: nomor A001 dipanggil. Silakan menuju loket 1.",
        params=None, ref_id=7):
    return Outgoing(ref_id=ref_id, kind=kind, recipient=to, text=text,
                    params=params or {"number": "A001", "counter": "1"}, office_name="Disdukcapil Paser")


def test_whatsapp_cloud_api_template_message_and_its_documented_errors(provider, wa_token):
    wa = WhatsAppCloudChannel(WhatsAppSettings(phone_number_id="1098765", api_base=f"{provider.url}/v21.0",
                                               templates={"ticket_called": "loket_dipanggil"},
                                               template_params={"ticket_called": ("number", "counter")}))
    assert wa.send(out()) == "wamid.TEST000001"
    req = provider.requests[0]
    assert req["path"] == "/v21.0/1098765/messages" and req["auth"] == f"Bearer {WA_TOKEN}"
    assert req["json"] == {"messaging_product": "whatsapp", "recipient_type": "individual", "to": "6281234567890",
                           "type": "template", "template": {
                               "name": "loket_dipanggil", "language": {"code": "id"},
                               "components": [{"type": "body", "parameters": [{"type": "text", "text": "A001"},
                                                                              {"type": "text", "text": "1"}]}]}}
    # a kind without an approved template goes as text (inside the 24-hour window only)
    wa.send(out(kind="test", text="Paser: pesan uji"))
    assert provider.requests[1]["json"]["type"] == "text"
    assert provider.requests[1]["json"]["text"]["body"] == "Paser: pesan uji"
    cases = [(wa_error(130429, status=400), False, 60.0), (Answer(status=429, headers={"Retry-After": "17"}), False, 17.0),
             (wa_error(131056), False, 60.0), (wa_error(131000, status=500), False, None),
             (wa_error(131026), True, None), (wa_error(100), True, None), (wa_error(132001), True, None),
             (wa_error(190, status=401), False, 900)]
    for answer, permanent, retry_after in cases:
        provider.script = [answer]
        with pytest.raises(SendError) as e:
            wa.send(out())
        assert (e.value.permanent, e.value.retry_after) == (permanent, retry_after), answer


def test_whatsapp_without_a_token_waits_for_one(provider, monkeypatch):
    monkeypatch.delenv("LOKET_WHATSAPP_TOKEN", raising=False)
    wa = WhatsAppCloudChannel(WhatsAppSettings(phone_number_id="1", api_base=f"{provider.url}/v21.0"))
    with pytest.raises(SendError) as e:
        wa.send(out())
    assert not e.value.permanent and e.value.code == "config" and provider.requests == []


def test_sms_gateway_success_pattern_and_failures(provider):
    sms = HttpSmsChannel(SmsSettings(url=f"{provider.url}/sms/send?user=loket", body="to={to}&msg={text}&ref={ref}",
                                     success_pattern=r"^OK"))
    assert sms.send(out()) == "1"
    assert provider.requests[0]["form"] == {"to": "6281234567890", "msg": out().text, "ref": "loket-7"}
    assert provider.requests[0]["path"] == "/sms/send?user=loket"
    for answer, permanent in ((Answer(body="ERR invalid number"), True), (Answer(status=503, body="busy"), False),
                              (Answer(status=429, body="slow down", headers={"Retry-After": "5"}), False),
                              (Answer(status=400, body="bad"), True)):
        provider.script = [answer]
        with pytest.raises(SendError) as e:
            sms.send(out())
        assert e.value.permanent is permanent
    provider.stop()
    with pytest.raises(SendError) as e:
        sms.send(out())
    assert not e.value.permanent and e.value.code == "connection"


def test_email_over_smtp_plain_and_html_and_a_down_server():
    smtp = SmtpServer().start()
    mail = SmtpEmailChannel(EmailSettings(host="127.0.0.1", port=smtp.port, security="none",
                                          sender="loket@paserkab.go.id", timeout=5))
    try:
        msg_id = mail.send(out(kind="card_ready", to="ibu.nur@contoh.id",
                               text="Paser: dokumen KIA siap diambil. https://antrean.paserkab.go.id/s/ABC23456"))
        [got] = smtp.messages
        assert got["To"] == "ibu.nur@contoh.id" and got["Message-ID"] == msg_id and "loket-7" in msg_id
        assert got["Subject"] == "Disdukcapil Paser: Dokumen siap diambil"
        plain = got.get_body(("plain",)).get_content()
        html = got.get_body(("html",)).get_content()
        assert "siap diambil" in plain and '<a href="https://antrean.paserkab.go.id/s/ABC23456">' in html
    finally:
        smtp.stop()
    with pytest.raises(SendError) as e:
        mail.send(out(to="ibu.nur@contoh.id"))
    assert not e.value.permanent


NOTIFY_EMAIL = """
[notifications]
channels = ["email"]
retry_base_seconds = 30

[notifications.email]
host = "127.0.0.1"
port = {port}
security = "none"
sender = "loket@paserkab.go.id"
timeout = 5
"""


def test_the_mail_server_down_retried_and_delivered_once_when_back(make_app, offices_dir, clock):
    smtp = SmtpServer()  # not started: the mail server is down
    with_notifications(offices_dir, NOTIFY_EMAIL.replace("{port}", str(smtp.port)))
    app = make_app()  # the real SMTP driver from the office file
    c = app.test_client()
    toks = login_tokens(app)
    issue(c, toks, contact="ibu.nur@contoh.id", notify=True)
    c.post("/api/v1/counters/1/call-next", json={}, headers=toks["operator"])
    sender = app.extensions["loket_sender"]
    with app.app_context(), db.connection_context():
        assert sender.run_once() == 1
        [m] = list(Message.select())
        assert m.state == "pending" and m.attempts == 1 and "unreachable" in m.last_error
        clock.advance(31)
        assert sender.run_once() == 1 and Message.get().attempts == 2  # still down: 60 s now
        smtp.start()
        try:
            clock.advance(30)
            assert sender.run_once() == 0  # not due yet (backoff)
            clock.advance(31)
            assert sender.run_once() == 1
            assert Message.get().state == "sent" and len(smtp.messages) == 1
            clock.advance(3600)
            assert sender.run_once() == 0 and len(smtp.messages) == 1
        finally:
            smtp.stop()
    assert "dipanggil" in smtp.messages[0].get_body(("plain",)).get_content()


NOTIFY_WA = """
[notifications]
channels = ["whatsapp"]
retry_base_seconds = 1

[notifications.whatsapp]
phone_number_id = "1098765"
api_base = "{url}/v21.0"
"""


@pytest.mark.slow
def test_kill_9_in_the_middle_of_a_send_sends_nothing_twice(tmp_path, provider):
    from live_server import LiveServer
    env = {**os.environ, "LOKET_WHATSAPP_TOKEN": WA_TOKEN, "LOKET_NOTIFY_LEASE": "3", "LOKET_NOTIFY_INTERVAL": "0.2"}
    srv = LiveServer(tmp_path / "data", workers=2, env=env).setup(staff_roles=("operator",))
    office = srv.data_dir / "offices" / "default.toml"
    office.write_text(office.read_text(encoding="utf-8") + NOTIFY_WA.replace("{url}", provider.url), encoding="utf-8")
    provider.script = [Answer(delay=6.0)]  # the first message hangs at the provider: the server dies meanwhile
    srv.start()
    try:
        op = srv.login("u_operator")
        for i in range(5):
            status, body = srv.request("POST", "/api/v1/tickets", {"service": "KK", "answers": {"reason": "kelahiran"},
                                                                   "contact": f"08123456780{i}", "notify": True},
                                       token=srv.tokens["kiosk"])
            assert status == 201, body
        status, _ = srv.request("POST", "/api/v1/counters/1/call-next", {}, token=op)  # called B001, near B002-B004
        assert status == 200
        deadline = time.time() + 10
        while not provider.requests and time.time() < deadline:
            time.sleep(0.05)
        assert provider.requests, "the sender never reached the provider"
        srv.kill()  # SIGKILL while the provider holds the first request
        time.sleep(0.5)
        srv.restart()
        op = srv.login("u_operator")
        deadline = time.time() + 30
        states: list = []
        while time.time() < deadline:
            status, listing = srv.request("GET", "/api/v1/messages", token=srv.login("admin", "admin-pass-123"))
            states = sorted(m["state"] for m in listing["messages"])
            if "pending" not in states and "sending" not in states:
                break
            time.sleep(0.5)
        assert states == ["failed", "sent", "sent", "sent", "sent"], states
        interrupted = [m for m in listing["messages"] if m["state"] == "failed"]
        assert interrupted[0]["last_error"].startswith("interrupted")
        received = [r["json"]["to"] for r in provider.requests]
        assert len(received) == len(set(received)) == 5  # each number once, the interrupted one included
    finally:
        srv.stop()


def test_loket_notify_test_sends_one_message_and_says_so(tmp_path):
    from live_server import ADMIN_PASSWORD, loket
    smtp = SmtpServer().start()
    try:
        data = tmp_path / "data"
        loket("init", "--admin-password", ADMIN_PASSWORD, data_dir=data)
        office = data / "offices" / "default.toml"
        office.write_text(office.read_text(encoding="utf-8") + NOTIFY_EMAIL.replace("{port}", str(smtp.port)),
                          encoding="utf-8")
        done = loket("notify", "test", "--channel", "email", "--to", "admin@paserkab.go.id", data_dir=data)
        assert "terkirim (sent): email → admin@paserkab.go.id" in done.stdout
        [got] = smtp.messages
        assert got["Subject"].endswith("Pesan uji Loket") and "Saluran ini berfungsi" in got.get_body(("plain",)).get_content()
        refused = loket("notify", "test", "--channel", "whatsapp", "--to", "081234567890", data_dir=data, check=False)
        assert refused.returncode != 0 and "saluran whatsapp belum diatur" in refused.stderr
        listing = loket("notify", "outbox", data_dir=data).stdout
        assert "test" in listing and "sent" in listing and "admin@paserkab.go.id" in listing
    finally:
        smtp.stop()
    down = loket("notify", "test", "--channel", "email", "--to", "admin@paserkab.go.id", data_dir=data, check=False)
    assert down.returncode == 1 and "gagal (not sent): SMTP server unreachable" in down.stderr
