"""Colours, fonts and texts of the waiting-room screen, configurable per office
(issue 6 §1 "colours and layout configurable per office").

A theme file is TOML with an optional ``[colors]`` table of ``"#RRGGBB"`` values and
optional ``[display]`` keys (``language`` "id"/"en", ``logo`` path, ``history`` number
of previous calls shown, ``orientation`` "auto"/"landscape"/"portrait",
``flash_seconds``, ``ticker_fps``)::

    [colors]
    background = "#0B1F3A"
    accent = "#FFC629"

    [display]
    history = 6
    orientation = "auto"

Unknown keys are errors (``ValueError``), so a typo does not pass silently.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

__all__ = ["TEXTS", "Theme", "default_font_dir", "default_logo", "format_wait", "hex_to_rgba", "service_label"]

_HEX = re.compile(r"#[0-9A-Fa-f]{6}")


def default_font_dir() -> Path:
    """``<repo>/assets/fonts`` (DejaVu Sans, shipped with the printing package)."""
    return Path(__file__).resolve().parents[1] / "assets" / "fonts"


def default_logo() -> Path:
    """``<repo>/assets/logo/dukcapil_placeholder.png`` (offices replace it)."""
    return Path(__file__).resolve().parents[1] / "assets" / "logo" / "dukcapil_placeholder.png"


def hex_to_rgba(value: str, alpha: float = 1.0) -> tuple[float, float, float, float]:
    """``"#RRGGBB"`` -> (r, g, b, a) floats in 0..1. Raises ValueError otherwise."""
    if not isinstance(value, str) or not _HEX.fullmatch(value):
        raise ValueError(f"colour must be '#RRGGBB', got {value!r}")
    return (int(value[1:3], 16) / 255, int(value[3:5], 16) / 255, int(value[5:7], 16) / 255, alpha)


@dataclass(frozen=True)
class Colors:
    """Screen colours as ``#RRGGBB``: page ``background``, ``header`` bar, ``panel``
    (tiles), ``text``, ``muted`` (secondary text), ``accent`` (the latest call and
    numbers), ``accent_text`` (text on accent), ``alert`` / ``alert_text`` (TERPUTUS
    banner), ``ticker`` / ``ticker_text`` (running text)."""

    background: str = "#0A1A33"
    header: str = "#0F2A52"
    panel: str = "#15386B"
    text: str = "#FFFFFF"
    muted: str = "#A8BEDD"
    accent: str = "#FFC62B"
    accent_text: str = "#0A1A33"
    alert: str = "#C8102E"
    alert_text: str = "#FFFFFF"
    ticker: str = "#FFC62B"
    ticker_text: str = "#0A1A33"

    def rgba(self, name: str) -> tuple[float, float, float, float]:
        """The colour ``name`` as an RGBA tuple (Kivy)."""
        return hex_to_rgba(getattr(self, name))


#: Screen texts in Bahasa Indonesia (default) and English.
TEXTS = {
    "id": {"called": "NOMOR DIPANGGIL", "counter": "LOKET", "counters": "Loket", "history": "Panggilan sebelumnya",
           "waiting": "Menunggu", "people": "orang", "wait_est": "± {minutes} menit",
           "wait_est_short": "± {minutes} mnt", "no_wait": "tidak ada antrean",
           "free": "—", "none_yet": "Belum ada panggilan", "disconnected": "TERPUTUS dari server — menyambung kembali…",
           "connecting": "Menghubungkan ke server antrean…", "since": "sejak {time}"},
    "en": {"called": "NOW CALLING", "counter": "COUNTER", "counters": "Counters", "history": "Previous calls",
           "waiting": "Waiting", "people": "people", "wait_est": "± {minutes} min",
           "wait_est_short": "± {minutes} min", "no_wait": "no queue",
           "free": "—", "none_yet": "No calls yet", "disconnected": "DISCONNECTED from the server — reconnecting…",
           "connecting": "Connecting to the queue server…", "since": "since {time}"},
}


@dataclass(frozen=True)
class Theme:
    """Everything configurable about the look: ``colors``, ``language`` ("id"/"en"),
    ``logo`` (PNG path), ``history`` (previous calls shown, 0..8), ``orientation``
    ("auto" picks by window shape), ``flash_seconds`` (how long a new call flashes),
    ``ticker_fps`` (running-text updates per second; 0 keeps it still, which saves
    CPU on PCs without a graphics chip), ``font`` / ``font_bold`` (TTF paths)."""

    colors: Colors = field(default_factory=Colors)
    language: str = "id"
    logo: Path = field(default_factory=default_logo)
    history: int = 6
    orientation: str = "auto"
    flash_seconds: float = 6.0
    ticker_fps: float = 30.0
    font: Path = field(default_factory=lambda: default_font_dir() / "DejaVuSans.ttf")
    font_bold: Path = field(default_factory=lambda: default_font_dir() / "DejaVuSans-Bold.ttf")

    def __post_init__(self) -> None:
        for f in fields(Colors):
            hex_to_rgba(getattr(self.colors, f.name))
        if self.language not in TEXTS:
            raise ValueError(f"language must be one of {sorted(TEXTS)}, got {self.language!r}")
        if not 0 <= self.history <= 8:
            raise ValueError(f"history must be 0..8, got {self.history!r}")
        if self.orientation not in ("auto", "landscape", "portrait"):
            raise ValueError(f"orientation must be auto, landscape or portrait, got {self.orientation!r}")
        if not self.flash_seconds >= 0:
            raise ValueError("flash_seconds must be >= 0")
        if not 0 <= self.ticker_fps <= 60:
            raise ValueError("ticker_fps must be 0..60 (0: running text does not move)")

    @property
    def texts(self) -> dict[str, str]:
        """The screen texts in this theme's language."""
        return TEXTS[self.language]

    @classmethod
    def load(cls, path: str | Path | None = None, **overrides) -> "Theme":
        """Read a theme TOML file (None: defaults), then apply ``overrides``.
        Raises ValueError for unknown keys or bad values, OSError if unreadable."""
        data: dict = {}
        if path is not None:
            with open(path, "rb") as fh:
                data = tomllib.load(fh)
        unknown = set(data) - {"colors", "display"}
        if unknown:
            raise ValueError(f"unknown theme sections: {sorted(unknown)}")
        colors = data.get("colors", {})
        bad = set(colors) - {f.name for f in fields(Colors)}
        if bad:
            raise ValueError(f"unknown colours: {sorted(bad)}")
        display = dict(data.get("display", {}))
        allowed = {"language", "logo", "history", "orientation", "flash_seconds", "ticker_fps", "font", "font_bold"}
        bad = set(display) - allowed
        if bad:
            raise ValueError(f"unknown display keys: {sorted(bad)}")
        base = Path(path).resolve().parent if path is not None else Path.cwd()
        for key in ("logo", "font", "font_bold"):
            if key in display:
                display[key] = (base / display[key]).resolve()
        theme = cls(colors=Colors(**colors), **display)
        return replace(theme, **{k: v for k, v in overrides.items() if v is not None}) if overrides else theme


def service_label(code: str) -> str:
    """Service code as shown on tiles: ``"AKTA_LAHIR"`` -> ``"AKTA LAHIR"``."""
    return code.replace("_", " ")


def format_wait(seconds: int, texts: dict[str, str], *, short: bool = False) -> str:
    """An estimated wait for people: ``"± 12 menit"`` (``short``: ``"± 12 mnt"``, for
    narrow tiles), at least 1 minute, rounded up to whole minutes (to 5 minutes above
    30); the "no queue" text for 0 (``short``: "—")."""
    if seconds <= 0:
        return texts["free"] if short else texts["no_wait"]
    minutes = max(1, -(-seconds // 60))
    if minutes > 30:
        minutes = -(-minutes // 5) * 5
    return texts["wait_est_short" if short else "wait_est"].format(minutes=minutes)
