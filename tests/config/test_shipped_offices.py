"""The shipped office files load and reproduce the seed SOPs (SOP 000-004, the customers' documents)."""
import csv
import warnings
from pathlib import Path

import pytest

from queue_server.config import default_office_dir, load_office, load_offices
from queue_server.domain.office import PRESENCE_BACK_OFFICE, PRESENCE_COUNTER

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="module")
def offices():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the shipped files are warning-free (WITA)
        return {o.code: o for o in load_offices(default_office_dir())}


@pytest.fixture(scope="module")
def paser(offices):
    return offices["paser"]


def steps(service):
    return [(s.code, s.role, s.presence, s.mutu_baku_minutes) for s in service.steps]


def test_default_dir_holds_the_shipped_files():
    directory = default_office_dir()
    assert (directory / "default.toml").is_file()
    assert load_office(directory / "default.toml").code == "paser"


def test_two_offices_dinas_and_uptd(offices):
    assert sorted(offices) == ["paser", "paser-tanah-grogot"]
    uptd = offices["paser-tanah-grogot"]
    assert uptd.parent == "paser"
    assert offices["paser"].pickup_offices == ("paser-tanah-grogot",)


def test_paser_office(paser):
    assert paser.name == "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Paser"
    assert paser.timezone == "Asia/Makassar" and paser.zone_abbreviation == "WITA"
    hours = [(d.opens.strftime("%H:%M"), d.closes.strftime("%H:%M")) if d.is_open_day else None
             for d in paser.opening_hours]
    assert hours == [("08:00", "15:00")] * 4 + [("08:00", "11:30"), None, None]
    assert "CONTOH" in paser.head_name  # the placeholder is visibly an example
    assert paser.photo_ratio == "4x6"
    assert [(s.code, s.prefix) for s in paser.services] == [
        ("KIA", "A"), ("KK", "B"), ("IKD", "C"), ("KTPEL", "D"), ("AKTA_LAHIR", "E"),
    ]


def test_paser_kecamatan_match_kemendagri_codes(paser):
    with open(FIXTURES / "kode_wilayah_sample.csv", encoding="utf-8", newline="") as handle:
        rows = {r["kode"]: r["nama"] for r in csv.DictReader(handle)
                if r["level"] == "kecamatan" and r["kode"].startswith("64.01.")}
    assert {k.code: k.name for k in paser.kecamatan} == rows
    assert len(rows) == 10


def test_kia_follows_sop_000(paser):
    kia = paser.service("KIA")
    assert kia.rules == "kia" and kia.icon == "kia"
    assert steps(kia) == [
        ("penerimaan", "operator", PRESENCE_COUNTER, 3.0),
        ("foto", "operator", PRESENCE_COUNTER, 5.0),
        ("verifikasi", "verifikator", PRESENCE_BACK_OFFICE, 5.0),
        ("tte", "pejabat_tte", PRESENCE_BACK_OFFICE, 3.0),
        ("cetak", "petugas_cetak", PRESENCE_BACK_OFFICE, 5.0),
        ("register", "petugas_cetak", PRESENCE_BACK_OFFICE, 1.0),
        ("penyerahan", "petugas_distribusi", PRESENCE_COUNTER, 1.0),
    ]
    assert [kia.step(c).source for c in ("verifikasi", "tte", "cetak", "register", "penyerahan")] == [
        f"SOP 000 baris {n}" for n in range(3, 8)
    ]
    assert kia.step("foto").when.as_dict() == {"kia_variant": [2]}
    assert [c.value for c in kia.question("reason").choices] == ["baru", "hilang", "rusak", "pindah_datang"]


@pytest.mark.parametrize("facts,expected", [
    ({"kia_variant": 1, "reason": "baru"}, ["akta_kelahiran", "kk_orang_tua"]),
    ({"kia_variant": 2, "reason": "baru"}, ["akta_kelahiran", "kk_orang_tua", "pas_foto"]),
    ({"kia_variant": 1, "reason": "hilang"}, ["akta_kelahiran", "kk_orang_tua", "surat_kehilangan"]),
    ({"kia_variant": 2, "reason": "pindah_datang"}, ["akta_kelahiran", "kk_orang_tua", "pas_foto", "skpwni"]),
])
def test_kia_requirements_by_conditions(paser, facts, expected):
    kia = paser.service("KIA")
    assert [r.code for r in kia.requirements if r.when.matches(facts)] == expected


def test_kk_follows_sop_003(paser):
    kk = paser.service("KK")
    assert steps(kk) == [
        ("pemeriksaan", "operator", PRESENCE_COUNTER, 3.0),
        ("entri_siak", "operator", PRESENCE_COUNTER, 10.0),
        ("verifikasi", "verifikator", PRESENCE_BACK_OFFICE, 2.0),
        ("tte", "pejabat_tte", PRESENCE_BACK_OFFICE, 2.0),
        ("cetak", "petugas_cetak", PRESENCE_BACK_OFFICE, 2.0),
        ("penyerahan", "petugas_distribusi", PRESENCE_COUNTER, 2.0),
        ("arsip", "petugas_cetak", PRESENCE_BACK_OFFICE, 5.0),
    ]
    assert kk.step("arsip").source == "SOP 003 baris 12"
    for reason in ("keluarga_baru", "kelahiran", "perubahan_data", "pindah", "hilang_rusak"):
        codes = [r.code for r in kk.requirements if r.when.matches({"reason": reason})]
        assert codes[0] == "formulir_f102" and len(codes) >= 2, reason


def test_ikd_eligibility_and_counter_only(paser):
    ikd = paser.service("IKD")
    assert ikd.rules == "ikd" and ikd.pickup is False
    assert steps(ikd) == [
        ("pemeriksaan_kelayakan", "operator", PRESENCE_COUNTER, None),
        ("aktivasi", "operator", PRESENCE_COUNTER, 5.0),
    ]
    for key in ("ktp_el_recorded", "age17_or_married", "has_device_and_email"):
        question = ikd.question(key)
        assert question.kind == "bool" and question.eligible_if is True
        assert question.ineligible_message.id and question.ineligible_message.en


def test_akta_lahir_boxes_add_to_23_minutes(paser):
    akta = paser.service("AKTA_LAHIR")
    assert [s.code for s in akta.steps] == ["penerimaan", "scan", "verifikasi", "cetak", "register", "penyerahan"]
    assert sum(s.mutu_baku_minutes or 0 for s in akta.steps) == 23.0


def test_ktpel_from_sop_002(paser):
    ktpel = paser.service("KTPEL")
    assert steps(ktpel) == [
        ("penerimaan", "operator", PRESENCE_COUNTER, 2.0),
        ("cetak", "petugas_cetak", PRESENCE_BACK_OFFICE, 3.0),
        ("penyerahan", "petugas_distribusi", PRESENCE_COUNTER, None),
    ]
    needs = [r.code for r in ktpel.requirements if r.when.matches({"reason": "perubahan"})]
    assert needs == ["fotokopi_kk", "dokumen_dasar_perubahan"]


def test_paser_counters(paser):
    by_number = {c.number: c for c in paser.counters}
    assert sorted(by_number) == [1, 2, 3, 4, 5]
    for n in (1, 2, 3):
        assert set(by_number[n].serves) == {
            ("KIA", "penerimaan"), ("KIA", "foto"), ("KK", "pemeriksaan"), ("KK", "entri_siak"),
            ("KTPEL", "penerimaan"), ("AKTA_LAHIR", "penerimaan"),
        }
    assert by_number[4].serves == (("IKD", "pemeriksaan_kelayakan"), ("IKD", "aktivasi"))
    assert {s for s, step in by_number[5].serves if step == "penyerahan"} == {"KIA", "KK", "KTPEL", "AKTA_LAHIR"}


def test_uptd_kia_tuntas_di_kecamatan(offices):
    uptd = offices["paser-tanah-grogot"]
    assert [s.code for s in uptd.services] == ["KIA"]
    kia = uptd.services[0]
    assert kia.completion_days == 12
    assert [(s.code, s.role, s.presence) for s in kia.steps] == [
        ("penerimaan", "operator", PRESENCE_COUNTER),
        ("validasi", "verifikator", PRESENCE_BACK_OFFICE),
        ("cetak", "petugas_cetak", PRESENCE_BACK_OFFICE),
        ("penyerahan", "petugas_distribusi", PRESENCE_COUNTER),
    ]
    assert all(s.source.startswith("SOP 004") for s in kia.steps)
    assert [(k.code, k.name) for k in uptd.kecamatan] == [("64.01.04", "Tanah Grogot")]
    assert uptd.counters[0].serves == (("KIA", "penerimaan"), ("KIA", "penyerahan"))


def test_every_shipped_step_names_its_source(offices):
    for office in offices.values():
        for service in office.services:
            for step in service.steps:
                assert step.source.startswith("SOP 00"), (office.code, service.code, step.code)
