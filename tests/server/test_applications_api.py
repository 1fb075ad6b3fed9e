"""Applications (berkas) through the API: the KIA SOP end to end with the kartu
kendali, an incomplete file returned, a verifier's return, IKD, hand-over at a UPTD."""
from __future__ import annotations

import io

from PIL import Image
from server_kit import KIA_CARD, issue

from queue_server.db.models import KartuKendali, RegisterEntry, db

CHILD = {"name": "Muhammad Al-Fatih Ramadhan", "nik": "6401011506190002", "birth_date": "2019-06-15",
         "phone": "081234567890", "kecamatan_code": "64.01.01"}

#: every test here runs on SQLite and on PostgreSQL (issue 17)
ENGINES = ("sqlite", "postgresql")


def jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (300, 400), (200, 30, 30)).save(buf, "JPEG")
    return buf.getvalue()


def serve_kia(client, tokens, clock, applicant=CHILD, **extra):
    t = issue(client, tokens, answers={"birth_date": applicant["birth_date"], "reason": "baru"}).json
    called = client.post("/api/v1/counters/1/call-next", json={}, headers=tokens["operator"]).json
    assert called["number"] == t["number"]
    clock.advance(60)
    r = client.post(f"/api/v1/tickets/{t['id']}/applications",
                    json={"service": "KIA", "answers": {"reason": "baru"}, "applicant": applicant, **extra},
                    headers=tokens["operator"])
    assert r.status_code == 201, r.json
    return t, r.json


def complete(client, tokens, role, app, step, **body):
    body.setdefault("outcome", "done")
    return client.post(f"/api/v1/applications/{app['id']}/steps/{step}/complete", json=body, headers=tokens[role])


def test_kia_for_a_seven_year_old_through_every_sop_step(client, tokens, clock):
    t, app = serve_kia(client, tokens, clock)
    assert app["step"] == "penerimaan" and app["state"] == "at_step"
    codes = [i["code"] for i in app["checklist"]["items"]]
    assert "pas_foto" in codes
    clock.advance(120)
    r = client.post(f"/api/v1/applications/{app['id']}/verify",
                    json={"present": codes, "siak_reference": "SIAK-2026-000123"}, headers=tokens["operator"])
    assert r.status_code == 200 and r.json["step"] == "foto", r.json
    put = client.put(f"/api/v1/applications/{app['id']}/photo", data=jpeg(),
                     headers={**tokens["operator"], "Content-Type": "image/jpeg"})
    assert put.status_code == 201 and put.json["width"] == 300
    clock.advance(200)
    assert complete(client, tokens, "operator", app, "foto").json["step"] == "unggah_foto"  # SOP 003 row 5
    assert complete(client, tokens, "operator", app, "unggah_foto").json["step"] == "verifikasi"
    client.post("/api/v1/counters/1/finish", json={}, headers=tokens["operator"])
    # back office: the verifier sees the file in the work queue with its age against the mutu baku
    clock.advance(600)
    work = client.get("/api/v1/work-queue/verifikasi", headers=tokens["verifikator"]).json["items"]
    assert [w["code"] for w in work] == [app["code"]]
    assert work[0]["late"] is True and work[0]["mutu_baku_seconds"] == 300
    assert client.post(f"/api/v1/applications/{app['id']}/steps/verifikasi/start",
                       headers=tokens["verifikator"]).status_code == 200
    clock.advance(240)
    assert complete(client, tokens, "verifikator", app, "verifikasi").json["step"] == "tte"
    assert complete(client, tokens, "operator", app, "tte").status_code == 403  # not the TTE official
    clock.advance(100)
    assert complete(client, tokens, "pejabat_tte", app, "tte").json["step"] == "cetak"
    assert complete(client, tokens, "petugas_cetak", app, "cetak").status_code == 422  # serial required
    assert complete(client, tokens, "petugas_cetak", app, "cetak", card_serial="KIA-000777",
                    card=KIA_CARD).json["step"] == "register"
    r = complete(client, tokens, "petugas_cetak", app, "register")
    assert r.json["state"] == "ready_for_pickup" and r.json["step"] == "penyerahan"
    status = client.get(f"/api/v1/status/{app['code']}").json
    assert status["text"] == "siap diambil di loket 5"
    assert "Muhammad" not in str(status)
    found = client.get(f"/api/v1/pickups/{app['code'].lower()}", headers=tokens["operator"])
    assert found.status_code == 200
    bad = client.post(f"/api/v1/applications/{app['id']}/handover",
                      json={"received_by": "Siti Aminah", "relation": "ibu", "identity_checked": False},
                      headers=tokens["operator"])
    assert bad.status_code == 422
    # SOP 000 hands the KIA over by the petugas pelayanan (the office file's role), not the KK's loket distribusi
    assert client.post(f"/api/v1/applications/{app['id']}/handover",
                       json={"received_by": "Siti Aminah", "relation": "ibu", "identity_checked": True},
                       headers=tokens["petugas_distribusi"]).status_code == 403
    done = client.post(f"/api/v1/applications/{app['id']}/handover",
                       json={"received_by": "Siti Aminah", "relation": "ibu", "identity_checked": True},
                       headers=tokens["operator"])
    assert done.status_code == 200 and done.json["state"] == "handed_over"
    kk = done.json["kartu_kendali"]
    assert [k["step"] for k in kk] == ["penerimaan", "foto", "unggah_foto", "verifikasi", "tte", "cetak", "register",
                                       "penyerahan"]
    assert all(k["ended_at"] and k["officer"] for k in kk)
    assert kk[3]["late"] is True  # waited 10 minutes at verification (mutu baku 5)
    assert [k["mutu_baku_seconds"] for k in kk][:5] == [180, 300, 300, 300, 180]
    with db.connection_context():
        assert RegisterEntry.select().count() == 1 and RegisterEntry.get().number == 1
        assert KartuKendali.select().where(KartuKendali.ended_at.is_null()).count() == 0
    assert client.get(f"/api/v1/status/{app['code']}").json["state"] == "handed_over"


def test_incomplete_file_is_returned_with_what_is_missing(client, tokens, clock):
    t, app = serve_kia(client, tokens, clock)
    r = client.post(f"/api/v1/applications/{app['id']}/verify", json={"present": ["akta_kelahiran"]},
                    headers=tokens["operator"])
    assert r.status_code == 200
    assert r.json["state"] == "returned"
    missing = {m["code"] for m in r.json["missing"]}
    assert {"kk_orang_tua", "pas_foto"} <= missing and "akta_kelahiran" not in missing
    assert r.json["kartu_kendali"][0]["outcome"] == "returned"
    again = client.post(f"/api/v1/applications/{app['id']}/verify", json={"present": []}, headers=tokens["operator"])
    assert again.status_code == 409


def test_verifier_returns_a_file_to_the_operator(client, tokens, clock):
    child = {**CHILD, "birth_date": "2023-01-10", "nik": ""}
    t, app = serve_kia(client, tokens, clock, child)
    codes = [i["code"] for i in app["checklist"]["items"]]
    assert "pas_foto" not in codes  # under five: no photo (variant 1)
    r = client.post(f"/api/v1/applications/{app['id']}/verify", json={"present": codes}, headers=tokens["operator"])
    assert r.json["step"] == "verifikasi"  # no photo step for variant 1
    assert complete(client, tokens, "verifikator", app, "verifikasi", outcome="returned").status_code == 422
    r = complete(client, tokens, "verifikator", app, "verifikasi", outcome="returned", note="Nama ibu tidak sesuai KK")
    assert r.json["step"] == "penerimaan" and r.json["state"] == "at_step"
    stale = complete(client, tokens, "verifikator", app, "verifikasi")
    assert stale.status_code == 409 and stale.json["error"]["code"] == "not_at_step"


def test_one_visit_carries_several_applications_and_ikd_outcome(client, tokens, clock):
    t = issue(client, tokens, "KK", answers={"reason": "kelahiran"}).json
    client.post("/api/v1/counters/1/call-next", json={}, headers=tokens["operator"])
    kk = client.post(f"/api/v1/tickets/{t['id']}/applications", json={"service": "KK", "applicant": {"name": "Budi"}},
                     headers=tokens["operator"])
    assert kk.status_code == 201 and kk.json["answers"]["reason"] == "kelahiran"
    kia = client.post(f"/api/v1/tickets/{t['id']}/applications",
                      json={"service": "KIA", "answers": {"reason": "baru"}, "applicant": CHILD},
                      headers=tokens["operator"])
    ikd = client.post(f"/api/v1/tickets/{t['id']}/applications",
                      json={"service": "IKD", "answers": {"ktp_el_recorded": True, "age17_or_married": True,
                                                          "has_device_and_email": True},
                            "applicant": {"name": "Budi", "nik": "6401011708850003"}}, headers=tokens["operator"])
    assert kia.status_code == 201 and ikd.status_code == 201
    visit = client.get(f"/api/v1/tickets/{t['id']}", headers=tokens["operator"]).json
    assert [a["service"] for a in visit["applications"]] == ["KK", "KIA", "IKD"]
    ikd_app = ikd.json
    step = ikd_app["step"]
    r = complete(client, tokens, "operator", ikd_app, step)
    assert r.status_code == 200
    last = r.json["step"]
    bad = complete(client, tokens, "operator", r.json, last, ikd_activated=False)
    assert bad.status_code == 422
    r = complete(client, tokens, "operator", r.json, last, ikd_activated=False, reason="HP tidak mendukung")
    assert r.status_code == 200
    assert r.json["outcome_note"] == "IKD tidak teraktivasi: HP tidak mendukung"


def test_invalid_nik_and_phone_are_refused(client, tokens, clock):
    t = issue(client, tokens).json
    client.post("/api/v1/counters/1/call-next", json={}, headers=tokens["operator"])
    r = client.post(f"/api/v1/tickets/{t['id']}/applications",
                    json={"service": "KIA", "answers": {"reason": "baru"},
                          "applicant": {**CHILD, "nik": "3201013202150001"}}, headers=tokens["operator"])
    assert r.status_code == 422 and r.json["error"]["code"] == "invalid_nik"
    assert r.json["error"]["details"]["errors"]
    # issue 11 item 5: the error names the field and what is wrong, not "Data tidak sah."
    assert r.json["error"]["details"]["field"] == "applicant.nik"
    assert r.json["error"]["message"].startswith("NIK: ") and r.json["error"]["message"] != "NIK tidak sah."
    assert r.json["error"]["message"][5:] == r.json["error"]["details"]["errors"][0]["message"]
    r = client.post(f"/api/v1/tickets/{t['id']}/applications",
                    json={"service": "KIA", "answers": {"reason": "baru"}, "applicant": {**CHILD, "phone": "call me"}},
                    headers=tokens["operator"])
    assert r.status_code == 422 and r.json["error"]["code"] == "invalid_phone"
    assert r.json["error"]["details"]["field"] == "applicant.phone" and r.json["error"]["message"].startswith("No. HP")
    r = client.post(f"/api/v1/tickets/{t['id']}/applications",
                    json={"service": "KIA", "applicant": {**CHILD, "nik": "1" * 40}}, headers=tokens["operator"])
    assert r.status_code == 422 and r.json["error"]["message"] == "NIK: NIK harus 16 angka (tertulis 40 angka)."
    r = client.post(f"/api/v1/tickets/{t['id']}/applications", json={"service": "K" * 40},
                    headers=tokens["operator"])  # refused by the request schema: named all the same
    assert r.status_code == 422 and r.json["error"]["details"]["field"] == "service"
    assert r.json["error"]["message"].startswith("Data tidak sah: service (")


def test_handover_at_the_uptd_office(client, tokens, clock):
    t, app = serve_kia(client, tokens, clock, pickup_office="paser-tanah-grogot")
    codes = [i["code"] for i in app["checklist"]["items"]]
    client.post(f"/api/v1/applications/{app['id']}/verify", json={"present": codes}, headers=tokens["operator"])
    refused = complete(client, tokens, "operator", app, "foto")  # the photo step needs the photo
    assert refused.status_code == 422 and refused.json["error"]["code"] == "photo_required"
    assert refused.json["error"]["details"]["field"] == "photo"
    client.put(f"/api/v1/applications/{app['id']}/photo", data=jpeg(), headers={**tokens["operator"],
                                                                                 "Content-Type": "image/jpeg"})
    assert complete(client, tokens, "operator", app, "foto").status_code == 200
    assert complete(client, tokens, "operator", app, "unggah_foto").status_code == 200
    for role, step, extra in [("verifikator", "verifikasi", {}), ("pejabat_tte", "tte", {}),
                              ("petugas_cetak", "cetak", {"card_serial": "S-1", "card": KIA_CARD}), ("petugas_cetak", "register", {})]:
        assert complete(client, tokens, role, app, step, **extra).status_code == 200
    unc = client.get("/api/v1/uncollected", headers=tokens["operator"]).json
    assert unc["items"][0]["phone"] == "081234567890"
    assert unc["by_kecamatan"][0]["kecamatan_code"] == "64.01.01"
    assert client.get("/api/v1/uncollected", headers=tokens["display"]).status_code == 403
    status = client.get(f"/api/v1/status/{app['code']}").json
    assert "Tanah Grogot" in status["text"]
    # the Dinas's officer may not hand over what waits at the UPTD; the UPTD's petugas pelayanan may
    r = client.post(f"/api/v1/applications/{app['id']}/handover",
                    json={"received_by": "Siti", "identity_checked": True}, headers=tokens["operator"])
    assert r.status_code == 403
    from queue_server.auth import create_staff, login
    from server_kit import MONDAY_0900, PASSWORD
    with db.connection_context():
        create_staff("uptd_dist", "operator", PASSWORD, office="paser-tanah-grogot")
        token, _ = login("uptd_dist", PASSWORD, now=MONDAY_0900)
    uptd = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/uncollected?office=paser-tanah-grogot", headers=uptd).json["items"][0]["code"] == app["code"]
    r = client.post(f"/api/v1/applications/{app['id']}/handover",
                    json={"received_by": "Siti", "identity_checked": True}, headers=uptd)
    assert r.status_code == 200 and r.json["state"] == "handed_over"
    bad = client.post(f"/api/v1/tickets/{t['id']}/applications",
                      json={"service": "KIA", "answers": {"reason": "baru"}, "applicant": CHILD,
                            "pickup_office": "nowhere"}, headers=tokens["operator"])
    assert bad.status_code == 422


def test_kk_is_archived_after_hand_over_exactly_once(client, tokens, clock):
    t = issue(client, tokens, "KK", answers={"reason": "kelahiran"}).json
    client.post("/api/v1/counters/1/call-next", json={}, headers=tokens["operator"])
    app = client.post(f"/api/v1/tickets/{t['id']}/applications", json={"service": "KK", "applicant": {"name": "Budi"}},
                      headers=tokens["operator"]).json
    codes = [i["code"] for i in app["checklist"]["items"]]
    app = client.post(f"/api/v1/applications/{app['id']}/verify", json={"present": codes},
                      headers=tokens["operator"]).json
    for role, step in [("operator", "entri_siak"), ("verifikator", "verifikasi"), ("pejabat_tte", "tte"),
                       ("petugas_cetak", "cetak")]:
        extra = {"card_serial": "KK-1"} if step == "cetak" else {}
        r = complete(client, tokens, role, app, step, **extra)
        assert r.status_code == 200, (step, r.json)
    assert r.json["state"] == "ready_for_pickup"
    r = client.post(f"/api/v1/applications/{app['id']}/handover",
                    json={"received_by": "Budi", "identity_checked": True}, headers=tokens["petugas_distribusi"])
    assert r.json["state"] == "handed_over" and r.json["step"] == "arsip"
    queue = client.get("/api/v1/work-queue/arsip", headers=tokens["petugas_cetak"]).json["items"]
    assert [i["id"] for i in queue] == [app["id"]]
    r = complete(client, tokens, "petugas_cetak", app, "arsip")
    assert r.status_code == 200 and r.json["step"] is None and r.json["finished_at"]
    assert client.get("/api/v1/work-queue/arsip", headers=tokens["petugas_cetak"]).json["items"] == []
    again = complete(client, tokens, "petugas_cetak", app, "arsip")
    assert again.status_code == 409
    assert [k["step"] for k in r.json["kartu_kendali"]].count("arsip") == 1


def test_the_promised_date_counts_working_days_from_the_application_date(make_app, offices_dir, clock):
    """Issue 11 item 12: 12 working days from Monday 23 Nov 2026 is Wednesday 9 Dec
    (weekends skipped); the pickup slip prints this date (counter/receipts.py)."""
    path = offices_dir / "default.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('rules = "kia"\n', 'rules = "kia"\ncompletion_days = 12\n', 1), encoding="utf-8")
    app = make_app()
    client = app.test_client()
    from queue_server.auth import create_device_token, create_staff, login
    from server_kit import MONDAY_0900, PASSWORD
    with db.connection_context():
        create_staff("op", "operator", PASSWORD, office="paser")
        token, _ = login("op", PASSWORD, now=MONDAY_0900)
        kiosk = create_device_token("kiosk", "k", office="paser")
    tokens = {"operator": {"Authorization": f"Bearer {token}"}, "kiosk": {"Authorization": f"Bearer {kiosk}"}}
    _, berkas = serve_kia(client, tokens, clock)
    assert berkas["ready_by"] == "2026-12-09"
    clock.advance(7 * 24 * 3600)  # a week later the promise is the same: it counts from the application date
    with db.connection_context():
        token, _ = login("op", PASSWORD, now=clock.now())
    again = client.get(f"/api/v1/applications/{berkas['id']}", headers={"Authorization": f"Bearer {token}"}).json
    assert again["ready_by"] == "2026-12-09"


def test_a_second_open_application_for_the_same_nik_needs_the_officers_confirmation(client, tokens, clock):
    """Issue 11 item 1: the previous citizen's data left in the form made a second open KIA
    for the same child under the next ticket; the server refuses that (409, naming the
    open berkas) unless the officer confirms a new request, which is audited."""
    _, first = serve_kia(client, tokens, clock)
    client.post("/api/v1/counters/1/finish", json={}, headers=tokens["operator"])
    t2 = issue(client, tokens, answers={"birth_date": CHILD["birth_date"], "reason": "baru"}).json
    client.post("/api/v1/counters/1/call-next", json={}, headers=tokens["operator"])
    body = {"service": "KIA", "answers": {"reason": "baru"}, "applicant": CHILD}
    r = client.post(f"/api/v1/tickets/{t2['id']}/applications", json=body, headers=tokens["operator"])
    assert r.status_code == 409 and r.json["error"]["code"] == "duplicate_application"
    assert r.json["error"]["details"] == {"field": "applicant.nik", "existing": first["code"], "step": "penerimaan"}
    assert first["code"] in r.json["error"]["message"]
    with db.connection_context():
        from queue_server.db.models import Application
        assert Application.select().count() == 1  # nothing half-written
    # a confirmed new request (a replacement) is made, and audited with the berkas it repeats
    ok = client.post(f"/api/v1/tickets/{t2['id']}/applications", json={**body, "confirm_duplicate": True},
                     headers=tokens["operator"])
    assert ok.status_code == 201 and ok.json["code"] != first["code"]
    audit = client.get("/api/v1/audit?limit=5", headers=tokens["admin"]).json["entries"]
    entry = next(e for e in audit if e["action"] == "application.create" and e["target"] == ok.json["code"])
    assert entry["details"]["duplicate_of"] == first["code"]


def test_kia_facts_are_taken_on_the_application_date(client, tokens, clock):
    """Issue 11 item 8 (Permendagri 2/2016, age on the application date): filed at 4, a
    child who turns 5 while the berkas runs keeps variant 1 and no photo step; filed at
    16, the card is valid until the day before the 17th birthday even when it is
    printed after it."""
    four = {**CHILD, "nik": "6401012511210001", "birth_date": "2021-11-25"}  # 5 on Wednesday
    _, young = serve_kia(client, tokens, clock, applicant=four)
    assert young["checklist"]["facts"]["kia_variant"] == 1
    codes = [i["code"] for i in young["checklist"]["items"]]
    clock.advance(3 * 24 * 3600)  # Thursday: the child is 5 now
    from queue_server.auth import login
    from server_kit import PASSWORD
    with db.connection_context():
        token, _ = login("u_operator", PASSWORD, now=clock.now())
    op = {"Authorization": f"Bearer {token}"}
    again = client.get(f"/api/v1/applications/{young['id']}", headers=op).json
    assert again["checklist"]["facts"]["kia_variant"] == 1 and again["checklist"]["facts"]["photo_required"] is False
    assert [i["code"] for i in again["checklist"]["items"]] == codes  # no pas foto asked afterwards
    r = client.post(f"/api/v1/applications/{young['id']}/verify", json={"present": codes}, headers=op)
    assert r.status_code == 200 and r.json["step"] == "verifikasi"  # the photo step stays skipped


def test_a_card_filed_at_16_is_valid_until_the_day_before_17():
    from datetime import date

    from queue_server.config import load_office
    from queue_server.domain.requirements import compute_facts
    from server_kit import OFFICES

    kia = load_office(OFFICES / "default.toml").service("KIA")
    answers = {"birth_date": "2010-01-10", "reason": "baru", "never_married": True}
    filed = compute_facts(kia, answers, date(2026, 11, 23))
    assert filed["kia_variant"] == 2 and filed["valid_until"] == date(2027, 1, 9)
    assert compute_facts(kia, answers, date(2026, 11, 23))["valid_until"] < date(2027, 1, 10)


def test_verification_moves_a_berkas_only_from_its_first_step(client, tokens, clock):
    """Issue 11 item 13: `verify` advanced from any step, so one operator could walk a
    file through verifikasi, TTE, cetak and register by repeating it."""
    _, app = serve_kia(client, tokens, clock)
    codes = [i["code"] for i in app["checklist"]["items"]]
    first = client.post(f"/api/v1/applications/{app['id']}/verify", json={"present": codes},
                        headers=tokens["operator"])
    assert first.status_code == 200 and first.json["step"] == "foto"
    again = client.post(f"/api/v1/applications/{app['id']}/verify", json={"present": codes},
                        headers=tokens["operator"])
    assert again.status_code == 409 and again.json["error"]["code"] == "not_at_first_step"
    assert again.json["error"]["details"] == {"step": "foto", "first_step": "penerimaan"}
    now = client.get(f"/api/v1/applications/{app['id']}", headers=tokens["operator"]).json
    assert now["step"] == "foto" and [k["step"] for k in now["kartu_kendali"]] == ["penerimaan", "foto"]


def test_a_berkas_is_opened_only_on_a_ticket_being_served(client, tokens, clock):
    """Issue 11 item 13: an application can only be opened on the visit being served."""
    t = issue(client, tokens, answers={"birth_date": CHILD["birth_date"], "reason": "baru"}).json
    body = {"service": "KIA", "answers": {"reason": "baru"}, "applicant": CHILD}
    waiting = client.post(f"/api/v1/tickets/{t['id']}/applications", json=body, headers=tokens["operator"])
    assert waiting.status_code == 409 and waiting.json["error"]["code"] == "ticket_not_served"
    assert waiting.json["error"]["details"] == {"field": "ticket", "status": "waiting"}
    client.post("/api/v1/counters/1/call-next", json={}, headers=tokens["operator"])
    assert client.post(f"/api/v1/tickets/{t['id']}/applications", json=body,
                       headers=tokens["operator"]).status_code == 201
    client.post("/api/v1/counters/1/finish", json={}, headers=tokens["operator"])
    done = client.post(f"/api/v1/tickets/{t['id']}/applications", json={**body, "confirm_duplicate": True},
                       headers=tokens["operator"])
    assert done.status_code == 409 and done.json["error"]["details"]["status"] == "done"
    with db.connection_context():
        from queue_server.db.models import Application
        assert Application.select().count() == 1


def test_nik_warnings_reach_the_officer_and_never_reject(client, tokens, clock):
    """Issue 11 item 7: a NIK from outside the office's kecamatan and a birth date that
    differs from the documents are warnings (Permendagri 108/2019 Pasal 15(3)), shown
    at the live check and on the berkas; the NIK is still accepted."""
    r = client.post("/api/v1/nik/validate", json={"nik": "3201014512150001", "birth_date": "2015-12-06"})
    assert r.status_code == 200 and r.json["valid"] is True
    codes = [w["code"] for w in r.json["warnings"]]
    assert "nik_region_unknown" in codes and "nik_birth_date_mismatch" in codes
    same = client.post("/api/v1/nik/validate", json={"nik": CHILD["nik"], "birth_date": CHILD["birth_date"]}).json
    assert same["valid"] and same["warnings"] == []
    _, app = serve_kia(client, tokens, clock, applicant={**CHILD, "birth_date": "2019-06-16"})
    assert app["state"] == "at_step"  # accepted
    assert [w["code"] for w in app["nik_check"]["warnings"]] == ["nik_birth_date_mismatch"]
