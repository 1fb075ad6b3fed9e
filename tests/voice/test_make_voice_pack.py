"""The espeak-ng pack generator (scripts/make_voice_pack.py)."""

import importlib.util
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from display.voice.pack import VoicePack, read_wav

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "make_voice_pack.py"


@pytest.fixture(scope="module")
def maker():
    spec = importlib.util.spec_from_file_location("make_voice_pack", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rms_dbfs(samples):
    return 20 * np.log10(np.sqrt(np.mean(np.asarray(samples, dtype=np.float64) ** 2)))


def test_generates_requested_clips_trimmed_and_normalised(maker, tmp_path, capsys):
    out = tmp_path / "pack"
    assert maker.main(["--out", str(out), "--only", "dua", "--only", "huruf_b", "--only", "chime",
                       "--phrase", "Panggilan ulang", "--only", "panggilan_ulang"]) == 0
    assert "wrote 4 clips" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == ["chime.wav", "dua.wav", "huruf_b.wav", "panggilan_ulang.wav"]
    for name in ("dua", "huruf_b", "panggilan_ulang"):
        with wave.open(str(out / f"{name}.wav"), "rb") as wav:
            assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 22050)
        samples, rate = read_wav(out / f"{name}.wav")
        raw = subprocess.run(["espeak-ng", "-v", "id", "-s", "140", "--stdout", {"huruf_b": "be"}.get(name, name.replace("_", " "))],
                             capture_output=True, check=True).stdout
        raw_samples, raw_rate = read_wav(raw)
        assert raw_rate == rate
        assert samples.size < raw_samples.size - 0.1 * rate  # silence trimmed
        assert samples.size > 0.1 * rate
        assert rms_dbfs(samples) == pytest.approx(maker.TARGET_RMS_DBFS, abs=1.5)
        assert np.abs(samples).max() <= 10 ** (maker.PEAK_DBFS / 20) + 1e-3
    assert VoicePack(out).missing(["chime", "dua", "huruf_b", "panggilan_ulang"]) == []


def test_template_option_adds_its_phrases(maker, tmp_path):
    out = tmp_path / "pack"
    assert maker.main(["--out", str(out), "--template", "Nomor {prefix} {number}, ke loket {counter}",
                       "--only", "ke_loket", "--only", "nomor"]) == 0
    assert sorted(p.stem for p in out.iterdir()) == ["ke_loket", "nomor"]


def test_bad_arguments(maker, tmp_path, capsys):
    assert maker.main(["--out", str(tmp_path), "--only", "gajah"]) == 2
    assert "unknown token" in capsys.readouterr().err
    assert maker.main(["--out", str(tmp_path), "--template", "{tiket}"]) == 2
    assert maker.main(["--out", str(tmp_path), "--phrase", "!!"]) == 2
    assert list(tmp_path.iterdir()) == []


def test_chime_is_two_tones_with_fades(maker):
    rate = 22050
    samples = maker.chime(rate)
    assert 1.0 < samples.size / rate < 1.5
    assert abs(samples[0]) < 1e-3 and abs(samples[-1]) < 1e-3

    def peak_freq(part):
        spectrum = np.abs(np.fft.rfft(part * np.hanning(part.size)))
        return np.fft.rfftfreq(part.size, 1 / rate)[np.argmax(spectrum)]

    assert peak_freq(samples[: int(0.4 * rate)]) == pytest.approx(659.25, abs=5)
    assert peak_freq(samples[int(0.6 * rate):]) == pytest.approx(523.25, abs=5)
    assert rms_dbfs(samples) <= maker.TARGET_RMS_DBFS - 2.5


def test_normalise_caps_peak_and_leaves_silence(maker):
    quiet = np.full(1000, 0.001)
    assert rms_dbfs(maker.normalise(quiet)) == pytest.approx(maker.TARGET_RMS_DBFS, abs=0.01)
    spike = np.zeros(1000)
    spike[10] = 0.01
    assert np.abs(maker.normalise(spike)).max() == pytest.approx(10 ** (maker.PEAK_DBFS / 20), rel=1e-4)
    assert not maker.normalise(np.zeros(100)).any()


def test_runs_as_a_script(tmp_path):
    result = subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path), "--only", "tiga"],
                            capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "tiga.wav").is_file()
