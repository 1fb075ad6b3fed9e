"""The ``loket`` server commands as a person runs them: init (twice), staff, tokens,
config check, backup while the server writes, and a restore from that backup."""
from __future__ import annotations

import shutil
import sqlite3

from live_server import ADMIN_PASSWORD, LiveServer, loket
from server_kit import KIA_7Y


def test_init_is_safe_to_run_twice(tmp_path):
    d = tmp_path / "data"
    first = loket("init", "--admin-password", ADMIN_PASSWORD, data_dir=d)
    assert "Akun admin dibuat" in first.stdout
    assert (d / "offices" / "default.toml").exists() and (d / "loket.sqlite3").exists()
    (d / "offices" / "default.toml").write_text(
        (d / "offices" / "default.toml").read_text(encoding="utf-8").replace("Kabupaten Paser", "Kabupaten Paser ", 1),
        encoding="utf-8")
    edited = (d / "offices" / "default.toml").read_text(encoding="utf-8")
    second = loket("init", data_dir=d)
    assert "sudah ada" in second.stdout
    assert (d / "offices" / "default.toml").read_text(encoding="utf-8") == edited  # never overwritten


def test_the_data_directory_is_readable_by_its_user_only(tmp_path):
    """#18 item 6 (UU 27/2022): the database holds NIKs and names."""
    import os
    import stat

    d = tmp_path / "data"
    d.mkdir()
    (d / "loket.sqlite3").touch(mode=0o644)  # as an older Loket left it
    os.chmod(d, 0o755)
    loket("init", "--admin-password", ADMIN_PASSWORD, data_dir=d)
    assert stat.S_IMODE(d.stat().st_mode) == 0o700
    for path in d.glob("loket.sqlite3*"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    out = loket("backup", data_dir=d).stdout.strip().splitlines()[-1]
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600


def test_check_config_without_a_data_directory_checks_the_shipped_files(tmp_path):
    """#18 item 5: ``loket check-config`` as the README writes it, before ``loket init``."""
    r = loket("check-config", data_dir=tmp_path / "nothing-here", check=False)
    assert r.returncode == 0, r.stderr
    assert "bawaan" in r.stdout and "shipped" in r.stdout and "KIA" in r.stdout


def test_staff_and_token_commands(tmp_path):
    d = tmp_path / "data"
    loket("init", "--admin-password", ADMIN_PASSWORD, data_dir=d)
    out = loket("staff", "add", "siti", "--role", "verifikator", "--password", "kata-sandi-1", data_dir=d)
    assert "siti" in out.stdout
    dup = loket("staff", "add", "siti", "--role", "operator", "--password", "kata-sandi-1", data_dir=d, check=False)
    assert dup.returncode != 0 and "sudah dipakai" in dup.stderr
    weak = loket("staff", "add", "budi", "--role", "operator", "--password", "123", data_dir=d, check=False)
    assert weak.returncode != 0 and "minimal" in weak.stderr
    tok = loket("token", "create", "--role", "kiosk", "--name", "kios-1", data_dir=d)
    token = tok.stdout.strip().splitlines()[-1]
    assert len(token) >= 40 and " " not in token
    with sqlite3.connect(d / "loket.sqlite3") as con:
        stored = [r[0] for r in con.execute("select token_hash from token")]
        audit = [r[0] for r in con.execute("select action from audit_log")]
    assert token not in stored  # only its hash is kept
    assert "staff.create" in audit and "device.create" in audit


def test_accounts_and_device_tokens_are_managed_from_the_cli(tmp_path):
    d = tmp_path / "data"
    loket("init", "--admin-password", ADMIN_PASSWORD, data_dir=d)
    loket("staff", "add", "siti", "--role", "verifikator", "--password", "kata-sandi-1", data_dir=d)
    loket("token", "create", "--role", "kiosk", "--name", "kios-aula", data_dir=d)
    listed = loket("token", "list", data_dir=d).stdout
    assert "kios-aula" in listed and "aktif" in listed
    token_id = listed.split()[0]
    assert "dicabut" in loket("token", "revoke", token_id, data_dir=d).stdout
    assert "dicabut" in loket("token", "list", data_dir=d).stdout
    assert loket("token", "revoke", "999", data_dir=d, check=False).returncode != 0
    loket("staff", "disable", "siti", data_dir=d)
    assert "nonaktif" in loket("staff", "list", data_dir=d).stdout
    loket("staff", "enable", "siti", data_dir=d)
    loket("staff", "password", "siti", "--password", "sandi-baru-99", data_dir=d)
    loket("staff", "unlock", "siti", data_dir=d)
    assert loket("staff", "disable", "nobody", data_dir=d, check=False).returncode != 0
    with sqlite3.connect(d / "loket.sqlite3") as con:
        audit = [r[0] for r in con.execute("select action from audit_log where actor = 'cli'")]
        active = con.execute("select active from staff where username = 'siti'").fetchone()[0]
    assert {"device.revoke", "staff.disable", "staff.enable", "staff.password", "auth.unlock"} <= set(audit)
    assert active == 1


def test_check_config_reports_a_broken_office_file(tmp_path):
    d = tmp_path / "data"
    loket("init", "--admin-password", ADMIN_PASSWORD, data_dir=d)
    ok = loket("check-config", data_dir=d)
    assert "KIA" in ok.stdout and "WITA" in ok.stdout
    f = d / "offices" / "default.toml"
    f.write_text(f.read_text(encoding="utf-8").replace('role = "verifikator"', 'role = "kasir"', 1), encoding="utf-8")
    bad = loket("check-config", data_dir=d, check=False)
    assert bad.returncode != 0
    assert "default.toml" in bad.stderr and "kasir" in bad.stderr and "role" in bad.stderr


def test_backup_while_serving_and_restore(tmp_path):
    server = LiveServer(tmp_path / "office").setup(staff_roles=())
    server.start()
    try:
        for _ in range(20):
            server.request("POST", "/api/v1/tickets", {"service": "KIA", "answers": KIA_7Y}, token=server.tokens["kiosk"])
        upload = server.data_dir / "uploads" / "ab" / ("ab" + "0" * 38 + ".jpg")  # an online application's file
        upload.parent.mkdir(parents=True)
        upload.write_bytes(b"\xff\xd8\xff scan")
        out = loket("backup", "--out", str(tmp_path / "b.sqlite3"), data_dir=server.data_dir)
        backup = tmp_path / "b.sqlite3"
        assert out.stdout.strip().endswith("b.sqlite3") and backup.exists()
        assert (tmp_path / "b.uploads" / "ab" / upload.name).read_bytes() == upload.read_bytes()
        with sqlite3.connect(backup) as con:
            assert con.execute("pragma integrity_check").fetchone()[0] == "ok"
            assert con.execute("select count(*) from ticket").fetchone()[0] == 20
    finally:
        server.stop()
    # restore (README "Backup and restore"): init a new data dir, put the backup in place, start
    restored = tmp_path / "restored"
    loket("init", "--admin-password", ADMIN_PASSWORD, data_dir=restored)
    (restored / "loket.sqlite3").unlink()
    for suffix in ("-wal", "-shm"):
        (restored / f"loket.sqlite3{suffix}").unlink(missing_ok=True)
    shutil.copyfile(backup, restored / "loket.sqlite3")
    again = LiveServer(restored)
    again.tokens = server.tokens
    again.start()
    try:
        status, body = again.request("POST", "/api/v1/tickets", {"service": "KIA", "answers": KIA_7Y},
                                     token=server.tokens["kiosk"])
        assert status == 201 and body["number"] == "A021"
    finally:
        again.stop()


def test_serve_refuses_a_database_it_cannot_write(tmp_path):
    import os
    import subprocess
    d = tmp_path / "data"
    loket("init", "--admin-password", ADMIN_PASSWORD, data_dir=d)
    db_file = d / "loket.sqlite3"
    # read-only for everyone, root included: the immutable flag (chattr), else file modes
    frozen = os.geteuid() == 0 and subprocess.run(["chattr", "+i", str(db_file)], capture_output=True).returncode == 0
    if not frozen:
        os.chmod(db_file, 0o400)
    try:
        with open(db_file, "ab"):
            writable = True
    except OSError:
        writable = False
    if writable:  # root on a file system without the immutable flag: nothing here is read-only
        os.chmod(db_file, 0o600)
        import pytest
        pytest.skip("cannot make a read-only file here; the 503 and /health answers: test_storage.py")
    try:
        out = loket("serve", "--port", "0", data_dir=d, check=False, timeout=60)
    finally:
        if frozen:
            subprocess.run(["chattr", "-i", str(db_file)], check=True)
        os.chmod(db_file, 0o600)
    assert out.returncode != 0 and "tidak bisa ditulis" in out.stderr, out.stderr[-2000:]


def test_loket_serve_caps_the_malloc_arenas_on_linux():
    """bench/README.md "Online applications": without the cap a worker kept 1.9 GB after a burst of uploads."""
    import sys

    from queue_server.cli import limit_malloc_arenas
    assert limit_malloc_arenas() is (sys.platform == "linux")
