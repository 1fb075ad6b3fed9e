"""The ``[notifications]`` table (issue 14): channels, thresholds, texts and the
settings of each provider. Secrets (the WhatsApp token, the SMS token, the SMTP
password) are never read from the office file: only the names of the environment
variables (or a file) that hold them."""
from __future__ import annotations

import re
from typing import Any

from ..domain.notify import (
    CHANNELS,
    EMAIL,
    KINDS,
    SMS,
    WHATSAPP,
    EmailSettings,
    NotificationPolicy,
    SmsSettings,
    WhatsAppSettings,
    template_problems,
)
from .reader import _MISSING, BaseReader, _describe, _join

_KEYS = ("channels", "near_ahead", "uncollected_after_days", "uncollected_reminders", "reminder_hour", "use_names",
         "survey_url", "max_attempts", "retry_base_seconds", "retry_cap_seconds", "rate_per_minute", "templates",
         "whatsapp", "sms", "email")
_INTS = {"near_ahead": 1, "uncollected_after_days": 1, "uncollected_reminders": 0, "reminder_hour": 0,
         "max_attempts": 1, "retry_base_seconds": 1, "retry_cap_seconds": 1, "rate_per_minute": 1}
_WA_KEYS = ("phone_number_id", "api_base", "token_env", "token_file", "language", "templates", "template_params")
_SMS_KEYS = ("url", "method", "body", "content_type", "success_pattern", "strip_plus", "token_env")
_EMAIL_KEYS = ("host", "port", "security", "username", "password_env", "sender", "timeout")
_SECRET_KEYS = ("token", "access_token", "password", "api_key", "secret")


class NotificationReader(BaseReader):
    """The ``[notifications]`` table → :class:`NotificationPolicy`."""

    def notifications(self, value: Any) -> NotificationPolicy | None:
        path = "notifications"
        raw = self.table(value, path)
        if raw is None:
            return None
        mark = self.checkpoint()
        for key in _SECRET_KEYS:
            if key in raw:
                self.problem(_join(path, key), "rahasia tidak boleh di berkas kantor; simpan di variabel lingkungan "
                                               "(secrets never go in the office file: use an environment variable)")
        self.keys(raw, path, _KEYS)
        defaults = NotificationPolicy()
        values: dict[str, Any] = {k: self.integer(raw, k, path, minimum=m, default=getattr(defaults, k))
                                  for k, m in _INTS.items()}
        if isinstance(values["reminder_hour"], int) and values["reminder_hour"] > 23:
            self.problem(_join(path, "reminder_hour"), "jam 0–23 (an hour of the day, 0–23)")
        values["use_names"] = self.boolean(raw, "use_names", path, default=False)
        values["survey_url"] = self.string(raw, "survey_url", path, default="", nonempty=False)
        if values["survey_url"] and not re.match(r"^https?://\S+$", values["survey_url"]):
            self.problem(_join(path, "survey_url"), "bukan alamat web (not a web address)")
        channels = []
        for i, name in self.string_list(raw, "channels", path):
            if name not in CHANNELS:
                self.problem(f"{path}.channels[{i}]", f"saluran '{name}' tidak dikenal (unknown channel; one of "
                                                      f"{', '.join(CHANNELS)})")
            elif name in channels:
                self.problem(f"{path}.channels[{i}]", f"saluran '{name}' tercantum dua kali (listed twice)")
            else:
                channels.append(name)
        values["channels"] = tuple(channels)
        values["templates"] = self._templates(raw.get("templates"), f"{path}.templates") if "templates" in raw else {}
        values["whatsapp"] = self._whatsapp(raw["whatsapp"], f"{path}.whatsapp") if "whatsapp" in raw else None
        values["sms"] = self._sms(raw["sms"], f"{path}.sms") if "sms" in raw else None
        values["email"] = self._email(raw["email"], f"{path}.email") if "email" in raw else None
        for name, table in ((WHATSAPP, "whatsapp"), (SMS, "sms"), (EMAIL, "email")):
            if name in channels and table not in raw:
                self.problem(_join(path, "channels"), f"saluran '{name}' dipilih tetapi tabel [{path}.{table}] tidak "
                                                      f"ada (channel chosen without its settings table)")
        if not self.clean_since(mark) or any(v is _MISSING for v in values.values()):
            return None
        return NotificationPolicy(**values)

    def _templates(self, value: Any, path: str) -> dict:
        raw = self.table(value, path)
        if raw is None:
            return {}
        out = {}
        for kind in raw:
            text = self.text(raw, kind, path)
            if text is _MISSING:
                continue
            problems = template_problems(kind, text.id) + (template_problems(kind, text.en) if text.en else [])
            for p in dict.fromkeys(problems):
                self.problem(_join(path, kind), p)
            out[kind] = text
        return out

    def _whatsapp(self, value: Any, path: str) -> WhatsAppSettings | None:
        raw = self.table(value, path)
        if raw is None:
            return None
        self.keys(raw, path, _WA_KEYS, ("phone_number_id",))
        d = WhatsAppSettings()
        fields = {k: self.string(raw, k, path, default=getattr(d, k), nonempty=k == "phone_number_id")
                  for k in ("phone_number_id", "api_base", "token_env", "token_file", "language")}
        if isinstance(fields["phone_number_id"], str) and not fields["phone_number_id"].isdigit():
            self.problem(_join(path, "phone_number_id"), "angka ID nomor telepon dari Meta (the numeric phone-number "
                                                         "id from the WhatsApp Manager)")
        templates, params = {}, {}
        for kind, name in (self.table(raw.get("templates", {}), _join(path, "templates")) or {}).items():
            if kind not in KINDS:
                self.problem(f"{path}.templates.{kind}", "jenis pesan tidak dikenal (unknown message kind)")
            elif not isinstance(name, str) or not re.match(r"^[a-z0-9_]+$", name):
                self.problem(f"{path}.templates.{kind}", f"nama template WhatsApp, huruf kecil/angka/_, didapat "
                                                         f"{_describe(name)} (a WhatsApp template name)")
            else:
                templates[kind] = name
        for kind, names in (self.table(raw.get("template_params", {}), _join(path, "template_params")) or {}).items():
            if kind not in KINDS or not isinstance(names, list) or any(n not in KINDS[kind] for n in names):
                self.problem(f"{path}.template_params.{kind}", f"daftar placeholder dari {KINDS.get(kind, ())} "
                                                               f"(a list of the kind's placeholders)")
            else:
                params[kind] = tuple(names)
        if any(v is _MISSING for v in fields.values()):
            return None
        return WhatsAppSettings(**fields, templates=templates, template_params=params)

    def _sms(self, value: Any, path: str) -> SmsSettings | None:
        raw = self.table(value, path)
        if raw is None:
            return None
        self.keys(raw, path, _SMS_KEYS, ("url",))
        d = SmsSettings()
        fields = {k: self.string(raw, k, path, default=getattr(d, k), nonempty=k in ("url", "method"))
                  for k in ("url", "method", "body", "content_type", "success_pattern", "token_env")}
        fields["strip_plus"] = self.boolean(raw, "strip_plus", path, default=True)
        if isinstance(fields["url"], str) and not re.match(r"^https?://", fields["url"]):
            self.problem(_join(path, "url"), "bukan alamat web (not a web address)")
        if isinstance(fields["method"], str):
            fields["method"] = fields["method"].upper()
            if fields["method"] not in ("GET", "POST"):
                self.problem(_join(path, "method"), "GET atau POST (GET or POST)")
        if isinstance(fields["success_pattern"], str):
            try:
                re.compile(fields["success_pattern"])
            except re.error as e:
                self.problem(_join(path, "success_pattern"), f"pola tidak valid: {e} (invalid regular expression)")
        if any(v is _MISSING for v in fields.values()):
            return None
        return SmsSettings(**fields)

    def _email(self, value: Any, path: str) -> EmailSettings | None:
        raw = self.table(value, path)
        if raw is None:
            return None
        self.keys(raw, path, _EMAIL_KEYS, ("host", "sender"))
        d = EmailSettings()
        fields = {k: self.string(raw, k, path, default=getattr(d, k), nonempty=k in ("host", "sender", "security"))
                  for k in ("host", "security", "username", "password_env", "sender")}
        fields["port"] = self.integer(raw, "port", path, minimum=1, default=d.port)
        fields["timeout"] = self.integer(raw, "timeout", path, minimum=1, default=d.timeout)
        if fields["security"] not in (_MISSING, "starttls", "ssl", "none"):
            self.problem(_join(path, "security"), "starttls, ssl atau none (starttls, ssl or none)")
        if isinstance(fields["sender"], str) and "@" not in fields["sender"]:
            self.problem(_join(path, "sender"), "alamat email pengirim (the From address)")
        if any(v is _MISSING for v in fields.values()):
            return None
        return EmailSettings(**fields)
