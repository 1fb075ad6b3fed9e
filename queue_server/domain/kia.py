"""KIA (Kartu Identitas Anak) variant and validity (Permendagri 2/2016).

* Variant 1: age 0 to under 5, no photo, valid until the 5th birthday.
* Variant 2: age 5 to under 17, with photo, valid until the day before the 17th
  birthday.
* Age 17 or over: no KIA (the child is due a KTP-el).

Age is taken on the application date. **29 February rule**: a child born on
29 February has its birthday on 1 March in non-leap years, so it turns 5 (or 17) on
1 March of a non-leap year and on 29 February of a leap year. Consequences: born
2020-02-29, the variant-1 card is valid until 2025-03-01 and variant 2 starts that
day; born 2008-02-29, variant 2 is valid until 2025-02-28 and the child is 17 on
2025-03-01.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from .errors import NotEligible, ValidationError

__all__ = ["KiaDecision", "kia_decision", "age_on", "birthday_in", "KIA_PHOTO_AGE", "KIA_MAX_AGE",
           "CARD_FIELDS", "CardDataError", "check_card_data"]

#: Age (years) from which the KIA has a photo (variant 2). Permendagri 2/2016.
KIA_PHOTO_AGE = 5
#: Age (years) from which a child no longer gets a KIA. Permendagri 2/2016.
KIA_MAX_AGE = 17


def _check_dates(birth_date: date, on_date: date) -> None:
    for name, value in (("birth_date", birth_date), ("on_date", on_date)):
        if not isinstance(value, date):
            raise ValidationError(
                "invalid_date",
                f"{name}: harus berupa tanggal.",
                f"{name}: must be a date.",
                {"field": name},
            )
    if _plain(birth_date) > _plain(on_date):
        raise ValidationError(
            "birth_date_in_future",
            "Tanggal lahir tidak boleh setelah tanggal permohonan.",
            "The birth date cannot be after the application date.",
            {"birth_date": birth_date.isoformat(), "on_date": on_date.isoformat()},
        )


def _plain(d: date) -> date:
    """A ``datetime`` reduced to its date (``datetime`` is a ``date`` subclass)."""
    return date(d.year, d.month, d.day)


def birthday_in(birth_date: date, year: int) -> date:
    """The birthday of someone born on ``birth_date`` in ``year``.

    29 February maps to 1 March in non-leap years (module docstring).
    """
    try:
        return date(year, birth_date.month, birth_date.day)
    except ValueError:  # 29 February in a non-leap year
        return date(year, 3, 1)


def age_on(birth_date: date, on_date: date) -> int:
    """Completed years of age on ``on_date`` (the 29 February rule of this module).

    Raises ``ValidationError`` (``birth_date_in_future``) when ``birth_date`` is after
    ``on_date``.
    """
    _check_dates(birth_date, on_date)
    birth_date, on_date = _plain(birth_date), _plain(on_date)
    years = on_date.year - birth_date.year
    if on_date < birthday_in(birth_date, on_date.year):
        years -= 1
    return years


@dataclass(frozen=True)
class KiaDecision:
    """Which KIA a child gets on the application date.

    ``variant`` 1 (under 5, no photo) or 2 (5 to under 17, photo); ``age_years`` on
    the application date; ``photo_required`` True for variant 2; ``valid_until`` the
    last day of validity (inclusive): the 5th birthday for variant 1, the day before
    the 17th birthday for variant 2.
    """

    variant: int
    age_years: int
    photo_required: bool
    valid_until: date

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form (``valid_until`` ISO)."""
        return {
            "variant": self.variant,
            "age_years": self.age_years,
            "photo_required": self.photo_required,
            "valid_until": self.valid_until.isoformat(),
        }


def kia_decision(birth_date: date, on_date: date) -> KiaDecision:
    """Decide the KIA variant for a child born ``birth_date`` applying on ``on_date``.

    Raises ``ValidationError`` (``birth_date_in_future``) when the birth date is after
    the application date, and ``NotEligible`` (``kia_age_17_or_over``) when the child
    is 17 or older on ``on_date`` (details: ``age_years``). Permendagri 2/2016.
    """
    age = age_on(birth_date, on_date)
    if age >= KIA_MAX_AGE:
        raise NotEligible(
            "kia_age_17_or_over",
            f"Anak sudah berusia {age} tahun: KIA hanya untuk usia di bawah 17 tahun; "
            "pada usia ini yang diurus adalah perekaman KTP-el.",
            f"The child is {age} years old: a KIA is only for children under 17; "
            "at this age the KTP-el is recorded instead.",
            {"age_years": age},
        )
    if age < KIA_PHOTO_AGE:
        return KiaDecision(
            variant=1,
            age_years=age,
            photo_required=False,
            valid_until=birthday_in(birth_date, birth_date.year + KIA_PHOTO_AGE),
        )
    return KiaDecision(
        variant=2,
        age_years=age,
        photo_required=True,
        valid_until=birthday_in(birth_date, birth_date.year + KIA_MAX_AGE) - timedelta(days=1),
    )


#: What the KIA prints beyond the berkas's name, NIK, sex and birth date (Permendagri
#: 2/2016 Pasal 15: tempat lahir, agama, kewarganegaraan, No. KK, nama kepala keluarga,
#: nomor akta kelahiran, alamat), typed at the print step from the SIAK record:
#: field → (Indonesian label, English label, longest length in characters).
CARD_FIELDS: dict[str, tuple[str, str, int]] = {
    "birth_place": ("Tempat lahir", "Place of birth", 60),
    "kk_number": ("No. KK", "Family card no.", 16),
    "head_of_family": ("Nama kepala keluarga", "Head of family", 120),
    "birth_certificate_number": ("No. akta kelahiran", "Birth certificate no.", 64),
    "religion": ("Agama", "Religion", 60),
    "address": ("Alamat", "Address", 200),
}


class CardDataError(ValueError):
    """A card field is missing or malformed: ``field`` (a :data:`CARD_FIELDS` key),
    ``message`` (Bahasa Indonesia) and ``message_en``."""

    def __init__(self, field: str, message: str, message_en: str) -> None:
        super().__init__(message)
        self.field, self.message, self.message_en = field, message, message_en


def check_card_data(data: dict) -> dict:
    """The card fields of ``data`` stripped (plus ``nationality``, default "WNI"), each of
    :data:`CARD_FIELDS` required and within its length; the No. KK is 16 digits.
    Raises :class:`CardDataError` naming the first bad field."""
    out: dict[str, str] = {}
    for key, (label, label_en, longest) in CARD_FIELDS.items():
        value = " ".join(str(data.get(key) or "").split())
        if not value:
            raise CardDataError(key, f"{label}: wajib diisi (dari data SIAK).", f"{label_en}: required (from SIAK).")
        if len(value) > longest:
            raise CardDataError(key, f"{label}: terlalu panjang (maks. {longest} karakter).",
                                f"{label_en}: too long (max {longest} characters).")
        out[key] = value
    if not (out["kk_number"].isdigit() and len(out["kk_number"]) == 16):
        raise CardDataError("kk_number", "No. KK: harus 16 angka.", "Family card no.: must be 16 digits.")
    out["nationality"] = " ".join(str(data.get("nationality") or "WNI").split())[:20] or "WNI"
    return out
