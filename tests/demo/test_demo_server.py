"""``loket demo`` as a subprocess without windows: printout, server, demo accounts,
reuse of data and tokens on a second run, clean stop on SIGTERM, crashed windows
reported."""
from __future__ import annotations

import json
import os
import socket

import pytest
from demo_kit import Demo, printed_tokens, processes_mentioning, request
from live_server import free_port

from loket.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

READY = "Ctrl-C"


@pytest.fixture
def no_display_env():
    env = dict(os.environ)
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    return env


def test_demo_runs_server_prints_everything_and_stops_cleanly(tmp_path, no_display_env):
    data = tmp_path / "loket-data"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    demo = Demo(data, port, "--no-windows", env=no_display_env)
    try:
        out = demo.wait_for(READY)
        for text in (url, f"{url}/api/v1/docs", str(data), str(data / "previews" / "kiosk"),
                     str(data / "previews" / "counter"), str(data / "cards"), DEMO_PASSWORD):
            assert text in out
        for username, role, _ in DEMO_ACCOUNTS:
            assert f"{username}" in out and role in out
        tokens = printed_tokens(out)
        assert set(tokens) == {"kiosk", "display"}
        assert json.loads((data / "demo.json").read_text()) | {} == {
            "kiosk_token": tokens["kiosk"], "display_token": tokens["display"], "admin_password": DEMO_PASSWORD}

        status, health = request(url + "/api/v1/health")
        assert status == 200, health
        status, _ = request(url + "/api/v1/docs")
        assert status == 200
        for username, role, _ in DEMO_ACCOUNTS + [("admin", "admin", None)]:
            status, body = request(url + "/api/v1/auth/login", "POST", {"username": username, "password": DEMO_PASSWORD})
            assert status == 200, (username, body)
            assert body["role"] == role
        for role, token in tokens.items():
            status, me = request(url + "/api/v1/auth/me", token=token)
            assert (status, me["role"]) == (200, role)
        status, ticket = request(url + "/api/v1/tickets", "POST",
                                 {"service": "KIA", "answers": {"birth_date": "2019-06-01", "reason": "baru"}},
                                 token=tokens["kiosk"])
        assert status in (200, 201), ticket  # --ignore-hours: tickets at any time of day

        assert processes_mentioning(str(data))  # the server child is running
        assert demo.terminate() == 0
        assert "Semua proses demo dihentikan." in demo.out
        assert processes_mentioning(str(data)) == []
    finally:
        demo.kill()

    # Second run (no DISPLAY, no --no-windows): same data and tokens, no accounts made again.
    demo = Demo(data, port, env=no_display_env)
    try:
        out2 = demo.wait_for(READY)
        assert "DISPLAY" in out2 and "Hanya server yang berjalan" in out2
        # 127.0.0.1 is this PC only: the lines for other PCs say how to let them in
        assert "--host 0.0.0.0" in out2 and f"loket kiosk --server http://ALAMAT-IP-PC-INI:{port}" in out2
        assert "Akun admin sudah ada." in out2
        assert printed_tokens(out2) == tokens
        status, body = request(url + "/api/v1/auth/login", "POST", {"username": "operator1", "password": DEMO_PASSWORD})
        assert (status, body["role"]) == (200, "operator")
        status, me = request(url + "/api/v1/auth/me", token=tokens["kiosk"])
        assert status == 200
        status, queue = request(url + "/api/v1/queue", token=tokens["display"])
        assert status == 200 and "KIA" in json.dumps(queue)  # the first run's ticket is still waiting
        assert demo.terminate() == 0
        assert processes_mentioning(str(data)) == []
    finally:
        demo.kill()


def test_revoked_or_lost_token_is_replaced(tmp_path, no_display_env):
    data = tmp_path / "d"
    data.mkdir()
    (data / "demo.json").write_text(json.dumps({"kiosk_token": "not-a-token", "display_token": "nope",
                                                "admin_password": None}))
    port = free_port()
    demo = Demo(data, port, "--no-windows", "--lang", "en", env=no_display_env)
    try:
        out = demo.wait_for("Ctrl-C")
        assert "Loket demo is running" in out and "Demo staff accounts" in out
        tokens = printed_tokens(out)
        assert tokens["kiosk"] != "not-a-token" and tokens["display"] != "nope"
        status, me = request(f"http://127.0.0.1:{port}/api/v1/auth/me", token=tokens["display"])
        assert (status, me["role"]) == (200, "display")
        # The admin existed before? No: demo.json said unknown, but init made it now with the demo password.
        assert json.loads((data / "demo.json").read_text())["admin_password"] == DEMO_PASSWORD
        assert demo.terminate() == 0
    finally:
        demo.kill()


def test_port_in_use_is_a_clear_error(tmp_path, no_display_env):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        demo = Demo(tmp_path / "d", port, "--no-windows", env=no_display_env)
        rc = demo.proc.wait(timeout=30)
        demo._reader.join(5)
    assert rc != 0
    assert f"Port {port} sudah dipakai" in demo.out


def test_a_crashing_window_is_reported_and_the_server_keeps_running(tmp_path, no_display_env):
    # A display is announced, but Kivy gets no window provider: every window exits with an error.
    env = dict(no_display_env, DISPLAY=":98765", KIVY_WINDOW="no-such-provider")
    data = tmp_path / "d"
    port = free_port()
    demo = Demo(data, port, env=env)
    try:
        demo.wait_for("Ctrl-C")
        for label in ("Kios antrean", "Stasiun petugas (loket 1)", "Layar ruang tunggu"):
            demo.wait_for(f"Jendela '{label}' berhenti dengan galat", timeout=60)
        status, _ = request(f"http://127.0.0.1:{port}/api/v1/health")
        assert status == 200
        assert (data / "logs" / "kiosk.log").stat().st_size > 0
        assert demo.terminate() == 0
        assert processes_mentioning(str(data)) == []
    finally:
        demo.kill()


def test_the_windows_are_laid_out_for_the_screen():
    """Issue 18 item 5: on a 1366×768 laptop the three windows fit side by side (with room
    for the task bar); on 1920×1080 and larger they keep their full size."""
    from loket.demo import SCREEN_MARGIN, WINDOWS, layout

    assert layout((1920, 1080)) == WINDOWS == layout((2560, 1440))
    for screen in ((1366, 768), (1280, 720), (1600, 900)):
        wins = layout(screen)
        assert [w.name for w in wins] == ["kiosk", "counter", "display"]
        for w in wins:
            assert w.left + w.width <= screen[0] and w.top + w.height <= screen[1] - SCREEN_MARGIN + 1, (screen, w)
        boxes = [(w.left, w.top, w.left + w.width, w.top + w.height) for w in wins]
        for i, a in enumerate(boxes):  # no two windows overlap
            for b in boxes[i + 1:]:
                assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (screen, a, b)
