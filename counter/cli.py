"""``loket counter``: start the counter station window (issue 5)."""
from __future__ import annotations

import click

from client.options import ca_file_option


@click.command("counter")
@click.option("--server", required=True, help="Queue server URL, e.g. http://192.168.1.10:8080")
@click.option("--counter", default="1", show_default=True, help="Code of the loket this PC is bound to.")
@click.option("--printer", default=None, help="Receipt printer URI (tcp://HOST, usb://VID:PID, preview://DIR, ...).")
@click.option("--card-output", default="spool://kartu-kia", show_default=True,
              help="Where KIA card PDFs go: spool://DIR or cups://QUEUE.")
@click.option("--camera", default=None, help="Camera: webcam://0 or file://PATH (photo step).")
@click.option("--photo-ratio", type=click.Choice(["2x3", "3x4", "4x6"]), default="4x6", show_default=True,
              help="Pass-photo size of this office (cm).")
@click.option("--size", default="1366x768", show_default=True, help="Window size WxH.")
@click.option("--fullscreen", is_flag=True, help="Full screen.")
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@ca_file_option
def counter_cmd(server, counter, printer, card_output, camera, photo_ratio, size, fullscreen, lang, ca_file):
    """Stasiun petugas: loket, foto, verifikasi, TTE, cetak KIA, penyerahan."""
    import os
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    try:
        width, height = (int(x) for x in size.lower().split("x"))
    except ValueError:
        raise click.BadParameter("use WxH, e.g. 1366x768", param_hint="--size") from None
    from kivy.config import Config
    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    from .app import run
    run(server, counter=counter, printer=printer, card_output=card_output, camera=camera,
        photo_ratio=photo_ratio, lang=lang, ca_file=ca_file)


COMMANDS = [counter_cmd]


if __name__ == "__main__":
    counter_cmd()
