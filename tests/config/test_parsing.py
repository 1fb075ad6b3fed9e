"""What a valid office file becomes: text fields, hours, conditions, counters expansion."""
from dataclasses import FrozenInstanceError
from datetime import time

import pytest

from queue_server.config import load_office
from queue_server.domain.office import Condition, DayHours, QueuePolicy, Text


@pytest.fixture
def office(write_office):
    return load_office(write_office())


def test_office_fields_and_defaults(office, write_office):
    assert office.code == "contoh"
    assert office.name == "Disdukcapil Kabupaten Contoh"
    assert office.regency == "Kabupaten Contoh"
    assert office.timezone == "Asia/Jakarta" and office.zone_abbreviation == "WIB"
    assert office.parent is None and office.pickup_offices == ()
    assert office.head_title == "Kepala Dinas"
    assert office.photo_ratio == "3x4"
    assert office.source_file == str(write_office())
    assert [(k.code, k.name) for k in office.kecamatan] == [("32.01.01", "Cibinong"), ("32.01.02", "Gunung Putri")]


def test_opening_hours_monday_first(office):
    hours = office.opening_hours
    assert len(hours) == 7
    assert hours[0] == DayHours(time(8, 0), time(15, 0))
    assert hours[4] == DayHours(time(8, 0), time(11, 30))
    assert not hours[5].is_open_day and not hours[6].is_open_day


def test_opening_hours_accept_spaces_and_capital_tutup(write_office):
    office = load_office(write_office([('senin = "08:00-15:00"', 'senin = "07:30 - 16:00"'),
                                       ('sabtu = "tutup"', 'sabtu = "Tutup"')]))
    assert office.opening_hours[0] == DayHours(time(7, 30), time(16, 0))
    assert office.opening_hours[5] == DayHours(None, None)


def test_queue_policy_given_keys_and_defaults(office, write_office):
    assert office.queue == QueuePolicy(normal_run=4)
    without = load_office(write_office([("[queue]\nnormal_run = 4\n", "")]))
    assert without.queue == QueuePolicy()


def test_text_fields_string_and_table(office):
    kia = office.service("KIA")
    assert kia.name == Text("Kartu Identitas Anak", "Child ID card")
    assert kia.name.get("en") == "Child ID card"
    kk = office.service("KK")
    assert kk.name == Text("Kartu Keluarga", "")
    assert kk.name.get("en") == "Kartu Keluarga"  # falls back to Indonesian
    reason = kia.question("reason")
    assert [(c.value, c.label) for c in reason.choices] == [
        ("baru", Text("Baru")), ("hilang", Text("Hilang", "Lost")),
    ]


def test_text_is_stripped(write_office):
    office = load_office(write_office([('label = "Pas foto"', 'label = { id = "  Pas foto  ", en = "Photo" }')]))
    assert office.service("KIA").requirements[1].label == Text("Pas foto", "Photo")


def test_service_fields(office):
    kia, kk = office.services
    assert (kia.code, kia.prefix, kia.rules, kia.daily_quota, kia.pickup) == ("KIA", "A", "kia", 50, True)
    assert (kk.code, kk.prefix, kk.rules, kk.daily_quota, kk.completion_days) == ("KK", "B", None, None, None)
    assert [q.key for q in kia.questions] == ["birth_date", "reason", "punya_hp"]
    assert kia.question("punya_hp").required is False
    assert kia.question("birth_date").required is True


def test_steps_in_order_with_mutu_baku(office):
    kia = office.service("KIA")
    assert [s.code for s in kia.steps] == ["penerimaan", "verifikasi", "penyerahan"]
    assert [s.mutu_baku_minutes for s in kia.steps] == [3.0, 5.0, None]
    assert kia.step("verifikasi").mutu_baku_seconds == 300.0
    assert kia.step("penerimaan").source == "SOP 000 baris 2"
    assert office.service("KK").step("pemeriksaan").mutu_baku_minutes == 2.5


def test_conditions_become_condition_objects(office):
    kia = office.service("KIA")
    akta, foto, hilang = kia.requirements
    assert akta.when == Condition()
    assert foto.when.as_dict() == {"kia_variant": [2]}
    assert hilang.when.as_dict() == {"reason": ["hilang"]}
    assert foto.when.matches({"kia_variant": 2}) and not foto.when.matches({"kia_variant": 1})


def test_condition_with_several_keys_and_values(write_office):
    office = load_office(write_office([
        ("when = { kia_variant = 2 }", 'when = { kia_variant = [1, 2], reason = "baru", punya_hp = true }'),
    ]))
    when = office.service("KIA").requirements[1].when
    assert when.as_dict() == {"kia_variant": [1, 2], "reason": ["baru"], "punya_hp": [True]}
    assert when.matches({"kia_variant": 1, "reason": "baru", "punya_hp": True})
    assert not when.matches({"kia_variant": 1, "reason": "hilang", "punya_hp": True})


def test_counter_expansion_services_then_steps(office):
    first, second = office.counters
    # services = ["KK"] expands to every counter step of KK, then the explicit steps.
    assert first.serves == (("KK", "pemeriksaan"), ("KIA", "penerimaan"))
    assert second.serves == (("KIA", "penyerahan"),)
    assert first.serves_service("KIA") and not second.serves_service("KK")


def test_counter_service_expansion_skips_back_office_steps(write_office):
    office = load_office(write_office([('services = ["KK"]\nsteps = ["KIA:penerimaan"]', 'services = ["KIA", "KK"]')]))
    assert office.counter("1").serves == (("KIA", "penerimaan"), ("KIA", "penyerahan"), ("KK", "pemeriksaan"))


def test_counter_listing_a_step_twice_serves_it_once(write_office):
    office = load_office(write_office([('steps = ["KIA:penyerahan"]', 'steps = ["KIA:penyerahan", "KIA:penyerahan"]')]))
    assert office.counter("2").serves == (("KIA", "penyerahan"),)


def test_counter_name_default_and_table(office):
    assert office.counter("1").name == Text("Loket 1", "Counter 1")
    assert office.counter("2").name == Text("Loket Distribusi", "Distribution counter")
    assert office.counter("2").number == 2


def test_ikd_style_eligibility_questions(write_office):
    ikd_questions = "".join(
        f'\n[[services.questions]]\nkey = "{key}"\nkind = "bool"\nlabel = "{key}?"\neligible_if = true\n'
        f'ineligible_message = {{ id = "Tidak bisa: {key}", en = "Not possible: {key}" }}\n'
        for key in ("ktp_el_recorded", "age17_or_married", "has_device_and_email")
    )
    office = load_office(write_office([
        ('prefix = "B"\n', 'prefix = "B"\nrules = "ikd"\npickup = false\n' + ikd_questions),
    ]))
    kk = office.service("KK")
    assert kk.rules == "ikd" and kk.pickup is False
    question = kk.question("age17_or_married")
    assert question.eligible_if is True
    assert question.ineligible_message == Text("Tidak bisa: age17_or_married", "Not possible: age17_or_married")


def test_loaded_office_is_frozen(office):
    with pytest.raises(FrozenInstanceError):
        office.code = "lain"  # type: ignore[misc]
    assert isinstance(office.services, tuple) and isinstance(office.counters[0].serves, tuple)
