"""Fixtures for the browser pages (issue 15): a real ``loket serve`` on 127.0.0.1 and
real headless Chromium windows driven by Selenium (tests/support/browser_kit.py).
Screenshots go to docs/screenshots/web."""
from __future__ import annotations

import pytest
from browser_kit import chrome, quit
from live_server import LiveServer
from web_kit import Kit


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    srv = LiveServer(tmp_path_factory.mktemp("web") / "data", workers=2).setup().start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def kit(live):
    return Kit(live)


@pytest.fixture
def browser():
    """Open Chromium windows: ``browser(width, height, scale=1)``; all closed at the end."""
    opened = []

    def _open(width: int = 1920, height: int = 1080, **kw):
        d = chrome(width, height, **kw)
        opened.append(d)
        return d

    yield _open
    for d in opened:
        quit(d)
