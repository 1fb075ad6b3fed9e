"""Every write endpoint × every role (and no token): only the roles the SOP gives
may write; the others get 403 (401 without a token) and nothing changes."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from server_kit import KIA_7Y, issue

from queue_server.db.models import AuditLog, db
from queue_server.domain import roles

ALL = roles.ROLES
A = roles.ADMIN


def _jpeg():
    buf = io.BytesIO()
    Image.new("RGB", (30, 40)).save(buf, "JPEG")
    return buf.getvalue()


# (name, method, path template, body, allowed roles)
ENDPOINTS = [
    ("issue ticket", "post", "/api/v1/tickets", {"service": "KIA", "answers": KIA_7Y}, {roles.KIOSK, roles.OPERATOR, A}),
    ("call next", "post", "/api/v1/counters/1/call-next", {}, {roles.OPERATOR, roles.PETUGAS_DISTRIBUSI, A}),
    ("call number", "post", "/api/v1/counters/1/call", {"number": "A001"}, {roles.OPERATOR, roles.PETUGAS_DISTRIBUSI, A}),
    ("recall", "post", "/api/v1/counters/1/recall", {}, {roles.OPERATOR, roles.PETUGAS_DISTRIBUSI, A}),
    ("skip", "post", "/api/v1/counters/1/skip", {}, {roles.OPERATOR, roles.PETUGAS_DISTRIBUSI, A}),
    ("transfer", "post", "/api/v1/counters/1/transfer", {"service": "KK"}, {roles.OPERATOR, roles.PETUGAS_DISTRIBUSI, A}),
    ("finish", "post", "/api/v1/counters/1/finish", {}, {roles.OPERATOR, roles.PETUGAS_DISTRIBUSI, A}),
    ("close counter", "post", "/api/v1/counters/3/close", None, {roles.OPERATOR, roles.PETUGAS_DISTRIBUSI, A}),
    ("confirm priority", "post", "/api/v1/counters/1/priority", {"priority": None},
     {roles.OPERATOR, roles.PETUGAS_DISTRIBUSI, A}),
    ("open application", "post", "/api/v1/tickets/{ticket}/applications",
     {"service": "KIA", "answers": {"reason": "baru"}, "applicant": {"birth_date": "2019-06-01"}}, {roles.OPERATOR, A}),
    ("patch application", "patch", "/api/v1/applications/{app}", {"siak_reference": "X-1"}, {roles.OPERATOR, A}),
    ("verify documents", "post", "/api/v1/applications/{app}/verify", {"present": []}, {roles.OPERATOR, A}),
    ("complete step", "post", "/api/v1/applications/{app}/steps/penerimaan/complete", {"outcome": "done"},
     {roles.OPERATOR, A}),
    ("start verifikasi", "post", "/api/v1/applications/{app}/steps/verifikasi/start", None, {roles.VERIFIKATOR, A}),
    # the TTE is the pejabat's own signature: not even the admin (issue 16 item 17)
    ("complete tte", "post", "/api/v1/applications/{app}/steps/tte/complete", {"outcome": "done"},
     {roles.PEJABAT_TTE}),
    ("photo", "put", "/api/v1/applications/{app}/photo", "jpeg", {roles.OPERATOR, A}),
    # the KIA's hand-over step names the operator (SOP 000): the office file decides, not a fixed list
    ("handover", "post", "/api/v1/applications/{app}/handover", {"received_by": "X", "identity_checked": True},
     {roles.OPERATOR, A}),
    ("reprint", "post", "/api/v1/applications/{app}/reprint", {"card_serial": "S", "reason": "rusak"},
     {roles.PETUGAS_CETAK, A}),
    ("device fault", "post", "/api/v1/devices/faults", {"kind": "printer", "message": "kertas habis"},
     {roles.KIOSK, roles.OPERATOR, A}),
    ("ikm", "post", "/api/v1/ikm", {"answers": [4] * 9}, {roles.KIOSK, roles.OPERATOR, A}),
    ("staff create", "post", "/api/v1/staff", {"username": "new_{role}", "role": "operator", "password": "12345678x"},
     {A}),
    ("device token", "post", "/api/v1/devices", {"role": "kiosk", "name": "k-{role}"}, {A}),
    ("revoke device", "post", "/api/v1/devices/99999/revoke", None, {A}),
    ("unlock staff", "post", "/api/v1/staff/u_kepala/unlock", None, {A}),
    ("enable staff", "post", "/api/v1/staff/u_kepala/enable", None, {A}),
    # on the admin's own account: the other roles' tokens must stay valid for their 403s
    ("disable staff", "post", "/api/v1/staff/u_admin/disable", None, {A}),
    ("reset password", "post", "/api/v1/staff/u_admin/password", {"password": "baru-sekali-123"}, {A}),
    ("logout", "post", "/api/v1/auth/logout", None, set(roles.STAFF_ROLES)),
]


@pytest.fixture
def fixtures(client, tokens):
    t = issue(client, tokens).json
    client.post("/api/v1/counters/2/call-next", json={}, headers=tokens["operator"])
    app = client.post(f"/api/v1/tickets/{t['id']}/applications",
                      json={"service": "KIA", "answers": {"reason": "baru"},
                            "applicant": {"birth_date": "2019-06-01"}}, headers=tokens["operator"]).json
    return {"ticket": t["id"], "app": app["id"]}


@pytest.mark.parametrize("name,method,path,body,allowed", ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_role_matrix(client, tokens, fixtures, name, method, path, body, allowed):
    url = path.format(**fixtures)
    for role in (None, *ALL):
        headers = dict(tokens[role]) if role else {}
        kwargs = {"headers": headers}
        if body == "jpeg":
            kwargs["data"] = _jpeg()
            headers["Content-Type"] = "image/jpeg"
        elif body is not None:
            kwargs["json"] = {k: (v.format(role=role) if isinstance(v, str) else v) for k, v in body.items()}
        with db.connection_context():
            audit_before = AuditLog.select().where(AuditLog.role == (role or "-")).count()
        r = getattr(client, method)(url, **kwargs)
        if role is None:
            assert r.status_code == 401, (name, r.json)
        elif role in allowed:
            assert r.status_code not in (401, 403), (name, role, r.status_code, r.json)
        else:
            assert r.status_code == 403, (name, role, r.status_code, r.json)
            assert r.json["error"]["code"] in ("forbidden", "wrong_office", "signature_not_admin")
            with db.connection_context():
                assert AuditLog.select().where(AuditLog.role == role).count() == audit_before


def test_display_token_reads_public_events_only(client, tokens):
    assert client.get("/api/v1/queue", headers=tokens["display"]).status_code == 200
    assert client.get("/api/v1/tickets/1", headers=tokens["display"]).status_code in (403, 404)
    assert client.get("/api/v1/staff", headers=tokens["display"]).status_code == 403
    assert client.get("/api/v1/audit", headers=tokens["kiosk"]).status_code == 403
    assert client.get("/api/v1/audit", headers=tokens["admin"]).status_code == 200


def test_bad_and_expired_tokens(client, tokens, clock):
    assert client.get("/api/v1/auth/me", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/api/v1/auth/me", headers={"Authorization": "Basic abc"}).status_code == 401
    assert client.get("/api/v1/auth/me", headers=tokens["operator"]).json["role"] == "operator"
    clock.advance(13 * 3600)
    r = client.get("/api/v1/auth/me", headers=tokens["operator"])
    assert r.status_code == 401 and r.json["error"]["code"] == "token_expired"
    assert client.get("/api/v1/auth/me", headers=tokens["kiosk"]).status_code == 200  # device tokens last


def test_login_and_logout(client, tokens):
    from server_kit import PASSWORD
    r = client.post("/api/v1/auth/login", json={"username": "u_operator", "password": "salah-sekali"})
    assert r.status_code == 401 and r.json["error"]["code"] == "bad_credentials"
    r = client.post("/api/v1/auth/login", json={"username": "u_operator", "password": PASSWORD})
    assert r.status_code == 200 and r.json["role"] == "operator"
    h = {"Authorization": f"Bearer {r.json['token']}"}
    assert client.post("/api/v1/auth/logout", headers=h).status_code == 200
    assert client.get("/api/v1/auth/me", headers=h).status_code == 401
