"""Who may read the reports, input validation and the one error shape."""
from __future__ import annotations

import pytest

ENDPOINTS = ["/api/v1/reports/daily", "/api/v1/reports/distribution", "/api/v1/reports/register",
             "/api/v1/reports/staffing"]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_roles(client, tokens, path):
    assert client.get(path).status_code == 401
    for who in ("kepala", "admin", "admin_all"):
        assert client.get(path, headers=tokens[who]).status_code == 200, who
    for who in ("operator", "verifikator", "petugas_cetak", "petugas_distribusi", "kiosk", "display"):
        r = client.get(path, headers=tokens[who])
        assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden", who
    other = client.get(path + "?office=paser", headers=tokens["kepala_uptd"])
    assert other.status_code == 403 and other.get_json()["error"]["code"] == "wrong_office"
    own = client.get(path, headers=tokens["kepala_uptd"])  # no office: the caller's own (the UPTD)
    assert own.status_code == 200
    assert client.get(path + "?office=paser-tanah-grogot", headers=tokens["admin_all"]).status_code == 200


def test_the_uptd_head_reads_the_own_office(client, tokens):
    data = client.get("/api/v1/reports/daily?date=2026-11-23", headers=tokens["kepala_uptd"]).get_json()
    assert data["office"] == "paser-tanah-grogot"


@pytest.mark.parametrize("query, field", [("date=23-11-2026", "date"), ("date=2026-02-30", None),
                                          ("format=docx", "format"), ("lang=fr", "lang"), ("office=", "office")])
def test_invalid_daily_input(client, tokens, query, field):
    r = client.get(f"/api/v1/reports/daily?{query}", headers=tokens["kepala"])
    assert r.status_code == 422
    err = r.get_json()["error"]
    assert set(err) == {"code", "message", "message_en", "details"}
    if field:
        assert err["code"] == "validation_error" and field in err["details"]["fields"]
    else:
        assert err["code"] == "invalid_date"


def test_invalid_ranges_and_targets(client, tokens):
    h = tokens["kepala"]
    r = client.get("/api/v1/reports/register?from=2026-11-30&to=2026-11-01", headers=h)
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "invalid_range"
    r = client.get("/api/v1/reports/distribution?from=2024-01-01&to=2026-11-01", headers=h)
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "range_too_long"
    assert client.get("/api/v1/reports/staffing?target_wait_minutes=0", headers=h).status_code == 422
    assert client.get("/api/v1/reports/staffing?target_wait_minutes=abc", headers=h).status_code == 422
    r = client.get("/api/v1/reports/daily?office=nowhere", headers=h)
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "unknown_office"


def test_ikm_report_of_v1_still_answers(client, tokens, day):
    r = client.get("/api/v1/reports/ikm?date=2026-11-23", headers=tokens["kepala"])
    assert r.status_code == 200 and r.get_json()["category"] == "B"


def test_reports_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/api/v1/reports/daily", "/api/v1/reports/staffing", "/api/v1/reports/ikm"} <= set(paths)
