"""Accounts an office can control (issue 16 items 1, 6, 7): failed logins audited with
the address and locked out after five (an admin lifts it), accounts disabled and
passwords reset or changed with their sessions ended, device tokens listed, revoked
and given an expiry."""
from __future__ import annotations

from server_kit import PASSWORD

from queue_server.db.models import AuditLog, db


def login(client, username, password=PASSWORD, addr="10.0.0.7"):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": addr})


def test_failed_logins_are_audited_and_lock_the_account_until_an_admin_unlocks_it(client, tokens):
    for _ in range(5):
        assert login(client, "u_operator", "salah-sekali").status_code == 401
    with db.connection_context():
        rows = list(AuditLog.select().where(AuditLog.action == "auth.login_failed"))
    assert len(rows) == 5 and {(r.target, r.remote_addr) for r in rows} == {("u_operator", "10.0.0.7")}
    locked = login(client, "u_operator")  # even the right password: the account is locked
    assert locked.status_code == 429 and locked.json["error"]["code"] == "account_locked"
    assert locked.headers["Retry-After"] == "900"
    assert login(client, "u_verifikator").status_code == 200  # other accounts are not affected
    assert client.post("/api/v1/staff/u_operator/unlock", headers=tokens["operator"]).status_code == 403
    assert client.post("/api/v1/staff/u_operator/unlock", headers=tokens["admin"]).status_code == 200
    assert login(client, "u_operator").status_code == 200


def test_the_lock_ends_by_itself_and_a_good_login_clears_the_count(client, tokens, clock):
    for _ in range(4):
        login(client, "u_kepala", "salah-sekali")
    assert login(client, "u_kepala").status_code == 200  # the count starts again after a good login
    for _ in range(4):
        login(client, "u_kepala", "salah-sekali")
    assert login(client, "u_kepala").status_code == 200
    for _ in range(5):
        login(client, "u_kepala", "salah-sekali")
    assert login(client, "u_kepala").status_code == 429
    clock.advance(15 * 60 + 1)
    assert login(client, "u_kepala").status_code == 200


def test_one_address_cannot_try_every_account(client, tokens):
    for i in range(30):
        login(client, f"tebak{i}", "salah-sekali", addr="10.9.9.9")
    r = login(client, "u_operator", addr="10.9.9.9")
    assert r.status_code == 429 and r.json["error"]["code"] == "too_many_attempts"
    assert login(client, "u_operator", addr="10.0.0.8").status_code == 200


def test_a_disabled_account_is_refused_at_once_and_its_sessions_end(client, tokens):
    assert client.get("/api/v1/auth/me", headers=tokens["operator"]).status_code == 200
    r = client.post("/api/v1/staff/u_operator/disable", headers=tokens["admin"])
    assert r.status_code == 200 and r.json["active"] is False
    assert client.get("/api/v1/auth/me", headers=tokens["operator"]).status_code == 401  # the live session ends
    assert login(client, "u_operator").status_code == 401
    assert client.post("/api/v1/staff/u_operator/enable", headers=tokens["admin"]).json["active"] is True
    assert login(client, "u_operator").status_code == 200
    assert client.post("/api/v1/staff/nobody/disable", headers=tokens["admin"]).status_code == 404
    staff = {s["username"]: s for s in client.get("/api/v1/staff", headers=tokens["admin"]).json["staff"]}
    assert staff["u_operator"]["active"] is True


def test_passwords_are_reset_by_the_admin_and_changed_by_their_owner(client, tokens):
    r = client.post("/api/v1/staff/u_operator/password", json={"password": "pendek"}, headers=tokens["admin"])
    assert r.status_code == 422
    assert client.post("/api/v1/staff/u_operator/password", json={"password": "sandi-baru-123"},
                       headers=tokens["admin"]).status_code == 200
    assert client.get("/api/v1/auth/me", headers=tokens["operator"]).status_code == 401  # sessions ended
    assert login(client, "u_operator").status_code == 401
    token = login(client, "u_operator", "sandi-baru-123").json["token"]
    me = {"Authorization": f"Bearer {token}"}
    wrong = client.post("/api/v1/auth/password", json={"old_password": "bukan", "new_password": "sandi-lain-456"},
                        headers=me)
    assert wrong.status_code == 401 and wrong.json["error"]["details"]["field"] == "old_password"
    changed = client.post("/api/v1/auth/password",
                          json={"old_password": "sandi-baru-123", "new_password": "sandi-lain-456"}, headers=me)
    assert changed.status_code == 200
    assert client.get("/api/v1/auth/me", headers=me).status_code == 401  # the old token is gone ...
    fresh = {"Authorization": f"Bearer {changed.json['token']}"}
    assert client.get("/api/v1/auth/me", headers=fresh).status_code == 200  # ... this session goes on
    with db.connection_context():
        actions = [r.action for r in AuditLog.select().where(AuditLog.target == "u_operator")]
    assert "staff.password" in actions and "auth.password" in actions


def test_device_tokens_are_listed_revoked_and_can_expire(client, tokens, clock):
    r = client.post("/api/v1/devices", json={"role": "kiosk", "name": "kios-pinjaman", "expires_days": 1},
                    headers=tokens["admin"])
    assert r.status_code == 201
    lent = {"Authorization": f"Bearer {r.json['token']}"}
    devices = client.get("/api/v1/devices", headers=tokens["admin"]).json["devices"]
    assert "token" not in str(devices.keys() if isinstance(devices, dict) else devices[0].keys())
    kiosk = next(d for d in devices if d["name"] == "kios-1") if any(d["name"] == "kios-1" for d in devices) \
        else next(d for d in devices if d["role"] == "kiosk" and d["name"] != "kios-pinjaman")
    assert client.get("/api/v1/auth/me", headers=tokens["kiosk"]).status_code == 200
    assert client.post(f"/api/v1/devices/{kiosk['id']}/revoke", headers=tokens["admin"]).status_code == 200
    assert client.get("/api/v1/auth/me", headers=tokens["kiosk"]).status_code == 401  # refused at once
    assert client.get("/api/v1/auth/me", headers=lent).status_code == 200
    assert client.post("/api/v1/devices/424242/revoke", headers=tokens["admin"]).status_code == 404
    clock.advance(86400 + 1)
    assert client.get("/api/v1/auth/me", headers=lent).status_code == 401  # its day is over
