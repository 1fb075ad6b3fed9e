"""Colours of the kiosk (RGBA 0..1 for Kivy): navy on white, white on navy, amber for
the main action; body text contrast at least 7:1 (WCAG AAA). A high-contrast palette
(white and yellow on black, issue 18 item 12) can be chosen by the citizen.

:data:`COLORS` is one dict that every screen reads when it is drawn; :func:`use_palette`
changes it in place (and the button styles of :mod:`kiosk.ui`), so the next drawing of
a screen is in the new colours.
"""
from __future__ import annotations

__all__ = ["COLORS", "PALETTES", "use_palette", "hex_of"]


def _rgb(hex_: str, a: float = 1.0) -> tuple[float, float, float, float]:
    hex_ = hex_.lstrip("#")
    return tuple(int(hex_[i:i + 2], 16) / 255 for i in (0, 2, 4)) + (a,)


#: The palettes: "normal" (navy on white) and "high_contrast" (white/yellow on black;
#: every text colour ≥ 10:1 on its background).
PALETTES: dict[str, dict[str, tuple[float, float, float, float]]] = {
    "normal": {
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
    },
    "high_contrast": {
        "bg": _rgb("000000"),
        "card": _rgb("000000"),
        "card_down": _rgb("333333"),
        "disabled": _rgb("262626"),
        "primary": _rgb("FFE600"),
        "primary_down": _rgb("C7B300"),
        "on_primary": _rgb("000000"),
        "accent": _rgb("FFE600"),
        "accent_down": _rgb("C7B300"),
        "text": _rgb("FFFFFF"),
        "muted": _rgb("E0E0E0"),
        "danger": _rgb("FF8A80"),
        "ok_bg": _rgb("003300"),
        "warn_bg": _rgb("FFE600"),
        "warn_fg": _rgb("000000"),
        "none": (0, 0, 0, 0),
    },
}

#: The palette in use (mutated in place by :func:`use_palette`).
COLORS: dict[str, tuple[float, float, float, float]] = dict(PALETTES["normal"])


def use_palette(name: str) -> None:
    """Switch :data:`COLORS` (and the button styles) to palette ``name``; KeyError for an
    unknown one."""
    COLORS.update(PALETTES[name])
    from . import ui  # the styles are built from COLORS

    ui.restyle()


def hex_of(key: str) -> str:
    """A colour of the palette in use as ``RRGGBB`` (for Kivy markup ``[color=...]``)."""
    return "".join(f"{round(c * 255):02X}" for c in COLORS[key][:3])
