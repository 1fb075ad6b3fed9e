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

The package: ``schema`` (the format as data), ``reader`` (problems and typed values),
``offices``, ``services``, ``counters`` (one part of the file each) and ``loader`` (files,
folders and the checks across offices).
"""
from __future__ import annotations

from .loader import (
    OfficeConfigError,
    OfficeConfigWarning,
    default_office_dir,
    load_office,
    load_offices,
    loads_office,
)
from .schema import (
    DERIVED_FACTS,
    IKD_QUESTION_KEYS,
    KIA_BIRTH_DATE_KEY,
    PHOTO_RATIOS,
    QUESTION_KINDS,
    RULES,
    WEEKDAYS,
)

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
