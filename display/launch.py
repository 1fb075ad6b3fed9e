"""Start the waiting-room display (used by ``loket display``).

:func:`run` configures Kivy's window *before* the window module is imported (size,
fullscreen, no mouse cursor, Escape does not quit a fullscreen display), builds the
controller, the optional voice queue and the app, and runs it until the window closes.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

from client.http import Client
from .controller import DisplayController
from .state import DisplayFilter
from .theme import Theme

__all__ = ["build_voice", "parse_spelling_words", "run"]


def build_voice(mode: str = "words", template: str | None = None, pack_dir: str | Path | None = None, sink=None,
                on_announce=None, spelling: str = "name", words: dict[str, str] | None = None, repeat: int = 1):
    """An AnnouncementQueue on the given (default: shipped Indonesian) voice pack,
    playing through Kivy's audio (``KivySink``) unless ``sink`` is given;
    ``on_announce(announcement)`` is called as each call starts playing; ``spelling``
    "name"/"words", ``words`` ({letter: word}) and ``repeat`` (1 or 2) as in
    ``display.voice.compose.call_tokens``. Raises ValueError for a bad setting."""
    from display.voice import DEFAULT_TEMPLATE, AnnouncementQueue, KivySink, VoicePack, default_pack_dir

    return AnnouncementQueue(VoicePack(pack_dir or default_pack_dir()), sink or KivySink(), mode=mode,
                             template=template or DEFAULT_TEMPLATE, on_announce=on_announce, spelling=spelling,
                             words=words, repeat=repeat)


def parse_spelling_words(text: str | None) -> dict[str, str]:
    """``"A=Anggrek,B=Bunga"`` -> ``{"A": "Anggrek", "B": "Bunga"}``; ValueError naming a bad entry."""
    out: dict[str, str] = {}
    for item in (text or "").split(","):
        if not item.strip():
            continue
        letter, sep, word = item.partition("=")
        if not sep or len(letter.strip()) != 1 or not letter.strip().isalpha() or not word.strip():
            raise ValueError(f"bad spelling entry {item.strip()!r}: write LETTER=Word, e.g. A=Anggrek")
        out[letter.strip().upper()] = word.strip()
    return out


def run(*, server: str, token: str, office: str | None = None, services: str | None = None,
        counters: str | None = None, fullscreen: bool = False, size: tuple[int, int] = (1920, 1080),
        voice: bool = True, voice_mode: str = "words", voice_template: str | None = None,
        voice_pack: str | Path | None = None, theme: Theme | None = None,
        announce_max_age: float = 30.0, automation_dir: str | Path | None = None,
        voice_spelling: str = "name", voice_words: dict[str, str] | None = None, voice_repeat: int = 1,
        ca_file: str | None = None) -> None:
    """Run the display until its window closes (blocking).

    ``size``: window size in pixels when not fullscreen (1920×1080 or 1080×1920);
    ``services`` / ``counters``: comma-separated filters (issue 6 §4);
    ``voice_mode``: "words" or "digits"; ``voice_spelling``: "name" (be) or "words"
    (be, Bandung); ``voice_repeat``: say each call once or twice; ``announce_max_age``:
    seconds (see state.py); ``ca_file``: the office CA for an ``https://`` server.
    """
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    from kivy.config import Config

    logging.getLogger("urllib3").setLevel(logging.WARNING)  # one line per refresh otherwise

    if fullscreen:
        Config.set("graphics", "fullscreen", "auto")
        Config.set("graphics", "show_cursor", "0")
        Config.set("kivy", "exit_on_escape", "0")
    else:
        Config.set("graphics", "fullscreen", "0")
        Config.set("graphics", "width", str(size[0]))
        Config.set("graphics", "height", str(size[1]))
    Config.set("graphics", "resizable", "1")
    Config.set("input", "mouse", "mouse,disable_multitouch")

    api = Client(server, token, backoff=0.25, ca_file=ca_file)
    controller = DisplayController(api, office=office, filter=DisplayFilter.parse(services, counters),
                                   announce_max_age=announce_max_age)
    if voice:
        controller.voice = build_voice(voice_mode, voice_template, voice_pack, on_announce=controller.record_spoken,
                                       spelling=voice_spelling, words=voice_words, repeat=voice_repeat)
    from .app import DisplayApp

    automation_dir = automation_dir or os.environ.get("LOKET_DISPLAY_AUTOMATION") or None
    DisplayApp(controller, theme or Theme(), automation_dir=automation_dir).run()
