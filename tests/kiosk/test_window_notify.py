""""Kabari saya" at a real kiosk window (issue 14 item 4): under Xvfb against a real
``loket serve`` whose office sends WhatsApp messages by hand (``wa_manual``): the citizen
types a mobile number, saves it (the consent), takes the number; when the counter calls
it the officer's list has the message with its wa.me link. Screenshots go to
docs/screenshots/notify."""
from __future__ import annotations

from pathlib import Path

import pytest
from kiosk_kit import run_kiosk
from live_server import LiveServer
from xvfb_kit import start_xvfb, stop_xvfb

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "notify"


@pytest.mark.slow
def test_the_citizen_asks_to_be_told_and_the_call_is_messaged(tmp_path):
    srv = LiveServer(tmp_path / "data", workers=1, threads=8).setup(staff_roles=("operator",))
    office = srv.data_dir / "offices" / "default.toml"
    office.write_text(office.read_text(encoding="utf-8") + '\n[notifications]\nchannels = ["wa_manual"]\n',
                      encoding="utf-8")
    srv.start()
    disp, xvfb = start_xvfb(1080, 1920)
    try:
        steps = [{"wait": "welcome"}, {"tap": "begin"}, {"wait": "services"}, {"tap": "service_KK"},
                 {"wait": "question"}, {"tap": "choice_kelahiran"}, {"wait": "priority"}, {"tap": "prio_none"},
                 {"wait": "checklist"}, {"see": "open_notify"}, {"sleep": 0.3}, {"shot": "01_checklist_offer"},
                 {"tap": "open_notify"}, {"wait": "notify"}]
        steps += [{"tap": f"notify_key_{d}"} for d in "0812345"]
        steps += [{"tap": "notify_save"}, {"see": "notify_value"}, {"sleep": 0.3}, {"shot": "02_invalid"}]
        steps += [{"tap": f"notify_key_{d}"} for d in "67890"]
        steps += [{"sleep": 0.3}, {"shot": "03_number"}, {"tap": "notify_save"}, {"wait": "checklist"},
                  {"see": "notify_saved"}, {"sleep": 0.3}, {"shot": "04_checklist_saved"},
                  {"tap": "take_ticket"}, {"wait": "confirmation"}]
        result, out = run_kiosk(srv, disp, tmp_path, steps, printer_uri="dummy://", size=(1080, 1920))
        assert result["screens"][-1] == "confirmation"
        SHOTS.mkdir(parents=True, exist_ok=True)
        for name in ("01_checklist_offer", "02_invalid", "03_number", "04_checklist_saved"):
            (SHOTS / f"kiosk_{name}.png").write_bytes((out / f"{name}.png").read_bytes())
        op = srv.login("u_operator")
        status, called = srv.request("POST", "/api/v1/counters/1/call-next", {}, token=op)
        assert status == 200 and called["number"] == "B001"
        status, manual = srv.request("GET", "/api/v1/messages/manual", token=op)
        [msg] = manual["messages"]
        assert msg["recipient"] == "+6281234567890" and msg["kind"] == "ticket_called"
        assert msg["link"].startswith("https://wa.me/6281234567890?text=") and "B001" in msg["text"]
    finally:
        stop_xvfb(xvfb)
        srv.stop()
