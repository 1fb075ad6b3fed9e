"""Text helpers shared by the thermal layouts and the PDFs: message catalogue,
code-page transliteration, column wrapping, date and duration formatting.

User-facing text is Bahasa Indonesia by default, English with ``lang="en"``.
"""
from __future__ import annotations

import codecs
import math
import textwrap
from datetime import date, datetime

from babel.dates import format_date, format_datetime
from unidecode import unidecode

#: Message catalogue: key -> {"id": ..., "en": ...}. ``str.format`` fields allowed.
MESSAGES: dict[str, dict[str, str]] = {
    "queue_number": {"id": "NOMOR ANTREAN", "en": "QUEUE NUMBER"},
    "service": {"id": "Layanan", "en": "Service"},
    "people_ahead": {"id": "Antrean sebelum Anda: {n}", "en": "People ahead of you: {n}"},
    "priority_ticket": {"id": "** PRIORITAS: {category} **", "en": "** PRIORITY: {category} **"},
    "estimated_wait": {"id": "Perkiraan waktu tunggu: {t}", "en": "Estimated wait: {t}"},
    "wait_unknown": {"id": "belum dapat diperkirakan", "en": "not yet known"},
    "checklist_title": {"id": "Siapkan persyaratan berikut:", "en": "Please have these ready:"},
    "scan_status": {"id": "Pindai untuk memantau antrean", "en": "Scan to follow the queue"},
    "status_code": {"id": "Kode status: {code}", "en": "Status code: {code}"},
    "privacy": {"id": "Tiket ini tidak memuat data pribadi Anda.",
                "en": "This ticket holds none of your personal data."},
    "keep_ticket": {"id": "Simpan tiket sampai nomor Anda dipanggil.",
                    "en": "Keep this ticket until your number is called."},
    "rejection_title": {"id": "BERKAS BELUM LENGKAP", "en": "APPLICATION INCOMPLETE"},
    "number": {"id": "Nomor antrean", "en": "Queue number"},
    "date": {"id": "Tanggal", "en": "Date"},
    "missing_title": {"id": "Yang perlu dilengkapi:", "en": "Still needed:"},
    "notes": {"id": "Catatan", "en": "Notes"},
    "officer": {"id": "Petugas", "en": "Officer"},
    "counter": {"id": "Loket", "en": "Counter"},
    "rejection_footer": {"id": "Silakan lengkapi persyaratan di atas lalu datang kembali.",
                         "en": "Please complete the items above and come back."},
    "pickup_title": {"id": "SLIP PENGAMBILAN", "en": "PICKUP SLIP"},
    "application_code": {"id": "Kode permohonan", "en": "Application code"},
    "applicant": {"id": "Nama pemohon", "en": "Applicant"},
    "documents": {"id": "Dokumen", "en": "Documents"},
    "ready_from": {"id": "Dapat diambil mulai", "en": "Ready from"},
    "place": {"id": "Tempat pengambilan", "en": "Pickup place"},
    "place_counter": {"id": "Loket", "en": "Counter"},
    "place_office": {"id": "Kantor", "en": "Office"},
    "place_kecamatan": {"id": "Kecamatan/UPTD", "en": "District office (UPTD)"},
    "bring_title": {"id": "Bawa saat mengambil:", "en": "Bring on pickup:"},
    "complaints_title": {"id": "Saran dan pengaduan:", "en": "Suggestions and complaints:"},
    "show_slip": {"id": "Tunjukkan slip ini saat mengambil dokumen.",
                  "en": "Show this slip when collecting the documents."},
    "handover_title": {"id": "TANDA TERIMA", "en": "HAND-OVER RECEIPT"},
    "document": {"id": "Dokumen", "en": "Document"},
    "received_by": {"id": "Diterima oleh", "en": "Received by"},
    "relation": {"id": "Hubungan dengan pemohon", "en": "Relation to applicant"},
    "handed_over_at": {"id": "Waktu penyerahan", "en": "Handed over at"},
    "receiver_sign": {"id": "Yang menerima", "en": "Receiver"},
    "officer_sign": {"id": "Petugas", "en": "Officer"},
    "ikm_title": {"id": "SURVEI KEPUASAN MASYARAKAT", "en": "PUBLIC SATISFACTION SURVEY"},
    "ikm_body": {"id": "Bantu kami meningkatkan pelayanan. Pindai kode QR untuk mengisi "
                       "survei singkat (9 pertanyaan, tanpa nama).",
                 "en": "Help us improve our service. Scan the QR code to answer a short "
                       "survey (9 questions, anonymous)."},
    "ikm_code": {"id": "Kode survei: {code}", "en": "Survey code: {code}"},
    "thanks": {"id": "Terima kasih.", "en": "Thank you."},
    "minutes": {"id": "{m} menit", "en": "{m} min"},
    "hours_minutes": {"id": "{h} jam {m} menit", "en": "{h} h {m} min"},
    "hours": {"id": "{h} jam", "en": "{h} h"},
    "about": {"id": "± {t}", "en": "about {t}"},
}


def t(key: str, lang: str = "id", **fields: object) -> str:
    """Return catalogue text ``key`` in ``lang`` (falls back to Indonesian), formatted
    with ``fields``. Raises KeyError for an unknown key."""
    entry = MESSAGES[key]
    text = entry.get(lang) or entry["id"]
    return text.format(**fields) if fields else text


def transliterate(text: str, codepage: str = "cp437") -> str:
    """Return ``text`` printable in ``codepage`` (a Python codec name, e.g. "cp437",
    "cp858" or "ascii"): characters the code page can encode are kept, others are
    transliterated with unidecode ("–" -> "-", "’" -> "'", "Ł" -> "L"); a character
    unidecode cannot spell (emoji) becomes "?" so nothing is silently dropped.
    Tabs and newlines become spaces; other control characters are removed.
    """
    codecs.lookup(codepage)
    out: list[str] = []
    for ch in text:
        if ch in "\t\r\n":
            out.append(" ")
            continue
        if ord(ch) < 32 or ord(ch) == 127:
            continue
        try:
            ch.encode(codepage)
            out.append(ch)
            continue
        except UnicodeEncodeError:
            pass
        ascii_form = unidecode(ch)
        out.append(ascii_form if ascii_form else "?")
    return "".join(out)


def wrap(text: str, columns: int, *, indent: str = "", subsequent_indent: str = "") -> list[str]:
    """Wrap ``text`` at word boundaries into lines of at most ``columns`` characters.

    Words longer than a line are broken; hyphenated names break after the hyphen.
    An empty text gives one empty line. Raises ValueError if ``columns`` is too small
    for the indents.
    """
    if columns < 1 or columns <= max(len(indent), len(subsequent_indent)):
        raise ValueError("columns too small")
    text = " ".join(text.split())
    if not text:
        return [indent.rstrip()]
    return textwrap.wrap(text, width=columns, initial_indent=indent,
                         subsequent_indent=subsequent_indent, break_long_words=True,
                         break_on_hyphens=True)


def _naive_local(moment: datetime) -> datetime:
    # The aware datetime is already in the office's zone: print its wall-clock time.
    return moment.replace(tzinfo=None)


def format_moment(moment: datetime, zone: str, lang: str = "id") -> str:
    """``"Senin, 5 Desember 2022 09:15 WITA"`` (babel CLDR names) for ``lang``."""
    return f"{format_datetime(_naive_local(moment), 'EEEE, d MMMM y HH:mm', locale=lang)} {zone}"


def format_day(day: date, lang: str = "id", *, weekday: bool = True) -> str:
    """``"Senin, 12 Desember 2022"`` (or without weekday) for ``lang``."""
    pattern = "EEEE, d MMMM y" if weekday else "d MMMM y"
    return format_date(day, pattern, locale=lang)


def format_duration(seconds: float, lang: str = "id") -> str:
    """Human duration rounded **up** to whole minutes: 61 s -> "2 menit",
    4500 s -> "1 jam 15 menit" (en: "2 min", "1 h 15 min"). 0 s -> "0 menit"."""
    minutes = int(math.ceil(max(0.0, seconds) / 60.0))
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return t("hours_minutes", lang, h=hours, m=rest)
    if hours:
        return t("hours", lang, h=hours)
    return t("minutes", lang, m=minutes)
