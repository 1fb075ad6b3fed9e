"""Several offices in one folder: order, unique codes, parent and pickup offices."""
import pytest

from queue_server.config import OfficeConfigError, load_offices


def uptd(code, parent=None, pickup=()):
    edits = [('code = "contoh"', f'code = "{code}"')]
    extra = ""
    if parent is not None:
        extra += f'\nparent = "{parent}"'
    if pickup:
        extra += "\npickup_offices = [" + ", ".join(f'"{p}"' for p in pickup) + "]"
    if extra:
        edits.append(('photo_ratio = "3x4"', 'photo_ratio = "3x4"' + extra))
    return edits


def test_loads_every_toml_sorted_by_file_name(write_office, tmp_path):
    write_office(uptd("dinas", pickup=["dinas-utara"]), name="b_dinas.toml", folder="kantor")
    write_office(uptd("dinas-utara", parent="dinas"), name="a_utara.toml", folder="kantor")
    (tmp_path / "kantor" / "catatan.txt").write_text("bukan berkas kantor", encoding="utf-8")
    offices = load_offices(tmp_path / "kantor")
    assert [o.code for o in offices] == ["dinas-utara", "dinas"]
    assert offices[0].parent == "dinas" and offices[1].pickup_offices == ("dinas-utara",)
    assert offices[0].source_file.endswith("a_utara.toml")


def test_duplicate_office_codes(write_office, tmp_path):
    write_office(name="a.toml", folder="kantor")
    write_office(name="b.toml", folder="kantor")
    with pytest.raises(OfficeConfigError) as info:
        load_offices(tmp_path / "kantor")
    assert info.value.problems == [
        "b.toml: office.code: kode kantor 'contoh' sudah dipakai di a.toml (office code already used by another file)"
    ]


def test_parent_must_exist(write_office, tmp_path):
    write_office(uptd("utara", parent="dinas"), name="utara.toml", folder="kantor")
    with pytest.raises(OfficeConfigError) as info:
        load_offices(tmp_path / "kantor")
    assert info.value.problems == [
        "utara.toml: office.parent: kantor induk 'dinas' tidak ada di folder (parent office not found; "
        "known offices: utara)"
    ]


def test_pickup_offices_must_exist(write_office, tmp_path):
    write_office(uptd("dinas", pickup=["utara", "selatan"]), name="dinas.toml", folder="kantor")
    write_office(uptd("utara", parent="dinas"), name="utara.toml", folder="kantor")
    with pytest.raises(OfficeConfigError) as info:
        load_offices(tmp_path / "kantor")
    assert info.value.problems == [
        "dinas.toml: office.pickup_offices[2]: kantor pengambilan 'selatan' tidak ada di folder "
        "(pickup office not found; known offices: dinas, utara)"
    ]


def test_parent_cycle(write_office, tmp_path):
    write_office(uptd("satu", parent="dua"), name="satu.toml", folder="kantor")
    write_office(uptd("dua", parent="satu"), name="dua.toml", folder="kantor")
    with pytest.raises(OfficeConfigError) as info:
        load_offices(tmp_path / "kantor")
    (problem,) = info.value.problems
    assert problem.startswith("dua.toml: office.parent: rantai kantor induk berputar dua -> satu -> dua")


def test_problems_of_all_files_are_collected(write_office, tmp_path):
    write_office([('prefix = "B"', 'prefix = "A"')], name="a.toml", folder="kantor")
    write_office(uptd("lain", parent="tidak-ada") + [('senin = "08:00-15:00"', 'senin = "buka"')],
                 name="b.toml", folder="kantor")
    with pytest.raises(OfficeConfigError) as info:
        load_offices(tmp_path / "kantor")
    assert [p.split(": ")[:2] for p in info.value.problems] == [
        ["a.toml", "services[KK].prefix"], ["b.toml", "opening_hours.senin"],
    ]
    assert str(tmp_path / "kantor") in str(info.value)


def test_empty_and_missing_folder(tmp_path):
    with pytest.raises(OfficeConfigError) as info:
        load_offices(tmp_path)
    assert "tidak ada berkas *.toml" in info.value.problems[0]
    with pytest.raises(OfficeConfigError) as info:
        load_offices(tmp_path / "tidak_ada")
    assert info.value.problems == ["tidak_ada: (folder): folder tidak ditemukan (directory not found)"]


def test_reference_to_a_broken_office_is_not_reported_twice(write_office, tmp_path):
    write_office(uptd("dinas", pickup=["utara"]) + [('prefix = "B"', 'prefix = "A"')], name="dinas.toml",
                 folder="kantor")
    write_office(uptd("utara", parent="dinas"), name="utara.toml", folder="kantor")
    with pytest.raises(OfficeConfigError) as info:
        load_offices(tmp_path / "kantor")
    assert [p.split(": ")[:2] for p in info.value.problems] == [["dinas.toml", "services[KK].prefix"]]
