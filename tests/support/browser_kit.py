"""Real headless Chromium for the browser-page tests and benchmarks (Debian's
``chromium`` and ``chromium-driver``, installed by the README's test command), driven
by Selenium. Nothing is downloaded: the driver's path is given, Selenium Manager is
never asked."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def chrome(width: int = 1280, height: int = 720, *, autoplay: bool = True, scale: float = 1.0):
    """A headless Chromium window of ``width``×``height`` CSS pixels (``scale``: device
    pixel ratio, 2 makes a 3840×2160 screenshot of a 1920×1080 page); ``autoplay``
    lets Web Audio start without a tap (a TV set up for it); without it audio waits for a
    tap, as in a browser as shipped. Quit it with :func:`quit` when done."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="loket-chromium-")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-extensions", "--mute-audio", f"--user-data-dir={profile}",
                f"--window-size={width},{height}", f"--force-device-scale-factor={scale}"):
        opts.add_argument(arg)
    # without autoplay: the policy of a desktop Chromium as shipped (audio after a tap)
    opts.add_argument("--autoplay-policy=" + ("no-user-gesture-required" if autoplay
                                              else "document-user-activation-required"))
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)
    driver.set_window_size(width, height)
    # the window size includes no browser chrome in headless mode; make the viewport exact
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    if inner != [width, height]:
        driver.set_window_size(width * 2 - inner[0], height * 2 - inner[1])
    driver._loket_profile = profile
    return driver


def quit(driver) -> None:
    """Close the browser and remove its profile."""
    try:
        driver.quit()
    finally:
        shutil.rmtree(getattr(driver, "_loket_profile", ""), ignore_errors=True)


def wait_for(driver, script: str, timeout: float = 10, interval: float = 0.02):
    """Poll the page until the JavaScript expression ``script`` is truthy; returns its
    value. Raises AssertionError with the page's console log on a timeout."""
    import time
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(f"return ({script});")
        if value:
            return value
        time.sleep(interval)
    try:
        logs = driver.get_log("browser")
    except Exception:  # noqa: BLE001 - not every driver keeps a log
        logs = []
    raise AssertionError(f"not true within {timeout} s: {script}; console: {logs[-10:]}")


def shot(driver, path: Path) -> Path:
    """Save a screenshot of the viewport as PNG at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(path))
    return path
