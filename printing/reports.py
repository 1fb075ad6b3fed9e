"""Office reports as PDF (reportlab platypus + reportlab.graphics charts).

* :func:`render_register` - Register KIA (SOP 000 records), A4 landscape, one row
  per card, header row repeated on every page, date range in the title.
* :func:`render_handover_receipt` - tanda terima on A5 with signature blocks.
* :func:`render_daily_recap` - the day for the head of office: tickets per hour
  (bar chart), waiting/service time p50/p90 per service, lateness per SOP step
  against its mutu baku (where berkas wait), officers, no-shows, uncollected, IKM.
* :func:`render_distribution_recap` - cards grouped by kecamatan for hand-over to
  the UPTD heads (SOP 001), with a signature block per kecamatan.

All return PDF bytes, embed DejaVu Sans, and take ``lang`` "id" (default) or "en".
"""
from __future__ import annotations

import io
from datetime import date, datetime
from typing import Sequence

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, A5, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (KeepTogether, LongTable, Paragraph, SimpleDocTemplate, Spacer,
                                Table, TableStyle)

from .model import DailyRecap, DistributionRecap, HandoverReceipt, RegisterRow
from .pdffonts import register_fonts
from .text import format_day, format_moment
from .text import t as catalogue_text

_HEAD_BG = colors.HexColor("#1f4e8c")
_ZEBRA = colors.HexColor("#eef3fa")
_P50 = colors.HexColor("#4f81bd")
_P90 = colors.HexColor("#c0504d")

#: Wording of the PDFs where it differs from the thermal catalogue (``printing.text``,
#: more room on paper); everything else comes from that catalogue.
LABELS: dict[str, dict[str, str]] = {
    "register_title": {"id": "REGISTER KARTU IDENTITAS ANAK (KIA)", "en": "REGISTER OF CHILD ID CARDS (KIA)"},
    "period": {"id": "Periode", "en": "Period"},
    "page": {"id": "Halaman", "en": "Page"},
    "printed": {"id": "Dicetak", "en": "Printed"},
    "reg_cols": {"id": "No|Tgl Terbit|Kode Permohonan|NIK|Nama|L/P|Tempat, Tgl Lahir|No. KK|Jenis|"
                       "Kecamatan|Tgl Diserahkan|Penerima|Ket.",
                 "en": "No|Issued|Application|NIK|Name|Sex|Place, date of birth|KK number|Var.|"
                       "District|Handed over|Received by|Note"},
    "handover_title": {"id": "TANDA TERIMA DOKUMEN", "en": "DOCUMENT HAND-OVER RECEIPT"},
    "received_by": {"id": "Diterima oleh (sesuai identitas)", "en": "Received by (as on ID)"},
    "receiver": {"id": "Yang menerima", "en": "Receiver"},
    "recap_title": {"id": "REKAP HARIAN PELAYANAN", "en": "DAILY SERVICE RECAP"},
    "summary": {"id": "Ringkasan", "en": "Summary"},
    "tickets_total": {"id": "Jumlah nomor antrean", "en": "Tickets issued"},
    "no_shows": {"id": "Tidak hadir saat dipanggil", "en": "No-shows"},
    "uncollected": {"id": "Dokumen belum diambil", "en": "Documents not collected"},
    "ikm": {"id": "IKM (nilai, mutu, responden)", "en": "IKM (score, grade, respondents)"},
    "tickets_hour": {"id": "Nomor antrean per jam", "en": "Tickets per hour"},
    "tickets_service": {"id": "Nomor antrean per layanan", "en": "Tickets per service"},
    "hour": {"id": "Jam", "en": "Hour"},
    "count": {"id": "Jumlah", "en": "Count"},
    "times": {"id": "Waktu tunggu dan waktu layanan (menit)", "en": "Waiting and service time (minutes)"},
    "times_cols": {"id": "Layanan|Jumlah|Tunggu p50|Tunggu p90|Layanan p50|Layanan p90",
                   "en": "Service|Count|Wait p50|Wait p90|Service p50|Service p90"},
    "lateness": {"id": "Waktu per langkah SOP dibanding mutu baku (menit)",
                 "en": "Time per SOP step against the mutu baku (minutes)"},
    "lateness_cols": {"id": "Layanan|Langkah|Mutu baku|Median|p90|Berkas|Terlambat|Menunggu",
                      "en": "Service|Step|Mutu baku|Median|p90|Files|Late|Waiting"},
    "worst": {"id": "Berkas paling banyak tertahan di langkah: {step} ({service}) - {late} dari {n} "
                    "terlambat, {waiting} masih menunggu.",
              "en": "Files are held up most at step: {step} ({service}) - {late} of {n} late, "
                    "{waiting} still waiting."},
    "officers": {"id": "Kinerja petugas", "en": "Officers"},
    "officer_cols": {"id": "Petugas|Loket|Dilayani|Median layanan (menit)",
                     "en": "Officer|Counter|Served|Median service (min)"},
    "none": {"id": "tidak ada data", "en": "no data"},
    "distribution_title": {"id": "REKAP DISTRIBUSI DOKUMEN PER KECAMATAN",
                           "en": "DOCUMENT DISTRIBUTION BY DISTRICT"},
    "dist_cols": {"id": "No|Kode Permohonan|Nama|NIK|Dokumen|Tgl Cetak|Ke UPTD|Diambil",
                  "en": "No|Application|Name|NIK|Document|Printed|To UPTD|Collected"},
    "kecamatan": {"id": "Kecamatan", "en": "District"},
    "subtotal": {"id": "Jumlah", "en": "Total"},
    "collected": {"id": "Sudah diambil", "en": "Collected"},
    "handed_by": {"id": "Yang menyerahkan", "en": "Handed over by"},
    "uptd_head": {"id": "Kepala UPTD / penerima", "en": "UPTD head / receiver"},
    "yes": {"id": "Ya", "en": "Yes"},
    "no": {"id": "Belum", "en": "No"},
    "median": {"id": "Median", "en": "Median"},
    "mutu_baku": {"id": "Mutu baku", "en": "Mutu baku"},
}


def _l(key: str, lang: str, **fields: object) -> str:
    """PDF text ``key`` in ``lang``: this module's wording, else ``printing.text.t``."""
    if key not in LABELS:
        return catalogue_text(key, lang, **fields)
    entry = LABELS[key]
    text = entry.get(lang) or entry["id"]
    return text.format(**fields) if fields else text


def _styles() -> dict[str, ParagraphStyle]:
    font, bold = register_fonts()
    return {
        "title": ParagraphStyle("title", fontName=bold, fontSize=13, leading=16, alignment=TA_CENTER),
        "subtitle": ParagraphStyle("subtitle", fontName=font, fontSize=9.5, leading=12, alignment=TA_CENTER),
        "h2": ParagraphStyle("h2", fontName=bold, fontSize=10.5, leading=13, spaceBefore=6, spaceAfter=3),
        "body": ParagraphStyle("body", fontName=font, fontSize=9, leading=11.5),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=6.5, leading=7.8),
        "center": ParagraphStyle("center", fontName=font, fontSize=9, leading=11.5, alignment=TA_CENTER),
    }


def _esc(text: object) -> str:
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def _grid_style(font: str, bold: str, size: float = 7.5, zebra: bool = True,
                rows: int = 0) -> TableStyle:
    cmds = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), size),
        ("LEADING", (0, 0), (-1, -1), size * 1.2),
        ("FONTNAME", (0, 0), (-1, 0), bold),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("BACKGROUND", (0, 0), (-1, 0), _HEAD_BG),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
    if zebra and rows > 2:
        cmds.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, _ZEBRA]))
    return TableStyle(cmds)


def _footer(office: str, lang: str, printed: str):
    font, _ = register_fonts()

    def draw(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(font, 7)
        width, _ = doc.pagesize
        canvas.drawString(doc.leftMargin, 8 * mm, f"{office} - {_l('printed', lang)} {printed}")
        canvas.drawRightString(width - doc.rightMargin, 8 * mm, f"{_l('page', lang)} {doc.page}")
        canvas.restoreState()
    return draw


def _printed(printed_at: datetime | None) -> str:
    """When a report was printed, with its zone: "23-11-2026 16:05 WITA". ``printed_at``
    should be the office's local time (aware); None means now in this PC's zone."""
    moment = printed_at if printed_at is not None and printed_at.tzinfo else \
        (printed_at or datetime.now()).astimezone()
    return f"{moment.strftime('%d-%m-%Y %H:%M')} {moment.tzname() or ''}".strip()


def _d(day: date | None) -> str:
    return day.strftime("%d-%m-%Y") if day else ""


def _doc(buffer: io.BytesIO, pagesize, title: str, author: str) -> SimpleDocTemplate:
    font, _ = register_fonts()
    return SimpleDocTemplate(buffer, pagesize=pagesize, leftMargin=12 * mm, rightMargin=12 * mm,
                             topMargin=12 * mm, bottomMargin=15 * mm, title=title, author=author,
                             initialFontName=font)


def render_register(rows: Sequence[RegisterRow], *, office_name: str, date_from: date,
                    date_to: date, lang: str = "id", printed_at: datetime | None = None) -> bytes:
    """Register KIA as an A4 landscape PDF: one table row per card (``rows`` in
    order), the header row repeated on each page, the period ``date_from`` ..
    ``date_to`` in the title. Raises ValueError if ``date_to < date_from``."""
    if date_to < date_from:
        raise ValueError("date_to is before date_from")
    font, bold = register_fonts()
    st = _styles()
    buffer = io.BytesIO()
    doc = _doc(buffer, landscape(A4), _l("register_title", lang), office_name)
    head_style = ParagraphStyle("head", fontName=bold, fontSize=6.5, leading=7.6, textColor=colors.white)
    header = [Paragraph(_esc(x), head_style) for x in _l("reg_cols", lang).split("|")]
    data: list[list[object]] = [header]
    cell = st["cell"]
    for r in rows:
        data.append([
            str(r.no), _d(r.issued_on), r.application_code, r.nik, Paragraph(_esc(r.name), cell), r.sex,
            Paragraph(_esc(f"{r.birth_place}, {_d(r.birth_date)}"), cell), r.kk_number, str(r.variant),
            r.kecamatan, _d(r.handed_over_on), Paragraph(_esc(r.received_by), cell), r.note,
        ])
    widths = [x * mm for x in (9, 16, 28, 27, 36, 7, 32, 27, 9, 24, 17, 22, 19)]
    table = LongTable(data, colWidths=widths, repeatRows=1)
    table.setStyle(_grid_style(font, bold, 6.5, rows=len(data)))
    period = f"{_l('period', lang)}: {format_day(date_from, lang, weekday=False)} - " \
             f"{format_day(date_to, lang, weekday=False)}"
    story = [Paragraph(_l("register_title", lang), st["title"]),
             Paragraph(_esc(office_name), st["subtitle"]), Paragraph(period, st["subtitle"]),
             Spacer(1, 4 * mm), table if rows else Paragraph(_l("none", lang), st["body"])]
    footer = _footer(office_name, lang, _printed(printed_at))
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def render_handover_receipt(receipt: HandoverReceipt) -> bytes:
    """Tanda terima on A5 portrait: fields table and two signature blocks
    (receiver with the name as on their ID, officer)."""
    font, bold = register_fonts()
    st = _styles()
    lang = receipt.lang
    buffer = io.BytesIO()
    doc = _doc(buffer, A5, _l("handover_title", lang), receipt.office_name)
    def row(key: str, value: str, *, bold: bool = False) -> list:
        # both cells wrap: a long label ("Diterima oleh (sesuai identitas)") or name never
        # runs into the next column
        text = f"<b>{_esc(value)}</b>" if bold else _esc(value)
        return [Paragraph(_esc(_l(key, lang)), st["body"]), Paragraph(text, st["body"])]

    rows = [
        row("application_code", receipt.application_code),
        row("document", receipt.document),
        row("applicant", receipt.applicant_name or "-"),
        row("received_by", receipt.received_by, bold=True),
        row("relation", receipt.relation or "-"),
        row("officer", receipt.officer),
        row("handed_over_at", format_moment(receipt.handed_over_at, receipt.zone, lang)),
    ]
    fields = Table(rows, colWidths=[45 * mm, 78 * mm])
    fields.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 9),
                                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey)]))
    signs = Table([[_l("receiver", lang), _l("officer", lang)], ["", ""],
                   ["(" + receipt.received_by + ")", "(" + receipt.officer + ")"]],
                  colWidths=[61 * mm, 61 * mm], rowHeights=[6 * mm, 20 * mm, 6 * mm])
    signs.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 9),
                               ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                               ("LINEBELOW", (0, 1), (-1, 1), 0.5, colors.black)]))
    story = [Paragraph(_esc(receipt.office_name.upper()), st["subtitle"]), Spacer(1, 3 * mm),
             Paragraph(_l("handover_title", lang), st["title"]), Spacer(1, 6 * mm), fields,
             Spacer(1, 10 * mm), KeepTogether(signs)]
    doc.build(story)
    return buffer.getvalue()


def _bar_chart(categories: Sequence[str], series: Sequence[Sequence[float]], names: Sequence[str],
               fills: Sequence[colors.Color], title: str, *, width: float = 170 * mm,
               height: float = 55 * mm) -> Drawing:
    font, bold = register_fonts()
    drawing = Drawing(width, height, initialFontName=font)
    chart = VerticalBarChart()
    chart.x, chart.y = 12 * mm, 10 * mm
    chart.width, chart.height = width - 45 * mm, height - 18 * mm
    chart.data = [list(s) for s in series] if series and categories else [[0]]
    chart.categoryAxis.categoryNames = list(categories) or ["-"]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 6.5
    chart.categoryAxis.labels.angle = 0 if len(categories) <= 10 else 30
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 6.5
    chart.valueAxis.valueMin = 0
    chart.barSpacing = 1
    chart.groupSpacing = 4
    for i, fill in enumerate(fills[: len(chart.data)]):
        chart.bars[i].fillColor = fill
        chart.bars[i].strokeColor = None
    drawing.add(chart)
    drawing.add(String(width / 2, height - 5 * mm, title, fontName=bold, fontSize=8.5, textAnchor="middle"))
    if len(names) > 1:
        legend = Legend()
        legend.x, legend.y = width - 30 * mm, height - 14 * mm
        legend.fontName, legend.fontSize = font, 7
        legend.colorNamePairs = list(zip(fills, names))
        drawing.add(legend)
    return drawing


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f}"


def render_daily_recap(recap: DailyRecap, *, lang: str = "id", printed_at: datetime | None = None) -> bytes:
    """Daily recap on A4 portrait (tables and reportlab.graphics bar charts);
    ``printed_at`` (the office's local time) goes into the footer with its zone."""
    font, bold = register_fonts()
    st = _styles()
    buffer = io.BytesIO()
    doc = _doc(buffer, A4, _l("recap_title", lang), recap.office_name)
    per_hour = recap.tickets_per_hour()
    per_service = recap.tickets_per_service()
    story: list[object] = [Paragraph(_l("recap_title", lang), st["title"]),
                           Paragraph(_esc(recap.office_name), st["subtitle"]),
                           Paragraph(format_day(recap.day, lang) + f" ({recap.zone})", st["subtitle"]),
                           Spacer(1, 4 * mm), Paragraph(_l("summary", lang), st["h2"])]
    ikm = (f"{recap.ikm_score:.2f} - {recap.ikm_category} - {recap.ikm_respondents}"
           if recap.ikm_score is not None else _l("none", lang))
    summary = Table([[_l("tickets_total", lang), str(sum(per_service.values()))],
                     [_l("no_shows", lang), str(recap.no_shows)],
                     [_l("uncollected", lang), str(recap.uncollected)],
                     [_l("ikm", lang), ikm]], colWidths=[70 * mm, 60 * mm], hAlign="LEFT")
    summary.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 9),
                                 ("FONTNAME", (1, 0), (1, -1), bold),
                                 ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey)]))
    story.append(summary)
    story.append(Spacer(1, 3 * mm))
    if any(per_hour.values()):
        hours = [f"{h:02d}" for h in per_hour]
        story.append(_bar_chart(hours, [list(per_hour.values())], [_l("count", lang)], [_P50],
                                _l("tickets_hour", lang)))
    else:  # an empty day: the heading with "tidak ada data", no empty chart
        story += [Paragraph(_l("tickets_hour", lang), st["h2"]), Paragraph(_l("none", lang), st["body"])]
    if per_service:
        rows = [[_l("service", lang), _l("count", lang)]] + [[s, str(n)] for s, n in per_service.items()]
        t = Table(rows, colWidths=[80 * mm, 25 * mm], hAlign="LEFT")
        t.setStyle(_grid_style(font, bold, 8, rows=len(rows)))
        story += [Paragraph(_l("tickets_service", lang), st["h2"]), t]
    story.append(Paragraph(_l("times", lang), st["h2"]))
    if recap.times:
        rows = [_l("times_cols", lang).split("|")] + [
            [x.service, str(x.count), _minutes(x.wait_p50_seconds), _minutes(x.wait_p90_seconds),
             _minutes(x.service_p50_seconds), _minutes(x.service_p90_seconds)] for x in recap.times]
        t = Table(rows, hAlign="LEFT", colWidths=[50 * mm] + [22 * mm] * 5)
        t.setStyle(_grid_style(font, bold, 8, rows=len(rows)))
        story.append(t)
        story.append(_bar_chart([x.service for x in recap.times],
                                [[x.wait_p50_seconds / 60 for x in recap.times],
                                 [x.wait_p90_seconds / 60 for x in recap.times]],
                                ["p50", "p90"], [_P50, _P90], _l("times", lang)))
    else:
        story.append(Paragraph(_l("none", lang), st["body"]))
    story.append(Paragraph(_l("lateness", lang), st["h2"]))
    if recap.lateness:
        rows = [_l("lateness_cols", lang).split("|")] + [
            [x.service, Paragraph(_esc(x.step), st["cell"]), _minutes(x.mutu_baku_seconds),
             _minutes(x.median_seconds), _minutes(x.p90_seconds), str(x.count),
             f"{x.late} ({x.late_share:.0%})", str(x.waiting_now)] for x in recap.lateness]
        t = Table(rows, hAlign="LEFT", colWidths=[22 * mm, 42 * mm] + [18 * mm] * 6, repeatRows=1)
        style = _grid_style(font, bold, 8, rows=len(rows))
        worst = recap.worst_step()
        if worst is not None:
            idx = recap.lateness.index(worst) + 1
            style.add("BACKGROUND", (0, idx), (-1, idx), colors.HexColor("#fde2e1"))
        t.setStyle(style)
        story.append(t)
        story.append(_bar_chart([x.step for x in recap.lateness],
                                [[x.mutu_baku_seconds / 60 for x in recap.lateness],
                                 [x.median_seconds / 60 for x in recap.lateness]],
                                [_l("mutu_baku", lang), _l("median", lang)], [colors.grey, _P90],
                                _l("lateness", lang)))
        if worst is not None:
            story.append(Paragraph(_l("worst", lang, step=_esc(worst.step), service=_esc(worst.service),
                                      late=worst.late, n=worst.count, waiting=worst.waiting_now),
                                   st["body"]))
    else:
        story.append(Paragraph(_l("none", lang), st["body"]))
    story.append(Paragraph(_l("officers", lang), st["h2"]))
    if recap.officers:
        rows = [_l("officer_cols", lang).split("|")] + [
            [o.officer, o.counter, str(o.served), _minutes(o.median_service_seconds)] for o in recap.officers]
        t = Table(rows, hAlign="LEFT", colWidths=[60 * mm, 20 * mm, 22 * mm, 40 * mm])
        t.setStyle(_grid_style(font, bold, 8, rows=len(rows)))
        story.append(t)
    else:
        story.append(Paragraph(_l("none", lang), st["body"]))
    footer = _footer(recap.office_name, lang, _printed(printed_at))
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def render_distribution_recap(recap: DistributionRecap, *, lang: str = "id",
                              handed_by: str = "", printed_at: datetime | None = None, subtitle: str = "") -> bytes:
    """Distribution recap by kecamatan (SOP 001): a summary table, then per
    kecamatan a table of its documents, a subtotal and signature lines for the
    officer handing over and the UPTD head receiving. ``subtitle`` (e.g. one batch's
    code and pickup office) is a line under the office's name."""
    font, bold = register_fonts()
    st = _styles()
    buffer = io.BytesIO()
    doc = _doc(buffer, A4, _l("distribution_title", lang), recap.office_name)
    groups = recap.groups()
    period = f"{_l('period', lang)}: {format_day(recap.date_from, lang, weekday=False)} - " \
             f"{format_day(recap.date_to, lang, weekday=False)}"
    story: list[object] = [Paragraph(_l("distribution_title", lang), st["title"]),
                           Paragraph(_esc(recap.office_name), st["subtitle"])]
    if subtitle:
        story.append(Paragraph(_esc(subtitle), st["subtitle"]))
    story += [Paragraph(period, st["subtitle"]), Spacer(1, 4 * mm)]
    rows = [[_l("kecamatan", lang), _l("subtotal", lang), _l("collected", lang)]]
    rows += [[k, str(len(items)), str(sum(1 for r in items if r.collected))] for k, items in groups]
    rows.append([_l("subtotal", lang), str(len(recap.rows)), str(sum(1 for r in recap.rows if r.collected))])
    if recap.rows:
        summary = Table(rows, hAlign="LEFT", colWidths=[60 * mm, 25 * mm, 30 * mm])
        style = _grid_style(font, bold, 8.5, rows=len(rows))
        style.add("FONTNAME", (0, -1), (-1, -1), bold)
        summary.setStyle(style)
        story.append(summary)
    else:  # nothing printed in the period: no empty table
        story.append(Paragraph(_l("none", lang), st["body"]))
    header = _l("dist_cols", lang).split("|")
    for kecamatan, items in groups:
        story.append(Paragraph(f"{_l('kecamatan', lang)} {_esc(kecamatan)} ({len(items)})", st["h2"]))
        data: list[list[object]] = [header]
        for i, r in enumerate(items, 1):
            data.append([str(i), r.application_code, Paragraph(_esc(r.name), st["cell"]), r.nik, r.document,
                         _d(r.printed_on), _d(r.handed_to_uptd_on),
                         _l("yes", lang) if r.collected else _l("no", lang)])
        t = LongTable(data, repeatRows=1,
                      colWidths=[x * mm for x in (9, 28, 42, 29, 14, 18, 18, 14)])
        t.setStyle(_grid_style(font, bold, 7.5, rows=len(data)))
        story.append(t)
        signs = Table([[_l("handed_by", lang), _l("uptd_head", lang)], ["", ""],
                       [f"({handed_by})" if handed_by else "(" + " " * 30 + ")", "(" + " " * 30 + ")"]],
                      colWidths=[80 * mm, 80 * mm], rowHeights=[5 * mm, 12 * mm, 5 * mm])
        signs.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 8),
                                   ("ALIGN", (0, 0), (-1, -1), "CENTER")]))
        story.append(KeepTogether([Spacer(1, 2 * mm), signs]))
    footer = _footer(recap.office_name, lang, _printed(printed_at))
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
