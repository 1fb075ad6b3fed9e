"""What the berkas keeps (issue 11 items 9, 10, 13): its sex, the card data typed at the
print step and shown in the Register KIA, one register number sequence per service,
data frozen after the TTE with a recorded send-back to correct them, and an audit row
naming each changed field (the NIK masked). Plus the schema migration that adds them."""
from __future__ import annotations

import sqlite3

from server_kit import CHILD, KIA_CARD, issue, jpeg, step

from queue_server.db.models import AuditLog, RegisterEntry, db


def open_kia(client, tokens, applicant=CHILD, service="KIA", answers=None, counter="1"):
    answers = {"birth_date": applicant["birth_date"], "reason": "baru"} if answers is None else answers
    t = issue(client, tokens, service, answers=answers).json
    assert client.post(f"/api/v1/counters/{counter}/call-next", json={}, headers=tokens["operator"]).status_code == 200
    r = client.post(f"/api/v1/tickets/{t['id']}/applications",
                    json={"service": service, "answers": answers, "applicant": applicant}, headers=tokens["operator"])
    assert r.status_code == 201, r.json
    return r.json


def to_print(client, tokens, app):
    """Walk a 7-year-old's KIA from the counter to the print step."""
    codes = [i["code"] for i in app["checklist"]["items"]]
    assert client.post(f"/api/v1/applications/{app['id']}/verify", json={"present": codes},
                       headers=tokens["operator"]).json["step"] == "foto"
    client.put(f"/api/v1/applications/{app['id']}/photo", data=jpeg(),
               headers={**tokens["operator"], "Content-Type": "image/jpeg"})
    for role, code in (("operator", "foto"), ("operator", "unggah_foto"), ("verifikator", "verifikasi"),
                       ("pejabat_tte", "tte")):
        r = step(client, tokens, role, app, code)
        assert r.status_code == 200, (code, r.json)
    assert r.json["step"] == "cetak"
    return r.json


def test_sex_is_a_field_of_the_berkas_prefilled_from_the_nik(client, tokens):
    app = open_kia(client, tokens)
    assert app["applicant"]["sex"] == "P"  # from the NIK: day of birth 55 = 15 + 40
    assert not [w for w in app["nik_check"]["warnings"] if w["code"] == "nik_sex_mismatch"]
    r = client.patch(f"/api/v1/applications/{app['id']}", json={"applicant": {"sex": "X"}, "version": app["version"]},
                     headers=tokens["operator"])
    assert r.status_code == 422 and r.json["error"]["details"]["field"] == "applicant.sex"
    # the officer sets what the documents say: kept, and the NIK's other reading is a warning, never a refusal
    r = client.patch(f"/api/v1/applications/{app['id']}", json={"applicant": {"sex": "L"}, "version": app["version"]},
                     headers=tokens["operator"])
    assert r.status_code == 200 and r.json["applicant"]["sex"] == "L"
    assert [w["code"] for w in r.json["nik_check"]["warnings"]] == ["nik_sex_mismatch"]
    without_nik = open_kia(client, tokens, {**CHILD, "nik": "", "name": "Tanpa NIK"})
    assert without_nik["applicant"]["sex"] == ""  # unknown stays unknown: the card never defaults to "L"


def test_the_card_data_are_kept_on_the_berkas_and_in_the_register(client, tokens):
    app = to_print(client, tokens, open_kia(client, tokens))
    r = step(client, tokens, "petugas_cetak", app, "cetak", card_serial="KIA-1")
    assert r.status_code == 422 and r.json["error"]["details"]["field"] == "card.birth_place"
    r = step(client, tokens, "petugas_cetak", app, "cetak", card_serial="KIA-1", card={**KIA_CARD, "kk_number": "123"})
    assert r.status_code == 422 and r.json["error"]["details"]["field"] == "card.kk_number"
    assert r.json["error"]["message"] == "No. KK: harus 16 angka."
    r = step(client, tokens, "petugas_cetak", app, "cetak", card_serial="KIA-1", card=KIA_CARD)
    assert r.status_code == 200 and r.json["card_data"]["birth_place"] == "Tanah Grogot"
    assert r.json["card_data"]["nationality"] == "WNI"
    assert step(client, tokens, "petugas_cetak", app, "register").status_code == 200
    rows = client.get("/api/v1/reports/register?date_from=2026-11-23&date_to=2026-11-23",
                      headers=tokens["kepala"]).json["rows"]
    assert [(x["no"], x["birth_place"], x["kk_number"], x["sex"]) for x in rows] == [
        (1, "Tanah Grogot", KIA_CARD["kk_number"], "P")]


def test_each_register_counts_without_gaps(client, tokens):
    # a birth certificate registered between two KIA does not leave a gap in the Register KIA
    first = to_print(client, tokens, open_kia(client, tokens))
    assert step(client, tokens, "petugas_cetak", first, "cetak", card_serial="K1", card=KIA_CARD).status_code == 200
    assert step(client, tokens, "petugas_cetak", first, "register").status_code == 200
    akta = open_kia(client, tokens, {"name": "Bayi Ananda"}, "AKTA_LAHIR", {"has_birth_letter": True})
    codes = [i["code"] for i in akta["checklist"]["items"]]
    assert client.post(f"/api/v1/applications/{akta['id']}/verify", json={"present": codes},
                       headers=tokens["operator"]).json["step"] == "scan"
    for role, code, extra in (("operator", "scan", {}), ("petugas_cetak", "cetak", {"card_serial": "AKTA-1"}),
                              ("verifikator", "verifikasi", {}), ("petugas_cetak", "register", {})):
        r = step(client, tokens, role, akta, code, **extra)
        assert r.status_code == 200, (code, r.json)
    second = to_print(client, tokens, open_kia(client, tokens, {**CHILD, "nik": "6401045506190011", "name": "Dua"}))
    assert step(client, tokens, "petugas_cetak", second, "cetak", card_serial="K2", card=KIA_CARD).status_code == 200
    assert step(client, tokens, "petugas_cetak", second, "register").status_code == 200
    with db.connection_context():
        numbers = [(e.service, e.number) for e in RegisterEntry.select().order_by(RegisterEntry.id)]
    assert numbers == [("KIA", 1), ("AKTA_LAHIR", 1), ("KIA", 2)]
    rows = client.get("/api/v1/reports/register?date_from=2026-11-23&date_to=2026-11-23",
                      headers=tokens["kepala"]).json["rows"]
    assert [x["no"] for x in rows] == [1, 2]


def test_data_are_frozen_after_the_tte_and_corrected_by_a_recorded_send_back(client, tokens):
    app = to_print(client, tokens, open_kia(client, tokens))
    assert app["signed"] is True
    r = client.patch(f"/api/v1/applications/{app['id']}", json={"applicant": {"name": "Nur Aisyah Putri"}},
                     headers=tokens["operator"])
    assert r.status_code == 409 and r.json["error"]["code"] == "signed_frozen"
    r = client.put(f"/api/v1/applications/{app['id']}/photo", data=jpeg(),
                   headers={**tokens["operator"], "Content-Type": "image/jpeg"})
    assert r.status_code == 409 and r.json["error"]["code"] == "signed_frozen"
    # the printing officer sends it back with the reason: on the kartu kendali, and the TTE is undone
    back = step(client, tokens, "petugas_cetak", app, "cetak", outcome="returned", note="Nama tidak sesuai akta")
    assert back.status_code == 200 and back.json["step"] == "tte" and back.json["signed"] is False
    assert back.json["kartu_kendali"][-2]["outcome"] == "returned"
    assert back.json["kartu_kendali"][-2]["note"] == "Nama tidak sesuai akta"
    r = client.patch(f"/api/v1/applications/{app['id']}",
                     json={"applicant": {"name": "Nur Aisyah Putri", "nik": "6401045506190029"}},
                     headers=tokens["operator"])
    assert r.status_code == 200 and r.json["applicant"]["name"] == "Nur Aisyah Putri"
    with db.connection_context():
        row = AuditLog.select().where(AuditLog.action == "application.update").order_by(AuditLog.id.desc()).get()
    assert row.details["changes"] == {"name": ["Nur Aisyah", "Nur Aisyah Putri"],
                                      "nik": ["6401********0003", "6401********0029"]}
    assert "6401045506190003" not in str(row.details)
    assert step(client, tokens, "pejabat_tte", app, "tte").json["signed"] is True  # signed again


def test_a_version_1_database_is_migrated_keeping_its_data(tmp_path):
    from peewee import SqliteDatabase

    from queue_server.db.database import SCHEMA_VERSION, migrate
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.executescript("""
        CREATE TABLE schema_version (id INTEGER PRIMARY KEY, version INTEGER NOT NULL);
        INSERT INTO schema_version (version) VALUES (1);
        CREATE TABLE application (id INTEGER PRIMARY KEY, office VARCHAR(64) NOT NULL, ticket_id INTEGER,
            code VARCHAR(16) NOT NULL, service VARCHAR(32) NOT NULL, state VARCHAR(24) NOT NULL, step VARCHAR(48),
            step_arrived_at REAL, step_started_at REAL, step_officer VARCHAR(64), applicant_name VARCHAR(200) NOT NULL,
            nik VARCHAR(16) NOT NULL, birth_date VARCHAR(10), phone VARCHAR(32) NOT NULL,
            kecamatan_code VARCHAR(16) NOT NULL, answers TEXT NOT NULL, documents_present TEXT NOT NULL,
            missing TEXT NOT NULL, siak_reference VARCHAR(64) NOT NULL, pickup_office VARCHAR(64),
            card_serial VARCHAR(64) NOT NULL, outcome_note TEXT NOT NULL, created_at REAL NOT NULL,
            created_by VARCHAR(64) NOT NULL, finished_at REAL, version INTEGER NOT NULL);
        CREATE TABLE register_entry (id INTEGER PRIMARY KEY, office VARCHAR(64) NOT NULL, year INTEGER NOT NULL,
            number INTEGER NOT NULL, application_id INTEGER NOT NULL, officer VARCHAR(64) NOT NULL,
            registered_at REAL NOT NULL);
        CREATE UNIQUE INDEX register_entry_office_year_number ON register_entry (office, year, number);
        INSERT INTO application VALUES (1, 'paser', NULL, 'ABC234', 'KIA', 'ready_for_pickup', 'penyerahan', 0, NULL,
            NULL, 'Lama', '', NULL, '', '', '{}', '[]', '[]', '', 'paser', 'S', '', 0, 'op', NULL, 3);
        INSERT INTO register_entry VALUES (1, 'paser', 2026, 7, 1, 'cetak', 0);
    """)
    old.commit()
    old.close()
    database = SqliteDatabase(str(path))
    db.initialize(database)
    database.connect()
    try:
        assert migrate(database) == SCHEMA_VERSION == 5
        assert migrate(database) == 5  # a second start changes nothing
        columns = {c.name for c in database.get_columns("application")}
        assert {"sex", "card_data", "notify", "email", "channel", "awaiting_citizen", "return_notes", "batch",
                "submission_key"} <= columns
        assert database.table_exists("message") and database.table_exists("upload")
        assert ["submission_key"] in [i.columns for i in database.get_indexes("application") if i.unique]
        assert database.execute_sql('SELECT service, number FROM register_entry').fetchall() == [("KIA", 7)]
        unique = [i.columns for i in database.get_indexes("register_entry") if i.unique]
        assert unique == [["office", "service", "year", "number"]]
        assert database.execute_sql("SELECT applicant_name, sex, card_data, channel FROM application").fetchall() == [
            ("Lama", "", "{}", "counter")]
    finally:
        database.close()


def test_lansia_is_derived_from_the_nik_when_not_declared(client, tokens):
    # born 17-08-1960: 66 on 23-11-2026, no priority declared at the kiosk
    app = open_kia(client, tokens, {"name": "Haji Abdul", "nik": "6401041708600001", "birth_date": "1960-08-17"},
                   "IKD", {"ktp_el_recorded": True, "age17_or_married": True, "has_device_and_email": True}, "4")
    assert app["nik_check"]["lansia"] is True
    ticket = client.get(f"/api/v1/tickets/{app['ticket_id']}", headers=tokens["operator"]).json
    assert ticket["priority"] == "lansia"
    with db.connection_context():
        row = AuditLog.get(AuditLog.action == "ticket.priority_from_nik")
    assert row.target == ticket["number"] and row.details["priority"] == "lansia"
    young = open_kia(client, tokens)
    assert young["nik_check"]["lansia"] is False
    assert client.get(f"/api/v1/tickets/{young['ticket_id']}", headers=tokens["operator"]).json["priority"] is None
