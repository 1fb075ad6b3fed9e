"""``create_app``: the Flask (apiflask) application factory.

Configuration (layered: defaults, then environment, then ``test_config``):

``DATA_DIR``        data directory (``LOKET_DATA_DIR``; default ``./loket-data``)
``DATABASE_URL``    peewee URL; default: the SQLite file in ``DATA_DIR``
``OFFICES_DIR``     folder of office files; default ``DATA_DIR/offices`` (made by ``loket init``)
``DEFAULT_OFFICE``  office code used when a request names none (default: the first office)
``ENFORCE_HOURS``   refuse tickets outside opening hours (default True)
``CLOCK``           a ``context.Clock`` (tests and the simulation inject their own)
``SSE_HEARTBEAT``   seconds between heartbeat events (default 3)
``MAX_STREAMS``     concurrent event streams per process (each holds a server thread)
``MAX_STREAMS_PER_TOKEN`` streams one token (device or account) holds per process (default 4);
                  a further one ends that token's oldest stream: give every screen its own token
``MAX_CONTENT_LENGTH`` request body limit in bytes (default 3 MiB)
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

from apiflask import APIFlask
from flask import g, request
from peewee import OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from client.protocol import error_body

from .auth import WEB_COOKIE, authenticate
from .config import load_offices
from .context import Clock, Context
from .db.database import is_storage_failure, migrate, open_database
from .db.models import db
from .domain.errors import DomainError
from .events import Broker

log = logging.getLogger(__name__)

API_TITLE = "Loket API"
API_VERSION = "1.0"


def default_data_dir() -> Path:
    """``LOKET_DATA_DIR`` or ``./loket-data``."""
    return Path(os.environ.get("LOKET_DATA_DIR") or "loket-data").resolve()



_HTTP_MESSAGES = {
    400: ("bad_request", "Permintaan tidak sah (JSON rusak atau salah format).", "Bad request (malformed JSON)."),
    401: ("auth_required", "Perlu masuk (token).", "Authentication required."),
    403: ("forbidden", "Tidak diizinkan.", "Forbidden."),
    404: ("not_found", "Tidak ditemukan.", "Not found."),
    405: ("method_not_allowed", "Metode tidak diizinkan.", "Method not allowed."),
    413: ("payload_too_large", "Data yang dikirim terlalu besar.", "Request body too large."),
    415: ("unsupported_media_type", "Kirim data sebagai application/json.", "Send application/json."),
    422: ("validation_error", "Data tidak sah.", "Invalid data."),
}


def _first_field(fields, prefix: str = "") -> tuple[str, str] | None:
    """The first ``("applicant.nik", "Longer than maximum length 16.")`` of marshmallow's
    nested error messages, or None."""
    if isinstance(fields, dict):
        for key, value in fields.items():
            found = _first_field(value, f"{prefix}.{key}" if prefix else str(key))
            if found:
                return found
        return None
    if isinstance(fields, list) and fields:
        if all(isinstance(x, str) for x in fields):
            return prefix, " ".join(fields)
        return _first_field(fields[0], prefix)
    if isinstance(fields, str):
        return prefix, fields
    return None


class DatabaseId(IntegerConverter):
    """``<int:...>`` in routes: a non-negative integer that fits a database id (signed
    64 bit); a longer one does not match the route (404, in the API's error shape)."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(url_map, *args, **kwargs)


def create_app(test_config: dict | None = None) -> APIFlask:
    """Build the app: load the offices, open and migrate the database, register the API.

    Raises ``queue_server.config.OfficeConfigError`` when an office file is invalid
    (the message names the file, the key and the problem).
    """
    app = APIFlask(__name__, title=API_TITLE, version=API_VERSION, spec_path="/api/v1/openapi.json",
                   docs_path="/api/v1/docs")
    # An id past what the database stores is simply not found (404), never a 500 from SQL.
    app.url_map.converters["int"] = DatabaseId
    app.config.update(
        DATA_DIR=str(default_data_dir()),
        DATABASE_URL=os.environ.get("DATABASE_URL"),
        OFFICES_DIR=None,
        DEFAULT_OFFICE=os.environ.get("LOKET_OFFICE"),
        ENFORCE_HOURS=os.environ.get("LOKET_ENFORCE_HOURS", "1") not in ("0", "false", "no"),
        CLOCK=None,
        SSE_HEARTBEAT=3.0,
        SSE_MAX_SECONDS=None,
        MAX_STREAMS=56,
        MAX_STREAMS_PER_TOKEN=4,
        # the outbox's sender (issue 14): on in every server process; the lease after which
        # a send interrupted by a crash is marked failed (never repeated by itself)
        NOTIFY_SENDER=True,
        NOTIFY_LEASE_SECONDS=float(os.environ.get("LOKET_NOTIFY_LEASE", "120")),
        NOTIFY_INTERVAL_SECONDS=float(os.environ.get("LOKET_NOTIFY_INTERVAL", "1")),
        MAX_CONTENT_LENGTH=3 * 1024 * 1024,
        # the uploads' retention job (issue 13) runs at most this often per process
        RETENTION_SWEEP_SECONDS=float(os.environ.get("LOKET_RETENTION_SWEEP", "3600")),
        VALIDATION_ERROR_STATUS_CODE=422,
        # the API docs page works on an office LAN without internet: Swagger UI from the
        # installed swagger-ui-bundle package, never a CDN; the spec names no host taken
        # from a request's Host header (issue 16 item 14)
        DOCS_FAVICON=f"{DOCS_ASSETS}/favicon-32x32.png",
        SWAGGER_UI_CSS=f"{DOCS_ASSETS}/swagger-ui.css",
        SWAGGER_UI_BUNDLE_JS=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
        SWAGGER_UI_STANDALONE_PRESET_JS=f"{DOCS_ASSETS}/swagger-ui-standalone-preset.js",
        AUTO_SERVERS=False,
        SERVERS=[{"url": "/", "description": "this Loket server"}],
        JSON_SORT_KEYS=False,
        SPEC_FORMAT="json",
        INFO={"description": "Loket: antrean dan layanan Disdukcapil (KIA, KK, IKD, ...)."},
    )
    if test_config:
        app.config.update(test_config)
    data_dir = Path(app.config["DATA_DIR"])
    offices_dir = Path(app.config["OFFICES_DIR"] or data_dir / "offices")
    offices = load_offices(offices_dir)
    default = app.config["DEFAULT_OFFICE"] or offices[0].code
    context = Context(offices={o.code: o for o in offices}, default_office=default,
                      clock=app.config["CLOCK"] or Clock(), enforce_hours=bool(app.config["ENFORCE_HOURS"]))
    context.office(default)  # fail early on an unknown default office

    data_dir.mkdir(parents=True, exist_ok=True)
    from . import auth as _auth
    _auth._cache.stamp = data_dir / "revocations.stamp"  # tells every worker a token was revoked
    database = open_database(app.config["DATABASE_URL"], data_dir=data_dir)
    with database.connection_context():
        migrate(database)
    app.extensions["loket"] = context
    app.extensions["loket_db"] = database
    from peewee import SqliteDatabase
    # several servers share a PostgreSQL database, not the data folder's revocation stamp:
    # there a token looked up at most half a second ago is trusted, so a revocation made on
    # one machine is refused by every other within 0.5 s (issue 17)
    _auth._cache.ttl = 2.0 if isinstance(database, SqliteDatabase) else 0.5
    broker = Broker()
    app.extensions["loket_broker"] = broker
    from .tickets import DayCloser
    app.extensions["loket_day_closer"] = DayCloser()
    from .dashboard import AlertWatch
    app.extensions["loket_alert_watch"] = AlertWatch()
    from .bookings import BookingSweeper
    app.extensions["loket_booking_sweeper"] = BookingSweeper()
    from .notify.sender import Sender
    from .notify.triggers import NotifySweeper
    app.extensions["loket_notify_sweeper"] = NotifySweeper()
    app.extensions["loket_sender"] = Sender(lambda: context.offices, context.now,
                                            drivers=app.config.get("NOTIFY_DRIVERS"),
                                            interval=app.config["NOTIFY_INTERVAL_SECONDS"],
                                            lease=app.config["NOTIFY_LEASE_SECONDS"])
    from .uploads import RetentionSweeper, UploadStore
    app.extensions["loket_uploads"] = UploadStore(data_dir / "uploads")
    app.extensions["loket_retention_sweeper"] = RetentionSweeper(app.extensions["loket_uploads"],
                                                                 app.config["RETENTION_SWEEP_SECONDS"])
    from . import limits
    limits.init_app(app)

    from .api import BLUEPRINTS

    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    from .web import bp as web_pages
    app.register_blueprint(web_pages)
    from .web.citizen import bp as citizen_pages
    from .web import online as _online_pages  # noqa: F401  (its routes are on the citizen blueprint)
    app.register_blueprint(citizen_pages)
    _csrf(app)
    _register_handlers(app)
    return app


#: Deepest JSON nesting a request may have (the API's bodies are two levels deep).
MAX_JSON_DEPTH = 16
#: Free-text fields that may hold line breaks and tabs; every other string is one line.
MULTILINE_FIELDS = frozenset({"note", "reason", "message", "details"})
_UNSAFE = {c for c in range(0x20)} | {0x7F} | set(range(0x80, 0xA0))
_LINE_BREAKS = {0x09, 0x0A, 0x0D}


def _bad_text(value, path: str, depth: int = 0):
    """(path, problem) of the first string a request may not carry, or None: a lone
    surrogate (cannot be stored), a control character (breaks the XLSX reports; line
    breaks only in :data:`MULTILINE_FIELDS`), or nesting past :data:`MAX_JSON_DEPTH`."""
    if depth > MAX_JSON_DEPTH:
        return path or "(body)", "terlalu bersarang (nested too deep)"
    if isinstance(value, dict):
        for k, v in value.items():
            where = f"{path}.{k}" if path else str(k)
            found = _bad_text(k, where, depth + 1) or _bad_text(v, where, depth + 1)
            if found:
                return found
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found = _bad_text(v, f"{path}[{i}]", depth + 1)
            if found:
                return found
    elif isinstance(value, str):
        multiline = path.rsplit(".", 1)[-1] in MULTILINE_FIELDS
        for ch in value:
            code = ord(ch)
            if 0xD800 <= code <= 0xDFFF:
                return path, "karakter tidak sah (lone surrogate)"
            if code in _UNSAFE and not (multiline and code in _LINE_BREAKS):
                return path, "karakter kontrol tidak diizinkan (control character)"
    return None


#: The endpoints that take ``multipart/form-data`` (the online application's uploads).
MULTIPART_ENDPOINTS = frozenset({"online.online_submit", "online.online_reupload", "citizen.online_apply_post",
                                 "citizen.online_reupload_post"})


def _check_body():
    """Refuse at the edge what must never reach an operation: a write whose body is not
    JSON (415: the photo upload takes image/jpeg), JSON nested too deep or unparseable
    (400), and text with a lone surrogate or a control character (422 naming the field)."""
    from flask import abort
    if request.method not in ("POST", "PUT", "PATCH") or not (request.content_length or request.data):
        return None
    mimetype = request.mimetype
    if request.endpoint == "applications.application_photo_put" and mimetype == "image/jpeg":
        return None
    if request.endpoint in MULTIPART_ENDPOINTS and mimetype == "multipart/form-data":
        return None  # read within the office's upload limits by api/online.read_multipart
    if request.blueprint == "citizen" and mimetype == "application/x-www-form-urlencoded":
        found = _bad_text(request.form.to_dict(), "")  # the citizen pages' forms
        if found:
            return error_body("invalid_text", f"Data tidak sah: {found[0]} ({found[1]}).",
                              f"Invalid data: {found[0]} ({found[1]}).", {"field": found[0]}), 422
        return None
    if mimetype != "application/json":
        return error_body("unsupported_media_type", "Isi permintaan harus JSON (Content-Type: application/json).",
                          "The request body must be JSON (Content-Type: application/json).",
                          {"content_type": mimetype or ""}), 415
    raw = request.get_data(cache=True)
    try:
        import json as _json
        parsed = _json.loads(raw)
    except RecursionError:
        return error_body("json_too_deep", "Isi JSON terlalu bersarang.", "The JSON body is nested too deep."), 400
    except ValueError:
        abort(400)
    found = _bad_text(parsed, "")
    if found:
        field, problem = found
        code = "json_too_deep" if "nested" in problem else "invalid_text"
        status = 400 if code == "json_too_deep" else 422
        return error_body(code, f"Data tidak sah: {field} ({problem}).", f"Invalid data: {field} ({problem}).",
                          {"field": field}), status
    return None


#: Where the docs page loads Swagger UI from (served from the swagger-ui-bundle package).
DOCS_ASSETS = "/api/v1/docs-assets"


def _docs_assets(app: APIFlask) -> None:
    """Serve Swagger UI's files from the installed ``swagger-ui-bundle`` (Apache-2.0)."""
    from flask import send_from_directory
    from swagger_ui_bundle import swagger_ui_path

    @app.get(f"{DOCS_ASSETS}/<path:name>")
    @app.doc(hide=True)
    def docs_asset(name):
        if name not in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js",
                        "favicon-32x32.png"):
            from flask import abort
            abort(404)
        return send_from_directory(swagger_ui_path, name, max_age=86400)


def _secret_key(data_dir: Path) -> str:
    """The key that signs the citizen pages' session cookie (its CSRF token):
    ``LOKET_SECRET_KEY`` when set (several servers behind one address must share it, or a
    form shown by one is refused by another; docs/deployment.md section 12), else made
    once per data directory (``secret_key``, mode 0600) so every worker and restart share
    it. Raises ``ValueError`` for a ``LOKET_SECRET_KEY`` shorter than 32 characters."""
    import os
    import secrets
    shared = os.environ.get("LOKET_SECRET_KEY", "").strip()
    if shared:
        if len(shared) < 32:
            raise ValueError("LOKET_SECRET_KEY must have at least 32 characters")
        return shared
    path = Path(data_dir) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker made it first: its key is read below
            fd = None
        if fd is not None:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
    return path.read_text().strip()


def _csrf(app: APIFlask) -> None:
    """CSRF tokens for the citizen pages' forms (Flask-WTF). The JSON API carries bearer
    tokens, never cookies that write, so only the forms check: each POST view calls
    ``validate_csrf`` itself (``WTF_CSRF_CHECK_DEFAULT`` off)."""
    from flask_wtf.csrf import CSRFProtect
    if not app.config.get("SECRET_KEY"):  # Flask's default config holds None
        app.config["SECRET_KEY"] = _secret_key(Path(app.config["DATA_DIR"]))
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", 6 * 3600)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    CSRFProtect(app)


def _register_handlers(app: APIFlask) -> None:
    _docs_assets(app)

    @app.before_request
    def _before():
        refused = _check_body()
        if refused is not None:
            return refused
        db.connect(reuse_if_open=True)
        # yesterday's open numbers are closed on the first request of the new office day
        # (a display's 15 s refresh makes that within a minute of midnight; issue 16 item 16)
        app.extensions["loket_day_closer"].tick(app.extensions["loket"])
        app.extensions["loket_alert_watch"].tick(app.extensions["loket"])
        app.extensions["loket_booking_sweeper"].tick(app.extensions["loket"])
        app.extensions["loket_notify_sweeper"].tick(app.extensions["loket"])
        app.extensions["loket_retention_sweeper"].tick(app.extensions["loket"])
        if app.config["NOTIFY_SENDER"]:
            app.extensions["loket_sender"].ensure_started()
        g.actor = None
        header = request.headers.get("Authorization")
        if not header and request.method in ("GET", "HEAD") and request.cookies.get(WEB_COOKIE):
            # the browser pages' token (an EventSource cannot send a header); reads only,
            # so no write can be forged with it (queue_server.web)
            header = f"Bearer {request.cookies[WEB_COOKIE]}"
        try:
            g.actor = authenticate(header, now=app.extensions["loket"].now(), remote_addr=request.remote_addr or "")
        except DomainError:
            if request.blueprint != "web" or request.headers.get("Authorization"):
                raise
            g.actor = None  # a page with a stale cookie shows its login or token form
        if request.blueprint == "applications" or request.endpoint == "tickets.ticket_get":
            # staff only, checked before any id is looked up: no 404-versus-401/403 oracle
            # telling a stranger which berkas, tickets, photos or pickup codes exist (issue 16 item 13)
            if g.actor is None:
                return error_body("auth_required", "Perlu masuk (token).", "Authentication required."), 401
            if g.actor.kind != "staff":
                return error_body("forbidden", "Peran Anda tidak diizinkan melakukan tindakan ini.",
                                  "Your role may not do this.", {"role": g.actor.role}), 403

    @app.after_request
    def _headers(response):
        """Security headers on every answer (issue 16 item 15); no caching of anything a
        staff token read (personal data: berkas, uncollected lists, reports)."""
        # after the answer is on the wire: the event fan-out and the sender's wake-up must
        # not compete with this request for the GIL (queue_server.api.common.notify)
        if g.get("loket_events"):
            response.call_on_close(app.extensions["loket_broker"].notify)
        if g.get("loket_notify"):  # this request committed messages: the sender takes them now
            response.call_on_close(app.extensions["loket_sender"].wake)
        h = response.headers
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Referrer-Policy", "no-referrer")
        if request.scheme == "https":  # behind the office's TLS proxy (loket serve --trusted-proxy)
            h.setdefault("Strict-Transport-Security", "max-age=31536000")
        if response.mimetype == "text/html" and request.blueprint != "openapi":  # (the API docs page: item 14)
            h.setdefault("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
        actor = g.get("actor")
        if actor is not None and actor.kind == "staff":
            h["Cache-Control"] = "no-store"
        return response

    from playhouse.pool import MaxConnectionsExceeded, PooledDatabase

    if isinstance(app.extensions["loket_db"], PooledDatabase):
        @app.teardown_request
        def _give_back(_exc):
            """A pooled connection (PostgreSQL) goes back to the pool after each request:
            a process holds at most ``LOKET_DB_POOL`` connections, not one per thread."""
            if not db.is_closed():
                db.close()

    def _database_busy(reason: str):
        app.logger.error("database connections exhausted: %s", reason)
        return error_body("database_busy",
                          "Server sedang penuh (semua koneksi basis data terpakai). Coba lagi sebentar; bila "
                          "berulang, admin menaikkan max_connections PostgreSQL atau menurunkan LOKET_DB_POOL.",
                          "The server is busy (every database connection is in use). Retry shortly; if it "
                          "repeats, the admin raises PostgreSQL's max_connections or lowers LOKET_DB_POOL.",
                          {"setting": "LOKET_DB_POOL", "reason": reason[:200]}), 503, {"Retry-After": "2"}

    @app.errorhandler(MaxConnectionsExceeded)
    def _pool_exhausted(e):
        return _database_busy(str(e))

    @app.errorhandler(OperationalError)
    def _storage_error(e: OperationalError):
        """A write the storage refused (read-only, full disk): 503 with a clear code, never
        a generic 500; nothing was written (the transaction rolled back). PostgreSQL
        refusing a connection (``max_connections`` reached) is 503 ``database_busy``."""
        text = str(e).lower()
        if "too many clients" in text or "remaining connection slots" in text:
            return _database_busy(str(e))
        if not is_storage_failure(e):
            raise e
        app.logger.error("database storage failure: %s", e)
        return error_body("storage_unavailable",
                          "Penyimpanan server bermasalah (basis data tidak bisa ditulis: penuh atau hanya-baca). "
                          "Hubungi admin; tidak ada yang tersimpan.",
                          "The server's storage failed (the database cannot be written: full or read-only). "
                          "Call the admin; nothing was saved.", {"reason": str(e)[:200]}), 503

    @app.errorhandler(DomainError)
    def _domain_error(e: DomainError):
        status = getattr(e, "http_status", 400) or 400
        headers = {}
        if status == 429 and (e.details or {}).get("retry_after"):
            headers["Retry-After"] = str(e.details["retry_after"])
        return error_body(e.code, e.message, e.message_en, e.details), status, headers

    @app.error_processor
    def _http_error(error):
        code, msg, msg_en = _HTTP_MESSAGES.get(error.status_code, ("error", error.message, error.message))
        details = error.detail or {}
        if error.status_code == 422 and isinstance(details, dict):
            fields = details.get("json") or details.get("query") or details
            details = {"fields": fields}
            first = _first_field(fields)
            if first is not None:  # name the field, so the officer knows what to fix
                details["field"], problem = first
                msg, msg_en = f"Data tidak sah: {first[0]} ({problem}).", f"Invalid data: {first[0]} ({problem})."
        return error_body(code, msg, msg_en, details), error.status_code, error.headers

    from flask_limiter.errors import RateLimitExceeded

    @app.errorhandler(RateLimitExceeded)
    def _rate_limited(e: RateLimitExceeded):
        """A public write or read past its rate (:mod:`queue_server.limits`): 429 in the one
        error shape with ``retry_after``; the citizen pages answer an Indonesian page."""
        import math
        window = e.limit.limit.get_expiry()  # seconds of the limit's window
        retry = max(1, math.ceil(window / max(1, e.limit.limit.amount)))
        if request.blueprint == "citizen":
            from .web.citizen import rate_limited_page
            return rate_limited_page(retry)
        return error_body("rate_limited", "Terlalu banyak permintaan dari alamat atau NIK ini. Coba lagi nanti.",
                          "Too many requests from this address or NIK. Try again later.",
                          {"retry_after": retry, "limit": str(e.limit.limit)}), 429, {"Retry-After": str(retry)}

    @app.errorhandler(HTTPException)
    def _werkzeug_error(e: HTTPException):
        code, msg, msg_en = _HTTP_MESSAGES.get(e.code or 500, ("error", e.description, e.description))
        return error_body(code, msg, msg_en), e.code or 500

    @app.errorhandler(Exception)
    def _unexpected(e: Exception):
        log.exception("unexpected error")
        return error_body("internal_error", "Terjadi kesalahan di server. Coba lagi.", "Server error. Try again."), 500
