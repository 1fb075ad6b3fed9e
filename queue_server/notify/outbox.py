"""The durable outbox (issue 14 item 1).

:func:`enqueue` is called by the triggers *inside the write transaction of the change
that causes the message*, so a message exists exactly when its cause was committed.
The unique index on (cause, recipient, channel) makes a trigger that runs twice (a
retried request, a second server process, a restart) write one row: ``INSERT … ON
CONFLICT DO NOTHING`` on both SQLite and PostgreSQL.

Delivery is at-least-once for every failure the sender sees (a refused connection, a
timeout before the request went out, a provider's "try later") and at-most-once for
the one it cannot see: a process killed between handing a message to the provider and
recording the answer. Such a message stays ``sending``; :func:`recover_interrupted`
marks it ``failed`` with ``interrupted`` after the claim's lease, so nothing is ever
sent twice, and an admin sees it and may resend it (:func:`resend`).
"""
from __future__ import annotations

import logging

from peewee import fn

from ..db.database import write_tx
from ..db.lookup import get_by
from ..db.models import AuditLog, Message
from ..domain import notify as rules
from ..domain.office import Office

log = logging.getLogger(__name__)

#: seconds a claim holds a message; past it an unfinished ``sending`` is interrupted
CLAIM_LEASE = 120.0


def enqueue(office: Office, kind: str, cause: str, recipients: list[str], ref: str, params: dict, *,
            lang: str = "id", now: float) -> int:
    """Write the messages of one cause (call inside the cause's write transaction).

    ``recipients``: E.164 numbers and/or email addresses ("" ignored); each goes by
    ``office.notifications.channel_for``. ``params``: the placeholders of ``kind``
    (:data:`queue_server.domain.notify.KINDS`; others are dropped, so a caller cannot
    leak a field into a text). Returns how many rows were new (0 when notifications are
    off, no channel fits, or the cause was already written)."""
    policy = office.notifications
    if not policy.enabled:
        return 0
    allowed = rules.KINDS[kind]
    clean = {k: v for k, v in params.items() if k in allowed and (k != "name" or policy.use_names)}
    text = rules.render(policy.template(kind, lang), clean)
    written = 0
    for recipient in dict.fromkeys(r for r in recipients if r):
        channel = policy.channel_for(recipient)
        if channel is None:
            continue
        state = rules.MANUAL if channel == rules.WA_MANUAL else rules.PENDING
        written += (Message.insert(office=office.code, cause=cause[:120], kind=kind, channel=channel,
                                   recipient=recipient, lang=lang, text=text, params=clean, ref=ref, state=state,
                                   next_attempt_at=now, created_at=now)
                    .on_conflict_ignore().as_rowcount().execute() or 0)
    if written:
        _flag_request()
    return written


def _flag_request() -> None:
    """Tell the request (if any) that it wrote messages: the app wakes the sender after it."""
    from flask import g, has_request_context
    if has_request_context():
        g.loket_notify = True


def cancel_for(ref: str, *, now: float, actor: str, role: str = "", office: str | None = None) -> int:
    """Cancel every open message (pending or manual) of ``ref`` — the citizen withdrew
    consent (issue 14 item 4). A message already handed to a provider cannot be called
    back. Call inside a write transaction; audits one row. Returns how many."""
    n = (Message.update(state=rules.CANCELLED, last_error="persetujuan dicabut (consent withdrawn)",
                        version=Message.version + 1)
         .where((Message.ref == ref) & Message.state.in_((rules.PENDING, rules.MANUAL))).execute())
    if n:
        AuditLog.create(at=now, actor=actor, role=role, office=office, action="message.cancelled", target=ref,
                        details={"messages": n, "reason": "consent_withdrawn"})
    return n


def recent_count(channel: str, since: float) -> int:
    """Messages of ``channel`` claimed since ``since`` (the rate limit's window, epoch s)."""
    return (Message.select(fn.COUNT(Message.id))
            .where((Message.channel == channel) & (Message.claimed_at >= since)).scalar()) or 0


def due(*, now: float, limit: int, rate_per_minute: dict[str, int]) -> list[int]:
    """Ids of up to ``limit`` pending messages due by ``now``, oldest first, within each
    channel's budget across all processes (issue 14 item 5: a backlog never floods a
    provider): a sixth of ``rate_per_minute`` per sliding 10 s (600/min → at most 100 in
    any 10 s, so a backlog drains smoothly instead of in one burst each minute)."""
    rows = list(Message.select(Message.id, Message.channel)
                .where((Message.state == rules.PENDING) & (Message.next_attempt_at <= now))
                .order_by(Message.next_attempt_at, Message.id).limit(limit * 4).tuples())
    if not rows:
        return []
    budget = {ch: max(0, -(-rate // 6) - recent_count(ch, now - 10)) for ch, rate in rate_per_minute.items()}
    out: list[int] = []
    for mid, channel in rows:
        if len(out) >= limit:
            break
        if budget.get(channel, 0) > 0:
            budget[channel] -= 1
            out.append(mid)
    return out


def claim_one(msg_id: int, *, now: float, worker: str) -> Message | None:
    """Move one pending message to ``sending`` for ``worker`` (one sender in one process)
    by a conditional update, so two senders never take the same row; the message, or
    None when another sender was first."""
    with write_tx():
        n = (Message.update(state=rules.SENDING, claimed_at=now, claimed_by=worker[:100],
                            attempts=Message.attempts + 1, version=Message.version + 1)
             .where((Message.id == msg_id) & (Message.state == rules.PENDING)).execute())
    return get_by(Message, Message.id, msg_id) if n else None


def claim(*, now: float, worker: str, limit: int, rate_per_minute: dict[str, int]) -> list[Message]:
    """:func:`due` and :func:`claim_one` for each: up to ``limit`` messages now
    ``sending`` for ``worker`` (the sender claims one at a time, right before sending
    it: see :class:`queue_server.notify.sender.Sender`)."""
    out = []
    for mid in due(now=now, limit=limit, rate_per_minute=rate_per_minute):
        msg = claim_one(mid, now=now, worker=worker)
        if msg is not None:
            out.append(msg)
    return out


def mark_sent(msg: Message, *, provider_id: str, now: float, actor: str = "system:notify", role: str = "") -> bool:
    """Record the provider's acceptance (``provider_id``: its message id). Audited.
    False when the row was no longer ``sending`` by this claim (e.g. recovered)."""
    with write_tx():
        n = (Message.update(state=rules.SENT, sent_at=now, provider_id=provider_id[:200], last_error="",
                            sent_by=actor[:100], version=Message.version + 1)
             .where((Message.id == msg.id) & (Message.state == rules.SENDING)).execute())
        if n:
            AuditLog.create(at=now, actor=actor, role=role, office=msg.office, action="message.sent",
                            target=f"message:{msg.id}", details={"kind": msg.kind, "channel": msg.channel,
                                                                 "ref": msg.ref, "provider_id": provider_id[:200]})
    return bool(n)


def mark_failed(msg: Message, *, error: str, permanent: bool, now: float, max_attempts: int,
                retry_at: float) -> str:
    """A failed attempt: back to ``pending`` at ``retry_at`` while attempts remain and
    the failure is temporary, else ``failed`` (audited). Returns the new state."""
    final = permanent or msg.attempts >= max_attempts
    state = rules.FAILED if final else rules.PENDING
    with write_tx():
        n = (Message.update(state=state, next_attempt_at=retry_at, last_error=error[:2000],
                            version=Message.version + 1)
             .where((Message.id == msg.id) & (Message.state == rules.SENDING)).execute())
        if n and final:
            AuditLog.create(at=now, actor="system:notify", role="", office=msg.office, action="message.failed",
                            target=f"message:{msg.id}", details={"kind": msg.kind, "channel": msg.channel,
                                                                 "attempts": msg.attempts, "error": error[:500]})
    return state


def recover_interrupted(*, now: float, lease: float = CLAIM_LEASE) -> int:
    """``sending`` rows whose claim is older than ``lease`` (their process died while
    sending) become ``failed`` with ``interrupted``: not resent by themselves, since the
    provider may have delivered them (see the module's note). Returns how many."""
    stale = [m.id for m in Message.select(Message.id).where(
        (Message.state == rules.SENDING) & (Message.claimed_at < now - lease))]
    if not stale:
        return 0
    with write_tx():
        n = (Message.update(state=rules.FAILED, version=Message.version + 1,
                            last_error="interrupted: server stopped while sending; it may have been delivered. "
                                       "Resend only if the citizen did not get it.")
             .where(Message.id.in_(stale) & (Message.state == rules.SENDING)).execute())
        if n:
            AuditLog.create(at=now, actor="system:notify", role="", office=None, action="message.interrupted",
                            target="outbox", details={"messages": n})
    return n


def resend(msg_id: int, *, now: float, actor: str, role: str, version: int | None = None) -> Message | None:
    """An admin sends a ``failed`` (or ``cancelled``) message again: back to ``pending``
    now with its attempts reset. None when there is no such row in those states (or
    its ``version`` moved on). Audited."""
    with write_tx():
        q = (Message.id == msg_id) & Message.state.in_((rules.FAILED, rules.CANCELLED))
        if version is not None:
            q &= Message.version == version
        row = Message.get_or_none(q)
        if row is None:
            return None
        state = rules.MANUAL if row.channel == rules.WA_MANUAL else rules.PENDING
        Message.update(state=state, attempts=0, next_attempt_at=now, last_error="", claimed_at=None,
                       version=Message.version + 1).where(Message.id == msg_id).execute()
        AuditLog.create(at=now, actor=actor, role=role, office=row.office, action="message.resend",
                        target=f"message:{msg_id}", details={"kind": row.kind, "channel": row.channel,
                                                             "was": row.state})
    return Message.get_by_id(msg_id)


def mark_manual_sent(msg_id: int, *, now: float, actor: str, role: str, office: str) -> Message | None:
    """An officer sent a ``wa_manual`` message from the office's WhatsApp (clicked its
    link): ``sent`` by them. None when it is not an open manual message of ``office``."""
    with write_tx():
        n = (Message.update(state=rules.SENT, sent_at=now, sent_by=actor[:100], attempts=Message.attempts + 1,
                            version=Message.version + 1)
             .where((Message.id == msg_id) & (Message.state == rules.MANUAL) & (Message.office == office)).execute())
        if not n:
            return None
        row = Message.get_by_id(msg_id)
        AuditLog.create(at=now, actor=actor, role=role, office=office, action="message.sent",
                        target=f"message:{msg_id}", details={"kind": row.kind, "channel": row.channel, "ref": row.ref,
                                                             "manual": True})
    return row


def last_sent(refs: list[str]) -> dict[str, Message]:
    """The newest sent message of each ref (the uncollected list shows it)."""
    out: dict[str, Message] = {}
    if not refs:
        return out
    for m in (Message.select().where(Message.ref.in_(refs) & (Message.state == rules.SENT))
              .order_by(Message.sent_at)):
        out[m.ref] = m
    return out
