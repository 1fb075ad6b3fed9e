"""Paths of the shipped assets used by printing (fonts, default logo).

Fonts: DejaVu Sans / Sans Mono (Bitstream Vera licence, ``assets/fonts/LICENSE-DejaVu.txt``).
The default logo is a neutral placeholder each office replaces (``assets/logo/README.txt``).
"""
from __future__ import annotations

from pathlib import Path

ASSETS = Path(__file__).resolve().parent.parent / "assets"
FONTS = ASSETS / "fonts"
FONT_REGULAR = FONTS / "DejaVuSans.ttf"
FONT_BOLD = FONTS / "DejaVuSans-Bold.ttf"
FONT_MONO = FONTS / "DejaVuSansMono.ttf"
FONT_MONO_BOLD = FONTS / "DejaVuSansMono-Bold.ttf"
DEFAULT_LOGO = ASSETS / "logo" / "dukcapil_placeholder.png"
