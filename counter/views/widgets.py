"""Widgets and helpers shared by the station's views (styles in ``counter/counter.kv``)."""
from __future__ import annotations

from kivy.graphics.texture import Texture
from kivy.metrics import sp as _kivy_sp
from kivy.properties import BooleanProperty, ListProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.uix.spinner import Spinner
from kivy.uix.textinput import TextInput
from kivy.uix.togglebutton import ToggleButton

NOTICE_COLOURS = {"info": (0.16, 0.38, 0.55, 1), "success": (0.18, 0.55, 0.34, 1),
                  "warning": (0.80, 0.50, 0.04, 1), "error": (0.75, 0.22, 0.17, 1)}
RED, AMBER, GREEN = (0.75, 0.22, 0.17, 1), (0.75, 0.45, 0.02, 1), (0.18, 0.55, 0.34, 1)

#: Type and spacing scale: 1.0 at 1366 px wide, larger on bigger screens (1920 → 1.4).
SCALE = [1.0]


def sp(value: float) -> float:
    """Kivy ``sp`` times the window scale (set when the window opens)."""
    return _kivy_sp(value) * SCALE[0]


class SLabel(Label):
    """A wrapping label in the station's font."""


class Muted(SLabel):
    """Secondary text."""


class Heading(SLabel):
    """A card's title."""


class BigNumber(SLabel):
    """The number being served."""


class Card(BoxLayout):
    """A white panel."""


class Btn(Button):
    """The main action button."""


class Ghost(Btn):
    """A secondary action button."""


class Danger(Btn):
    """A button for an action that gives something back or ends it."""


class Tab(Button):
    """A mode tab in the header."""

    active = BooleanProperty(False)


class Tick(ToggleButton):
    """A toggle (checklist item, selection)."""


class Field(TextInput):
    """A one-line input."""


class Choice(Spinner):
    """A drop-down choice."""


class Row(BoxLayout):
    """A horizontal row of controls."""


class NoticeBar(BoxLayout):
    """The notice line under the header (fixed height: a notice never moves the layout)."""

    text = StringProperty("")
    bg = ListProperty([0.16, 0.38, 0.55, 1])


class Header(BoxLayout):
    """The header with the office, the mode tabs and the officer."""


class LoginView(BoxLayout):
    """The login screen's background."""


def minutes(seconds, lang: str = "id") -> str:
    """``seconds`` as "12 mnt" / "1 j 5 mnt" ("min" / "h" in English); "-" for None."""
    if seconds is None:
        return "-"
    m = int(seconds // 60)
    unit_h, unit_m = ("h", "min") if lang == "en" else ("j", "mnt")
    return f"{m // 60} {unit_h} {m % 60} {unit_m}" if m >= 60 else f"{m} {unit_m}"


def scroll_of(content: BoxLayout) -> ScrollView:
    """Wrap a vertical BoxLayout in a ScrollView (content grows with its children)."""
    content.size_hint_y = None
    content.bind(minimum_height=content.setter("height"))
    sv = ScrollView(do_scroll_x=False, bar_width=sp(6), bar_color=(0.06, 0.3, 0.36, 0.6),
                    bar_inactive_color=(0.06, 0.3, 0.36, 0.25), scroll_type=["bars", "content"])
    sv.add_widget(content)
    return sv


def vbox(**kw) -> BoxLayout:
    """A vertical BoxLayout with the station's spacing."""
    return BoxLayout(orientation="vertical", spacing=kw.pop("spacing", sp(8)), **kw)


def bgr_texture(frame):
    """A Kivy texture from a BGR uint8 frame (rows flipped: GL's origin is bottom-left)."""
    h, w = frame.shape[:2]
    tex = Texture.create(size=(w, h), colorfmt="bgr")
    tex.blit_buffer(frame[::-1].tobytes(), colorfmt="bgr", bufferfmt="ubyte")
    return tex


def jpeg_texture(data: bytes):
    """A Kivy texture from JPEG bytes."""
    import cv2
    import numpy as np
    frame = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    return bgr_texture(frame)
