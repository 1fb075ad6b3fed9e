"""The click groups handed to the integrator."""
from __future__ import annotations

import io

import pytest

from click.testing import CliRunner
from PIL import Image
from pypdf import PdfReader

from printing.card import CARD_SIZE
from printing.cli import card_group, printer_group


def test_printer_test_preview_writes_every_layout(tmp_path):
    result = CliRunner().invoke(printer_group, ["test", f"preview://{tmp_path}", "--paper", "58",
                                                "--lang", "en"])
    assert result.exit_code == 0, result.output
    pngs = sorted(tmp_path.glob("*.png"))
    assert len(pngs) == 5
    assert {p.name.split("-", 3)[3].split("-")[0] for p in pngs} == {
        "ticket", "rejection", "pickup", "handover", "ikm.png"}
    for png in pngs:
        with Image.open(png) as img:
            assert img.width == 384


def test_printer_test_reports_typed_fault():
    result = CliRunner().invoke(printer_group, ["test", "ftp://nowhere"])
    assert result.exit_code == 1
    assert "[config]" in result.output and "Pengaturan printer" in result.output


def test_printer_test_file_printer(tmp_path):
    target = tmp_path / "lp0"
    result = CliRunner().invoke(printer_group, ["test", str(target)])
    assert result.exit_code == 0, result.output
    data = target.read_bytes()
    # each job opens the device file anew (as /dev/usb/lp0 expects): the last job remains
    assert data.count(b"\x1dV") == 1 and b"Terima kasih." in data and data.endswith(b"\x1dV\x00")


def test_card_sample(tmp_path):
    out = tmp_path / "kia.pdf"
    result = CliRunner().invoke(card_group, ["sample", "--variant", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    assert len(reader.pages) == 2
    assert float(reader.pages[0].mediabox.width) == pytest.approx(CARD_SIZE[0], abs=1e-3)
    batch = tmp_path / "batch.pdf"
    result = CliRunner().invoke(card_group, ["sample", "--out", str(batch), "--batch", "3"])
    assert result.exit_code == 0, result.output
    assert len(PdfReader(io.BytesIO(batch.read_bytes())).pages) == 2


def test_printing_imports_no_server_or_gui_code():
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    code = ("import sys, printing.uri, printing.card, printing.reports, printing.xlsx, printing.cli\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'kivy', 'queue_server', 'peewee'))\n"
            "print(bad)\nsys.exit(1 if bad else 0)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
