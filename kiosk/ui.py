"""The kiosk's own widgets (styled in ``widgets.kv``), button styles and the font, shared
by the app shell and the screens."""
from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("KIVY_NO_ARGS", "1")

from kivy.core.text import LabelBase  # noqa: E402
from kivy.lang import Builder  # noqa: E402
from kivy.properties import (  # noqa: E402,E501
    BooleanProperty,
    ListProperty,
    NumericProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior  # noqa: E402
from kivy.uix.boxlayout import BoxLayout  # noqa: E402
from kivy.uix.label import Label  # noqa: E402
from kivy.uix.widget import Widget  # noqa: E402

from .theme import COLORS  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
FONT_DIR = REPO / "assets" / "fonts"


class KLabel(Label):
    """A wrapping label sized to its text."""


class KButton(ButtonBehavior, Label):
    """A large rounded button. ``kid`` names it for automation; ``bg``/``fg`` colours."""

    kid = StringProperty("")
    bg = ListProperty(COLORS["primary"])
    bg_down = ListProperty(COLORS["primary_down"])
    fg = ListProperty(COLORS["on_primary"])
    border = ListProperty(COLORS["none"])
    min_h = NumericProperty(0)


class ServiceCard(ButtonBehavior, BoxLayout):
    """A service tile: icon, name and, when greyed, the reason."""

    kid = StringProperty("")
    icon = StringProperty("")
    title = StringProperty("")
    reason = StringProperty("")
    enabled = BooleanProperty(True)


class FaceButton(ButtonBehavior, BoxLayout):
    """An IKM answer: face icon and the official wording."""

    kid = StringProperty("")
    icon = StringProperty("")
    title = StringProperty("")


class KioskRoot(BoxLayout):
    """Header (logo, office, language), the ScreenManager, the fault banner and the footer."""


def find_kid(root: Widget, kid: str) -> Widget | None:
    """The first visible widget under ``root`` whose ``kid`` is ``kid`` (None if absent)."""
    for w in root.walk(restrict=True):
        if getattr(w, "kid", None) == kid and not getattr(w, "disabled", False) and w.opacity > 0:
            return w
    return None


def _register_font() -> None:
    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if regular.is_file():
        LabelBase.register("KioskSans", str(regular), fn_bold=str(bold if bold.is_file() else regular))
    else:  # Kivy's bundled Roboto
        LabelBase.register("KioskSans", "Roboto-Regular.ttf", fn_bold="Roboto-Bold.ttf")


Builder.load_file(str(Path(__file__).with_name("widgets.kv")))

PRIMARY: dict = {}
ACCENT: dict = {}
OUTLINE: dict = {}


def restyle() -> None:
    """(Re)build the button styles from the palette in use (:func:`kiosk.theme.use_palette`)."""
    PRIMARY.update(bg=COLORS["primary"], bg_down=COLORS["primary_down"], fg=COLORS["on_primary"])
    ACCENT.update(bg=COLORS["accent"], bg_down=COLORS["accent_down"],
                  fg=COLORS["on_primary"] if COLORS["bg"][0] < 0.5 else COLORS["text"])
    OUTLINE.update(bg=COLORS["card"], bg_down=COLORS["card_down"], fg=COLORS["primary"], border=COLORS["primary"])


restyle()
