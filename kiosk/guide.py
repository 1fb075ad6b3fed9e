"""Audio guidance at the kiosk (issue 18 item 12): one short spoken sentence per screen,
from the voice pack, for citizens who read with difficulty. Off by default; the office
makes it available (``loket kiosk --audio-guide``) and the citizen switches it on at
the welcome screen.

The sentences are in Bahasa Indonesia (the voice pack's language) whatever the screen
language. Each is one clip ``panduan_<screen>.wav`` in the pack; the shipped clips are
made by ``scripts/make_voice_pack.py`` like the call clips (:func:`guide_vocabulary`).
Playback goes to a ``display.voice`` ``AudioSink`` on a worker thread: a new screen's
sentence replaces one still waiting (guidance is never stale) and nothing blocks a tap.
"""
from __future__ import annotations

import logging
import threading

from display.voice.pack import VoicePack
from display.voice.queue import AudioSink

from .flows.base import (
    CHECKLIST,
    CONFIRMATION,
    IKM,
    IKM_DONE,
    INELIGIBLE,
    NOTICE,
    PRIORITY,
    QUESTION,
    SERVICES,
    STATUS,
    WELCOME,
)

log = logging.getLogger(__name__)

__all__ = ["GUIDE_TEXTS", "AudioGuide", "guide_key", "guide_vocabulary"]

#: What is said on each screen (key: screen name, or "question_date" for the date keypad).
GUIDE_TEXTS: dict[str, str] = {
    WELCOME: "Selamat datang. Sentuh tombol kuning untuk mengambil nomor antrean.",
    SERVICES: "Sentuh layanan yang Anda perlukan.",
    "question_date": "Ketik tanggal lahir: tanggal, bulan, lalu tahun. Lalu sentuh lanjut.",
    QUESTION: "Sentuh jawaban yang sesuai.",
    PRIORITY: "Pilih layanan prioritas bila Anda berhak. Bila tidak, sentuh antrean biasa.",
    CHECKLIST: "Siapkan dokumen di layar, lalu sentuh cetak nomor antrean.",
    CONFIRMATION: "Ini nomor antrean Anda. Ambil tiket, dan tunggu panggilan.",
    INELIGIBLE: "Maaf, layanan ini belum bisa diberikan. Tanyakan kepada petugas.",
    NOTICE: "Maaf, ada gangguan. Mintalah bantuan petugas.",
    STATUS: "Ketik atau pindai kode pada tiket.",
    IKM: "Sentuh jawaban yang sesuai.",
    IKM_DONE: "Terima kasih.",
}


def guide_key(screen: str, question_kind: str | None = None) -> str | None:
    """The :data:`GUIDE_TEXTS` key for a screen (None for a screen with no guidance)."""
    if screen == QUESTION and question_kind == "date":
        return "question_date"
    return screen if screen in GUIDE_TEXTS else None


def guide_token(key: str) -> str:
    """Clip token of a guidance sentence: ``"services"`` → ``"panduan_services"``."""
    return f"panduan_{key}"


def guide_vocabulary() -> dict[str, str]:
    """``{token: text}`` of every guidance clip (for ``scripts/make_voice_pack.py``)."""
    return {guide_token(key): text for key, text in GUIDE_TEXTS.items()}


class AudioGuide:
    """Speaks the guidance of the screen on ``sink`` from ``pack``.

    ``say(key)`` returns at once; a worker thread plays the newest request. A missing
    clip or a failing sink is logged once per key and never reaches the kiosk.
    """

    def __init__(self, pack: VoicePack, sink: AudioSink) -> None:
        self.pack = pack
        self.sink = sink
        self._pending: str | None = None
        self._cond = threading.Condition()
        self._stopping = False
        self._failed: set[str] = set()
        self.spoken: list[str] = []
        self._thread = threading.Thread(target=self._run, name="kiosk-guide", daemon=True)
        self._thread.start()

    def say(self, key: str) -> None:
        """Speak the guidance ``key`` (a :data:`GUIDE_TEXTS` key) soon; KeyError for another."""
        if key not in GUIDE_TEXTS:
            raise KeyError(key)
        with self._cond:
            self._pending = key
            self._cond.notify_all()

    def stop(self) -> None:
        """Stop the worker (a sentence being played finishes)."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self._thread.join(timeout=5)

    def idle(self, timeout: float = 5.0) -> bool:
        """Wait until nothing is pending (tests); True when so."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending is None and not self._busy, timeout)

    _busy = False

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending is not None or self._stopping)
                if self._stopping:
                    return
                key, self._pending = self._pending, None
                self._busy = True
            try:
                self.sink.play(self.pack.compose_wav([guide_token(key)]))
                self.spoken.append(key)
            except Exception as exc:  # noqa: BLE001 - guidance must never break the kiosk
                if key not in self._failed:
                    self._failed.add(key)
                    log.warning("kiosk: audio guidance %s not played: %s", key, exc)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()
