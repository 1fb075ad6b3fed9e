"""The README's first command on a new machine (issue 18 item 1): a clone of the
committed HEAD, no virtual environment, ``bash scripts/demo.sh`` as written — it makes
its own ./.venv, installs Loket and serves the demo office; Ctrl-C stops it all.
(The second command, ``bash scripts/test.sh``, is the one CI runs on a fresh clone.)"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from live_server import free_port

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None or not (REPO / ".git").exists(), reason="needs a git checkout")
def test_the_first_readme_command_works_from_an_empty_clone():
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "DISPLAY", "WAYLAND_DISPLAY")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if not p.rstrip("/").endswith(".venv/bin"))
    r = subprocess.run(["bash", str(REPO / "scripts" / "fresh-clone-check.sh"), str(free_port())], env=env,
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, (r.stdout[-3000:], r.stderr[-3000:])
    assert "served the demo office" in r.stdout and "stopped cleanly" in r.stdout
    assert "```bash\nbash scripts/demo.sh\n```" in (REPO / "README.md").read_text(encoding="utf-8")  # as checked
