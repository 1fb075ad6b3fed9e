"""``loket demo``: a complete demo office in one command (issue 7 §1).

    loket demo [--data-dir ./loket-data] [--port 8080] [--no-windows] [--lang id]

Runs ``loket init`` on the data directory (idempotent), creates one demo staff account
per role (password :data:`DEMO_PASSWORD`) and a kiosk and a display token (kept in
``DATA_DIR/demo.json`` and reused on the next run), starts ``loket serve --ignore-hours``
as a child process, waits for ``/api/v1/health`` and then opens the kiosk, a counter
station (loket 1) and the waiting-room display as windows. Printers are ``preview://``
folders (PNG images of each slip) and KIA cards go to a ``spool://`` folder of PDFs.

Ctrl-C or SIGTERM stops every child process; a window that exits on its own is reported
with the tail of its log. Without a graphical display (no ``DISPLAY`` on Linux) or with
``--no-windows`` only the server runs, with the same printout.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import click

from loket.devserver import DevServer, LoketProcess, ServerDidNotStart, log_tail
from queue_server.cli import data_dir_option

__all__ = ["COMMANDS", "demo_cmd", "DEMO_PASSWORD", "DEMO_ACCOUNTS", "WINDOWS", "DemoWindow", "ensure_demo_data",
           "layout", "screen_size", "has_display"]

#: Password of every demo account (8 characters: the server's minimum length).
DEMO_PASSWORD = "demo1234"

#: (username, role, what the account does: (id, en)). Roles: queue_server/domain/roles.py;
#: duties from SOP 000 rows 2–7 and SOP 003.
DEMO_ACCOUNTS: list[tuple[str, str, tuple[str, str]]] = [
    ("operator1", "operator", ("loket pelayanan: panggil antrean, periksa berkas, foto anak, serahkan KIA "
                               "(SOP 000 baris 2 dan 7)",
                               "service counter: call tickets, check files, child photo, KIA hand-over "
                               "(SOP 000 rows 2 and 7)")),
    ("operator2", "operator", ("loket pelayanan kedua (buka stasiun kedua dengan --counter 2)",
                               "second service counter (open a second station with --counter 2)")),
    ("verifikator", "verifikator", ("verifikasi berkas (SOP 000 baris 3)", "file verification (SOP 000 row 3)")),
    ("kadis", "pejabat_tte", ("persetujuan dan TTE (SOP 000 baris 4)", "approval and e-signature (SOP 000 row 4)")),
    ("cetak", "petugas_cetak", ("cetak KIA dan Register KIA (SOP 000 baris 5–6)",
                                "KIA card printing and register (SOP 000 rows 5–6)")),
    ("distribusi", "petugas_distribusi", ("loket distribusi: penyerahan KK dan tanda terima (SOP 003 baris 11)",
                                          "distribution counter: KK hand-over with receipt (SOP 003 row 11)")),
    ("kepala", "kepala", ("kepala dinas: laporan dan rekap", "head of office: reports and recaps")),
]

DEMO_FILE = "demo.json"

#: The sample pas foto the demo's counter station uses as its camera (assets/demo/README.md),
#: copied into the data folder; relative to it (the windows run there).
SAMPLE_PHOTO = Path(__file__).resolve().parents[1] / "assets" / "demo" / "contoh-foto.jpg"
SAMPLE_PHOTO_IN_DATA = "demo/contoh-foto.jpg"


@dataclass(frozen=True)
class DemoWindow:
    """One window of the demo: a ``loket`` subcommand at a fixed place on the screen.

    ``left``/``top``/``width``/``height`` are in pixels (see :func:`layout`)."""

    name: str
    label: tuple[str, str]
    left: int
    top: int
    width: int
    height: int


#: The three demo windows on a 1920×1080 screen: kiosk (portrait), counter station,
#: waiting-room display (16:9), side by side without overlap.
WINDOWS = [
    DemoWindow("kiosk", ("Kios antrean", "Ticket kiosk"), 0, 0, 540, 760),
    DemoWindow("counter", ("Stasiun petugas (loket 1)", "Counter station (counter 1)"), 540, 0, 1366, 760),
    DemoWindow("display", ("Layar ruang tunggu", "Waiting-room display"), 540, 760, 560, 315),
]

#: Pixels kept free at the bottom of a small screen (task bar, window title bars).
SCREEN_MARGIN = 40

#: The smallest waiting-room display window (``loket display`` refuses less than 240 px).
DISPLAY_MIN = (427, 240)


def layout(screen: tuple[int, int] = (1920, 1080)) -> list[DemoWindow]:
    """The demo windows for a screen of ``screen`` = (width, height) pixels.

    From 1920×1080 up: :data:`WINDOWS`. On a smaller screen (a 1366×768 laptop) the
    counter station keeps the whole height at the right (its forms need it) and the
    left column holds the kiosk above the waiting-room display (16:9, at least
    427×240); a band of :data:`SCREEN_MARGIN` px stays free for the task bar. No two
    windows overlap."""
    width, height = screen
    if width >= 1920 and height >= 1080:
        return list(WINDOWS)
    usable = height - SCREEN_MARGIN
    left_w = max(DISPLAY_MIN[0], round(width * 0.3125))
    display_h = max(DISPLAY_MIN[1], round(left_w * 9 / 16))
    by_name = {w.name: w for w in WINDOWS}
    return [DemoWindow("kiosk", by_name["kiosk"].label, 0, 0, left_w, usable - display_h),
            DemoWindow("counter", by_name["counter"].label, left_w, 0, width - left_w, usable),
            DemoWindow("display", by_name["display"].label, 0, usable - display_h, left_w, display_h)]


def screen_size() -> tuple[int, int]:
    """This PC's screen in pixels: ``xdpyinfo`` on X11, the system metrics on Windows;
    1920×1080 when it cannot be told (then ``loket demo --screen WxH``)."""
    if sys.platform.startswith("win"):
        try:
            import ctypes

            metrics = ctypes.windll.user32  # type: ignore[attr-defined]
            return int(metrics.GetSystemMetrics(0)), int(metrics.GetSystemMetrics(1))
        except (AttributeError, OSError):
            return 1920, 1080
    if shutil.which("xdpyinfo") and os.environ.get("DISPLAY"):
        try:
            out = subprocess.run(["xdpyinfo"], capture_output=True, text=True, timeout=5).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        match = re.search(r"dimensions:\s+(\d+)x(\d+) pixels", out)
        if match:
            return int(match.group(1)), int(match.group(2))
    return 1920, 1080


def _t(lang: str, pair: tuple[str, str]) -> str:
    return pair[1] if lang == "en" else pair[0]


def has_display() -> bool:
    """True when windows can be opened: Windows and macOS always; elsewhere when
    ``DISPLAY`` or ``WAYLAND_DISPLAY`` is set."""
    if sys.platform.startswith(("win", "darwin")):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        if os.name != "nt":  # like the server: a port in TIME_WAIT after the last run is free
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def ensure_demo_data(data_dir: Path) -> dict:
    """Initialise ``data_dir`` for the demo and return the state kept in ``demo.json``.

    Runs ``loket init`` (admin password :data:`DEMO_PASSWORD` when the admin account is
    created now), creates the :data:`DEMO_ACCOUNTS` that do not exist yet and a kiosk
    and a display token unless ``demo.json`` holds tokens that are still valid.
    Returns ``{"kiosk_token", "display_token", "admin_password" (str or None: unknown,
    the admin existed before the demo), "created": [usernames made now]}``.
    Raises ``click.ClickException`` for an invalid office file."""
    from queue_server.auth import create_device_token, create_staff, hash_token
    from queue_server.cli import init_cmd
    from queue_server.db.database import connect_data_dir
    from queue_server.db.models import Staff, Token

    data_dir.mkdir(parents=True, exist_ok=True)
    state_path = data_dir / DEMO_FILE
    state = json.loads(state_path.read_text(encoding="utf-8")) if state_path.exists() else {}
    database = connect_data_dir(data_dir)
    admin_existed = Staff.get_or_none(Staff.username == "admin") is not None
    database.close()
    init_cmd.callback(data_dir=data_dir, admin_password=DEMO_PASSWORD)
    if not admin_existed:
        state["admin_password"] = DEMO_PASSWORD
    state.setdefault("admin_password", None)
    database = connect_data_dir(data_dir)
    created = []
    with database.atomic():
        for username, role, _ in DEMO_ACCOUNTS:
            if Staff.get_or_none(Staff.username == username) is None:
                create_staff(username, role, DEMO_PASSWORD, full_name=f"Demo {username}")
                created.append(username)
        for role in ("kiosk", "display"):
            key = f"{role}_token"
            token = state.get(key)
            valid = token and Token.select().where((Token.token_hash == hash_token(token)) & (Token.role == role)
                                                   & Token.revoked_at.is_null()).exists()
            if not valid:
                state[key] = create_device_token(role, f"demo-{role}")
    database.close()
    state_path.write_text(json.dumps(state, indent=2), encoding="utf-8")
    if hasattr(os, "chmod"):
        os.chmod(state_path, 0o600)
    state["created"] = created
    return state


@dataclass
class _Child:
    """A demo child: its label for the printout and whether its exit was reported."""

    label: str
    process: LoketProcess
    reported: bool = False


def _window_env(data_dir: Path, win: DemoWindow) -> dict:
    env = dict(os.environ)
    (data_dir / "kivy" / win.name).mkdir(parents=True, exist_ok=True)
    # Kivy reads KCFG_<SECTION>_<KEY> over its config: place the window; a private
    # KIVY_HOME keeps these settings out of the user's own Kivy configuration.
    env.update({"KIVY_HOME": str(data_dir / "kivy" / win.name), "KIVY_NO_ARGS": "1",
                "KCFG_GRAPHICS_POSITION": "custom", "KCFG_GRAPHICS_LEFT": str(win.left),
                "KCFG_GRAPHICS_TOP": str(win.top), "KCFG_GRAPHICS_FULLSCREEN": "0"})
    return env


def _window_args(win: DemoWindow, url: str, state: dict, lang: str) -> list[str]:
    """Arguments of a window's ``loket`` subcommand; it runs in the data directory, so
    the printer folders are relative (URIs with drive letters are not portable)."""
    size = f"{win.width}x{win.height}"
    if win.name == "kiosk":
        return ["kiosk", "--server", url, "--token", state["kiosk_token"], "--printer", "preview://previews/kiosk",
                "--size", size, "--lang", lang]
    if win.name == "counter":
        return ["counter", "--server", url, "--counter", "1", "--printer", "preview://previews/counter",
                "--card-output", "spool://cards", "--camera", f"file://{SAMPLE_PHOTO_IN_DATA}", "--size", size,
                "--lang", lang]
    return ["display", "--server", url, "--token", state["display_token"], "--windowed", "--size", size,
            "--language", lang]


def _printout(url: str, data_dir: Path, state: dict, lang: str, windows: bool, reason: str | None,
              lan: bool = False) -> str:
    e = lambda id_, en: en if lang == "en" else id_  # noqa: E731
    w = 22
    lines = ["", "=" * 72, e("  Loket demo berjalan", "  Loket demo is running"), "=" * 72,
             f"  {e('Server', 'Server'):<{w}}{url}",
             f"  {e('Dokumentasi API', 'API docs'):<{w}}{url}/api/v1/docs",
             *([f"  {e('Dari PC lain (LAN)', 'From other PCs (LAN)'):<{w}}"
                f"http://{e('ALAMAT-IP-PC-INI', 'THIS-PC-IP-ADDRESS')}:{url.rsplit(':', 1)[1]}"] if lan else []),
             f"  {e('Folder data', 'Data folder'):<{w}}{data_dir}",
             f"  {e('Struk kios (PNG)', 'Kiosk tickets (PNG)'):<{w}}{data_dir / 'previews' / 'kiosk'}",
             f"  {e('Struk loket (PNG)', 'Counter slips (PNG)'):<{w}}{data_dir / 'previews' / 'counter'}",
             f"  {e('Kartu KIA (PDF)', 'KIA cards (PDF)'):<{w}}{data_dir / 'cards'}",
             f"  {e('Log', 'Logs'):<{w}}{data_dir / 'logs'}",
             "", e(f"  Akun petugas demo (kata sandi: {DEMO_PASSWORD}):",
                   f"  Demo staff accounts (password: {DEMO_PASSWORD}):")]
    for username, role, duty in DEMO_ACCOUNTS:
        lines.append(f"    {username:<12}{role:<20}{_t(lang, duty)}")
    if state.get("admin_password"):
        lines.append(f"    {'admin':<12}{'admin':<20}" + e(f"administrator (kata sandi {state['admin_password']})",
                                                           f"administrator (password {state['admin_password']})"))
    else:
        lines.append(f"    {'admin':<12}{'admin':<20}" + e("administrator (kata sandi dari 'loket init' pertama)",
                                                           "administrator (password from the first 'loket init')"))
    lines += ["", e("  Token perangkat (tersimpan di ", "  Device tokens (kept in ") + str(data_dir / DEMO_FILE) + "):",
              f"    kiosk    {state['kiosk_token']}", f"    display  {state['display_token']}", ""]
    if windows:
        lines.append(e("  Jendela: ", "  Windows: ") + ", ".join(_t(lang, win.label) for win in WINDOWS))
        lines.append(e("  Masuk di stasiun petugas sebagai operator1 untuk memanggil antrean.",
                       "  Log in at the counter station as operator1 to call tickets."))
    else:
        if reason:
            lines.append("  " + reason)
        lines.append(e("  Hanya server yang berjalan. Buka jendela di PC lain (lihat docs/deployment.md):",
                       "  Only the server runs. Open the windows on another PC (see docs/deployment.md):"))
        if not lan:  # 127.0.0.1 is this PC only: other PCs need the server on the LAN
            lines.append(e("  (jalankan demo dengan --host 0.0.0.0 agar PC lain bisa tersambung)",
                           "  (start the demo with --host 0.0.0.0 so that other PCs can connect)"))
        there = f"http://{e('ALAMAT-IP-PC-INI', 'THIS-PC-IP-ADDRESS')}:{url.rsplit(':', 1)[1]}"
        lines += [f"    loket kiosk --server {there} --token {state['kiosk_token']}",
                  f"    loket counter --server {there} --counter 1",
                  f"    loket display --server {there} --token {state['display_token']}",
                  e(f"  Di PC ini sendiri: --server {url}", f"  On this PC itself: --server {url}")]
    lines += ["", e("  Hentikan semuanya dengan Ctrl-C.", "  Stop everything with Ctrl-C."), "=" * 72, ""]
    return "\n".join(lines)


class _Stop(Exception):
    pass


@click.command("demo")
@data_dir_option
@click.option("--port", default=8080, show_default=True, type=int, help="Server port.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Server address (0.0.0.0 lets other PCs in the LAN join the demo).")
@click.option("--no-windows", is_flag=True, help="Run the server only (no kiosk, counter or display windows).")
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True,
              help="Language of the windows and of this printout.")
@click.option("--screen", default=None, metavar="WxH",
              help="Screen size the windows are laid out for (default: this PC's screen, e.g. 1366x768).")
def demo_cmd(data_dir: Path, port: int, host: str, no_windows: bool, lang: str, screen: str | None):
    """Kantor demo lengkap: server, kios, stasiun petugas dan layar ruang tunggu dengan printer pratinjau."""
    data_dir = data_dir.resolve()
    if screen:
        try:
            size = tuple(int(x) for x in screen.lower().split("x"))
            assert len(size) == 2 and min(size) >= 320
        except (ValueError, AssertionError):
            raise click.BadParameter("use WxH, e.g. 1366x768", param_hint="--screen") from None
    else:
        size = screen_size()
    windows_layout = layout(size)  # type: ignore[arg-type]
    if not _port_free(host, port):
        raise click.ClickException(f"Port {port} is in use by another program; choose another with --port."
                                   if lang == "en" else
                                   f"Port {port} sudah dipakai program lain; pilih port lain dengan --port.")
    state = ensure_demo_data(data_dir)
    for sub in ("previews/kiosk", "previews/counter", "cards", "logs", "demo"):
        (data_dir / sub).mkdir(parents=True, exist_ok=True)
    if SAMPLE_PHOTO.is_file() and not (data_dir / SAMPLE_PHOTO_IN_DATA).exists():
        shutil.copyfile(SAMPLE_PHOTO, data_dir / SAMPLE_PHOTO_IN_DATA)
    url_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://{url_host}:{port}"

    def on_signal(signum, _frame):
        raise _Stop(signum)

    old = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    children: list[_Child] = []
    try:
        server_proc = DevServer(data_dir, host=host, port=port, workers=1, threads=None, exit_with_parent=False,
                                log=data_dir / "logs" / "server.log")
        server = _Child("server", server_proc)
        children.append(server)
        try:
            server_proc.start(timeout=60)
        except ServerDidNotStart as exc:
            raise click.ClickException(str(exc)) from None
        reason = None
        windows = not no_windows
        if windows and not has_display():
            windows = False
            reason = ("Tidak ada layar grafis (DISPLAY kosong)." if lang != "en"
                      else "No graphical display (DISPLAY is not set).")
        if windows:
            for win in windows_layout:
                window = LoketProcess(_window_args(win, url, state, lang), data_dir / "logs" / f"{win.name}.log",
                                      env=_window_env(data_dir, win), cwd=data_dir)
                children.append(_Child(_t(lang, win.label), window.start()))
        click.echo(_printout(url, data_dir, state, lang, windows, reason, lan=host in ("0.0.0.0", "::")))
        while True:
            for child in children:
                rc = child.process.poll()
                if rc is None or child.reported:
                    continue
                child.reported = True
                if child is server:
                    raise click.ClickException(
                        (f"Server stopped (code {rc})." if lang == "en" else f"Server berhenti (kode {rc}).")
                        + f" Log {child.process.log}:\n" + log_tail(child.process.log))
                if rc == 0:
                    click.echo(f"Window '{child.label}' closed (log: {child.process.log})." if lang == "en"
                               else f"Jendela '{child.label}' ditutup (log: {child.process.log}).")
                else:
                    click.echo((f"Window '{child.label}' stopped with an error (code {rc})." if lang == "en"
                                else f"Jendela '{child.label}' berhenti dengan galat (kode {rc}).")
                               + f" Log {child.process.log}:\n" + log_tail(child.process.log), err=True)
            time.sleep(0.5)
    except _Stop:
        click.echo("Menghentikan demo…" if lang != "en" else "Stopping the demo…")
    finally:
        for sig in old:  # a second Ctrl-C does not interrupt the clean-up
            signal.signal(sig, signal.SIG_IGN)
        for child in reversed(children):
            child.process.stop()
        for sig, handler in old.items():
            signal.signal(sig, handler)
    click.echo("Semua proses demo dihentikan." if lang != "en" else "All demo processes stopped.")


COMMANDS = [demo_cmd]
