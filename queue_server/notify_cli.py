"""``loket notify``: operations on the outbox (issue 14 item 5) from the server's shell —
a test message through one channel, the outbox listing, and resending a failed message.
The sender itself runs inside ``loket serve`` (one thread per server process)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from .cli import build_app, data_dir_option, private_files


@click.group("notify")
def notify_group():
    """Pesan ke warga: uji saluran, lihat outbox, kirim ulang (citizen messages)."""


@notify_group.command("test")
@data_dir_option
@click.option("--channel", type=click.Choice(["whatsapp", "sms", "email"]), required=True)
@click.option("--to", "recipient", required=True, help="No. HP (08…/+62…) or email address.")
@click.option("--office", default=None, help="Office code (default: the first office).")
def notify_test_cmd(data_dir: Path, channel: str, recipient: str, office: str | None):
    """Send one test message now through CHANNEL, with the office file's settings; prints
    the provider's answer. Exit 1 when it was not accepted. Recorded in the outbox and audited."""
    private_files()
    from .bookings import normalise_contact
    from .db.database import write_tx
    from .db.models import Message, db
    from .domain import notify as rules
    from .errors import DomainError
    from .notify import outbox

    app = build_app(data_dir, extra={"NOTIFY_SENDER": False})
    ctx = app.extensions["loket"]
    sender = app.extensions["loket_sender"]
    with app.app_context(), db.connection_context():
        o = ctx.office(office)
        try:
            to = normalise_contact(recipient, "to")
        except DomainError as e:
            raise click.ClickException(e.message) from None
        if (channel == "email") != ("@" in to):
            raise click.ClickException("email needs an address, whatsapp/sms a phone number")
        if sender.driver(o.code, channel) is None:
            raise click.ClickException(f"saluran {channel} belum diatur di [notifications.{channel}] kantor {o.code} "
                                       f"(channel not configured in the office file)")
        now = ctx.now()
        cause = f"test:cli:{now:.3f}"
        with write_tx():
            Message.insert(office=o.code, cause=cause, kind="test", channel=channel, recipient=to, lang="id",
                           text=rules.render(o.notifications.template("test"), {"office": o.short_name or o.name}),
                           params={}, ref="test:cli", state=rules.PENDING, next_attempt_at=now,
                           created_at=now).execute()
            Message.update(state=rules.SENDING, claimed_at=now, claimed_by="cli", attempts=1) \
                .where(Message.cause == cause).execute()
        msg = Message.get(Message.cause == cause)
        state = sender.deliver(msg)
        msg = Message.get_by_id(msg.id)
    if state == rules.SENT:
        click.echo(f"terkirim (sent): {channel} → {to}, id {msg.provider_id}")
        return
    click.echo(f"gagal (not sent): {msg.last_error}", err=True)
    sys.exit(1)


@notify_group.command("outbox")
@data_dir_option
@click.option("--state", type=click.Choice(["pending", "sending", "sent", "failed", "manual", "cancelled"]),
              default=None)
@click.option("--limit", default=50, show_default=True)
def notify_outbox_cmd(data_dir: Path, state: str | None, limit: int):
    """The newest outbox rows: id, time, kind, channel, recipient, state, attempts, error."""
    from datetime import datetime

    from .db.models import Message, db
    app = build_app(data_dir, extra={"NOTIFY_SENDER": False})
    with app.app_context(), db.connection_context():
        q = Message.select().order_by(Message.id.desc()).limit(limit)
        if state:
            q = q.where(Message.state == state)
        for m in q:
            when = datetime.fromtimestamp(m.created_at).strftime("%Y-%m-%d %H:%M")
            click.echo(f"{m.id:6d}  {when}  {m.kind:18s} {m.channel:9s} {m.recipient:24s} {m.state:9s} "
                       f"{m.attempts}  {m.last_error[:60]}")


@notify_group.command("resend")
@data_dir_option
@click.argument("message_id", type=int)
def notify_resend_cmd(data_dir: Path, message_id: int):
    """Send a failed or cancelled message again (the running server's sender takes it)."""
    from .db.models import db
    from .notify import outbox
    app = build_app(data_dir, extra={"NOTIFY_SENDER": False})
    with app.app_context(), db.connection_context():
        again = outbox.resend(message_id, now=app.extensions["loket"].now(), actor="cli", role="admin")
    if again is None:
        raise click.ClickException("only a failed or cancelled message can be sent again")
    click.echo(f"dijadwalkan ulang (queued again): {message_id}")


COMMANDS = [notify_group]
