"""The kiosk's citizen path without a window, against a fake API backed by the real
domain rules of the shipped Paser office (checklists are the server's)."""
from __future__ import annotations

from datetime import date

import pytest

from kiosk.api import ApiError
from kiosk.controller import (CHECKLIST, CONFIRMATION, INELIGIBLE, ISSUING, NOTICE, PRIORITY, QUESTION, SERVICES,
                              STATUS, WELCOME, IKM, IKM_DONE, DatePicker, KioskController)

TODAY = date(2026, 11, 23)  # the fake API's application date (conftest.TODAY)


def down() -> ApiError:
    return ApiError("unreachable", "Server antrean tidak dapat dihubungi.", "The queue server cannot be reached.",
                    retryable=True)


def slow() -> ApiError:
    return ApiError("timeout", "Server antrean tidak menjawab tepat waktu.", "The queue server did not answer in time.",
                    retryable=True)


def set_date(k, target: date):
    p = k.date_picker
    k.adjust_date("year", target.year - p.year)
    while p.month != target.month:
        k.adjust_date("month", 1)
    while p.day != target.day:
        k.adjust_date("day", 1)


def kia_to_checklist(k, runner, birth: date, reason="baru", priority=None):
    assert k.begin()
    assert k.screen == SERVICES
    assert k.choose_service("KIA")
    assert k.screen == QUESTION and k.question["kind"] == "date"
    set_date(k, birth)
    assert k.date_picker.value == birth
    assert k.confirm_date()
    assert k.question["key"] == "reason"
    assert k.answer(reason)
    runner.run()
    assert k.screen == PRIORITY
    assert k.choose_priority(priority)
    assert k.screen == CHECKLIST


def codes(k):
    return [i["code"] for i in k.checklist_items]


def test_kia_three_year_old_no_photo(kiosk, runner, api, printer):
    kia_to_checklist(kiosk, runner, date(2023, 5, 10))
    assert codes(kiosk) == ["akta_kelahiran", "kk_orang_tua"]
    assert kiosk.photo_hint() == "Anak berumur 3 tahun: TIDAK perlu pas foto."
    assert kiosk.take_ticket()
    assert kiosk.screen == ISSUING and kiosk.busy
    runner.run()
    assert kiosk.screen == CONFIRMATION and kiosk.print_ok is True
    assert kiosk.ticket["number"] == "A001"
    out = printer.output
    assert b"A001" in out and kiosk.ticket["code"].encode() in out
    assert b"Fotokopi akta kelahiran" in out and b"pas foto" not in out.lower()
    assert list(api.tickets.values())[0]["answers"] == {"birth_date": "2023-05-10", "reason": "baru"}


def test_kia_seven_year_old_photo_and_english(kiosk, runner, printer):
    assert kiosk.set_lang("en")
    kia_to_checklist(kiosk, runner, date(2019, 6, 1), priority="ibu_anak")
    assert "pas_foto" in codes(kiosk)
    assert kiosk.photo_hint() == "Child aged 7: a photo IS needed."
    kiosk.take_ticket()
    runner.run()
    assert kiosk.ticket["priority"] == "ibu_anak"
    assert kiosk.ticket_checklist_labels()[-1] == "One colour passport photo, 4x6 cm"
    assert b"One colour passport photo" in printer.output
    assert kiosk.confirmation_lines() == ["People ahead of you: 0", "Estimated wait: about 0 min"]


def test_kia_seventeen_is_ineligible_and_gets_no_ticket(kiosk, runner, api):
    kiosk.begin()
    kiosk.choose_service("KIA")
    set_date(kiosk, date(2008, 1, 1))
    kiosk.confirm_date()
    kiosk.answer("baru")
    runner.run()
    assert kiosk.screen == INELIGIBLE
    assert kiosk.ineligible and "17" in kiosk.ineligible[0]
    assert not kiosk.take_ticket()
    assert api.tickets == {}


def test_future_birth_date_refused_on_the_spot(kiosk):
    kiosk.begin()
    kiosk.choose_service("KIA")
    set_date(kiosk, date(2026, 12, 25))
    assert not kiosk.confirm_date()
    assert kiosk.screen == QUESTION and "masa depan" in kiosk.message


@pytest.mark.parametrize("reason,expected", [
    ("keluarga_baru", ["formulir_f102", "buku_nikah", "kk_lama"]),
    ("kelahiran", ["formulir_f102", "kk_lama", "surat_keterangan_lahir"]),
    ("hilang_rusak", ["formulir_f102", "surat_kehilangan_atau_kk_rusak"]),
])
def test_kk_reason_shapes_checklist(kiosk, runner, reason, expected):
    kiosk.begin()
    kiosk.choose_service("KK")
    assert kiosk.question["kind"] == "choice" and len(kiosk.question["choices"]) == 5
    assert not kiosk.answer("tidak_ada")  # not one of the choices
    kiosk.answer(reason)
    runner.run()
    kiosk.choose_priority(None)
    assert codes(kiosk) == expected
    assert kiosk.photo_hint() == ""


def test_ikd_no_to_eligibility_question_stops_with_reason(kiosk, runner, api):
    kiosk.begin()
    kiosk.choose_service("IKD")
    assert kiosk.answer(True)
    assert kiosk.answer(False)  # not 17 / married
    assert kiosk.screen == INELIGIBLE
    assert "Kartu Identitas Anak" in kiosk.ineligible[0]
    assert "requirements" not in api.calls and api.tickets == {}
    kiosk.back()
    assert kiosk.screen == SERVICES


def test_ikd_all_yes_gets_ticket(kiosk, runner, api):
    kiosk.begin()
    kiosk.choose_service("IKD")
    for _ in range(3):
        kiosk.answer(True)
    runner.run()
    kiosk.choose_priority("lansia")
    assert codes(kiosk) == ["ktp_el", "hp_sendiri", "email_aktif"]
    kiosk.take_ticket()
    runner.run()
    assert kiosk.ticket["number"] == "C001" and kiosk.ticket["priority"] == "lansia"


def test_generic_bool_question_akta(kiosk, runner):
    kiosk.begin()
    kiosk.choose_service("AKTA_LAHIR")
    assert not kiosk.answer("yes")  # bools only
    kiosk.answer(False)
    runner.run()
    kiosk.choose_priority(None)
    assert "sptjm_kelahiran" in codes(kiosk) and "surat_keterangan_lahir" not in codes(kiosk)


def test_closed_service_is_greyed_and_not_selectable(make_kiosk, api):
    api.closed.add("KK")
    k = make_kiosk()
    k.begin()
    kk = next(s for s in k.services if s["code"] == "KK")
    assert k.service_state(kk) == (False, "Kuota hari ini habis")
    assert not k.choose_service("KK")
    assert k.screen == SERVICES


def test_double_tap_and_tap_during_transition_make_one_ticket(kiosk, runner, api):
    kia_to_checklist(kiosk, runner, date(2020, 2, 29))
    assert kiosk.take_ticket()
    assert not kiosk.take_ticket()  # second tap of a double tap
    assert not kiosk.back() and not kiosk.set_lang("en")  # taps during the transition
    runner.run()
    assert len(api.tickets) == 1 and api.calls.count("issue_ticket") == 1
    assert not kiosk.take_ticket()  # on the confirmation screen now


def test_taps_while_answer_loading_are_ignored(kiosk, runner):
    kiosk.begin()
    kiosk.choose_service("KK")
    kiosk.answer("pindah")
    assert kiosk.busy
    assert not kiosk.answer("pindah") and not kiosk.choose_priority(None)
    runner.run()
    assert kiosk.screen == PRIORITY


def test_server_down_during_issue_retries_with_same_key(kiosk, runner, clock, api, printer):
    kia_to_checklist(kiosk, runner, date(2021, 3, 3))
    api.faults["issue_ticket"] = [down(), down()]
    kiosk.take_ticket()
    runner.run()
    assert kiosk.screen == ISSUING and "Mencoba lagi" in kiosk.message
    assert printer.output == b""  # nothing printed before the server recorded the ticket
    clock.advance(2)
    runner.run()
    assert "(2)" in kiosk.message
    clock.advance(4)
    runner.run()
    assert kiosk.screen == CONFIRMATION and len(api.tickets) == 1
    assert api.calls.count("issue_ticket") == 3
    assert len(printer.jobs) == 1


def test_slow_server_recorded_ticket_is_not_issued_twice(kiosk, runner, clock, api, printer):
    """The server committed, then the answer timed out: the retry returns the same ticket."""
    kia_to_checklist(kiosk, runner, date(2021, 3, 3))
    api.record_then_fail.append(slow())
    kiosk.take_ticket()
    runner.run()
    assert kiosk.screen == ISSUING
    clock.advance(2)
    runner.run()
    assert kiosk.screen == CONFIRMATION
    assert len(api.tickets) == 1 and kiosk.ticket["created"] is False
    assert len(printer.jobs) == 1 and b"A001" in printer.output


def test_server_down_gives_up_after_retries_without_printing(kiosk, runner, clock, api, printer):
    kia_to_checklist(kiosk, runner, date(2021, 3, 3))
    api.faults["issue_ticket"] = [down() for _ in range(10)]
    kiosk.take_ticket()
    runner.run()
    for _ in range(6):
        clock.advance(10)
        runner.run()
    assert kiosk.screen == NOTICE and "petugas" in kiosk.message
    assert api.tickets == {} and printer.output == b""
    clock.advance(20)
    assert kiosk.screen == WELCOME


def test_not_retryable_refusal_shown_with_server_message(kiosk, runner, api, printer):
    kia_to_checklist(kiosk, runner, date(2021, 3, 3))
    api.faults["issue_ticket"] = [ApiError("kuota_habis", "Kuota Kartu Identitas Anak (KIA) hari ini sudah habis.",
                                           "Quota used up", status=409)]
    kiosk.take_ticket()
    runner.run()
    assert kiosk.screen == NOTICE and kiosk.message.startswith("Kuota")
    assert api.calls.count("issue_ticket") == 1 and printer.output == b""


def test_printer_fault_shows_number_and_reports(make_kiosk, runner, api, failing_printer):
    k = make_kiosk(printer=failing_printer)
    kia_to_checklist(k, runner, date(2019, 6, 1))
    k.take_ticket()
    runner.run()
    assert k.screen == CONFIRMATION and k.print_ok is False
    assert k.ticket["number"] == "A001"
    assert "catat nomor Anda" in k.t("printer_fault")
    assert api.device_faults == [("printer", "connection_refused", api.device_faults[0][2], "A001")]
    assert len(api.tickets) == 1


def test_walk_away_mid_flow_creates_nothing(kiosk, runner, clock, api):
    kiosk.begin()
    kiosk.choose_service("KIA")
    clock.advance(59)
    assert kiosk.screen == QUESTION
    kiosk.adjust_date("year", -1)  # a tap re-arms the idle timer
    clock.advance(59)
    assert kiosk.screen == QUESTION
    clock.advance(2)
    assert kiosk.screen == WELCOME and kiosk.service is None
    runner.run()
    assert api.tickets == {}


def test_walk_away_while_checklist_loads_discards_late_answer(kiosk, runner, clock, api):
    kiosk.begin()
    kiosk.choose_service("KK")
    kiosk.answer("pindah")  # requirements call in flight
    clock.advance(61)
    assert kiosk.screen == WELCOME
    runner.run()
    assert kiosk.screen == WELCOME and kiosk.checklist is None


def test_issuing_screen_never_times_out_while_retrying(kiosk, runner, clock, api):
    kia_to_checklist(kiosk, runner, date(2021, 3, 3))
    api.faults["issue_ticket"] = [down(), down(), down()]
    kiosk.take_ticket()
    runner.run()
    clock.advance(2); runner.run()
    clock.advance(4); runner.run()
    clock.advance(8); runner.run()
    assert kiosk.screen == CONFIRMATION


def test_confirmation_returns_to_welcome(kiosk, runner, clock):
    kia_to_checklist(kiosk, runner, date(2022, 1, 1))
    kiosk.take_ticket()
    runner.run()
    clock.advance(19)
    assert kiosk.screen == CONFIRMATION
    clock.advance(1)
    assert kiosk.screen == WELCOME and kiosk.ticket is None


def test_idempotency_key_new_per_flow(kiosk, runner, api):
    kia_to_checklist(kiosk, runner, date(2022, 1, 1))
    first = kiosk.idempotency_key
    kiosk.take_ticket()
    runner.run()
    kiosk.go_home()
    runner.run()
    kia_to_checklist(kiosk, runner, date(2022, 1, 1))
    assert kiosk.idempotency_key != first
    kiosk.take_ticket()
    runner.run()
    assert [t["number"] for t in api.tickets.values()] == ["A001", "A002"]


def test_begin_while_server_down_shows_message_and_retries(make_kiosk, api, runner, clock):
    api.faults["offices"] = [down()]
    k = make_kiosk()
    assert k.server_ok is False and k.services == []
    api.faults["services"] = [down()]
    k.begin()
    runner.run()
    assert k.screen == WELCOME and "Mencoba lagi" in k.message
    clock.advance(2)
    runner.run()
    assert k.screen == SERVICES


def test_back_navigation(kiosk, runner):
    kiosk.begin()
    kiosk.choose_service("KIA")
    kiosk.confirm_date()
    assert kiosk.question["key"] == "reason"
    kiosk.back()
    assert kiosk.question["key"] == "birth_date"
    assert kiosk.date_picker.value == date(TODAY.year - 5, 1, 1)  # the answer given is kept
    kiosk.back()
    assert kiosk.screen == SERVICES
    kiosk.back()
    assert kiosk.screen == WELCOME


def test_language_switch_reloads_checklist(kiosk, runner):
    kia_to_checklist(kiosk, runner, date(2019, 6, 1))
    assert kiosk.checklist_items[0]["label"].startswith("Fotokopi")
    kiosk.set_lang("en")
    runner.run()
    assert kiosk.screen == CHECKLIST and kiosk.checklist_items[0]["label"].startswith("Copy")
    assert kiosk.service["name"] == "Child Identity Card (KIA)"


def test_status_check_by_typing_and_scanner(kiosk, runner, api):
    api.status_answers["K2345678"] = {"kind": "ticket", "number": "A001", "service": "KIA", "status": "waiting",
                                      "text": "menunggu dipanggil", "people_ahead": 2}
    api.status_answers["ABC23456"] = {"kind": "application", "code": "ABC23456", "service": "KIA",
                                      "text": "siap diambil di loket 5"}
    assert kiosk.open_status() and kiosk.screen == STATUS
    assert not kiosk.status_submit() and kiosk.message
    kiosk.status_type("k2345678")
    assert kiosk.status_code == "K2345678"
    kiosk.status_submit()
    runner.run()
    assert kiosk.status_lines() == ["Nomor A001: menunggu dipanggil", "Antrean sebelum Anda: 2"]
    kiosk.status_clear()
    kiosk.status_type("ABC23456\r")  # a barcode scanner types the code and Enter
    runner.run()
    assert kiosk.status_lines() == ["KIA ABC23456: siap diambil di loket 5"]
    kiosk.status_clear()
    kiosk.status_type("ZZZZ")
    kiosk.status_backspace()
    assert kiosk.status_code == "ZZZ"
    kiosk.status_submit()
    runner.run()
    assert kiosk.message == "Kode tidak ditemukan." and kiosk.status_result is None


def test_ikm_survey_nine_answers_tied_to_ticket(kiosk, runner, api, clock):
    kia_to_checklist(kiosk, runner, date(2022, 1, 1))
    kiosk.take_ticket()
    runner.run()
    code = kiosk.ticket["code"]
    assert kiosk.open_ikm()
    runner.run()
    assert kiosk.screen == IKM and len(kiosk.ikm_elements) == 9
    assert kiosk.ikm_element["answers"][0]["label"] == "Tidak sesuai"
    assert not kiosk.ikm_answer(5)
    for i in range(9):
        assert kiosk.ikm_answer(4 if i else 3)
    runner.run()
    assert kiosk.screen == IKM_DONE
    assert api.ikm == [([3, 4, 4, 4, 4, 4, 4, 4, 4], code)]
    clock.advance(20)
    assert kiosk.screen == WELCOME


def test_ikm_anonymous_from_welcome_and_back(kiosk, runner, api):
    kiosk.open_ikm()
    runner.run()
    kiosk.ikm_answer(2)
    kiosk.back()
    assert kiosk.ikm_index == 0 and kiosk.ikm_answers == []
    for _ in range(9):
        kiosk.ikm_answer(3)
    runner.run()
    assert api.ikm == [([3] * 9, None)]


def test_date_picker_clamps_and_wraps():
    p = DatePicker(2020, 1, 31, 2009, 2026)
    p.adjust("month", 1)
    assert p.value == date(2020, 2, 29)
    p.adjust("year", 1)
    assert p.value == date(2021, 2, 28)
    p.adjust("day", 1)
    assert p.value == date(2021, 2, 1)
    p.adjust("month", -2)
    assert p.value == date(2021, 12, 1)
    p.adjust("year", 50)
    assert p.year == 2026
    with pytest.raises(ValueError):
        p.adjust("week", 1)


def test_ticket_model_for_printing(kiosk, runner):
    kia_to_checklist(kiosk, runner, date(2019, 6, 1))
    kiosk.take_ticket()
    runner.run()
    m = kiosk.ticket_model()
    assert m.number == "A001" and m.zone == "WITA" and m.issued_at.utcoffset().total_seconds() == 8 * 3600
    assert m.office_short == "Disdukcapil Paser" and m.status_code == kiosk.ticket["code"]
    assert len(m.checklist) == 3


def test_no_ticket_model_without_ticket(api, printer):
    k = KioskController(api, printer)
    with pytest.raises(ValueError):
        k.ticket_model()


def test_one_refresh_loop_while_the_server_is_down(make_kiosk, api, runner, clock):
    api.faults["offices"] = [down() for _ in range(50)]
    k = make_kiosk()
    for _ in range(5):  # several citizens give up: every return to welcome asks for a refresh
        k.go_home()
        runner.run()
    assert api.calls.count("offices") == 6 and k.server_ok is False
    clock.advance(10)
    runner.run()
    assert api.calls.count("offices") == 7  # one retry loop, not six
    api.faults["offices"] = []
    clock.advance(10)
    runner.run()
    assert k.server_ok is True and k.services and api.calls.count("offices") == 8
    clock.advance(60)
    runner.run()
    assert api.calls.count("offices") == 8  # no loop left once the server answers
