"""The citizen's online application pages (issue 13) through the Flask test client:
the questions, the form with one upload per document, the CSRF token, the receipt and
its PDF (rasterised with pdftoppm), and the re-upload form after a return."""
from __future__ import annotations

import io
import re
import subprocess


from online_kit import APPLICANT, document_jpeg, document_pdf, document_png
from online_kit import app, offices_dir  # noqa: F401  (fixtures: the Pekanbaru SOP 001 offices)
from server_kit import login_tokens

#: every test here runs on SQLite and on PostgreSQL (issue 17)
ENGINES = ("sqlite", "postgresql")


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _form_fields(applicant=APPLICANT) -> dict:
    out = {f"ap_{k}": v for k, v in applicant.items()}
    out["pickup_office"] = "pekanbaru-sukajadi"
    return out


def test_apply_from_the_phone_form_get_the_receipt_and_its_pdf(client, tmp_path):
    home = client.get("/kantor/pekanbaru").get_data(as_text=True)
    assert 'id="apply-online"' in home
    listing = client.get("/online/pekanbaru").get_data(as_text=True)
    assert 'id="svc-KIA"' in listing
    q = client.get("/online/pekanbaru/KIA")
    assert q.status_code == 200 and 'name="a_birth_date"' in q.get_data(as_text=True)
    page = client.get("/online/pekanbaru/KIA?a_birth_date=2023-06-15")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert 'id="file-kk"' in html and 'id="file-akta_kelahiran"' in html and 'id="file-pas_foto"' not in html
    assert 'enctype="multipart/form-data"' in html and "<script>" not in html  # no inline script (CSP)
    key = re.search(r'name="submission_key" value="([^"]+)"', html).group(1)
    body = {**_form_fields(), "a_birth_date": "2023-06-15", "submission_key": key,
            "kk": (io.BytesIO(document_jpeg()), "kk.jpg"), "akta_kelahiran": (io.BytesIO(document_pdf()), "akta.pdf")}
    no_csrf = client.post("/online/pekanbaru/KIA", data=dict(body, kk=(io.BytesIO(document_jpeg()), "kk.jpg"),
                                                             akta_kelahiran=(io.BytesIO(document_pdf()), "a.pdf")),
                          content_type="multipart/form-data")
    assert no_csrf.status_code == 400
    body["csrf_token"] = _token(html)
    r = client.post("/online/pekanbaru/KIA", data=body, content_type="multipart/form-data")
    assert r.status_code == 303, r.get_data(as_text=True)[:2000]
    receipt_url = r.headers["Location"]
    assert re.search(r"/s/[A-Z0-9]+/resi$", receipt_url)
    code = receipt_url.split("/")[-2]
    receipt = client.get(receipt_url).get_data(as_text=True)
    assert code in receipt and "Akta kelahiran (diunggah)" in receipt and "Kartu Keluarga (diunggah)" in receipt
    assert APPLICANT["nik"] not in receipt and APPLICANT["name"] not in receipt and "P**** R********" in receipt
    pdf = client.get(f"/s/{code}/resi.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    src = tmp_path / "resi.pdf"
    src.write_bytes(pdf.data)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(src), str(tmp_path / "resi")], check=True)
    from PIL import Image
    (png,) = tmp_path.glob("resi*.png")
    with Image.open(png) as im:
        assert im.size[0] < im.size[1]  # A5 portrait
        assert len(set(im.convert("L").getdata())) > 2  # something is drawn
    from pypdf import PdfReader
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert code in text and "Resi permohonan" in text and APPLICANT["nik"] not in text
    # a second send of the same form (the answer lost): the same application
    again = client.post("/online/pekanbaru/KIA", data={**body, "kk": (io.BytesIO(document_jpeg()), "kk.jpg"),
                                                       "akta_kelahiran": (io.BytesIO(document_pdf()), "a.pdf")},
                        content_type="multipart/form-data")
    assert again.status_code == 303 and again.headers["Location"] == receipt_url


def test_a_refused_file_shows_the_form_again_with_the_part_marked(client):
    html = client.get("/online/pekanbaru/KIA?a_birth_date=2023-06-15").get_data(as_text=True)
    body = {**_form_fields(), "a_birth_date": "2023-06-15", "csrf_token": _token(html),
            "kk": (io.BytesIO(b"MZ\x90\x00 not an image"), "kk.jpg"),
            "akta_kelahiran": (io.BytesIO(document_pdf()), "akta.pdf")}
    r = client.post("/online/pekanbaru/KIA", data=body, content_type="multipart/form-data")
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="error"' in page and "Jenis berkas tidak diterima" in page
    assert re.search(r'class="c-upload c-bad">\s*<label for="file-kk"', page)
    assert f'value="{APPLICANT["parent_name"]}"' in page  # what was typed stays


def test_the_follow_page_shows_the_notes_and_takes_the_new_file(app, client):
    from online_kit import submit
    code = submit(client).json["application_code"]
    dinas = login_tokens(app, office="pekanbaru", prefix="d")
    item = client.get("/api/v1/work-queue/verifikasi_online", headers=dinas["verifikator"]).json["items"][0]
    client.post(f"/api/v1/applications/{item['id']}/online-verification", headers=dinas["verifikator"],
                json={"outcome": "return", "present": ["kk"], "notes": "Akta tidak terbaca, foto ulang."})
    page = client.get(f"/s/{code}").get_data(as_text=True)
    assert 'id="reupload-form"' in page and "Akta tidak terbaca, foto ulang." in page
    assert APPLICANT["nik"] not in page and APPLICANT["phone"] not in page
    body = {"csrf_token": _token(page), "akta_kelahiran": (io.BytesIO(document_png("AKTA")), "akta.png"),
            "kk": (io.BytesIO(b""), "")}  # the KK input left empty
    r = client.post(f"/s/{code}/unggah", data=body, content_type="multipart/form-data")
    assert r.status_code == 303, r.get_data(as_text=True)[:1000]
    page = client.get(f"/s/{code}").get_data(as_text=True)
    assert 'id="reupload-form"' not in page
    assert client.get("/api/v1/work-queue/verifikasi_online", headers=dinas["verifikator"]).json["items"]
