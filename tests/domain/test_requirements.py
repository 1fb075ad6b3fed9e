"""Answers -> facts -> checklist (issue 2 §2)."""
import json
from datetime import date

import pytest

from queue_server.domain.errors import ValidationError
from queue_server.domain.office import Question, Requirement, Service, Text
from queue_server.domain.requirements import build_checklist, compute_facts

ON = date(2025, 6, 1)


def kia_answers(**over):
    answers = {"birth_date": "2018-03-10", "reason": "baru", "never_married": True}
    answers.update(over)
    return answers


def test_kia_facts_variant_2(kia):
    facts = compute_facts(kia, kia_answers(), ON)
    assert facts["birth_date"] == date(2018, 3, 10)
    assert facts["reason"] == "baru" and facts["never_married"] is True
    assert facts["kia_variant"] == 2 and facts["age_years"] == 7
    assert facts["photo_required"] is True and facts["valid_until"] == date(2035, 3, 9)
    assert facts["kia_eligible"] is True
    assert "phone" not in facts  # optional and unanswered


def test_kia_checklist_variant_1_has_no_photo(kia):
    c = build_checklist(kia, kia_answers(birth_date="2022-01-01"), ON)
    assert [i.code for i in c.items] == ["akta", "kk"]
    assert c.eligible and c.ineligible == ()
    assert c.facts["kia_variant"] == 1


def test_kia_checklist_variant_2_lost_card(kia):
    c = build_checklist(kia, kia_answers(reason="hilang"), ON)
    assert [i.code for i in c.items] == ["akta", "kk", "foto", "surat_polisi"]
    foto = c.items[2]
    assert foto.label.startswith("Pas foto") and foto.note == "Latar belakang merah atau biru"
    assert c.items[0].note is None


def test_checklist_in_english(kia):
    c = build_checklist(kia, kia_answers(reason="pindah_datang"), ON, lang="en")
    assert [i.label for i in c.items] == [
        "Copy of birth certificate", "Copy of parents' KK", "Colour photo 4x6, 1 sheet", "Moving letter (SKPWNI)",
    ]
    assert c.items[2].note == "Red or blue background"


def test_kia_age_17_is_ineligible_not_an_error(kia):
    c = build_checklist(kia, kia_answers(birth_date="2008-06-01"), ON)
    assert not c.eligible
    assert [i.code for i in c.ineligible] == ["kia_age_17_or_over"]
    assert c.facts["kia_eligible"] is False and c.facts["age_years"] == 17
    assert "kia_variant" not in c.facts
    assert [i.code for i in c.items] == ["akta", "kk"]
    # One day younger: still variant 2.
    assert build_checklist(kia, kia_answers(birth_date="2008-06-02"), ON).eligible


def test_eligibility_question(kia):
    c = build_checklist(kia, kia_answers(never_married=False), ON)
    assert not c.eligible
    assert [i.code for i in c.ineligible] == ["ineligible_never_married"]
    assert c.ineligible[0].message.startswith("Anak yang sudah kawin")
    assert c.ineligible[0].message_en.startswith("A married child")


def test_eligibility_question_without_message_gets_generic_text():
    service = Service(
        code="X", name=Text("X"), prefix="X",
        questions=(Question("resident", "bool", Text("Penduduk setempat?", "Local resident?"), eligible_if=True),),
    )
    c = build_checklist(service, {"resident": "false"}, ON)
    assert not c.eligible
    assert c.ineligible[0].message == "Tidak memenuhi syarat: Penduduk setempat?"
    assert c.ineligible[0].message_en == "Not eligible: Local resident?"
    assert build_checklist(service, {"resident": "TRUE"}, ON).eligible


def test_several_reasons_accumulate(kia):
    c = build_checklist(kia, kia_answers(birth_date="2000-01-01", never_married=False), ON)
    assert [i.code for i in c.ineligible] == ["ineligible_never_married", "kia_age_17_or_over"]


@pytest.mark.parametrize("missing", ["birth_date", "reason", "never_married"])
def test_missing_required_answer(kia, missing):
    answers = kia_answers()
    del answers[missing]
    with pytest.raises(ValidationError) as e:
        compute_facts(kia, answers, ON)
    assert e.value.code == "answer_required"
    assert e.value.details == {"question": missing}


@pytest.mark.parametrize("blank", [None, "", "  "])
def test_blank_counts_as_missing(kia, blank):
    with pytest.raises(ValidationError) as e:
        compute_facts(kia, kia_answers(reason=blank), ON)
    assert e.value.code == "answer_required"


@pytest.mark.parametrize(
    "over, code",
    [
        ({"birth_date": "10-03-2018"}, "answer_invalid_date"),
        ({"birth_date": "2018-02-30"}, "answer_invalid_date"),
        ({"birth_date": "20180310"}, "answer_invalid_date"),
        ({"birth_date": 20180310}, "answer_invalid_date"),
        ({"reason": "dicuri"}, "answer_invalid_choice"),
        ({"reason": ["baru"]}, "answer_invalid_choice"),
        ({"never_married": "ya"}, "answer_invalid_bool"),
        ({"never_married": 1}, "answer_invalid_bool"),
        ({"birth_date": "2025-06-02"}, "birth_date_in_future"),
    ],
)
def test_invalid_answers(kia, over, code):
    with pytest.raises(ValidationError) as e:
        compute_facts(kia, kia_answers(**over), ON)
    assert e.value.code == code
    if code.startswith("answer_"):
        assert e.value.details["question"] == next(iter(over))


def test_invalid_choice_lists_allowed_values(kia):
    with pytest.raises(ValidationError) as e:
        compute_facts(kia, kia_answers(reason="dicuri"), ON)
    assert e.value.details["allowed"] == ["baru", "hilang", "rusak", "pindah_datang"]


def test_date_object_accepted_and_unknown_keys_ignored(kia):
    facts = compute_facts(kia, kia_answers(birth_date=date(2022, 1, 1), kia_variant=2, phone=False), ON)
    assert facts["kia_variant"] == 1  # a client cannot set derived facts
    assert facts["phone"] is False


def test_answers_must_be_a_mapping(kia):
    with pytest.raises(ValidationError) as e:
        compute_facts(kia, [("birth_date", "2018-03-10")], ON)
    assert e.value.code == "answers_not_object"


def test_kia_rules_need_birth_date_question():
    service = Service(code="K", name=Text("K"), prefix="K", rules="kia")
    with pytest.raises(ValidationError) as e:
        compute_facts(service, {}, ON)
    assert e.value.details == {"question": "birth_date"}


def test_ikd_eligible(ikd):
    answers = {"ktp_el_recorded": True, "age17_or_married": True, "has_device_and_email": True}
    c = build_checklist(ikd, answers, ON)
    assert c.eligible and c.facts["ikd_eligible"] is True
    assert [i.code for i in c.items] == ["ktp_el"]


def test_ikd_reasons_without_duplicates(ikd):
    answers = {"ktp_el_recorded": False, "age17_or_married": True, "has_device_and_email": False}
    c = build_checklist(ikd, answers, ON)
    assert not c.eligible and c.facts["ikd_eligible"] is False
    # The office's own eligibility question speaks for the device; the rule adds KTP-el.
    assert [i.code for i in c.ineligible] == ["ineligible_has_device_and_email", "ikd_ktp_el_not_recorded"]
    assert "perekaman KTP-el" in c.ineligible[1].message


def test_ikd_inputs_the_service_does_not_ask_are_left_to_the_officer():
    service = Service(
        code="I", name=Text("I"), prefix="I", rules="ikd",
        questions=(
            Question("ktp_el_recorded", "bool", Text("Sudah rekam?")),
            Question("has_device_and_email", "bool", Text("HP dan email?"), required=False),
        ),
    )
    facts = compute_facts(service, {"ktp_el_recorded": True}, ON)
    assert facts["ikd_eligible"] is True
    c = build_checklist(service, {"ktp_el_recorded": False, "has_device_and_email": False}, ON)
    # Plain (non-eligibility) questions: the built-in rule gives the reasons.
    assert [i.code for i in c.ineligible] == ["ikd_ktp_el_not_recorded", "ikd_no_device_or_email"]
    assert c.facts["ikd_eligible"] is False


def test_ikd_eligible_false_from_an_eligibility_question_only():
    service = Service(
        code="I", name=Text("I"), prefix="I", rules="ikd",
        questions=(Question("resident", "bool", Text("Penduduk?"), eligible_if=True),),
    )
    c = build_checklist(service, {"resident": False}, ON)
    assert c.facts["ikd_eligible"] is False and not c.eligible


def test_unknown_rules():
    service = Service(code="Z", name=Text("Z"), prefix="Z", rules="kk")
    with pytest.raises(ValidationError) as e:
        compute_facts(service, {}, ON)
    assert e.value.code == "service_rules_unknown"


def test_service_without_rules_or_questions():
    service = Service(
        code="KTP", name=Text("Cetak KTP-el"), prefix="C",
        requirements=(Requirement("ktp_lama", Text("KTP-el lama")),),
    )
    c = build_checklist(service, {}, ON)
    assert c.eligible and c.facts == {} and [i.code for i in c.items] == ["ktp_lama"]


def test_checklist_as_dict_is_json(kia):
    d = build_checklist(kia, kia_answers(reason="rusak"), ON).as_dict()
    text = json.dumps(d)
    assert d["facts"]["birth_date"] == "2018-03-10" and d["facts"]["valid_until"] == "2035-03-09"
    assert d["items"][-1] == {"code": "kia_rusak", "label": "KIA yang rusak", "note": None}
    assert d["eligible"] is True and d["ineligible"] == []
    assert "2035-03-09" in text


def test_a_conditional_question_is_asked_only_when_its_facts_match():
    """Permendagri 2/2016: KIA is for children under 17 who have never married; the
    shipped office asks it from age 10 only (never of a toddler's parents)."""
    from datetime import date as _date
    from pathlib import Path

    from queue_server.config import load_office
    from queue_server.domain.requirements import build_checklist

    kia = load_office(Path(__file__).resolve().parents[2] / "assets" / "offices" / "default.toml").service("KIA")
    on = _date(2026, 12, 1)
    small = build_checklist(kia, {"birth_date": "2019-06-01", "reason": "baru", "never_married": False}, on)
    assert small.eligible and small.skipped_questions == ("never_married",)  # asked not, its answer ignored
    partial = build_checklist(kia, {"birth_date": "2012-05-05"}, on, partial=True)
    assert partial.skipped_questions == () and partial.eligible  # 14: to be asked
    married = build_checklist(kia, {"birth_date": "2012-05-05", "reason": "baru", "never_married": False}, on)
    assert not married.eligible and married.ineligible[0].code == "ineligible_never_married"
    assert "KTP-el" in married.ineligible[0].message
    import pytest as _pytest

    from queue_server.domain.errors import ValidationError
    with _pytest.raises(ValidationError):  # required once it applies
        build_checklist(kia, {"birth_date": "2012-05-05", "reason": "baru"}, on)


def test_a_question_may_depend_on_derived_facts_only(tmp_path):
    from pathlib import Path

    import pytest as _pytest

    from queue_server.config import OfficeConfigError, load_offices
    src = Path(__file__).resolve().parents[2] / "assets" / "offices" / "default.toml"
    text = src.read_text(encoding="utf-8").replace('when = { age_years = [10, 11, 12, 13, 14, 15, 16] }',
                                                   'when = { reason = "baru" }', 1)
    (tmp_path / "default.toml").write_text(text, encoding="utf-8")
    with _pytest.raises(OfficeConfigError) as err:
        load_offices(tmp_path)
    assert "services[KIA].questions[3].when.reason: pertanyaan hanya bisa bergantung pada fakta turunan" in str(err.value)
