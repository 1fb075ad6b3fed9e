"""Staff accounts, bearer tokens and role checks (issue 2 §6).

Passwords are hashed with ``werkzeug.security`` (scrypt). Tokens are 32 random bytes
(URL-safe base64); only their SHA-256 is stored, so a copy of the database does not
reveal usable tokens. Staff tokens expire after ``STAFF_TOKEN_TTL`` seconds; device
tokens (kiosk, display) last until revoked.
"""
from __future__ import annotations

import hashlib
import secrets
import threading
import time

from werkzeug.security import check_password_hash, generate_password_hash

from .context import Actor
from .db.models import Staff, Token, db
from .domain import roles
from .domain.errors import DomainError
from .errors import Conflict, Unprocessable

STAFF_TOKEN_TTL = 12 * 3600.0  # seconds: one working day
MIN_PASSWORD_LENGTH = 8

# A login with a wrong password still costs one hash check, so usernames cannot be
# guessed from response times.
_DUMMY_HASH = generate_password_hash("loket-timing-equaliser")


class AuthError(DomainError):
    """401: missing, unknown, expired or revoked token, or bad credentials."""

    http_status = 401


class Forbidden(DomainError):
    """403: the actor's role may not do this."""

    http_status = 403


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def create_staff(username: str, role: str, password: str, *, full_name: str = "", office: str | None = None,
                 nip: str = "", now: float | None = None) -> Staff:
    """Create a staff account. Raises ``DomainError`` for a bad role, short password or
    a username that exists."""
    username = (username or "").strip()
    if not username or len(username) > 64 or not all(c.isalnum() or c in "._-" for c in username):
        raise Unprocessable("invalid_username", "Nama pengguna hanya boleh huruf, angka, titik, garis bawah dan tanda minus.",
                          "A username may only contain letters, digits, dot, underscore and dash.")
    if role not in roles.STAFF_ROLES:
        raise Unprocessable("invalid_role", f"Peran '{role}' tidak dikenal.", f"Unknown role '{role}'.",
                          {"allowed": list(roles.STAFF_ROLES)})
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise Unprocessable("weak_password", f"Kata sandi minimal {MIN_PASSWORD_LENGTH} karakter.",
                          f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    if Staff.select().where(Staff.username == username).exists():
        raise Conflict("username_taken", f"Nama pengguna '{username}' sudah dipakai.", f"Username '{username}' exists.")
    return Staff.create(username=username, role=role, password_hash=generate_password_hash(password),
                        full_name=full_name, office=office, nip=nip, created_at=now or time.time())


def set_password(staff: Staff, password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise Unprocessable("weak_password", f"Kata sandi minimal {MIN_PASSWORD_LENGTH} karakter.",
                          f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    staff.password_hash = generate_password_hash(password)
    staff.save()


def login(username: str, password: str, *, now: float | None = None) -> tuple[str, Staff]:
    """Check the credentials and issue a staff token; returns ``(token, staff)``.
    Raises ``AuthError`` (same message for unknown user and wrong password)."""
    now = now or time.time()
    staff = Staff.get_or_none(Staff.username == (username or "").strip())
    ok = check_password_hash(staff.password_hash if staff else _DUMMY_HASH, password or "")
    if not (staff and ok and staff.active):
        raise AuthError("bad_credentials", "Nama pengguna atau kata sandi salah.", "Wrong username or password.")
    token = new_token()
    Token.create(token_hash=hash_token(token), kind="staff", role=staff.role, name=staff.username, staff=staff,
                 office=staff.office, created_at=now, expires_at=now + STAFF_TOKEN_TTL)
    return token, staff


def create_device_token(role: str, name: str, *, office: str | None = None, now: float | None = None) -> str:
    """Create a kiosk or display token; returns the token (shown once)."""
    if role not in roles.DEVICE_ROLES:
        raise Unprocessable("invalid_role", f"Peran perangkat '{role}' tidak dikenal.", f"Unknown device role '{role}'.",
                          {"allowed": list(roles.DEVICE_ROLES)})
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise Unprocessable("invalid_name", "Nama perangkat wajib diisi (maks. 100 karakter).",
                          "A device name is required (max 100 characters).")
    token = new_token()
    Token.create(token_hash=hash_token(token), kind="device", role=role, name=name, office=office,
                 created_at=now or time.time())
    return token


def revoke(token: str, *, now: float | None = None) -> None:
    Token.update(revoked_at=now or time.time()).where(Token.token_hash == hash_token(token)).execute()
    _cache.clear()


class _TokenCache:
    """Short-lived cache of token lookups (``ttl`` s) to keep the hot path to zero queries.
    Revocation in this process clears it; other processes see a revocation within ``ttl``."""

    def __init__(self, ttl: float = 2.0):
        self.ttl = ttl
        self._data: dict[str, tuple[float, Actor, float | None]] = {}
        self._lock = threading.Lock()

    def get(self, key: str, now: float):
        with self._lock:
            hit = self._data.get(key)
        if hit and hit[0] > time.monotonic() and (hit[2] is None or hit[2] > now):
            return hit[1]
        return None

    def put(self, key: str, actor: Actor, expires_at: float | None):
        with self._lock:
            if len(self._data) > 10000:
                self._data.clear()
            self._data[key] = (time.monotonic() + self.ttl, actor, expires_at)

    def clear(self):
        with self._lock:
            self._data.clear()


_cache = _TokenCache()


def authenticate(header: str | None, *, now: float, remote_addr: str = "") -> Actor | None:
    """Resolve an ``Authorization: Bearer ...`` header to an ``Actor``.

    Returns None when no header was sent; raises ``AuthError`` for a malformed,
    unknown, expired or revoked token.
    """
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        raise AuthError("bad_token", "Token tidak sah.", "Malformed token.")
    key = hash_token(token)
    actor = _cache.get(key, now)
    if actor is not None:
        return Actor(actor.name, actor.role, actor.kind, actor.office, actor.staff_id, remote_addr)
    with db.connection_context():
        row = Token.get_or_none(Token.token_hash == key)
        if row is None or row.revoked_at is not None:
            raise AuthError("bad_token", "Token tidak dikenal atau sudah dicabut. Silakan masuk lagi.",
                            "Unknown or revoked token. Please log in again.")
        if row.expires_at is not None and row.expires_at <= now:
            raise AuthError("token_expired", "Sesi sudah berakhir. Silakan masuk lagi.", "Session expired. Please log in again.")
        if row.kind == "staff":
            staff = row.staff
            if not staff.active:
                raise AuthError("account_disabled", "Akun dinonaktifkan.", "Account disabled.")
            actor = Actor(staff.username, staff.role, "staff", staff.office, staff.id, remote_addr)
        else:
            actor = Actor(row.name, row.role, "device", row.office, None, remote_addr)
    _cache.put(key, actor, row.expires_at)
    return actor


def require(actor: Actor | None, *allowed: str, office: str | None = None) -> Actor:
    """Check that ``actor`` exists, has one of ``allowed`` roles (admin always passes
    unless ``allowed`` is a device role) and belongs to ``office``. Returns the actor.

    Raises ``AuthError`` (401) without an actor, ``Forbidden`` (403) otherwise.
    """
    if actor is None:
        raise AuthError("auth_required", "Perlu masuk (token) untuk tindakan ini.", "Authentication required.")
    role_ok = actor.role in allowed or (actor.role == roles.ADMIN and actor.kind == "staff")
    if not role_ok:
        raise Forbidden("forbidden", "Peran Anda tidak diizinkan melakukan tindakan ini.",
                        "Your role may not do this.", {"role": actor.role, "allowed": list(allowed)})
    if office is not None and not actor.may_act_in(office):
        raise Forbidden("wrong_office", "Anda tidak terdaftar di kantor ini.", "You do not belong to this office.",
                        {"office": office})
    return actor
