"""Office file (TOML) -> validated, frozen :class:`~queue_server.domain.office.Office`.

An office file describes one office (the Dinas or a UPTD) and its SOP: opening
hours, kecamatan, queue policy, services with their questions, requirements and
steps (mutu baku), and the counters (loket). The format is documented for office
admins in ``assets/offices/README.md``; the shipped example is
``assets/offices/default.toml``.

Every problem found in a file is collected and reported at once by
:class:`OfficeConfigError`; each problem names the file, the key path and the
problem, Indonesian first with English in parentheses, e.g.::

    default.toml: services[KIA].steps[3].role: peran 'kasir' tidak dikenal
    (unknown role; choose one of admin, operator, ...)

Key paths count list entries from 1 (the first ``[[services.steps]]`` block is
``steps[1]``); services are named by their code when it is readable.

Parsing uses the standard library only (``tomllib``, ``zoneinfo``).
"""
from __future__ import annotations

import difflib
import math
import re
import tomllib
import warnings
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .domain.office import (
    COUNTER_EFFECTS,
    EFFECTS,
    PRESENCE_COUNTER,
    PRESENCES,
    ZONE_ABBREVIATIONS,
    Choice,
    Condition,
    Counter,
    DayHours,
    Kecamatan,
    Office,
    Question,
    QueuePolicy,
    Requirement,
    Service,
    Step,
    Text,
)
from .domain.ikd import REASON_FOR_INPUT
from .domain.roles import DEVICE_ROLES, STAFF_ROLES

__all__ = [
    "DERIVED_FACTS",
    "IKD_QUESTION_KEYS",
    "KIA_BIRTH_DATE_KEY",
    "PHOTO_RATIOS",
    "QUESTION_KINDS",
    "RULES",
    "WEEKDAYS",
    "OfficeConfigError",
    "OfficeConfigWarning",
    "default_office_dir",
    "load_office",
    "load_offices",
    "loads_office",
]

#: Opening-hours keys, Monday first (the order of ``Office.opening_hours``).
WEEKDAYS = ("senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu")

#: Allowed ``office.photo_ratio`` values (pas foto sizes in cm: Permendagri 2/2016
#: says 2x3; offices ask 3x4 or 4x6, SOP 002 and 004 ask 4x6).
PHOTO_RATIOS = ("2x3", "3x4", "4x6")

#: Question kinds (``Question.kind``).
QUESTION_KINDS = ("date", "choice", "bool")

#: Built-in rule sets a service may name in ``rules``.
RULES = ("kia", "ikd")

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

_TOP_KEYS = ("office", "opening_hours", "queue", "kecamatan", "services", "counters")
_TOP_REQUIRED = ("office", "opening_hours", "services", "counters")
_OFFICE_KEYS = (
    "code", "name", "short_name", "regency", "timezone", "address", "phone",
    "head_name", "head_nip", "head_title", "parent", "pickup_offices",
    "running_text", "photo_ratio",
)
_OFFICE_REQUIRED = ("code", "name", "regency", "timezone")
_QUEUE_KEYS = ("normal_run", "priority_run", "skip_return_after", "max_skips", "number_digits")
_SERVICE_KEYS = (
    "code", "name", "prefix", "icon", "description", "rules", "pickup",
    "completion_days", "daily_quota", "questions", "requirements", "steps",
)
_SERVICE_REQUIRED = ("code", "name", "prefix", "steps")
_QUESTION_KEYS = ("key", "kind", "label", "choices", "required", "eligible_if", "ineligible_message", "help")
_QUESTION_REQUIRED = ("key", "kind", "label")
_CHOICE_KEYS = ("value", "label")
_REQUIREMENT_KEYS = ("code", "label", "when", "note")
_REQUIREMENT_REQUIRED = ("code", "label")
_STEP_KEYS = ("code", "name", "role", "presence", "mutu_baku_minutes", "output", "when", "source", "effect")
_STEP_REQUIRED = ("code", "name", "role", "presence")
_COUNTER_KEYS = ("code", "number", "name", "services", "steps")
_COUNTER_REQUIRED = ("code", "number")
_KECAMATAN_KEYS = ("code", "name")
_TEXT_KEYS = ("id", "en")


class OfficeConfigError(Exception):
    """An office file (or folder of files) is invalid.

    ``problems`` lists every problem found, each ``"<file>: <key path>: <problem>"``
    in Indonesian with English in parentheses; the message is a header naming the
    file(s) followed by one problem per line.
    """

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = list(problems)
        count = len(self.problems)
        header = f"{source}: {count} masalah di berkas kantor ({count} problem(s) in the office file)"
        super().__init__(header + "\n" + "\n".join(f"- {p}" for p in self.problems))


class OfficeConfigWarning(UserWarning):
    """A valid but unusual office file (e.g. a timezone outside WIB/WITA/WIT)."""


def default_office_dir() -> Path:
    """The shipped office files: ``<repo or install>/assets/offices``."""
    return Path(__file__).resolve().parent.parent / "assets" / "offices"


def load_office(path: str | Path) -> Office:
    """Read and validate one office file.

    ``path`` is a TOML file in the format of ``assets/offices/README.md``. Returns a
    frozen :class:`Office` whose ``source_file`` is ``str(path)``. Raises
    :class:`OfficeConfigError` listing every problem (also for a missing or
    unreadable file or invalid TOML). Warns :class:`OfficeConfigWarning` for a valid
    IANA timezone that is not an Indonesian zone (WIB/WITA/WIT).
    """
    path = Path(path)
    office, problems, _ = _load_collect(path)
    if problems:
        raise OfficeConfigError(str(path), problems)
    assert office is not None
    return office


def loads_office(text: str, filename: str = "<office>") -> Office:
    """Like :func:`load_office` for TOML ``text``; ``filename`` names it in messages."""
    office, problems, _ = _parse_text(text, filename, filename, stacklevel=3)
    if problems:
        raise OfficeConfigError(filename, problems)
    assert office is not None
    return office


def load_offices(directory: str | Path) -> tuple[Office, ...]:
    """Read every ``*.toml`` in ``directory`` (sorted by file name) as offices.

    Besides each file's own checks: office codes must be unique across the folder,
    ``parent`` and every ``pickup_offices`` code must name an office in the folder,
    and ``parent`` links must not form a cycle. Raises :class:`OfficeConfigError`
    with all problems of all files at once (also when the folder is missing or holds
    no ``*.toml``). Returns the offices in file-name order.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise OfficeConfigError(str(directory), [
            f"{directory.name}: (folder): folder tidak ditemukan (directory not found)"
        ])
    files = sorted(p for p in directory.glob("*.toml") if p.is_file())
    if not files:
        raise OfficeConfigError(str(directory), [
            f"{directory.name}: (folder): tidak ada berkas *.toml (no *.toml office file in the directory)"
        ])
    problems: list[str] = []
    loaded: list[tuple[Path, Office]] = []
    broken_codes: set[str] = set()
    for path in files:
        office, file_problems, code = _load_collect(path)
        problems.extend(file_problems)
        if office is not None:
            loaded.append((path, office))
        elif code is not None:
            broken_codes.add(code)
    problems.extend(_cross_office_problems(loaded, broken_codes))
    if problems:
        raise OfficeConfigError(str(directory), problems)
    return tuple(office for _, office in loaded)


# --------------------------------------------------------------------------- internals


def _cross_office_problems(loaded: list[tuple[Path, Office]], broken_codes: set[str]) -> list[str]:
    """Uniqueness of office codes and existence of parent / pickup office codes.

    ``broken_codes`` are the codes of offices whose files have problems of their own
    (already reported): references to them are not reported again.
    """
    problems: list[str] = []
    by_code: dict[str, Path] = {}
    for path, office in loaded:
        if office.code in by_code:
            problems.append(
                f"{path.name}: office.code: kode kantor '{office.code}' sudah dipakai di "
                f"{by_code[office.code].name} (office code already used by another file)"
            )
        else:
            by_code[office.code] = path
    known = ", ".join(sorted(by_code)) or "-"
    parents: dict[str, str] = {}
    for path, office in loaded:
        if office.parent is not None:
            if office.parent not in by_code and office.parent not in broken_codes:
                problems.append(
                    f"{path.name}: office.parent: kantor induk '{office.parent}' tidak ada di folder "
                    f"(parent office not found; known offices: {known})"
                )
            elif office.parent in by_code:
                parents[office.code] = office.parent
        for i, code in enumerate(office.pickup_offices, start=1):
            if code not in by_code and code not in broken_codes:
                problems.append(
                    f"{path.name}: office.pickup_offices[{i}]: kantor pengambilan '{code}' tidak ada "
                    f"di folder (pickup office not found; known offices: {known})"
                )
    reported: set[str] = set()
    for path, office in loaded:
        seen = [office.code]
        code = office.code
        while code in parents:
            code = parents[code]
            if code in seen:
                cycle = seen[seen.index(code):] + [code]
                if not reported.intersection(cycle):
                    problems.append(
                        f"{path.name}: office.parent: rantai kantor induk berputar "
                        f"{' -> '.join(cycle)} (parent offices form a cycle)"
                    )
                    reported.update(cycle)
                break
            seen.append(code)
    return problems


_Loaded = tuple[Office | None, list[str], str | None]


def _load_collect(path: Path) -> _Loaded:
    """``(office or None, problems, office code as written or None)`` for one file."""
    name = path.name
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return None, [f"{name}: (berkas): berkas tidak ditemukan (file not found)"], None
    except UnicodeDecodeError as exc:
        return None, [f"{name}: (berkas): bukan teks UTF-8 (not UTF-8 text: {exc.reason} at byte {exc.start})"], None
    except OSError as exc:
        return None, [f"{name}: (berkas): berkas tidak bisa dibaca (cannot read file: {exc.strerror})"], None
    return _parse_text(text, name, str(path))


def _parse_text(text: str, name: str, source_file: str, stacklevel: int = 4) -> _Loaded:
    """Parse and validate; warnings are emitted here (``stacklevel`` pointing at the
    public function's caller), problems returned."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, [f"{name}: (toml): TOML tidak valid (invalid TOML: {exc})"], None
    office_table = data.get("office")
    code = office_table.get("code") if isinstance(office_table, dict) else None
    reader = _Reader(name)
    office = reader.office(data, source_file)
    for message in reader.warnings:
        warnings.warn(OfficeConfigWarning(message), stacklevel=stacklevel)
    if reader.problems:
        return None, reader.problems, code if isinstance(code, str) else None
    return office, [], office.code if office else None


_TYPE_NAMES: tuple[tuple[type, str], ...] = (
    (bool, "benar/salah (boolean)"),
    (int, "bilangan bulat (integer)"),
    (float, "bilangan (float)"),
    (str, "teks (string)"),
    (dict, "tabel (table)"),
    (list, "daftar (array)"),
)


def _describe(value: Any) -> str:
    for kind, label in _TYPE_NAMES:
        if isinstance(value, kind):
            return label
    return f"{type(value).__name__}"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Missing:
    pass


_MISSING: Any = _Missing()


@dataclass
class _ServiceContext:
    """What ``when`` conditions of a service may refer to."""

    code: str
    questions: dict[str, Question]
    rules: str | None
    broken_questions: frozenset[str] = frozenset()


class _Reader:
    """Walks the parsed TOML, building domain objects and collecting problems."""

    def __init__(self, filename: str):
        self.filename = filename
        self.problems: list[str] = []
        self.warnings: list[str] = []
        #: Codes of services present in the file but invalid (their problems are
        #: reported once; counters naming them are not reported again).
        self.broken_services: set[str] = set()

    # -- reporting ---------------------------------------------------------------

    def problem(self, path: str, message: str) -> None:
        self.problems.append(f"{self.filename}: {path}: {message}")

    def checkpoint(self) -> int:
        return len(self.problems)

    def clean_since(self, mark: int) -> bool:
        return len(self.problems) == mark

    def keys(self, table: Mapping[str, Any], path: str, allowed: Iterable[str], required: Iterable[str] = ()) -> None:
        """Report unknown keys (with a close match when there is one) and missing ones."""
        allowed = tuple(allowed)
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"; maksud Anda '{close[0]}'? (did you mean '{close[0]}'?)" if close else ""
                self.problem(
                    _join(path, key),
                    f"kunci '{key}' tidak dikenal{hint} (unknown key; allowed: {', '.join(allowed)})",
                )
        for key in required:
            if key not in table:
                self.problem(_join(path, key), f"kunci wajib '{key}' tidak ada (required key missing)")

    # -- typed getters (return _MISSING when absent or invalid) --------------------

    def table(self, value: Any, path: str) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.problem(path, f"harus berupa tabel, didapat {_describe(value)} (must be a table)")
            return None
        return value

    def tables(self, parent: Mapping[str, Any], key: str, path: str) -> list[dict[str, Any]]:
        """An array of tables (``[[key]]``); returns only the entries that are tables."""
        raw = parent.get(key, [])
        if not isinstance(raw, list):
            self.problem(_join(path, key), f"harus berupa daftar tabel [[{key}]], didapat {_describe(raw)} "
                                           f"(must be an array of tables)")
            return []
        out = []
        for i, item in enumerate(raw, start=1):
            if isinstance(item, dict):
                out.append(item)
            else:
                self.problem(f"{_join(path, key)}[{i}]", f"harus berupa tabel, didapat {_describe(item)} "
                                                         f"(must be a table)")
        return out

    def string(self, table: Mapping[str, Any], key: str, path: str, *, default: Any = _MISSING,
               nonempty: bool = True) -> Any:
        if key not in table:
            return default
        value = table[key]
        if not isinstance(value, str):
            self.problem(_join(path, key), f"harus berupa teks, didapat {_describe(value)} (must be a string)")
            return _MISSING
        if nonempty and not value.strip():
            self.problem(_join(path, key), "tidak boleh kosong (must not be empty)")
            return _MISSING
        return value.strip() if nonempty else value

    def integer(self, table: Mapping[str, Any], key: str, path: str, *, minimum: int,
                default: Any = _MISSING) -> Any:
        if key not in table:
            return default
        value = table[key]
        if not _is_int(value):
            self.problem(_join(path, key), f"harus bilangan bulat, didapat {_describe(value)} (must be an integer)")
            return _MISSING
        if value < minimum:
            self.problem(_join(path, key), f"harus bilangan bulat >= {minimum}, didapat {value} "
                                           f"(must be an integer >= {minimum})")
            return _MISSING
        return value

    def boolean(self, table: Mapping[str, Any], key: str, path: str, *, default: Any = _MISSING) -> Any:
        if key not in table:
            return default
        value = table[key]
        if not isinstance(value, bool):
            self.problem(_join(path, key), f"harus true atau false, didapat {_describe(value)} (must be a boolean)")
            return _MISSING
        return value

    def string_list(self, table: Mapping[str, Any], key: str, path: str) -> list[tuple[int, str]]:
        """Strings of an array with their 1-based positions; bad entries are reported."""
        if key not in table:
            return []
        value = table[key]
        if not isinstance(value, list):
            self.problem(_join(path, key), f"harus berupa daftar teks, didapat {_describe(value)} "
                                           f"(must be an array of strings)")
            return []
        out = []
        for i, item in enumerate(value, start=1):
            if isinstance(item, str) and item.strip():
                out.append((i, item.strip()))
            else:
                self.problem(f"{_join(path, key)}[{i}]", f"harus teks tidak kosong, didapat {_describe(item)} "
                                                         f"(must be a non-empty string)")
        return out

    def text(self, table: Mapping[str, Any], key: str, path: str, *, default: Any = _MISSING) -> Any:
        """A text field: ``"Indonesian"`` or ``{ id = "...", en = "..." }``."""
        if key not in table:
            return default
        value = table[key]
        where = _join(path, key)
        if isinstance(value, str):
            if not value.strip():
                self.problem(where, "tidak boleh kosong (must not be empty)")
                return _MISSING
            return Text(id=value.strip())
        if isinstance(value, dict):
            mark = self.checkpoint()
            self.keys(value, where, _TEXT_KEYS, ("id",))
            id_ = self.string(value, "id", where)
            en = self.string(value, "en", where, default="")
            if not self.clean_since(mark) or id_ is _MISSING or en is _MISSING:
                return _MISSING
            return Text(id=id_, en=en)
        self.problem(where, f"harus teks atau tabel {{ id = \"...\", en = \"...\" }}, didapat {_describe(value)} "
                            f"(must be a string or a table with id and en)")
        return _MISSING

    def code(self, table: Mapping[str, Any], key: str, path: str, pattern: re.Pattern[str], rule: str) -> Any:
        value = self.string(table, key, path)
        if value is _MISSING:
            return _MISSING
        if not pattern.match(value):
            self.problem(_join(path, key), f"'{value}' tidak sesuai format: {rule}")
            return _MISSING
        return value

    # -- sections ----------------------------------------------------------------

    def office(self, data: dict[str, Any], source_file: str) -> Office | None:
        self.keys(data, "", _TOP_KEYS, _TOP_REQUIRED)
        raw_office = self.table(data["office"], "office") if "office" in data else None
        fields = self.office_fields(raw_office) if raw_office is not None else None
        hours = self.opening_hours(data["opening_hours"]) if "opening_hours" in data else None
        queue = self.queue(data["queue"]) if "queue" in data else QueuePolicy()
        kecamatan = self.kecamatan(data)
        services = self.services(data)
        counters = self.counters(data, services)
        if self.problems or fields is None or hours is None or queue is None:
            return None
        return Office(
            opening_hours=hours,
            services=tuple(services),
            counters=tuple(counters),
            kecamatan=tuple(kecamatan),
            queue=queue,
            source_file=source_file,
            **fields,
        )

    def office_fields(self, raw: dict[str, Any]) -> dict[str, Any] | None:
        path = "office"
        mark = self.checkpoint()
        self.keys(raw, path, _OFFICE_KEYS, _OFFICE_REQUIRED)
        fields: dict[str, Any] = {}
        fields["code"] = self.code(raw, "code", path, _OFFICE_CODE_RE,
                                   "huruf kecil, angka dan tanda '-', mis. 'paser' atau 'paser-tanah-grogot' "
                                   "(lowercase letters, digits and '-')")
        for key in ("name", "regency"):
            fields[key] = self.string(raw, key, path)
        for key in ("short_name", "address", "phone", "head_name", "head_nip", "running_text"):
            fields[key] = self.string(raw, key, path, default="", nonempty=False)
        fields["head_title"] = self.string(raw, "head_title", path, default="Kepala Dinas")
        fields["timezone"] = self.timezone(raw, path)
        fields["photo_ratio"] = self.string(raw, "photo_ratio", path, default="3x4")
        if fields["photo_ratio"] is not _MISSING and fields["photo_ratio"] not in PHOTO_RATIOS:
            self.problem(_join(path, "photo_ratio"),
                         f"ukuran foto '{fields['photo_ratio']}' tidak dikenal "
                         f"(unknown photo size; choose one of {', '.join(PHOTO_RATIOS)})")
        fields["parent"] = self.code(raw, "parent", path, _OFFICE_CODE_RE,
                                     "kode kantor induk, huruf kecil/angka/'-' (office code of the parent)"
                                     ) if "parent" in raw else None
        if fields["parent"] is not None and fields["parent"] == fields["code"]:
            self.problem(_join(path, "parent"),
                         "kantor tidak bisa menjadi induk dirinya sendiri (an office cannot be its own parent)")
        pickup = []
        for i, code in self.string_list(raw, "pickup_offices", path):
            if not _OFFICE_CODE_RE.match(code):
                self.problem(f"{path}.pickup_offices[{i}]",
                             f"'{code}' bukan kode kantor (not an office code: lowercase letters, digits, '-')")
            elif code in pickup:
                self.problem(f"{path}.pickup_offices[{i}]", f"kode '{code}' tercantum dua kali (listed twice)")
            else:
                pickup.append(code)
        fields["pickup_offices"] = tuple(pickup)
        if not self.clean_since(mark) or any(v is _MISSING for v in fields.values()):
            return None
        return fields

    def timezone(self, raw: Mapping[str, Any], path: str) -> Any:
        value = self.string(raw, "timezone", path)
        if value is _MISSING:
            return _MISSING
        where = _join(path, "timezone")
        by_abbreviation = {abbr: zone for zone, abbr in reversed(ZONE_ABBREVIATIONS.items())}
        if value.upper() in by_abbreviation:
            self.problem(where, f"tulis nama zona IANA, mis. '{by_abbreviation[value.upper()]}' untuk {value.upper()} "
                                f"(use the IANA zone name, not the abbreviation)")
            return _MISSING
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            self.problem(where, f"zona waktu '{value}' tidak dikenal (unknown IANA timezone; use Asia/Jakarta "
                                f"for WIB, Asia/Makassar for WITA, Asia/Jayapura for WIT)")
            return _MISSING
        if value not in ZONE_ABBREVIATIONS:
            self.warnings.append(
                f"{self.filename}: {where}: zona '{value}' bukan WIB/WITA/WIT "
                f"(timezone is not an Indonesian zone: {', '.join(ZONE_ABBREVIATIONS)})"
            )
        return value

    def opening_hours(self, value: Any) -> tuple[DayHours, ...] | None:
        path = "opening_hours"
        raw = self.table(value, path)
        if raw is None:
            return None
        mark = self.checkpoint()
        self.keys(raw, path, WEEKDAYS, WEEKDAYS)
        days: list[DayHours] = []
        for day in WEEKDAYS:
            if day not in raw:
                continue
            where = _join(path, day)
            text = raw[day]
            if not isinstance(text, str):
                self.problem(where, f"harus teks \"HH:MM-HH:MM\" atau \"tutup\", didapat {_describe(text)} "
                                    f"(must be a string \"HH:MM-HH:MM\" or \"tutup\")")
                continue
            if text.strip().lower() == "tutup":
                days.append(DayHours(None, None))
                continue
            match = _HOURS_RE.match(text.strip())
            if not match:
                self.problem(where, f"'{text}' bukan \"HH:MM-HH:MM\" atau \"tutup\" "
                                    f"(expected \"HH:MM-HH:MM\" such as \"08:00-15:00\", or \"tutup\" for closed)")
                continue
            h1, m1, h2, m2 = (int(g) for g in match.groups())
            if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
                self.problem(where, f"'{text}' berisi jam yang tidak ada (invalid time of day)")
                continue
            opens, closes = time(h1, m1), time(h2, m2)
            if opens >= closes:
                self.problem(where, f"jam buka {opens:%H:%M} harus sebelum jam tutup {closes:%H:%M} "
                                    f"(opening time must be before closing time)")
                continue
            days.append(DayHours(opens, closes))
        if not self.clean_since(mark):
            return None
        if not any(d.is_open_day for d in days):
            self.problem(path, "kantor tutup setiap hari (the office is closed on every day)")
            return None
        return tuple(days)

    def queue(self, value: Any) -> QueuePolicy | None:
        path = "queue"
        raw = self.table(value, path)
        if raw is None:
            return None
        mark = self.checkpoint()
        self.keys(raw, path, _QUEUE_KEYS)
        defaults = QueuePolicy()
        values = {key: self.integer(raw, key, path, minimum=1, default=getattr(defaults, key))
                  for key in _QUEUE_KEYS}
        if not self.clean_since(mark):
            return None
        return QueuePolicy(**values)

    def kecamatan(self, data: Mapping[str, Any]) -> list[Kecamatan]:
        out: list[Kecamatan] = []
        seen: dict[str, int] = {}
        for i, raw in enumerate(self.tables(data, "kecamatan", ""), start=1):
            path = f"kecamatan[{i}]"
            mark = self.checkpoint()
            self.keys(raw, path, _KECAMATAN_KEYS, _KECAMATAN_KEYS)
            code = self.code(raw, "code", path, _KECAMATAN_RE,
                             "kode Kemendagri PP.KK.CC, mis. '64.01.04' (Kemendagri code PP.KK.CC)")
            name = self.string(raw, "name", path)
            if code is not _MISSING:
                if code in seen:
                    self.problem(_join(path, "code"), f"kode kecamatan '{code}' sudah dipakai di kecamatan[{seen[code]}] "
                                                      f"(duplicate kecamatan code)")
                else:
                    seen[code] = i
            if self.clean_since(mark):
                out.append(Kecamatan(code=code, name=name))
        return out

    # -- services ----------------------------------------------------------------

    def services(self, data: Mapping[str, Any]) -> list[Service]:
        if "services" in data and not isinstance(data["services"], list):
            self.problem("services", f"harus berupa daftar tabel [[services]], didapat {_describe(data['services'])} "
                                     f"(must be an array of tables)")
            return []
        raws = self.tables(data, "services", "") if "services" in data else []
        if "services" in data and not data["services"]:
            self.problem("services", "kantor harus punya paling sedikit satu layanan (at least one service is required)")
        out: list[Service] = []
        codes: dict[str, str] = {}
        prefixes: dict[str, str] = {}
        for i, raw in enumerate(raws, start=1):
            label = raw.get("code") if isinstance(raw.get("code"), str) and raw.get("code") else str(i)
            path = f"services[{label}]"
            mark = self.checkpoint()
            service = self.service(raw, path)
            if service is not None:
                if service.code in codes:
                    self.problem(_join(path, "code"), f"kode layanan '{service.code}' sudah dipakai oleh layanan ke-"
                                                      f"{codes[service.code]} (duplicate service code)")
                else:
                    codes[service.code] = str(i)
                if service.prefix in prefixes:
                    self.problem(_join(path, "prefix"), f"awalan nomor '{service.prefix}' sudah dipakai oleh layanan "
                                                        f"{prefixes[service.prefix]} (duplicate ticket prefix)")
                else:
                    prefixes[service.prefix] = service.code
            if self.clean_since(mark) and service is not None:
                out.append(service)
            elif isinstance(raw.get("code"), str):
                self.broken_services.add(raw["code"].strip())
        return out

    def service(self, raw: dict[str, Any], path: str) -> Service | None:
        mark = self.checkpoint()
        self.keys(raw, path, _SERVICE_KEYS, _SERVICE_REQUIRED)
        code = self.code(raw, "code", path, _SERVICE_CODE_RE,
                         "huruf besar, angka dan '_', diawali huruf, mis. 'KIA' atau 'AKTA_LAHIR' "
                         "(uppercase letters, digits and '_')")
        name = self.text(raw, "name", path)
        prefix = self.code(raw, "prefix", path, _PREFIX_RE,
                           "1–2 huruf besar, mis. 'A' (ticket prefix: 1-2 uppercase letters)")
        icon = self.string(raw, "icon", path, default="")
        description = self.text(raw, "description", path, default=None)
        rules = self.string(raw, "rules", path, default=None)
        if isinstance(rules, str) and rules not in RULES:
            self.problem(_join(path, "rules"), f"aturan '{rules}' tidak dikenal (unknown rules; choose one of "
                                               f"{', '.join(RULES)} or leave it out)")
            rules = _MISSING
        pickup = self.boolean(raw, "pickup", path, default=True)
        completion_days = self.integer(raw, "completion_days", path, minimum=1, default=None)
        daily_quota = self.integer(raw, "daily_quota", path, minimum=1, default=None)

        questions, broken_questions = self.questions(raw, path)
        context = _ServiceContext(code=code if isinstance(code, str) else "?",
                                  questions={q.key: q for q in questions},
                                  rules=rules if isinstance(rules, str) else None,
                                  broken_questions=frozenset(broken_questions))
        if context.rules == "kia" and KIA_BIRTH_DATE_KEY not in broken_questions:
            q = context.questions.get(KIA_BIRTH_DATE_KEY)
            if q is None or q.kind != "date":
                self.problem(_join(path, "rules"),
                             f"aturan 'kia' memerlukan pertanyaan '{KIA_BIRTH_DATE_KEY}' bertipe date "
                             f"(rules 'kia' needs a date question with key '{KIA_BIRTH_DATE_KEY}')")
        if context.rules == "ikd":
            missing = [k for k in IKD_QUESTION_KEYS if k not in broken_questions
                       and (k not in context.questions or context.questions[k].kind != "bool")]
            if missing:
                self.problem(_join(path, "rules"),
                             f"aturan 'ikd' memerlukan pertanyaan bool {', '.join(missing)} "
                             f"(rules 'ikd' needs these bool questions)")
        requirements = self.requirements(raw, path, context)
        steps = self.steps(raw, path, context)
        if not self.clean_since(mark):
            return None
        return Service(
            code=code, name=name, prefix=prefix, questions=tuple(questions),
            requirements=tuple(requirements), steps=tuple(steps), daily_quota=daily_quota,
            rules=rules, icon=icon, description=description, pickup=pickup,
            completion_days=completion_days,
        )

    def questions(self, service_raw: Mapping[str, Any], service_path: str) -> tuple[list[Question], set[str]]:
        """Valid questions, and the keys of invalid ones (already reported)."""
        out: list[Question] = []
        broken: set[str] = set()
        keys: dict[str, int] = {}
        for i, raw in enumerate(self.tables(service_raw, "questions", service_path), start=1):
            path = f"{service_path}.questions[{i}]"
            mark = self.checkpoint()
            self.keys(raw, path, _QUESTION_KEYS, _QUESTION_REQUIRED)
            key = self.code(raw, "key", path, _LOWER_CODE_RE,
                            "huruf kecil, angka dan '_', diawali huruf (lowercase letters, digits, '_')")
            if key is not _MISSING:
                if key in DERIVED_FACTS:
                    self.problem(_join(path, "key"), f"'{key}' adalah fakta turunan, pakai nama lain "
                                                     f"(reserved for a derived fact; choose another key)")
                elif key in keys:
                    self.problem(_join(path, "key"), f"pertanyaan '{key}' sudah ada di questions[{keys[key]}] "
                                                     f"(duplicate question key)")
                else:
                    keys[key] = i
            kind = self.string(raw, "kind", path)
            if kind is not _MISSING and kind not in QUESTION_KINDS:
                self.problem(_join(path, "kind"), f"jenis pertanyaan '{kind}' tidak dikenal "
                                                  f"(unknown kind; choose one of {', '.join(QUESTION_KINDS)})")
                kind = _MISSING
            label = self.text(raw, "label", path)
            required = self.boolean(raw, "required", path, default=True)
            help_ = self.text(raw, "help", path, default=None)
            eligible_if = self.boolean(raw, "eligible_if", path, default=None)
            message = self.text(raw, "ineligible_message", path, default=None)
            choices: list[Choice] = []
            if kind == "choice":
                choices = self.choices(raw, path)
            elif "choices" in raw and kind is not _MISSING:
                self.problem(_join(path, "choices"), f"hanya pertanyaan jenis choice yang punya pilihan "
                                                     f"(only 'choice' questions have choices; this one is '{kind}')")
            if eligible_if is not None and eligible_if is not _MISSING:
                if kind is not _MISSING and kind != "bool":
                    self.problem(_join(path, "eligible_if"), "eligible_if hanya untuk pertanyaan jenis bool "
                                                             "(eligible_if is only for 'bool' questions)")
                if message is None:
                    self.problem(_join(path, "ineligible_message"),
                                 "wajib diisi bila eligible_if dipakai: jelaskan apa yang harus dilakukan pemohon "
                                 "(required with eligible_if: tell the applicant what to do instead)")
            elif message is not None and message is not _MISSING:
                self.problem(_join(path, "ineligible_message"), "hanya berlaku bersama eligible_if "
                                                                "(only meaningful together with eligible_if)")
            if self.clean_since(mark):
                out.append(Question(key=key, kind=kind, label=label, choices=tuple(choices), required=required,
                                    eligible_if=eligible_if, ineligible_message=message, help=help_))
            elif isinstance(raw.get("key"), str):
                broken.add(raw["key"])
        return out, broken

    def choices(self, question_raw: Mapping[str, Any], question_path: str) -> list[Choice]:
        if "choices" not in question_raw:
            self.problem(_join(question_path, "choices"), "pertanyaan jenis choice wajib punya pilihan "
                                                          "(a 'choice' question needs choices)")
            return []
        raws = self.tables(question_raw, "choices", question_path)
        if isinstance(question_raw["choices"], list) and len(question_raw["choices"]) < 2:
            self.problem(_join(question_path, "choices"), "perlu paling sedikit dua pilihan "
                                                          "(a choice question needs at least two choices)")
        out: list[Choice] = []
        seen: dict[str, int] = {}
        for i, raw in enumerate(raws, start=1):
            path = f"{question_path}.choices[{i}]"
            mark = self.checkpoint()
            self.keys(raw, path, _CHOICE_KEYS, _CHOICE_KEYS)
            value = self.code(raw, "value", path, re.compile(r"^[a-z0-9][a-z0-9_]*$"),
                              "huruf kecil, angka dan '_' (lowercase letters, digits, '_')")
            label = self.text(raw, "label", path)
            if value is not _MISSING:
                if value in seen:
                    self.problem(_join(path, "value"), f"pilihan '{value}' sudah ada di choices[{seen[value]}] "
                                                       f"(duplicate choice value)")
                else:
                    seen[value] = i
            if self.clean_since(mark):
                out.append(Choice(value=value, label=label))
        return out

    def requirements(self, service_raw: Mapping[str, Any], service_path: str,
                     context: _ServiceContext) -> list[Requirement]:
        out: list[Requirement] = []
        seen: dict[str, int] = {}
        for i, raw in enumerate(self.tables(service_raw, "requirements", service_path), start=1):
            path = f"{service_path}.requirements[{i}]"
            mark = self.checkpoint()
            self.keys(raw, path, _REQUIREMENT_KEYS, _REQUIREMENT_REQUIRED)
            code = self.code(raw, "code", path, _LOWER_CODE_RE,
                             "huruf kecil, angka dan '_', diawali huruf (lowercase letters, digits, '_')")
            if code is not _MISSING:
                if code in seen:
                    self.problem(_join(path, "code"), f"persyaratan '{code}' sudah ada di requirements[{seen[code]}] "
                                                      f"(duplicate requirement code)")
                else:
                    seen[code] = i
            label = self.text(raw, "label", path)
            note = self.text(raw, "note", path, default=None)
            when = self.condition(raw, path, context)
            if self.clean_since(mark):
                out.append(Requirement(code=code, label=label, when=when, note=note))
        return out

    def steps(self, service_raw: Mapping[str, Any], service_path: str, context: _ServiceContext) -> list[Step]:
        if "steps" in service_raw and isinstance(service_raw["steps"], list) and not service_raw["steps"]:
            self.problem(_join(service_path, "steps"), "layanan harus punya paling sedikit satu langkah "
                                                       "(a service needs at least one step)")
        out: list[Step] = []
        seen: dict[str, int] = {}
        effects_seen: dict[str, int] = {}
        first_valid = False
        for i, raw in enumerate(self.tables(service_raw, "steps", service_path), start=1):
            path = f"{service_path}.steps[{i}]"
            mark = self.checkpoint()
            self.keys(raw, path, _STEP_KEYS, _STEP_REQUIRED)
            code = self.code(raw, "code", path, _LOWER_CODE_RE,
                             "huruf kecil, angka dan '_', diawali huruf (lowercase letters, digits, '_')")
            if code is not _MISSING:
                if code in seen:
                    self.problem(_join(path, "code"), f"langkah '{code}' sudah ada di steps[{seen[code]}] "
                                                      f"(duplicate step code)")
                else:
                    seen[code] = i
            name = self.text(raw, "name", path)
            role = self.string(raw, "role", path)
            if role is not _MISSING and role not in STAFF_ROLES:
                kind = "peran perangkat" if role in DEVICE_ROLES else "peran"
                english = "a device role cannot perform a step" if role in DEVICE_ROLES else "unknown role"
                self.problem(_join(path, "role"), f"{kind} '{role}' tidak dikenal untuk langkah "
                                                  f"({english}; choose one of {', '.join(STAFF_ROLES)})")
            presence = self.string(raw, "presence", path)
            if presence is not _MISSING and presence not in PRESENCES:
                self.problem(_join(path, "presence"), f"kehadiran '{presence}' tidak dikenal: 'counter' = pemohon "
                                                      f"dipanggil ke loket, 'back_office' = kerja di belakang "
                                                      f"(unknown presence; choose one of {', '.join(PRESENCES)})")
            minutes = self.minutes(raw, path)
            output = self.string(raw, "output", path, default="")
            source = self.string(raw, "source", path, default="")
            effect = self.effect(raw, path, presence, effects_seen, i)
            when = self.condition(raw, path, context)
            if self.clean_since(mark):
                out.append(Step(code=code, name=name, role=role, presence=presence, mutu_baku_minutes=minutes,
                                output=output, when=when, source=source, effect=effect))
                first_valid = first_valid or i == 1
        if first_valid and out[0].presence != PRESENCE_COUNTER:
            self.problem(f"{service_path}.steps[1].presence",
                         "langkah pertama harus di loket (presence = \"counter\"): nomor antrean dipanggil ke loket "
                         "(the first step must be a counter step: the ticket is called to a counter)")
        return out

    def effect(self, raw: Mapping[str, Any], path: str, presence: Any, seen: dict[str, int], index: int) -> Any:
        """The step's ``effect`` (``domain.office.EFFECTS``) or None; at most one step of a
        service carries each effect, and counter effects need a counter step."""
        effect = self.string(raw, "effect", path, default=None)
        if effect is None or effect is _MISSING:
            return None if effect is None else _MISSING
        where = _join(path, "effect")
        if effect not in EFFECTS:
            self.problem(where, f"efek '{effect}' tidak dikenal (unknown effect; choose one of {', '.join(EFFECTS)})")
            return _MISSING
        if effect in seen:
            self.problem(where, f"efek '{effect}' sudah dipakai langkah steps[{seen[effect]}] "
                                f"(each effect once per service)")
            return _MISSING
        seen[effect] = index
        if effect in COUNTER_EFFECTS and presence is not _MISSING and presence != PRESENCE_COUNTER:
            self.problem(where, f"efek '{effect}' hanya untuk langkah di loket (presence = \"counter\") "
                                f"(this effect needs a counter step: the citizen is there)")
            return _MISSING
        return effect

    def minutes(self, raw: Mapping[str, Any], path: str) -> Any:
        if "mutu_baku_minutes" not in raw:
            return None
        value = raw["mutu_baku_minutes"]
        where = _join(path, "mutu_baku_minutes")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(where, f"harus bilangan menit, didapat {_describe(value)} (must be a number of minutes)")
            return _MISSING
        if not math.isfinite(value) or value < 0:
            self.problem(where, f"harus >= 0 menit, didapat {value} (must be a finite number >= 0; leave the key "
                                f"out when the SOP gives no time)")
            return _MISSING
        return float(value)

    def condition(self, raw: Mapping[str, Any], path: str, context: _ServiceContext) -> Any:
        """A ``when`` table; each key is a question key or a derived fact."""
        if "when" not in raw:
            return Condition()
        where = _join(path, "when")
        table = self.table(raw["when"], where)
        if table is None:
            return _MISSING
        mark = self.checkpoint()
        allowed = sorted(context.questions) + list(DERIVED_FACTS)
        for key, value in table.items():
            key_path = _join(where, key)
            values = value if isinstance(value, list) else [value]
            if not values:
                self.problem(key_path, "daftar nilai kosong tidak pernah cocok (an empty list never matches)")
                continue
            if key in context.broken_questions:
                continue  # the question's own problems are reported
            if key in context.questions:
                self.question_condition(context.questions[key], values, key_path)
            elif key in DERIVED_FACTS:
                self.derived_condition(key, values, key_path, context)
            else:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"; maksud Anda '{close[0]}'? (did you mean '{close[0]}'?)" if close else ""
                self.problem(key_path, f"'{key}' bukan pertanyaan layanan {context.code} maupun fakta turunan{hint} "
                                       f"(not a question key of this service nor a derived fact; choose one of "
                                       f"{', '.join(allowed)})")
        if not self.clean_since(mark):
            return _MISSING
        return Condition.from_mapping(table)

    def question_condition(self, question: Question, values: list[Any], path: str) -> None:
        if question.kind == "choice":
            valid = [c.value for c in question.choices]
            for value in values:
                if value not in valid:
                    self.problem(path, f"pilihan {value!r} tidak ada di pertanyaan '{question.key}' "
                                       f"(no such choice; choose from {', '.join(valid)})")
        elif question.kind == "bool":
            for value in values:
                if not isinstance(value, bool):
                    self.problem(path, f"pertanyaan '{question.key}' bertipe bool: nilai harus true atau false, "
                                       f"didapat {value!r} (bool question: use true or false)")
        else:
            self.problem(path, f"pertanyaan tanggal '{question.key}' tidak bisa dipakai sebagai kondisi; pakai "
                               f"age_years atau kia_variant (a date question cannot be a condition; use a derived "
                               f"fact such as age_years or kia_variant)")

    def derived_condition(self, fact: str, values: list[Any], path: str, context: _ServiceContext) -> None:
        checks: dict[str, tuple[Callable[[Any], bool], str]] = {
            "kia_variant": (lambda v: _is_int(v) and v in (1, 2), "1 atau 2 (1 or 2)"),
            "age_years": (lambda v: _is_int(v) and 0 <= v <= 150, "bilangan bulat 0–150 (integer years 0-150)"),
            "photo_required": (lambda v: isinstance(v, bool), "true atau false (a boolean)"),
            "kia_eligible": (lambda v: isinstance(v, bool), "true atau false (a boolean)"),
            "ikd_eligible": (lambda v: isinstance(v, bool), "true atau false (a boolean)"),
        }
        ok, expected = checks[fact]
        for value in values:
            if not ok(value):
                self.problem(path, f"nilai {value!r} tidak valid untuk {fact}; harus {expected}")
        needed = _FACT_RULES[fact]
        if context.rules != needed:
            self.problem(path, f"fakta '{fact}' hanya ada bila layanan memakai rules = \"{needed}\" "
                               f"(derived only for services with rules = \"{needed}\")")

    # -- counters ----------------------------------------------------------------

    def counters(self, data: Mapping[str, Any], services: list[Service]) -> list[Counter]:
        if "counters" in data and not isinstance(data["counters"], list):
            self.problem("counters", f"harus berupa daftar tabel [[counters]], didapat {_describe(data['counters'])} "
                                     f"(must be an array of tables)")
            return []
        if "counters" in data and not data["counters"]:
            self.problem("counters", "kantor harus punya paling sedikit satu loket (at least one counter is required)")
        by_code = {s.code: s for s in services}
        out: list[Counter] = []
        codes: dict[str, int] = {}
        numbers: dict[int, int] = {}
        for i, raw in enumerate(self.tables(data, "counters", ""), start=1):
            path = f"counters[{i}]"
            mark = self.checkpoint()
            self.keys(raw, path, _COUNTER_KEYS, _COUNTER_REQUIRED)
            if "code" in raw and _is_int(raw["code"]):
                self.problem(_join(path, "code"), f"tulis kode loket sebagai teks, mis. code = \"{raw['code']}\" "
                                                  f"(the counter code must be a quoted string)")
                code = _MISSING
            else:
                code = self.code(raw, "code", path, _COUNTER_CODE_RE,
                                 "huruf, angka, '_' atau '-' (letters, digits, '_' or '-')")
            number = self.integer(raw, "number", path, minimum=1)
            if code is not _MISSING:
                if code in codes:
                    self.problem(_join(path, "code"), f"kode loket '{code}' sudah dipakai di counters[{codes[code]}] "
                                                      f"(duplicate counter code)")
                else:
                    codes[code] = i
            if number is not _MISSING:
                if number in numbers:
                    self.problem(_join(path, "number"), f"nomor loket {number} sudah dipakai di "
                                                        f"counters[{numbers[number]}] (duplicate counter number)")
                else:
                    numbers[number] = i
            default_name = Text(f"Loket {number}", f"Counter {number}") if number is not _MISSING else _MISSING
            name = self.text(raw, "name", path, default=default_name)
            serves = self.counter_serves(raw, path, by_code)
            if self.clean_since(mark):
                out.append(Counter(code=code, number=number, name=name, serves=tuple(serves)))
        self.check_coverage(services, out, data)
        return out

    def counter_serves(self, raw: Mapping[str, Any], path: str, by_code: Mapping[str, Service]) -> list[tuple[str, str]]:
        serves: list[tuple[str, str]] = []

        def add(pair: tuple[str, str]) -> None:
            if pair not in serves:
                serves.append(pair)

        if "services" not in raw and "steps" not in raw:
            self.problem(path, "loket harus melayani sesuatu: isi services = [\"KIA\"] atau steps = [\"KIA:penyerahan\"] "
                               "(a counter needs services or steps)")
        services_known = ", ".join(by_code) or "-"
        for j, code in self.string_list(raw, "services", path):
            where = f"{path}.services[{j}]"
            service = by_code.get(code)
            if service is None and code in self.broken_services:
                continue
            if service is None:
                self.problem(where, f"layanan '{code}' tidak ada (unknown service; choose one of {services_known})")
                continue
            counter_steps = [s for s in service.steps if s.presence == PRESENCE_COUNTER]
            if not counter_steps:
                self.problem(where, f"layanan '{code}' tidak punya langkah di loket (the service has no counter step)")
            for step in counter_steps:
                add((service.code, step.code))
        for j, entry in self.string_list(raw, "steps", path):
            where = f"{path}.steps[{j}]"
            service_code, sep, step_code = entry.partition(":")
            if not sep or not service_code or not step_code:
                self.problem(where, f"'{entry}' harus berbentuk \"LAYANAN:langkah\", mis. \"KIA:penyerahan\" "
                                    f"(must be \"SERVICE:step\")")
                continue
            service = by_code.get(service_code)
            if service is None and service_code in self.broken_services:
                continue
            if service is None:
                self.problem(where, f"layanan '{service_code}' tidak ada (unknown service; choose one of "
                                    f"{services_known})")
                continue
            try:
                step = service.step(step_code)
            except KeyError:
                self.problem(where, f"layanan {service_code} tidak punya langkah '{step_code}' (no such step; choose "
                                    f"one of {', '.join(s.code for s in service.steps)})")
                continue
            if step.presence != PRESENCE_COUNTER:
                self.problem(where, f"langkah {service_code}:{step_code} dikerjakan di belakang (back_office), "
                                    f"bukan di loket (a back-office step cannot be served by a counter)")
                continue
            add((service.code, step.code))
        return serves

    def check_coverage(self, services: list[Service], counters: list[Counter], data: Mapping[str, Any]) -> None:
        """Every counter step of every service needs a counter; the first step above all."""
        if not counters or len(counters) != len(data.get("counters") or []):
            return  # counter problems already reported; coverage would only repeat them
        served = {pair for c in counters for pair in c.serves}
        for service in services:
            for index, step in enumerate(service.steps, start=1):
                if step.presence != PRESENCE_COUNTER or (service.code, step.code) in served:
                    continue
                first = "langkah pertama " if index == 1 else "langkah "
                self.problem(f"services[{service.code}].steps[{index}]",
                             f"{first}'{step.code}' tidak dilayani loket mana pun; tambahkan "
                             f"\"{service.code}:{step.code}\" ke steps sebuah loket "
                             f"(no counter serves this counter step)")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
