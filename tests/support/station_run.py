"""Run the counter station window (``python -m counter.cli``) under Xvfb with an
automation script (``LOKET_STATION_SCRIPT``: taps, typed text, waits, screenshots), as
an officer would drive it; shared by the station and browser-story tests."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import cv2

from xvfb_kit import kivy_env


def run_station(display, server, tmp_path, steps, *, size="1366x768", counter="2", timeout=90, picture="astronaut",
                name="station"):
    """Run the station against ``server`` (an object with ``url``) on ``display`` with
    ``steps``; returns (result dict, folders ``previews``/``spool``/``shots``). The
    camera is scikit-image's ``picture``; ``name`` keeps several runs' files apart."""
    out = {"previews": tmp_path / "previews", "spool": tmp_path / "spool", "shots": tmp_path / "shots"}
    photo = tmp_path / f"{picture}.png"
    if not photo.exists():
        from skimage import data
        cv2.imwrite(str(photo), getattr(data, picture)()[:, :, ::-1])
    result = tmp_path / f"result-{name}-{size}.json"
    script = tmp_path / f"script-{name}-{size}.json"
    script.write_text(json.dumps({"steps": steps, "result": str(result)}), encoding="utf-8")
    env = kivy_env(display, str(tmp_path / "kivy-home"))
    env["LOKET_STATION_SCRIPT"] = str(script)
    cmd = [sys.executable, "-m", "counter.cli", "--server", server.url, "--counter", counter,
           "--printer", f"preview://{out['previews']}", "--card-output", f"spool://{out['spool']}",
           "--camera", f"file://{photo}", "--size", size]
    proc = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, timeout=timeout)
    assert result.exists(), (proc.returncode, proc.stderr.decode(errors="replace")[-3000:],
                             proc.stdout.decode(errors="replace")[-3000:])
    res = json.loads(result.read_text())
    keep = os.environ.get("LOKET_STATION_SHOTS")
    if keep and out["shots"].exists():
        shutil.copytree(out["shots"], keep, dirs_exist_ok=True)
    return res, out
