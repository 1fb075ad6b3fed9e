"""The booking's proof as a PDF (reportlab, A5 portrait): the office, the booking code
in large type with its QR (the status URL, scanned at the kiosk to check in), the day,
slot and check-in window, the NIK masked and the requirements checklist."""
from __future__ import annotations

import io
from datetime import date

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas

from printing.pdffonts import register_fonts
from printing.text import format_day

from .texts import t


def _page_head(buffer, office, title: str, code_label: str, code: str, url: str):
    """An A5 page with the office's name, ``title``, ``code`` in large type and the QR of
    ``url`` at the right; returns ``(canvas, regular font, bold font, y, qr_bottom,
    qr_size)`` with ``y`` (points) where the text goes on."""
    regular, bold = register_fonts()
    width, height = A5
    c = canvas.Canvas(buffer, pagesize=A5, pageCompression=1)
    c.setTitle(f"{title} {code}")
    c.setAuthor(office.name)
    margin = 12 * mm
    y = height - margin
    c.setFont(bold, 11)
    for line in simpleSplit(office.name, bold, 11, width - 2 * margin):
        c.drawString(margin, y, line)
        y -= 14
    y -= 6
    c.setFont(bold, 16)
    c.drawString(margin, y, title)
    y -= 24
    c.setFont(regular, 10)
    c.drawString(margin, y, code_label)
    y -= 26
    c.setFont(bold, 26)
    c.drawString(margin, y, code)
    qr_size = 42 * mm
    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(qr_size, qr_size, transform=[qr_size / (x1 - x0), 0, 0, qr_size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, c, width - margin - qr_size, height - margin - 14 - qr_size - 8)
    y -= 30
    return c, regular, bold, y, height - margin - 14 - qr_size - 8, qr_size


def receipt_pdf(receipt: dict, lang: str = "id") -> bytes:
    """The online application's receipt (resi, SOP 001 row 2) as PDF bytes, A5 portrait,
    margins 12 mm: code and QR (the follow URL), service, filing time, uploaded
    documents, the next step, the expected day and the pickup office. ``receipt`` is
    :func:`queue_server.web.online._receipt_data`; no personal data but the masked name."""
    buffer = io.BytesIO()
    c, regular, bold, y, qr_bottom, qr_size = _page_head(buffer, receipt["office"], t("receipt_title", lang),
                                                         t("application_code", lang), receipt["code"], receipt["url"])
    width, _ = A5
    margin = 12 * mm
    right = width - 2 * margin

    def lines(text: str, font: str, size: float, gap: float) -> None:
        nonlocal y
        c.setFont(font, size)
        for line in simpleSplit(text, font, size, right - (qr_size + 4 * mm if y > qr_bottom else 0)):
            c.drawString(margin, y, line)
            y -= gap

    lines(receipt["service"], bold, 13, 18)
    lines(f"{t('applicant', lang)}: {receipt['applicant']}", regular, 10, 14)
    lines(f"{t('filed_at', lang)}: {receipt['filed_at'][:10]} {receipt['filed_at'][11:16]} {receipt['zone']}",
          regular, 10, 14)
    y = min(y, qr_bottom - 4) - 6
    lines(t("uploaded", lang), bold, 11, 15)
    for item in receipt["uploaded"]:
        lines(f"•  {item}", regular, 10, 13)
    y -= 6
    lines(f"{t('now_at', lang)}: {receipt['state_text']}", regular, 10, 14)
    if receipt.get("ready_by"):
        lines(f"{t('promised', lang)}: {format_day(date.fromisoformat(receipt['ready_by']), lang)}", bold, 10, 14)
    lines(f"{t('pickup_at', lang)}: {receipt['pickup']}", regular, 10, 14)
    y -= 6
    lines(t("receipt_next", lang), regular, 9.5, 12.5)
    c.setFont(regular, 8)
    c.drawString(margin, margin, f"{receipt['url']}  ·  {t('all_free', lang)}")
    c.showPage()
    c.save()
    return buffer.getvalue()


def booking_pdf(booking: dict, office, lang: str = "id") -> bytes:
    """PDF bytes for ``booking`` (the dict of :func:`queue_server.bookings.booking_public`)
    of ``office``; texts in ``lang`` ("id" or "en"). Page A5 (148 × 210 mm), margins 12 mm."""
    buffer = io.BytesIO()
    c, regular, bold, y, qr_bottom, qr_size = _page_head(buffer, office, t("your_booking", lang),
                                                         t("booking_code", lang), booking["code"],
                                                         booking["status_url"])
    width, height = A5
    margin = 12 * mm

    def lines(text: str, font: str, size: float, gap: float) -> None:
        """Draw ``text`` wrapped, narrower while beside the QR; moves ``y`` down."""
        nonlocal y
        c.setFont(font, size)
        for line in simpleSplit(text, font, size, width - 2 * margin - (qr_size + 4 * mm if y > qr_bottom else 0)):
            c.drawString(margin, y, line)
            y -= gap

    day = format_day(date.fromisoformat(booking["date"]), lang)
    lines(booking["service_name"], bold, 13, 18)
    lines(t("booking_when", lang, day=day, slot=booking["slot"], zone=booking["zone"]), regular, 12, 16)
    y = min(y, qr_bottom - 4) - 4
    lines(t("check_in_help", lang, start=booking["check_in_from"][11:16], end=booking["check_in_until"][11:16]),
          regular, 10, 13)
    lines(f"NIK {booking['nik']}", regular, 10, 13)
    y -= 22
    items = (booking.get("checklist") or {}).get("items") or []
    if items:
        c.setFont(bold, 12)
        c.drawString(margin, y, t("checklist_title", lang))
        y -= 16
        for item in items:
            wrapped = simpleSplit(item.get("label", ""), regular, 10, width - 2 * margin - 14)
            if y - 13 * len(wrapped) < margin + 20:
                c.showPage()
                y = height - margin
            c.setFont(regular, 10)
            c.rect(margin, y - 1, 8, 8)
            for line in wrapped:
                c.drawString(margin + 14, y, line)
                y -= 13
            y -= 3
    c.setFont(regular, 8)
    c.drawString(margin, margin, f"{booking['status_url']}  ·  {t('all_free', lang)}")
    c.showPage()
    c.save()
    return buffer.getvalue()
