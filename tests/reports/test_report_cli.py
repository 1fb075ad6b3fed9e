"""``loket report`` in a separate process on the data directory of a known day, and
the first page of the daily recap rasterised with poppler's pdftoppm."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook
from PIL import Image

from queue_server.db.models import db

REPO = Path(__file__).resolve().parents[2]


def run_report(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "loket.cli", "report", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


def test_loket_report_writes_the_files_and_prints_the_summary(day, data_dir, tmp_path):
    if not db.is_closed():
        db.close()
    out = tmp_path / "out"
    r = run_report("--date", "2026-11-23", "--data-dir", str(data_dir), "--out", str(out))
    assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([f"{kind}-paser-2026-11-23.{ext}" for kind in ("rekap-harian", "rekap-distribusi",
                                                                           "register-kia") for ext in ("pdf", "xlsx")]
                           + ["rekap-harian-paser-2026-11-23.json"])
    text = r.stdout
    assert "Nomor antrean: 3  tidak hadir: 1  belum selesai: 0  berkas dikembalikan: 1  dokumen belum diambil: 1" in text
    assert "KIA           3 nomor  tunggu p50 5.0 / p90 5.8 menit  layanan p50 1.0 / p90 8.0 menit" in text
    assert "Langkah SOP paling terlambat: KIA verifikasi — 1 dari 1 berkas melewati mutu baku" in text
    assert "IKM: 87.50 mutu B (Baik), 2 responden" in text
    assert "Kebutuhan loket 2026-11-24 (rata-rata tunggu ≤ 15 menit, Erlang C M/M/c):" in text
    assert "KIA        puncak 1 loket (layanan rata-rata 7.5 menit, measured): 09:00 1" in text
    body = json.loads((out / "rekap-harian-paser-2026-11-23.json").read_text(encoding="utf-8"))
    assert body["report"]["no_shows"] == 1 and body["staffing"]["services"][0]["peak_counters"] == 1
    wb = load_workbook(out / "rekap-harian-paser-2026-11-23.xlsx")
    assert list(wb["Waktu"].iter_rows(min_row=2, values_only=True)) == [("KIA", 3, 5.0, 5.8, 1.0, 8.0)]

    # page 1 of the daily recap as PNG (60 dpi), as a person would look at it
    png_root = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", "-singlefile",
                    str(out / "rekap-harian-paser-2026-11-23.pdf"), str(png_root)], check=True, timeout=60)
    with Image.open(f"{png_root}.png") as img:
        width, height = img.size  # A4 portrait at 60 dpi: 496 x 702 points, rounded by poppler
        assert abs(width - 496) <= 1 and abs(height - 702) <= 1
        gray = img.convert("L")
        assert gray.getextrema()[0] < 80  # text and bars, not a blank page
    if os.environ.get("LOKET_KEEP_SCREENSHOT"):
        shutil.copyfile(f"{png_root}.png", os.environ["LOKET_KEEP_SCREENSHOT"])


def test_loket_report_refuses_bad_input(data_dir, tmp_path, app):
    if not db.is_closed():
        db.close()
    r = run_report("--date", "2026-13-01", "--data-dir", str(data_dir), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "is not a date" in r.stderr
    r = run_report("--date", "2026-11-23", "--format", "docx", "--data-dir", str(data_dir))
    assert r.returncode == 2 and "unknown format" in r.stderr
    r = run_report("--date", "2026-11-23", "--office", "nowhere", "--data-dir", str(data_dir))
    assert r.returncode == 2 and "unknown office" in r.stderr
    r = run_report("--date", "2026-11-23", "--data-dir", str(tmp_path / "empty"))
    assert r.returncode == 1


def test_loket_report_without_a_date_reports_the_offices_today(data_dir, tmp_path, app):
    """#18 item 5: ``loket report`` defaults to today in the office's zone (WITA for Paser)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    if not db.is_closed():
        db.close()
    before = datetime.now(ZoneInfo("Asia/Makassar")).date()
    out = tmp_path / "today"
    r = run_report("--data-dir", str(data_dir), "--out", str(out), "--format", "json")
    after = datetime.now(ZoneInfo("Asia/Makassar")).date()
    assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names in ([f"rekap-harian-paser-{d.isoformat()}.json"] for d in (before, after))
