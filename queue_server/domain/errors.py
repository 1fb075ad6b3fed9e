"""Domain errors shared by every layer (issue 2 §2).

Every rule in ``queue_server.domain`` signals a refusal with one of these
exceptions. Each carries a snake_case machine ``code``, a Bahasa Indonesia
``message`` for the citizen or officer, an English ``message_en`` and a JSON-friendly
``details`` dict, so the API can answer every error with one JSON shape
(ARCHITECTURE.md, "One JSON shape for every answer and every error").

HTTP mapping (used by the API layer through ``http_status``):

* ``ValidationError`` -> 422 (bad input),
* ``NotEligible`` -> 422 (the input is well formed, but the applicant cannot
  receive the service, e.g. a child aged 17 asking for a KIA),
* ``InvalidTransition`` -> 409 (a workflow action not allowed in the current state).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Issue:
    """One finding shown to a person: an error, a warning or an ineligibility reason.

    ``code`` is snake_case (``"nik_serial_zero"``), ``message`` Bahasa Indonesia,
    ``message_en`` English. Re-exported by ``nik``, ``ikd`` and ``requirements``.
    """

    code: str
    message: str
    message_en: str = ""

    def get(self, lang: str = "id") -> str:
        """The message in ``lang`` ("id" or "en"), falling back to Indonesian."""
        if lang == "en" and self.message_en:
            return self.message_en
        return self.message

    def as_dict(self) -> dict[str, str]:
        """``{"code", "message", "message_en"}``."""
        return {"code": self.code, "message": self.message, "message_en": self.message_en}


class DomainError(Exception):
    """Base class of all domain refusals.

    ``DomainError(code, message, message_en="", details=None)``: ``code`` is a
    snake_case machine code (``"answer_required"``), ``message`` Indonesian text,
    ``message_en`` English text (falls back to ``message`` in ``get_message``),
    ``details`` a JSON-friendly dict (``{}`` when omitted).
    """

    http_status: int = 400

    def __init__(self, code: str, message: str, message_en: str = "", details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code: str = code
        self.message: str = message
        self.message_en: str = message_en
        self.details: dict[str, Any] = dict(details) if details else {}

    def get_message(self, lang: str = "id") -> str:
        """The message in ``lang`` ("id" or "en"), falling back to Indonesian."""
        if lang == "en" and self.message_en:
            return self.message_en
        return self.message

    def as_dict(self) -> dict[str, Any]:
        """``{"code", "message", "message_en", "details"}`` for a JSON error body."""
        return {
            "code": self.code,
            "message": self.message,
            "message_en": self.message_en,
            "details": dict(self.details),
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message!r})"


class ValidationError(DomainError):
    """Bad input (a missing answer, a malformed date, a survey value outside 1..4). HTTP 422."""

    http_status = 422


class NotEligible(DomainError):
    """The applicant cannot receive the service (e.g. KIA at age 17 or over). HTTP 422."""

    http_status = 422


class InvalidTransition(DomainError):
    """A workflow action that is not allowed in the berkas' current state. HTTP 409."""

    http_status = 409
