"""IKD (Identitas Kependudukan Digital) eligibility (Permendagri 72/2022).

A resident can activate IKD at the counter when: the KTP-el has already been
recorded (perekaman), AND they are 17 or older or are/were married, AND they bring
their own phone (Android 8+ / iOS 11+) with an active email address. Each unmet
condition gives one reason that says why and what to do instead (DOMAIN.md "IKD").
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import Issue, ValidationError

__all__ = ["Issue", "Eligibility", "ikd_eligibility", "REASON_KTP_EL_NOT_RECORDED",
           "REASON_UNDER_17_UNMARRIED", "REASON_NO_DEVICE_OR_EMAIL", "REASON_FOR_INPUT"]

REASON_KTP_EL_NOT_RECORDED = Issue(
    "ikd_ktp_el_not_recorded",
    "Belum rekam KTP-el: lakukan perekaman KTP-el terlebih dahulu, "
    "IKD dapat diaktifkan setelah perekaman.",
    "KTP-el not yet recorded: the KTP-el must be recorded first; "
    "IKD can be activated after recording.",
)
REASON_UNDER_17_UNMARRIED = Issue(
    "ikd_under_17_unmarried",
    "Belum berusia 17 tahun dan belum pernah kawin: IKD belum dapat diaktifkan; "
    "untuk anak gunakan KIA (Kartu Identitas Anak).",
    "Under 17 and never married: IKD cannot be activated yet; "
    "a child uses the KIA (child identity card) instead.",
)
REASON_NO_DEVICE_OR_EMAIL = Issue(
    "ikd_no_device_or_email",
    "Belum ada ponsel sendiri (Android 8+ / iOS 11+) dengan email aktif: siapkan ponsel "
    "dan email lalu datang kembali; KTP-el tetap berlaku.",
    "No own phone (Android 8+ / iOS 11+) with an active email: bring a phone and an email "
    "address and come back; the KTP-el remains valid.",
)

#: Which ``ikd_eligibility`` keyword (also the kiosk answer key) each reason belongs to.
REASON_FOR_INPUT: dict[str, Issue] = {
    "ktp_el_recorded": REASON_KTP_EL_NOT_RECORDED,
    "age17_or_married": REASON_UNDER_17_UNMARRIED,
    "has_device_and_email": REASON_NO_DEVICE_OR_EMAIL,
}


@dataclass(frozen=True)
class Eligibility:
    """``eligible`` True when every condition holds; ``reasons`` the unmet ones, in order
    KTP-el recording, age/marriage, device/email."""

    eligible: bool
    reasons: tuple[Issue, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {"eligible": self.eligible, "reasons": [r.as_dict() for r in self.reasons]}


def ikd_eligibility(*, ktp_el_recorded: bool, age17_or_married: bool, has_device_and_email: bool) -> Eligibility:
    """Check IKD eligibility (Permendagri 72/2022).

    All three arguments must be ``bool``; anything else raises ``ValidationError``
    (``answer_invalid_bool``, details ``{"question": name}``). Returns an
    ``Eligibility`` whose reasons are ``REASON_KTP_EL_NOT_RECORDED``,
    ``REASON_UNDER_17_UNMARRIED`` and/or ``REASON_NO_DEVICE_OR_EMAIL``.
    """
    values = {
        "ktp_el_recorded": ktp_el_recorded,
        "age17_or_married": age17_or_married,
        "has_device_and_email": has_device_and_email,
    }
    reasons = []
    for name, value in values.items():
        if not isinstance(value, bool):
            raise ValidationError(
                "answer_invalid_bool",
                f"Jawaban {name} harus ya atau tidak.",
                f"Answer {name} must be yes or no.",
                {"question": name},
            )
        if not value:
            reasons.append(REASON_FOR_INPUT[name])
    return Eligibility(eligible=not reasons, reasons=tuple(reasons))
