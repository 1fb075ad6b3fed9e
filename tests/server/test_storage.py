"""A database that cannot be written (issue 16 item 9): /health says so with the reason
instead of "ok", a write answers 503 ``storage_unavailable`` (never a generic 500) and
nothing is half-written. SQLite's own read-only mode (``PRAGMA query_only``) makes the
connection refuse writes exactly as a read-only file or a full disk does."""
from __future__ import annotations

from server_kit import issue

from queue_server.api import public
from queue_server.db.models import Ticket, db


def test_a_read_only_database_is_reported_and_refused_cleanly(client, tokens):
    assert client.get("/api/v1/health").json["ok"] is True
    before = issue(client, tokens)
    assert before.status_code == 201
    db.connect(reuse_if_open=True)
    db.execute_sql("PRAGMA query_only = 1")  # the test client serves requests on this thread's connection
    public._probe["at"] = 0.0  # no cached probe
    try:
        health = client.get("/api/v1/health").json
        assert health["ok"] is False and health["reason"] == "database_not_writable"
        assert "readonly" in health["detail"]
        r = issue(client, tokens)
        assert r.status_code == 503 and r.json["error"]["code"] == "storage_unavailable"
        assert "tidak ada yang tersimpan" in r.json["error"]["message"]
        login = client.post("/api/v1/auth/login", json={"username": "u_operator", "password": "salah-sekali"})
        assert login.status_code == 503  # even the audit of a failed login: a clear answer
    finally:
        db.execute_sql("PRAGMA query_only = 0")
        public._probe["at"] = 0.0
    assert Ticket.select().count() == 1  # nothing half-written
    assert client.get("/api/v1/health").json["ok"] is True
    assert issue(client, tokens).status_code == 201


def test_a_sqlite_commit_is_synced_to_disk_by_default(app):
    """Issue 17 "Durable tickets": WAL with synchronous=FULL (2) survives a power cut, not only a crash."""
    from queue_server.db.models import db
    with app.app_context(), db.connection_context():
        assert db.execute_sql("PRAGMA synchronous").fetchone()[0] == 2
        assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
