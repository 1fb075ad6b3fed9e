"""NIK (Nomor Induk Kependudukan) parsing: structure, hints, warnings.

Layout ``PP KK CC DDMMYY SSSS`` (16 digits; DOMAIN.md "NIK"):

* ``PP`` province, ``KK`` regency/city, ``CC`` district of the **first**
  registration (Kemendagri codes, written ``"32"``, ``"32.01"``, ``"32.01.01"``);
* ``DDMMYY`` birth date, with **40 added to the day for women** (41-71);
* ``SSSS`` serial 0001-9999.

There is **no checksum**. The century is not stored: it is the latest century that
puts the date not in the future relative to ``today`` (so ``...051215...`` is
2015-12-05, not 1915 as python-stdnum's ``stdnum.id.nik`` says).

Sex and birth date read from a NIK are *hints*: changing either does not change the
NIK (Permendagri 108/2019 Pasal 15(3)), so a mismatch with the documents is a
warning for the officer (``compare_with_documents``), never a rejection. Likewise an
unknown region code (historic or newly split regions) and a province code outside
11..96 are warnings only.
"""
from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .errors import Issue, ValidationError

__all__ = ["Issue", "NikInfo", "parse_nik", "compare_with_documents", "NIK_LENGTH"]

NIK_LENGTH = 16
#: Lowest and highest Kemendagri province codes: 11 Aceh .. 96 Papua Barat Daya
#: (Kepmendagri 2025 list; 95 Papua Pegunungan and 96 Papua Barat Daya were created in
#: 2022, so the older "11..94" range would wrongly warn on their NIKs).
PROVINCE_MIN = 11
PROVINCE_MAX = 96
#: Characters people type between digit groups; removed before checking.
_SEPARATORS = re.compile(r"[\s.]")
#: Added to the day of birth for women (DOMAIN.md "NIK").
FEMALE_DAY_OFFSET = 40


@dataclass(frozen=True)
class NikInfo:
    """What a NIK says, and what is wrong with it.

    ``nik`` is the input with spaces and dots removed; ``valid`` is True when
    ``errors`` is empty; ``sex`` is ``"L"`` (laki-laki) or ``"P"`` (perempuan) or
    ``None`` when the day code is unreadable; ``birth_date`` is ``None`` unless the
    date is possible; ``province_code`` ``"32"``, ``regency_code`` ``"32.01"``,
    ``district_code`` ``"32.01.01"`` and ``serial`` ``"0001"`` are ``None`` unless
    the NIK has 16 digits. ``warnings`` never make a NIK invalid.
    """

    nik: str
    valid: bool
    sex: str | None = None
    birth_date: date | None = None
    province_code: str | None = None
    regency_code: str | None = None
    district_code: str | None = None
    serial: str | None = None
    errors: tuple[Issue, ...] = field(default_factory=tuple)
    warnings: tuple[Issue, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form; ``birth_date`` as an ISO string, issues as dicts."""
        return {
            "nik": self.nik,
            "valid": self.valid,
            "sex": self.sex,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "province_code": self.province_code,
            "regency_code": self.regency_code,
            "district_code": self.district_code,
            "serial": self.serial,
            "errors": [i.as_dict() for i in self.errors],
            "warnings": [i.as_dict() for i in self.warnings],
        }


def _issue(code: str, message: str, message_en: str) -> Issue:
    return Issue(code, message, message_en)


def _resolve_year(yy: int, month: int, day: int, today: date) -> int:
    """Latest year ending in ``yy`` whose (month, day) is not after ``today``."""
    year = today.year // 100 * 100 + yy
    if (year, month, day) > (today.year, today.month, today.day):
        year -= 100
    return year


def parse_nik(
    nik: str,
    *,
    today: date | None = None,
    known_regions: Container[str] | None = None,
) -> NikInfo:
    """Parse a NIK into its parts with errors and warnings (never raises for bad input).

    ``nik``: the number as typed; spaces and dots are removed, any other non-digit
    character or a length other than 16 is an error (``nik_not_digits``,
    ``nik_length``). ``today`` (default ``date.today()``) fixes the century: the
    latest one that puts the birth date not in the future. ``known_regions``: the
    office's district codes (``"32.01.01"``); when given and the NIK's district is
    not in it, a ``nik_region_unknown`` **warning** is added.

    Errors (``valid`` False): ``nik_day_code`` (day code not 01-31 or 41-71),
    ``nik_month`` (not 01-12), ``nik_date_impossible`` (e.g. 30 February, 29
    February of a non-leap year), ``nik_serial_zero`` (serial 0000). Warnings:
    ``nik_province_out_of_range`` (province code outside 11..96),
    ``nik_region_unknown``. Source: DOMAIN.md "NIK"; Permendagri 108/2019.
    """
    today = today or date.today()
    if not isinstance(nik, str):
        return NikInfo(
            nik="" if nik is None else str(nik),
            valid=False,
            errors=(_issue("nik_not_text", "NIK harus berupa teks 16 angka.", "The NIK must be text of 16 digits."),),
        )
    cleaned = _SEPARATORS.sub("", nik)
    if cleaned and not (cleaned.isascii() and cleaned.isdigit()):
        return NikInfo(
            nik=cleaned,
            valid=False,
            errors=(
                _issue(
                    "nik_not_digits",
                    "NIK hanya boleh berisi angka.",
                    "The NIK may contain digits only.",
                ),
            ),
        )
    if len(cleaned) != NIK_LENGTH:
        return NikInfo(
            nik=cleaned,
            valid=False,
            errors=(
                _issue(
                    "nik_length",
                    f"NIK harus 16 angka (tertulis {len(cleaned)} angka).",
                    f"The NIK must have 16 digits (got {len(cleaned)}).",
                ),
            ),
        )

    errors: list[Issue] = []
    warnings: list[Issue] = []
    pp, kk, cc = cleaned[0:2], cleaned[2:4], cleaned[4:6]
    day_code, month, yy = int(cleaned[6:8]), int(cleaned[8:10]), int(cleaned[10:12])
    serial = cleaned[12:16]
    district_code = f"{pp}.{kk}.{cc}"

    if not PROVINCE_MIN <= int(pp) <= PROVINCE_MAX:
        warnings.append(
            _issue(
                "nik_province_out_of_range",
                f"Kode provinsi {pp} di luar {PROVINCE_MIN}-{PROVINCE_MAX}: periksa kembali NIK dengan dokumen.",
                f"Province code {pp} is outside {PROVINCE_MIN}-{PROVINCE_MAX}: check the NIK against the documents.",
            )
        )
    if known_regions is not None and district_code not in known_regions:
        warnings.append(
            _issue(
                "nik_region_unknown",
                f"Kode wilayah {district_code} tidak dikenal (mungkin wilayah lama/pemekaran): periksa dokumen.",
                f"Region code {district_code} is unknown (possibly a historic or split region): check the documents.",
            )
        )

    sex: str | None = None
    day: int | None = None
    if 1 <= day_code <= 31:
        sex, day = "L", day_code
    elif 1 + FEMALE_DAY_OFFSET <= day_code <= 31 + FEMALE_DAY_OFFSET:
        sex, day = "P", day_code - FEMALE_DAY_OFFSET
    else:
        errors.append(
            _issue(
                "nik_day_code",
                f"Kode tanggal lahir {day_code:02d} tidak mungkin (01-31 laki-laki, 41-71 perempuan).",
                f"Birth day code {day_code:02d} is impossible (01-31 male, 41-71 female).",
            )
        )
    if not 1 <= month <= 12:
        errors.append(
            _issue(
                "nik_month",
                f"Bulan lahir {month:02d} tidak mungkin.",
                f"Birth month {month:02d} is impossible.",
            )
        )

    birth_date: date | None = None
    if day is not None and 1 <= month <= 12:
        year = _resolve_year(yy, month, day, today)
        try:
            birth_date = date(year, month, day)
        except ValueError:
            errors.append(
                _issue(
                    "nik_date_impossible",
                    f"Tanggal lahir {day:02d}-{month:02d}-{year} tidak ada di kalender.",
                    f"Birth date {year}-{month:02d}-{day:02d} does not exist.",
                )
            )

    if serial == "0000":
        errors.append(
            _issue(
                "nik_serial_zero",
                "Nomor urut NIK 0000 tidak mungkin (0001-9999).",
                "NIK serial 0000 is impossible (0001-9999).",
            )
        )

    return NikInfo(
        nik=cleaned,
        valid=not errors,
        sex=sex,
        birth_date=birth_date,
        province_code=pp,
        regency_code=f"{pp}.{kk}",
        district_code=district_code,
        serial=serial,
        errors=tuple(errors),
        warnings=tuple(warnings),
    )


def _as_date(value: date | str, name: str) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValidationError(
        "invalid_date",
        f"{name}: tanggal harus berformat YYYY-MM-DD.",
        f"{name}: the date must be YYYY-MM-DD.",
        {"field": name, "value": str(value)},
    )


def compare_with_documents(
    info: NikInfo,
    *,
    sex: str | None = None,
    birth_date: date | str | None = None,
) -> tuple[Issue, ...]:
    """Warnings when the documents disagree with what the NIK encodes.

    ``sex`` is ``"L"`` or ``"P"`` as written on the documents (akta, KK);
    ``birth_date`` a ``date`` or ISO string. Only what the NIK actually encodes is
    compared: sex, and day, month and the two-digit year (the century is inferred,
    so a 110-year-old whose NIK was read as 2015 is not flagged). Returns
    ``nik_sex_mismatch`` / ``nik_birth_date_mismatch`` **warnings** (never errors):
    the NIK does not change when sex or birth date are corrected (Permendagri
    108/2019 Pasal 15(3)), so the officer checks, the system does not reject.
    Nothing is compared for a part the NIK cannot give (``info.sex`` or
    ``info.birth_date`` ``None``). Raises ``ValidationError`` for a ``sex`` other
    than L/P or a malformed date.
    """
    issues: list[Issue] = []
    if sex is not None:
        if sex not in ("L", "P"):
            raise ValidationError(
                "invalid_sex",
                "Jenis kelamin harus L atau P.",
                "Sex must be L or P.",
                {"field": "sex", "value": str(sex)},
            )
        if info.sex is not None and info.sex != sex:
            issues.append(
                _issue(
                    "nik_sex_mismatch",
                    f"Jenis kelamin menurut NIK ({info.sex}) berbeda dengan dokumen ({sex}): "
                    "NIK tidak berubah bila data dikoreksi, periksa dokumen.",
                    f"Sex per NIK ({info.sex}) differs from the documents ({sex}): "
                    "a NIK is not changed when data are corrected, check the documents.",
                )
            )
    if birth_date is not None:
        documented = _as_date(birth_date, "birth_date")
        nik_date = info.birth_date
        if nik_date is not None and (
            (nik_date.day, nik_date.month, nik_date.year % 100)
            != (documented.day, documented.month, documented.year % 100)
        ):
            issues.append(
                _issue(
                    "nik_birth_date_mismatch",
                    f"Tanggal lahir menurut NIK ({nik_date:%d-%m-%y}) berbeda dengan dokumen "
                    f"({documented:%d-%m-%Y}): NIK tidak berubah bila data dikoreksi, periksa dokumen.",
                    f"Birth date per NIK ({nik_date:%y-%m-%d}) differs from the documents "
                    f"({documented.isoformat()}): a NIK is not changed when data are corrected, check the documents.",
                )
            )
    return tuple(issues)
