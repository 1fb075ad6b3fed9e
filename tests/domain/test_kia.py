"""KIA variant and validity (Permendagri 2/2016), including the 29 February rule."""
from datetime import date, datetime

import pytest

from queue_server.domain.errors import NotEligible, ValidationError
from queue_server.domain.kia import age_on, birthday_in, kia_decision

BORN = date(2015, 6, 10)


def test_age_on():
    assert age_on(BORN, BORN) == 0
    assert age_on(BORN, date(2020, 6, 9)) == 4
    assert age_on(BORN, date(2020, 6, 10)) == 5
    assert age_on(BORN, datetime(2032, 6, 10, 8, 30)) == 17


def test_day_before_and_on_5th_birthday():
    before = kia_decision(BORN, date(2020, 6, 9))
    assert (before.variant, before.age_years, before.photo_required) == (1, 4, False)
    assert before.valid_until == date(2020, 6, 10)  # until the 5th birthday
    on = kia_decision(BORN, date(2020, 6, 10))
    assert (on.variant, on.age_years, on.photo_required) == (2, 5, True)
    assert on.valid_until == date(2032, 6, 9)  # the day before the 17th birthday


def test_newborn_is_variant_1():
    d = kia_decision(BORN, BORN)
    assert (d.variant, d.age_years, d.valid_until) == (1, 0, date(2020, 6, 10))


def test_day_before_and_on_17th_birthday():
    last = kia_decision(BORN, date(2032, 6, 9))
    assert (last.variant, last.age_years, last.valid_until) == (2, 16, date(2032, 6, 9))
    with pytest.raises(NotEligible) as e:
        kia_decision(BORN, date(2032, 6, 10))
    assert e.value.code == "kia_age_17_or_over"
    assert e.value.details == {"age_years": 17}
    assert e.value.http_status == 422
    assert e.value.message_en


def test_future_birth_date():
    with pytest.raises(ValidationError) as e:
        kia_decision(date(2025, 6, 2), date(2025, 6, 1))
    assert e.value.code == "birth_date_in_future"
    with pytest.raises(ValidationError):
        age_on(date(2025, 6, 2), date(2025, 6, 1))


def test_not_a_date():
    with pytest.raises(ValidationError) as e:
        kia_decision("2015-06-10", date(2025, 6, 1))
    assert e.value.code == "invalid_date"


# 29 February: the birthday in a non-leap year is 1 March.
def test_birthday_in_leap_rule():
    assert birthday_in(date(2020, 2, 29), 2024) == date(2024, 2, 29)
    assert birthday_in(date(2020, 2, 29), 2025) == date(2025, 3, 1)
    assert birthday_in(BORN, 2030) == date(2030, 6, 10)


def test_leap_day_child_5th_birthday_in_non_leap_year():
    born = date(2020, 2, 29)
    before = kia_decision(born, date(2025, 2, 28))
    assert (before.variant, before.age_years, before.valid_until) == (1, 4, date(2025, 3, 1))
    on = kia_decision(born, date(2025, 3, 1))
    assert (on.variant, on.age_years) == (2, 5)
    assert on.valid_until == date(2037, 2, 28)  # 17th birthday 1 March 2037


def test_leap_day_child_in_leap_and_non_leap_years():
    born = date(2016, 2, 29)
    assert kia_decision(born, date(2020, 2, 28)).age_years == 3
    assert kia_decision(born, date(2020, 2, 29)).age_years == 4  # leap year: 29 Feb itself
    assert kia_decision(born, date(2021, 2, 28)).variant == 1  # 5th birthday is 1 March 2021
    assert kia_decision(born, date(2021, 3, 1)).variant == 2
    born = date(2012, 2, 29)  # 2029 is not a leap year: 17 on 1 March 2029
    assert kia_decision(born, date(2029, 2, 28)).variant == 2
    with pytest.raises(NotEligible):
        kia_decision(born, date(2029, 3, 1))


def test_leap_day_child_17th_birthday():
    born = date(2008, 2, 29)
    last = kia_decision(born, date(2025, 2, 28))
    assert (last.variant, last.age_years, last.valid_until) == (2, 16, date(2025, 2, 28))
    with pytest.raises(NotEligible):
        kia_decision(born, date(2025, 3, 1))
    # A leap-year 17th birthday is 29 February itself: valid until 28 February.
    born = date(2004, 2, 29)
    assert kia_decision(born, date(2021, 2, 28)).age_years == 16
    assert kia_decision(born, date(2016, 1, 1)).valid_until == date(2021, 2, 28)
    born = date(2003, 2, 28)  # 17 on 28 Feb 2020 (leap year), valid until the 27th
    assert kia_decision(born, date(2020, 2, 27)).valid_until == date(2020, 2, 27)
    assert age_on(date(2008, 2, 29), date(2028, 2, 29)) == 20
    assert age_on(date(2008, 2, 29), date(2028, 2, 28)) == 19


def test_as_dict():
    assert kia_decision(BORN, date(2025, 6, 1)).as_dict() == {
        "variant": 2, "age_years": 9, "photo_required": True, "valid_until": "2032-06-09",
    }
