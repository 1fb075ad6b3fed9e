"""IKD eligibility (Permendagri 72/2022)."""
import pytest

from queue_server.domain.errors import ValidationError
from queue_server.domain.ikd import ikd_eligibility


def test_all_conditions_met():
    e = ikd_eligibility(ktp_el_recorded=True, age17_or_married=True, has_device_and_email=True)
    assert e.eligible and e.reasons == ()


@pytest.mark.parametrize(
    "kwargs, code, hint",
    [
        (dict(ktp_el_recorded=False, age17_or_married=True, has_device_and_email=True),
         "ikd_ktp_el_not_recorded", "perekaman KTP-el"),
        (dict(ktp_el_recorded=True, age17_or_married=False, has_device_and_email=True),
         "ikd_under_17_unmarried", "KIA"),
        (dict(ktp_el_recorded=True, age17_or_married=True, has_device_and_email=False),
         "ikd_no_device_or_email", "email"),
    ],
)
def test_each_unmet_condition_says_why_and_what_to_do(kwargs, code, hint):
    e = ikd_eligibility(**kwargs)
    assert not e.eligible
    assert [r.code for r in e.reasons] == [code]
    assert hint in e.reasons[0].message
    assert e.reasons[0].message_en and e.reasons[0].message_en != e.reasons[0].message
    # issue 11 item 16: a rule names no counter (the office may not have it); the office file words that
    assert "loket" not in e.reasons[0].message.lower() and "counter" not in e.reasons[0].message_en.lower()


def test_all_unmet_in_order():
    e = ikd_eligibility(ktp_el_recorded=False, age17_or_married=False, has_device_and_email=False)
    assert [r.code for r in e.reasons] == [
        "ikd_ktp_el_not_recorded", "ikd_under_17_unmarried", "ikd_no_device_or_email",
    ]
    assert e.as_dict()["eligible"] is False and len(e.as_dict()["reasons"]) == 3


def test_non_bool_rejected():
    with pytest.raises(ValidationError) as e:
        ikd_eligibility(ktp_el_recorded="yes", age17_or_married=True, has_device_and_email=True)
    assert e.value.code == "answer_invalid_bool"
    assert e.value.details == {"question": "ktp_el_recorded"}
