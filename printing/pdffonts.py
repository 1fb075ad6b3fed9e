"""Register the shipped DejaVu Sans TTFs with reportlab (embedded in every PDF).

reportlab's built-in Helvetica is not embedded and lacks many Latin letters;
every PDF of :mod:`printing` uses these names instead.
"""
from __future__ import annotations

import threading

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from .assets import FONT_BOLD, FONT_REGULAR

FONT = "LoketSans"
FONT_BOLD_NAME = "LoketSans-Bold"

_lock = threading.Lock()
_done = False


def register_fonts() -> tuple[str, str]:
    """Register the regular and bold fonts once (thread-safe); return their names."""
    global _done
    with _lock:
        if not _done:
            pdfmetrics.registerFont(TTFont(FONT, str(FONT_REGULAR)))
            pdfmetrics.registerFont(TTFont(FONT_BOLD_NAME, str(FONT_BOLD)))
            pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD_NAME,
                                          italic=FONT, boldItalic=FONT_BOLD_NAME)
            _done = True
    return FONT, FONT_BOLD_NAME
