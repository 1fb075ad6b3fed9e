"""NIK parsing: DOMAIN.md "NIK" test cases and boundaries."""
import csv
from datetime import date
from pathlib import Path

import pytest

from queue_server.domain.errors import ValidationError
from queue_server.domain.nik import compare_with_documents, parse_nik

TODAY = date(2025, 6, 1)
WILAYAH = Path(__file__).resolve().parents[1] / "fixtures" / "kode_wilayah_sample.csv"


def codes(info):
    return [i.code for i in info.errors]


def test_domain_case_female_child():
    info = parse_nik("3201014512150001", today=TODAY)
    assert info.valid and not info.errors
    assert info.sex == "P"
    assert info.birth_date == date(2015, 12, 5)  # not 1915 (python-stdnum's mistake)
    assert (info.province_code, info.regency_code, info.district_code) == ("32", "32.01", "32.01.01")
    assert info.serial == "0001"


def test_domain_case_male_1945():
    info = parse_nik("3171011708450001", today=TODAY)
    assert info.valid
    assert info.sex == "L"
    assert info.birth_date == date(1945, 8, 17)


@pytest.mark.parametrize(
    "nik, code",
    [
        ("3201013202150001", "nik_day_code"),  # 32 Feb: day code 32 is neither male nor female
        ("3201017202150001", "nik_day_code"),  # day code 72
        ("3201014513150001", "nik_month"),  # month 13
        ("3201010013150001", "nik_day_code"),  # day code 00
        ("3201010500150001", "nik_month"),  # month 00
        ("3201013002150001", "nik_date_impossible"),  # 30 Feb
        ("3201017002150001", "nik_date_impossible"),  # 30 Feb for a woman
        ("3201012902150001", "nik_date_impossible"),  # 29 Feb 2015 (not leap)
        ("3201013104150001", "nik_date_impossible"),  # 31 April
        ("3201014512150000", "nik_serial_zero"),
    ],
)
def test_invalid_niks(nik, code):
    info = parse_nik(nik, today=TODAY)
    assert not info.valid
    assert code in codes(info)
    assert info.birth_date is None or code == "nik_serial_zero"


def test_day_code_boundaries():
    assert parse_nik("3201010101150001", today=TODAY).sex == "L"
    assert parse_nik("3201013101150001", today=TODAY).birth_date == date(2015, 1, 31)
    female_first = parse_nik("3201014101150001", today=TODAY)
    assert (female_first.sex, female_first.birth_date) == ("P", date(2015, 1, 1))
    female_last = parse_nik("3201017101150001", today=TODAY)
    assert (female_last.sex, female_last.birth_date) == ("P", date(2015, 1, 31))
    assert "nik_day_code" in codes(parse_nik("3201014001150001", today=TODAY))
    assert "nik_day_code" in codes(parse_nik("3201017201150001", today=TODAY))


def test_leap_day():
    info = parse_nik("3201016902160001", today=TODAY)  # 29 Feb 2016, female
    assert info.valid and info.birth_date == date(2016, 2, 29) and info.sex == "P"


def test_serial_boundaries():
    assert parse_nik("3201014512159999", today=TODAY).valid
    assert parse_nik("3201014512150001", today=TODAY).serial == "0001"


def test_century_is_latest_not_in_future():
    # Today itself is not in the future -> this century.
    assert parse_nik("3201010106250001", today=TODAY).birth_date == date(2025, 6, 1)
    # Tomorrow's date would be in the future -> previous century.
    assert parse_nik("3201010206250001", today=TODAY).birth_date == date(1925, 6, 2)
    assert parse_nik("3201010101000001", today=TODAY).birth_date == date(2000, 1, 1)
    assert parse_nik("3201010101990001", today=TODAY).birth_date == date(1999, 1, 1)
    # 29 Feb of '00: 2000 is a leap year.
    assert parse_nik("3201012902000001", today=TODAY).birth_date == date(2000, 2, 29)
    # Before 29 Feb 2000 the date falls in 1900, which is not a leap year.
    assert "nik_date_impossible" in codes(parse_nik("3201012902000001", today=date(2000, 2, 28)))


def test_separators_and_bad_characters():
    info = parse_nik(" 32.01.01 451215 0001 ", today=TODAY)
    assert info.valid and info.nik == "3201014512150001"
    assert codes(parse_nik("32010145121500O1", today=TODAY)) == ["nik_not_digits"]
    assert codes(parse_nik("3201-014512150001", today=TODAY)) == ["nik_not_digits"]
    assert codes(parse_nik("３２０１０１４５１２１５０００１", today=TODAY)) == ["nik_not_digits"]
    assert codes(parse_nik("320101451215001", today=TODAY)) == ["nik_length"]
    assert codes(parse_nik("32010145121500011", today=TODAY)) == ["nik_length"]
    assert codes(parse_nik("", today=TODAY)) == ["nik_length"]
    assert codes(parse_nik(3201014512150001, today=TODAY)) == ["nik_not_text"]
    bad = parse_nik("abc", today=TODAY)
    assert bad.sex is None and bad.district_code is None and not bad.valid


def test_province_out_of_range_is_warning_only():
    low = parse_nik("1001014512150001", today=TODAY)
    assert low.valid and [w.code for w in low.warnings] == ["nik_province_out_of_range"]
    high = parse_nik("9701014512150001", today=TODAY)
    assert high.valid and [w.code for w in high.warnings] == ["nik_province_out_of_range"]
    for edge in ("1101014512150001", "9601014512150001"):
        assert parse_nik(edge, today=TODAY).warnings == ()


def test_known_regions_from_kemendagri_list():
    with WILAYAH.open(encoding="utf-8", newline="") as f:
        districts = {row["kode"] for row in csv.DictReader(f) if row["level"] == "kecamatan"}
    assert "32.01.01" in districts
    known = parse_nik("3201014512150001", today=TODAY, known_regions=districts)
    assert known.valid and known.warnings == ()
    unknown = parse_nik("3201994512150001", today=TODAY, known_regions=districts)
    assert unknown.valid, "an unknown region warns, never rejects"
    assert [w.code for w in unknown.warnings] == ["nik_region_unknown"]
    assert "32.01.99" in unknown.warnings[0].message
    # Without a list nothing is checked.
    assert parse_nik("3201994512150001", today=TODAY).warnings == ()


def test_as_dict_is_json_friendly():
    import json

    d = parse_nik("3201014512150000", today=TODAY).as_dict()
    assert d["birth_date"] == "2015-12-05"
    assert d["valid"] is False
    assert d["errors"][0]["code"] == "nik_serial_zero"
    assert d["errors"][0]["message"] and d["errors"][0]["message_en"]
    json.dumps(d)


def test_issues_are_bilingual():
    info = parse_nik("3201017202150000", today=TODAY)
    assert len(info.errors) == 2
    for issue in info.errors:
        assert issue.message != issue.message_en and issue.message_en
        assert issue.get("en") == issue.message_en and issue.get() == issue.message


def test_compare_with_documents_warns_only():
    info = parse_nik("3201014512150001", today=TODAY)
    assert compare_with_documents(info, sex="P", birth_date=date(2015, 12, 5)) == ()
    assert compare_with_documents(info, sex="P", birth_date="2015-12-05") == ()
    issues = compare_with_documents(info, sex="L", birth_date=date(2015, 12, 6))
    assert [i.code for i in issues] == ["nik_sex_mismatch", "nik_birth_date_mismatch"]
    assert info.valid  # Permendagri 108/2019 Pasal 15(3): the NIK stays; officer checks.
    # Only the encoded digits are compared: the century is inferred.
    assert compare_with_documents(info, birth_date=date(1915, 12, 5)) == ()
    assert compare_with_documents(info) == ()


def test_compare_with_documents_rejects_bad_input():
    info = parse_nik("3201014512150001", today=TODAY)
    with pytest.raises(ValidationError) as e:
        compare_with_documents(info, sex="X")
    assert e.value.code == "invalid_sex"
    with pytest.raises(ValidationError) as e:
        compare_with_documents(info, birth_date="05-12-2015")
    assert e.value.code == "invalid_date"


def test_compare_with_invalid_nik_compares_what_it_can():
    info = parse_nik("3201017002150001", today=TODAY)  # 30 Feb, female
    assert info.birth_date is None and info.sex == "P"
    assert [i.code for i in compare_with_documents(info, sex="L", birth_date=date(2015, 2, 1))] == ["nik_sex_mismatch"]
