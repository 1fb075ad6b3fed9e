#!/usr/bin/env python3
"""Generate the default Indonesian voice pack (assets/voice/id) with espeak-ng.

For every token of ``display.voice.compose.vocabulary()`` (number words for
0..9999, letters A–Z, the phrases of the call template) the text is spoken by espeak-ng's
Indonesian voice (``espeak-ng -v id -s 140 -w out.wav TEXT``), leading and trailing
silence is trimmed with sox (``silence`` effect), the clip is converted to mono 16-bit at
22050 Hz and its loudness normalised to a common RMS level (peak capped at -1 dBFS).  The
``chime`` clip is synthesised: a two-tone gong (E5 then C5, numpy sines with harmonics,
exponential decay and short fades).

Usage (from the repository root)::

    python scripts/make_voice_pack.py                       # regenerate assets/voice/id
    python scripts/make_voice_pack.py --out build/pack --only dua --only chime
    python scripts/make_voice_pack.py --phrase "Panggilan ulang"   # extra phrase clip
    python scripts/make_voice_pack.py --template "Nomor {prefix} {number}, ke loket {counter}"

Requires the ``espeak-ng`` and ``sox`` programs (Debian packages of the same names).
Output is deterministic for a given espeak-ng version.  Exit status 0 on success, 2 on
bad arguments or a missing program, 1 if a clip could not be made.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from display.voice.compose import (  # noqa: E402
    CHIME,
    DEFAULT_TEMPLATE,
    phrase_token,
    template_phrases,
    vocabulary,
)
from display.voice.pack import DEFAULT_SAMPLE_RATE, default_pack_dir, read_wav, wav_bytes  # noqa: E402

#: RMS level (dBFS) every speech clip is normalised to; the chime sits 3 dB lower.
TARGET_RMS_DBFS = -20.0
#: Highest allowed sample peak after normalisation (dBFS).
PEAK_DBFS = -1.0
#: Fade-in/out applied to every clip's edges (seconds) so joins do not click.
EDGE_FADE_S = 0.005


def normalise(samples: np.ndarray, target_rms_dbfs: float = TARGET_RMS_DBFS) -> np.ndarray:
    """Scale ``samples`` (float, [-1, 1]) to ``target_rms_dbfs`` RMS, then lower the gain
    if the peak would exceed ``PEAK_DBFS``; silence is returned unchanged."""
    samples = np.asarray(samples, dtype=np.float64)
    rms = float(np.sqrt(np.mean(samples**2))) if samples.size else 0.0
    if rms <= 1e-6:
        return samples.astype(np.float32)
    gain = 10 ** (target_rms_dbfs / 20) / rms
    peak = float(np.max(np.abs(samples))) * gain
    ceiling = 10 ** (PEAK_DBFS / 20)
    if peak > ceiling:
        gain *= ceiling / peak
    return (samples * gain).astype(np.float32)


def fade_edges(samples: np.ndarray, rate: int, seconds: float = EDGE_FADE_S) -> np.ndarray:
    """Linear fade-in and fade-out of ``seconds`` at both ends (no-op for tiny clips)."""
    out = np.array(samples, dtype=np.float32)
    n = min(int(rate * seconds), out.size // 2)
    if n > 0:
        ramp = np.linspace(0.0, 1.0, n, dtype=np.float32)
        out[:n] *= ramp
        out[-n:] *= ramp[::-1]
    return out


def chime(rate: int = DEFAULT_SAMPLE_RATE) -> np.ndarray:
    """A two-tone "ding-dong" (E5 659.25 Hz, then C5 523.25 Hz, 0.55 s each, overlapping
    by 0.1 s) with two harmonics and exponential decay; mono float32 at ``rate`` Hz."""

    def tone(freq: float, seconds: float) -> np.ndarray:
        t = np.arange(int(rate * seconds)) / rate
        wave_ = np.sin(2 * np.pi * freq * t) + 0.35 * np.sin(4 * np.pi * freq * t) + 0.12 * np.sin(6 * np.pi * freq * t)
        return fade_edges(wave_ * np.exp(-t * 4.0), rate, 0.01)

    first, second = tone(659.25, 0.55), tone(523.25, 0.8)
    offset = int(rate * 0.45)
    out = np.zeros(offset + second.size, dtype=np.float32)
    out[: first.size] += first
    out[offset:] += second
    return normalise(out, TARGET_RMS_DBFS - 3.0)


def speak(text: str, workdir: Path, *, voice: str, speed: int, rate: int) -> np.ndarray:
    """Speak ``text`` with espeak-ng, trim silence with sox; return mono float32 at ``rate``.

    Raises ``RuntimeError`` if a program fails or nothing audible is left after trimming.
    """
    raw, trimmed = workdir / "raw.wav", workdir / "trimmed.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), text], check=True, capture_output=True)
    subprocess.run(
        [
            "sox", str(raw), "-c", "1", "-b", "16", "-r", str(rate), str(trimmed),
            "silence", "1", "0.01", "0.5%", "reverse", "silence", "1", "0.01", "0.5%", "reverse",
        ],
        check=True,
        capture_output=True,
    )
    samples, got_rate = read_wav(trimmed)
    if got_rate != rate or samples.size < rate * 0.05:
        raise RuntimeError(f"espeak-ng/sox produced no usable audio for {text!r}")
    return fade_edges(samples, rate)


#: espeak-ng speed (words per minute) of the letter clips: at 140 "e" lasts 0.24 s and is
#: easily heard as "be" or "de" (issue 18 item 11); at 90 each lasts about 0.4-0.5 s.
LETTER_SPEED = 90

#: Sample rate (Hz) of the kiosk's audio-guidance clips (``panduan_*``): long sentences,
#: kept small in the repository; speech stays clear at 16 kHz.
GUIDE_RATE = 16000


def build_pack(
    out: Path,
    clips: dict[str, str],
    *,
    voice: str = "id",
    speed: int = 140,
    rate: int = DEFAULT_SAMPLE_RATE,
) -> list[Path]:
    """Write ``<out>/<token>.wav`` for every ``{token: text}`` in ``clips`` (the chime is
    synthesised); returns the written paths.  Raises ``RuntimeError``/``CalledProcessError``
    from ``speak``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        for token, text in clips.items():
            # letter names are short ("be", "de", "e"): spoken slower so they stay apart
            pace = min(speed, LETTER_SPEED) if token.startswith("huruf_") else speed
            # the kiosk's guidance sentences are long: stored at 16 kHz (the pack resamples on load)
            clip_rate = min(rate, GUIDE_RATE) if token.startswith("panduan_") else rate
            samples = chime(rate) if token == CHIME else normalise(speak(text, Path(tmp), voice=voice, speed=pace,
                                                                          rate=clip_rate))
            path = out / f"{token}.wav"
            path.write_bytes(wav_bytes(samples, clip_rate))
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=default_pack_dir(), help="pack directory (default: assets/voice/id)")
    parser.add_argument("--template", default=DEFAULT_TEMPLATE, help="call template whose phrases get clips")
    parser.add_argument("--phrase", action="append", default=[], help="extra phrase to record (repeatable)")
    parser.add_argument("--words", default=None,
                        help="the office's own spelling words, e.g. A=Anggrek,B=Bunga (display --voice-words)")
    parser.add_argument("--only", action="append", default=[], help="make only this token (repeatable)")
    parser.add_argument("--voice", default="id", help="espeak-ng voice (default: id)")
    parser.add_argument("--speed", type=int, default=140, help="words per minute (default: 140)")
    parser.add_argument("--rate", type=int, default=DEFAULT_SAMPLE_RATE, help="sample rate in Hz (default: 22050)")
    args = parser.parse_args(argv)

    for program in ("espeak-ng", "sox"):
        if shutil.which(program) is None:
            print(f"error: {program} not found (apt-get install {program})", file=sys.stderr)
            return 2
    try:
        from display.launch import parse_spelling_words

        from kiosk.guide import guide_vocabulary

        clips = vocabulary(args.template, words=parse_spelling_words(args.words))
        clips.update(guide_vocabulary())  # the kiosk's audio guidance, one sentence per screen
        for phrase in args.phrase:
            clips.setdefault(phrase_token(phrase), phrase)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.only:
        unknown = sorted(set(args.only) - set(clips))
        if unknown:
            print(f"error: unknown token(s): {', '.join(unknown)}", file=sys.stderr)
            return 2
        clips = {token: text for token, text in clips.items() if token in args.only}
    try:
        written = build_pack(args.out, clips, voice=args.voice, speed=args.speed, rate=args.rate)
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    total = sum(p.stat().st_size for p in written)
    print(f"wrote {len(written)} clips ({total / 1024:.0f} KiB) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
