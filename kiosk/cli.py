"""``loket kiosk``: start the citizens' touchscreen (issue 4).

    loket kiosk --server http://192.168.1.10:8080 --token TOKEN --printer tcp://192.168.1.50 --fullscreen

Kivy is imported only when the command runs, so other ``loket`` commands work on a PC
without a display. See docs/kiosk.md for start-on-boot on Linux and Windows.
"""
from __future__ import annotations

import logging
import os

import click

from client.options import ca_file_option

__all__ = ["COMMANDS", "kiosk_cmd", "build_controller"]


def build_controller(server: str, token: str, printer_uri: str, *, lang: str = "id", paper: int = 80,
                     office: str | None = None, idle_timeout: float = 60.0, timeout: float = 5.0,
                     audio_guide: bool = False, high_contrast: bool = False, large_text: bool = False,
                     voice_pack: str | None = None, sink=None,
                     retry_delays: tuple[float, ...] = (2.0, 4.0, 8.0, 8.0, 8.0), ca_file: str | None = None):
    """A :class:`kiosk.controller.KioskController` with a real API client and printer.

    ``printer_uri`` is any ``printing.open_printer`` URI (tcp://, usb://, preview://DIR,
    dummy://); ``paper`` 58 or 80 (mm); ``timeout`` seconds per HTTP attempt and per
    print job; ``audio_guide`` offers spoken guidance (voice pack ``voice_pack``, default
    the shipped one; played on ``sink``, default Kivy's audio); ``high_contrast`` /
    ``large_text`` the default display modes; ``retry_delays`` seconds between the
    automatic retries of a call the server did not answer; ``ca_file`` the office CA for
    an ``https://`` server. Raises
    ``printing.errors.PrinterConfigError`` for a bad URI.
    """
    from printing.uri import open_printer

    from .api import KioskApi
    from .controller import KioskController

    api = KioskApi(server, token, timeout=timeout, office=office, ca_file=ca_file)
    printer = open_printer(printer_uri, paper=paper, timeout=timeout)
    guide = None
    if audio_guide:
        from display.voice import KivySink, VoicePack, default_pack_dir

        from .guide import AudioGuide

        guide = AudioGuide(VoicePack(voice_pack or default_pack_dir()), sink or KivySink())
    return KioskController(api, printer, lang=lang, idle_timeout=idle_timeout, guide=guide,
                           high_contrast=high_contrast, large_text=large_text, retry_delays=retry_delays)


@click.command("kiosk")
@click.option("--server", required=True, help="Queue server URL, e.g. http://192.168.1.10:8080")
@click.option("--token", required=True, envvar="LOKET_KIOSK_TOKEN",
              help="Kiosk token (loket token create --role kiosk); or env LOKET_KIOSK_TOKEN.")
@click.option("--printer", "printer_uri", default="preview://kiosk-tickets", show_default=True,
              help="Ticket printer URI: tcp://HOST[:9100], usb://VID:PID, serial:///dev/ttyUSB0, preview://DIR.")
@click.option("--fullscreen", is_flag=True, help="Kiosk mode: whole screen, no cursor.")
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.option("--paper", type=click.Choice(["58", "80"]), default="80", show_default=True, help="Paper width (mm).")
@click.option("--office", default=None, help="Office code (default: the token's office).")
@click.option("--size", default=None, help="Window size WxH in windowed mode, e.g. 1080x1920.")
@click.option("--idle-timeout", default=60.0, show_default=True, type=float,
              help="Seconds without a touch before returning to the welcome screen.")
@click.option("--audio-guide", is_flag=True,
              help="Offer spoken guidance per screen (the citizen switches it on; needs speakers).")
@click.option("--high-contrast", is_flag=True, help="Start in the high-contrast theme (the citizen can switch).")
@click.option("--large-text", is_flag=True, help="Start with larger text (the citizen can switch).")
@click.option("--retry-delays", default="2,4,8,8,8", show_default=True,
              help="Seconds between automatic retries when the server does not answer; then the citizen is "
                   "offered 'Coba lagi' / 'Tunggu di sini' (answers are kept).")
@ca_file_option
def kiosk_cmd(server, token, printer_uri, fullscreen, lang, paper, office, size, idle_timeout, audio_guide,
              high_contrast, large_text, retry_delays, ca_file):
    """Layar sentuh kios: ambil nomor antrean, cek status, survei IKM."""
    logging.getLogger("urllib3").setLevel(logging.WARNING)  # one line per request is noise on a kiosk
    # Check the options before Kivy is imported (it takes over stderr and opens a window).
    width = height = None
    if size:
        try:
            width, height = (int(x) for x in size.lower().split("x"))
        except ValueError:
            raise click.BadParameter("use WxH, e.g. 1080x1920", param_hint="--size") from None
    try:
        delays = tuple(float(x) for x in retry_delays.split(",") if x.strip())
    except ValueError:
        raise click.BadParameter("seconds separated by commas, e.g. 2,4,8", param_hint="--retry-delays") from None
    if any(d < 0 for d in delays):
        raise click.BadParameter("delays cannot be negative", param_hint="--retry-delays")
    from printing.errors import PrinterConfigError

    try:
        ctrl = build_controller(server, token, printer_uri, lang=lang, paper=int(paper), office=office,
                                idle_timeout=idle_timeout, audio_guide=audio_guide, high_contrast=high_contrast,
                                large_text=large_text, retry_delays=delays, ca_file=ca_file)
    except PrinterConfigError as exc:
        raise click.BadParameter(str(exc), param_hint="--printer") from None
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    from kivy.config import Config

    if width and height:
        Config.set("graphics", "width", str(width))
        Config.set("graphics", "height", str(height))
    Config.set("graphics", "resizable", "1")
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    automation = None
    script = os.environ.get("LOKET_KIOSK_SCRIPT")
    if script:
        from .automation import ScriptRunner, load_script

        automation = ScriptRunner(load_script(script))
    from .app import KioskApp

    KioskApp(ctrl, fullscreen=fullscreen, automation=automation).run()


COMMANDS = [kiosk_cmd]
