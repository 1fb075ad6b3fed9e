"""The office file's format as data: key names, allowed values and code patterns."""
from __future__ import annotations

import re

from ..domain.ikd import REASON_FOR_INPUT

#: Opening-hours keys, Monday first (the order of ``Office.opening_hours``).
WEEKDAYS = ("senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu")

#: Allowed ``office.photo_ratio`` values (pas foto sizes in cm: Permendagri 2/2016
#: says 2x3; offices ask 3x4 or 4x6, SOP 002 and 004 ask 4x6).
PHOTO_RATIOS = ("2x3", "3x4", "4x6")

#: Question kinds (``Question.kind``).
QUESTION_KINDS = ("date", "choice", "bool")

#: Built-in rule sets a service may name in ``rules``, and the refusal codes each gives
#: (the keys of a service's ``refusals`` table: the office's own wording).
from ..domain.requirements import REFUSAL_CODES, RULES  # noqa: E402  (one list, the domain's)

#: Facts derived from the answers by the built-in rules (``domain/requirements.py``),
#: usable as ``when`` keys besides the service's own question keys. With
#: ``rules = "kia"`` (Permendagri 2/2016, from the ``birth_date`` answer):
#: ``age_years`` (whole years on the application date), ``kia_eligible``,
#: ``kia_variant`` (1: age 0 to under 5, 2: age 5 to under 17) and
#: ``photo_required`` (variant 2). With ``rules = "ikd"`` (Permendagri 72/2022):
#: ``ikd_eligible``.
DERIVED_FACTS = ("kia_variant", "age_years", "photo_required", "kia_eligible", "ikd_eligible")
_FACT_RULES = {"kia_variant": "kia", "age_years": "kia", "photo_required": "kia", "kia_eligible": "kia",
               "ikd_eligible": "ikd"}

#: The question a ``rules = "kia"`` service must ask (a date).
KIA_BIRTH_DATE_KEY = "birth_date"
#: The bool questions a ``rules = "ikd"`` service must ask (``domain/ikd.py``).
IKD_QUESTION_KEYS = tuple(REASON_FOR_INPUT)

_OFFICE_CODE_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SERVICE_CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
_PREFIX_RE = re.compile(r"^[A-Z]{1,2}$")
_LOWER_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_KECAMATAN_RE = re.compile(r"^\d{2}\.\d{2}\.\d{2}$")
_HOURS_RE = re.compile(r"^(\d{2}):(\d{2})\s*-\s*(\d{2}):(\d{2})$")
_COUNTER_CODE_RE = re.compile(r"^[A-Za-z0-9_-]+$")

_TOP_KEYS = ("office", "opening_hours", "queue", "kecamatan", "services", "counters", "notifications", "online")
_ONLINE_KEYS = ("upload_max_mb", "max_pdf_pages", "retention_days")
_TOP_REQUIRED = ("office", "opening_hours", "services", "counters")
_OFFICE_KEYS = (
    "code", "name", "short_name", "regency", "timezone", "address", "phone",
    "head_name", "head_nip", "head_title", "parent", "pickup_offices",
    "running_text", "photo_ratio", "public_holidays", "closed_dates", "complaints", "province",
    "admin_may_sign", "public_url",
)
_OFFICE_REQUIRED = ("code", "name", "regency", "timezone")
_QUEUE_KEYS = ("normal_run", "priority_run", "skip_return_after", "max_skips", "number_digits", "alert_wait_minutes",
               "booked_run", "walk_in_run")
_SERVICE_KEYS = (
    "code", "name", "prefix", "icon", "description", "rules", "pickup",
    "completion_days", "daily_quota", "questions", "requirements", "steps", "refusals", "booking", "online",
)
_BOOKING_KEYS = ("days_ahead", "slot_minutes", "capacity", "walk_in_percent", "check_in_before", "check_in_after")
_SERVICE_REQUIRED = ("code", "name", "prefix", "steps")
_QUESTION_KEYS = ("key", "kind", "label", "choices", "required", "eligible_if", "ineligible_message", "help", "when")
_QUESTION_REQUIRED = ("key", "kind", "label")
_CHOICE_KEYS = ("value", "label")
_REQUIREMENT_KEYS = ("code", "label", "when", "note")
_REQUIREMENT_REQUIRED = ("code", "label")
_STEP_KEYS = ("code", "name", "role", "presence", "mutu_baku_minutes", "output", "when", "source", "effect",
              "channel")
_STEP_REQUIRED = ("code", "name", "role", "presence")
_COUNTER_KEYS = ("code", "number", "name", "services", "steps")
_COUNTER_REQUIRED = ("code", "number")
_KECAMATAN_KEYS = ("code", "name")
_TEXT_KEYS = ("id", "en")

_TYPE_NAMES: tuple[tuple[type, str], ...] = (
    (bool, "benar/salah (boolean)"),
    (int, "bilangan bulat (integer)"),
    (float, "bilangan (float)"),
    (str, "teks (string)"),
    (dict, "tabel (table)"),
    (list, "daftar (array)"),
)
