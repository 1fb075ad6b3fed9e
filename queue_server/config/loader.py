"""Loading office files and folders: every problem of every file at once, then the
checks across the offices of a folder (codes, parents, pickup offices)."""
from __future__ import annotations

import tomllib
import warnings
from pathlib import Path

from ..domain.office import (
    Office,
)
from .counters import CounterReader
from .notifications import NotificationReader
from .offices import OfficeReader
from .services import ServiceReader


class _Reader(OfficeReader, ServiceReader, CounterReader, NotificationReader):
    """Walks the parsed TOML, building domain objects and collecting problems."""


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
    return Path(__file__).resolve().parents[2] / "assets" / "offices"


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
