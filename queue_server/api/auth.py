"""``/api/v1/auth``, ``/staff``, ``/devices``, ``/audit``: logins, accounts, device tokens and the audit log.

Every handler authenticates through ``g.actor`` (set from the bearer token before the
request), checks the role in the operation it calls, and answers JSON; errors have the one
shape of ``client.protocol.error_body``.
"""
from __future__ import annotations

from apiflask import APIBlueprint
from flask import request

from ..auth import (AuthError, check_credentials, check_login_allowed, create_device_token, create_staff,
                    device_tokens, issue_staff_token, require, revoke, revoke_device, set_active, set_password,
                    staff_by_name, unlock)
from ..db.database import write_tx
from ..db.models import AuditLog, Staff
from ..domain import roles
from . import schemas as s
from .common import actor, ctx

bp = APIBlueprint("auth", __name__, url_prefix="/api/v1")


@bp.post("/auth/login")
@bp.input(s.LoginIn, arg_name="body")
@bp.doc(tags=["auth"], summary="Staff login; returns a bearer token")
def auth_login(body):
    now, address, username = ctx().now(), request.remote_addr or "", body["username"].strip()
    check_login_allowed(username, address, now=now)  # 429 before any hash is computed
    try:
        staff = check_credentials(username, body["password"])  # the slow hash: outside the write lock
    except AuthError:
        with write_tx():  # every failed login audited with the address (issue 16 item 6)
            AuditLog.create(at=now, actor=username[:100] or "-", role="-", action="auth.login_failed",
                            target=username[:100], remote_addr=address)
        raise
    with write_tx():
        token = issue_staff_token(staff, now=now)
        AuditLog.create(at=now, actor=staff.username, role=staff.role, office=staff.office,
                        action="auth.login", target=staff.username, remote_addr=address)
    return {"token": token, "username": staff.username, "role": staff.role, "office": staff.office,
            "full_name": staff.full_name, "expires_in": 12 * 3600}


@bp.post("/auth/logout")
@bp.doc(tags=["auth"], summary="Revoke the current token")
def auth_logout():
    require(actor(), *roles.STAFF_ROLES)
    token = request.headers.get("Authorization", "").partition(" ")[2].strip()
    a = actor()
    with write_tx():
        revoke(token, now=ctx().now())
        AuditLog.create(at=ctx().now(), actor=a.name, role=a.role, office=a.office, action="auth.logout",
                        target=a.name, remote_addr=request.remote_addr or "")
    return {"ok": True}


@bp.get("/auth/me")
@bp.doc(tags=["auth"], summary="Who the token belongs to")
def auth_me():
    a = require(actor(), *roles.ROLES)
    return {"name": a.name, "role": a.role, "kind": a.kind, "office": a.office}


@bp.post("/staff")
@bp.input(s.StaffIn, arg_name="body")
@bp.doc(tags=["admin"], summary="Create a staff account (admin)")
def staff_create(body):
    a = require(actor(), roles.ADMIN)
    if body["office"]:
        ctx().office(body["office"])
    now = ctx().now()
    with write_tx():
        st = create_staff(body["username"], body["role"], body["password"], full_name=body["full_name"],
                          office=body["office"], nip=body["nip"], now=now)
        AuditLog.create(at=now, actor=a.name, role=a.role, office=body["office"], action="staff.create",
                        target=st.username, details={"role": st.role}, remote_addr=a.remote_addr)
    return {"username": st.username, "role": st.role, "office": st.office}, 201


@bp.get("/staff")
@bp.doc(tags=["admin"], summary="Staff accounts (admin)")
def staff_list():
    require(actor(), roles.ADMIN)
    return {"staff": [{"username": x.username, "full_name": x.full_name, "role": x.role, "office": x.office,
                       "active": x.active} for x in Staff.select().order_by(Staff.username)]}


def _staff_write(action: str, username: str, change, details: dict | None = None) -> dict:
    """An admin's change to an account, audited; returns the account's public fields."""
    a = require(actor(), roles.ADMIN)
    now = ctx().now()
    with write_tx():
        st = staff_by_name(username)
        change(st, now)
        AuditLog.create(at=now, actor=a.name, role=a.role, office=st.office, action=action, target=st.username,
                        details=details or {}, remote_addr=a.remote_addr)
    return {"username": st.username, "role": st.role, "office": st.office, "active": st.active}


@bp.post("/staff/<username>/disable")
@bp.doc(tags=["admin"], summary="Disable an account: its sessions end at once, its logins are refused (admin)")
def staff_disable(username):
    return _staff_write("staff.disable", username, lambda st, now: set_active(st, False, now=now))


@bp.post("/staff/<username>/enable")
@bp.doc(tags=["admin"], summary="Enable a disabled account (admin)")
def staff_enable(username):
    return _staff_write("staff.enable", username, lambda st, now: set_active(st, True, now=now))


@bp.post("/staff/<username>/unlock")
@bp.doc(tags=["admin"], summary="Lift the lockout after failed logins (admin)")
def staff_unlock(username):
    a = require(actor(), roles.ADMIN)
    with write_tx():
        st = staff_by_name(username)
        unlock(st.username, actor=a.name, now=ctx().now())
    return {"username": st.username, "unlocked": True}


@bp.post("/staff/<username>/password")
@bp.input(s.PasswordResetIn, arg_name="body")
@bp.doc(tags=["admin"], summary="Set a new password for an account; its sessions end (admin)")
def staff_password(username, body):
    return _staff_write("staff.password", username, lambda st, now: set_password(st, body["password"], now=now))


@bp.post("/auth/password")
@bp.input(s.PasswordChangeIn, arg_name="body")
@bp.doc(tags=["auth"], summary="Change one's own password (the old one required); other sessions end")
def auth_password(body):
    a = require(actor(), *roles.STAFF_ROLES)
    try:
        st = check_credentials(a.name, body["old_password"])  # the hash outside the write lock
    except AuthError:
        raise AuthError("bad_credentials", "Kata sandi lama salah.", "The old password is wrong.",
                        {"field": "old_password"}) from None
    now = ctx().now()
    with write_tx():
        set_password(st, body["new_password"], now=now)
        token = issue_staff_token(st, now=now)  # this session goes on with a fresh token
        AuditLog.create(at=now, actor=a.name, role=a.role, office=a.office, action="auth.password",
                        target=a.name, remote_addr=a.remote_addr)
    return {"token": token, "expires_in": 12 * 3600}


@bp.get("/devices")
@bp.doc(tags=["admin"], summary="Kiosk and display tokens, never the token itself (admin)")
def device_list():
    require(actor(), roles.ADMIN)
    return {"devices": device_tokens()}


@bp.post("/devices/<int:token_id>/revoke")
@bp.doc(tags=["admin"], summary="Revoke a kiosk or display token (admin)")
def device_revoke(token_id):
    a = require(actor(), roles.ADMIN)
    now = ctx().now()
    with write_tx():
        t = revoke_device(token_id, now=now)
        AuditLog.create(at=now, actor=a.name, role=a.role, office=t.office, action="device.revoke", target=t.name,
                        details={"id": t.id, "role": t.role}, remote_addr=a.remote_addr)
    return {"id": t.id, "name": t.name, "revoked": True}


@bp.post("/devices")
@bp.input(s.DeviceIn, arg_name="body")
@bp.doc(tags=["admin"], summary="Create a kiosk or display token (admin); shown once")
def device_create(body):
    a = require(actor(), roles.ADMIN)
    if body["office"]:
        ctx().office(body["office"])
    now = ctx().now()
    with write_tx():
        token = create_device_token(body["role"], body["name"], office=body["office"], now=now,
                                    expires_in=body["expires_days"] * 86400 if body["expires_days"] else None)
        AuditLog.create(at=now, actor=a.name, role=a.role, office=body["office"], action="device.create",
                        target=body["name"], details={"role": body["role"]}, remote_addr=a.remote_addr)
    return {"token": token, "role": body["role"], "name": body["name"]}, 201


@bp.get("/audit")
@bp.doc(tags=["admin"], summary="The latest audit-log entries (admin)")
def audit_list():
    require(actor(), roles.ADMIN)
    raw = request.args.get("limit", "100")
    limit = min(max(int(raw), 1), 1000) if raw.isdigit() else 100
    rows = AuditLog.select().order_by(AuditLog.id.desc()).limit(limit)
    return {"entries": [{"at": r.at, "actor": r.actor, "role": r.role, "office": r.office, "action": r.action,
                         "target": r.target, "details": r.details} for r in rows]}


