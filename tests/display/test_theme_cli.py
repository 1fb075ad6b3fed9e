"""Theme files, helper formatting and the ``loket display`` command line."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from display.cli import COMMANDS, display_cmd
from display.theme import TEXTS, Theme, format_wait, hex_to_rgba, service_label


def test_default_theme_uses_shipped_fonts_and_logo():
    t = Theme()
    assert t.font.is_file() and t.font_bold.is_file() and t.logo.is_file()
    assert t.texts["called"] == "NOMOR DIPANGGIL" and set(TEXTS["id"]) == set(TEXTS["en"])


def test_theme_file_sets_colours_and_layout(tmp_path):
    (tmp_path / "logo.png").write_bytes(b"")
    path = tmp_path / "aula2.toml"
    path.write_text('[colors]\naccent = "#00AA55"\n[display]\nhistory = 3\norientation = "portrait"\n'
                    'logo = "logo.png"\nlanguage = "en"\n', encoding="utf-8")
    t = Theme.load(path)
    assert t.colors.accent == "#00AA55" and t.colors.rgba("accent") == hex_to_rgba("#00AA55")
    assert (t.history, t.orientation, t.language) == (3, "portrait", "en")
    assert t.logo == (tmp_path / "logo.png").resolve()
    assert Theme.load(path, language="id").language == "id"


@pytest.mark.parametrize("text, message", [
    ('[colors]\naccent = "green"\n', "#RRGGBB"),
    ('[colors]\naksen = "#00AA55"\n', "unknown colours"),
    ('[display]\nhistory = 20\n', "history"),
    ('[display]\norientation = "diagonal"\n', "orientation"),
    ('[layar]\nx = 1\n', "unknown theme sections"),
])
def test_bad_theme_files_are_refused(tmp_path, text, message):
    path = tmp_path / "t.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        Theme.load(path)


def test_wait_formatting():
    t = TEXTS["id"]
    assert format_wait(0, t) == "tidak ada antrean"
    assert format_wait(59, t) == "± 1 menit" and format_wait(61, t) == "± 2 menit"
    assert format_wait(31 * 60 + 1, t) == "± 35 menit"
    assert format_wait(90, TEXTS["en"]) == "± 2 min"
    assert format_wait(600, t, short=True) == "± 10 mnt" and format_wait(0, t, short=True) == "—"
    assert service_label("AKTA_LAHIR") == "AKTA LAHIR"


def test_cli_is_mounted_and_validates_options(tmp_path):
    assert display_cmd in COMMANDS
    runner = CliRunner()
    result = runner.invoke(display_cmd, ["--help"])
    assert result.exit_code == 0 and "--services" in result.output and "--fullscreen" in result.output
    result = runner.invoke(display_cmd, ["--server", "http://127.0.0.1:9", "--token", "x", "--size", "big"])
    assert result.exit_code == 2 and "1920x1080" in result.output
    bad = tmp_path / "t.toml"
    bad.write_text('[colors]\naccent = "hijau"\n', encoding="utf-8")
    result = runner.invoke(display_cmd, ["--server", "http://127.0.0.1:9", "--token", "x", "--theme", str(bad)])
    assert result.exit_code == 2 and "#RRGGBB" in result.output
