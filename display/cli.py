"""``loket display``: the waiting-room screen (mounted by loket/cli.py).

``loket display`` runs the waiting-room screen (issue 6). The counter-station command
is added by its owner to ``COMMANDS`` below.
"""
from __future__ import annotations

from pathlib import Path

import click

from client.options import ca_file_option

__all__ = ["COMMANDS", "display_cmd"]


def _size(_ctx, _param, value: str) -> tuple[int, int]:
    try:
        w, h = (int(x) for x in value.lower().split("x"))
    except ValueError:
        raise click.BadParameter("gunakan LEBARxTINGGI, mis. 1920x1080 / use WIDTHxHEIGHT") from None
    if w < 320 or h < 240:
        raise click.BadParameter("ukuran layar terlalu kecil / window too small")
    return w, h


@click.command("display")
@click.option("--server", required=True, help="Alamat server antrean, mis. http://192.168.1.10:8080")
@click.option("--token", required=True, envvar="LOKET_DISPLAY_TOKEN", help="Token perangkat 'display' (loket token create --role display).")
@click.option("--office", default=None, help="Kode kantor (bawaan: kantor token).")
@click.option("--services", default=None, help="Hanya layanan ini, mis. KIA,KK (ruang tunggu dengan dua aula).")
@click.option("--counters", default=None, help="Hanya loket ini, mis. 1,2.")
@click.option("--fullscreen/--windowed", default=False, show_default=True, help="Layar penuh (TV ruang tunggu).")
@click.option("--size", default="1920x1080", show_default=True, callback=_size,
              help="Ukuran jendela tanpa --fullscreen: 1920x1080 (mendatar) atau 1080x1920 (tegak).")
@click.option("--voice/--no-voice", default=True, show_default=True, help="Panggilan suara berbahasa Indonesia.")
@click.option("--voice-mode", type=click.Choice(["words", "digits"]), default="words", show_default=True,
              help="Nomor dibaca sebagai kata (dua belas) atau per angka (satu dua).")
@click.option("--voice-template", default=None, help="Kalimat panggilan dengan {prefix}, {number}, {counter}.")
@click.option("--voice-spelling", type=click.Choice(["name", "words"]), default="name", show_default=True,
              help="Huruf awalan dibaca namanya (be) atau dengan kata ejaan (be, Bandung).")
@click.option("--voice-words", default=None,
              help="Kata ejaan kantor sendiri untuk --voice-spelling words, mis. A=Anggrek,B=Bunga "
                   "(klipnya dibuat dengan scripts/make_voice_pack.py --words).")
@click.option("--voice-repeat", type=click.IntRange(1, 2), default=1, show_default=True,
              help="Setiap panggilan diucapkan sekali atau dua kali.")
@click.option("--voice-pack", type=click.Path(file_okay=False, exists=True, path_type=Path), default=None,
              help="Folder klip suara (bawaan: assets/voice/id).")
@click.option("--theme", "theme_path", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="Berkas TOML warna dan tata letak (lihat docs/display.md).")
@click.option("--language", type=click.Choice(["id", "en"]), default=None, help="Bahasa layar (bawaan: id).")
@click.option("--announce-max-age", type=float, default=30.0, show_default=True,
              help="Panggilan lebih lama dari ini (detik) tidak diumumkan lagi setelah tersambung kembali.")
@click.option("--automation", type=click.Path(file_okay=False, path_type=Path), default=None, hidden=True)
@ca_file_option
def display_cmd(server, token, office, services, counters, fullscreen, size, voice, voice_mode, voice_template,
                voice_spelling, voice_words, voice_repeat, voice_pack, theme_path, language, announce_max_age,
                automation, ca_file):
    """Layar ruang tunggu: nomor di tiap loket, panggilan terakhir, jumlah menunggu, suara."""
    from display.launch import parse_spelling_words, run
    from display.theme import Theme

    try:
        words = parse_spelling_words(voice_words)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--voice-words") from None
    try:
        theme = Theme.load(theme_path, language=language)
    except (ValueError, OSError) as exc:
        raise click.BadParameter(str(exc), param_hint="--theme") from None
    run(server=server, token=token, office=office, services=services, counters=counters, fullscreen=fullscreen,
        size=size, voice=voice, voice_mode=voice_mode, voice_template=voice_template, voice_pack=voice_pack,
        theme=theme, announce_max_age=announce_max_age, automation_dir=automation, voice_spelling=voice_spelling,
        voice_words=words, voice_repeat=voice_repeat, ca_file=ca_file)


# Commands mounted by loket/cli.py. The counter-station engineer appends counter_cmd here.
COMMANDS = [display_cmd, __import__("counter.cli", fromlist=["counter_cmd"]).counter_cmd]
