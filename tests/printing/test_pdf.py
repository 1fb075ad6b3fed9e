"""KIA card and report PDFs (reportlab), card delivery, XLSX read back."""
from __future__ import annotations

import io
import os
import subprocess
from dataclasses import replace
from datetime import date

import pytest
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4, A5, landscape
from reportlab.lib.units import mm

from printing.card import CARD_SIZE, CardOutput, render_batch, render_card, save_to_spool, send_to_cups
from printing.errors import PrinterConfigError, PrinterError, PrinterOffline
from printing.model import KiaCard, ServiceTimes, percentile
from printing.reports import (render_daily_recap, render_distribution_recap, render_handover_receipt,
                              render_register)
from printing.samples import (OFFICE, sample_card, sample_daily_recap, sample_distribution,
                              sample_handover, sample_photo_jpeg, sample_register)
from printing.xlsx import daily_recap_xlsx, distribution_recap_xlsx, register_xlsx


def image_xobjects(page) -> int:
    resources = page.get("/Resources") or {}
    xobjects = resources.get("/XObject") or {}
    return sum(1 for ref in xobjects.values() if ref.get_object().get("/Subtype") == "/Image")


def page_text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def rasterise(pdf: bytes, tmp_path, name: str) -> list[Image.Image]:
    src = tmp_path / f"{name}.pdf"
    src.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(src), str(tmp_path / name)], check=True)
    images = []
    for path in sorted(tmp_path.glob(f"{name}-*.png")):
        with Image.open(path) as img:
            images.append(img.convert("L"))
    return images


def assert_not_blank(img: Image.Image) -> None:
    lo, hi = img.getextrema()
    assert hi - lo > 100
    dark = sum(1 for v in img.getdata() if v < 160)
    assert dark / (img.width * img.height) > 0.01


def test_id1_card_size_is_exact():
    assert CARD_SIZE == (85.60 * mm, 53.98 * mm)
    assert abs(CARD_SIZE[0] - 242.65) < 0.01 and abs(CARD_SIZE[1] - 153.01) < 0.01


@pytest.mark.parametrize("variant", [1, 2])
def test_card_pages_text_and_photo(variant, tmp_path):
    card = sample_card(variant)
    pdf = render_card(card)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    for page in reader.pages:
        box = page.mediabox
        assert (float(box.width), float(box.height)) == pytest.approx(CARD_SIZE, abs=1e-3)
    front = reader.pages[0].extract_text()
    back = reader.pages[1].extract_text()
    compact = front.replace("\n", " ")
    for value in (card.nik, card.kk_number, card.head_of_family, card.religion, card.nationality,
                  card.birth_certificate_number, card.valid_until.strftime("%d-%m-%Y"),
                  card.birth_date.strftime("%d-%m-%Y"), "KARTU IDENTITAS ANAK"):
        assert value in compact, value
    assert " ".join(card.name.split()) in " ".join(compact.split())
    assert ("PEREMPUAN" if card.sex == "P" else "LAKI-LAKI") in front
    assert card.head_name in back and card.head_nip in back and card.issuing_office in back
    assert "TANAH GROGOT" in back and card.issue_date.strftime("%d-%m-%Y") in back
    # images: the logo on every front; the photo only on variant 2
    assert image_xobjects(reader.pages[0]) == (2 if variant == 2 else 1)
    assert image_xobjects(reader.pages[1]) == 0
    pages = rasterise(pdf, tmp_path, f"card{variant}")
    assert len(pages) == 2
    for img in pages:
        assert img.width == round(85.60 / 25.4 * 150) or abs(img.width - 85.60 / 25.4 * 150) <= 1
        assert_not_blank(img)


def test_card_variant_rules():
    card = sample_card(1)
    with pytest.raises(ValueError):
        replace(card, photo_jpeg=sample_photo_jpeg())
    with pytest.raises(ValueError):
        replace(sample_card(2), photo_jpeg=None)
    with pytest.raises(ValueError):
        replace(card, variant=3)
    with pytest.raises(ValueError):
        replace(card, nik="123")


def test_card_accented_long_name_is_kept():
    card = replace(sample_card(1), name="Muhammad Al-Fatih Ramadhan Syahputra Nasution–Élodie Ñuñez")
    text = PdfReader(io.BytesIO(render_card(card))).pages[0].extract_text()
    assert "Élodie" in text and "Ñuñez" in text


def test_batch_sheets_have_fronts_then_mirrored_backs(tmp_path):
    cards = [sample_card(1 + i % 2) for i in range(10)]
    pdf = render_batch(cards)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 4  # 8 per sheet: fronts, backs, fronts, backs
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4, abs=1e-3)
    assert reader.pages[0].extract_text().count("KARTU IDENTITAS ANAK") == 8
    assert reader.pages[2].extract_text().count("KARTU IDENTITAS ANAK") == 2
    assert reader.pages[1].extract_text().count("NIP.") == 8
    assert image_xobjects(reader.pages[0]) >= 2
    with pytest.raises(ValueError):
        render_batch([])
    pages = rasterise(pdf, tmp_path, "batch")
    assert_not_blank(pages[0])


def test_card_output_spool_and_cups(tmp_path, monkeypatch):
    pdf = render_card(sample_card(1))
    out = CardOutput(f"spool://{tmp_path / 'spool'}")
    path = out.deliver(pdf, "KIA 6401/x")
    assert path.endswith("KIA_6401_x.pdf") and open(path, "rb").read() == pdf
    assert save_to_spool(pdf, tmp_path, "a.pdf").name == "a.pdf"
    with pytest.raises(PrinterConfigError):
        CardOutput("smb://share")

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    received = tmp_path / "received.pdf"
    lp = bin_dir / "lp"
    lp.write_text(f"#!/bin/sh\n[ \"$2\" = KARTU ] || {{ echo 'lp: The printer or class does not exist.' >&2; exit 1; }}\n"
                  f"cat > {received}\necho 'request id is KARTU-7 (1 file(s))'\n")
    lp.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir) + os.pathsep + os.environ.get("PATH", ""))
    assert CardOutput("cups://KARTU").deliver(pdf, "kia") == "request id is KARTU-7 (1 file(s))"
    assert received.read_bytes() == pdf
    with pytest.raises(PrinterOffline) as info:
        send_to_cups(pdf, "NOPE")
    assert info.value.code == "cups_rejected" and "does not exist" in info.value.detail
    lp.unlink()
    monkeypatch.setenv("PATH", str(bin_dir))
    with pytest.raises(PrinterConfigError) as info:
        send_to_cups(pdf, "KARTU")
    assert info.value.code == "lp_missing"
    assert isinstance(info.value, PrinterError)


def test_register_1000_rows_header_repeats(tmp_path):
    rows = sample_register(1000)
    pdf = render_register(rows, office_name=OFFICE, date_from=date(2024, 3, 1), date_to=date(2024, 3, 25))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 10
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(landscape(A4), abs=1e-3)
        text = page.extract_text()
        assert "Kode Permohonan" in text and "NIK" in text
    text = page_text(reader)
    for r in (rows[0], rows[499], rows[999]):
        assert r.nik in text and r.application_code in text
    assert "1 Maret 2024 - 25 Maret 2024" in reader.pages[0].extract_text()
    assert sum(text.count(f"KIA-2024-{i:06d}") for i in range(1, 1001)) == 1000
    with pytest.raises(ValueError):
        render_register(rows, office_name=OFFICE, date_from=date(2024, 3, 2), date_to=date(2024, 3, 1))
    first = rasterise(render_register(rows[:30], office_name=OFFICE, date_from=date(2024, 3, 1),
                                      date_to=date(2024, 3, 1)), tmp_path, "reg")
    assert_not_blank(first[0])


def test_handover_receipt_a5():
    receipt = sample_handover()
    reader = PdfReader(io.BytesIO(render_handover_receipt(receipt)))
    page = reader.pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A5, abs=1e-3)
    text = page.extract_text()
    for value in (receipt.application_code, receipt.received_by, receipt.officer, receipt.relation,
                  "TANDA TERIMA DOKUMEN", "Yang menerima"):
        assert value in text
    en = PdfReader(io.BytesIO(render_handover_receipt(replace(receipt, lang="en")))).pages[0].extract_text()
    assert "HAND-OVER RECEIPT" in en


def test_daily_recap_pdf(tmp_path):
    recap = sample_daily_recap()
    pdf = render_daily_recap(recap)
    text = page_text(PdfReader(io.BytesIO(pdf)))
    assert "REKAP HARIAN PELAYANAN" in text and "82.45" in text
    assert str(sum(recap.tickets_per_service().values())) in text
    worst = recap.worst_step()
    assert f"tertahan di langkah: {worst.step} ({worst.service})" in " ".join(text.split())
    for officer in recap.officers:
        assert officer.officer in text
    pages = rasterise(pdf, tmp_path, "recap")
    assert_not_blank(pages[0])
    empty = replace(recap, times=(), lateness=(), officers=(), tickets={}, ikm_score=None)
    assert "tidak ada data" in page_text(PdfReader(io.BytesIO(render_daily_recap(empty))))


def test_an_empty_day_has_no_empty_charts_or_tables_and_the_print_time_is_the_offices(tmp_path, monkeypatch):
    """Issue 18 item 5: an empty day's recap says "tidak ada data" under each heading (no
    empty bar chart, no header-only table) and "Dicetak" is the office's time with its
    zone, whatever the PC's zone."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from printing.model import DistributionRecap

    monkeypatch.setenv("TZ", "UTC")
    recap = replace(sample_daily_recap(), times=(), lateness=(), officers=(), tickets={}, ikm_score=None)
    at = datetime(2026, 11, 23, 16, 5, tzinfo=ZoneInfo("Asia/Makassar"))
    pdf = render_daily_recap(recap, printed_at=at)
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    text = page.extract_text()
    assert "Dicetak 23-11-2026 16:05 WITA" in text
    assert text.count("tidak ada data") >= 5  # IKM, per hour, times, steps, officers
    # the bar chart draws filled rectangles: the empty page has none beyond the table rules
    assert "re f" not in page.get_contents().get_data().decode("latin-1").replace("\n", " ")
    empty_dist = DistributionRecap("Disdukcapil Paser", recap.day, recap.day, ())
    dist = page_text(PdfReader(io.BytesIO(render_distribution_recap(empty_dist, printed_at=at))))
    assert "tidak ada data" in dist and "Dicetak 23-11-2026 16:05 WITA" in dist and "Jumlah" not in dist
    reg = page_text(PdfReader(io.BytesIO(render_register((), office_name="Disdukcapil Paser", date_from=recap.day,
                                                         date_to=recap.day, printed_at=at))))
    assert "tidak ada data" in reg and "NIK" not in reg


def test_distribution_recap_grouped_by_kecamatan():
    recap = sample_distribution(40)
    text = page_text(PdfReader(io.BytesIO(render_distribution_recap(recap, handed_by="Rudi Hartono"))))
    groups = recap.groups()
    assert len(groups) > 1
    positions = [text.index(f"Kecamatan {name} ({len(items)})") for name, items in groups]
    assert positions == sorted(positions)
    for row in recap.rows:
        assert row.application_code in text
    assert text.count("Kepala UPTD") == len(groups)


def test_percentiles_and_service_times():
    assert percentile([5], 90) == 5
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50) == pytest.approx(5.5)
    assert percentile(range(1, 101), 90) == pytest.approx(90.1)
    with pytest.raises(ValueError):
        percentile([], 50)
    times = ServiceTimes.from_samples("KIA", [60, 120, 180], [])
    assert times.wait_p50_seconds == 120 and times.service_p90_seconds == 0 and times.count == 3


def test_xlsx_read_back():
    recap = sample_daily_recap()
    wb = load_workbook(io.BytesIO(daily_recap_xlsx(recap)))
    assert wb.sheetnames == ["Ringkasan", "Per jam", "Waktu", "Langkah SOP", "Petugas"]
    summary = {row[0]: row[1] for row in wb["Ringkasan"].iter_rows(min_row=2, values_only=True)}
    assert summary["Jumlah nomor antrean"] == sum(recap.tickets_per_service().values())
    assert summary["Nilai IKM (konversi)"] == pytest.approx(82.45)
    assert summary["Tanggal"].date() == recap.day
    assert wb["Ringkasan"]["A1"].font.bold and wb["Ringkasan"].column_dimensions["A"].width == 36
    waits = wb["Waktu"]
    assert waits["C2"].value == pytest.approx(recap.times[0].wait_p50_seconds / 60)
    assert waits["C2"].number_format == "0.0"
    steps = wb["Langkah SOP"]
    assert steps["H2"].number_format == "0%" and steps["H2"].value == pytest.approx(recap.lateness[0].late_share)
    per_hour = list(wb["Per jam"].iter_rows(min_row=2, values_only=True))
    assert sum(r[-1] for r in per_hour) == summary["Jumlah nomor antrean"]

    dist = sample_distribution(40)
    ws = load_workbook(io.BytesIO(distribution_recap_xlsx(dist)))["Distribusi"]
    values = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(values) == 40
    kecamatan = [v[0] for v in values]
    assert kecamatan == sorted(kecamatan, key=str.casefold)
    assert ws["G2"].number_format == "DD-MM-YYYY"

    rows = sample_register(50)
    ws = load_workbook(io.BytesIO(register_xlsx(rows)))["Register KIA"]
    back = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[3] for r in back] == [r.nik for r in rows]
    assert isinstance(back[0][3], str) and back[0][1].date() == rows[0].issued_on
    assert ws.freeze_panes == "A2"


def test_kia_model_rejects_bad_sex():
    with pytest.raises(ValueError):
        KiaCard(**{**sample_card(1).__dict__, "sex": "X"})


def embedded_fonts_only(pdf: bytes) -> list[str]:
    names = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            assert font["/Subtype"] == "/TrueType", font["/BaseFont"]
            assert "/FontFile2" in font["/FontDescriptor"].get_object()
            names.append(str(font["/BaseFont"]))
    return names


def test_every_pdf_embeds_dejavu_and_nothing_else():
    pdfs = [render_card(sample_card(2)), render_batch([sample_card(1)]),
            render_register(sample_register(5), office_name=OFFICE, date_from=date(2024, 3, 1),
                            date_to=date(2024, 3, 1)),
            render_handover_receipt(sample_handover()), render_daily_recap(sample_daily_recap()),
            render_distribution_recap(sample_distribution(5))]
    for pdf in pdfs:
        names = embedded_fonts_only(pdf)
        assert names and all("DejaVuSans" in n for n in names)
