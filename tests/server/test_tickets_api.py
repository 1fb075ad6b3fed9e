"""Tickets through the Flask test client: numbering, idempotency, quota, hours,
midnight reset in WITA, public data only, bad input."""
from __future__ import annotations

import re
from datetime import datetime

from server_kit import MONDAY_0900, WITA, issue

from queue_server.db.models import AuditLog, Event, Ticket, db

#: every test here runs on SQLite and on PostgreSQL (issue 17)
ENGINES = ("sqlite", "postgresql")


def test_numbers_are_consecutive_per_prefix(client, tokens):
    numbers = [issue(client, tokens).json["number"] for _ in range(3)]
    assert numbers == ["A001", "A002", "A003"]
    kk = issue(client, tokens, "KK", answers={"reason": "kelahiran"})
    assert kk.status_code == 201
    assert kk.json["number"] == "B001"


def test_ticket_answer_has_position_wait_checklist_and_no_personal_data(client, tokens):
    first = issue(client, tokens).json
    r = issue(client, tokens, answers={"birth_date": "2019-06-01", "reason": "baru"})
    body = r.json
    assert r.status_code == 201
    assert body["people_ahead"] == 1
    assert body["estimated_wait_seconds"] > 0
    assert body["zone"] == "WITA"
    assert body["issued_at"].endswith("+08:00")
    codes = [i["code"] for i in body["checklist"]["items"]]
    assert "pas_foto" in codes  # a 7-year-old needs a photo (KIA variant 2)
    assert re.fullmatch(r"[A-Z2-9]{8}", body["code"])
    assert first["code"] != body["code"]
    assert "nik" not in str(body).lower()


def test_three_year_old_needs_no_photo(client, tokens):
    body = issue(client, tokens, answers={"birth_date": "2023-06-01", "reason": "baru"}).json
    assert "pas_foto" not in [i["code"] for i in body["checklist"]["items"]]


def test_idempotency_key_returns_the_same_ticket(client, tokens):
    body = {"service": "KIA", "answers": {"birth_date": "2019-06-01", "reason": "baru"}, "idempotency_key": "tap-1"}
    r1 = client.post("/api/v1/tickets", json=body, headers=tokens["kiosk"])
    r2 = client.post("/api/v1/tickets", json=body, headers=tokens["kiosk"])
    r3 = client.post("/api/v1/tickets", json={**body, "idempotency_key": None},
                     headers={**tokens["kiosk"], "Idempotency-Key": "tap-1"})
    assert (r1.status_code, r2.status_code, r3.status_code) == (201, 200, 200)
    assert r1.json["number"] == r2.json["number"] == r3.json["number"] == "A001"
    with db.connection_context():
        assert Ticket.select().count() == 1


def test_quota_used_up(make_app, offices_dir, tokens_factory=None):
    path = offices_dir / "default.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('code = "KK"\n', 'code = "KK"\ndaily_quota = 2\n', 1)
    path.write_text(text, encoding="utf-8")
    app = make_app()
    client = app.test_client()
    from queue_server.auth import create_device_token
    with db.connection_context():
        kiosk = {"Authorization": "Bearer " + create_device_token("kiosk", "k", office="paser")}
    ok = [client.post("/api/v1/tickets", json={"service": "KK", "answers": {"reason": "kelahiran"}}, headers=kiosk)
          for _ in range(2)]
    assert [r.status_code for r in ok] == [201, 201]
    r = client.post("/api/v1/tickets", json={"service": "KK", "answers": {"reason": "kelahiran"}}, headers=kiosk)
    assert r.status_code == 409
    assert r.json["error"]["code"] == "kuota_habis"
    assert "habis" in r.json["error"]["message"]
    svc = [s for s in client.get("/api/v1/services").json["services"] if s["code"] == "KK"][0]
    assert svc["open"] is False and svc["reason"] == "quota_used_up" and svc["remaining"] == 0
    assert svc["opens_at"] == "2026-11-24T08:00:00+08:00"  # come back tomorrow (Tuesday) at opening
    with db.connection_context():
        assert Ticket.select().where(Ticket.service == "KK").count() == 2


def test_closed_outside_hours(client, tokens, clock):
    clock.set(datetime(2026, 11, 23, 18, 0, tzinfo=WITA).timestamp())
    r = issue(client, tokens)
    assert r.status_code == 409
    assert r.json["error"]["code"] == "layanan_tutup"
    svc = client.get("/api/v1/services").json["services"][0]
    assert svc["open"] is False and svc["reason"] == "closed"


def test_numbering_resets_at_wita_midnight_and_keeps_history(make_app, clock, tokens):
    app = make_app(ENFORCE_HOURS=False)
    client = app.test_client()
    clock.set(datetime(2026, 11, 23, 23, 59, 30, tzinfo=WITA).timestamp())
    assert issue(client, tokens).json["number"] == "A001"
    assert issue(client, tokens).json["number"] == "A002"
    # 00:00:30 WITA is still 16:00 UTC of the previous day: the reset follows the office's zone
    clock.set(datetime(2026, 11, 24, 0, 0, 30, tzinfo=WITA).timestamp())
    assert datetime.utcfromtimestamp(clock.now()).day == 23
    r = issue(client, tokens)
    assert r.json["number"] == "A001"
    assert r.json["office_day"] == "2026-11-24"
    with db.connection_context():
        assert Ticket.select().count() == 3
        assert {t.office_day for t in Ticket.select()} == {"2026-11-23", "2026-11-24"}


def test_priority_must_be_a_known_category(client, tokens):
    r = issue(client, tokens, priority="vip")
    assert r.status_code == 422
    assert r.json["error"]["code"] == "validation_error"
    r = issue(client, tokens, priority="lansia")
    assert r.status_code == 201 and r.json["priority"] == "lansia"


def test_not_eligible_gets_no_ticket(client, tokens):
    r = issue(client, tokens, "IKD", answers={"ktp_el_recorded": False, "age17_or_married": True,
                                              "has_device_and_email": True})
    assert r.status_code == 422
    assert r.json["error"]["code"] == "not_eligible"
    assert r.json["error"]["details"]["reasons"]
    r = issue(client, tokens, "KIA", answers={"birth_date": "2005-01-01", "reason": "baru"})
    assert r.status_code == 422
    with db.connection_context():
        assert Ticket.select().count() == 0


BAD_BODIES = [
    (b"{not json", "application/json", 400),
    (b'{"service": 5}', "application/json", 422),
    (b'{"service": "KIA", "answers": "x"}', "application/json", 422),
    (b'{"service": "NOPE"}', "application/json", 404),
    (b'{"service": "KIA\'; DROP TABLE ticket; --"}', "application/json", 404),
    (b'{"service": "<script>alert(1)</script>"}', "application/json", 404),
    (b'{"service": "KIA", "surprise": 1}', "application/json", 422),
    (b'[]', "application/json", 422),
    (b'service=KIA', "application/x-www-form-urlencoded", 415),
]


def test_bad_input_gets_4xx_one_shape_and_changes_nothing(client, tokens):
    with db.connection_context():
        events_before = Event.select().count()
    for raw, ctype, status in BAD_BODIES:
        r = client.post("/api/v1/tickets", data=raw, headers={**tokens["kiosk"], "Content-Type": ctype})
        assert r.status_code in (status, 400, 415, 422) and r.status_code < 500, (raw, r.status_code, r.data)
        assert set(r.json) == {"error"}, raw
        assert {"code", "message", "message_en", "details"} <= set(r.json["error"]), raw
    big = b'{"service": "KIA", "answers": {"x": "' + b"a" * (4 * 1024 * 1024) + b'"}}'
    r = client.post("/api/v1/tickets", data=big, headers={**tokens["kiosk"], "Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.json["error"]["code"] == "payload_too_large"
    with db.connection_context():
        assert Ticket.select().count() == 0
        assert Event.select().count() == events_before
        assert "ticket" in db.get_tables()


def test_unknown_routes_and_methods_answer_json(client):
    assert client.get("/api/v1/nope").json["error"]["code"] == "not_found"
    r = client.delete("/api/v1/services")
    assert r.status_code == 405 and r.json["error"]["code"] == "method_not_allowed"


def test_every_issue_is_audited_with_who_and_when(client, tokens):
    issue(client, tokens)
    with db.connection_context():
        row = AuditLog.get(AuditLog.action == "ticket.issue")
    assert row.actor == "kiosk-1" and row.role == "kiosk" and row.target == "A001"
    assert abs(row.at - MONDAY_0900) < 1


def test_partial_requirements_judge_the_answers_given_so_far(client):
    """The kiosk asks after the birth date: a 19-year-old is refused before the next question."""
    r = client.get("/api/v1/services/KIA/requirements?birth_date=2007-03-01&partial=true")
    assert r.status_code == 200 and r.json["eligible"] is False
    assert r.json["ineligible"][0]["code"] == "kia_age_17_or_over" and "19" in r.json["ineligible"][0]["message"]
    r = client.get("/api/v1/services/KIA/requirements?birth_date=2019-06-01&partial=true")
    assert r.status_code == 200 and r.json["eligible"] is True
    r = client.get("/api/v1/services/KIA/requirements?partial=true")
    assert r.status_code == 200 and r.json["eligible"] is True
    r = client.get("/api/v1/services/KIA/requirements?birth_date=2019-06-01")  # not partial: reason is required
    assert r.status_code == 422 and r.json["error"]["details"]["question"] == "reason"


def test_closed_on_a_public_holiday_says_why_and_when(make_app, tokens_factory=None):
    from datetime import datetime

    from queue_server.context import FixedClock
    from server_kit import WITA

    app = make_app(CLOCK=FixedClock(datetime(2026, 8, 17, 9, 0, tzinfo=WITA).timestamp()))  # Monday
    client = app.test_client()
    office = client.get("/api/v1/offices").json["offices"][0]
    assert office["open_now"] is False and office["takes_tickets"] is False
    assert office["closed_reason"] == "Hari Kemerdekaan Republik Indonesia"
    assert office["next_opening"] == "2026-08-18T08:00:00+08:00"
    kia = next(s for s in client.get("/api/v1/services").json["services"] if s["code"] == "KIA")
    assert kia["reason"] == "closed" and kia["opens_at"] == "2026-08-18T08:00:00+08:00"
    assert kia["closed_reason"] == "Hari Kemerdekaan Republik Indonesia"
    from queue_server.auth import create_device_token
    with db.connection_context():
        kiosk = {"Authorization": "Bearer " + create_device_token("kiosk", "k", office="paser")}
    r = client.post("/api/v1/tickets", json={"service": "KK", "answers": {"reason": "kelahiran"}}, headers=kiosk)
    assert r.status_code == 409 and r.json["error"]["code"] == "layanan_tutup"


def test_requirements_endpoint_and_nik_validate(client):
    r = client.get("/api/v1/services/KIA/requirements?birth_date=2019-06-01&reason=hilang")
    assert r.status_code == 200
    codes = [i["code"] for i in r.json["items"]]
    assert "pas_foto" in codes and "surat_kehilangan" in codes
    assert r.json["facts"]["kia_variant"] == 2
    r = client.get("/api/v1/services/KIA/requirements?birth_date=bukan-tanggal&reason=baru")
    assert r.status_code == 422
    r = client.post("/api/v1/nik/validate", json={"nik": "3201014512150001"})
    assert r.status_code == 200
    assert r.json["valid"] is True and r.json["sex"] == "P" and r.json["birth_date"] == "2015-12-05"
    r = client.post("/api/v1/nik/validate", json={"nik": "3201013202150001"})
    assert r.status_code == 200 and r.json["valid"] is False and r.json["errors"]


def test_openapi_document_is_generated(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    spec = r.json
    assert spec["openapi"].startswith("3")
    assert "/api/v1/tickets" in spec["paths"]
    assert "/api/v1/counters/{counter_id}/call-next" in spec["paths"]
    body = spec["paths"]["/api/v1/tickets"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body  # generated from the TicketIn schema


def test_offices_and_services_describe_the_sop(client):
    office = client.get("/api/v1/offices").json["offices"][0]
    assert office["zone"] == "WITA" and office["photo_ratio"] in ("2x3", "3x4", "4x6")
    assert office["kecamatan"] and office["pickup_offices"] == ["paser-tanah-grogot"]
    kia = client.get("/api/v1/services").json["services"][0]
    steps = [s["code"] for s in kia["steps"]]
    assert steps[0] == "penerimaan" and steps[-1] == "penyerahan"
    assert kia["steps"][2]["mutu_baku_minutes"] == 5 and kia["steps"][1]["conditional"] is True


def test_an_id_past_the_databases_range_is_not_found_not_a_server_error(client, tokens):
    """#16 item 11: /tickets/99999999999999999999 answered 500 (SQL overflow)."""
    for path in ("/api/v1/tickets/99999999999999999999", "/api/v1/applications/18446744073709551616"):
        r = client.get(path, headers=tokens["operator"])
        assert r.status_code == 404, (path, r.status_code)
        assert r.json["error"]["code"] == "not_found"
    assert client.get(f"/api/v1/tickets/{2**63 - 1}", headers=tokens["operator"]).status_code == 404
