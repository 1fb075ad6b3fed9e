"""Helpers of the browser-page tests (issue 15): API shortcuts for a live server, opening
the display and logging in to a staff page in a Selenium-driven Chromium."""
from __future__ import annotations

from pathlib import Path

from browser_kit import wait_for
from live_server import LiveServer
from server_kit import KIA_7Y

#: Where the browser pages' screenshots go (looked at, committed).
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "web"


class Kit:
    """Tickets and counter actions through the API of ``srv``."""

    def __init__(self, srv: LiveServer):
        self.srv = srv
        self.op = srv.login("u_operator")

    def issue(self, n: int = 1, service: str = "KIA", answers: dict | None = None) -> list[dict]:
        out = []
        for _ in range(n):
            status, body = self.srv.request("POST", "/api/v1/tickets",
                                            {"service": service, "answers": answers or
                                             (dict(KIA_7Y) if service == "KIA" else {"reason": "kelahiran"})},
                                            token=self.srv.tokens["kiosk"])
            assert status == 201, body
            out.append(body)
        return out

    def act(self, counter: str, action: str, body: dict | None = None):
        status, answer = self.srv.request("POST", f"/api/v1/counters/{counter}/{action}", body or {}, token=self.op)
        assert status in (200, 204), answer
        return answer

    def call_next(self, counter: str = "1") -> str:
        return self.act(counter, "call-next")["number"]


def open_display(driver, srv, query: str = ""):
    """Open /display with the display token (kept in the cookie) and wait until live."""
    driver.get(f"{srv.url}/display?token={srv.tokens['display']}{'&' + query if query else ''}")
    wait_for(driver, "document.body.getAttribute('data-connection') === 'live'", 20)


def staff_login(driver, url: str, username: str, password: str = "petugas-123") -> None:
    """Open a staff page and log in through its form."""
    from selenium.webdriver.common.by import By
    driver.get(url)
    wait_for(driver, "!document.getElementById('login').hidden", 10)
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "login-button").click()
