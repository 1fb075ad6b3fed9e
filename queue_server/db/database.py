"""Opening the database, schema versioning and online backup.

Default: a SQLite file ``loket.sqlite3`` in the data directory, in WAL mode with foreign
keys on, a busy timeout and ``BEGIN IMMEDIATE`` write transactions (so two processes
never deadlock upgrading a read lock). ``DATABASE_URL`` (any URL that
``playhouse.db_url.connect`` understands) points the same models at another database.
"""
from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: one server process, the thread lock is enough
    fcntl = None

from peewee import Database, SqliteDatabase
from playhouse.db_url import connect as url_connect

from .models import ALL_MODELS, SchemaVersion, db

#: Current schema version. Add a function to ``MIGRATIONS`` for every change.
SCHEMA_VERSION = 5


def _v1_to_v2(database: Database) -> None:
    """Issue 11 items 9, 10: the berkas keeps its sex and the card data typed at the
    print step; the Register numbers per service (one register per document kind)."""
    from playhouse.migrate import SchemaMigrator, migrate as run

    from .models import Application, RegisterEntry
    migrator = SchemaMigrator.from_database(database)
    table = RegisterEntry._meta.table_name
    columns = {c.name for c in database.get_columns("application")}
    ops = []
    if "sex" not in columns:
        ops.append(migrator.add_column("application", "sex", Application.sex))
    if "card_data" not in columns:
        ops.append(migrator.add_column("application", "card_data", Application.card_data))
    if "service" not in {c.name for c in database.get_columns(table)}:
        ops.append(migrator.add_column(table, "service", RegisterEntry.service))
    run(*ops)
    for index in database.get_indexes(table):
        if index.unique and index.columns == ["office", "year", "number"]:
            run(migrator.drop_index(table, index.name))
    database.execute_sql(f'UPDATE "{table}" SET "service" = (SELECT "service" FROM "application" '
                         f'WHERE "application"."id" = "{table}"."application_id") WHERE "service" = \'\'')
    names = {i.name for i in database.get_indexes(table)}
    if f"{table}_office_service_year_number" not in names:
        run(migrator.add_index(table, ("office", "service", "year", "number"), True))


def _v2_to_v3(database: Database) -> None:
    """Issue 12: a ticket remembers the booking it was checked in from (the booked lane);
    the ``booking`` table itself is created by ``create_tables``."""
    from playhouse.migrate import SchemaMigrator, migrate as run

    from .models import Ticket
    if database.table_exists("ticket") and "booking" not in {c.name for c in database.get_columns("ticket")}:
        run(SchemaMigrator.from_database(database).add_column("ticket", "booking", Ticket.booking))


def _v3_to_v4(database: Database) -> None:
    """Issue 14: the citizen's consent to messages and where to send them, on the ticket
    (``contact``, ``notify``), the berkas (``notify``, ``email``) and the booking
    (``notify``); the ``message`` outbox itself is created by ``create_tables``."""
    from playhouse.migrate import SchemaMigrator, migrate as run

    from .models import Application, Booking, Ticket
    migrator = SchemaMigrator.from_database(database)
    ops = []
    for table, fields in (("ticket", (Ticket.contact, Ticket.notify)),
                          ("application", (Application.notify, Application.email)),
                          ("booking", (Booking.notify,))):
        if not database.table_exists(table):
            continue
        have = {c.name for c in database.get_columns(table)}
        ops += [migrator.add_column(table, f.column_name, f) for f in fields if f.column_name not in have]
    run(*ops)


def _v4_to_v5(database: Database) -> None:
    """Issue 13: applications made from home (``channel``, the citizen's turn with
    ``awaiting_citizen``/``return_notes``, the ``batch`` that carried the document to its
    pickup office, the form's ``submission_key``); the ``upload`` and
    ``distributionbatch`` tables are created by ``create_tables``."""
    from playhouse.migrate import SchemaMigrator, migrate as run

    from .models import Application
    if not database.table_exists("application"):
        return
    migrator = SchemaMigrator.from_database(database)
    have = {c.name for c in database.get_columns("application")}
    fields = (Application.channel, Application.awaiting_citizen, Application.return_notes, Application.batch,
              Application.parent_name, Application.submission_key)  # peewee adds a unique column's index after the column
    run(*[migrator.add_column("application", f.column_name, f) for f in fields if f.column_name not in have])


#: ``MIGRATIONS[n]`` upgrades a database from version ``n`` to ``n + 1``.
MIGRATIONS: dict[int, callable] = {1: _v1_to_v2, 2: _v2_to_v3, 3: _v3_to_v4, 4: _v4_to_v5}

#: SQLite's ``synchronous`` (``LOKET_SQLITE_SYNCHRONOUS``): ``full`` (default) syncs the
#: WAL at every commit, so a number printed just before a power cut is never issued again
#: after the restart (power cuts are common where the offices are; issue 17); ``normal``
#: is durable across a crash of the process only, and saves one fsync per commit
#: (bench/README.md "Queue server" gives both).
SQLITE_SYNCHRONOUS = (os.environ.get("LOKET_SQLITE_SYNCHRONOUS") or "full").lower()
if SQLITE_SYNCHRONOUS not in ("full", "normal", "extra"):
    SQLITE_SYNCHRONOUS = "full"

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 15000,  # ms
    "synchronous": SQLITE_SYNCHRONOUS,
    "cache_size": -1000,  # KiB per connection (one connection per server thread; the OS caches the file)
}

_write_lock = threading.RLock()
#: The PostgreSQL advisory lock every write transaction holds (any constant: "LOKT").
WRITE_LOCK_KEY = 0x4C4F4B54
_lock_file: Path | None = None
_lock_fd: int | None = None
_lock_pid: int | None = None
_lock_depth = 0


def _lock_fd_for_this_process() -> int | None:
    """The writer lock file, opened once per process (a descriptor inherited through
    fork would share its lock with the parent, so a child opens its own)."""
    global _lock_fd, _lock_pid
    if _lock_file is None or fcntl is None:
        return None
    if _lock_pid != os.getpid():
        _lock_fd = os.open(_lock_file, os.O_RDWR | os.O_CREAT, 0o600)
        _lock_pid = os.getpid()
    return _lock_fd


@contextmanager
def write_tx():
    """A write transaction, one writer at a time across threads and processes.

    Writers queue on a thread lock and, for a SQLite file, a blocking ``flock`` on
    ``loket.sqlite3.lock`` beside it: both wake the next writer the moment the lock is
    released, whereas SQLite's busy handler sleeps in steps of milliseconds and makes
    latency jump under load. ``BEGIN IMMEDIATE`` and the busy timeout remain the
    safety net (e.g. for ``loket backup`` and other tools). Re-entrant.

    On PostgreSQL no process lock is taken: the transaction takes the database's
    transaction-scoped advisory lock :data:`WRITE_LOCK_KEY` first, so writers of every
    process on every machine queue in the database exactly as they queue on the SQLite
    file (every check-then-write rule — a slot's capacity, a duplicate NIK, the next
    number — holds across instances), and the lock ends with the commit or rollback;
    the day counter is also an ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` under a
    row lock, and versioned rows are updated conditionally.
    """
    global _lock_depth
    if _lock_file is None and not isinstance(db.obj, SqliteDatabase):
        with db.atomic():  # nested: a savepoint; the lock is re-entrant within the transaction
            db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))
            yield
        return
    with _write_lock:
        fd = _lock_fd_for_this_process() if _lock_depth == 0 else None
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        _lock_depth += 1
        try:
            with db.atomic():
                yield
        finally:
            _lock_depth -= 1
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)


#: Words of the database errors that mean the storage, not the request, is at fault.
STORAGE_FAILURES = ("readonly", "read-only", "disk is full", "disk i/o", "no space left", "unable to open database")


def is_storage_failure(error: BaseException) -> bool:
    """True for a database error caused by the storage (read-only file or folder, full
    disk, I/O error), which the API answers with 503 ``storage_unavailable``."""
    text = str(error).lower()
    return any(word in text for word in STORAGE_FAILURES)


def write_probe() -> str | None:
    """Try a real, harmless write (the schema version set to itself) in a write
    transaction; None when it works, else the database's reason (e.g. "attempt to write
    a readonly database"). Used at start and by ``/health``."""
    from .models import SchemaVersion
    try:
        with write_tx():
            SchemaVersion.update(version=SchemaVersion.version).execute()
    except Exception as e:  # noqa: BLE001 - any failure is the answer
        return str(e) or type(e).__name__
    return None


def sqlite_path(data_dir: Path) -> Path:
    """The default database file inside ``data_dir``."""
    return Path(data_dir) / "loket.sqlite3"


#: Connections one server process keeps to PostgreSQL (``LOKET_DB_POOL``): a request
#: takes one for its duration and gives it back. Workers × pool must stay below the
#: server's ``max_connections`` (100 by default) with room for the other instances.
DEFAULT_POOL_SIZE = 16
#: Seconds a request waits for a free pooled connection before it is refused (503).
POOL_WAIT_SECONDS = 10.0


def pool_size() -> int:
    """``LOKET_DB_POOL`` or :data:`DEFAULT_POOL_SIZE` (at least 2)."""
    try:
        return max(2, int(os.environ.get("LOKET_DB_POOL") or DEFAULT_POOL_SIZE))
    except ValueError:
        return DEFAULT_POOL_SIZE


def _postgresql(url: str) -> Database:
    """A pooled PostgreSQL database for ``postgresql://user:pass@host:port/name``: at most
    :func:`pool_size` connections per process, a request waits up to
    :data:`POOL_WAIT_SECONDS` for one; commits are durable (``synchronous_commit`` on,
    PostgreSQL's default)."""
    from urllib.parse import unquote, urlparse

    from playhouse.pool import PooledPostgresqlDatabase
    u = urlparse(url)
    return PooledPostgresqlDatabase(unquote(u.path.lstrip("/")), user=unquote(u.username or "") or None,
                                    password=unquote(u.password or "") or None, host=u.hostname or None,
                                    port=u.port or None, max_connections=pool_size(), stale_timeout=300,
                                    timeout=POOL_WAIT_SECONDS, autorollback=True,
                                    application_name="loket")


def is_pooled() -> bool:
    """True when the models are bound to a connection pool (PostgreSQL)."""
    from playhouse.pool import PooledDatabase
    return isinstance(db.obj, PooledDatabase)


def release_connection() -> None:
    """Give this thread's pooled connection back now (e.g. before a long event stream,
    which reconnects for each short read); nothing for SQLite, whose per-thread
    connections stay open."""
    if is_pooled() and not db.is_closed():
        db.close()


def open_database(url: str | None = None, *, data_dir: Path | None = None) -> Database:
    """Create (not yet connect) the database and bind the model proxy to it.

    ``url`` None means the SQLite file in ``data_dir``; ``postgresql://…`` (or
    ``postgres://``) a pooled PostgreSQL database (:func:`_postgresql`); other peewee URLs
    are passed to ``playhouse.db_url``. Returns the peewee database. Raises
    ``ValueError`` when neither is given.
    """
    global _lock_file
    if url:
        if url.startswith("sqlite:///"):
            path = url[len("sqlite:///"):]
            database = SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE")
            _lock_file = Path(path + ".lock") if path != ":memory:" else None
        elif url.startswith(("postgresql://", "postgres://")):
            database = _postgresql(url)
            _lock_file = None  # PostgreSQL serialises writers with its own row locks
        else:
            database = url_connect(url)
            _lock_file = None
    elif data_dir is not None:
        database = SqliteDatabase(str(sqlite_path(data_dir)), pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE")
        _lock_file = Path(str(sqlite_path(data_dir)) + ".lock")
    else:
        raise ValueError("open_database needs a DATABASE_URL or a data directory")
    db.initialize(database)
    return database


def connect_data_dir(data_dir: Path, url: str | None = None) -> Database:
    """The one way a command outside the app factory opens the database: ``url``
    (default ``$DATABASE_URL``) or the SQLite file in ``data_dir``, connected and
    migrated. Returns the connected database (the caller closes it)."""
    import os

    database = open_database(url or os.environ.get("DATABASE_URL"), data_dir=data_dir)
    database.connect(reuse_if_open=True)
    migrate(database)
    return database


def migrate(database: Database) -> int:
    """Create missing tables and run pending migrations; returns the schema version.

    Safe to run at every start and from several processes (it runs in one write
    transaction). Existing data is kept.
    """
    with database.atomic():
        row = SchemaVersion.select().first() if database.table_exists(SchemaVersion._meta.table_name) else None
        version = row.version if row is not None else SCHEMA_VERSION
        while version < SCHEMA_VERSION:  # before create_tables: its indexes name the new columns
            MIGRATIONS[version](database)
            version += 1
        database.create_tables(ALL_MODELS, safe=True)
        if row is None:
            SchemaVersion.create(version=SCHEMA_VERSION)
            return SCHEMA_VERSION
        if version != row.version:
            SchemaVersion.update(version=version).execute()
        if version > SCHEMA_VERSION:
            raise RuntimeError(
                f"database schema {version} is newer than this Loket ({SCHEMA_VERSION}); upgrade Loket"
            )
        return version


def backup_sqlite(source: Path, target: Path) -> Path:
    """Online, consistent copy of a SQLite database with the sqlite3 backup API.

    Works while the server is writing (pages are copied under SQLite's own locking).
    Returns ``target``. Raises ``FileNotFoundError`` when ``source`` does not exist.
    """
    source = Path(source)
    if not source.exists():
        raise FileNotFoundError(source)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    try:
        dst = sqlite3.connect(str(target))
        try:
            src.backup(dst, pages=256)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    return target
