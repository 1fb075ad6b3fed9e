"""KIA card PDFs (Permendagri 2/2016) and their delivery to a card printer.

* :func:`render_card` -> a 2-page PDF (front, back), each page exactly ID-1
  (ISO/IEC 7810) 85.60 x 53.98 mm, for card printers driven through CUPS.
* :func:`render_batch` -> A4 sheets of 8 cards (fronts page, then backs page
  mirrored for long-edge duplex) with crop marks, for print shops / pre-cut stock.
* :class:`CardOutput` delivers a PDF to ``cups://QUEUE`` (``lp -d QUEUE``) or
  ``spool://DIR`` (a file per card, e.g. for a printer PC polling a share).

Printed data follow DOMAIN.md "KIA" (the front/back split is not fixed by a
public source; identity data on the front, address, issue and signature on the
back). Variant 1 has no photo, variant 2 shows the photo. Fonts: embedded DejaVu Sans.
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path
from typing import Iterable, Sequence
from urllib.parse import urlsplit, unquote

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from .assets import DEFAULT_LOGO
from .errors import PrinterConfigError, PrinterError, PrinterOffline, PrinterTimeout
from .model import KiaCard
from .pdffonts import register_fonts

#: ID-1 card size in points (ISO/IEC 7810): 85.60 x 53.98 mm.
CARD_WIDTH = 85.60 * mm
CARD_HEIGHT = 53.98 * mm
CARD_SIZE = (CARD_WIDTH, CARD_HEIGHT)

_BAND = colors.HexColor("#1f4e8c")
_TINT = colors.HexColor("#e8f0fb")
_SEX = {"L": "LAKI-LAKI", "P": "PEREMPUAN"}


def _d(day: date) -> str:
    return day.strftime("%d-%m-%Y")


def _fit(text: str, font: str, size: float, width: float, *, min_size: float = 3.0,
         max_lines: int = 2) -> tuple[list[str], float]:
    """Fit ``text`` into ``width`` points: one line shrunk by at most 15 % from
    ``size``; otherwise wrapped at ``size`` into at most ``max_lines`` lines, shrinking
    until it fits or ``min_size`` pt is reached. Returns (lines, font size)."""
    s = size
    while s > size * 0.85 and stringWidth(text, font, s) > width:
        s -= 0.1
    if stringWidth(text, font, s) <= width:
        return [text], s
    s = size
    while True:
        lines = simpleSplit(text, font, s, width)
        fits = len(lines) <= max_lines and all(stringWidth(x, font, s) <= width for x in lines)
        if fits or s <= min_size:
            return lines, s
        s -= 0.1


class _CardDrawer:
    """Draws one card side at (x, y) on a canvas (shared by single and batch PDFs)."""

    def __init__(self, canvas: Canvas, logo: str | Path | None) -> None:
        self.c = canvas
        self.font, self.bold = register_fonts()
        self.logo = ImageReader(str(logo)) if logo else None

    def _band(self, card: KiaCard) -> None:
        c = self.c
        band_h = 9 * mm
        c.setFillColor(_TINT)
        c.rect(0, 0, CARD_WIDTH, CARD_HEIGHT, stroke=0, fill=1)
        c.setFillColor(_BAND)
        c.rect(0, CARD_HEIGHT - band_h, CARD_WIDTH, band_h, stroke=0, fill=1)
        if self.logo is not None:
            c.drawImage(self.logo, 1.5 * mm, CARD_HEIGHT - band_h + 0.8 * mm, 7.4 * mm, 7.4 * mm,
                        preserveAspectRatio=True, mask="auto")
        c.setFillColor(colors.white)
        header = [line for line in (card.region_header or "").splitlines() if line.strip()]
        lines = header or ["REPUBLIK INDONESIA"]
        top = CARD_HEIGHT - 3.3 * mm
        for i, line in enumerate(lines[:3]):
            fitted, size = _fit(line.upper(), self.bold, 5.6, CARD_WIDTH - 22 * mm, max_lines=1)
            c.setFont(self.bold, size)
            c.drawCentredString(CARD_WIDTH / 2, top - i * 2.6 * mm, fitted[0])

    def _rows(self, rows: Sequence[tuple[str, str]], x: float, top: float, width: float,
              label_w: float = 21 * mm, size: float = 4.9, leading: float = 2.45 * mm) -> float:
        c = self.c
        y = top
        for label, value in rows:
            c.setFillColor(colors.black)
            c.setFont(self.font, size)
            c.drawString(x, y, label)
            c.drawString(x + label_w - 1.6 * mm, y, ":")
            lines, s = _fit(value, self.bold, size, width - label_w)
            c.setFont(self.bold, s)
            for line in lines:
                c.drawString(x + label_w, y, line)
                y -= leading
        return y

    def front(self, card: KiaCard, x: float, y: float) -> None:
        c = self.c
        c.saveState()
        c.translate(x, y)
        self._band(card)
        c.setFillColor(_BAND)
        c.setFont(self.bold, 7.2)
        c.drawCentredString(CARD_WIDTH / 2, CARD_HEIGHT - 12.4 * mm, "KARTU IDENTITAS ANAK")
        photo_w, photo_h = 19 * mm, 25 * mm
        text_w = CARD_WIDTH - 5 * mm - (photo_w + 3 * mm if card.variant == 2 else 0)
        rows = [
            ("NIK", card.nik),
            ("Nama", card.name),
            ("Tempat/Tgl Lahir", f"{card.birth_place}, {_d(card.birth_date)}"),
            ("Jenis Kelamin", _SEX[card.sex]),
            ("No. KK", card.kk_number),
            ("Kepala Keluarga", card.head_of_family),
            ("No. Akta Kelahiran", card.birth_certificate_number),
            ("Agama", card.religion),
            ("Kewarganegaraan", card.nationality),
            ("Berlaku Hingga", _d(card.valid_until)),
        ]
        self._rows(rows, 2.5 * mm, CARD_HEIGHT - 16 * mm, text_w)
        if card.variant == 2 and card.photo_jpeg:
            px = CARD_WIDTH - photo_w - 2.5 * mm
            py = CARD_HEIGHT - 14.2 * mm - photo_h
            c.drawImage(ImageReader(io.BytesIO(card.photo_jpeg)), px, py, photo_w, photo_h,
                        preserveAspectRatio=True, anchor="c")
            c.setStrokeColor(_BAND)
            c.setLineWidth(0.4)
            c.rect(px, py, photo_w, photo_h, stroke=1, fill=0)
        self._specimen(card)
        c.restoreState()

    def _specimen(self, card: KiaCard) -> None:
        """"CONTOH - TIDAK SAH" across the side of a specimen card (translucent red)."""
        if not card.specimen:
            return
        c = self.c
        c.saveState()
        c.translate(CARD_WIDTH / 2, CARD_HEIGHT / 2)
        c.rotate(24)
        text = "CONTOH - TIDAK SAH"
        size = 12
        t = c.beginText(-stringWidth(text, self.bold, size) / 2, -2 * mm)
        t.setFont(self.bold, size)
        t.setTextRenderMode(2)  # filled and outlined: readable over a red photo background too
        c.setFillColor(colors.Color(0.8, 0.1, 0.1, alpha=0.55))
        c.setStrokeColor(colors.Color(1, 1, 1, alpha=0.8))
        c.setLineWidth(0.25)
        t.textLine(text)
        c.drawText(t)
        c.restoreState()

    def back(self, card: KiaCard, x: float, y: float) -> None:
        c = self.c
        c.saveState()
        c.translate(x, y)
        c.setFillColor(_TINT)
        c.rect(0, 0, CARD_WIDTH, CARD_HEIGHT, stroke=0, fill=1)
        c.setFillColor(_BAND)
        c.rect(0, CARD_HEIGHT - 2 * mm, CARD_WIDTH, 2 * mm, stroke=0, fill=1)
        rows = [("Alamat", card.address), ("Diterbitkan oleh", card.issuing_office)]
        bottom = self._rows(rows, 2.5 * mm, CARD_HEIGHT - 5.5 * mm, CARD_WIDTH - 5 * mm)
        # QR code (vector, reportlab barcode widget) at the lower left.
        qr_size = 21 * mm
        widget = QrCodeWidget(card.qr_payload, barLevel="M")
        x0, y0, x1, y1 = widget.getBounds()
        drawing = Drawing(qr_size, qr_size,
                          transform=[qr_size / (x1 - x0), 0, 0, qr_size / (y1 - y0), 0, 0])
        drawing.initialFontName = self.font  # no stray Helvetica resource
        drawing.add(widget)
        renderPDF.draw(drawing, c, 2.5 * mm, 2.5 * mm)
        # Place/date, title, signature line, name and NIP at the lower right.
        cx = CARD_WIDTH - 22 * mm
        col_w = 38 * mm
        top = min(bottom - 0.6 * mm, CARD_HEIGHT - 19 * mm)
        c.setFillColor(colors.black)
        c.setFont(self.font, 4.8)
        c.drawCentredString(cx, top, f"{card.issue_place}, {_d(card.issue_date)}")
        title_lines, s = _fit(card.head_title, self.font, 4.6, col_w, max_lines=3)
        c.setFont(self.font, s)
        ty = top - 2.3 * mm
        for line in title_lines:
            c.drawCentredString(cx, ty, line)
            ty -= 2.0 * mm
        sign_y = 8.2 * mm
        c.setStrokeColor(colors.black)
        c.setLineWidth(0.3)
        c.line(cx - col_w / 2 + 3 * mm, sign_y, cx + col_w / 2 - 3 * mm, sign_y)
        name_lines, s = _fit(card.head_name, self.bold, 5.0, col_w, max_lines=1)
        c.setFont(self.bold, s)
        c.drawCentredString(cx, sign_y - 2.4 * mm, name_lines[0])
        c.setFont(self.font, 4.6)
        c.drawCentredString(cx, sign_y - 4.6 * mm, f"NIP. {card.head_nip}")
        self._specimen(card)
        c.restoreState()


def render_card(card: KiaCard, *, logo: str | Path | None = DEFAULT_LOGO) -> bytes:
    """PDF bytes of one KIA: page 1 front, page 2 back, each exactly
    85.60 x 53.98 mm (ID-1). ``logo`` is drawn in the front band (None: no logo).
    Variant 2 embeds ``card.photo_jpeg``; variant 1 never has a photo."""
    buffer = io.BytesIO()
    font, _ = register_fonts()
    c = Canvas(buffer, pagesize=CARD_SIZE, pageCompression=1, initialFontName=font)
    c.setTitle(f"KIA {card.nik}")
    c.setAuthor(card.issuing_office)
    c.setSubject("Kartu Identitas Anak (Permendagri 2/2016)")
    drawer = _CardDrawer(c, logo)
    drawer.front(card, 0, 0)
    c.showPage()
    drawer.back(card, 0, 0)
    c.showPage()
    c.save()
    return buffer.getvalue()


#: Batch sheet geometry: 2 columns x 4 rows of cards on A4 portrait, 8 mm gutters.
BATCH_COLUMNS, BATCH_ROWS = 2, 4
_GUTTER = 8 * mm


def _slots() -> list[tuple[float, float]]:
    page_w, page_h = A4
    total_w = BATCH_COLUMNS * CARD_WIDTH + (BATCH_COLUMNS - 1) * _GUTTER
    total_h = BATCH_ROWS * CARD_HEIGHT + (BATCH_ROWS - 1) * _GUTTER
    x0 = (page_w - total_w) / 2
    y_top = (page_h + total_h) / 2
    slots = []
    for row in range(BATCH_ROWS):
        for col in range(BATCH_COLUMNS):
            slots.append((x0 + col * (CARD_WIDTH + _GUTTER),
                          y_top - (row + 1) * CARD_HEIGHT - row * _GUTTER))
    return slots


def _crop_marks(c: Canvas, x: float, y: float) -> None:
    c.setStrokeColor(colors.black)
    c.setLineWidth(0.25)
    gap, length = 1 * mm, 3 * mm
    for cx, cy, sx, sy in ((x, y, -1, -1), (x + CARD_WIDTH, y, 1, -1),
                           (x, y + CARD_HEIGHT, -1, 1), (x + CARD_WIDTH, y + CARD_HEIGHT, 1, 1)):
        c.line(cx + sx * gap, cy, cx + sx * (gap + length), cy)
        c.line(cx, cy + sy * gap, cx, cy + sy * (gap + length))


def render_batch(cards: Iterable[KiaCard], *, logo: str | Path | None = DEFAULT_LOGO) -> bytes:
    """A4 PDF for a print run: per 8 cards one page of fronts, then one page of backs
    with the columns mirrored (long-edge duplex puts each back behind its front),
    crop marks at every card corner. Raises ValueError for no cards."""
    cards = list(cards)
    if not cards:
        raise ValueError("render_batch needs at least one card")
    buffer = io.BytesIO()
    font, _ = register_fonts()
    c = Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=font)
    c.setTitle(f"KIA batch ({len(cards)} cards)")
    drawer = _CardDrawer(c, logo)
    slots = _slots()
    per_sheet = len(slots)
    for start in range(0, len(cards), per_sheet):
        chunk = cards[start:start + per_sheet]
        for card, (x, y) in zip(chunk, slots):
            drawer.front(card, x, y)
            _crop_marks(c, x, y)
        c.showPage()
        for i, card in enumerate(chunk):
            row, col = divmod(i, BATCH_COLUMNS)
            x, y = slots[row * BATCH_COLUMNS + (BATCH_COLUMNS - 1 - col)]
            drawer.back(card, x, y)
            _crop_marks(c, x, y)
        c.showPage()
    c.save()
    return buffer.getvalue()


def send_to_cups(pdf: bytes, queue: str, *, title: str = "KIA", timeout: float = 30.0) -> str:
    """Print ``pdf`` on CUPS queue ``queue`` with ``lp -d QUEUE -t TITLE`` (stdin).

    Returns lp's answer (e.g. "request id is KIA-12 (1 file(s))").
    Raises PrinterConfigError (code "lp_missing") when ``lp`` is not installed,
    PrinterOffline (code "cups_rejected") when lp fails, PrinterTimeout after
    ``timeout`` seconds.
    """
    lp = shutil.which("lp")
    if lp is None:
        raise PrinterConfigError("the lp command (CUPS client) is not installed", code="lp_missing",
                                 message_id="Perintah lp (CUPS) tidak terpasang.",
                                 message_en="The lp command (CUPS) is not installed.")
    try:
        done = subprocess.run([lp, "-d", queue, "-t", title], input=pdf, capture_output=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise PrinterTimeout(f"lp -d {queue}: no answer within {timeout:g} s") from exc
    if done.returncode != 0:
        raise PrinterOffline(f"lp -d {queue}: {done.stderr.decode(errors='replace').strip()}",
                             code="cups_rejected",
                             message_id="Antrean printer kartu menolak pekerjaan cetak.",
                             message_en="The card printer queue rejected the job.")
    return done.stdout.decode(errors="replace").strip()


def save_to_spool(pdf: bytes, folder: str | Path, name: str) -> Path:
    """Write ``pdf`` atomically to ``folder/name.pdf`` (name sanitised; folder created).
    Returns the path. Raises PrinterError (code "spool_failed") on an OS error."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name).strip(".") or "card"
    if not safe.lower().endswith(".pdf"):
        safe += ".pdf"
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".pdf")
        with os.fdopen(fd, "wb") as handle:
            handle.write(pdf)
        target = folder / safe
        os.replace(tmp, target)
    except OSError as exc:
        raise PrinterError(str(exc), code="spool_failed",
                           message_id="Gagal menyimpan berkas cetak kartu.",
                           message_en="Could not save the card print file.") from exc
    return target


class CardOutput:
    """Where card PDFs go, from a config string: ``cups://QUEUE`` or ``spool://DIR``
    (``spool:///abs/dir`` or ``spool://relative/dir``).

    Raises PrinterConfigError for any other string.
    """

    def __init__(self, config: str) -> None:
        parts = urlsplit(config or "")
        target = unquote(parts.netloc + parts.path)
        if parts.scheme not in ("cups", "spool") or not target:
            raise PrinterConfigError(f"card output must be cups://QUEUE or spool://DIR, got {config!r}")
        self.kind = parts.scheme
        self.target = target.strip("/") if self.kind == "cups" else target
        self.config = config

    def deliver(self, pdf: bytes, name: str) -> str:
        """Send ``pdf`` (job/file ``name``); returns lp's answer or the spooled path."""
        if self.kind == "cups":
            return send_to_cups(pdf, self.target, title=name)
        return str(save_to_spool(pdf, self.target, name))
