"""Priority service (pelayanan khusus) for vulnerable groups.

UU 25/2009 Pasal 29 requires special treatment for people with disabilities, the
elderly (lansia: 60 or older, UU 13/1998 Pasal 1(2)), pregnant women, children and
mothers with infants, and victims of disasters. At the kiosk the citizen declares the
category with one tap; the officer confirms it at the counter. Lansia can also be
derived from the birth date in the NIK (a hint: the NIK date may differ from the
documents, Permendagri 108/2019 Pasal 15(3)).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .errors import ValidationError
from .kia import age_on
from .nik import parse_nik
from .office import PRIORITY_CATEGORIES, Text

LANSIA_AGE = 60  # years, UU 13/1998 Pasal 1(2)


@dataclass(frozen=True)
class PriorityCategory:
    """A priority category: code, label (id/en) and the rule's source."""

    code: str
    label: Text
    source: str


CATEGORIES = (
    PriorityCategory("lansia", Text("Lansia (60 tahun ke atas)", "Elderly (60 or older)"), "UU 13/1998 Pasal 1(2)"),
    PriorityCategory("disabilitas", Text("Penyandang disabilitas", "Person with a disability"), "UU 25/2009 Pasal 29"),
    PriorityCategory("ibu_hamil", Text("Ibu hamil", "Pregnant woman"), "UU 25/2009 Pasal 29"),
    PriorityCategory("ibu_anak", Text("Membawa bayi/anak kecil", "With an infant or small child"),
                     "UU 25/2009 Pasal 29"),
    PriorityCategory("korban_bencana", Text("Korban bencana", "Victim of a disaster"), "UU 25/2009 Pasal 29"),
)
assert tuple(c.code for c in CATEGORIES) == PRIORITY_CATEGORIES


def category(code: str) -> PriorityCategory:
    """The category ``code``; raises ``ValidationError`` ("invalid_priority") otherwise."""
    for c in CATEGORIES:
        if c.code == code:
            return c
    raise ValidationError("invalid_priority", f"Kategori prioritas '{code}' tidak dikenal.",
                          f"Unknown priority category '{code}'.", {"allowed": list(PRIORITY_CATEGORIES)})


def is_lansia(birth_date: date, on_date: date) -> bool:
    """True when the person is 60 or older on ``on_date`` (UU 13/1998 Pasal 1(2))."""
    return age_on(birth_date, on_date) >= LANSIA_AGE


def lansia_from_nik(nik: str, on_date: date) -> bool:
    """True when the birth date encoded in a valid NIK makes its holder 60 or older.

    A hint for the officer only (the NIK date may differ from the documents); an
    invalid NIK gives False.
    """
    info = parse_nik(nik, today=on_date)
    return bool(info.valid and info.birth_date and is_lansia(info.birth_date, on_date))
