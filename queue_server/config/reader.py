"""The generic part of the office-file reader: problems with their key paths, and
readers of typed values, texts, codes and arrays of tables."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from ..domain.office import (
    Question,
    Text,
)
from .schema import (
    _TEXT_KEYS,
    _TYPE_NAMES,
)


def _describe(value: Any) -> str:
    for kind, label in _TYPE_NAMES:
        if isinstance(value, kind):
            return label
    return f"{type(value).__name__}"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Missing:
    """The value of a key that is absent or invalid (distinct from None, which a key may hold)."""


_MISSING: Any = _Missing()


@dataclass
class _ServiceContext:
    """What ``when`` conditions of a service may refer to."""

    code: str
    questions: dict[str, Question]
    rules: str | None
    broken_questions: frozenset[str] = frozenset()


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class BaseReader:
    """Collects problems (``<file>: <key path>: <problem>``) and reads typed values."""

    def __init__(self, filename: str):
        self.filename = filename
        self.problems: list[str] = []
        self.warnings: list[str] = []
        #: Codes of services present in the file but invalid (their problems are
        #: reported once; counters naming them are not reported again).
        self.broken_services: set[str] = set()

    def problem(self, path: str, message: str) -> None:
        self.problems.append(f"{self.filename}: {path}: {message}")

    def checkpoint(self) -> int:
        return len(self.problems)

    def clean_since(self, mark: int) -> bool:
        return len(self.problems) == mark

    def unique(self, seen: dict, value: Any, label: Any, where: str, message: Callable[[Any], str]) -> bool:
        """The one check of "codes unique in an array of tables": remember ``value`` as
        first seen at ``label`` (an index or a name), or report ``message(first label)``
        at ``where``. Returns True for a new value; a ``_MISSING`` value is skipped."""
        if value is _MISSING:
            return False
        if value in seen:
            self.problem(where, message(seen[value]))
            return False
        seen[value] = label
        return True

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
