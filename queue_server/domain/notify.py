"""Notifications to citizens (issue 14): the office's policy, the message texts and the
retry schedule. Pure: no database, no network.

A message is caused by one event of the queue or the workflow (``booking_confirmed``,
``ticket_near``, ``card_ready``, …: :data:`KINDS`) and goes to one recipient over one
channel (:data:`CHANNELS`). Its text is an office-file template whose ``{placeholders}``
come from :data:`PLACEHOLDERS` only — never the NIK, and the applicant's name only
where the office allows it (``use_names``; UU 27/2022 on personal data: the least that
serves the purpose). The default texts below are the shipped Indonesian and English
ones; an office file overrides any of them under ``[notifications.templates]``.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .office import Text

#: Channels, in the order an office usually prefers them. ``wa_manual`` needs no
#: account: an officer opens each message as a ``https://wa.me/…`` click-to-chat link.
WHATSAPP, SMS, EMAIL, WA_MANUAL = "whatsapp", "sms", "email", "wa_manual"
CHANNELS = (WHATSAPP, SMS, EMAIL, WA_MANUAL)
#: channels that reach a phone number (E.164); ``email`` reaches an address
PHONE_CHANNELS = (WHATSAPP, SMS, WA_MANUAL)

#: Message states. ``pending`` (due at ``next_attempt_at``) → ``sending`` (claimed by
#: one sender) → ``sent``; a temporary failure goes back to ``pending`` later, a
#: permanent one (or the last attempt) to ``failed``; ``manual`` waits for an officer
#: (wa_manual); ``cancelled`` when the citizen withdrew consent or the cause is moot.
PENDING, SENDING, SENT, FAILED, MANUAL, CANCELLED = "pending", "sending", "sent", "failed", "manual", "cancelled"
STATES = (PENDING, SENDING, SENT, FAILED, MANUAL, CANCELLED)
OPEN_STATES = (PENDING, SENDING, MANUAL)

#: Message kinds (issue 14 item 3) → the placeholders their text may use.
KINDS: dict[str, tuple[str, ...]] = {
    "booking_confirmed": ("office", "service", "date", "slot", "zone", "code", "url", "check_in"),
    "booking_reminder": ("office", "service", "date", "slot", "zone", "code", "url", "check_in"),
    "ticket_near": ("office", "service", "number", "ahead", "url"),
    "ticket_called": ("office", "service", "number", "counter", "url"),
    "berkas_returned": ("office", "service", "code", "missing", "url", "name"),
    "card_ready": ("office", "service", "code", "place", "hours", "url", "name"),
    "card_uncollected": ("office", "service", "code", "place", "hours", "days", "url", "name"),
    "ikm_survey": ("office", "service", "survey_url"),
    "online_received": ("office", "service", "code", "url", "name"),
    "online_accepted": ("office", "service", "code", "url", "name", "ready_by"),
    "online_returned": ("office", "service", "code", "notes", "url", "name"),
    "test": ("office",),
}
PLACEHOLDERS = frozenset(p for names in KINDS.values() for p in names)

DEFAULT_TEMPLATES: dict[str, Text] = {
    "booking_confirmed": Text(
        id="{office}: antrean online {service} terdaftar untuk {date} pukul {slot} {zone}. Kode booking {code}. "
           "Check-in di kios {check_in}. Syarat dan pembatalan: {url}",
        en="{office}: your {service} visit is booked for {date} at {slot} {zone}. Booking code {code}. "
           "Check in at the kiosk {check_in}. Requirements and cancelling: {url}"),
    "booking_reminder": Text(
        id="{office}: pengingat, besok {date} pukul {slot} {zone} jadwal {service} Anda (kode {code}). "
           "Check-in di kios {check_in}; bawa dokumen asli. {url}",
        en="{office}: reminder, your {service} visit is tomorrow {date} at {slot} {zone} (code {code}). "
           "Check in at the kiosk {check_in}; bring the original documents. {url}"),
    "ticket_near": Text(
        id="{office}: giliran Anda sebentar lagi. Nomor {number} ({service}), {ahead} orang lagi sebelum Anda. "
           "Mohon kembali ke ruang tunggu. {url}",
        en="{office}: your turn is near. Number {number} ({service}), {ahead} people before you. "
           "Please return to the waiting room. {url}"),
    "ticket_called": Text(
        id="{office}: nomor {number} dipanggil. Silakan menuju loket {counter}.",
        en="{office}: number {number} is called. Please go to counter {counter}."),
    "berkas_returned": Text(
        id="{office}: berkas {service} (kode {code}) dikembalikan karena belum lengkap: {missing}. "
           "Lengkapi lalu bawa/kirim kembali dengan kode yang sama. {url}",
        en="{office}: your {service} file (code {code}) was returned as incomplete: {missing}. "
           "Complete it and bring/send it again with the same code. {url}"),
    "card_ready": Text(
        id="{office}: dokumen {service} (kode {code}) sudah jadi dan siap diambil di {place}, {hours}. "
           "Bawa slip pengambilan atau kode ini. {url}",
        en="{office}: your {service} document (code {code}) is ready for pickup at {place}, {hours}. "
           "Bring the pickup slip or this code. {url}"),
    "card_uncollected": Text(
        id="{office}: dokumen {service} (kode {code}) sudah {days} hari menunggu diambil di {place}, {hours}. {url}",
        en="{office}: your {service} document (code {code}) has waited {days} days for pickup at {place}, {hours}. "
           "{url}"),
    "ikm_survey": Text(
        id="{office}: terima kasih. Mohon nilai layanan {service} kami (survei IKM, 1 menit): {survey_url}",
        en="{office}: thank you. Please rate our {service} service (IKM survey, 1 minute): {survey_url}"),
    "online_received": Text(
        id="{office}: permohonan {service} online Anda diterima, kode {code}. Petugas memeriksa dokumen yang "
           "diunggah; ikuti di {url}",
        en="{office}: your online {service} application was received, code {code}. An officer checks the "
           "uploads; follow it at {url}"),
    "online_accepted": Text(
        id="{office}: permohonan {service} (kode {code}) lengkap dan diproses; perkiraan selesai {ready_by}. "
           "Simpan resi/kode ini untuk pengambilan. {url}",
        en="{office}: your {service} application (code {code}) is complete and in process; expected by "
           "{ready_by}. Keep the receipt/code for the pickup. {url}"),
    "online_returned": Text(
        id="{office}: permohonan {service} (kode {code}) perlu diperbaiki: {notes}. Unggah ulang dengan kode yang "
           "sama di {url}",
        en="{office}: your {service} application (code {code}) needs a correction: {notes}. Upload again under "
           "the same code at {url}"),
    "test": Text(id="{office}: pesan uji Loket. Saluran ini berfungsi.",
                 en="{office}: Loket test message. This channel works."),
}

_PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")


def template_problems(kind: str, text: str) -> list[str]:
    """What is wrong with an office-file template for ``kind``: unknown kind, a
    placeholder the kind does not offer (``{nik}`` never is), or a stray brace. Empty
    list when the template is usable."""
    if kind not in KINDS:
        return [f"jenis pesan tidak dikenal: {kind} (unknown message kind; one of {', '.join(KINDS)})"]
    problems = []
    for name in _PLACEHOLDER_RE.findall(text):
        if name not in KINDS[kind]:
            problems.append(f"{{{name}}} tidak tersedia untuk {kind} (placeholder not offered; "
                            f"use {', '.join('{' + p + '}' for p in KINDS[kind])})")
    if _PLACEHOLDER_RE.sub("", text).count("{") or _PLACEHOLDER_RE.sub("", text).count("}"):
        problems.append("kurung kurawal tidak berpasangan (unbalanced braces)")
    return problems


def render(text: str, params: Mapping[str, object]) -> str:
    """``text`` with each ``{name}`` replaced by ``params[name]`` (missing → empty) and
    runs of spaces collapsed. Nothing else is interpreted (no attribute access, no
    format specs), so an office-file template cannot reach anything but its params."""
    def value(m: re.Match) -> str:
        v = params.get(m.group(1))
        return "" if v is None else str(v)

    out = _PLACEHOLDER_RE.sub(value, text)
    return re.sub(r"[ \t]{2,}", " ", out).strip()


@dataclass(frozen=True)
class WhatsAppSettings:
    """The WhatsApp Business Platform (Cloud API) account: messages go to
    ``{api_base}/{phone_number_id}/messages`` with the access token read from the
    environment variable ``token_env`` or the file ``token_file`` (never the office
    file). Business-initiated messages must be approved templates: ``templates`` maps a
    message kind to the template's name, ``template_params`` to the placeholders that
    fill the template's body ``{{1}}``, ``{{2}}``, … in order."""

    phone_number_id: str = ""
    api_base: str = "https://graph.facebook.com/v21.0"
    token_env: str = "LOKET_WHATSAPP_TOKEN"
    token_file: str = ""
    language: str = "id"
    templates: Mapping[str, str] = field(default_factory=dict)
    template_params: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class SmsSettings:
    """An HTTP SMS gateway (Indonesian providers take a simple GET or POST): ``url`` and
    ``body`` are templates with ``{to}`` (E.164 without "+" when ``strip_plus``),
    ``{text}`` and ``{ref}`` (the message's own id, for gateways that de-duplicate),
    URL-encoded; the answer counts as sent when its status is 2xx and ``success_pattern``
    (a regular expression, "" = any) is found in the body. ``token_env`` names an
    environment variable substituted for ``{token}``."""

    url: str = ""
    method: str = "POST"
    body: str = "to={to}&text={text}&ref={ref}"
    content_type: str = "application/x-www-form-urlencoded"
    success_pattern: str = ""
    strip_plus: bool = True
    token_env: str = "LOKET_SMS_TOKEN"


@dataclass(frozen=True)
class EmailSettings:
    """An SMTP server: ``security`` "starttls" (port 587), "ssl" (465) or "none" (a
    local relay); ``username`` with the password from the environment variable
    ``password_env``; ``sender`` the From address."""

    host: str = ""
    port: int = 587
    security: str = "starttls"
    username: str = ""
    password_env: str = "LOKET_SMTP_PASSWORD"
    sender: str = ""
    timeout: int = 20


@dataclass(frozen=True)
class NotificationPolicy:
    """An office's ``[notifications]`` table.

    ``channels``: the phone channels in order of preference (the first one configured
    carries a phone's messages; ``email`` is used for an address when listed). ``near_ahead``:
    "giliran Anda sebentar lagi" once this many people or fewer are ahead (default 3).
    ``uncollected_after_days``: the reminder for a card not collected after this many
    days (again every as many days, at most ``uncollected_reminders`` times).
    ``reminder_hour``: local hour of the day before a booking when its reminder goes.
    ``use_names``: whether texts may carry the applicant's name. ``survey_url``: the IKM
    survey link sent after a hand-over ("" = not sent). ``max_attempts`` and the backoff
    (``retry_base_seconds`` doubling up to ``retry_cap_seconds``) bound the retries;
    ``rate_per_minute`` caps each channel's sending per server process."""

    channels: tuple[str, ...] = ()
    near_ahead: int = 3
    uncollected_after_days: int = 14
    uncollected_reminders: int = 2
    reminder_hour: int = 16
    use_names: bool = False
    survey_url: str = ""
    max_attempts: int = 8
    retry_base_seconds: int = 30
    retry_cap_seconds: int = 3600
    rate_per_minute: int = 60
    templates: Mapping[str, Text] = field(default_factory=dict)
    whatsapp: WhatsAppSettings | None = None
    sms: SmsSettings | None = None
    email: EmailSettings | None = None

    @property
    def enabled(self) -> bool:
        """True when at least one channel is on."""
        return bool(self.channels)

    def phone_channel(self) -> str | None:
        """The channel a phone number's messages go by, or None when none is on."""
        return next((c for c in self.channels if c in PHONE_CHANNELS), None)

    def channel_for(self, recipient: str) -> str | None:
        """The channel for ``recipient`` (an E.164 number or an email address)."""
        if "@" in recipient:
            return EMAIL if EMAIL in self.channels else None
        return self.phone_channel()

    def template(self, kind: str, lang: str = "id") -> str:
        """The text of ``kind`` in ``lang`` (the office's own, else the shipped one);
        raises ``KeyError`` for an unknown kind."""
        text = self.templates.get(kind) or DEFAULT_TEMPLATES[kind]
        return text.get(lang)

    def retry_delay(self, attempts: int) -> float:
        """Seconds before attempt ``attempts + 1`` after ``attempts`` failed ones:
        ``retry_base_seconds`` · 2^(attempts − 1), at most ``retry_cap_seconds``
        (30 s, 60 s, 2 min, … 1 h by default)."""
        return float(min(self.retry_cap_seconds, self.retry_base_seconds * 2 ** max(0, attempts - 1)))


def wa_me_link(phone_e164: str, text: str) -> str:
    """The click-to-chat link an officer opens to send ``text`` from the office's own
    WhatsApp (``https://wa.me/628123…?text=…``; the number without "+")."""
    from urllib.parse import quote
    return f"https://wa.me/{phone_e164.lstrip('+')}?text={quote(text, safe='')}"
