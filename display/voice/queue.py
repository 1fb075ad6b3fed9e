"""Announcement queue and audio sinks for the waiting-room display (issue 6 §3).

``AnnouncementQueue`` plays calls one after the other on a worker thread: a new call
never interrupts the one being spoken, calls are spoken in the order they were made, a
burst of calls is spoken in full (up to ``maxsize`` waiting), and a recall is simply
spoken again.  Audio goes to an ``AudioSink``: ``KivySink`` on the display,
``SubprocessSink`` (aplay/paplay) on a headless box, ``NullSink``/``FakeSink`` in tests.
Nothing here imports Kivy at module level.
"""

from __future__ import annotations

import abc
import logging
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .compose import DEFAULT_TEMPLATE, Mode, call_text, call_tokens, counter_value, parse_ticket
from .pack import VoicePack, wav_duration

__all__ = [
    "Announcement",
    "AnnouncementQueue",
    "AplaySink",
    "AudioSink",
    "FakeSink",
    "KivySink",
    "NullSink",
    "Played",
    "SubprocessSink",
]

log = logging.getLogger(__name__)


class AudioSink(abc.ABC):
    """Where composed announcements are played.  ``play`` blocks until the sound ended;
    it may raise any exception (the queue logs it and goes on)."""

    @abc.abstractmethod
    def play(self, wav: bytes) -> None:
        """Play one WAV file given as bytes; return when playback has finished."""

    def close(self) -> None:
        """Release the device; the sink is not used afterwards.  Default: nothing."""


class NullSink(AudioSink):
    """Discards every sound immediately (display without speakers, voice disabled)."""

    def play(self, wav: bytes) -> None:
        """Return at once."""


@dataclass(frozen=True)
class Played:
    """One sound played by ``FakeSink``: the WAV bytes, its real ``duration`` (seconds)
    and the ``start``/``end`` of the simulated playback (``time.monotonic()`` seconds)."""

    wav: bytes
    duration: float
    start: float
    end: float


class FakeSink(AudioSink):
    """Test sink: records what was played and sleeps ``duration * time_scale`` seconds
    (``time_scale=0.01`` plays a 3 s call in 30 ms).  ``played`` lists ``Played`` records
    in order; ``closed`` tells whether ``close()`` was called.  Raises ``ValueError`` from
    ``play`` if the bytes are not a WAV."""

    def __init__(self, time_scale: float = 0.01) -> None:
        if time_scale < 0:
            raise ValueError("time_scale must be >= 0")
        self.time_scale = float(time_scale)
        self.closed = False
        self._played: list[Played] = []
        self._lock = threading.Lock()

    @property
    def played(self) -> list[Played]:
        """A copy of the playback records so far."""
        with self._lock:
            return list(self._played)

    def play(self, wav: bytes) -> None:
        """Record ``wav`` and sleep its scaled duration."""
        duration = wav_duration(wav)
        start = time.monotonic()
        time.sleep(duration * self.time_scale)
        end = time.monotonic()
        with self._lock:
            self._played.append(Played(wav=wav, duration=duration, start=start, end=end))

    def close(self) -> None:
        """Mark the sink closed."""
        self.closed = True


def _temp_wav(wav: bytes) -> str:
    """Write ``wav`` to a new temporary ``.wav`` file and return its path."""
    fd, path = tempfile.mkstemp(prefix="loket-call-", suffix=".wav")
    with os.fdopen(fd, "wb") as handle:
        handle.write(wav)
    return path


class KivySink(AudioSink):
    """Plays through Kivy's audio provider (``kivy.core.audio.SoundLoader``, imported on
    first use).  Each sound is written to a temporary file, loaded, played, and waited
    for until its state is ``"stop"`` or its duration plus ``margin`` seconds has passed
    (Kivy updates the state from its clock, which may not tick while the app is busy),
    polling every ``poll`` seconds.  ``loader`` replaces ``SoundLoader`` (tests).
    Raises ``RuntimeError`` from ``play`` if Kivy cannot load the sound (no audio provider).
    """

    def __init__(self, *, loader: Any = None, poll: float = 0.02, margin: float = 0.5) -> None:
        self._loader = loader
        self.poll = poll
        self.margin = margin

    def _get_loader(self) -> Any:
        if self._loader is None:
            from kivy.core.audio import SoundLoader  # lazy: no window/audio at import time

            self._loader = SoundLoader
        return self._loader

    def play(self, wav: bytes) -> None:
        """Play ``wav`` and wait for its end."""
        duration = wav_duration(wav)
        path = _temp_wav(wav)
        try:
            sound = self._get_loader().load(path)
            if sound is None:
                raise RuntimeError("Kivy could not load the announcement (no audio provider?)")
            try:
                sound.play()
                deadline = time.monotonic() + duration + self.margin
                started = time.monotonic()
                while time.monotonic() < deadline:
                    # Do not trust an early "stop" before the clip could have started.
                    if getattr(sound, "state", "play") == "stop" and time.monotonic() - started >= 0.05:
                        break
                    time.sleep(self.poll)
            finally:
                sound.stop()
                sound.unload()
        finally:
            os.unlink(path)


class SubprocessSink(AudioSink):
    """Plays each sound with an external player, waiting for it to exit.

    ``command`` is an argument list where ``"{path}"`` stands for a temporary WAV file;
    by default ``["aplay", "-q", "{path}"]`` (ALSA) or, if aplay is absent,
    ``["paplay", "{path}"]`` (PulseAudio/PipeWire).  A player running longer than the
    sound plus ``timeout_margin`` seconds is killed.  Raises ``RuntimeError`` at
    construction if no player is found, and from ``play`` if the player fails
    (non-zero exit or timeout).
    """

    def __init__(self, command: Sequence[str] | None = None, *, timeout_margin: float = 10.0) -> None:
        if command is None:
            if shutil.which("aplay"):
                command = ["aplay", "-q", "{path}"]
            elif shutil.which("paplay"):
                command = ["paplay", "{path}"]
            else:
                raise RuntimeError("neither aplay nor paplay is installed")
        if "{path}" not in command:
            raise ValueError('command must contain the argument "{path}"')
        self.command = list(command)
        self.timeout_margin = timeout_margin

    def play(self, wav: bytes) -> None:
        """Play ``wav`` with the player and wait for it."""
        duration = wav_duration(wav)
        path = _temp_wav(wav)
        try:
            argv = [path if arg == "{path}" else arg for arg in self.command]
            try:
                result = subprocess.run(argv, capture_output=True, timeout=duration + self.timeout_margin)
            except subprocess.TimeoutExpired as exc:
                raise RuntimeError(f"{argv[0]} did not finish in time") from exc
            if result.returncode != 0:
                raise RuntimeError(
                    f"{argv[0]} exited with {result.returncode}: {result.stderr.decode(errors='replace').strip()}"
                )
        finally:
            os.unlink(path)


#: ``SubprocessSink`` with its default player (aplay, else paplay).
AplaySink = SubprocessSink


@dataclass(frozen=True)
class Announcement:
    """One queued call: ticket ``number`` ("A012"), loket ``counter`` (1..99), whether it
    is a ``recall``, the caption ``text`` and the clip ``tokens``."""

    number: str
    counter: int
    recall: bool
    text: str
    tokens: tuple[str, ...] = field(repr=False)


class AnnouncementQueue:
    """Speaks calls in order on a worker thread (started by the constructor).

    ``pack`` supplies the clips, ``sink`` plays them; ``mode``, ``template``,
    ``spelling``/``words`` (how prefix letters are read) and ``repeat`` (1, or 2 to say
    each call twice) are passed to ``compose.call_tokens``.  At most ``maxsize`` calls wait; on overflow the oldest
    waiting call that is not a recall is dropped (the oldest recall if all are recalls)
    and a warning is logged.  ``on_announce(announcement)`` is called on the worker
    thread just before a call is played (e.g. to flash the caption).  A failing sink,
    missing clip or failing callback is logged and the worker carries on.
    Usable as a context manager (``stop()`` on exit).
    """

    def __init__(
        self,
        pack: VoicePack,
        sink: AudioSink,
        *,
        mode: Mode = "words",
        template: str = DEFAULT_TEMPLATE,
        maxsize: int = 100,
        on_announce: Callable[[Announcement], None] | None = None,
        spelling: str = "name",
        words: dict[str, str] | None = None,
        repeat: int = 1,
    ) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be >= 1")
        # validate mode, template, spelling and repeat now
        call_tokens("A1", 1, mode=mode, template=template, spelling=spelling, words=words, repeat=repeat)
        self.pack = pack
        self.sink = sink
        self.mode: Mode = mode
        self.template = template
        self.spelling = spelling
        self.words = dict(words or {})
        self.repeat = repeat
        self.maxsize = maxsize
        self.on_announce = on_announce
        self._items: deque[Announcement] = deque()
        self._cond = threading.Condition()
        self._busy = False
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="loket-voice", daemon=True)
        self._thread.start()

    def __enter__(self) -> AnnouncementQueue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def pending(self) -> int:
        """Number of calls waiting (not counting the one being played)."""
        with self._cond:
            return len(self._items)

    def is_alive(self) -> bool:
        """Whether the worker thread is running."""
        return self._thread.is_alive()

    def announce(self, number: str, counter: int | str, *, recall: bool = False) -> Announcement:
        """Queue a call of ticket ``number`` to loket ``counter``; returns at once.

        Raises ``ValueError`` for a bad ticket number/counter (see ``compose``) and
        ``RuntimeError`` after ``stop()``.
        """
        ticket = parse_ticket(number)
        loket = counter_value(counter)
        item = Announcement(
            number=f"{ticket.prefix}{ticket.digits}",
            counter=loket,
            recall=recall,
            text=call_text(number, loket, mode=self.mode, template=self.template, spelling=self.spelling,
                           words=self.words),
            tokens=tuple(call_tokens(number, loket, mode=self.mode, template=self.template,
                                     spelling=self.spelling, words=self.words, repeat=self.repeat)),
        )
        with self._cond:
            if self._stopping:
                raise RuntimeError("announcement queue is stopped")
            if len(self._items) >= self.maxsize:
                victim = next((a for a in self._items if not a.recall), self._items[0])
                self._items.remove(victim)
                log.warning("announcement queue full (%d): dropped %s to loket %d", self.maxsize, victim.number, victim.counter)
            self._items.append(item)
            self._cond.notify_all()
        return item

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until every queued call has been played; ``True`` if so, ``False`` if
        ``timeout`` seconds passed first (or the queue was stopped with calls waiting)."""
        with self._cond:
            return self._cond.wait_for(
                lambda: (not self._items and not self._busy) or not self._thread.is_alive(), timeout
            ) and not self._items and not self._busy

    def stop(self, timeout: float = 5.0) -> bool:
        """Stop the worker: waiting calls are discarded, the call being played finishes
        (sinks cannot be interrupted), then the sink is closed.  Returns whether the
        thread ended within ``timeout`` seconds.  Calling it again is harmless."""
        with self._cond:
            already = self._stopping
            self._stopping = True
            dropped = len(self._items)
            self._items.clear()
            self._cond.notify_all()
        if dropped:
            log.info("announcement queue stopped: %d waiting call(s) discarded", dropped)
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)
        ended = not self._thread.is_alive()
        if not already and ended:
            try:
                self.sink.close()
            except Exception:
                log.exception("closing the audio sink failed")
        return ended

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._items or self._stopping)
                if self._stopping:
                    self._cond.notify_all()
                    return
                item = self._items.popleft()
                self._busy = True
            try:
                self._play(item)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _play(self, item: Announcement) -> None:
        try:
            wav = self.pack.compose_wav(item.tokens)
        except Exception:
            log.exception("cannot compose the call of %s to loket %d", item.number, item.counter)
            return
        if self.on_announce is not None:
            try:
                self.on_announce(item)
            except Exception:
                log.exception("on_announce callback failed for %s", item.number)
        try:
            self.sink.play(wav)
        except Exception:
            log.exception("audio sink failed playing %s to loket %d", item.number, item.counter)
