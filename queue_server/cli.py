"""Server commands of the ``loket`` console script (issue 2 §11).

``loket init``, ``loket serve``, ``loket token create``, ``loket staff add``,
``loket backup``, ``loket check-config``. Every command takes ``--data-dir`` (or
``LOKET_DATA_DIR``; default ``./loket-data``).
"""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import sys
import time
from datetime import datetime
from pathlib import Path

import click

from .config import OfficeConfigError, default_office_dir, load_offices
from .db.database import connect_data_dir

data_dir_option = click.option(
    "--data-dir", type=click.Path(file_okay=False, path_type=Path), envvar="LOKET_DATA_DIR",
    default="loket-data", show_default=True, help="Data directory (database, office files, previews, backups).")


def private_files() -> None:
    """From now on this process creates files readable by its own user only (umask 077):
    the database, its WAL, backups and previews hold NIKs and names (UU 27/2022)."""
    if hasattr(os, "umask"):
        os.umask(0o077)


def make_private(data_dir: Path) -> None:
    """The data directory (0700) and the database files in it (0600) readable by the
    service's user only, also when an older Loket created them world-readable."""
    if os.name == "nt":
        return  # NTFS permissions follow the user's profile folder; chmod does not apply
    data_dir.chmod(0o700)
    for path in data_dir.glob("loket.sqlite3*"):
        path.chmod(0o600)


def _offices_dir(data_dir: Path) -> Path:
    return data_dir / "offices"


def _ensure_offices(data_dir: Path) -> list[str]:
    """Copy the shipped office files into the data directory (never overwrites)."""
    target = _offices_dir(data_dir)
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    for src in sorted(default_office_dir().glob("*.toml")):
        dst = target / src.name
        if not dst.exists():
            shutil.copyfile(src, dst)
            copied.append(dst.name)
    return copied


@click.command("init")
@data_dir_option
@click.option("--admin-password", default=None, help="Password of the 'admin' account (random when omitted).")
def init_cmd(data_dir: Path, admin_password: str | None):
    """Create the data directory, database, default office files and an admin account.

    Safe to run twice: existing files, data and accounts are kept."""
    from .auth import create_staff
    from .db.models import Staff

    data_dir = data_dir.resolve()
    private_files()
    data_dir.mkdir(parents=True, exist_ok=True)
    copied = _ensure_offices(data_dir)
    try:
        offices = load_offices(_offices_dir(data_dir))
    except OfficeConfigError as e:
        raise click.ClickException(str(e)) from None
    database = connect_data_dir(data_dir)
    with database.atomic():
        if Staff.get_or_none(Staff.username == "admin") is None:
            password = admin_password or secrets.token_urlsafe(12)
            create_staff("admin", "admin", password, full_name="Administrator")
            click.echo(f"Akun admin dibuat: admin / {password}  (simpan kata sandi ini)")
        else:
            click.echo("Akun admin sudah ada.")
    database.close()
    make_private(data_dir)
    click.echo(f"Direktori data: {data_dir}")
    for name in copied:
        click.echo(f"Berkas kantor disalin: {_offices_dir(data_dir) / name}")
    click.echo("Kantor: " + ", ".join(f"{o.code} ({o.name})" for o in offices))


@click.command("check-config")
@data_dir_option
def check_config_cmd(data_dir: Path):
    """Validate the office files and print a summary (non-zero exit on errors). Without a
    data directory (no ``loket init`` yet) the shipped office files are checked."""
    folder = _offices_dir(data_dir.resolve())
    if not folder.is_dir():
        click.echo(f"Belum ada {folder} (jalankan 'loket init' atau beri --data-dir); "
                   f"memeriksa berkas kantor bawaan {default_office_dir()} "
                   f"(no office folder yet: checking the shipped office files)")
        folder = default_office_dir()
    try:
        offices = load_offices(folder)
    except OfficeConfigError as e:
        raise click.ClickException(str(e)) from None
    for o in offices:
        click.echo(f"{o.code}: {o.name} [{o.zone_abbreviation}] — {len(o.services)} layanan, {len(o.counters)} loket")
        for s in o.services:
            steps = " → ".join(f"{st.code}({st.mutu_baku_minutes if st.mutu_baku_minutes is not None else '-'}m)"
                               for st in s.steps)
            click.echo(f"  {s.prefix} {s.code}: {s.name.id}: {steps}")


def build_app(data_dir: Path, *, enforce_hours: bool = True, clock=None, extra: dict | None = None):
    """The WSGI app for ``data_dir`` (offices copied in if missing)."""
    from .app import create_app

    data_dir = data_dir.resolve()
    _ensure_offices(data_dir)
    cfg = {"DATA_DIR": str(data_dir), "ENFORCE_HOURS": enforce_hours}
    if clock is not None:
        cfg["CLOCK"] = clock
    cfg.update(extra or {})
    return create_app(cfg)


@click.command("serve")
@data_dir_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 for the LAN).")
@click.option("--port", default=8080, show_default=True, type=int)
@click.option("--threads", default=64, show_default=True, type=int,
              help="Worker threads per process (each open display/counter event stream holds one).")
@click.option("--workers", default=None, type=int,
              help="Server processes sharing the port (POSIX; default: one per CPU, at most 4; Windows: 1). "
                   "Events and numbering are shared through the database.")
@click.option("--ignore-hours", is_flag=True, help="Issue tickets outside opening hours (demos, training).")
@click.option("--exit-with-parent", is_flag=True,
              help="Stop when the process that started the server ends (tests, simulation, demo).")
@click.option("--clock-start", default=None, help="Simulated start time, ISO 8601 with offset (simulation only).")
@click.option("--clock-speed", default=1.0, type=float, help="Simulated seconds per real second (simulation only).")
@click.option("--trusted-proxy", default=None, callback=lambda ctx, param, v: _proxy_address(v),
              help="Address of the HTTPS reverse proxy in front (e.g. 127.0.0.1): its X-Forwarded-For/-Proto/-Host "
                   "give the client's address and the public URL (docs/deployment.md). Others' are ignored.")
def serve_cmd(data_dir: Path, host: str, port: int, threads: int, workers: int | None, ignore_hours: bool,
              exit_with_parent: bool, clock_start: str | None, clock_speed: float, trusted_proxy: str | None):
    """Run the queue server with waitress (a production WSGI server that also runs on Windows)."""
    import waitress

    if workers is None:
        workers = min(4, os.cpu_count() or 1) if hasattr(os, "fork") else 1
    private_files()

    from .context import Clock

    # Hand the GIL over more often than every 5 ms: a thread that finished its SQLite
    # write must not wait behind request threads to release the writer lock.
    sys.setswitchinterval(0.0005)
    limit_malloc_arenas()
    clock = None
    if clock_start or clock_speed != 1.0:
        start = datetime.fromisoformat(clock_start).timestamp() if clock_start else None
        clock = Clock(start=start, speed=clock_speed)
    from peewee import OperationalError

    from .db.database import is_storage_failure, write_probe
    try:
        app = build_app(data_dir, enforce_hours=not ignore_hours, clock=clock,
                        extra={"MAX_STREAMS": max(4, threads - 8)})
        problem = write_probe()
    except OfficeConfigError as e:
        raise click.ClickException(str(e)) from None
    except OperationalError as e:
        if not is_storage_failure(e):
            raise
        problem = str(e)
    if problem:  # never serve a day of tickets that cannot be stored (issue 16 item 9)
        raise click.ClickException(f"Basis data tidak bisa ditulis ({problem}). Periksa izin folder data dan ruang "
                                   f"disk, lalu mulai lagi. (The database cannot be written: check the data folder's "
                                   f"permissions and free space.)")
    click.echo(f"Loket server: http://{host}:{port}/api/v1  (data: {data_dir.resolve()}, "
               f"{workers} proses × {threads} thread)", err=True)
    if trusted_proxy:
        click.echo(f"Di belakang proxy {trusted_proxy} (behind the reverse proxy at {trusted_proxy})", err=True)
    settings = {**connection_limits(), **proxy_settings(trusted_proxy)}
    from .db.models import db as _db
    close_all = getattr(_db.obj, "close_all", None)
    if close_all is not None:  # a pool's connections must not be inherited by the forked workers
        close_all()
    if workers <= 1 or not hasattr(os, "fork"):
        if exit_with_parent:
            _watch_parent(lambda: os._exit(0))
        waitress.serve(app, host=host, port=port, threads=threads, ident="loket", **settings)
        return
    _serve_prefork(app, host, port, threads, workers, exit_with_parent, settings)


def _pg_dump(url: str, out: Path) -> None:
    """``pg_dump --format=custom`` of the PostgreSQL database at ``url`` into ``out``
    (restore: ``pg_restore --clean --no-owner -d URL FILE``). The client from PATH or
    Debian's newest ``/usr/lib/postgresql/N/bin``."""
    import glob
    import subprocess
    exe = shutil.which("pg_dump") or next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"))[::-1]), None)
    if exe is None:
        raise click.ClickException("pg_dump tidak ditemukan: pasang paket postgresql-client (pg_dump not found).")
    out.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([exe, "--format=custom", "--no-owner", "--file", str(out), url], capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise click.ClickException(f"pg_dump gagal (failed): {done.stderr.strip()[-500:]}")
    os.chmod(out, 0o600)


def limit_malloc_arenas(arenas: int = 2, mmap_threshold: int = 1 << 20) -> bool:
    """Keep a server process's memory from growing with its thread count (glibc only;
    elsewhere nothing happens, False). By default glibc gives each busy thread its own
    malloc arena and raises its mmap threshold after a large free, so buffers of a few MB
    (an upload's photo, its decoded pixels) stay in the arenas of the 64 request threads
    after use: 20 concurrent 3.6 MB uploads left a worker at 1.9 GB RSS (bench/README.md
    "Online applications"). ``arenas`` arenas and a fixed mmap threshold (bytes) return
    such buffers to the system when freed. Must run before the request threads start.
    ``LOKET_MALLOC_ARENAS=0`` leaves glibc's defaults (for comparison)."""
    import ctypes
    import ctypes.util
    name = ctypes.util.find_library("c")
    if not name or sys.platform != "linux" or os.environ.get("LOKET_MALLOC_ARENAS") == "0":
        return False
    try:
        libc = ctypes.CDLL(name)
        m_mmap_threshold, m_arena_max = -3, -8  # glibc malloc.h
        return bool(libc.mallopt(m_arena_max, arenas)) and bool(libc.mallopt(m_mmap_threshold, mmap_threshold))
    except (OSError, AttributeError):
        return False


def _proxy_address(value: str | None) -> str | None:
    """``--trusted-proxy``: one IPv4/IPv6 address, as the proxy connects from."""
    if not value:
        return None
    import ipaddress
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        raise click.BadParameter(f"bukan alamat IP: {value!r} (not an IP address, e.g. 127.0.0.1)") from None


def proxy_settings(trusted_proxy: str | None) -> dict:
    """waitress settings for a reverse proxy at ``trusted_proxy`` (issue 16 item 18).

    Only connections from that address have their ``X-Forwarded-For`` (the last entry,
    the one the proxy added: the client's address in the audit log and the login
    limiter), ``X-Forwarded-Proto`` (``https``: the public URL's scheme, HSTS) and
    ``X-Forwarded-Host``/``-Port`` honoured; from anyone else these headers are
    dropped, so a client cannot claim another address. None: no proxy, headers dropped.
    """
    if not trusted_proxy:
        return {"clear_untrusted_proxy_headers": True}
    return {"trusted_proxy": trusted_proxy, "trusted_proxy_count": 1,
            "trusted_proxy_headers": "x-forwarded-for x-forwarded-proto x-forwarded-host x-forwarded-port",
            "clear_untrusted_proxy_headers": True}


#: A connection that sends nothing for this long is closed (seconds; waitress checks every
#: ``cleanup_interval``). Event streams send a heartbeat every 3 s, so they stay open.
IDLE_SECONDS = 20
#: Connections one worker process keeps open at most; past it, new connections wait in the
#: listen backlog until one closes (issue 16 item 2: idle sockets must not shut the office out).
CONNECTION_LIMIT = 1000


def connection_limits() -> dict:
    """waitress settings that keep a burst of idle sockets from stopping kiosks and
    counters: ``poll`` instead of ``select`` (no 1,024-descriptor ceiling), up to
    :data:`CONNECTION_LIMIT` connections per worker (fewer when the process may open fewer
    files; the soft limit is raised to the hard one), idle ones closed after
    :data:`IDLE_SECONDS`; request bodies read 64 KiB at a time."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard if hard != resource.RLIM_INFINITY else 65536, hard))
            soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        except (ValueError, OSError):
            pass
    return {"asyncore_use_poll": True, "channel_timeout": IDLE_SECONDS, "cleanup_interval": 5,
            "connection_limit": max(100, min(CONNECTION_LIMIT, soft - 200)),
            # an upload's 3-5 MB body read in 64 KiB pieces, not 8 KiB: an eighth of the
            # I/O thread's loop turns, which the kiosks' requests wait behind
            "recv_bytes": 65536}


def _watch_parent(on_orphan, interval: float = 1.0) -> None:
    """Call ``on_orphan`` once the process that started this one has ended (checked
    every ``interval`` seconds), whichever thread of the parent started it."""
    import threading

    parent = os.getppid()

    def run():
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                on_orphan()
                return

    threading.Thread(target=run, name="loket-parent-watch", daemon=True).start()


def _serve_prefork(app, host: str, port: int, threads: int, workers: int, exit_with_parent: bool = False,
                   settings: dict | None = None) -> None:
    """Several waitress processes accepting on one listening socket (POSIX)."""
    import waitress

    from .db.models import db

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.setblocking(False)
    db.close()  # each child opens its own connection
    children = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
            waitress.serve(app, sockets=[sock], threads=threads, ident="loket", **(settings or connection_limits()))
            os._exit(0)
        children.append(pid)

    def stop_children():
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    def stop(*_):
        stop_children()
        sys.exit(0)

    if exit_with_parent:
        _watch_parent(lambda: (stop_children(), os._exit(0)))
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while children:
        try:
            pid, _ = os.wait()
        except ChildProcessError:
            break
        if pid in children:
            children.remove(pid)
            stop()


@click.group("token")
def token_group():
    """Device tokens for kiosks and displays."""


@token_group.command("create")
@data_dir_option
@click.option("--role", type=click.Choice(["kiosk", "display"]), required=True)
@click.option("--name", required=True, help="A name for the device, e.g. 'kios-1' or 'layar-aula'.")
@click.option("--office", default=None, help="Office code (default: any office).")
def token_create_cmd(data_dir: Path, role: str, name: str, office: str | None):
    """Create a device token; the token is printed as the last line."""
    from .auth import create_device_token
    from .db.models import AuditLog
    from .domain.errors import DomainError

    database = connect_data_dir(data_dir.resolve())
    try:
        with database.atomic():
            token = create_device_token(role, name, office=office)
            AuditLog.create(at=time.time(), actor="cli", role="admin", office=office, action="device.create",
                            target=name, details={"role": role})
    except DomainError as e:
        raise click.ClickException(e.message) from None
    click.echo(f"Token {role} '{name}' dibuat. Simpan token ini; tidak ditampilkan lagi:", err=True)
    click.echo(token)


@click.group("staff")
def staff_group():
    """Staff accounts."""


@staff_group.command("add")
@data_dir_option
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(
    ["admin", "operator", "verifikator", "pejabat_tte", "petugas_cetak", "petugas_distribusi", "kepala"]))
@click.option("--password", default=None, help="Password (asked for when omitted).")
@click.option("--full-name", default="")
@click.option("--nip", default="")
@click.option("--office", default=None, help="Office code (default: all offices).")
def staff_add_cmd(data_dir: Path, username: str, role: str, password: str | None, full_name: str, nip: str,
                  office: str | None):
    """Create a staff account."""
    from .auth import create_staff
    from .db.models import AuditLog
    from .domain.errors import DomainError

    if password is None:
        password = click.prompt("Kata sandi", hide_input=True, confirmation_prompt=True)
    database = connect_data_dir(data_dir.resolve())
    try:
        with database.atomic():
            create_staff(username, role, password, full_name=full_name, office=office, nip=nip)
            AuditLog.create(at=time.time(), actor="cli", role="admin", office=office, action="staff.create",
                            target=username, details={"role": role})
    except DomainError as e:
        raise click.ClickException(e.message) from None
    click.echo(f"Petugas '{username}' ({role}) dibuat.")


def _account_cli(data_dir: Path, action: str, target: str, work) -> None:
    """Run ``work()`` on the database in one transaction with an audit row by "cli"."""
    from . import auth
    from .db.models import AuditLog
    from .domain.errors import DomainError

    auth._cache.stamp = data_dir.resolve() / "revocations.stamp"  # the running server's workers see it at once
    database = connect_data_dir(data_dir.resolve())
    try:
        with database.atomic():
            work()
            if action:  # (an unlock writes its own row: it is what resets the failure count)
                AuditLog.create(at=time.time(), actor="cli", role="admin", action=action, target=target)
    except DomainError as e:
        raise click.ClickException(e.message) from None
    finally:
        database.close()


@token_group.command("list")
@data_dir_option
def token_list_cmd(data_dir: Path):
    """List kiosk and display tokens (id, name, role, state); never the tokens themselves."""
    from datetime import datetime

    from .auth import device_tokens
    database = connect_data_dir(data_dir.resolve())
    try:
        for d in device_tokens():
            state = "dicabut" if d["revoked_at"] else ("berakhir " + datetime.fromtimestamp(d["expires_at"]).strftime(
                "%Y-%m-%d %H:%M") if d["expires_at"] else "aktif")
            click.echo(f"{d['id']:>4}  {d['role']:<8} {d['name']:<30} {d['office'] or '-':<20} {state}")
    finally:
        database.close()


@token_group.command("revoke")
@data_dir_option
@click.argument("token_id", type=int)
def token_revoke_cmd(data_dir: Path, token_id: int):
    """Revoke device token TOKEN_ID (see `loket token list`): refused at once."""
    from .auth import revoke_device
    _account_cli(data_dir, "device.revoke", str(token_id), lambda: revoke_device(token_id))
    click.echo(f"Token {token_id} dicabut.")


@staff_group.command("list")
@data_dir_option
def staff_list_cmd(data_dir: Path):
    """List staff accounts with their role, office and state."""
    from .db.models import Staff
    database = connect_data_dir(data_dir.resolve())
    try:
        for st in Staff.select().order_by(Staff.username):
            click.echo(f"{st.username:<24} {st.role:<20} {st.office or '-':<20} {'aktif' if st.active else 'nonaktif'}")
    finally:
        database.close()


def _staff_cmd(name: str, action: str, help_text: str, work, done: str):
    @staff_group.command(name, help=help_text)
    @data_dir_option
    @click.argument("username")
    def cmd(data_dir: Path, username: str):
        from .auth import staff_by_name
        _account_cli(data_dir, action, username, lambda: work(staff_by_name(username), username))
        click.echo(done.format(username=username))
    return cmd


def _disable(st, _name):
    from .auth import set_active
    set_active(st, False)


def _enable(st, _name):
    from .auth import set_active
    set_active(st, True)


def _unlock(st, name):
    from .auth import unlock
    unlock(name, actor="cli")


staff_disable_cmd = _staff_cmd("disable", "staff.disable", "Disable an account: its sessions end at once.", _disable,
                               "Petugas '{username}' dinonaktifkan; sesinya berakhir.")
staff_enable_cmd = _staff_cmd("enable", "staff.enable", "Enable a disabled account.", _enable,
                              "Petugas '{username}' diaktifkan lagi.")
staff_unlock_cmd = _staff_cmd("unlock", "", "Lift the lockout after failed logins.", _unlock,
                              "Kunci akun '{username}' dibuka.")


@staff_group.command("password")
@data_dir_option
@click.argument("username")
@click.option("--password", default=None, help="The new password (asked for when omitted).")
def staff_password_cmd(data_dir: Path, username: str, password: str | None):
    """Set a new password for USERNAME; its sessions end."""
    from .auth import set_password, staff_by_name
    if password is None:
        password = click.prompt("Kata sandi baru", hide_input=True, confirmation_prompt=True)
    _account_cli(data_dir, "staff.password", username, lambda: set_password(staff_by_name(username), password))
    click.echo(f"Kata sandi '{username}' diganti; sesinya berakhir.")


@click.command("backup")
@data_dir_option
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Target file (default: DATA_DIR/backups/loket-YYYYmmdd-HHMMSS.sqlite3).")
def backup_cmd(data_dir: Path, out: Path | None):
    """Online, consistent copy of the database (safe while the server runs): SQLite with
    its backup API, PostgreSQL with pg_dump; and the online applications' uploads
    (``NAME.uploads/`` beside it)."""
    from .db.database import backup_sqlite, sqlite_path

    url = os.environ.get("DATABASE_URL") or ""
    data_dir = data_dir.resolve()
    private_files()  # a backup holds the same personal data as the database
    if url.startswith(("postgresql://", "postgres://")):
        out = out or data_dir / "backups" / f"loket-{datetime.now():%Y%m%d-%H%M%S}.dump"
        _pg_dump(url, out)
    elif url and not url.startswith("sqlite"):
        raise click.ClickException("loket backup copies SQLite and PostgreSQL databases; back up others with "
                                   "their own tools.")
    else:
        src = sqlite_path(data_dir)
        if not src.exists():
            raise click.ClickException(f"Tidak ada basis data di {src}. Jalankan 'loket init' dulu.")
        out = out or data_dir / "backups" / f"loket-{datetime.now():%Y%m%d-%H%M%S}.sqlite3"
        backup_sqlite(src, out)
    # the uploads of online applications (issue 13) go beside it, copied after the database:
    # every file its rows name is there (a file added since is an orphan, swept after a restore)
    uploads = data_dir / "uploads"
    if uploads.is_dir():
        target = out.with_name(out.name.removesuffix(".sqlite3").removesuffix(".dump") + ".uploads")
        shutil.copytree(uploads, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.part"))
        os.chmod(target, 0o700)
        click.echo(str(target))
    click.echo(str(out))


COMMANDS = [init_cmd, serve_cmd, token_group, staff_group, backup_cmd, check_config_cmd]
