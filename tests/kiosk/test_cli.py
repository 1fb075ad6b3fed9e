"""``loket kiosk`` options and ``build_controller`` (no window is opened here)."""
from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from kiosk.cli import COMMANDS, build_controller, kiosk_cmd
from loket.cli import main


def test_mounted_in_loket_and_help_without_a_display():
    assert COMMANDS == [kiosk_cmd] and "kiosk" in main.commands
    # --help must not import Kivy (no window, works on a server without a display)
    out = subprocess.run([sys.executable, "-c",
                          "import sys; from loket.cli import main\n"
                          "try:\n    main(['kiosk', '--help'])\nexcept SystemExit:\n    pass\n"
                          "print('kivy.core.window' in sys.modules)"],
                         capture_output=True, text=True, timeout=60)
    assert "--printer" in out.stdout and "--fullscreen" in out.stdout and "--paper [58|80]" in out.stdout
    assert out.stdout.strip().endswith("False")


def test_bad_size_and_printer_are_refused():
    runner = CliRunner()
    res = runner.invoke(kiosk_cmd, ["--server", "http://127.0.0.1:9", "--token", "t", "--size", "big"])
    assert res.exit_code == 2 and "WxH" in res.output
    res = runner.invoke(kiosk_cmd, ["--server", "http://127.0.0.1:9", "--token", "t", "--printer", "lpt://x"])
    assert res.exit_code == 2 and "--printer" in res.output


def test_build_controller_wires_api_and_printer(tmp_path):
    ctrl = build_controller("http://127.0.0.1:9/", "tok", f"preview://{tmp_path}", lang="en", paper=58,
                            office="paser", idle_timeout=30)
    assert ctrl.lang == "en" and ctrl.idle_timeout == 30 and ctrl.screen == "welcome"
    assert ctrl.api.api_url == "http://127.0.0.1:9/api/v1" and ctrl.api.office == "paser"
    assert ctrl.printer.paper.dots == 384
