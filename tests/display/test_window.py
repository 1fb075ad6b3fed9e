"""Real-window tests: ``loket display`` in a subprocess on a private Xvfb screen
against a real ``loket serve`` on 127.0.0.1 (issue 6 "Done means"). The app runs
with ``--automation DIR``: it writes what its widgets show to ``status.json`` and
saves screenshots on request (display/driver.py)."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from xvfb_kit import kivy_env, start_xvfb, stop_xvfb

from display.state import DISCONNECTED, LIVE


@pytest.fixture(scope="module")
def xdisplay():
    display, proc = start_xvfb(1920, 1920)
    yield display
    stop_xvfb(proc)


class Screen:
    """A running display process and its automation folder."""

    def __init__(self, live, display, folder: Path, size: str, *extra: str):
        self.dir = folder
        self.dir.mkdir(parents=True, exist_ok=True)
        env = kivy_env(display, str(folder / "kivy-home"))
        cmd = [sys.executable, "-m", "loket.cli", "display", "--server", live.url, "--token", live.tokens["display"],
               "--size", size, "--automation", str(folder), *extra]
        self.log = open(folder / "display.log", "wb")
        self.proc = subprocess.Popen(cmd, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def status(self) -> dict | None:
        try:
            return json.loads((self.dir / "status.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def wait(self, predicate, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"display exited: {(self.dir / 'display.log').read_text(errors='replace')[-3000:]}")
            st = self.status()
            if st and predicate(st):
                return st
            time.sleep(0.02)
        raise AssertionError(f"screen condition not met in {timeout} s; last status: {self.status()}")

    def shot(self, name: str) -> Path:
        target = self.dir / f"{name}.png"
        (self.dir / f"{name}.shot").touch()
        self.wait(lambda st: target.exists() and not (self.dir / f"{name}.shot").exists(), 10)
        return target

    def close(self):
        (self.dir / "quit").touch()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self.log.close()


@pytest.fixture
def screens(live, xdisplay, tmp_path):
    opened = []

    def _open(size: str, *extra: str) -> Screen:
        s = Screen(live, xdisplay, tmp_path / f"screen-{len(opened)}", size, *extra)
        opened.append(s)
        return s

    yield _open
    for s in opened:
        s.close()


def _png_size(path: Path) -> tuple[int, int]:
    from PIL import Image

    with Image.open(path) as im:
        return im.size


def test_landscape_call_on_screen_terputus_and_recovery(live, kit, screens):
    kit.issue(6)
    screen = screens("1920x1080", "--voice")  # SDL dummy audio: the voice path runs too
    st = screen.wait(lambda st: st["connection"] == LIVE and st["screen"]["title"], 30)
    assert st["screen"]["orientation"] == "landscape" and st["screen"]["window"] == [1920, 1080]
    assert st["screen"]["date"].endswith("WITA") and "GRATIS" in st["screen"]["ticker"]

    number = kit.call_next("1")  # on screen within about 0.1 s: bench/bench_display.py measures it
    st = screen.wait(lambda st: st["screen"]["latest"]["number"] == number, 10)
    assert st["screen"]["counters"]["1"]["number"] == number and st["screen"]["latest"]["counter"] == "LOKET 1"
    assert st["screen"]["counters"]["1"]["highlighted"]
    screen.wait(lambda st: f"{number}@1" in st["spoken"], 5)  # the voice queue played it (SDL dummy audio)
    kit.call_next("2")
    kit.call_next("3")
    screen.wait(lambda st: len(st["screen"]["history"]) >= 2, 2)
    assert _png_size(screen.shot("landscape-live")) == (1920, 1080)

    live.kill()
    st = screen.wait(lambda st: st["connection"] == DISCONNECTED and "TERPUTUS" in st["screen"]["banner"], 20)
    screen.shot("landscape-terputus")

    live.start()
    kit.op = live.login("u_operator")
    meanwhile = [kit.call_next("1"), kit.call_next("2")]  # likely before the display is back
    st = screen.wait(lambda st: st["connection"] == LIVE and st["screen"]["latest"]["number"] == meanwhile[-1]
                     and st["screen"]["counters"]["1"]["number"] == meanwhile[0], 15)
    assert st["screen"]["banner"] == ""
    assert meanwhile[0] in [h["number"] for h in st["screen"]["history"]]
    screen.shot("landscape-recovered")


def test_portrait_layout_and_filter(live, kit, screens):
    kit.issue(2)
    kit.issue(1, service="KK")
    screen = screens("1080x1920", "--no-voice")
    screen.wait(lambda st: st["connection"] == LIVE and st["screen"]["title"], 30)
    number = kit.call_next("3")
    st = screen.wait(lambda st: st["screen"]["latest"]["number"] == number, 2)
    assert st["screen"]["orientation"] == "portrait" and st["screen"]["window"] == [1080, 1920]
    assert set(st["screen"]["counters"]) == {"1", "2", "3", "4", "5"}
    assert int(st["screen"]["services"]["KK"]["waiting"]) >= 1
    time.sleep(1.0)
    assert _png_size(screen.shot("portrait-live")) == (1080, 1920)

    hall = screens("1920x1080", "--no-voice", "--counters", "4,5", "--language", "en")
    st = hall.wait(lambda st: st["connection"] == LIVE and st["screen"]["counters"], 30)
    assert set(st["screen"]["counters"]) == {"4", "5"} and st["screen"]["counters"]["4"]["label"] == "COUNTER 4"
    hall.shot("landscape-hall-en")
