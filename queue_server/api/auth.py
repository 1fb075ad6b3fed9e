"""``/api/v1/auth``, ``/staff``, ``/devices``, ``/audit``: logins, accounts, device tokens and the audit log.

Every handler authenticates through ``g.actor`` (set from the bearer token before the
request), checks the role in the operation it calls, and answers JSON; errors have the one
shape of ``client.protocol.error_body``.
"""
from __future__ import annotations

from apiflask import APIBlueprint
from flask import request

from ..auth import create_device_token, create_staff, login, require, revoke
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
    with write_tx():
        token, staff = login(body["username"], body["password"], now=ctx().now())
        AuditLog.create(at=ctx().now(), actor=staff.username, role=staff.role, office=staff.office,
                        action="auth.login", remote_addr=request.remote_addr or "")
    return {"token": token, "username": staff.username, "role": staff.role, "office": staff.office,
            "full_name": staff.full_name, "expires_in": 12 * 3600}


@bp.post("/auth/logout")
@bp.doc(tags=["auth"], summary="Revoke the current token")
def auth_logout():
    require(actor(), *roles.STAFF_ROLES)
    token = request.headers.get("Authorization", "").partition(" ")[2].strip()
    revoke(token, now=ctx().now())
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


@bp.post("/devices")
@bp.input(s.DeviceIn, arg_name="body")
@bp.doc(tags=["admin"], summary="Create a kiosk or display token (admin); shown once")
def device_create(body):
    a = require(actor(), roles.ADMIN)
    if body["office"]:
        ctx().office(body["office"])
    now = ctx().now()
    with write_tx():
        token = create_device_token(body["role"], body["name"], office=body["office"], now=now)
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


