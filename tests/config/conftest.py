"""A small valid office file and a helper that writes edited copies to tmp_path."""
from pathlib import Path

import pytest

BASE = '''
[office]
code = "contoh"
name = "Disdukcapil Kabupaten Contoh"
regency = "Kabupaten Contoh"
timezone = "Asia/Jakarta"
photo_ratio = "3x4"

[opening_hours]
senin = "08:00-15:00"
selasa = "08:00-15:00"
rabu = "08:00-15:00"
kamis = "08:00-15:00"
jumat = "08:00-11:30"
sabtu = "tutup"
minggu = "tutup"

[queue]
normal_run = 4

[[kecamatan]]
code = "32.01.01"
name = "Cibinong"

[[kecamatan]]
code = "32.01.02"
name = "Gunung Putri"

[[services]]
code = "KIA"
name = { id = "Kartu Identitas Anak", en = "Child ID card" }
prefix = "A"
rules = "kia"
daily_quota = 50

[[services.questions]]
key = "birth_date"
kind = "date"
label = "Tanggal lahir anak"

[[services.questions]]
key = "reason"
kind = "choice"
label = "Jenis permohonan"
choices = [
  { value = "baru", label = "Baru" },
  { value = "hilang", label = { id = "Hilang", en = "Lost" } },
]

[[services.questions]]
key = "punya_hp"
kind = "bool"
label = "Punya HP?"
required = false

[[services.requirements]]
code = "akta"
label = "Fotokopi akta kelahiran"

[[services.requirements]]
code = "foto"
label = "Pas foto"
when = { kia_variant = 2 }

[[services.requirements]]
code = "surat_hilang"
label = "Surat kehilangan dari kepolisian"
when = { reason = ["hilang"] }

[[services.steps]]
code = "penerimaan"
name = "Penerimaan berkas"
role = "operator"
presence = "counter"
mutu_baku_minutes = 3
source = "SOP 000 baris 2"

[[services.steps]]
code = "verifikasi"
name = "Verifikasi"
role = "verifikator"
presence = "back_office"
mutu_baku_minutes = 5

[[services.steps]]
code = "penyerahan"
name = "Penyerahan"
role = "petugas_distribusi"
presence = "counter"

[[services]]
code = "KK"
name = "Kartu Keluarga"
prefix = "B"

[[services.steps]]
code = "pemeriksaan"
name = "Pemeriksaan"
role = "operator"
presence = "counter"
mutu_baku_minutes = 2.5

[[counters]]
code = "1"
number = 1
services = ["KK"]
steps = ["KIA:penerimaan"]

[[counters]]
code = "2"
number = 2
name = { id = "Loket Distribusi", en = "Distribution counter" }
steps = ["KIA:penyerahan"]
'''


def edited(text: str, edits) -> str:
    """Apply ``(old, new)`` replacements; each ``old`` must occur exactly once."""
    for old, new in edits:
        count = text.count(old)
        assert count == 1, f"edit target occurs {count} times: {old!r}"
        text = text.replace(old, new)
    return text


@pytest.fixture
def base_text() -> str:
    return BASE


@pytest.fixture
def write_office(tmp_path):
    """``write_office(edits=(), name="office.toml", text=None, folder=None) -> Path``."""

    def write(edits=(), name="office.toml", text=None, folder=None) -> Path:
        directory = tmp_path if folder is None else tmp_path / folder
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / name
        path.write_text(edited(BASE if text is None else text, edits), encoding="utf-8")
        return path

    return write
