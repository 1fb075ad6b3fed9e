"""The browser waiting-room display (issue 15 §1) in real headless Chromium against a
real ``loket serve``: the token kept in an HttpOnly cookie, calls on screen and spoken
in order from the server's clip pack, TERPUTUS when the server is gone, a silent
catch-up after, filters, signage, and screenshots at TV sizes (docs/screenshots/web)."""
from __future__ import annotations

import time
import urllib.request

import pytest
from browser_kit import shot, wait_for
from web_kit import SHOTS, open_display
from net_kit import Proxy

pytestmark = pytest.mark.slow


def latest(driver) -> str:
    return driver.execute_script("return document.getElementById('latest-number').textContent")


def played(driver) -> list[dict]:
    return driver.execute_script("return window.loketDisplay.voice.played")


def test_the_token_is_kept_in_an_httponly_cookie_and_a_kiosk_token_is_refused(live, browser):
    d = browser(1280, 720)
    d.get(f"{live.url}/display")
    assert d.find_element("id", "token") is not None  # asks for the display token
    d.get(f"{live.url}/display?token={live.tokens['kiosk']}")
    assert "bukan token layar" in d.find_element("id", "token-error").text
    open_display(d, live, "services=KIA")
    assert "token=" not in d.current_url and d.current_url.endswith("/display?services=KIA")
    cookie = d.get_cookie("loket_token")
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict"
    assert d.execute_script("return document.cookie") == ""  # the page's scripts cannot read it
    # the page carries no personal data and no inline script
    req = urllib.request.Request(f"{live.url}/display", headers={"Cookie": f"loket_token={live.tokens['display']}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        html = r.read().decode()
        csp = r.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "default-src 'self'" in csp
    assert "<script>" not in html and "<script src=" in html


def test_a_call_appears_and_is_spoken_in_order_and_a_recall_again(live, kit, browser):
    kit.issue(3)
    d = browser(1920, 1080)
    open_display(d, live)
    before = len(played(d))
    first = kit.call_next("1")
    wait_for(d, f"document.getElementById('latest-number').textContent === '{first}'", 3)
    assert f"LOKET 1" in d.find_element("id", "latest-counter").text
    second = kit.call_next("2")
    kit.act("1", "recall", {})
    wait_for(d, f"window.loketDisplay.voice.played.length >= {before + 3}", 20)
    calls = played(d)[before:]
    assert [(c["number"], c["counter"], c["action"]) for c in calls] == [
        (first, 1, "call"), (second, 2, "call"), (first, 1, "recall")]
    status, plan = live.request("GET", f"/api/v1/voice/call?number={first}&counter=1", token=live.tokens["display"])
    assert status == 200 and calls[0]["clips"] == [c["token"] for c in plan["clips"] if "token" in c]
    assert calls[0]["clips"][0] == "chime" and calls[0]["clips"][-2:] == ["silakan_menuju_loket", "satu"]
    # never overlapping: each call starts after the previous one's clips ended
    starts = [c["started"] for c in calls]
    assert starts == sorted(starts) and starts[1] - starts[0] > 1000
    counters = d.execute_script("return window.loketDisplay.view().counters.map(c => [c.code, c.current])")
    assert ["1", first] in counters and ["2", second] in counters
    shot(d, SHOTS / "display_1920x1080.png")


def test_terputus_when_the_server_is_gone_and_a_silent_catch_up_after(live, kit, browser):
    kit.issue(4)
    proxy = Proxy(live.port)
    try:
        d = browser(1280, 720)
        d.get(f"{proxy.url}/display?token={live.tokens['display']}&announce_max_age=2")
        wait_for(d, "document.body.getAttribute('data-connection') === 'live'", 20)
        heard = len(played(d))
        proxy.cut()
        t0 = time.monotonic()
        wait_for(d, "!document.getElementById('banner').hidden", 12)
        assert time.monotonic() - t0 < 10
        assert "TERPUTUS" in d.find_element("id", "banner").text
        shot(d, SHOTS / "display_1280x720_terputus.png")
        missed = [kit.call_next("1"), kit.call_next("2")]  # while the display cannot hear
        time.sleep(2.5)  # older than announce_max_age when the display is back
        proxy.restore()
        wait_for(d, "document.getElementById('banner').hidden && "
                    "document.body.getAttribute('data-connection') === 'live'", 20)
        wait_for(d, f"document.getElementById('latest-number').textContent === '{missed[-1]}'", 10)
        history = d.execute_script("return window.loketDisplay.view().history.map(c => c.number)")
        assert missed[0] in history
        time.sleep(1)
        assert len(played(d)) == heard  # shown, not announced
        # and after the catch-up a new call is spoken again
        fresh = kit.call_next("3")
        wait_for(d, f"window.loketDisplay.voice.played.some(c => c.number === '{fresh}')", 15)
    finally:
        proxy.close()


def test_a_killed_server_shows_terputus_and_the_display_comes_back_by_itself(live, kit, browser):
    d = browser(1280, 720)
    open_display(d, live)
    live.kill()
    try:
        wait_for(d, "!document.getElementById('banner').hidden", 12)
    finally:
        live.start()
    kit.op = live.login("u_operator")
    kit.issue(1)
    number = kit.call_next("1")
    wait_for(d, "document.getElementById('banner').hidden", 20)
    wait_for(d, f"document.getElementById('latest-number').textContent === '{number}'", 10)


def test_filters_for_two_halls(live, kit, browser):
    kit.issue(1, "KK")
    d = browser(1280, 720)
    open_display(d, live, "services=KK")
    names = d.execute_script("return window.loketDisplay.view().services.map(s => s.code)")
    assert names == ["KK"]
    counters = d.execute_script("return window.loketDisplay.view().counters.map(c => c.code)")
    assert counters and "4" not in counters  # loket 4 serves IKD only
    kia = kit.issue(1)[0]["number"]
    d2 = browser(1280, 720)
    open_display(d2, live, "counters=4")
    assert d2.execute_script("return window.loketDisplay.view().counters.map(c => c.code)") == ["4"]
    called = kit.call_next("1")
    assert called  # a call at loket 1 is not this hall's
    time.sleep(1)
    assert latest(d2) != called and kia


def test_signage_plays_beside_the_calls_and_a_call_takes_the_screen(live, kit, browser):
    from PIL import Image
    folder = live.data_dir / "signage"
    folder.mkdir(exist_ok=True)
    Image.new("RGB", (800, 450), (20, 120, 60)).save(folder / "01-info.png")
    try:
        d = browser(1920, 1080)
        open_display(d, live)
        wait_for(d, "!document.getElementById('signage').hidden && "
                    "document.querySelector('#signage img') && document.querySelector('#signage img').complete", 10)
        kit.issue(1)
        kit.call_next("2")
        wait_for(d, "!document.getElementById('callout').hidden", 5)
        shot(d, SHOTS / "display_1920x1080_signage_call.png")
    finally:
        (folder / "01-info.png").unlink()


@pytest.mark.parametrize("size,scale,name", [((1280, 720), 1, "display_1280x720.png"),
                                             ((1920, 1080), 2, "display_3840x2160.png"),
                                             ((1080, 1920), 1, "display_1080x1920_portrait.png")])
def test_screens_at_tv_sizes(live, kit, browser, size, scale, name):
    kit.issue(3)
    kit.issue(1, "KK")
    for counter in ("1", "2", "3"):
        kit.call_next(counter)
    d = browser(*size, scale=scale)
    open_display(d, live)
    wait_for(d, "document.querySelectorAll('#history li').length >= 2", 5)
    wait_for(d, "document.getElementById('clock-zone').textContent === 'WITA'", 5)
    # everything fits: nothing spills out of the viewport
    overflow = d.execute_script("return [document.documentElement.scrollWidth, document.documentElement.scrollHeight, "
                                "window.innerWidth, window.innerHeight]")
    assert overflow[0] <= overflow[2] and overflow[1] <= overflow[3], overflow
    path = shot(d, SHOTS / name)
    from PIL import Image
    with Image.open(path) as im:
        assert im.size == (size[0] * scale, size[1] * scale)


def test_a_browser_that_needs_a_tap_shows_aktifkan_suara_and_plays_after_it(live, kit, browser):
    d = browser(1280, 720, autoplay=False)  # Chromium's default: audio waits for a gesture
    open_display(d, live)
    wait_for(d, "!document.getElementById('enable-sound').hidden", 5)
    assert d.find_element("id", "enable-sound").text == "Aktifkan suara"
    d.find_element("id", "enable-sound").click()
    wait_for(d, "document.getElementById('enable-sound').hidden && "
                "window.loketDisplay.voice.context.state === 'running'", 5)
    kit.issue(1)
    number = kit.call_next("2")
    wait_for(d, f"window.loketDisplay.voice.played.some(c => c.number === '{number}')", 15)


def test_reduced_motion_stops_the_running_text(live, browser):
    d = browser(1280, 720)
    open_display(d, live, "motion=reduced")
    assert d.execute_script("return getComputedStyle(document.getElementById('ticker')).animationName") == "none"
    d2 = browser(1280, 720)
    open_display(d2, live)
    assert d2.execute_script("return getComputedStyle(document.getElementById('ticker')).animationName") == "ticker"
