"""The backup and restore steps of docs/deployment.md §8–9, on a demo data folder."""
from __future__ import annotations

import json
import os
import shutil

from demo_kit import Demo, printed_tokens, request
from live_server import free_port, loket

KIA = {"service": "KIA", "answers": {"birth_date": "2019-06-01", "reason": "baru"}}


def test_backup_then_restore_as_documented(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    data = tmp_path / "loket-data"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    demo = Demo(data, port, "--no-windows", env=env)
    try:
        tokens = printed_tokens(demo.wait_for("Ctrl-C"))
        status, first = request(url + "/api/v1/tickets", "POST", KIA, token=tokens["kiosk"])
        assert status in (200, 201), first
        backup = loket("backup", data_dir=data).stdout.strip().splitlines()[-1]  # while the server runs
        status, second = request(url + "/api/v1/tickets", "POST", KIA, token=tokens["kiosk"])
        assert status in (200, 201), second
        assert demo.terminate() == 0
    finally:
        demo.kill()

    db = data / "loket.sqlite3"  # §9: keep the damaged file aside, copy the backup in place
    db.rename(data / "loket.sqlite3.broken")
    for suffix in ("-wal", "-shm"):
        (data / f"loket.sqlite3{suffix}").unlink(missing_ok=True)
    shutil.copyfile(backup, db)

    demo = Demo(data, port, "--no-windows", env=env)
    try:
        out = demo.wait_for("Ctrl-C")
        assert printed_tokens(out) == tokens  # tokens and accounts live in the database
        status, queue = request(url + "/api/v1/queue", token=tokens["display"])
        assert status == 200
        text = json.dumps(queue)
        assert first["number"] in text
        assert second["number"] not in text  # issued after the backup: not in it
        status, login = request(url + "/api/v1/auth/login", "POST", {"username": "kepala", "password": "demo1234"})
        assert (status, login["role"]) == (200, "kepala")
        assert demo.terminate() == 0
    finally:
        demo.kill()
