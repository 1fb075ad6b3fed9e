"""Recaps as XLSX workbooks (openpyxl): styled header rows, frozen panes, column
widths, number and date formats. Durations are exported in **minutes** (number
format ``0.0``) so offices can compute with them; dates as real Excel dates.

* :func:`daily_recap_xlsx` - sheets Ringkasan, Per jam, Waktu, Langkah SOP, Petugas.
* :func:`distribution_recap_xlsx` - one sheet, rows grouped (sorted) by kecamatan.
* :func:`register_xlsx` - Register KIA.
"""
from __future__ import annotations

import io
from typing import Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .model import DailyRecap, DistributionRecap, RegisterRow

_HEAD_FONT = Font(bold=True, color="FFFFFF")
_HEAD_FILL = PatternFill("solid", fgColor="1F4E8C")
DATE_FORMAT = "DD-MM-YYYY"
MINUTES_FORMAT = "0.0"
PERCENT_FORMAT = "0%"


def _append(ws: Worksheet, values: Sequence) -> None:
    """Append a row; text loses the control characters XLSX cannot hold (openpyxl's
    ``ILLEGAL_CHARACTERS_RE``), so one odd stored name never breaks a whole report."""
    ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values])


def _sheet(wb: Workbook, title: str, header: Sequence[str], widths: Sequence[float]) -> Worksheet:
    ws = wb.create_sheet(title)
    _append(ws, list(header))
    for i, width in enumerate(widths, 1):
        cell = ws.cell(row=1, column=i)
        cell.font = _HEAD_FONT
        cell.fill = _HEAD_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    return ws


def _formats(ws: Worksheet, column: int, fmt: str) -> None:
    for row in ws.iter_rows(min_row=2, min_col=column, max_col=column):
        for cell in row:
            cell.number_format = fmt


def _save(wb: Workbook) -> bytes:
    if "Sheet" in wb.sheetnames and len(wb.sheetnames) > 1:
        del wb["Sheet"]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def daily_recap_xlsx(recap: DailyRecap) -> bytes:
    """XLSX bytes of a :class:`DailyRecap` (times in minutes, share as percent)."""
    wb = Workbook()
    ws = _sheet(wb, "Ringkasan", ["Keterangan", "Nilai"], [36, 40])
    _append(ws, ["Kantor", recap.office_name])
    _append(ws, ["Tanggal", recap.day])
    ws["B3"].number_format = DATE_FORMAT
    _append(ws, ["Zona waktu", recap.zone])
    _append(ws, ["Jumlah nomor antrean", sum(recap.tickets_per_service().values())])
    _append(ws, ["Tidak hadir saat dipanggil", recap.no_shows])
    _append(ws, ["Dokumen belum diambil", recap.uncollected])
    _append(ws, ["Nilai IKM (konversi)", recap.ikm_score])
    ws["B8"].number_format = "0.00"
    _append(ws, ["Mutu IKM", recap.ikm_category or ""])
    _append(ws, ["Responden IKM", recap.ikm_respondents])

    services = list(recap.tickets)
    hours = sorted({h for per in recap.tickets.values() for h in per})
    ws = _sheet(wb, "Per jam", ["Jam"] + services + ["Total"], [8] + [14] * len(services) + [10])
    for h in hours:
        counts = [recap.tickets[s].get(h, 0) for s in services]
        _append(ws, [f"{h:02d}:00"] + counts + [sum(counts)])

    ws = _sheet(wb, "Waktu", ["Layanan", "Jumlah", "Tunggu p50 (menit)", "Tunggu p90 (menit)",
                              "Layanan p50 (menit)", "Layanan p90 (menit)"], [24, 10, 18, 18, 18, 18])
    for x in recap.times:
        _append(ws, [x.service, x.count, x.wait_p50_seconds / 60, x.wait_p90_seconds / 60,
                   x.service_p50_seconds / 60, x.service_p90_seconds / 60])
    for col in range(3, 7):
        _formats(ws, col, MINUTES_FORMAT)

    ws = _sheet(wb, "Langkah SOP", ["Layanan", "Langkah", "Mutu baku (menit)", "Median (menit)",
                                    "p90 (menit)", "Berkas", "Terlambat", "Porsi terlambat",
                                    "Masih menunggu"], [16, 28, 16, 14, 12, 9, 11, 14, 14])
    for x in recap.lateness:
        _append(ws, [x.service, x.step, x.mutu_baku_seconds / 60, x.median_seconds / 60,
                   x.p90_seconds / 60, x.count, x.late, x.late_share, x.waiting_now])
    for col in (3, 4, 5):
        _formats(ws, col, MINUTES_FORMAT)
    _formats(ws, 8, PERCENT_FORMAT)

    ws = _sheet(wb, "Petugas", ["Petugas", "Loket", "Dilayani", "Median layanan (menit)"], [30, 10, 10, 22])
    for o in recap.officers:
        _append(ws, [o.officer, o.counter, o.served, o.median_service_seconds / 60])
    _formats(ws, 4, MINUTES_FORMAT)
    return _save(wb)


def distribution_recap_xlsx(recap: DistributionRecap) -> bytes:
    """XLSX bytes of a :class:`DistributionRecap`, rows grouped by kecamatan."""
    wb = Workbook()
    ws = _sheet(wb, "Distribusi", ["Kecamatan", "No", "Kode Permohonan", "Nama", "NIK", "Dokumen",
                                   "Tgl Cetak", "Diserahkan ke UPTD", "Sudah Diambil"],
                [22, 6, 20, 32, 20, 10, 12, 18, 14])
    for kecamatan, items in recap.groups():
        for i, r in enumerate(items, 1):
            _append(ws, [kecamatan, i, r.application_code, r.name, r.nik, r.document, r.printed_on,
                       r.handed_to_uptd_on, "Ya" if r.collected else "Belum"])
    _formats(ws, 5, "@")
    _formats(ws, 7, DATE_FORMAT)
    _formats(ws, 8, DATE_FORMAT)
    return _save(wb)


def register_xlsx(rows: Sequence[RegisterRow]) -> bytes:
    """XLSX bytes of the Register KIA (NIK/KK stored as text so no digit is lost)."""
    wb = Workbook()
    ws = _sheet(wb, "Register KIA", ["No", "Tgl Terbit", "Kode Permohonan", "NIK", "Nama", "L/P",
                                     "Tempat Lahir", "Tgl Lahir", "No. KK", "Jenis", "Kecamatan",
                                     "Tgl Diserahkan", "Penerima", "Ket."],
                [6, 12, 20, 20, 30, 5, 16, 12, 20, 6, 18, 14, 18, 14])
    for r in rows:
        _append(ws, [r.no, r.issued_on, r.application_code, r.nik, r.name, r.sex, r.birth_place,
                   r.birth_date, r.kk_number, r.variant, r.kecamatan, r.handed_over_on, r.received_by,
                   r.note])
    for col in (2, 8, 12):
        _formats(ws, col, DATE_FORMAT)
    for col in (4, 9):
        _formats(ws, col, "@")
    return _save(wb)
