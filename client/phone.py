"""Indonesian mobile numbers, shared by the server (bookings, tickets, berkas) and the
kiosk (issue 14 item 4): normalised to E.164 with ``phonenumbers`` (Google's libphonenumber
metadata), so "0812-3456-7890", "62812…" and "+62 812…" are one number."""
from __future__ import annotations

import phonenumbers


def mobile_e164(text: str | None) -> str | None:
    """``"+6281234567890"`` for an Indonesian mobile number however it is written; "" for
    an empty input; None for anything else (too short, a landline, another country)."""
    raw = (text or "").strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse("+" + raw if raw.startswith("62") else raw, "ID")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number) or number.country_code != 62 or \
            phonenumbers.number_type(number) not in (phonenumbers.PhoneNumberType.MOBILE,
                                                     phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def masked(e164: str) -> str:
    """A number for a screen others may see: ``"0812-****-7890"`` (the national form with
    the middle hidden)."""
    if not e164:
        return ""
    national = "0" + e164[3:] if e164.startswith("+62") else e164
    return f"{national[:4]}-{'*' * 4}-{national[-4:]}" if len(national) >= 10 else national
