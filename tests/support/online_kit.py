"""Helpers for the online application tests (issue 13): the Pekanbaru SOP 001 office
folder (the Dinas and its UPTD Sukajadi), documents made in the test (a KK-like JPEG
with GPS in its EXIF, a PNG, a PDF from reportlab) and hostile files."""
from __future__ import annotations

import io
import json
import shutil
import zlib
from pathlib import Path

import pytest

from server_kit import REPO

PEKANBARU = REPO / "assets" / "offices" / "examples" / "pekanbaru_sop001"
#: A 3-year-old girl of Sukajadi (NIK day 55 = 15 + 40), her KK and her mother.
APPLICANT = {"name": "Putri Ramadhani", "nik": "1471015506230002", "sex": "P", "birth_place": "Pekanbaru",
             "birth_date": "2023-06-15", "kk_number": "1471010101180004", "parent_name": "Siti Rahma",
             "phone": "081234567890", "email": "", "kecamatan_code": "14.71.01"}
ANSWERS = {"birth_date": "2023-06-15"}


@pytest.fixture
def offices_dir(tmp_path):
    """The server tests' offices: the Pekanbaru SOP 001 folder (Dinas and UPTD Sukajadi)."""
    d = tmp_path / "offices"
    shutil.copytree(PEKANBARU, d)
    return d


@pytest.fixture
def app(make_app):
    """The server tests' app on those offices, the public upload limit out of the way."""
    return make_app(LOKET_ONLINE_ADDRESS_LIMIT="1000 per hour")


def document_jpeg(text: str = "KARTU KELUARGA", size=(1600, 1100), gps: bool = True) -> bytes:
    """A photographed document: white page, a heading, lines; EXIF with a GPS position
    and the camera when ``gps`` (what a phone puts there)."""
    from PIL import Image, ImageDraw
    im = Image.new("RGB", size, (250, 250, 245))
    d = ImageDraw.Draw(im)
    d.rectangle([40, 40, size[0] - 40, size[1] - 40], outline=(20, 20, 20), width=6)
    d.text((90, 80), text, fill=(0, 0, 0))
    for i in range(12):
        d.line([(90, 200 + i * 60), (size[0] - 120, 200 + i * 60)], fill=(120, 120, 120), width=3)
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"
        exif[0x0110] = "Phone X"
        exif[0x8825] = {1: "N", 2: (0.0, 30.0, 0.0), 3: "E", 4: (101.0, 26.0, 0.0)}
        im.save(out, "JPEG", quality=85, exif=exif)
    else:
        im.save(out, "JPEG", quality=85)
    return out.getvalue()


def document_png(text: str = "AKTA KELAHIRAN") -> bytes:
    from PIL import Image, ImageDraw
    im = Image.new("RGB", (1200, 900), (255, 255, 255))
    d = ImageDraw.Draw(im)
    d.rectangle([30, 30, 1170, 870], outline=(90, 60, 20), width=10)
    d.ellipse([500, 120, 700, 320], outline=(150, 20, 20), width=8)  # a seal
    d.text((80, 80), text, fill=(0, 0, 0))
    for i in range(8):
        d.line([(90, 400 + i * 55), (1100, 400 + i * 55)], fill=(60, 60, 60), width=4)
    out = io.BytesIO()
    im.save(out, "PNG")
    return out.getvalue()


def document_pdf(title: str = "AKTA KELAHIRAN", pages: int = 1) -> bytes:
    """A plain PDF (reportlab) of ``pages`` pages."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for i in range(pages):
        c.setFont("Helvetica-Bold", 20)
        c.drawString(72, 760, f"{title} - {i + 1}")
        c.rect(60, 300, 470, 420)
        c.showPage()
    c.save()
    return buf.getvalue()


def pdf_with_javascript() -> bytes:
    """A PDF whose catalog runs JavaScript when opened (/OpenAction /S /JavaScript)."""
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject
    w = PdfWriter()
    w.add_blank_page(595, 842)
    action = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                               NameObject("/JS"): TextStringObject("app.alert('x');")})
    w._root_object[NameObject("/OpenAction")] = w._add_object(action)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def png_bomb(width: int = 40000, height: int = 40000) -> bytes:
    """A small PNG that declares ``width`` × ``height`` pixels (a decompression bomb:
    its IDAT is a few KB of zeros compressed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([1, 0, 0, 0, 0])  # 1-bit grey
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    comp = zlib.compressobj(9)
    idat = comp.compress(row * 64) + comp.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def elf_renamed() -> bytes:
    """An executable's first bytes (ELF), as if renamed kk.jpg."""
    return b"\x7fELF\x02\x01\x01" + b"\x00" * 9 + b"\x02\x00\x3e\x00" + b"\x00" * 400


def form(applicant=None, answers=None, service="KIA", pickup_office="pekanbaru-sukajadi", key=None, **extra) -> dict:
    """The non-file parts of an online application."""
    data = {"service": service, "applicant": json.dumps(applicant or APPLICANT), "answers": json.dumps(answers or ANSWERS),
            "pickup_office": pickup_office}
    if key:
        data["submission_key"] = key
    data.update(extra)
    return data


def files(**docs: bytes) -> dict:
    """File parts for the Flask test client: ``{"kk": (BytesIO, "kk.jpg")}``."""
    return {code: (io.BytesIO(data), f"{code}.{'pdf' if data[:4] == b'%PDF' else 'jpg'}") for code, data in docs.items()}


def submit(client, docs=None, **kw):
    """POST /api/v1/online-applications with the default documents (a KK photo and a
    birth-certificate PDF) unless ``docs`` is given."""
    if docs is None:
        docs = {"kk": document_jpeg(), "akta_kelahiran": document_pdf()}
    return client.post("/api/v1/online-applications", data={**form(**kw), **files(**docs)},
                       content_type="multipart/form-data")


def stored_files(data_dir: Path) -> list[Path]:
    """Every file in the uploads folder (no temporary ones left either)."""
    root = Path(data_dir) / "uploads"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
