"""``/api/v1/messages``: the outbox (issue 14 item 5) — the admin's view (filter by
state, resend a failed message, a test message), the officers' list of manual WhatsApp
messages (click-to-chat links, marked sent by a click), and withdrawing a citizen's
consent at the counter. Staff only: the outbox holds phone numbers and texts."""
from __future__ import annotations

from apiflask import APIBlueprint
from apiflask.fields import Boolean, Integer, String
from apiflask.validators import Length, OneOf, Range
from flask import current_app

from ..auth import require
from ..bookings import normalise_contact
from ..db.database import write_tx
from ..db.models import Message
from ..domain import notify as rules
from ..domain import roles
from ..errors import Conflict, NotFound, Unprocessable
from ..notify import outbox, triggers
from .common import _office, actor, ctx
from .schemas import Schema, StrictSchema

bp = APIBlueprint("messages", __name__, url_prefix="/api/v1")

#: who sends the manual WhatsApp messages from the office's phone: the counter and pickup staff
MANUAL_ROLES = (roles.OPERATOR, roles.PETUGAS_DISTRIBUSI, roles.VERIFIKATOR, roles.ADMIN)
OUTBOX_ROLES = (roles.ADMIN, roles.KEPALA)


class MessageQuery(Schema):
    office = String(load_default=None, validate=Length(1, 64))
    state = String(load_default=None, validate=OneOf(rules.STATES))
    kind = String(load_default=None, validate=OneOf(list(rules.KINDS)))
    limit = Integer(load_default=100, validate=Range(1, 500))


class ResendIn(StrictSchema):
    version = Integer(load_default=None, allow_none=True)


class TestIn(StrictSchema):
    to = String(required=True, validate=Length(3, 200))
    office = String(load_default=None, allow_none=True, validate=Length(1, 64))


class WithdrawIn(StrictSchema):
    code = String(required=True, validate=Length(1, 16))
    confirm = Boolean(load_default=False)


def message_out(m: Message, *, link: bool = False) -> dict:
    """One outbox row for staff (``link``: the wa.me click-to-chat link of a manual one)."""
    out = {"id": m.id, "office": m.office, "kind": m.kind, "cause": m.cause, "channel": m.channel,
           "recipient": m.recipient, "lang": m.lang, "text": m.text, "ref": m.ref, "state": m.state,
           "attempts": m.attempts, "next_attempt_at": m.next_attempt_at, "last_error": m.last_error,
           "provider_id": m.provider_id, "created_at": m.created_at, "sent_at": m.sent_at, "sent_by": m.sent_by,
           "version": m.version}
    if link and m.channel == rules.WA_MANUAL:
        out["link"] = rules.wa_me_link(m.recipient, m.text)
    return out


def _wake() -> None:
    current_app.extensions["loket_sender"].wake()


@bp.get("/messages")
@bp.input(MessageQuery, location="query", arg_name="query")
@bp.doc(tags=["messages"], summary="The outbox, newest first, by state and kind (admin, kepala)")
def message_list(query):
    office = _office(query["office"])
    require(actor(), *OUTBOX_ROLES, office=office.code)
    q = Message.office == office.code
    if query["state"]:
        q &= Message.state == query["state"]
    if query["kind"]:
        q &= Message.kind == query["kind"]
    rows = Message.select().where(q).order_by(Message.created_at.desc(), Message.id.desc()).limit(query["limit"])
    counts = {s: 0 for s in rules.STATES}
    from peewee import fn
    for state, n in (Message.select(Message.state, fn.COUNT(Message.id)).where(Message.office == office.code)
                     .group_by(Message.state).tuples()):
        counts[state] = n
    return {"messages": [message_out(m, link=True) for m in rows], "counts": counts}


@bp.post("/messages/<int:message_id>/resend")
@bp.input(ResendIn, arg_name="body")
@bp.doc(tags=["messages"], summary="Send a failed or cancelled message again (admin; audited)",
        responses={409: "not failed/cancelled, or changed meanwhile"})
def resend(message_id, body):
    row = Message.get_or_none(Message.id == message_id)
    if row is None:
        raise NotFound("unknown_message", "Pesan tidak ditemukan.", "Message not found.", {"field": "id"})
    require(actor(), roles.ADMIN, office=row.office)
    a = actor()
    again = outbox.resend(message_id, now=ctx().now(), actor=a.name, role=a.role, version=body["version"])
    if again is None:
        raise Conflict("message_not_resendable", "Hanya pesan yang gagal atau dibatalkan yang bisa dikirim ulang.",
                       "Only a failed or cancelled message can be sent again.", {"state": row.state})
    _wake()
    return message_out(again, link=True)


@bp.get("/messages/manual")
@bp.input(MessageQuery, location="query", arg_name="query")
@bp.doc(tags=["messages"], summary="Manual WhatsApp messages waiting for an officer, with their wa.me links")
def manual_list(query):
    office = _office(query["office"])
    require(actor(), *MANUAL_ROLES, office=office.code)
    rows = (Message.select().where((Message.office == office.code) & (Message.state == rules.MANUAL))
            .order_by(Message.created_at, Message.id).limit(query["limit"]))
    return {"messages": [message_out(m, link=True) for m in rows]}


@bp.post("/messages/<int:message_id>/sent")
@bp.doc(tags=["messages"], summary="An officer sent a manual WhatsApp message (audited)",
        responses={409: "not a waiting manual message"})
def manual_sent(message_id):
    row = Message.get_or_none(Message.id == message_id)
    if row is None:
        raise NotFound("unknown_message", "Pesan tidak ditemukan.", "Message not found.", {"field": "id"})
    require(actor(), *MANUAL_ROLES, office=row.office)
    a = actor()
    done = outbox.mark_manual_sent(message_id, now=ctx().now(), actor=a.name, role=a.role, office=row.office)
    if done is None:
        raise Conflict("message_not_manual", "Pesan ini tidak sedang menunggu dikirim manual.",
                       "This message is not waiting to be sent by hand.", {"state": row.state})
    return message_out(done, link=True)


@bp.post("/messages/test")
@bp.input(TestIn, arg_name="body")
@bp.doc(tags=["messages"], summary="Queue a test message to a number or address by the office's channel (admin)",
        responses={201: "queued", 422: "no channel for that recipient"})
def test_message(body):
    office = _office(body["office"])
    require(actor(), roles.ADMIN, office=office.code)
    to = normalise_contact(body["to"], "to")
    if office.notifications.channel_for(to) is None:
        raise Unprocessable("no_channel", "Kantor ini belum memilih saluran untuk penerima itu ([notifications]).",
                            "This office has no channel for that recipient ([notifications]).", {"field": "to"})
    now = ctx().now()
    with write_tx():
        outbox.enqueue(office, "test", f"test:{actor().name}:{now:.3f}", [to], f"test:{actor().name}",
                       {"office": office.short_name or office.name}, now=now)
    row = Message.select().where(Message.cause == f"test:{actor().name}:{now:.3f}").first()
    _wake()
    return message_out(row, link=True), 201


@bp.post("/consent/withdraw")
@bp.input(WithdrawIn, arg_name="body")
@bp.doc(tags=["messages"], summary="The citizen withdraws consent at the counter: no more messages about the code",
        responses={404: "unknown code"})
def withdraw(body):
    a = actor()
    require(a, *roles.STAFF_ROLES)
    done = triggers.withdraw(ctx(), body["code"], now=ctx().now(), actor=a.name, role=a.role)
    if done is None:
        raise NotFound("unknown_code", "Kode tidak ditemukan.", "Code not found.", {"field": "code"})
    return done
