"""Applications from home (issue 13, SOP 001) through the Flask test client: the
contract of ``POST /api/v1/online-applications``, hostile uploads refused with nothing
stored, the verification (return with notes, re-upload, accept), printing, the batch to
the UPTD with its confirmation, the hand-over there, and the retention of the files."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from queue_server.db.models import AuditLog, Application, KartuKendali, Upload, db
from online_kit import (APPLICANT, document_jpeg, document_pdf, document_png, elf_renamed, files,
                        form, pdf_with_javascript, png_bomb, stored_files, submit)
from online_kit import app, offices_dir  # noqa: F401  (fixtures: the Pekanbaru SOP 001 offices)
from server_kit import KIA_CARD, login_tokens

#: every test here runs on SQLite and on PostgreSQL (issue 17)
ENGINES = ("sqlite", "postgresql")


@pytest.fixture
def data_dir(app):
    return app.config["DATA_DIR"]


@pytest.fixture
def dinas(app):
    return login_tokens(app, office="pekanbaru", prefix="d")


@pytest.fixture
def uptd(app):
    return login_tokens(app, office="pekanbaru-sukajadi", prefix="s")


def _nothing_stored(data_dir):
    assert stored_files(data_dir) == []
    with db.connection_context():
        assert Application.select().count() == 0 and Upload.select().count() == 0


def _queue(client, tokens, step="verifikasi_online"):
    r = client.get(f"/api/v1/work-queue/{step}", headers=tokens["verifikator"])
    assert r.status_code == 200, r.json
    return r.json["items"]


def test_apply_return_reupload_accept_print_batch_receive_and_hand_over_at_the_uptd(app, client, dinas, uptd,
                                                                                    clock, data_dir):
    r = submit(client)
    assert r.status_code == 201, r.json
    body = r.json
    code = body["application_code"]
    assert body["status_url"].endswith(f"/s/{code}") and body["receipt_url"].endswith(f"/s/{code}/resi")
    # two files stored, under random names, nothing else in the folder
    names = [p.name for p in stored_files(data_dir)]
    assert len(names) == 2 and not any("kk" in n or "akta" in n for n in names)
    # the public status: no personal data
    pub = client.get(f"/api/v1/online-applications/{code}").json
    assert pub["step"] == "verifikasi_online" and pub["channel"] == "online"
    text = str(pub)
    assert APPLICANT["nik"] not in text and APPLICANT["name"] not in text and APPLICANT["phone"] not in text
    assert pub["applicant"] == "P**** R********"
    assert {d["code"] for d in pub["online"]["documents"]} == {"akta_kelahiran", "kk"}  # 3 years: no photo (variant 1)

    (item,) = _queue(client, dinas)
    assert item["code"] == code and item["channel"] == "online" and item["pickup_office"] == "pekanbaru-sukajadi"
    full = client.get(f"/api/v1/applications/{item['id']}", headers=dinas["verifikator"]).json
    assert full["applicant"]["nik"] == APPLICANT["nik"] and full["parent_name"] == "Siti Rahma"
    assert full["card_data"] == {"birth_place": "Pekanbaru", "kk_number": APPLICANT["kk_number"]}
    assert full["nik_check"]["valid"] is True
    ups = {u["requirement"]: u for u in full["uploads"]}
    assert ups["kk"]["kind"] == "image" and ups["akta_kelahiran"]["kind"] == "pdf" and ups["akta_kelahiran"]["pages"] == 1

    # the files: staff only, never cached; the photo re-encoded without its EXIF (no GPS)
    assert client.get(f"/api/v1/uploads/{ups['kk']['id']}").status_code == 401
    assert client.get(f"/api/v1/uploads/{ups['kk']['id']}", headers=uptd["verifikator"]).status_code == 403
    got = client.get(f"/api/v1/uploads/{ups['kk']['id']}", headers=dinas["verifikator"])
    assert got.status_code == 200 and got.mimetype == "image/jpeg"
    assert got.headers["Cache-Control"] == "no-store" and got.headers["X-Content-Type-Options"] == "nosniff"
    with Image.open(io.BytesIO(got.data)) as im:
        assert im.size == (1600, 1100) and not im.getexif() and "exif" not in im.info
    page = client.get(f"/api/v1/uploads/{ups['akta_kelahiran']['id']}/pages/1?width=600", headers=dinas["verifikator"])
    assert page.status_code == 200 and page.mimetype == "image/png"
    with Image.open(io.BytesIO(page.data)) as im:
        assert im.width == 600
    assert client.get(f"/api/v1/uploads/{ups['akta_kelahiran']['id']}/pages/2",
                      headers=dinas["verifikator"]).status_code == 404

    # return with notes: out of the work queue, the notes on the public status
    vid = item["id"]
    r = client.post(f"/api/v1/applications/{vid}/online-verification", headers=dinas["verifikator"],
                    json={"outcome": "return", "present": ["akta_kelahiran"], "notes": "Foto KK buram, unggah ulang."})
    assert r.status_code == 200, r.json
    assert r.json["awaiting_citizen"] is True and _queue(client, dinas) == []
    pub = client.get(f"/api/v1/online-applications/{code}").json
    assert pub["online"]["awaiting_upload"] is True and pub["online"]["notes"] == "Foto KK buram, unggah ulang."
    assert pub["online"]["missing"] == ["kk"] and "unggah ulang" in pub["text"]
    # the officer cannot accept what waits for the citizen
    assert client.post(f"/api/v1/applications/{vid}/online-verification", headers=dinas["verifikator"],
                       json={"outcome": "accept", "present": ["kk", "akta_kelahiran"]}).status_code == 409

    clock.advance(3600)
    r = client.post(f"/api/v1/online-applications/{code}/documents", data=files(kk=document_png("KK BARU")),
                    content_type="multipart/form-data")
    assert r.status_code == 200, r.json
    assert r.json["awaiting_upload"] is False
    assert len(stored_files(data_dir)) == 2  # the replaced KK's file is gone at once
    with db.connection_context():
        old = Upload.get((Upload.requirement == "kk") & Upload.replaced_at.is_null(False))
        assert old.delete_reason == "replaced" and old.stored_name == ""
    assert [i["code"] for i in _queue(client, dinas)] == [code]
    # a second re-upload is refused: the officer did not ask again
    assert client.post(f"/api/v1/online-applications/{code}/documents", data=files(kk=document_png()),
                       content_type="multipart/form-data").status_code == 409

    # accept: every document ticked, the SIAK reference recorded
    incomplete = client.post(f"/api/v1/applications/{vid}/online-verification", headers=dinas["verifikator"],
                             json={"outcome": "accept", "present": ["kk"]})
    assert incomplete.status_code == 422 and incomplete.json["error"]["details"]["field"] == "present"
    r = client.post(f"/api/v1/applications/{vid}/online-verification", headers=dinas["verifikator"],
                    json={"outcome": "accept", "present": ["kk", "akta_kelahiran"], "siak_reference": "SIAK-77"})
    assert r.status_code == 200, r.json
    assert r.json["step"] == "cetak" and r.json["siak_reference"] == "SIAK-77"

    # print (the ordinary card_print step), then the batch to the UPTD
    app_json = r.json
    r = client.post(f"/api/v1/applications/{vid}/steps/cetak/complete", headers=dinas["petugas_cetak"],
                    json={"outcome": "done", "card_serial": "KIA-0001", "card": KIA_CARD})
    assert r.status_code == 200, r.json
    assert r.json["step"] == "pengelompokan"
    # the grouping step is done by a batch, never one by one
    assert client.post(f"/api/v1/applications/{vid}/steps/pengelompokan/complete",
                       headers=dinas["petugas_distribusi"], json={"outcome": "done"}).status_code == 409
    groups = client.get("/api/v1/distribution/pending", headers=dinas["petugas_distribusi"]).json["groups"]
    assert [(g["pickup_office"], g["count"]) for g in groups] == [("pekanbaru-sukajadi", 1)]
    assert client.post("/api/v1/distribution-batches", headers=dinas["petugas_distribusi"],
                       json={"pickup_office": "pekanbaru"}).status_code == 409  # nothing for the Dinas itself
    r = client.post("/api/v1/distribution-batches", headers=dinas["petugas_distribusi"],
                    json={"pickup_office": "pekanbaru-sukajadi"})
    assert r.status_code == 201, r.json
    batch = r.json
    assert batch["code"].startswith("KRM-20261123-") and batch["count"] == 1 and batch["received_at"] is None
    pub = client.get(f"/api/v1/online-applications/{code}").json
    assert pub["state"] == "ready_for_pickup" and pub["in_transit"] is True and "dikirim" in pub["text"]
    pdf = client.get(f"/api/v1/distribution-batches/{batch['id']}?format=pdf", headers=uptd["petugas_distribusi"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    from pypdf import PdfReader
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert code in text and batch["code"] in text and "Sukajadi" in text

    # at the UPTD: the hand-over waits for the confirmation that the batch arrived
    found = client.get(f"/api/v1/pickups/{code}", headers=uptd["petugas_distribusi"])
    assert found.status_code == 200
    hand = {"received_by": "Siti Rahma", "relation": "ibu", "identity_checked": True}
    r = client.post(f"/api/v1/applications/{vid}/handover", headers=uptd["petugas_distribusi"], json=hand)
    assert r.status_code == 409 and r.json["error"]["code"] == "batch_not_received"
    assert client.post(f"/api/v1/distribution-batches/{batch['id']}/receive",
                       headers=dinas["petugas_distribusi"], json={}).status_code == 403  # the Dinas cannot confirm
    pending = client.get("/api/v1/distribution-batches?pickup_office=pekanbaru-sukajadi&pending=true",
                         headers=uptd["petugas_distribusi"]).json["batches"]
    assert [b["code"] for b in pending] == [batch["code"]]
    clock.advance(6 * 3600)
    r = client.post(f"/api/v1/distribution-batches/{batch['id']}/receive", headers=uptd["petugas_distribusi"],
                    json={"note": "1 kartu diterima"})
    assert r.status_code == 200 and r.json["received_by"] == "s_petugas_distribusi"
    assert client.post(f"/api/v1/distribution-batches/{batch['id']}/receive", headers=uptd["petugas_distribusi"],
                       json={}).status_code == 409
    r = client.post(f"/api/v1/applications/{vid}/handover", headers=uptd["petugas_distribusi"], json=hand)
    assert r.status_code == 200, r.json
    assert r.json["state"] == "handed_over"

    # the distribution recap now has the "to UPTD" date; the kartu kendali every step
    recap = client.get("/api/v1/reports/distribution?office=pekanbaru&date=2026-11-23",
                       headers=dinas["kepala"]).json
    rows = [row for g in recap["groups"] for row in g["rows"]] if "groups" in recap else recap["rows"]
    assert any(row.get("handed_to_uptd_on") == "2026-11-23" for row in rows), recap
    full = client.get(f"/api/v1/applications/{vid}", headers=dinas["kepala"]).json
    assert [(k["step"], k["outcome"]) for k in full["kartu_kendali"]] == [
        ("verifikasi_online", "returned"), ("verifikasi_online", "done"), ("cetak", "done"),
        ("pengelompokan", "done"), ("penyerahan", "done")]
    assert all(k["mutu_baku_seconds"] for k in full["kartu_kendali"])
    with db.connection_context():
        actions = [a for (a,) in AuditLog.select(AuditLog.action).where(AuditLog.target.in_([code, batch["code"]]))
                   .order_by(AuditLog.id).tuples()]
    assert actions[:3] == ["application.online_submit", "application.online_return", "application.online_reupload"]
    assert {"application.online_accept", "distribution.batch_create", "distribution.batch_receive",
            "application.handover"} <= set(actions)
    assert app_json["version"] >= 1


def test_a_missing_document_is_named_and_nothing_is_stored(client, data_dir):
    r = submit(client, docs={"kk": document_jpeg()})
    assert r.status_code == 422
    assert r.json["error"]["code"] == "document_missing" and r.json["error"]["details"]["field"] == "files.akta_kelahiran"
    _nothing_stored(data_dir)


def test_a_child_of_five_or_more_also_uploads_the_photo(client, data_dir):
    older = {**APPLICANT, "nik": "1471011506150003", "birth_date": "2015-06-15"}
    r = submit(client, applicant=older, answers={"birth_date": "2015-06-15"})
    assert r.status_code == 422 and r.json["error"]["details"]["field"] == "files.pas_foto"
    r = submit(client, applicant=older, answers={"birth_date": "2015-06-15"},
               docs={"kk": document_jpeg(), "akta_kelahiran": document_pdf(), "pas_foto": document_jpeg("FOTO", (600, 900))})
    assert r.status_code == 201, r.json


HOSTILE = {
    "renamed executable": ({"kk": elf_renamed()}, "file_type"),
    "PNG declaring 40000 x 40000 pixels": ({"kk": png_bomb()}, "image_too_large"),
    "PDF running JavaScript": ({"akta_kelahiran": pdf_with_javascript()}, "pdf_active_content"),
    "0 bytes": ({"kk": b""}, "file_empty"),
    "truncated JPEG": ({"kk": document_jpeg()[:2000]}, "image_broken"),
    "not a requirement": ({"surat_sakti": document_jpeg()}, "unknown_document"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_uploads_are_refused_naming_the_part_with_nothing_stored(client, data_dir, name):
    bad, code = HOSTILE[name]
    docs = {"kk": document_jpeg(), "akta_kelahiran": document_pdf(), **bad}
    r = submit(client, docs=docs)
    assert r.status_code == 422, r.json
    err = r.json["error"]
    assert err["code"] == code and err["details"]["field"] == f"files.{next(iter(bad))}"
    assert err["message"] and err["message_en"]
    _nothing_stored(data_dir)


def test_fifty_megabytes_and_two_hundred_parts_are_refused_before_anything_is_stored(client, data_dir):
    big = b"%PDF-1.4\n" + b"0" * (50 * 1000 * 1000)
    r = submit(client, docs={"kk": document_jpeg(), "akta_kelahiran": big})
    assert r.status_code in (413, 422) and r.json["error"]["details"]["field"] in ("files", "files.akta_kelahiran")
    six = b"%PDF-1.4\n" + b"0" * (6 * 1000 * 1000)  # over the 5 MB per file, under the request's cap
    r = submit(client, docs={"kk": document_jpeg(), "akta_kelahiran": six})
    assert r.status_code == 422 and r.json["error"]["code"] == "file_too_large"
    assert r.json["error"]["details"]["field"] == "files.akta_kelahiran"
    many = {f"doc{i}": (io.BytesIO(b"x"), f"{i}.jpg") for i in range(200)}
    r = client.post("/api/v1/online-applications", data={**form(), **many}, content_type="multipart/form-data")
    assert r.status_code == 413 and r.json["error"]["details"]["field"] == "files"
    _nothing_stored(data_dir)


def test_bad_applicant_data_is_named(client, data_dir):
    for change, field in (({"kk_number": "1234"}, "applicant.kk_number"), ({"nik": "123"}, "applicant.nik"),
                          ({"parent_name": ""}, "applicant.parent_name"), ({"phone": "", "email": ""}, "applicant.phone"),
                          ({"kecamatan_code": "64.01.04"}, "applicant.kecamatan_code"),
                          ({"religion": "x"}, "applicant.religion")):
        r = submit(client, applicant={**APPLICANT, **change})
        assert r.status_code == 422 and r.json["error"]["details"]["field"] == field, (change, r.json)
    r = submit(client, pickup_office="paser")
    assert r.status_code == 422 and r.json["error"]["details"]["field"] == "pickup_office"
    r = submit(client, service="AMBIL")
    assert r.status_code == 404 and r.json["error"]["details"]["field"] == "service"
    r = client.post("/api/v1/online-applications", data={**form(), "applicant": "{not json"},
                    content_type="multipart/form-data")
    assert r.status_code == 422 and r.json["error"]["details"]["field"] == "applicant"
    _nothing_stored(data_dir)


def test_a_repeated_submit_answers_the_same_application(client, data_dir):
    key = "k" * 24
    first = submit(client, key=key)
    again = submit(client, key=key)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json["application_code"] == again.json["application_code"]
    assert len(stored_files(data_dir)) == 2  # the repeat's files were not kept
    # the same child again without the key: refused without telling the earlier code
    r = submit(client)
    assert r.status_code == 409 and r.json["error"]["code"] == "duplicate_application"
    assert first.json["application_code"] not in str(r.json)


def test_uploads_are_deleted_after_the_retention_period_and_the_record_stays(make_app, offices_dir, clock):
    path = offices_dir / "pekanbaru.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n[online]\nretention_days = 30\n", encoding="utf-8")
    app = make_app(LOKET_ONLINE_ADDRESS_LIMIT="1000 per hour", RETENTION_SWEEP_SECONDS=0)
    client = app.test_client()
    dinas = login_tokens(app, office="pekanbaru", prefix="d")
    code = submit(client).json["application_code"]
    (item,) = _queue(client, dinas)
    assert client.post(f"/api/v1/applications/{item['id']}/online-verification", headers=dinas["verifikator"],
                       json={"outcome": "accept", "present": ["kk", "akta_kelahiran"]}).status_code == 200
    client.post(f"/api/v1/applications/{item['id']}/steps/cetak/complete", headers=dinas["petugas_cetak"],
                json={"outcome": "done", "card_serial": "S1", "card": KIA_CARD})
    batch = client.post("/api/v1/distribution-batches", headers=dinas["petugas_distribusi"],
                        json={"pickup_office": "pekanbaru-sukajadi"}).json
    uptd = login_tokens(app, office="pekanbaru-sukajadi", prefix="s")
    client.post(f"/api/v1/distribution-batches/{batch['id']}/receive", headers=uptd["petugas_distribusi"], json={})
    assert client.post(f"/api/v1/applications/{item['id']}/handover", headers=uptd["petugas_distribusi"],
                       json={"received_by": "Siti", "relation": "ibu", "identity_checked": True}).status_code == 200
    data_dir = app.config["DATA_DIR"]
    clock.advance(29 * 86400)
    client.get("/api/v1/health")
    assert len(stored_files(data_dir)) == 2  # 29 days: kept
    clock.advance(2 * 86400)
    client.get("/api/v1/health")
    assert stored_files(data_dir) == []
    with db.connection_context():
        ups = list(Upload.select())
        assert len(ups) == 2 and all(u.deleted_at and u.delete_reason == "retention" for u in ups)
        row = AuditLog.get(AuditLog.action == "upload.delete")
        assert row.target == code and row.details["files"] == 2 and row.actor == "system"
        assert Application.get(Application.code == code).state == "handed_over"
        assert KartuKendali.select().count() >= 4
    dinas = login_tokens(app, office="pekanbaru", prefix="d2", now=clock.now())  # a month later: a new session
    full = client.get(f"/api/v1/applications/{item['id']}", headers=dinas["kepala"]).json
    assert all(u["deleted"] for u in full["uploads"])
    up = client.get(f"/api/v1/uploads/{full['uploads'][0]['id']}", headers=dinas["verifikator"])
    assert up.status_code == 404 and up.json["error"]["code"] == "upload_deleted"


def test_an_orphan_file_is_swept(app, data_dir):
    import os
    import time

    from queue_server.uploads import CheckedFile, sweep_orphans
    store = app.extensions["loket_uploads"]
    name = store.put(CheckedFile(data=b"x", kind="image", content_type="image/jpeg"))
    with app.app_context(), db.connection_context():
        assert sweep_orphans(store) == 0  # young: a submit may be committing it
        old = time.time() - 7200
        os.utime(store.path(name), (old, old))
        assert sweep_orphans(store) == 1
    assert stored_files(data_dir) == []


def test_the_citizen_is_told_received_returned_accepted_and_ready_at_the_uptd_only_once_it_arrived(
        make_app, offices_dir, clock):
    from queue_server.db.models import Message
    from queue_server.notify.channels import FakeChannel
    path = offices_dir / "pekanbaru.toml"
    path.write_text(path.read_text(encoding="utf-8") + '\n[notifications]\nchannels = ["whatsapp"]\n\n'
                    '[notifications.whatsapp]\nphone_number_id = "1234567890"\n', encoding="utf-8")
    app = make_app(LOKET_ONLINE_ADDRESS_LIMIT="1000 per hour", NOTIFY_DRIVERS={"whatsapp": FakeChannel("whatsapp")})
    client = app.test_client()
    dinas = login_tokens(app, office="pekanbaru", prefix="d")
    uptd = login_tokens(app, office="pekanbaru-sukajadi", prefix="s")
    code = submit(client, applicant={**APPLICANT, "notify": True}).json["application_code"]

    def kinds():
        with db.connection_context():
            return [(m.kind, m.recipient) for m in Message.select().order_by(Message.id)]
    assert kinds() == [("online_received", "+6281234567890")]
    (item,) = _queue(client, dinas)
    client.post(f"/api/v1/applications/{item['id']}/online-verification", headers=dinas["verifikator"],
                json={"outcome": "return", "present": [], "notes": "KK dan akta buram."})
    client.post(f"/api/v1/online-applications/{code}/documents", data=files(kk=document_png(), akta_kelahiran=document_pdf()),
                content_type="multipart/form-data")
    client.post(f"/api/v1/applications/{item['id']}/online-verification", headers=dinas["verifikator"],
                json={"outcome": "accept", "present": ["kk", "akta_kelahiran"]})
    client.post(f"/api/v1/applications/{item['id']}/steps/cetak/complete", headers=dinas["petugas_cetak"],
                json={"outcome": "done", "card_serial": "S9", "card": KIA_CARD})
    batch = client.post("/api/v1/distribution-batches", headers=dinas["petugas_distribusi"],
                        json={"pickup_office": "pekanbaru-sukajadi"}).json
    assert [k for k, _ in kinds()] == ["online_received", "online_returned", "online_accepted"]  # not "ready" yet
    with db.connection_context():
        returned = Message.get(Message.kind == "online_returned")
        assert "KK dan akta buram." in returned.text and APPLICANT["nik"] not in returned.text
    client.post(f"/api/v1/distribution-batches/{batch['id']}/receive", headers=uptd["petugas_distribusi"], json={})
    assert [k for k, _ in kinds()] == ["online_received", "online_returned", "online_accepted", "card_ready"]
    with db.connection_context():
        assert "UPTD Disdukcapil Kecamatan Sukajadi" in Message.get(Message.kind == "card_ready").text


def test_a_return_nobody_answers_is_cancelled_after_the_period_and_its_files_deleted(make_app, offices_dir, clock):
    app = make_app(LOKET_ONLINE_ADDRESS_LIMIT="1000 per hour", RETENTION_SWEEP_SECONDS=0)
    client = app.test_client()
    dinas = login_tokens(app, office="pekanbaru", prefix="d")
    code = submit(client).json["application_code"]
    (item,) = _queue(client, dinas)
    client.post(f"/api/v1/applications/{item['id']}/online-verification", headers=dinas["verifikator"],
                json={"outcome": "return", "present": [], "notes": "Semua buram."})
    clock.advance(29 * 86400)
    client.get("/api/v1/health")
    assert client.get(f"/api/v1/online-applications/{code}").json["online"]["awaiting_upload"] is True
    assert len(stored_files(app.config["DATA_DIR"])) == 2
    clock.advance(2 * 86400)  # 31 days after the return (default retention 30 days)
    client.get("/api/v1/health")
    status = client.get(f"/api/v1/online-applications/{code}").json
    assert status["state"] == "cancelled" and status["text"] == "dibatalkan"
    assert stored_files(app.config["DATA_DIR"]) == []
    with db.connection_context():
        assert AuditLog.get(AuditLog.action == "application.online_expired").target == code
        assert {u.delete_reason for u in Upload.select()} == {"retention"}
    r = client.post(f"/api/v1/online-applications/{code}/documents", data=files(kk=document_png()),
                    content_type="multipart/form-data")
    assert r.status_code == 409
