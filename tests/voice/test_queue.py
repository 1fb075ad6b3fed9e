"""Announcement queue and audio sinks (display.voice.queue)."""

import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from display.voice.compose import call_tokens
from display.voice.pack import VoicePack, default_pack_dir, wav_duration
from display.voice.queue import (
    AnnouncementQueue,
    AudioSink,
    FakeSink,
    KivySink,
    NullSink,
    SubprocessSink,
)

REPO = Path(__file__).resolve().parents[2]
PACK = VoicePack(default_pack_dir())


def expected_wav(number, counter, **kw):
    return PACK.compose_wav(call_tokens(number, counter, **kw))


class BlockingSink(AudioSink):
    """Plays instantly once ``release`` is set; records WAV bytes."""

    def __init__(self):
        self.release = threading.Event()
        self.started = threading.Event()
        self.played = []
        self.closed = False

    def play(self, wav):
        self.started.set()
        assert self.release.wait(5)
        self.played.append(wav)

    def close(self):
        self.closed = True


def test_burst_of_ten_in_order_without_overlap():
    sink = FakeSink(time_scale=0.005)
    numbers = [(f"A{n:03d}", (n % 5) + 1) for n in range(1, 11)]
    with AnnouncementQueue(PACK, sink) as queue:
        for number, counter in numbers:
            queue.announce(number, counter)
        assert queue.drain(timeout=10)
    played = sink.played
    assert [p.wav for p in played] == [expected_wav(n, c) for n, c in numbers]
    for previous, current in zip(played, played[1:]):
        assert current.start >= previous.end
    assert all(p.end - p.start >= p.duration * 0.005 * 0.9 for p in played)
    assert sink.closed


def test_recall_is_announced_again():
    sink = FakeSink(time_scale=0.001)
    queue = AnnouncementQueue(PACK, sink)
    first = queue.announce("B007", 2)
    again = queue.announce("b7", "2", recall=True)
    assert queue.drain(timeout=5)
    queue.stop()
    assert (first.recall, again.recall) == (False, True)
    assert first.text == again.text == "Nomor antrean, B, tujuh, silakan menuju loket dua"
    assert again.number == "B7"
    assert [p.wav for p in sink.played] == [expected_wav("B007", 2)] * 2


def test_digit_mode_and_template_are_used():
    sink = FakeSink(time_scale=0)
    with AnnouncementQueue(PACK, sink, mode="digits") as queue:
        item = queue.announce("A001", 3)
        assert queue.drain(timeout=5)
    assert item.text == "Nomor antrean, A, nol nol satu, silakan menuju loket tiga"
    assert sink.played[0].wav == expected_wav("A001", 3, mode="digits")
    with pytest.raises(ValueError):
        AnnouncementQueue(PACK, NullSink(), mode="roman")
    with pytest.raises(ValueError):
        AnnouncementQueue(PACK, NullSink(), template="{nomor}")


def test_spelling_and_repeat_settings_are_used():
    sink = FakeSink(time_scale=0)
    with AnnouncementQueue(PACK, sink, spelling="words", repeat=2) as queue:
        item = queue.announce("D004", 2)
        assert queue.drain(timeout=5)
    assert item.text == "Nomor antrean, D Denpasar, empat, silakan menuju loket dua"
    assert item.tokens.count("chime") == 1 and item.tokens.count("ejaan_denpasar") == 2
    assert sink.played[0].wav == PACK.compose_wav(item.tokens)
    with pytest.raises(ValueError):
        AnnouncementQueue(PACK, NullSink(), repeat=0)


def test_display_voice_words_option():
    from display.launch import parse_spelling_words

    assert parse_spelling_words("a=Anggrek, B = Bunga") == {"A": "Anggrek", "B": "Bunga"}
    assert parse_spelling_words(None) == {}
    with pytest.raises(ValueError, match="LETTER=Word"):
        parse_spelling_words("AB=x")


def test_sink_exception_does_not_stop_worker(caplog):
    class FlakySink(FakeSink):
        calls = 0

        def play(self, wav):
            self.calls += 1
            if self.calls == 1:
                raise OSError("audio device gone")
            super().play(wav)

    sink = FlakySink(time_scale=0)
    with caplog.at_level(logging.ERROR, logger="display.voice.queue"):
        with AnnouncementQueue(PACK, sink) as queue:
            queue.announce("A001", 1)
            queue.announce("A002", 1)
            assert queue.drain(timeout=5)
            assert queue.is_alive()
            queue.announce("A003", 1)
            assert queue.drain(timeout=5)
    assert [p.wav for p in sink.played] == [expected_wav("A002", 1), expected_wav("A003", 1)]
    assert "audio device gone" in caplog.text and "A001" in caplog.text


def test_missing_clip_and_callback_errors_are_logged(tmp_path, caplog):
    seen = []

    def on_announce(item):
        seen.append(item.number)
        if item.number == "A2":
            raise RuntimeError("caption failed")

    sink = FakeSink(time_scale=0)
    with caplog.at_level(logging.ERROR, logger="display.voice.queue"):
        with AnnouncementQueue(VoicePack(tmp_path), sink) as broken:
            broken.announce("A1", 1)
            assert broken.drain(timeout=5)
            assert broken.is_alive()
        with AnnouncementQueue(PACK, sink, on_announce=on_announce) as queue:
            queue.announce("A2", 1)
            queue.announce("A3", 1)
            assert queue.drain(timeout=5)
    assert "lacks clips" in caplog.text and "caption failed" in caplog.text
    assert seen == ["A2", "A3"]
    assert len(sink.played) == 2


def test_stop_ends_thread_promptly_and_discards_waiting():
    sink = FakeSink(time_scale=0.05)  # about 0.3 s per call
    queue = AnnouncementQueue(PACK, sink)
    for n in range(10):
        queue.announce(f"C{n + 1}", 1)
    time.sleep(0.05)
    assert queue.stop(timeout=5)
    assert not queue.is_alive()
    assert len(sink.played) == 1  # the one being spoken finished; the nine waiting were dropped
    assert sink.closed
    assert queue.pending == 0
    with pytest.raises(RuntimeError):
        queue.announce("C11", 1)
    assert queue.stop()  # harmless twice


def test_stop_idle_queue_is_immediate():
    queue = AnnouncementQueue(PACK, NullSink())
    assert queue.stop(timeout=5) and not queue.is_alive()


def test_overflow_drops_oldest_non_recall(caplog):
    sink = BlockingSink()
    queue = AnnouncementQueue(PACK, sink, maxsize=3)
    queue.announce("A1", 1)  # being played (blocked)
    assert sink.started.wait(5)
    queue.announce("A2", 1, recall=True)
    queue.announce("A3", 1)
    queue.announce("A4", 1)
    with caplog.at_level(logging.WARNING, logger="display.voice.queue"):
        queue.announce("A5", 1)  # drops A3, keeps the recall A2
    assert queue.pending == 3
    assert not queue.drain(timeout=0.05)
    sink.release.set()
    assert queue.drain(timeout=5)
    queue.stop()
    assert sink.played == [expected_wav(n, 1) for n in ("A1", "A2", "A4", "A5")]
    assert "dropped A3" in caplog.text


def test_overflow_of_recalls_drops_oldest_recall():
    sink = BlockingSink()
    queue = AnnouncementQueue(PACK, sink, maxsize=2)
    queue.announce("A1", 1)
    assert sink.started.wait(5)
    for n in (2, 3, 4):
        queue.announce(f"A{n}", 1, recall=True)
    sink.release.set()
    assert queue.drain(timeout=5)
    queue.stop()
    assert sink.played == [expected_wav(n, 1) for n in ("A1", "A3", "A4")]


def test_announce_validates_synchronously():
    with AnnouncementQueue(PACK, NullSink()) as queue:
        with pytest.raises(ValueError):
            queue.announce("12", 1)
        with pytest.raises(ValueError):
            queue.announce("A1", 100)
        assert queue.pending == 0
    with pytest.raises(ValueError):
        AnnouncementQueue(PACK, NullSink(), maxsize=0)


def test_fake_sink_duration_and_validation():
    sink = FakeSink(time_scale=0.01)
    wav = expected_wav("A012", 3)
    sink.play(wav)
    record = sink.played[0]
    assert record.duration == pytest.approx(wav_duration(wav))
    assert record.end - record.start >= record.duration * 0.01 * 0.9
    with pytest.raises(ValueError):
        sink.play(b"junk")
    with pytest.raises(ValueError):
        FakeSink(time_scale=-1)


def test_subprocess_sink_runs_player_with_file(tmp_path, monkeypatch):
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    copy = tmp_path / "got.wav"
    player = [sys.executable, "-c", "import shutil, sys; shutil.copy(sys.argv[1], sys.argv[2])", "{path}", str(copy)]
    sink = SubprocessSink(player)
    wav = expected_wav("A1", 1)
    sink.play(wav)
    assert copy.read_bytes() == wav
    failing = SubprocessSink([sys.executable, "-c", "import sys; sys.exit('no device')", "{path}"])
    with pytest.raises(RuntimeError, match="no device"):
        failing.play(wav)
    slow = SubprocessSink([sys.executable, "-c", "import time; time.sleep(30)", "{path}"], timeout_margin=0.2)
    short = PACK.compose_wav(["huruf_a"])
    with pytest.raises(RuntimeError, match="did not finish"):
        slow.play(short)
    with pytest.raises(ValueError):
        SubprocessSink(["aplay"])
    assert list(temp.iterdir()) == []  # temporary WAVs removed, also after failures


def test_kivy_sink_with_fake_loader_waits_and_cleans_up():
    class FakeSound:
        def __init__(self, path):
            self.path = path
            self.state = "stop"
            self.events = []

        def play(self):
            assert os.path.exists(self.path)
            self.events.append("play")
            self.state = "play"
            threading.Timer(0.15, self._end).start()

        def _end(self):
            self.state = "stop"

        def stop(self):
            self.events.append("stop")
            self.state = "stop"

        def unload(self):
            self.events.append("unload")

    class Loader:
        sounds = []

        def load(self, path):
            sound = FakeSound(path)
            self.sounds.append(sound)
            return sound

    loader = Loader()
    sink = KivySink(loader=loader, poll=0.01, margin=0.5)
    began = time.monotonic()
    sink.play(PACK.compose_wav(["huruf_a"]))
    elapsed = time.monotonic() - began
    assert elapsed >= 0.14  # waited for the sound to end (it ends itself after 0.15 s) ...
    assert elapsed < 0.42 + 0.5  # ... not for the clip's length plus the margin
    sound = loader.sounds[0]
    assert sound.events == ["play", "stop", "unload"]
    assert not os.path.exists(sound.path)

    class NoAudio:
        def load(self, path):
            return None

    with pytest.raises(RuntimeError, match="audio provider"):
        KivySink(loader=NoAudio()).play(PACK.compose_wav(["huruf_a"]))


def test_kivy_sink_gives_up_after_duration_plus_margin():
    class StuckSound:
        state = "play"

        def play(self):
            pass

        def stop(self):
            pass

        def unload(self):
            pass

    class Loader:
        def load(self, path):
            return StuckSound()

    wav = PACK.compose_wav(["huruf_a"])
    began = time.monotonic()
    KivySink(loader=Loader(), poll=0.01, margin=0.1).play(wav)
    assert time.monotonic() - began >= wav_duration(wav) + 0.1 - 0.02  # gave it the clip plus the margin, then gave up


def test_voice_package_does_not_import_kivy():
    code = "import sys, display.voice; assert 'kivy' not in sys.modules, 'kivy imported'"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
