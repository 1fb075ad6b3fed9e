"""Server-side refusals that are not domain rules, with their HTTP status.

All share ``DomainError``'s shape (code, Indonesian message, English message,
details) so the API answers every error with one JSON body.
"""
from __future__ import annotations

from .domain.errors import DomainError


class NotFound(DomainError):
    """404: an unknown id, number, code or service."""

    http_status = 404


class Conflict(DomainError):
    """409: the state changed under the caller (another officer acted first), a
    duplicate, or an action not possible now (e.g. quota used up)."""

    http_status = 409


class Unprocessable(DomainError):
    """422: well-formed but invalid input."""

    http_status = 422


class TooLarge(DomainError):
    """413: the request body is larger than the endpoint accepts."""

    http_status = 413
