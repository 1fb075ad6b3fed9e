"""Past one machine (issue 17): ``loket serve`` processes on PostgreSQL, for real.

Two instances (two data folders, as on two machines; 2 workers each) share one database
of a throwaway cluster: 200 concurrent tickets spread over both get 200 distinct
consecutive numbers; a call through one reaches an event stream of the other; a token
revoked on one is refused by the other; ``kill -9`` of one under load loses no
acknowledged ticket; a database of the previous schema upgrades without losing data."""
from __future__ import annotations

import json
import threading
import time
import urllib.request

import pytest

from live_server import STAFF_PASSWORD, LiveServer, loket, read_sse


@pytest.fixture
def pg_url(pg_cluster):
    url = pg_cluster.create_db("srv")
    yield url
    pg_cluster.drop_db(url)


@pytest.fixture
def two(tmp_path, pg_url):
    import os
    env = {**os.environ, "DATABASE_URL": pg_url, "LOKET_DB_POOL": "8"}
    a = LiveServer(tmp_path / "a", workers=2, threads=32, env=env).setup(staff_roles=("operator",))
    b = LiveServer(tmp_path / "b", workers=2, threads=32, env=env)
    loket("init", "--admin-password", "admin-pass-123", data_dir=b.data_dir, env=env)  # its own data folder
    b.tokens = a.tokens  # one database: the tokens made through a work on b
    a.start()
    b.start()
    yield a, b
    a.stop()
    b.stop()


KIA = {"service": "KIA", "answers": {"birth_date": "2019-06-01", "reason": "baru"}}


def _post(url: str, token: str, body: dict, timeout: float = 20):
    req = urllib.request.Request(url + "/api/v1/tickets", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def test_two_instances_share_numbering_events_and_sessions(two, pg_cluster, pg_url):
    a, b = two
    kiosk = a.tokens["kiosk"]
    results: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def kiosk_thread(i: int) -> None:
        srv = a if i % 2 else b
        for j in range(10):
            out = _post(srv.url, kiosk, {**KIA, "idempotency_key": f"k{i}-{j}"})
            with lock:
                results.append(out)
    threads = [threading.Thread(target=kiosk_thread, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert [s for s, _ in results].count(201) == 200, [r for r in results if r[0] != 201][:3]
    numbers = sorted(int(body["number"][1:]) for _, body in results)
    assert numbers == list(range(1, 201))  # distinct and consecutive: no gap, no duplicate
    name = pg_url.rsplit("/", 1)[1]
    assert pg_cluster.sql('SELECT COUNT(*), COUNT(DISTINCT "number") FROM "ticket"', name).strip() == "200|200"

    # a call through a reaches a subscriber of b
    op = a.login("u_operator")
    got: list[dict] = []
    opened = threading.Event()
    reader = threading.Thread(target=lambda: got.extend(read_sse(
        b.url + "/api/v1/events", op, until=1, timeout=15, types={"ticket.called"}, on_open=opened.set)))
    reader.start()
    assert opened.wait(10)
    t0 = time.monotonic()
    status, called = a.request("POST", "/api/v1/counters/1/call-next", {}, token=op)
    assert status == 200, called
    reader.join(15)
    number = called["ticket"]["number"] if "ticket" in called else called["number"]
    assert got and got[0]["number"] == number
    assert time.monotonic() - t0 < 2.0

    # a token revoked through b is refused by a
    assert a.request("GET", "/api/v1/auth/me", token=op)[0] == 200
    assert b.request("POST", "/api/v1/auth/logout", {}, token=op)[0] in (200, 204)
    time.sleep(0.6)
    assert a.request("GET", "/api/v1/auth/me", token=op)[0] == 401


def test_kill_9_of_one_instance_under_load_loses_no_acknowledged_ticket(two, pg_cluster, pg_url):
    a, b = two
    kiosk = a.tokens["kiosk"]
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + 6

    def kiosk_thread(i: int) -> None:
        srv = a if i % 2 else b
        j = 0
        while time.monotonic() < stop:
            j += 1
            try:
                status, body = _post(srv.url, kiosk, {**KIA, "idempotency_key": f"kill{i}-{j}"}, timeout=5)
            except OSError:
                continue  # the killed instance: not acknowledged
            if status == 201:
                with lock:
                    acknowledged.append(body["number"])
    threads = [threading.Thread(target=kiosk_thread, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    time.sleep(2.5)
    a.kill()
    for t in threads:
        t.join(30)
    name = pg_url.rsplit("/", 1)[1]
    stored = set(pg_cluster.sql('SELECT "number" FROM "ticket"', name).split())
    assert acknowledged and set(acknowledged) <= stored
    assert len(set(acknowledged)) == len(acknowledged)
    a.start()  # restarts on the same database and numbering goes on
    status, body = _post(a.url, kiosk, {**KIA, "idempotency_key": "after"})
    assert status == 201 and int(body["number"][1:]) == len(stored) + 1


def test_a_database_of_the_previous_schema_is_upgraded_keeping_its_data(pg_cluster, pg_url, tmp_path):
    from peewee import PostgresqlDatabase

    from queue_server.db.database import SCHEMA_VERSION, migrate, open_database
    from queue_server.db.models import db
    database = open_database(pg_url)
    database.connect()
    try:
        migrate(database)
        # back to version 4: the columns and tables of version 5 (issue 13) gone, one berkas kept
        database.execute_sql('INSERT INTO "application" ("office", "code", "service", "state", "applicant_name", '
                             '"nik", "phone", "kecamatan_code", "sex", "answers", "card_data", "documents_present", '
                             '"missing", "siak_reference", "notify", "email", "card_serial", "outcome_note", '
                             '"created_at", "created_by", "version", "channel", "awaiting_citizen", "return_notes", '
                             '"parent_name") VALUES (\'paser\', \'ABC234\', \'KIA\', \'handed_over\', \'Lama\', \'\', '
                             '\'\', \'\', \'\', \'{}\', \'{}\', \'[]\', \'[]\', \'\', FALSE, \'\', \'S\', \'\', 0, '
                             '\'op\', 3, \'counter\', FALSE, \'\', \'\')')
        for column in ("channel", "awaiting_citizen", "return_notes", "batch", "parent_name", "submission_key"):
            database.execute_sql(f'ALTER TABLE "application" DROP COLUMN "{column}"')
        database.execute_sql('DROP TABLE "upload"')
        database.execute_sql('DROP TABLE "distribution_batch"')
        database.execute_sql('UPDATE "schema_version" SET "version" = 4')
    finally:
        database.close()
    database = open_database(pg_url)
    database.connect()
    try:
        assert isinstance(db.obj, PostgresqlDatabase)
        assert migrate(database) == SCHEMA_VERSION == 5
        assert migrate(database) == 5
        columns = {c.name for c in database.get_columns("application")}
        assert {"channel", "awaiting_citizen", "batch", "submission_key"} <= columns
        assert database.table_exists("upload") and database.table_exists("distribution_batch")
        assert database.execute_sql('SELECT "applicant_name", "channel" FROM "application"').fetchall() == [
            ("Lama", "counter")]
    finally:
        database.close_all() if hasattr(database, "close_all") else database.close()


def test_backup_of_a_postgresql_database_uses_pg_dump(pg_cluster, pg_url, tmp_path):
    import os
    env = {**os.environ, "DATABASE_URL": pg_url}
    loket("init", "--admin-password", "admin-pass-123", data_dir=tmp_path / "d", env=env)
    out = loket("backup", "--out", str(tmp_path / "b.dump"), data_dir=tmp_path / "d", env=env)
    dump = tmp_path / "b.dump"
    assert out.stdout.strip().endswith("b.dump") and dump.read_bytes()[:5] == b"PGDMP"
    # the documented restore: pg_restore into an empty database
    restored = pg_cluster.create_db("restored")
    import subprocess
    from pg_kit import bin_dir
    subprocess.run([str(bin_dir() / "pg_restore"), "--no-owner", "-d", restored, str(dump)], check=True,
                   capture_output=True)
    assert pg_cluster.sql('SELECT COUNT(*) FROM "staff"', restored.rsplit("/", 1)[1]).strip() == "1"
    pg_cluster.drop_db(restored)


def test_instances_with_one_shared_secret_accept_each_others_citizen_forms(tmp_path, monkeypatch):
    """docs/deployment.md section 12: LOKET_SECRET_KEY signs the forms' CSRF token alike everywhere."""
    from queue_server.app import _secret_key
    monkeypatch.setenv("LOKET_SECRET_KEY", "k" * 40)
    assert _secret_key(tmp_path / "a") == _secret_key(tmp_path / "b") == "k" * 40
    monkeypatch.setenv("LOKET_SECRET_KEY", "short")
    with pytest.raises(ValueError):
        _secret_key(tmp_path / "a")
    monkeypatch.delenv("LOKET_SECRET_KEY")
    assert _secret_key(tmp_path / "a") != _secret_key(tmp_path / "b")  # one made per data folder
