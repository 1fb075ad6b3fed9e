"""The full ``loket demo`` under a private Xvfb screen: the kiosk, counter station and
waiting-room display open as windows at their places, a ticket called through the API
appears on the display, a screenshot of the whole screen shows all three, and SIGTERM
closes everything.

Set ``LOKET_DEMO_SCREENSHOTS=DIR`` to keep the screenshots (docs/screenshots/demo/)."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from demo_kit import Demo, printed_tokens, processes_mentioning, request, start_screen, stop_screen
from live_server import free_port
from PIL import Image, ImageGrab
from xvfb_kit import kivy_env

from loket.demo import DEMO_PASSWORD, layout


@pytest.fixture(params=[(1920, 1080), (1366, 768)], ids=["1920x1080", "1366x768"])
def screen(request):
    """A private X screen of the size of the parameter: ``(display, (width, height))``."""
    display, proc = start_screen(*request.param)
    yield display, request.param
    stop_screen(proc)


def top_windows(env: dict) -> dict[str, tuple[int, int, int, int]] | None:
    """{title: (left, top, width, height)} of the root window's children; None when
    the X server cannot be reached."""
    r = subprocess.run(["xwininfo", "-root", "-children"], env=env, capture_output=True, text=True)
    out = r.stdout
    if r.returncode != 0:
        return None
    found = {}
    for m in re.finditer(r'^\s+0x[0-9a-f]+ "([^"]*)": \(.*?\)\s+(\d+)x(\d+)\+(-?\d+)\+(-?\d+)', out, re.M):
        title, w, h, x, y = m.group(1), *map(int, m.groups()[1:])
        found[title] = (x, y, w, h)
    return found


def screenshot(env: dict, path: Path, timeout: float = 20) -> Image.Image:
    """The whole X screen as an RGB image (Pillow's XCB grab of ``env["DISPLAY"]``), also
    saved to ``path``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            img = ImageGrab.grab(xdisplay=env["DISPLAY"]).convert("RGB")
        except OSError as exc:
            if time.monotonic() > deadline:
                raise AssertionError(f"no screenshot of {env['DISPLAY']}: {exc}") from exc
            time.sleep(0.5)
            continue
        img.save(path)
        return img


def region(img: Image.Image, box) -> np.ndarray:
    x, y, w, h = box
    return np.asarray(img.crop((x, y, x + w, y + h)), dtype=np.int16)


def test_full_demo_opens_three_windows_and_shows_a_call(tmp_path, screen):
    screen, size = screen
    WINDOWS = layout(size)  # what the demo lays out for this screen (it reads the size itself)
    home = tmp_path / "home"
    home.mkdir()
    env = kivy_env(screen, str(home))
    # The kiosk window takes a KIA ticket by itself (kiosk/automation.py) and stays open.
    script = tmp_path / "kiosk-script.json"
    script.write_text(json.dumps({"out": str(tmp_path / "kiosk-shots"), "steps": [
        {"wait": "welcome", "timeout": 40}, {"tap": "begin"}, {"wait": "services"}, {"tap": "service_KIA"},
        {"wait": "question"}, {"date": "2019-06-01"}, {"tap": "date_ok"}, {"wait": "question"},
        {"tap": "choice_baru"}, {"wait": "priority"}, {"tap": "prio_none"}, {"wait": "checklist"},
        {"tap": "take_ticket"}, {"wait": "confirmation"}, {"sleep": 600}]}), encoding="utf-8")
    env["LOKET_KIOSK_SCRIPT"] = str(script)
    data = tmp_path / "loket-data"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while top_windows(env) is None:  # the X server accepts clients
        assert time.monotonic() < deadline, "Xvfb does not accept clients"
        time.sleep(0.2)
    demo = Demo(data, port, env=env)
    try:
        out = demo.wait_for("Ctrl-C", timeout=60)
        assert "Jendela: Kios antrean, Stasiun petugas (loket 1), Layar ruang tunggu" in out
        expected = {(w.left, w.top, w.width, w.height) for w in WINDOWS}
        deadline = time.monotonic() + 60
        while set((top_windows(env) or {}).values()) != expected:
            assert "berhenti dengan galat" not in demo.out, demo.out
            assert time.monotonic() < deadline, (top_windows(env), demo.out)
            time.sleep(0.5)
        titles = top_windows(env)
        assert any("Kios" in t for t in titles) and any("Stasiun" in t for t in titles), titles
        for (x, y, w, h) in expected:  # every window is on the screen, whole
            assert x + w <= size[0] and y + h <= size[1]
        time.sleep(4)  # first frames drawn, display connected to the event stream
        start = screenshot(env, tmp_path / "start.png")
        display_box = next((w.left, w.top, w.width, w.height) for w in WINDOWS if w.name == "display")
        for win in WINDOWS:
            assert region(start, (win.left, win.top, win.width, win.height)).std() > 20, win.name  # drawn, not blank

        deadline = time.monotonic() + 40
        while not list((data / "previews" / "kiosk").glob("*.png")):  # the kiosk's ticket, printed as a preview
            assert time.monotonic() < deadline, (demo.out, (data / "logs" / "kiosk.log").read_text()[-3000:])
            time.sleep(0.5)
        time.sleep(1)
        before = screenshot(env, tmp_path / "before.png")
        status, login = request(url + "/api/v1/auth/login", "POST", {"username": "operator2", "password": DEMO_PASSWORD})
        assert status == 200, login
        status, called = request(url + "/api/v1/counters/2/call-next", "POST", {}, token=login["token"])
        assert status == 200, called
        assert "A001" in json.dumps(called), called
        deadline = time.monotonic() + 20
        while True:  # the display shows the call (A001 from the kiosk, at loket 2)
            time.sleep(1)
            after = screenshot(env, tmp_path / "demo-desktop.png")
            if np.abs(region(after, display_box) - region(before, display_box)).mean() > 3:
                break
            assert time.monotonic() < deadline, "the display did not change after the call"
        keep = os.environ.get("LOKET_DEMO_SCREENSHOTS")
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            tag = "" if size == (1920, 1080) else f"-{size[0]}x{size[1]}"
            shutil.copyfile(tmp_path / "before.png", Path(keep) / f"demo-desktop-ticket{tag}.png")
            shutil.copyfile(tmp_path / "demo-desktop.png", Path(keep) / f"demo-desktop-called{tag}.png")

        assert demo.terminate() == 0
        assert top_windows(env) == {}
        assert processes_mentioning(str(data)) == []
    finally:
        demo.kill()
