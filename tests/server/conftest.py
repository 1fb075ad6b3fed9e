"""Fixtures for the queue server: a fresh app and SQLite file per test, a fixed clock
on a Monday morning in WITA (the default office is Kabupaten Paser), and tokens for
every role."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from queue_server.app import create_app
from queue_server.context import FixedClock
from queue_server.db.models import db

from server_kit import MONDAY_0900, OFFICES, login_tokens


@pytest.fixture(autouse=True)
def fast_password_hash(monkeypatch):
    """scrypt costs ~70 ms a hash; tests make dozens. Production keeps werkzeug's default."""
    import functools

    from werkzeug.security import generate_password_hash

    import queue_server.auth as auth

    monkeypatch.setattr(auth, "generate_password_hash",
                        functools.partial(generate_password_hash, method="pbkdf2:sha256:1000"))


@pytest.fixture
def offices_dir(tmp_path) -> Path:
    d = tmp_path / "offices"
    shutil.copytree(OFFICES, d, ignore=shutil.ignore_patterns("*.md"))
    return d


@pytest.fixture
def clock():
    return FixedClock(MONDAY_0900)


def pytest_generate_tests(metafunc):
    """Server tests run on SQLite; a module that says ``ENGINES = ("sqlite",
    "postgresql")`` runs each of its tests on both (issue 17), PostgreSQL in a throwaway
    cluster of this test session."""
    if "engine" in metafunc.fixturenames:
        metafunc.parametrize("engine", getattr(metafunc.module, "ENGINES", ("sqlite",)))


@pytest.fixture(scope="session")
def pg_cluster():
    from pg_kit import PgCluster, available
    if not available():
        pytest.fail("PostgreSQL is not installed: the README's test command installs Debian's postgresql")
    cluster = PgCluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture
def database_url(engine, request):
    """None (the SQLite file in the data folder) or a fresh PostgreSQL database's URL."""
    if engine == "sqlite":
        yield None
        return
    cluster = request.getfixturevalue("pg_cluster")
    url = cluster.create_db()
    yield url
    cluster.drop_db(url)


@pytest.fixture
def make_app(tmp_path, offices_dir, clock, database_url):
    created = []

    def _make(**cfg):
        config = {"DATA_DIR": str(tmp_path / "data"), "OFFICES_DIR": str(offices_dir), "CLOCK": clock,
                  "SSE_HEARTBEAT": 0.5, "SSE_MAX_SECONDS": 5,
                  "NOTIFY_SENDER": False, "DATABASE_URL": database_url}
        config.update(cfg)
        app = create_app(config)
        created.append(app)
        return app

    yield _make
    for app in created:
        app.extensions["loket_broker"].stop()
        app.extensions["loket_sender"].stop()
    if not db.is_closed():
        db.close()
    for app in created:
        close_all = getattr(app.extensions["loket_db"], "close_all", None)
        if close_all is not None:  # the pool's idle connections, before the database is dropped
            close_all()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def tokens(app):
    """Bearer headers for every role: staff of the default office 'paser' and devices."""
    return login_tokens(app)
