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
        ("unggah_foto", "operator", PRESENCE_COUNTER, 5.0),
        ("verifikasi", "verifikator", PRESENCE_BACK_OFFICE, 5.0),
        ("tte", "pejabat_tte", PRESENCE_BACK_OFFICE, 3.0),
        ("cetak", "petugas_cetak", PRESENCE_BACK_OFFICE, 5.0),
        ("register", "petugas_cetak", PRESENCE_BACK_OFFICE, 1.0),
        # SOP 000 has no distribution officer: the operator (petugas pelayanan) hands over
        ("penyerahan", "operator", PRESENCE_COUNTER, 1.0),
    ]
    assert kia.step("tte").effect == "tte"  # the data freeze after it
    assert kia.step("unggah_foto").when.as_dict() == {"kia_variant": [2]}
    # SOP 000 row 2 has no time: the borrowed one says where it comes from
    assert kia.step("penerimaan").source == "SOP 000 baris 2; waktu dari SOP 003 baris 2"
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
    # in the order of SOP 002's numbered boxes: 2, scan, 3 (print, approval), 4 (verify, initial), 5, 6
    assert [s.code for s in akta.steps] == ["penerimaan", "scan", "cetak", "verifikasi", "register", "penyerahan"]
    assert [s.source.split("kotak ")[1].split(" ")[0] for s in akta.steps] == ["2", "tanpa", "3", "4", "5", "6"]
    assert sum(s.mutu_baku_minutes or 0 for s in akta.steps) == 23.0


def test_ktpel_from_sop_002(paser):
    ktpel = paser.service("KTPEL")
    assert steps(ktpel) == [
        ("penerimaan", "operator", PRESENCE_COUNTER, 2.0),
        ("cetak", "petugas_cetak", PRESENCE_BACK_OFFICE, 3.0),
        ("penyerahan", "operator", PRESENCE_COUNTER, None),  # SOP 002 box 5: petugas pelayanan
    ]
    needs = [r.code for r in ktpel.requirements if r.when.matches({"reason": "perubahan"})]
    assert needs == ["fotokopi_kk", "dokumen_dasar_perubahan"]


def test_paser_counters(paser):
    by_number = {c.number: c for c in paser.counters}
    assert sorted(by_number) == [1, 2, 3, 4, 5]
    for n in (1, 2, 3):
        assert set(by_number[n].serves) == {
            ("KIA", "penerimaan"), ("KIA", "foto"), ("KIA", "unggah_foto"), ("KK", "pemeriksaan"), ("KK", "entri_siak"),
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
        ("penyerahan", "operator", PRESENCE_COUNTER),  # SOP 004 procedure 7: petugas pelayanan
    ]
    assert all(s.source.startswith("SOP 004") for s in kia.steps)
    assert [(k.code, k.name) for k in uptd.kecamatan] == [("64.01.04", "Tanah Grogot")]
    assert uptd.counters[0].serves == (("KIA", "penerimaan"), ("KIA", "penyerahan"))


def test_every_shipped_step_names_its_source(offices):
    for office in offices.values():
        for service in office.services:
            for step in service.steps:
                assert step.source.startswith("SOP 00"), (office.code, service.code, step.code)


def test_sop_003_rows_total_41_minutes(paser):
    # SOP 003's table: rows 2-12 once each, 41 minutes in all, spread over KK, KIA and IKD
    rows: dict[int, float] = {}
    for service in paser.services:
        for step in service.steps:
            if step.source.startswith("SOP 003 baris "):
                row = int(step.source.split()[3])
                assert row not in rows, (service.code, step.code)
                rows[row] = step.mutu_baku_minutes or 0
    assert sorted(rows) == list(range(2, 13))
    assert sum(rows.values()) == 41.0


def test_kk_is_handed_over_by_the_distribution_counter_the_others_by_the_petugas_pelayanan(paser):
    roles = {s.code: next(st.role for st in s.steps if st.effect == "handover")
             for s in paser.services if s.pickup}
    assert roles == {"KIA": "operator", "KK": "petugas_distribusi", "KTPEL": "operator", "AKTA_LAHIR": "operator"}


def test_the_card_has_its_province_line(offices):
    assert {o.province for o in offices.values()} == {"Kalimantan Timur"}


EXAMPLES = default_office_dir() / "examples"


def test_sop_002_flowcharts_ship_as_an_example_folder():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (office,) = load_offices(EXAMPLES / "sop002")
    kia, lost = office.service("KIA"), office.service("HILANG_RUSAK")
    # SOP 002 KIA: box 3 (3 min) + box 4 (2 min) = 5 min
    assert [(s.code, s.role, s.mutu_baku_minutes) for s in kia.steps] == [
        ("penerimaan", "operator", 3.0), ("foto", "operator", None), ("cetak", "petugas_cetak", 2.0),
        ("penyerahan", "operator", None)]
    assert sum(s.mutu_baku_minutes or 0 for s in kia.steps) == 5.0
    # lost/damaged documents: petugas pelayanan 3, petugas scan 5, operator 2 = 10 min, scan before print
    assert [(s.code, s.mutu_baku_minutes) for s in lost.steps] == [
        ("penerimaan", 3.0), ("scan", 5.0), ("cetak", 2.0), ("penyerahan", None)]
    assert [r.code for r in lost.requirements if r.when.matches({"reason": "hilang", "document": "kk"})] == [
        "surat_kehilangan", "foto_dokumen"]


def test_pekanbaru_sop_001_ships_as_an_example_folder():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        office, uptd = load_offices(EXAMPLES / "pekanbaru_sop001")
    assert office.timezone == "Asia/Jakarta" and office.province == "Riau"
    assert office.pickup_offices == (uptd.code,) and uptd.parent == office.code
    assert len(office.kecamatan) == 15 and office.kecamatan[0].code == "14.71.01"
    kia = office.service("KIA")
    # SOP 001 rows 1-5: registration 5 min, verification 1 h, print 1 h, grouping 1 h, hand-over 1 day
    assert [(s.code, s.mutu_baku_minutes, s.source, s.channel) for s in kia.steps] == [
        ("registrasi", 5.0, "SOP 001 baris 1", "counter"), ("verifikasi_online", 60.0, "SOP 001 baris 2", "online"),
        ("verifikasi", 60.0, "SOP 001 baris 2", "counter"), ("cetak", 60.0, "SOP 001 baris 3", "all"),
        ("pengelompokan", 60.0, "SOP 001 baris 4", "all"), ("penyerahan", 1440.0, "SOP 001 baris 5", "all")]
    assert kia.online and kia.step_with("online_verification").code == "verifikasi_online"
    assert kia.steps[-1].effect == "handover" and kia.steps[3].effect == "card_print"
    assert kia.step_with("distribution").code == "pengelompokan"
