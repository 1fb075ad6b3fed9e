"""Service icons and IKM faces (kiosk.icons): every shipped service has its own icon,
unknown names fall back, and the drawings can be regenerated."""
from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from kiosk.icons import ICON_DIR, SERVICE_ICONS, draw_all, face_path, icon_path
from queue_server.config import load_office

REPO = Path(__file__).resolve().parents[2]


def test_every_shipped_service_has_its_own_icon():
    office = load_office(REPO / "assets" / "offices" / "default.toml")
    for service in office.services:
        path = icon_path(service.icon)
        assert path.name == f"{service.icon}.png" and path.is_file(), service.code


def test_unknown_or_empty_icon_falls_back_to_default():
    assert icon_path("pindah_datang") == ICON_DIR / "default.png"
    assert icon_path("") == ICON_DIR / "default.png"
    assert icon_path("KIA") == ICON_DIR / "kia.png"


def test_faces_for_the_four_ikm_answers():
    assert [face_path(v).name for v in (1, 2, 3, 4)] == ["face1.png", "face2.png", "face3.png", "face4.png"]
    with pytest.raises(ValueError):
        face_path(5)


def test_redrawn_icons_match_the_shipped_set(tmp_path):
    written = draw_all(tmp_path)
    assert sorted(p.name for p in written) == sorted([f"{n}.png" for n in SERVICE_ICONS] +
                                                     [f"face{v}.png" for v in (1, 2, 3, 4)])
    for path in written:
        drawn, shipped = Image.open(path), Image.open(ICON_DIR / path.name)
        assert drawn.size == shipped.size == (256, 256) and drawn.mode == "RGBA"
        assert drawn.getchannel("A").getextrema() == (0, 255)  # transparent background, opaque drawing
        assert list(drawn.getdata()) == list(shipped.convert("RGBA").getdata())
