"""Opening days: weekly hours, Indonesian public holidays and the office's own closed
dates, and when the office opens next (issue 18 item 10)."""
from datetime import date, datetime, timedelta, timezone

import pytest

from queue_server.config import OfficeConfigError, load_office
from queue_server.domain.opening import closed_reason, holiday_names, is_open, next_opening

WITA = timezone(timedelta(hours=8))


@pytest.fixture
def paser(write_office_file):
    return write_office_file()


@pytest.fixture
def write_office_file(tmp_path):
    from tests.config.conftest import BASE, edited

    def write(edits=()):
        path = tmp_path / "office.toml"
        path.write_text(edited(BASE, edits), encoding="utf-8")
        return load_office(path)
    return write


def at(y, m, d, hh=9, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=WITA)


def test_indonesian_national_holidays_by_their_names():
    names = holiday_names("ID", 2026)
    assert names[date(2026, 8, 17)] == "Hari Kemerdekaan Republik Indonesia"
    assert names[date(2026, 12, 25)] == "Hari Raya Natal"
    assert holiday_names("", 2026) == {}
    with pytest.raises(ValueError):
        holiday_names("XX", 2026)


def test_hours_weekends_and_holidays(paser):
    hours = paser.opening_hours[0]
    assert is_open(paser, datetime.combine(date(2026, 11, 30), hours.opens, tzinfo=WITA))  # Monday
    assert not is_open(paser, datetime.combine(date(2026, 11, 30), hours.closes, tzinfo=WITA))
    assert not is_open(paser, at(2026, 8, 17))  # Monday, Hari Kemerdekaan
    assert closed_reason(paser, date(2026, 8, 17)) == "Hari Kemerdekaan Republik Indonesia"
    assert closed_reason(paser, date(2026, 11, 29)) == ""  # Sunday: no hours
    assert closed_reason(paser, date(2026, 11, 30)) is None


def test_next_opening_skips_the_weekend_and_a_holiday(paser):
    opens = paser.opening_hours[0].opens
    # Friday 24 Dec 2026 evening → Saturday, Sunday closed, Christmas on Friday 25 … Monday 28 opens
    got = next_opening(paser, at(2026, 12, 24, 20, 0))
    assert got == datetime.combine(date(2026, 12, 28), opens, tzinfo=WITA)
    # before the doors open the same day it is today's opening
    early = next_opening(paser, datetime.combine(date(2026, 11, 30), opens, tzinfo=WITA) - timedelta(hours=1))
    assert early.date() == date(2026, 11, 30)


def test_closed_dates_from_the_office_file(write_office_file):
    office = write_office_file([('timezone = "Asia/Jakarta"',
                                 'timezone = "Asia/Jakarta"\nclosed_dates = ["2026-12-24 Cuti bersama Natal", '
                                 '"2026-12-31"]')])
    assert office.closed_dates == ((date(2026, 12, 24), "Cuti bersama Natal"), (date(2026, 12, 31), ""))
    assert closed_reason(office, date(2026, 12, 24)) == "Cuti bersama Natal"
    assert closed_reason(office, date(2026, 12, 31)) == "Tutup"
    assert next_opening(office, at(2026, 12, 23, 20, 0)).date() == date(2026, 12, 28)


def test_public_holidays_can_be_switched_off(write_office_file):
    office = write_office_file([('timezone = "Asia/Jakarta"', 'timezone = "Asia/Jakarta"\npublic_holidays = ""')])
    assert closed_reason(office, date(2026, 8, 17)) is None


@pytest.mark.parametrize("line,message", [
    ('closed_dates = ["24-12-2026"]', "bukan tanggal"),
    ('closed_dates = ["2026-12-24", "2026-12-24 lagi"]', "dua kali"),
    ('public_holidays = "XX"', "tidak dikenal"),
])
def test_bad_closed_days_are_named(write_office_file, line, message):
    with pytest.raises(OfficeConfigError) as err:
        write_office_file([('timezone = "Asia/Jakarta"', f'timezone = "Asia/Jakarta"\n{line}')])
    assert message in str(err.value) and "office." in str(err.value)


def test_completion_dates_count_working_days(paser, write_office_file):
    """Issue 11 item 12: "12 hari kerja" (SOP 004) from Tue 1 Dec 2026 is Thu 17 Dec,
    not Sun 13 Dec; a public holiday and a closed date of the office push it on."""
    from queue_server.domain.opening import add_working_days

    assert add_working_days(paser, date(2026, 12, 1), 12) == date(2026, 12, 17)
    assert add_working_days(paser, date(2026, 12, 1), 0) == date(2026, 12, 1)
    assert add_working_days(paser, date(2026, 12, 24), 1) == date(2026, 12, 28)  # Natal, then the weekend
    office = write_office_file([('timezone = "Asia/Jakarta"',
                                 'timezone = "Asia/Jakarta"\nclosed_dates = ["2026-12-24 Cuti bersama Natal"]')])
    assert add_working_days(office, date(2026, 12, 23), 1) == date(2026, 12, 28)
    assert add_working_days(paser, date(2026, 8, 14), 1) == date(2026, 8, 18)  # Mon 17 Aug: Kemerdekaan
    with pytest.raises(ValueError):
        add_working_days(paser, date(2026, 12, 1), -1)
