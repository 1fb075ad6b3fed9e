"""Staff accounts, bearer tokens and role checks (issue 2 §6).

Passwords are hashed with ``werkzeug.security`` (scrypt). Tokens are 32 random bytes
(URL-safe base64); only their SHA-256 is stored, so a copy of the database does not
reveal usable tokens. Staff tokens expire after ``STAFF_TOKEN_TTL`` seconds; device
tokens (kiosk, display) last until revoked.
"""
from __future__ import annotations

import hashlib
import os
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


#: The cookie in which the browser pages keep their token (queue_server.web); the server
#: reads it for GET and HEAD requests only.
WEB_COOKIE = "loket_token"

def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def create_staff(username: str, role: str, password: str, *, full_name: str = "", office: str | None = None,
                 nip: str = "", now: float | None = None) -> Staff:
    """Create a staff account. Raises ``DomainError`` for a bad role, short password or
    a username that exists."""
    username = (username or "").strip()
    # ASCII only: a Cyrillic "а" or a full-width letter would make a look-alike of another account
    if not username or len(username) > 64 or not all(c.isascii() and (c.isalnum() or c in "._-") for c in username):
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


def set_password(staff: Staff, password: str, *, now: float | None = None) -> None:
    """Give ``staff`` a new password (at least :data:`MIN_PASSWORD_LENGTH` characters) and
    revoke every token of the account, so a stolen session ends with the old password.
    Raises ``Unprocessable`` (``weak_password``)."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise Unprocessable("weak_password", f"Kata sandi minimal {MIN_PASSWORD_LENGTH} karakter.",
                          f"A password needs at least {MIN_PASSWORD_LENGTH} characters.", {"field": "password"})
    staff.password_hash = generate_password_hash(password)
    staff.save()
    revoke_staff_tokens(staff, now=now)


def staff_by_name(username: str) -> Staff:
    """The account ``username``; raises ``NotFound`` (``unknown_staff``)."""
    from .errors import NotFound
    staff = Staff.get_or_none(Staff.username == (username or "").strip())
    if staff is None:
        raise NotFound("unknown_staff", f"Petugas '{username}' tidak ada.", f"No staff account '{username}'.",
                       {"field": "username"})
    return staff


def revoke_staff_tokens(staff: Staff, *, now: float | None = None) -> int:
    """Revoke every live token of ``staff``; returns how many."""
    n = (Token.update(revoked_at=now or time.time())
         .where((Token.staff == staff) & Token.revoked_at.is_null()).execute())
    _cache.revoked()
    return n


def set_active(staff: Staff, active: bool, *, now: float | None = None) -> None:
    """Enable or disable an account; disabling revokes its tokens at once (its sessions
    end) and refuses its next login."""
    staff.active = bool(active)
    staff.save()
    if not active:
        revoke_staff_tokens(staff, now=now)


def device_tokens() -> list[dict]:
    """Kiosk and display tokens (never the token itself): ``[{"id", "name", "role",
    "office", "created_at", "revoked_at", "expires_at"}]``, newest first."""
    return [{"id": t.id, "name": t.name, "role": t.role, "office": t.office, "created_at": t.created_at,
             "revoked_at": t.revoked_at, "expires_at": t.expires_at}
            for t in Token.select().where(Token.kind == "device").order_by(Token.id.desc())]


def revoke_device(token_id: int, *, now: float | None = None) -> Token:
    """Revoke the device token ``token_id`` (a stolen or retired kiosk/display). Raises
    ``NotFound`` (``unknown_device``)."""
    from .errors import NotFound
    t = Token.get_or_none((Token.id == token_id) & (Token.kind == "device"))
    if t is None:
        raise NotFound("unknown_device", "Token perangkat tidak ada.", "No such device token.", {"field": "id"})
    t.revoked_at = t.revoked_at or now or time.time()
    t.save()
    _cache.revoked()
    return t


#: Failed logins that lock an account, and for how long (seconds): a password is never
#: guessed by trying (issue 16 item 6). An admin lifts the lock at once (:func:`unlock`).
ACCOUNT_FAILURES, LOCK_SECONDS = 5, 15 * 60.0
#: Failed logins from one network address in that window before it is refused for any
#: account (``LOKET_LOGIN_ADDRESS_LIMIT``; behind a reverse proxy every client has the
#: proxy's address, see docs/deployment.md).
ADDRESS_FAILURES = int(os.environ.get("LOKET_LOGIN_ADDRESS_LIMIT") or 30)


class TooManyAttempts(DomainError):
    """429: too many failed logins for the account or from the address."""

    http_status = 429


def _failures(*, account: str | None = None, address: str | None = None, now: float) -> int:
    """Failed logins within :data:`LOCK_SECONDS` for ``account`` (after its last unlock
    or successful login) or from ``address``; read from the audit log, so every worker
    process sees the same count."""
    from .db.models import AuditLog
    since = now - LOCK_SECONDS
    if account is not None:
        # failures before the last unlock or successful login (by row order) are forgiven
        reset = (AuditLog.select(AuditLog.id).where((AuditLog.target == account) & (AuditLog.at >= since) &
                                                    AuditLog.action.in_(["auth.login", "auth.unlock"]))
                 .order_by(AuditLog.id.desc()).scalar()) or 0
        cond = (AuditLog.action == "auth.login_failed") & (AuditLog.target == account) & (AuditLog.id > reset)
    else:
        cond = (AuditLog.action == "auth.login_failed") & (AuditLog.remote_addr == (address or ""))
    return AuditLog.select().where(cond & (AuditLog.at >= since)).count()


def check_login_allowed(username: str, address: str, *, now: float) -> None:
    """Refuse (``TooManyAttempts``) before any password is checked when the account had
    :data:`ACCOUNT_FAILURES` failed logins within :data:`LOCK_SECONDS` (a lockout an
    admin can lift) or the address :data:`ADDRESS_FAILURES`."""
    name = (username or "").strip()
    if _failures(account=name, now=now) >= ACCOUNT_FAILURES:
        raise TooManyAttempts("account_locked",
                              f"Akun dikunci sementara setelah {ACCOUNT_FAILURES} kali salah kata sandi. Coba lagi "
                              f"setelah {int(LOCK_SECONDS // 60)} menit atau minta admin membukanya.",
                              f"Account locked after {ACCOUNT_FAILURES} wrong passwords. Try again in "
                              f"{int(LOCK_SECONDS // 60)} minutes or ask the admin to unlock it.",
                              {"field": "username", "retry_after": int(LOCK_SECONDS)})
    if _failures(address=address, now=now) >= ADDRESS_FAILURES:
        raise TooManyAttempts("too_many_attempts", "Terlalu banyak percobaan masuk dari perangkat ini. Coba lagi nanti.",
                              "Too many login attempts from this address. Try again later.",
                              {"retry_after": int(LOCK_SECONDS)})


def check_credentials(username: str, password: str) -> Staff:
    """The active account whose password matches, checked **outside** any write lock
    (the hash costs tens of ms; issue 16 item 1). Raises ``AuthError`` with the same
    message for an unknown user, a wrong password and a disabled account."""
    staff = Staff.get_or_none(Staff.username == (username or "").strip())
    ok = check_password_hash(staff.password_hash if staff else _DUMMY_HASH, password or "")
    if not (staff and ok and staff.active):
        raise AuthError("bad_credentials", "Nama pengguna atau kata sandi salah.", "Wrong username or password.")
    return staff


def issue_staff_token(staff: Staff, *, now: float) -> str:
    """Create a staff token for ``staff`` (a short write; call inside ``write_tx``)."""
    token = new_token()
    Token.create(token_hash=hash_token(token), kind="staff", role=staff.role, name=staff.username, staff=staff,
                 office=staff.office, created_at=now, expires_at=now + STAFF_TOKEN_TTL)
    return token


def login(username: str, password: str, *, now: float | None = None) -> tuple[str, Staff]:
    """Check the credentials and issue a staff token; returns ``(token, staff)``.
    Raises ``AuthError`` (same message for unknown user and wrong password). For
    scripts and tests; the API checks the lockout and audits (``api.auth``)."""
    now = now or time.time()
    staff = check_credentials(username, password)
    return issue_staff_token(staff, now=now), staff


def unlock(username: str, *, actor: str, now: float | None = None) -> None:
    """Lift a login lockout of ``username`` (an ``auth.unlock`` audit row)."""
    from .db.models import AuditLog
    AuditLog.create(at=now or time.time(), actor=actor, role=roles.ADMIN, action="auth.unlock", target=username)


def create_device_token(role: str, name: str, *, office: str | None = None, now: float | None = None,
                        expires_in: float | None = None) -> str:
    """Create a kiosk or display token; returns the token (shown once). ``expires_in``
    (seconds) gives it an end; None: until revoked."""
    if role not in roles.DEVICE_ROLES:
        raise Unprocessable("invalid_role", f"Peran perangkat '{role}' tidak dikenal.", f"Unknown device role '{role}'.",
                          {"allowed": list(roles.DEVICE_ROLES)})
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise Unprocessable("invalid_name", "Nama perangkat wajib diisi (maks. 100 karakter).",
                          "A device name is required (max 100 characters).")
    token = new_token()
    now = now or time.time()
    Token.create(token_hash=hash_token(token), kind="device", role=role, name=name, office=office,
                 created_at=now, expires_at=now + expires_in if expires_in else None)
    return token


def revoke(token: str, *, now: float | None = None) -> None:
    Token.update(revoked_at=now or time.time()).where(Token.token_hash == hash_token(token)).execute()
    _cache.revoked()


class _TokenCache:
    """Short-lived cache of token lookups (``ttl`` s) to keep the hot path to zero queries.

    A revocation (logout, a disabled account, a revoked device, a new password) clears it
    in this process and touches :attr:`stamp` (a file in the data directory, set by the
    app factory); every other worker process sees the new modification time on its next
    lookup (one ``stat``, no query) and drops its cache, so a revoked token is refused
    at once everywhere (issue 16 item 7)."""

    def __init__(self, ttl: float = 2.0):
        self.ttl = ttl
        self._data: dict[str, tuple[float, Actor, float | None]] = {}
        self._lock = threading.Lock()
        self.stamp: "os.PathLike | None" = None
        self._seen: float | None = None

    def _stamp_time(self) -> float | None:
        try:
            return os.stat(self.stamp).st_mtime_ns if self.stamp else None
        except OSError:
            return None

    def get(self, key: str, now: float):
        seen = self._stamp_time()
        if seen != self._seen:  # another process revoked something
            self.clear()
            self._seen = seen
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

    def revoked(self) -> None:
        """A token stopped being valid: forget here, and tell the other processes."""
        self.clear()
        if self.stamp:
            try:
                with open(self.stamp, "a"):
                    pass
                os.utime(self.stamp, None)
            except OSError:
                pass
            self._seen = self._stamp_time()


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
