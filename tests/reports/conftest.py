"""Fixtures for the reports: a fresh app whose data directory holds the office files
(so ``loket report --data-dir`` reads the same data), a fixed clock on Monday
2026-11-23 09:00 WITA, and tokens for every role plus a second operator and the
head of the UPTD office (another office)."""
from __future__ import annotations

import shutil

import pytest

from queue_server.app import create_app
from queue_server.auth import create_device_token, create_staff, login
from queue_server.context import FixedClock
from queue_server.db.models import db
from queue_server.domain import roles

from server_kit import KIA_CARD, MONDAY_0900, OFFICES, PASSWORD


@pytest.fixture(autouse=True)
def fast_password_hash(monkeypatch):
    """scrypt costs ~70 ms a hash; tests make dozens. Production keeps werkzeug's default."""
    import functools

    from werkzeug.security import generate_password_hash

    import queue_server.auth as auth

    monkeypatch.setattr(auth, "generate_password_hash",
                        functools.partial(generate_password_hash, method="pbkdf2:sha256:1000"))


@pytest.fixture
def data_dir(tmp_path):
    d = tmp_path / "data"
    shutil.copytree(OFFICES, d / "offices", ignore=shutil.ignore_patterns("*.md"))
    return d


@pytest.fixture
def clock():
    return FixedClock(MONDAY_0900)


@pytest.fixture
def app(data_dir, clock):
    application = create_app({"DATA_DIR": str(data_dir), "CLOCK": clock, "SSE_HEARTBEAT": 0.5,
                              "SSE_MAX_SECONDS": 5})
    yield application
    application.extensions["loket_broker"].stop()
    if not db.is_closed():
        db.close()


@pytest.fixture
def client(app):
    return app.test_client()


def _bearer(username: str, role: str, office: str | None) -> dict:
    create_staff(username, role, PASSWORD, full_name=f"Petugas {username}", office=office)
    token, _ = login(username, PASSWORD, now=MONDAY_0900)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def tokens(app):
    """Bearer headers: every staff role of office 'paser' (``u_<role>``), ``operator2``,
    ``kepala_uptd`` (kepala of 'paser-tanah-grogot'), ``admin_all`` (no office), devices."""
    out = {}
    with db.connection_context():
        for role in roles.STAFF_ROLES:
            out[role] = _bearer(f"u_{role}", role, "paser")
        out["operator2"] = _bearer("u_operator2", roles.OPERATOR, "paser")
        out["kepala_uptd"] = _bearer("u_kepala_uptd", roles.KEPALA, "paser-tanah-grogot")
        out["admin_all"] = _bearer("u_admin_all", roles.ADMIN, None)
        for role in roles.DEVICE_ROLES:
            out[role] = {"Authorization": f"Bearer {create_device_token(role, f'{role}-1', office='paser')}"}
    return out


CHILD = {"name": "Nur Aisyah Putri", "nik": "6401014106190001", "birth_date": "2019-06-01",
         "phone": "081234567890", "kecamatan_code": "64.01.01"}
OTHER_CHILD = {"name": "Budi Santoso", "nik": "", "birth_date": "2019-06-01", "kecamatan_code": "64.01.02"}


def at(clock, minutes: float) -> None:
    """Set the clock to 09:00 WITA + ``minutes`` on Monday 2026-11-23."""
    clock.set(MONDAY_0900 + minutes * 60)


def _jpeg() -> bytes:
    """A small real JPEG (the photo step needs a stored photo)."""
    import io

    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (300, 400), (200, 30, 30)).save(buf, "JPEG")
    return buf.getvalue()


def ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


@pytest.fixture
def day(client, tokens, clock):
    """A small known day at the default office (times are minutes after 09:00 WITA):

    * 0, 2, 3: KIA tickets A001, A002, A003 issued;
    * 5: loket 1 (u_operator) calls A001 and opens its berkas (penerimaan starts);
      6: loket 2 (u_operator2) calls A002, 7: skips it; 8: A001 verified complete, the
      photo step starts; 9: loket 2 calls A003 and opens a berkas; 13: A003 returned
      incomplete; 14: loket 2 finishes A003; 15: photo done, loket 1 finishes A001;
      16/17 and 18/19: A002 called and skipped again: the third skip is a no-show;
    * back office for A001: verifikasi start 21 end 23; tte start 24 end 25; cetak
      start 26 end 28 (card printed); register 29: ready for pickup (not collected);
    * 30: two IKM answers (all 3, all 4).
    """
    kiosk, op1, op2 = tokens["kiosk"], tokens["operator"], tokens["operator2"]
    answers = {"birth_date": "2019-06-01", "reason": "baru"}
    numbers = []
    for minute in (0, 2, 3):
        at(clock, minute)
        numbers.append(ok(client.post("/api/v1/tickets", json={"service": "KIA", "answers": answers},
                                      headers=kiosk), 201))
    a1, a2, a3 = numbers
    at(clock, 5)
    assert ok(client.post("/api/v1/counters/1/call-next", json={}, headers=op1))["number"] == a1["number"]
    app1 = ok(client.post(f"/api/v1/tickets/{a1['id']}/applications",
                          json={"service": "KIA", "answers": {"reason": "baru"}, "applicant": CHILD}, headers=op1), 201)
    at(clock, 6)
    assert ok(client.post("/api/v1/counters/2/call-next", json={}, headers=op2))["number"] == a2["number"]
    at(clock, 7)
    ok(client.post("/api/v1/counters/2/skip", json={}, headers=op2))
    at(clock, 8)
    codes = [i["code"] for i in app1["checklist"]["items"]]
    assert ok(client.post(f"/api/v1/applications/{app1['id']}/verify", json={"present": codes},
                          headers=op1))["step"] == "foto"
    ok(client.post(f"/api/v1/applications/{app1['id']}/steps/foto/start", headers=op1))
    at(clock, 9)
    assert ok(client.post("/api/v1/counters/2/call-next", json={}, headers=op2))["number"] == a3["number"]
    app3 = ok(client.post(f"/api/v1/tickets/{a3['id']}/applications",
                          json={"service": "KIA", "answers": {"reason": "baru"}, "applicant": OTHER_CHILD},
                          headers=op2), 201)
    at(clock, 13)
    assert ok(client.post(f"/api/v1/applications/{app3['id']}/verify", json={"present": []},
                          headers=op2))["state"] == "returned"
    at(clock, 14)
    ok(client.post("/api/v1/counters/2/finish", json={}, headers=op2))
    at(clock, 15)
    ok(client.put(f"/api/v1/applications/{app1['id']}/photo", data=_jpeg(),
                  headers={**op1, "Content-Type": "image/jpeg"}), 201)
    step = ok(client.post(f"/api/v1/applications/{app1['id']}/steps/foto/complete", json={"outcome": "done"},
                          headers=op1))["step"]
    assert step == "unggah_foto"  # SOP 003 row 5, done at once here
    step = ok(client.post(f"/api/v1/applications/{app1['id']}/steps/unggah_foto/complete", json={"outcome": "done"},
                          headers=op1))["step"]
    assert step == "verifikasi"
    ok(client.post("/api/v1/counters/1/finish", json={}, headers=op1))
    for minute in (16, 18):
        at(clock, minute)
        ok(client.post("/api/v1/counters/2/call", json={"number": a2["number"]}, headers=op2))
        at(clock, minute + 1)
        last = ok(client.post("/api/v1/counters/2/skip", json={}, headers=op2))
    assert last["status"] == "no_show"
    for step, role, start, end, extra in (("verifikasi", "verifikator", 21, 23, {}),
                                          ("tte", "pejabat_tte", 24, 25, {}),
                                          ("cetak", "petugas_cetak", 26, 28, {"card_serial": "KIA-000123", "card": KIA_CARD}),
                                          ("register", "petugas_cetak", None, 29, {})):
        if start is not None:
            at(clock, start)
            ok(client.post(f"/api/v1/applications/{app1['id']}/steps/{step}/start", headers=tokens[role]))
        at(clock, end)
        ok(client.post(f"/api/v1/applications/{app1['id']}/steps/{step}/complete",
                       json={"outcome": "done", **extra}, headers=tokens[role]))
    at(clock, 30)
    for value in (3, 4):
        ok(client.post("/api/v1/ikm", json={"answers": [value] * 9}, headers=kiosk), 201)
    return {"tickets": numbers, "app1": app1, "app3": app3}
