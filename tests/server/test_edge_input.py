"""Bad input refused at the edge with a clean 4xx naming the field (issue 16 items 4, 5,
15): JSON nested 1,000 deep, a lone surrogate, control characters, a body that is not
JSON; the XLSX reports never fail on stored text; security headers on every answer."""
from __future__ import annotations

import io
import json

from openpyxl import load_workbook
from server_kit import KIA_7Y, issue


def post_raw(client, path, raw: str | bytes, headers=None, content_type="application/json"):
    return client.post(path, data=raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogatepass"),
                       headers={**(headers or {}), "Content-Type": content_type})


def test_json_nested_1000_deep_is_400_not_500_even_before_login(client):
    deep = "[" * 1000 + "]" * 1000
    r = post_raw(client, "/api/v1/auth/login", deep)
    assert r.status_code == 400 and r.json["error"]["code"] == "json_too_deep"
    value = 1
    for _ in range(20):
        value = [value]
    nested = json.dumps({"username": "a", "password": "b", "x": value})
    assert post_raw(client, "/api/v1/auth/login", nested).status_code == 400


def test_a_lone_surrogate_is_422_naming_the_field(client, tokens):
    raw = '{"username": "ad\\ud800min", "password": "x"}'
    r = post_raw(client, "/api/v1/auth/login", raw)
    assert r.status_code == 422 and r.json["error"]["details"]["field"] == "username"
    t = issue(client, tokens).json
    client.post("/api/v1/counters/1/call-next", json={}, headers=tokens["operator"])
    raw = json.dumps({"service": "KIA", "answers": {"reason": "baru"},
                      "applicant": {"name": "Nur\\ud83d", "birth_date": "2019-06-01"}}).replace("\\\\", "\\")
    r = post_raw(client, f"/api/v1/tickets/{t['id']}/applications", raw, tokens["operator"])
    assert r.status_code == 422 and r.json["error"]["details"]["field"] == "applicant.name"


def test_control_characters_are_refused_line_breaks_only_in_free_text(client, tokens):
    t = issue(client, tokens).json
    client.post("/api/v1/counters/1/call-next", json={}, headers=tokens["operator"])
    for bad in ("Rizky\x00Pratama", "Rizky\x0bPratama", "Rizky\nPratama", "Rizky\x85"):
        r = client.post(f"/api/v1/tickets/{t['id']}/applications", headers=tokens["operator"],
                        json={"service": "KIA", "answers": {"reason": "baru"},
                              "applicant": {"name": bad, "birth_date": "2019-06-01"}})
        assert r.status_code == 422, bad
        assert r.json["error"]["details"]["field"] == "applicant.name"
        assert r.json["error"]["message"].startswith("Data tidak sah: applicant.name")
    ok = client.post(f"/api/v1/tickets/{t['id']}/applications", headers=tokens["operator"],
                     json={"service": "KIA", "answers": {"reason": "baru"},
                           "applicant": {"name": "Rizky Pratama", "birth_date": "2019-06-01"}})
    assert ok.status_code == 201
    codes = [i["code"] for i in ok.json["checklist"]["items"]]
    client.post(f"/api/v1/applications/{ok.json['id']}/verify", json={"present": codes}, headers=tokens["operator"])
    r = client.post(f"/api/v1/applications/{ok.json['id']}/steps/foto/complete", headers=tokens["operator"],
                    json={"outcome": "returned", "note": "Foto buram\nulang besok"})
    assert r.status_code != 422 or r.json["error"]["code"] != "invalid_text"  # a note may have line breaks


def test_a_write_whose_body_is_not_json_is_415(client, tokens):
    t = issue(client, tokens).json
    assert client.post("/api/v1/counters/1/call-next", json={}, headers=tokens["operator"]).status_code == 200
    # the guard {"ticket": N} must not be dropped silently with a form body
    r = client.post("/api/v1/counters/1/finish", data={"ticket": str(t["id"] + 99)}, headers=tokens["operator"])
    assert r.status_code == 415 and r.json["error"]["code"] == "unsupported_media_type"
    r = post_raw(client, "/api/v1/counters/1/skip", '{"ticket": 1}', tokens["operator"], content_type="text/plain")
    assert r.status_code == 415
    queue = client.get("/api/v1/queue", headers=tokens["operator"]).json
    assert next(c for c in queue["counters"] if c["code"] == "1")["current"]["number"] == t["number"]  # unchanged


def test_the_xlsx_reports_never_fail_on_stored_text():
    from datetime import date

    from printing.model import RegisterRow
    from printing.xlsx import register_xlsx
    row = RegisterRow(no=1, issued_on=date(2026, 11, 23), application_code="ABC234", nik="6401040106190001",
                      name="Rizky\x0bPratama\x00", sex="L", birth_place="Tanah\x1fGrogot", birth_date=date(2019, 6, 1),
                      kk_number="6401040101180003", variant=2)
    ws = load_workbook(io.BytesIO(register_xlsx([row]))).active
    assert ws.cell(row=2, column=5).value == "RizkyPratama" and ws.cell(row=2, column=7).value == "TanahGrogot"


def test_security_headers_and_no_caching_of_personal_data(client, tokens):
    t = issue(client, tokens, answers=KIA_7Y)
    assert t.headers["X-Content-Type-Options"] == "nosniff" and t.headers["X-Frame-Options"] == "DENY"
    assert t.headers.get("Cache-Control") != "no-store"  # a kiosk's public answer may be cached by nobody anyway
    staff = client.get("/api/v1/uncollected", headers=tokens["operator"])
    assert staff.headers["Cache-Control"] == "no-store" and staff.headers["Referrer-Policy"] == "no-referrer"


def test_ids_are_looked_up_only_after_authentication(client, tokens):
    # issue 16 item 13: 404 for a missing id and 401/403 for an existing one told strangers what exists
    t = issue(client, tokens).json
    for path in (f"/api/v1/tickets/{t['id']}", "/api/v1/tickets/999999", "/api/v1/applications/1",
                 "/api/v1/applications/999999", "/api/v1/applications/999999/photo", "/api/v1/pickups/ABC234",
                 "/api/v1/pickups/ZZZZZZ"):
        assert client.get(path).status_code == 401, path
        assert client.get(path, headers=tokens["kiosk"]).status_code == 403, path
        assert client.get(path, headers=tokens["display"]).status_code == 403, path
    assert client.get("/api/v1/tickets/999999", headers=tokens["operator"]).status_code == 404


def test_an_idempotency_key_is_the_devices_own_and_bound_to_its_request(client, tokens, app):
    from queue_server.auth import create_device_token
    from queue_server.db.models import db as _db
    with _db.connection_context():
        other = {"Authorization": f"Bearer {create_device_token('kiosk', 'kios-2', office='paser')}"}
    body = {"service": "KIA", "answers": KIA_7Y, "idempotency_key": "sama-123"}
    first = client.post("/api/v1/tickets", json=body, headers=tokens["kiosk"])
    again = client.post("/api/v1/tickets", json=body, headers=tokens["kiosk"])
    assert first.status_code == 201 and again.json["number"] == first.json["number"]  # a retry: the same ticket
    theirs = client.post("/api/v1/tickets", json=body, headers=other)
    assert theirs.status_code == 201 and theirs.json["number"] != first.json["number"]  # never another's ticket
    assert theirs.json["code"] != first.json["code"]  # nor its status code (which leads to the child's data)
    changed = client.post("/api/v1/tickets", headers=tokens["kiosk"],
                          json={**body, "answers": {"birth_date": "2022-01-01", "reason": "baru"}})
    assert changed.status_code == 409 and changed.json["error"]["code"] == "idempotency_key_reused"


def test_odd_dates_ids_and_numbers_are_4xx_naming_the_field(client, tokens):
    # issue 16 item 11
    for url, field in (("/api/v1/reports/daily?date=9999-12-31", "date"),
                       ("/api/v1/reports/daily?date=0001-01-01", "date"),
                       ("/api/v1/reports/staffing?date=9999-12-31", "date"),
                       ("/api/v1/reports/register?from=0001-01-01&to=2026-11-23", "from"),
                       ("/api/v1/reports/ikm?date=2015-02-30", "date")):
        r = client.get(url, headers=tokens["kepala"])
        assert r.status_code == 422 and r.json["error"]["details"]["field"] == field, (url, r.json)
    r = client.post("/api/v1/ikm", json={"answers": [1.5] * 9}, headers=tokens["kiosk"])
    assert r.status_code == 422  # never stored as 1
    assert client.post("/api/v1/ikm", json={"answers": [3] * 9}, headers=tokens["kiosk"]).status_code == 201
    r = client.get("/api/v1/events", headers={**tokens["display"], "Last-Event-ID": "9" * 30})
    assert r.status_code == 422 and r.json["error"]["details"]["field"] == "Last-Event-ID"
    assert client.get("/api/v1/tickets/99999999999999999999", headers=tokens["operator"]).status_code == 404


def test_low_items_answers_photos_usernames_and_the_signature(client, tokens, app):
    # issue 16 item 17
    t = client.post("/api/v1/tickets", headers=tokens["kiosk"],
                    json={"service": "KIA", "answers": {**KIA_7Y, "catatan_bebas": "x" * 5000}})
    assert t.status_code == 201
    stored = client.get(f"/api/v1/tickets/{t.json['id']}", headers=tokens["operator"]).json
    assert "catatan_bebas" not in stored["answers"]  # unknown keys are not kept
    r = client.post("/api/v1/staff", headers=tokens["admin"],
                    json={"username": "аdmin", "role": "operator", "password": "rahasia-123"})  # Cyrillic а
    assert r.status_code == 422 and r.json["error"]["code"] == "invalid_username"
    # the admin may not give the TTE (the office file does not allow it)
    client.post("/api/v1/counters/1/call-next", json={}, headers=tokens["operator"])
    app_ = client.post(f"/api/v1/tickets/{t.json['id']}/applications", headers=tokens["operator"],
                       json={"service": "KIA", "applicant": {"name": "Rizky", "birth_date": "2023-01-10"},
                             "answers": {"birth_date": "2023-01-10", "reason": "baru"}}).json
    codes = [i["code"] for i in app_["checklist"]["items"]]
    client.post(f"/api/v1/applications/{app_['id']}/verify", json={"present": codes}, headers=tokens["operator"])
    r = client.post(f"/api/v1/applications/{app_['id']}/steps/verifikasi/complete", json={"outcome": "done"},
                    headers=tokens["verifikator"])
    assert r.json["step"] == "tte"
    r = client.post(f"/api/v1/applications/{app_['id']}/steps/tte/complete", json={"outcome": "done"},
                    headers=tokens["admin"])
    assert r.status_code == 403 and r.json["error"]["code"] == "signature_not_admin"
    assert client.post(f"/api/v1/applications/{app_['id']}/steps/tte/complete", json={"outcome": "done"},
                       headers=tokens["pejabat_tte"]).status_code == 200


def test_a_closed_berkas_keeps_its_photo(client, tokens):
    import io as _io

    from PIL import Image
    t = issue(client, tokens).json
    client.post("/api/v1/counters/1/call-next", json={}, headers=tokens["operator"])
    app_ = client.post(f"/api/v1/tickets/{t['id']}/applications", headers=tokens["operator"],
                       json={"service": "KIA", "answers": {"reason": "baru"},
                             "applicant": {"name": "Ayu", "birth_date": "2019-06-01"}}).json
    assert client.post(f"/api/v1/applications/{app_['id']}/verify", json={"present": []},
                       headers=tokens["operator"]).json["state"] == "returned"
    buf = _io.BytesIO()
    Image.new("RGB", (30, 40)).save(buf, "JPEG")
    r = client.put(f"/api/v1/applications/{app_['id']}/photo", data=buf.getvalue(),
                   headers={**tokens["operator"], "Content-Type": "image/jpeg"})
    assert r.status_code == 409 and r.json["error"]["code"] == "application_closed"


def test_the_api_docs_work_offline_and_ignore_the_host_header(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "cdn." not in html and "https://" not in html.split("<body")[0]  # no third-party script
    for name in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"):
        assert f"/api/v1/docs-assets/{name}" in html
        asset = client.get(f"/api/v1/docs-assets/{name}")
        assert asset.status_code == 200 and len(asset.data) > 1000
    assert client.get("/api/v1/docs-assets/index.html").status_code == 404
    spec = client.get("/api/v1/openapi.json", headers={"Host": "evil.example"}).json
    assert spec["servers"] == [{"url": "/", "description": "this Loket server"}]
