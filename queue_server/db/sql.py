"""Hand-written SQL that runs on SQLite and PostgreSQL (issue 17).

The hot paths (issuing a ticket, calling the next one, the queue overview) are plain
parameterised SQL instead of the query builder: a ticket costs a fraction of a
millisecond of Python that way. They are written once, with SQLite's ``?``
placeholders and SQL both engines read alike (``RETURNING``, ``ON CONFLICT``, window
functions, ``TRUE``, aliased subqueries); :func:`text` gives the statement in the
placeholder style of the database the models are bound to (``%s`` for psycopg2, with
a literal ``%`` doubled), translated once per statement and database class.
"""
from __future__ import annotations

from typing import Any, Sequence

from .models import db

_translated: dict[tuple[str, str], str] = {}


def text(statement: str) -> str:
    """``statement`` (``?`` placeholders) for the bound database."""
    param = db.obj.param if db.obj is not None else "?"
    if param == "?":
        return statement
    key = (statement, param)
    out = _translated.get(key)
    if out is None:
        out = _translated[key] = statement.replace("%", "%%").replace("?", param)
    return out


def run(statement: str, params: Sequence[Any] = ()):
    """Execute ``statement`` with ``params`` on the bound database; returns the cursor."""
    return db.execute_sql(text(statement), tuple(params))


def is_sqlite() -> bool:
    """True when the models are bound to SQLite (the writer lock file and the SQLite
    pragmas apply; PostgreSQL serialises with row locks)."""
    from peewee import SqliteDatabase
    return isinstance(db.obj, SqliteDatabase)
