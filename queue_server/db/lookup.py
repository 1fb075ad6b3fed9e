"""Row lookups by one column for the hot read paths, with the SELECT compiled once.

peewee builds the SQL of a query anew on every call; for a wide model that costs more
than the database: ``Ticket.get_or_none(Ticket.public_code == code)`` spends ≈0.9 ms
compiling a select of 30 columns against ≈0.04 ms in SQLite (profile in
bench/README.md, "Phones"). :func:`get_by` compiles the statement once per model, column
and database class (so SQLite's and PostgreSQL's placeholders and quoting are each
right) and runs it through ``Model.raw``, which builds the same model instance.
"""
from __future__ import annotations

import threading

from peewee import Field, Model

from .models import db

_SQL: dict[tuple, tuple[str, list]] = {}
_LOCK = threading.Lock()


def get_by(model: type[Model], field: Field, value) -> Model | None:
    """The first row of ``model`` whose ``field`` equals ``value``, or ``None`` — the
    same answer as ``model.get_or_none(field == value)`` (use it on unique columns: code,
    public_code). ``value`` goes through the field's ``db_value`` as peewee would. Raises
    what the database raises (e.g. ``peewee.OperationalError``)."""
    key = (model, field.name, type(db.obj))
    compiled = _SQL.get(key)
    if compiled is None:
        # the WHERE value is the first parameter, LIMIT's 1 the last
        compiled = model.select().where(field == value).limit(1).sql()
        with _LOCK:
            _SQL[key] = compiled
    sql, params = compiled
    for row in model.raw(sql, field.db_value(value), *params[1:]):
        return row
    return None
