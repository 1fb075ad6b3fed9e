"""IKM (Indeks Kepuasan Masyarakat) survey and score (Permen PANRB 14/2017).

Nine elements (unsur) U1..U9, each answered 1..4 with per-element wording taken from
the regulation's sample questionnaire. Scoring (DOMAIN.md "IKM"):

* NRR per element = sum of the answers / number of answers;
* IKM = sum of NRR x 1/9 (exact: computed with ``fractions.Fraction``);
* converted = IKM x 25, rounded half-up to 2 decimals;
* category on the rounded converted score: 25.00-64.99 D Tidak baik,
  65.00-76.60 C Kurang baik, 76.61-88.30 B Baik, 88.31-100.00 A Sangat baik.

Sample size: Krejcie-Morgan, s = 3.841 N 0.25 / (0.0025 (N-1) + 0.9604), rounded up.

Element order follows the regulation's list of elements (Persyaratan ... Penanganan
Pengaduan, Sarana dan Prasarana); note the sample questionnaire asks about sarana
(question 8) before pengaduan (question 9): a paper form printed from ``ELEMENTS``
keeps the element order.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from .errors import ValidationError

__all__ = ["IkmElement", "ELEMENTS", "IkmResult", "ikm_score", "category_for", "krejcie_morgan", "CATEGORIES"]


@dataclass(frozen=True)
class IkmElement:
    """One survey element: ``code`` "U1".."U9", Indonesian ``name``, the question in
    Indonesian (``question_id``) and English (``question_en``), and ``answers``: four
    ``(label_id, label_en)`` pairs for the values 1..4 (worst to best)."""

    code: str
    name: str
    name_en: str
    question_id: str
    question_en: str
    answers: tuple[tuple[str, str], tuple[str, str], tuple[str, str], tuple[str, str]]

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form; ``answers`` as ``[{"value", "label_id", "label_en"}]``."""
        return {
            "code": self.code,
            "name": self.name,
            "name_en": self.name_en,
            "question_id": self.question_id,
            "question_en": self.question_en,
            "answers": [
                {"value": i, "label_id": lid, "label_en": len_} for i, (lid, len_) in enumerate(self.answers, start=1)
            ],
        }


#: The nine elements of Permen PANRB 14/2017 with the sample questionnaire's wording.
ELEMENTS: tuple[IkmElement, ...] = (
    IkmElement(
        "U1", "Persyaratan", "Requirements",
        "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
        "How well do the service requirements suit the kind of service?",
        (("Tidak sesuai", "Not suitable"), ("Kurang sesuai", "Less suitable"),
         ("Sesuai", "Suitable"), ("Sangat sesuai", "Very suitable")),
    ),
    IkmElement(
        "U2", "Sistem, Mekanisme, dan Prosedur", "System, mechanism and procedure",
        "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
        "How easy is the service procedure at this unit?",
        (("Tidak mudah", "Not easy"), ("Kurang mudah", "Less easy"),
         ("Mudah", "Easy"), ("Sangat mudah", "Very easy")),
    ),
    IkmElement(
        "U3", "Waktu Penyelesaian", "Completion time",
        "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
        "How fast was the service delivered?",
        (("Tidak cepat", "Not fast"), ("Kurang cepat", "Less fast"),
         ("Cepat", "Fast"), ("Sangat cepat", "Very fast")),
    ),
    IkmElement(
        "U4", "Biaya/Tarif", "Cost/fee",
        "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
        "How fair is the cost/fee of the service?",
        (("Sangat mahal", "Very expensive"), ("Cukup mahal", "Fairly expensive"),
         ("Murah", "Cheap"), ("Gratis", "Free")),
    ),
    IkmElement(
        "U5", "Produk Spesifikasi Jenis Pelayanan", "Product specification of the service",
        "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum "
        "dalam standar pelayanan dengan hasil yang diberikan?",
        "How well does the product you received match the one stated in the service standard?",
        (("Tidak sesuai", "Not suitable"), ("Kurang sesuai", "Less suitable"),
         ("Sesuai", "Suitable"), ("Sangat sesuai", "Very suitable")),
    ),
    IkmElement(
        "U6", "Kompetensi Pelaksana", "Staff competence",
        "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
        "How competent/capable were the officers?",
        (("Tidak kompeten", "Not competent"), ("Kurang kompeten", "Less competent"),
         ("Kompeten", "Competent"), ("Sangat kompeten", "Very competent")),
    ),
    IkmElement(
        "U7", "Perilaku Pelaksana", "Staff behaviour",
        "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan dan keramahan?",
        "How polite and friendly were the officers?",
        (("Tidak sopan dan ramah", "Not polite and friendly"),
         ("Kurang sopan dan ramah", "Less polite and friendly"),
         ("Sopan dan ramah", "Polite and friendly"),
         ("Sangat sopan dan ramah", "Very polite and friendly")),
    ),
    IkmElement(
        "U8", "Penanganan Pengaduan, Saran dan Masukan", "Handling of complaints, suggestions and feedback",
        "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
        "How are complaints of service users handled?",
        (("Tidak ada", "None"), ("Ada tetapi tidak berfungsi", "Exists but does not work"),
         ("Berfungsi kurang maksimal", "Works, but not fully"), ("Dikelola dengan baik", "Well managed")),
    ),
    IkmElement(
        "U9", "Sarana dan Prasarana", "Facilities and infrastructure",
        "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
        "How good are the facilities and infrastructure?",
        (("Buruk", "Poor"), ("Cukup", "Fair"), ("Baik", "Good"), ("Sangat baik", "Very good")),
    ),
)

#: (lowest converted score, category, Indonesian label, English label), best first.
CATEGORIES: tuple[tuple[Decimal, str, str, str], ...] = (
    (Decimal("88.31"), "A", "Sangat baik", "Very good"),
    (Decimal("76.61"), "B", "Baik", "Good"),
    (Decimal("65.00"), "C", "Kurang baik", "Poor"),
    (Decimal("25.00"), "D", "Tidak baik", "Very poor"),
)
_HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True)
class IkmResult:
    """Result of ``ikm_score``.

    ``nrr``: the 9 per-element averages (1.0..4.0); ``ikm``: the weighted mean
    (1.0..4.0, unrounded float of the exact value); ``converted``: IKM x 25 rounded
    half-up to 2 decimals (25.00..100.00); ``category`` "A".."D"; ``label``
    Indonesian ("Sangat baik" ...), ``label_en`` English; ``respondents`` count.
    """

    nrr: tuple[float, ...]
    ikm: float
    converted: float
    category: str
    label: str
    label_en: str
    respondents: int

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "nrr": list(self.nrr),
            "ikm": self.ikm,
            "converted": self.converted,
            "category": self.category,
            "label": self.label,
            "label_en": self.label_en,
            "respondents": self.respondents,
        }


def _round2(value: Fraction | Decimal) -> Decimal:
    """Round half-up to 2 decimals without binary floating point error."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return value.quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)


def _category(converted: Decimal) -> tuple[str, str, str]:
    if not Decimal("25.00") <= converted <= Decimal("100.00"):
        raise ValidationError(
            "ikm_score_out_of_range",
            f"Nilai IKM konversi {converted} di luar 25,00-100,00.",
            f"Converted IKM score {converted} is outside 25.00-100.00.",
            {"converted": float(converted)},
        )
    for lowest, category, label, label_en in CATEGORIES:
        if converted >= lowest:
            return category, label, label_en
    raise AssertionError("unreachable: D starts at the minimum score")


def category_for(converted: float) -> tuple[str, str]:
    """``(category, Indonesian label)`` for a converted score (25..100).

    The score is first rounded half-up to 2 decimals (its decimal text, so 76.605
    becomes 76.61). Boundaries: 64.99 D / 65.00 C, 76.60 C / 76.61 B, 88.30 B /
    88.31 A (Permen PANRB 14/2017). Raises ``ValidationError``
    (``ikm_score_out_of_range``) outside 25..100 or for a non-number.
    """
    if isinstance(converted, bool) or not isinstance(converted, (int, float, Decimal)) or (
        isinstance(converted, float) and not math.isfinite(converted)
    ):
        raise ValidationError(
            "ikm_score_out_of_range",
            "Nilai IKM konversi harus berupa angka 25,00-100,00.",
            "The converted IKM score must be a number 25.00-100.00.",
            {"converted": str(converted)},
        )
    category, label, _ = _category(_round2(Decimal(str(converted))))
    return category, label


def ikm_score(responses: Sequence[Sequence[int]]) -> IkmResult:
    """Score survey responses (Permen PANRB 14/2017).

    ``responses``: one sequence of 9 ints (U1..U9, each 1..4) per respondent.
    Raises ``ValidationError``: ``ikm_no_responses`` when empty,
    ``ikm_response_invalid`` (details ``{"respondent": index}``) when a response does
    not have 9 answers or an answer is not an int 1..4.
    """
    if not responses:
        raise ValidationError(
            "ikm_no_responses",
            "Belum ada jawaban survei IKM.",
            "There are no IKM survey responses.",
        )
    count = len(ELEMENTS)
    sums = [0] * count
    for index, response in enumerate(responses):
        if isinstance(response, (str, bytes)) or len(response) != count or not all(
            isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 4 for v in response
        ):
            raise ValidationError(
                "ikm_response_invalid",
                f"Jawaban responden ke-{index + 1} harus 9 nilai 1-4.",
                f"Response {index + 1} must be 9 values from 1 to 4.",
                {"respondent": index},
            )
        for i, value in enumerate(response):
            sums[i] += value
    n = len(responses)
    nrr = [Fraction(s, n) for s in sums]
    ikm = sum(nrr, Fraction(0)) * Fraction(1, count)
    converted = _round2(ikm * 25)
    category, label, label_en = _category(converted)
    return IkmResult(
        nrr=tuple(float(v) for v in nrr),
        ikm=float(ikm),
        converted=float(converted),
        category=category,
        label=label,
        label_en=label_en,
        respondents=n,
    )


def krejcie_morgan(population: int) -> int:
    """Minimum sample size for a population of ``population`` service users.

    Krejcie & Morgan (1970), used by Permen PANRB 14/2017:
    s = 3.841 N 0.25 / (0.0025 (N - 1) + 0.9604), rounded up (N=100 -> 80,
    N=1000 -> 278). Computed exactly with fractions. Raises ``ValidationError``
    (``population_invalid``) for a non-int or N < 1.
    """
    if isinstance(population, bool) or not isinstance(population, int) or population < 1:
        raise ValidationError(
            "population_invalid",
            "Jumlah populasi harus bilangan bulat minimal 1.",
            "The population must be an integer of at least 1.",
            {"population": str(population)},
        )
    chi2 = Fraction("3.841")
    p_q = Fraction(1, 4)
    d2 = Fraction("0.0025")
    s = chi2 * population * p_q / (d2 * (population - 1) + Fraction("0.9604"))
    return math.ceil(s)
