"""The citizen's pages through the Flask client (issue 12 items 1-3, 6 and "Safety"):
the berkas page, the office page, the booking form's CSRF and rate limit, and the
headers every page carries. The real-browser story is tests/web/test_web_phone.py."""
from __future__ import annotations

import re

from queue_server.db.models import Booking, db

from server_kit import KIA_7Y, issue

NIK = "6401045506190003"

#: every test here runs on SQLite and on PostgreSQL (issue 17)
ENGINES = ("sqlite", "postgresql")


def test_a_ticket_page_answers_html_with_the_number_and_no_personal_data(client, tokens):
    t = issue(client, tokens).json
    r = client.get(t["status_url"].replace("http://localhost", ""))
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert f'id="number">{t["number"]}<' in html and "menunggu dipanggil" in html
    assert "Fotokopi akta kelahiran" in html  # the checklist
    assert r.headers["Cache-Control"] == "no-store" and "script-src" not in r.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in r.headers["Content-Security-Policy"] and r.headers["X-Frame-Options"] == "DENY"
    assert '<meta http-equiv="refresh" content="30">' in html  # works without JavaScript
    assert "<script>" not in html  # no inline script (the CSP would refuse it)
    english = client.get(f"/s/{t['code']}?lang=en").get_data(as_text=True)
    assert "Your queue number" in english and "waiting to be called" in english
    missing = client.get("/s/ZZZZ2222")
    assert missing.status_code == 404 and "Kode tidak ditemukan" in missing.get_data(as_text=True)


def test_a_berkas_page_shows_the_steps_the_date_and_the_pickup_office_with_the_name_masked(client, tokens):
    t = issue(client, tokens).json
    client.post("/api/v1/counters/1/call-next", headers=tokens["operator"])
    r = client.post(f"/api/v1/tickets/{t['id']}/applications", headers=tokens["operator"], json={
        "service": "KIA", "answers": KIA_7Y,
        "applicant": {"name": "Siti Aminah", "nik": NIK, "birth_date": "2019-06-15", "phone": "081234567890"}})
    assert r.status_code == 201, r.json
    code = r.json["code"]
    html = client.get(f"/s/{code}").get_data(as_text=True)
    assert "S*** A*****" in html and "Siti" not in html and NIK not in html and "081234567890" not in html
    assert "Riwayat proses" in html and re.search(r"<strong>[^<]+</strong> <small>\d\d:\d\d", html)
    assert "Dijanjikan selesai" in html or "Diambil di" in html
    assert "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Paser" in html and "Senin–Kamis 08:00–15:00" in html
    visit = client.get(f"/s/{t['code']}").get_data(as_text=True)
    assert f"Kunjungan {t['number']}" in visit and code in visit


def test_the_office_page_lists_todays_services_hours_and_complaints(client, tokens):
    for _ in range(3):
        issue(client, tokens)
    html = client.get("/kantor").get_data(as_text=True)
    assert 'id="svc-KIA"' in html and "3 orang menunggu" in html and "Buka sekarang (09:00)" in html
    assert "Senin–Kamis 08:00–15:00" in html and "Sabtu–Minggu tutup" in html
    assert "Kotak saran di ruang tunggu" in html and 'href="/booking/paser"' in html
    assert client.get("/").status_code == 200 and client.get("/kantor/nowhere").status_code == 404


def _form(client, query: str) -> tuple[str, str]:
    html = client.get(f"/booking/paser/KIA?{query}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    return html, token.group(1) if token else ""


def test_the_booking_form_walks_the_questions_and_needs_its_csrf_token(client):
    html, _ = _form(client, "")
    assert 'id="q-birth_date"' in html and 'type="date"' in html
    html, _ = _form(client, "a_birth_date=2019-06-01")
    assert 'id="answer-baru"' in html  # the reason, one question a page
    html, _ = _form(client, "a_birth_date=2000-06-01")
    assert "Belum bisa dipesan" in html
    html, token = _form(client, "a_birth_date=2019-06-01&a_reason=baru&date=2026-11-24")
    assert 'value="08:30"' in html and token
    body = {"a_birth_date": "2019-06-01", "a_reason": "baru", "date": "2026-11-24", "slot": "08:30", "nik": NIK}
    forged = client.post("/booking/paser/KIA", data=body)
    assert forged.status_code == 400 and "Formulir kedaluwarsa" in forged.get_data(as_text=True)
    bad = client.post("/booking/paser/KIA", data={**body, "nik": "123", "csrf_token": token})
    assert bad.status_code == 422 and 'id="error"' in bad.get_data(as_text=True)
    with db.connection_context():
        assert Booking.select().count() == 0
    ok = client.post("/booking/paser/KIA", data={**body, "csrf_token": token})
    assert ok.status_code == 303 and ok.headers["Location"].startswith("/s/")
    page = client.get(ok.headers["Location"]).get_data(as_text=True)
    assert "Bukti antrean online" in page and "6401********0003" in page and NIK not in page
    code = ok.headers["Location"].rsplit("/", 1)[1]
    pdf = client.get(f"/s/{code}/bukti.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert client.get(f"/s/{code}/qr.svg").mimetype == "image/svg+xml"
    cancelled = client.post(f"/s/{code}/batal", data={"csrf_token": token})
    assert cancelled.status_code == 303
    with db.connection_context():
        assert Booking.get(Booking.code == code).status == "cancelled"


def test_a_rate_limited_form_answers_an_indonesian_page(make_app):
    client = make_app(LOKET_BOOKING_ADDRESS_LIMIT="1 per hour").test_client()
    html, token = _form(client, "a_birth_date=2019-06-01&a_reason=baru&date=2026-11-24")
    body = {"a_birth_date": "2019-06-01", "a_reason": "baru", "date": "2026-11-24", "slot": "08:30",
            "nik": NIK, "csrf_token": token}
    assert client.post("/booking/paser/KIA", data=body).status_code == 303
    second = client.post("/booking/paser/KIA", data={**body, "nik": "6401041506190011"})
    assert second.status_code == 429 and "Terlalu banyak permintaan" in second.get_data(as_text=True)
    assert int(second.headers["Retry-After"]) >= 1
