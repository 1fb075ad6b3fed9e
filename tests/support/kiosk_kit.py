"""Run a real kiosk window (``python -m loket.cli kiosk``) under Xvfb with an automation
script (:mod:`kiosk.automation`) against a server; shared by the kiosk and phone tests."""
from __future__ import annotations

import json
import subprocess
import sys

from xvfb_kit import kivy_env


def run_kiosk(server, display, tmp_path, steps, *, printer_uri, size, lang="id", timeout=90, extra=()):
    """Run the kiosk with ``steps`` (``extra``: more ``loket kiosk`` options); returns
    (automation result, out dir). Fails with the kiosk's stderr when the script fails."""
    out = tmp_path / "shots"
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"out": str(out), "steps": steps}), encoding="utf-8")
    home = tmp_path / "kivy-home"
    home.mkdir(exist_ok=True)
    env = kivy_env(display, str(home))
    env["LOKET_KIOSK_SCRIPT"] = str(script)
    cmd = [sys.executable, "-m", "loket.cli", "kiosk", "--server", server.url, "--token", server.tokens["kiosk"],
           "--printer", printer_uri, "--size", f"{size[0]}x{size[1]}", "--lang", lang, "--paper", "80", *extra]
    proc = subprocess.run(cmd, env=env, cwd=str(tmp_path), capture_output=True, text=True, timeout=timeout)
    result_file = out / "automation.json"
    assert result_file.is_file(), proc.stderr[-3000:]
    result = json.loads(result_file.read_text())
    assert result["ok"], (result["error"], proc.stderr[-3000:])
    return result, out
