"""The head of office's live dashboard (issue 15 §2) in real headless Chromium against a
real ``loket serve`` whose clock runs 120× (45 minutes of waiting in 22.5 s): the figures
on the page are the API's, and an alert appears when a wait passes the office's
threshold. Screenshot in docs/screenshots/web."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from browser_kit import shot, wait_for
from live_server import LiveServer
from web_kit import SHOTS, Kit, staff_login

pytestmark = pytest.mark.slow

WITA = timezone(timedelta(hours=8))


def text(d, css: str) -> str:
    """The shown text of the first element matching ``css``, read in one step (the page
    redraws its tables on every event, so a found row may be replaced a moment later)."""
    return d.execute_script("var e = document.querySelector(arguments[0]); return e ? e.innerText : null;", css)


@pytest.fixture(scope="module")
def fast(tmp_path_factory):
    """A server whose day starts at 08:30 WITA today and runs 120 times faster."""
    start = datetime.now(WITA).replace(hour=8, minute=30, second=0, microsecond=0)
    srv = LiveServer(tmp_path_factory.mktemp("dash") / "data", workers=1,
                     extra_args=("--clock-start", start.isoformat(), "--clock-speed", "120")).setup().start()
    yield srv
    srv.stop()


def test_the_dashboard_shows_the_apis_figures_and_raises_a_wait_alert(fast, browser):
    kit = Kit(fast)
    kit.issue(3)
    kit.issue(1, "KK")
    called = kit.call_next("1")
    d = browser(1366, 900)
    staff_login(d, f"{fast.url}/dashboard", "u_kepala")
    wait_for(d, "document.body.getAttribute('data-loaded') === '1'", 15)
    wait_for(d, "document.querySelector('#counters tr[data-counter=\"1\"]').dataset.state === 'serving'", 10)
    assert called in text(d, '#counters tr[data-counter="1"]')
    # the page's figures are the API's at the same moment
    page = d.execute_script("return window.loketDashboard.data()")
    status, api = fast.request("GET", "/api/v1/dashboard", token=fast.login("u_kepala"))
    assert status == 200
    assert page["totals"]["tickets"] == api["totals"]["tickets"] == 4
    assert page["alerts"] == [] and "Tidak ada peringatan" in text(d, "#alerts")
    kia_row = text(d, '#services tr[data-service="KIA"]')
    assert kia_row.split()[-1] == "3"  # tickets today
    # 45 minutes (22.5 s here) after the first ticket the KIA wait passes alert_wait_minutes:
    # the alert appears by itself (the alert.raised event redraws the page)
    wait_for(d, "document.querySelector('#alerts li.alert[data-kind=\"wait\"][data-service=\"KIA\"]')", 60)
    alert = text(d, '#alerts li.alert[data-kind="wait"][data-service="KIA"]')
    assert "Kartu Identitas Anak" in alert and "batas 45 menit" in alert
    wait_for(d, "document.querySelector('#services tr[data-service=\"KIA\"]').classList.contains('late')", 5)
    shot(d, SHOTS / "dashboard_1366x900_alert.png")


def test_a_counter_officer_may_not_open_the_dashboard(fast, browser):
    d = browser(1280, 720)
    staff_login(d, f"{fast.url}/dashboard", "u_operator")
    wait_for(d, "!document.getElementById('login-error').hidden", 10)
    assert "tidak boleh" in d.find_element("id", "login-error").text
    assert d.find_element("id", "app").get_attribute("hidden") is not None


def test_the_admin_sees_a_failed_message_and_sends_it_again(tmp_path, browser):
    """Issue 14 item 5: the outbox on the dashboard — counts per state, the failed
    messages with the provider's reason, and "Kirim ulang" for an admin."""
    import os

    from live_server import ADMIN_PASSWORD
    from provider_kit import WA_TOKEN, FakeProvider, wa_error
    provider = FakeProvider()
    provider.script = [wa_error(131026)]  # the first number is not on WhatsApp
    srv = LiveServer(tmp_path / "data", workers=1, env={**os.environ, "LOKET_WHATSAPP_TOKEN": WA_TOKEN,
                                                        "LOKET_NOTIFY_INTERVAL": "0.2"}).setup(staff_roles=("operator",))
    office = srv.data_dir / "offices" / "default.toml"
    office.write_text(office.read_text(encoding="utf-8") + f"""
[notifications]
channels = ["whatsapp"]

[notifications.whatsapp]
phone_number_id = "1098765"
api_base = "{provider.url}/v21.0"
""", encoding="utf-8")
    srv.start()
    try:
        status, _ = srv.request("POST", "/api/v1/tickets", {"service": "KK", "answers": {"reason": "kelahiran"},
                                                            "contact": "081234567890", "notify": True},
                                token=srv.tokens["kiosk"])
        assert status == 201
        assert srv.request("POST", "/api/v1/counters/1/call-next", {}, token=srv.login("u_operator"))[0] == 200
        admin = srv.login("admin", ADMIN_PASSWORD)
        for _ in range(50):
            listing = srv.request("GET", "/api/v1/messages?state=failed", token=admin)[1]
            if listing["messages"]:
                break
            import time
            time.sleep(0.2)
        [failed] = listing["messages"]
        d = browser(1366, 900)
        staff_login(d, f"{srv.url}/dashboard", "admin", ADMIN_PASSWORD)
        wait_for(d, f"!!document.querySelector('#outbox-failed tr[data-message=\"{failed['id']}\"]')", 15)
        assert "1 gagal" in text(d, "#outbox-counts")
        assert "131026" in text(d, f'#outbox-failed tr[data-message="{failed["id"]}"]')
        d.execute_script("document.getElementById('outbox').scrollIntoView()")
        shot(d, SHOTS / "dashboard_outbox_failed.png")
        # clicked in one step: the table is redrawn on every event and every 15 s
        d.execute_script(f"document.querySelector('button[data-resend=\"{failed['id']}\"]').click()")
        wait_for(d, "document.getElementById('outbox-counts').innerText.indexOf('1 terkirim') >= 0", 25)
        assert srv.request("GET", "/api/v1/messages?state=sent", token=admin)[1]["counts"]["sent"] == 1
        assert [r["json"]["to"] for r in provider.requests] == ["6281234567890", "6281234567890"]
    finally:
        srv.stop()
        provider.stop()
