from datetime import date

import pytest

from queue_server.domain.errors import ValidationError
from queue_server.domain.office import PRIORITY_CATEGORIES
from queue_server.domain.priority import CATEGORIES, category, is_lansia, lansia_from_nik


def test_categories_match_the_office_contract_and_have_sources():
    assert tuple(c.code for c in CATEGORIES) == PRIORITY_CATEGORIES
    assert all(c.label.id and c.label.en and c.source.startswith("UU") for c in CATEGORIES)
    assert category("lansia").label.get("en") == "Elderly (60 or older)"
    with pytest.raises(ValidationError):
        category("vip")


@pytest.mark.parametrize("born,on,expected", [
    (date(1966, 11, 23), date(2026, 11, 23), True),   # 60th birthday
    (date(1966, 11, 24), date(2026, 11, 23), False),  # the day before
    (date(1940, 1, 1), date(2026, 11, 23), True),
])
def test_lansia_is_sixty_or_older(born, on, expected):
    assert is_lansia(born, on) is expected


def test_lansia_from_nik_uses_the_encoded_birth_date():
    assert lansia_from_nik("3171011708450001", date(2026, 11, 23)) is True   # male, 1945-08-17
    assert lansia_from_nik("3201014512150001", date(2026, 11, 23)) is False  # female, 2015-12-05
    assert lansia_from_nik("3201013202150001", date(2026, 11, 23)) is False  # invalid NIK
