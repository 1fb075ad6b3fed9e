"""Thermal layouts as a small list of layout operations.

ONE layout code path: each document function below (``ticket_layout``,
``rejection_layout``, ``pickup_layout``, ``handover_layout``, ``ikm_layout``)
returns a list of operations (:class:`TextLine`, :class:`QrCode`, :class:`Picture`,
:class:`Rule`, :class:`Feed`, :class:`Cut`). :mod:`printing.thermal` renders the same
list either to ESC/POS bytes through python-escpos or to a PNG preview.

Wrapping and transliteration happen here, so both renderers print the very same
lines. Paper: 58 mm = 32 columns / 384 dots, 80 mm = 48 columns / 576 dots, font A
cell 12 x 24 dots (DOMAIN.md "Announcements and tickets").
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Union

from PIL import Image

from .model import HandoverReceipt, IkmInvitation, PickupSlip, RejectionSlip, Ticket
from .text import format_day, format_duration, format_moment, t, transliterate, wrap

#: Font A character cell in dots (width, height) of common 203 dpi printers.
CELL_DOTS = (12, 24)


@dataclass(frozen=True)
class Paper:
    """Thermal paper: width in mm, columns of font A, printable width in dots."""

    mm: int
    columns: int
    dots: int


PAPERS = {58: Paper(58, 32, 384), 80: Paper(80, 48, 576)}


def get_paper(paper: int | Paper) -> Paper:
    """Return the :class:`Paper` for 58 or 80 (mm). Raises ValueError otherwise."""
    if isinstance(paper, Paper):
        return paper
    try:
        return PAPERS[int(paper)]
    except (KeyError, ValueError, TypeError):
        raise ValueError(f"paper must be 58 or 80 (mm), got {paper!r}") from None


@dataclass(frozen=True)
class TextLine:
    """One printed line. ``width``/``height`` are character magnifications 1..8
    (ESC/POS GS !). The text never exceeds ``columns // width`` characters."""

    text: str
    align: str = "left"
    bold: bool = False
    width: int = 1
    height: int = 1
    invert: bool = False


@dataclass(frozen=True)
class QrCode:
    """A QR code of ``data``; ``module_dots`` dots per module (1..16), centred."""

    data: str
    module_dots: int = 6


@dataclass(frozen=True)
class Picture:
    """A 1-bit picture exactly the paper's dot width (content centred by the builder)."""

    image: Image.Image


@dataclass(frozen=True)
class Rule:
    """A full-width line of ``char``."""

    char: str = "-"


@dataclass(frozen=True)
class Feed:
    """``lines`` empty lines."""

    lines: int = 1


@dataclass(frozen=True)
class Cut:
    """Feed and cut the paper."""


Op = Union[TextLine, QrCode, Picture, Rule, Feed, Cut]


class Layout:
    """Builder of layout operations for one paper width and code page.

    Args:
        paper: 58 or 80 (mm) or a :class:`Paper`.
        codepage: Python codec of the printer's character table (default "cp437",
            ESC t 0 on Epson-compatible printers); other characters are
            transliterated (:func:`printing.text.transliterate`).
    """

    def __init__(self, paper: int | Paper = 80, codepage: str = "cp437") -> None:
        self.paper = get_paper(paper)
        self.codepage = codepage
        self.ops: list[Op] = []

    @property
    def columns(self) -> int:
        """Characters per line at normal size."""
        return self.paper.columns

    def clean(self, text: str) -> str:
        """Transliterate ``text`` for the code page."""
        return transliterate(text, self.codepage)

    def line(self, text: str, *, align: str = "left", bold: bool = False, size: int = 1,
             invert: bool = False) -> "Layout":
        """Add ``text`` wrapped at word boundaries to ``columns // size`` characters."""
        if align not in ("left", "center", "right"):
            raise ValueError("align must be left, center or right")
        for part in wrap(self.clean(text), self.columns // size):
            self.ops.append(TextLine(part, align, bold, size, size, invert))
        return self

    def pairs(self, label: str, value: str, *, bold_value: bool = False) -> "Layout":
        """Add "label: value" with the value wrapped under a 2-space hanging indent."""
        text = f"{self.clean(label)}: {self.clean(value)}"
        for part in wrap(text, self.columns, subsequent_indent="  "):
            self.ops.append(TextLine(part, bold=bold_value))
        return self

    def items(self, items, *, bullet: str = "[ ] ") -> "Layout":
        """Add each item with ``bullet`` (tick box by default) and hanging indent."""
        pad = " " * len(bullet)
        for item in items:
            for part in wrap(self.clean(item), self.columns, indent=bullet,
                             subsequent_indent=pad):
                self.ops.append(TextLine(part))
        return self

    def big(self, text: str, *, max_size: int = 8) -> "Layout":
        """Add ``text`` centred at the largest magnification (1..``max_size``) that
        fits on one line: ``columns // len(text)``."""
        text = self.clean(text)
        size = max(1, min(max_size, 8, self.columns // max(1, len(text))))
        return self.line(text, align="center", bold=True, size=size)

    def qr(self, data: str, module_dots: int | None = None) -> "Layout":
        """Add a centred QR code; module size 6 dots on 80 mm, 5 on 58 mm by default."""
        if data:
            self.ops.append(QrCode(data, module_dots or (6 if self.paper.dots >= 576 else 5)))
        return self

    def image(self, source: str | Path | Image.Image, *, width_dots: int | None = None) -> "Layout":
        """Add a picture scaled to ``width_dots`` (default: a third of the paper),
        dithered to 1 bit and centred on a canvas of the paper's dot width."""
        img = source if isinstance(source, Image.Image) else Image.open(source)
        img = img.convert("RGBA")
        background = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, img).convert("L")
        width = min(self.paper.dots, width_dots or self.paper.dots // 3)
        height = max(1, round(img.height * width / img.width))
        img = img.resize((width, height), Image.LANCZOS)
        canvas = Image.new("L", (self.paper.dots, height), 255)
        canvas.paste(img, ((self.paper.dots - width) // 2, 0))
        self.ops.append(Picture(canvas.convert("1")))
        return self

    def rule(self, char: str = "-") -> "Layout":
        """Add a full-width rule."""
        self.ops.append(Rule(char))
        return self

    def feed(self, lines: int = 1) -> "Layout":
        """Add ``lines`` empty lines."""
        self.ops.append(Feed(lines))
        return self

    def cut(self) -> "Layout":
        """Feed and cut."""
        self.ops.append(Cut())
        return self

    def header(self, office_name: str, logo: str | Path | Image.Image | None) -> "Layout":
        """Office logo (if any) and name, centred, followed by a rule."""
        if logo is not None:
            self.image(logo, width_dots=self.paper.dots // 4)
        self.line(office_name.upper(), align="center", bold=True)
        return self.rule()

    def signature_columns(self, left_title: str, right_title: str, left_name: str,
                          right_name: str, *, space_lines: int = 3) -> "Layout":
        """Two signature blocks side by side: titles, blank space, lines, names."""
        half = self.columns // 2

        def row(a: str, b: str) -> None:
            a_parts = wrap(self.clean(a), half - 1)
            b_parts = wrap(self.clean(b), half - 1)
            for i in range(max(len(a_parts), len(b_parts))):
                left = a_parts[i] if i < len(a_parts) else ""
                right = b_parts[i] if i < len(b_parts) else ""
                self.ops.append(TextLine((left.center(half) + right.center(half)).rstrip()))

        row(left_title, right_title)
        self.feed(space_lines)
        line = "_" * (half - 4)
        row(line, line)
        row(f"({left_name})", f"({right_name})")
        return self


def ticket_layout(ticket: Ticket, paper: int | Paper = 80, *, codepage: str = "cp437",
                  logo: str | Path | Image.Image | None = None) -> list[Op]:
    """Queue ticket: header + logo, service, very large number, date/time + zone,
    people ahead and estimated wait, requirement checklist with "[ ]" boxes, QR of
    the status URL/code, privacy line, cut (DOMAIN.md "Announcements and tickets")."""
    lang = ticket.lang
    lay = Layout(paper, codepage).header(ticket.office_name, logo)
    lay.line(ticket.service_name, align="center", bold=True)
    lay.line(t("queue_number", lang), align="center")
    lay.big(ticket.number)
    if ticket.priority:
        lay.line(t("priority_ticket", lang, category=ticket.priority), align="center", bold=True)
    lay.line(format_moment(ticket.issued_at, ticket.zone, lang), align="center")
    lay.rule()
    lay.line(t("people_ahead", lang, n=ticket.people_ahead))
    if ticket.estimated_wait_seconds is None:
        wait = t("wait_unknown", lang)
    else:
        wait = t("about", lang, t=format_duration(ticket.estimated_wait_seconds, lang))
    lay.line(t("estimated_wait", lang, t=wait))
    if ticket.checklist:
        lay.rule()
        lay.line(t("checklist_title", lang), bold=True)
        lay.items(ticket.checklist)
    if ticket.qr_payload:
        lay.rule()
        lay.qr(ticket.qr_payload)
        lay.line(t("scan_status", lang), align="center")
        if ticket.status_code:
            lay.line(t("status_code", lang, code=ticket.status_code), align="center", bold=True)
    lay.rule()
    lay.line(t("keep_ticket", lang), align="center")
    lay.line(t("privacy", lang), align="center")
    return lay.cut().ops


def rejection_layout(slip: RejectionSlip, paper: int | Paper = 80, *, codepage: str = "cp437",
                     logo: str | Path | Image.Image | None = None) -> list[Op]:
    """Slip for a returned, incomplete berkas (SOP 000 row 1): what is missing,
    officer and counter, when."""
    lang = slip.lang
    lay = Layout(paper, codepage).header(slip.office_name, logo)
    lay.line(t("rejection_title", lang), align="center", bold=True, size=2 if lay.columns >= 40 else 1)
    lay.feed()
    lay.pairs(t("service", lang), slip.service_name)
    lay.pairs(t("number", lang), slip.number)
    lay.pairs(t("date", lang), format_moment(slip.issued_at, slip.zone, lang))
    lay.rule()
    lay.line(t("missing_title", lang), bold=True)
    lay.items(slip.missing)
    if slip.notes:
        lay.feed()
        lay.pairs(t("notes", lang), slip.notes)
    lay.rule()
    officer = slip.officer + (f" ({_named(t('counter', lang), slip.counter, ': ')})" if slip.counter else "")
    lay.pairs(t("officer", lang), officer)
    lay.feed()
    lay.line(t("rejection_footer", lang), align="center")
    return lay.cut().ops


def _named(word: str, name: str, sep: str) -> str:
    """``name`` of a place of kind ``word`` without doubling it: "Loket 5" stays "Loket 5"
    (not "Loket: Loket 5"), "5" becomes "Loket 5", "Aula B" becomes "Loket: Aula B"."""
    name = name.strip()
    if name.casefold().startswith(word.casefold()):
        return name
    return f"{word} {name}" if name.isdigit() else f"{word}{sep}{name}"


def pickup_layout(slip: PickupSlip, paper: int | Paper = 80, *, codepage: str = "cp437",
                  logo: str | Path | Image.Image | None = None) -> list[Op]:
    """Slip pengambilan: application code as text and QR, items, ready date, place
    (counter / office / kecamatan, SOP 001), what to bring."""
    lang = slip.lang
    lay = Layout(paper, codepage).header(slip.office_name, logo)
    lay.line(t("pickup_title", lang), align="center", bold=True)
    lay.line(t("application_code", lang), align="center")
    lay.big(slip.application_code, max_size=2)
    lay.rule()
    lay.pairs(t("applicant", lang), slip.applicant_name)
    lay.line(f"{t('documents', lang)}:")
    lay.items(slip.items, bullet="- ")
    lay.pairs(t("ready_from", lang), format_day(slip.ready_date, lang), bold_value=True)
    place = _named(t("place_" + slip.place_kind, lang), slip.place_name, ": ")
    lay.pairs(t("place", lang), place, bold_value=True)
    if slip.bring:
        lay.line(t("bring_title", lang))
        lay.items(slip.bring)
    lay.rule()
    lay.qr(slip.qr_payload)
    lay.line(format_moment(slip.issued_at, slip.zone, lang), align="center")
    lay.line(t("show_slip", lang), align="center")
    if slip.complaints:  # SOP 004: where to complain or give feedback
        lay.rule()
        lay.line(t("complaints_title", lang), bold=True)
        lay.items(slip.complaints, bullet="- ")
    return lay.cut().ops


def handover_layout(receipt: HandoverReceipt, paper: int | Paper = 80, *, codepage: str = "cp437",
                    logo: str | Path | Image.Image | None = None) -> list[Op]:
    """Tanda terima: document, receiver (name as on their ID) and relation, officer,
    time, with two signature lines (SOP 000 hand-over; SOP 001 delivery report)."""
    lang = receipt.lang
    lay = Layout(paper, codepage).header(receipt.office_name, logo)
    lay.line(t("handover_title", lang), align="center", bold=True)
    lay.feed()
    lay.pairs(t("application_code", lang), receipt.application_code)
    lay.pairs(t("document", lang), receipt.document)
    if receipt.applicant_name:
        lay.pairs(t("applicant", lang), receipt.applicant_name)
    lay.pairs(t("received_by", lang), receipt.received_by)
    lay.pairs(t("relation", lang), receipt.relation)
    lay.pairs(t("officer", lang), receipt.officer)
    lay.pairs(t("handed_over_at", lang), format_moment(receipt.handed_over_at, receipt.zone, lang))
    lay.feed()
    lay.signature_columns(t("receiver_sign", lang), t("officer_sign", lang),
                          receipt.received_by, receipt.officer)
    return lay.cut().ops


def ikm_layout(invite: IkmInvitation, paper: int | Paper = 80, *, codepage: str = "cp437",
               logo: str | Path | Image.Image | None = None) -> list[Op]:
    """IKM survey invitation with QR (Permen PANRB 14/2017; SOP 004)."""
    lang = invite.lang
    lay = Layout(paper, codepage).header(invite.office_name, logo)
    lay.line(t("ikm_title", lang), align="center", bold=True)
    if invite.service_name:
        lay.line(invite.service_name, align="center")
    lay.feed()
    lay.line(t("ikm_body", lang), align="center")
    lay.qr(invite.survey_url)
    lay.line(invite.survey_url, align="center")
    if invite.survey_code:
        lay.line(t("ikm_code", lang, code=invite.survey_code), align="center", bold=True)
    lay.line(t("thanks", lang), align="center")
    return lay.cut().ops


def text_lines(ops: list[Op]) -> list[TextLine]:
    """The text lines of a layout (for checks and logs)."""
    return [op for op in ops if isinstance(op, TextLine)]
