"""The report files: one registry entry per report, used by the API
(``/api/v1/reports/...?format=pdf|xlsx``) and by ``loket report`` alike.

:data:`REPORT_FILES` maps a report kind to its file stem and to one renderer per format;
a renderer takes the report's data (the printing model: ``DailyRecap``, a distribution
recap, Register rows) and a :class:`FileContext` and returns the file's bytes. Adding a
report is one entry here, its data function in ``queue_server.reports`` and its layouts
in ``printing``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable

from printing.reports import render_daily_recap, render_distribution_recap, render_register
from printing.xlsx import daily_recap_xlsx, distribution_recap_xlsx, register_xlsx

__all__ = ["FileContext", "MIMETYPES", "REPORT_FILES", "file_name", "render_file"]

#: MIME type of each file format.
MIMETYPES = {"pdf": "application/pdf",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass(frozen=True)
class FileContext:
    """What a report file names besides its data: the office's name, the period
    (``start``..``end``, office days), the language and when it was printed (the
    office's local time, aware: the footer shows it with its zone, e.g. WITA; None:
    now in the PC's zone)."""

    office_name: str
    start: date
    end: date
    lang: str = "id"
    printed_at: datetime | None = None


Renderer = Callable[[Any, FileContext], bytes]


def _register_pdf(rows, c: FileContext) -> bytes:
    return render_register(rows, office_name=c.office_name, date_from=c.start, date_to=c.end, lang=c.lang,
                           printed_at=c.printed_at)


#: Report kind → (file stem, {format: renderer}).
REPORT_FILES: dict[str, tuple[str, dict[str, Renderer]]] = {
    "daily": ("rekap-harian", {"pdf": lambda recap, c: render_daily_recap(recap, lang=c.lang,
                                                                          printed_at=c.printed_at),
                               "xlsx": lambda recap, c: daily_recap_xlsx(recap)}),
    "distribution": ("rekap-distribusi", {"pdf": lambda recap, c: render_distribution_recap(
                                              recap, lang=c.lang, printed_at=c.printed_at),
                                          "xlsx": lambda recap, c: distribution_recap_xlsx(recap)}),
    "register": ("register-kia", {"pdf": _register_pdf, "xlsx": lambda rows, c: register_xlsx(rows)}),
}


def batch_pdf(ctx, batch_data: dict, lang: str = "id") -> bytes:
    """The signed list of one distribution batch (``online.batch_dict``): the
    distribution recap's layout under a line naming the batch and its pickup office, with
    the officer who sent it (full name) under "handed over by" and a blank line for the
    Kepala UPTD receiving it (SOP 001 row 5)."""
    from .db.models import DistributionBatch, Staff
    from .reports import batch_recap
    office = ctx.office(batch_data["office"])
    batch = DistributionBatch.get_by_id(batch_data["id"])
    sender = Staff.get_or_none(Staff.username == batch.created_by)
    kiriman = {"id": "Kiriman", "en": "Batch"}["en" if lang == "en" else "id"]
    return render_distribution_recap(batch_recap(office, batch), lang=lang, printed_at=ctx.local(office),
                                     handed_by=(sender.full_name if sender and sender.full_name else batch.created_by),
                                     subtitle=f"{kiriman} {batch.code} → {batch_data['pickup_name']}")


def render_file(kind: str, fmt: str, data: Any, context: FileContext) -> bytes:
    """The bytes of report ``kind`` in ``fmt`` ("pdf" or "xlsx"). Raises ``KeyError``
    for an unknown kind or format."""
    return REPORT_FILES[kind][1][fmt](data, context)


def file_name(kind: str, office_code: str, start: date, end: date | None = None, fmt: str | None = None) -> str:
    """``<stem>-<office>-<start>[-<end>][.<fmt>]``, e.g. ``rekap-harian-paser-2026-11-23.pdf``
    (``end`` given: a period, named with both dates)."""
    span = start.isoformat() if end is None else f"{start.isoformat()}-{end.isoformat()}"
    return f"{REPORT_FILES[kind][0]}-{office_code}-{span}" + (f".{fmt}" if fmt else "")
