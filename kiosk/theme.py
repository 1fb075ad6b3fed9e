"""Colours of the kiosk (RGBA 0..1 for Kivy): navy on white, white on navy, amber for
the main action; body text contrast at least 7:1 (WCAG AAA)."""
from __future__ import annotations

__all__ = ["COLORS"]


def _rgb(hex_: str, a: float = 1.0) -> tuple[float, float, float, float]:
    hex_ = hex_.lstrip("#")
    return tuple(int(hex_[i:i + 2], 16) / 255 for i in (0, 2, 4)) + (a,)


#: Palette (contrast of text on its background ≥ 7:1 for body text, WCAG AAA).
COLORS = {
    "bg": _rgb("F3F6FB"),
    "card": _rgb("FFFFFF"),
    "card_down": _rgb("DCE6F7"),
    "disabled": _rgb("E4E7EC"),
    "primary": _rgb("0B3D91"),
    "primary_down": _rgb("072A66"),
    "on_primary": _rgb("FFFFFF"),
    "accent": _rgb("FFB300"),
    "accent_down": _rgb("E09A00"),
    "text": _rgb("0F1B33"),
    "muted": _rgb("5A6478"),
    "danger": _rgb("B00020"),
    "ok_bg": _rgb("E3F2E6"),
    "warn_bg": _rgb("FFE9A8"),
    "warn_fg": _rgb("3D2A00"),
    "none": (0, 0, 0, 0),
}
