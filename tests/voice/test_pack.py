"""Voice packs: shipped clips and WAV composition (display.voice.pack)."""

import io
import string
import wave
from pathlib import Path

import numpy as np
import pytest

from display.voice.compose import call_tokens, vocabulary
from display.voice.pack import VoicePack, default_pack_dir, read_wav, wav_bytes, wav_duration

REPO = Path(__file__).resolve().parents[2]


def write_wav(path, samples, rate, *, width=2, channels=1):
    """Write float samples (mono) as PCM with the given width/channels."""
    data = np.repeat(np.asarray(samples, dtype=np.float64)[:, None], channels, axis=1).reshape(-1)
    if width == 1:
        raw = (np.clip(data, -1, 1) * 127 + 128).round().astype(np.uint8).tobytes()
    elif width == 2:
        raw = (np.clip(data, -1, 1) * 32767).round().astype("<i2").tobytes()
    elif width == 3:
        ints = (np.clip(data, -1, 1) * 8388607).round().astype("<i4")
        raw = b"".join(int(v).to_bytes(3, "little", signed=True) for v in ints)
    else:
        raw = (np.clip(data, -1, 1) * 2147483647).round().astype("<i4").tobytes()
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(width)
        wav.setframerate(rate)
        wav.writeframes(raw)


def sine(freq, seconds, rate, amp=0.5):
    t = np.arange(int(round(seconds * rate))) / rate
    return amp * np.sin(2 * np.pi * freq * t)


def dominant_freq(samples, rate):
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    return np.fft.rfftfreq(samples.size, 1 / rate)[int(np.argmax(spectrum))]


def test_default_pack_dir_is_repo_assets():
    assert default_pack_dir() == REPO / "assets" / "voice" / "id"
    assert default_pack_dir().is_dir()


def test_shipped_pack_has_every_token_for_1_to_999():
    pack = VoicePack(default_pack_dir())
    needed = set()
    for letter in string.ascii_uppercase:
        needed.update(call_tokens(f"{letter}1", 1))
    for value in range(1, 1000):
        for counter in (1, 10, 11, 12, 19, 20, 99):
            for mode in ("words", "digits"):
                needed.update(call_tokens(f"AB{value:03d}", counter, mode=mode))
    assert pack.missing(sorted(needed)) == []
    assert pack.missing(vocabulary()) == []
    from kiosk.guide import guide_vocabulary

    assert set(pack.tokens()) == set(vocabulary()) | set(guide_vocabulary())  # + the kiosk's guidance


def test_shipped_clips_format_size_and_loudness():
    total = 0
    speech_rms = []
    for token in vocabulary():
        path = default_pack_dir() / f"{token}.wav"
        total += path.stat().st_size
        with wave.open(str(path), "rb") as wav:
            assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 22050), token
            duration = wav.getnframes() / wav.getframerate()
        assert 0.1 < duration < 2.5, (token, duration)
        samples, _ = read_wav(path)
        # trimmed: sound within the first and last 30 ms
        edge = int(0.03 * 22050)
        assert np.abs(samples[:edge]).max() > 0.01, token
        assert np.abs(samples[-edge:]).max() > 0.003, token
        if token != "chime":
            speech_rms.append(20 * np.log10(np.sqrt(np.mean(samples**2))))
        assert np.abs(samples).max() <= 10 ** (-1 / 20) + 1e-3, token
    assert total < 2 * 1024 * 1024
    assert max(speech_rms) - min(speech_rms) < 6.0


def test_compose_wav_duration_is_clips_plus_pauses():
    pack = VoicePack(default_pack_dir(), pause=0.1, chime_pause=0.5)
    tokens = call_tokens("B115", 12)
    data = pack.compose_wav(tokens)
    with wave.open(io.BytesIO(data), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 22050)
    expected = sum(pack.clip_duration(t) for t in tokens) + 0.5 + 0.1 * (len(tokens) - 2)
    assert wav_duration(data) == pytest.approx(expected, abs=len(tokens) / 22050)
    # the pause after the chime is silent
    samples, rate = read_wav(data)
    chime_end = int(pack.clip_duration("chime") * rate)
    assert np.abs(samples[chime_end + 10 : chime_end + int(0.49 * rate)]).max() == 0


def test_letter_clips_are_long_enough_to_tell_apart():
    """Issue 18 item 11: at 0.24 s "be", "de" and "e" were confused; now each letter is
    spoken slowly (scripts/make_voice_pack.py LETTER_SPEED) and lasts at least 0.4 s."""
    pack = VoicePack(default_pack_dir())
    durations = {ch: pack.clip_duration(f"huruf_{ch}") for ch in string.ascii_lowercase}
    assert min(durations.values()) >= 0.4, durations
    assert all(pack.clip_duration(f"ejaan_{w}") > 0.4 for w in ("bandung", "denpasar", "ende"))


def test_a_call_said_twice_is_twice_as_long_plus_the_pause():
    pack = VoicePack(default_pack_dir(), pause=0.1, chime_pause=0.5, repeat_pause=1.0)
    once = wav_duration(pack.compose_wav(call_tokens("E007", 2)))
    twice_tokens = call_tokens("E007", 2, repeat=2)
    twice = wav_duration(pack.compose_wav(twice_tokens))
    sentence = once - pack.clip_duration("chime") - 0.5
    assert twice == pytest.approx(once + 0.1 + 1.0 + sentence, abs=0.01)
    assert pack.missing(twice_tokens) == []


def test_compose_wav_converts_mixed_formats(tmp_path):
    write_wav(tmp_path / "chime.wav", sine(440, 0.5, 8000), 8000, width=1, channels=2)
    write_wav(tmp_path / "satu.wav", sine(1000, 0.25, 44100), 44100, width=3)
    write_wav(tmp_path / "dua.wav", sine(700, 0.4, 16000), 16000, width=4, channels=2)
    pack = VoicePack(tmp_path, pause=0, chime_pause=0)
    for token, seconds, freq in (("chime", 0.5, 440), ("satu", 0.25, 1000), ("dua", 0.4, 700)):
        clip = pack.clip(token)
        assert clip.size == pytest.approx(seconds * 22050, abs=1)
        assert dominant_freq(clip, 22050) == pytest.approx(freq, abs=5)
        assert np.abs(clip).max() == pytest.approx(0.5, abs=0.03)
    data = pack.compose_wav(["chime", "satu", "dua"])
    assert wav_duration(data) == pytest.approx(1.15, abs=3 / 22050)


def test_custom_output_rate(tmp_path):
    write_wav(tmp_path / "nol.wav", sine(300, 1.0, 22050), 22050)
    pack = VoicePack(tmp_path, sample_rate=16000)
    samples, rate = read_wav(pack.compose_wav(["nol", "nol"]))
    assert rate == 16000
    assert samples.size == 16000 * 2 + round(0.08 * 16000)


def test_missing_clips_reported(tmp_path):
    write_wav(tmp_path / "satu.wav", sine(300, 0.2, 22050), 22050)
    pack = VoicePack(tmp_path)
    assert pack.missing(["dua", "satu", "tiga", "dua"]) == ["dua", "tiga"]
    with pytest.raises(FileNotFoundError, match="dua, tiga"):
        pack.compose_wav(["satu", "dua", "tiga"])
    with pytest.raises(FileNotFoundError):
        pack.clip("dua")
    assert VoicePack(tmp_path / "nope").tokens() == []
    assert VoicePack(tmp_path / "nope").missing(["satu"]) == ["satu"]


def test_bad_input_rejected(tmp_path):
    (tmp_path / "rusak.wav").write_bytes(b"not a wav at all")
    pack = VoicePack(tmp_path)
    with pytest.raises(ValueError):
        pack.clip("rusak")
    with pytest.raises(ValueError):
        pack.compose_wav([])
    for token in ("../etc", "a/b", "", "dua.wav", "é"):
        with pytest.raises(ValueError):
            pack.path(token)
    with pytest.raises(ValueError):
        VoicePack(tmp_path, pause=-0.1)
    with pytest.raises(ValueError):
        VoicePack(tmp_path, sample_rate=0)
    with pytest.raises(ValueError):
        wav_duration(b"RIFF")


def test_wav_bytes_round_trip():
    samples = sine(500, 0.1, 22050, amp=0.9)
    back, rate = read_wav(wav_bytes(samples, 22050))
    assert rate == 22050
    assert np.max(np.abs(back - samples)) < 1e-4
    clipped, _ = read_wav(wav_bytes(np.array([2.0, -2.0]), 8000))
    assert clipped.tolist() == pytest.approx([32767 / 32768, -32767 / 32768])
