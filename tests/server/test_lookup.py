"""db/lookup.get_by: the same rows as peewee's get_or_none, its SQL compiled once."""
from __future__ import annotations

from queue_server.db import lookup
from queue_server.db.lookup import get_by
from queue_server.db.models import Application, Ticket, db


def test_get_by_returns_the_row_get_or_none_returns(app, client, tokens):
    r = client.post("/api/v1/tickets", json={"service": "KK", "answers": {"reason": "kelahiran"}},
                    headers={**tokens["kiosk"], "Idempotency-Key": "lookup-1"})
    assert r.status_code == 201
    code = r.get_json()["code"]
    with db.connection_context():
        want = Ticket.get_or_none(Ticket.public_code == code)
        got = get_by(Ticket, Ticket.public_code, code)
        assert got is not None and got.id == want.id
        assert got.__data__ == want.__data__  # every column, foreign keys and JSON included
        assert get_by(Ticket, Ticket.public_code, "NOSUCH22") is None
        assert get_by(Application, Application.code, code) is None
        compiled = dict(lookup._SQL)
        assert get_by(Ticket, Ticket.public_code, code).id == want.id
        assert lookup._SQL == compiled  # compiled once, reused
