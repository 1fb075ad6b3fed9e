"""Service icons and IKM faces of the kiosk, drawn with Pillow (no downloaded artwork).

The PNGs ship in ``assets/kiosk/icons/`` (``<icon>.png`` for a service's ``icon`` name
in the office file, ``default.png`` as the fallback, ``face1..face4.png`` for the IKM
answers 1..4). ``python -m kiosk.icons`` redraws them all.
"""
from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

__all__ = ["ICON_DIR", "icon_path", "face_path", "draw_all", "SERVICE_ICONS"]

ICON_DIR = Path(__file__).resolve().parents[1] / "assets" / "kiosk" / "icons"
SIZE = 256
NAVY = (11, 61, 145, 255)
YELLOW = (255, 179, 0, 255)
WHITE = (255, 255, 255, 255)
SKIN = (246, 200, 160, 255)
GREY = (120, 130, 150, 255)

#: Icon names drawn here (the ``icon`` field of the shipped office files).
SERVICE_ICONS = ("kia", "kk", "ikd", "ktpel", "akta_lahir", "default")


def icon_path(name: str) -> Path:
    """The PNG for a service ``icon`` name, or ``default.png`` when none was drawn."""
    candidate = ICON_DIR / f"{(name or '').strip().lower()}.png"
    return candidate if name and candidate.is_file() else ICON_DIR / "default.png"


def face_path(value: int) -> Path:
    """The face PNG for an IKM answer ``value`` 1..4 (ValueError otherwise)."""
    if value not in (1, 2, 3, 4):
        raise ValueError("IKM answers are 1..4")
    return ICON_DIR / f"face{value}.png"


def _canvas() -> tuple[Image.Image, ImageDraw.ImageDraw]:
    img = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    return img, ImageDraw.Draw(img)


def _person(d: ImageDraw.ImageDraw, cx: int, top: int, scale: float, body=NAVY) -> None:
    r = int(22 * scale)
    d.ellipse([cx - r, top, cx + r, top + 2 * r], fill=SKIN, outline=body, width=max(2, int(4 * scale)))
    w = int(38 * scale)
    d.rounded_rectangle([cx - w, top + 2 * r + int(6 * scale), cx + w, top + 2 * r + int(80 * scale)],
                        radius=int(22 * scale), fill=body)


def _card(d: ImageDraw.ImageDraw, box, fill=WHITE) -> None:
    d.rounded_rectangle(box, radius=18, fill=fill, outline=NAVY, width=10)


def _lines(d: ImageDraw.ImageDraw, x0: int, y0: int, x1: int, n: int, gap: int) -> None:
    for i in range(n):
        d.rounded_rectangle([x0, y0 + i * gap, x1 - (i % 2) * 30, y0 + i * gap + 12], radius=6, fill=GREY)


def draw_kia() -> Image.Image:
    img, d = _canvas()
    _card(d, [14, 54, 242, 202])
    d.rectangle([14, 54, 242, 84], fill=NAVY)
    _person(d, 70, 98, 0.8, body=YELLOW)
    _lines(d, 120, 110, 224, 4, 22)
    return img


def draw_kk() -> Image.Image:
    img, d = _canvas()
    _person(d, 72, 40, 1.15)
    _person(d, 184, 40, 1.15, body=(200, 60, 80, 255))
    _person(d, 128, 120, 0.8, body=YELLOW)
    return img


def draw_ikd() -> Image.Image:
    img, d = _canvas()
    d.rounded_rectangle([66, 12, 190, 244], radius=22, fill=NAVY)
    d.rounded_rectangle([78, 36, 178, 210], radius=6, fill=WHITE)
    # a QR-like pattern on the screen
    cell = 10
    pattern = ["1110111", "1010101", "1110111", "0001000", "1110101", "1010011", "1110110"]
    for r, row in enumerate(pattern):
        for c, bit in enumerate(row):
            if bit == "1":
                d.rectangle([93 + c * cell, 86 + r * cell, 93 + c * cell + cell - 1, 86 + r * cell + cell - 1],
                            fill=NAVY)
    d.ellipse([120, 220, 136, 236], fill=WHITE)
    return img


def draw_ktpel() -> Image.Image:
    img, d = _canvas()
    _card(d, [10, 50, 246, 206], fill=(225, 236, 255, 255))
    _person(d, 186, 84, 0.85)
    _lines(d, 30, 92, 140, 4, 24)
    d.rectangle([30, 176, 90, 190], fill=YELLOW)
    return img


def draw_akta_lahir() -> Image.Image:
    img, d = _canvas()
    d.rounded_rectangle([46, 14, 210, 242], radius=14, fill=WHITE, outline=NAVY, width=10)
    d.ellipse([98, 40, 158, 100], fill=SKIN, outline=NAVY, width=6)
    d.pieslice([88, 92, 168, 160], 180, 360, fill=YELLOW)
    _lines(d, 72, 168, 186, 2, 26)
    d.ellipse([150, 196, 196, 242], fill=(200, 60, 80, 255))
    return img


def draw_default() -> Image.Image:
    img, d = _canvas()
    d.polygon([(56, 14), (166, 14), (210, 58), (210, 242), (56, 242)], fill=WHITE, outline=NAVY)
    d.line([(56, 14), (166, 14), (210, 58), (210, 242), (56, 242), (56, 14)], fill=NAVY, width=10)
    d.polygon([(166, 14), (166, 58), (210, 58)], fill=NAVY)
    _lines(d, 80, 90, 188, 5, 28)
    return img


def draw_face(value: int) -> Image.Image:
    """A face for IKM answer 1 (very unhappy, red) .. 4 (very happy, green)."""
    colours = {1: (211, 47, 47, 255), 2: (245, 124, 0, 255), 3: (124, 179, 66, 255), 4: (46, 125, 50, 255)}
    img, d = _canvas()
    d.ellipse([12, 12, 244, 244], fill=colours[value])
    d.ellipse([76, 80, 106, 116], fill=WHITE)
    d.ellipse([150, 80, 180, 116], fill=WHITE)
    box = [70, 136, 186, 206]
    if value == 1:
        d.arc([70, 160, 186, 250], 200, 340, fill=WHITE, width=14)
    elif value == 2:
        d.line([(82, 184), (174, 172)], fill=WHITE, width=14)
    elif value == 3:
        d.arc([70, 110, 186, 196], 25, 155, fill=WHITE, width=14)
    else:
        d.pieslice(box, 0, 180, fill=WHITE)
    return img


def draw_all(folder: Path = ICON_DIR) -> list[Path]:
    """Draw every icon into ``folder`` (created); returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    drawings = {"kia": draw_kia, "kk": draw_kk, "ikd": draw_ikd, "ktpel": draw_ktpel,
                "akta_lahir": draw_akta_lahir, "default": draw_default}
    out = []
    for name, fn in drawings.items():
        path = folder / f"{name}.png"
        fn().save(path, optimize=True)
        out.append(path)
    for v in (1, 2, 3, 4):
        path = folder / f"face{v}.png"
        draw_face(v).save(path, optimize=True)
        out.append(path)
    return out


if __name__ == "__main__":  # pragma: no cover - maintenance command
    for p in draw_all():
        print(p)
