"""The kiosk's citizen path without a window, against a fake API backed by the real
domain rules of the shipped Paser office (checklists are the server's)."""
from __future__ import annotations

import calendar
from datetime import date

import pytest

from kiosk.api import ApiError
from kiosk.controller import (CHECKLIST, CONFIRMATION, INELIGIBLE, ISSUING, NOTICE, PRIORITY, QUESTION, SCREENS, SERVICES,
                              STATUS, WELCOME, IKM, IKM_DONE, NOTIFY, DATE_REFUSALS, DateEntry,
                              KioskController)

TODAY = date(2026, 11, 23)  # the fake API's application date (conftest.TODAY)


def down() -> ApiError:
    return ApiError("unreachable", "Server antrean tidak dapat dihubungi.", "The queue server cannot be reached.",
                    retryable=True)


def slow() -> ApiError:
    return ApiError("timeout", "Server antrean tidak menjawab tepat waktu.", "The queue server did not answer in time.",
                    retryable=True)


def digits(target: date) -> str:
    return target.strftime("%d%m") + f"{target.year:04d}"


def set_date(k, target: date):
    """Type the date on the keypad: eight taps."""
    k.date_clear()
    for ch in digits(target):
        assert k.date_digit(ch), (ch, k.message)


def kia_to_checklist(k, runner, birth: date, reason="baru", priority=None):
    assert k.begin()
    assert k.screen == SERVICES
    assert k.choose_service("KIA")
    assert k.screen == QUESTION and k.question["kind"] == "date"
    set_date(k, birth)
    assert k.date_entry.value == birth
    assert k.confirm_date()
    runner.run()
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
    # the priority is marked on the screen and on paper (issue 11 item 17)
    assert kiosk.confirmation_lines() == ["Priority: With a baby / small child", "People ahead of you: 0",
                                          "Estimated wait: about 0 min"]
    assert b"PRIORITY: With a baby" in printer.output  # 58 mm paper wraps the rest


def test_a_disaster_victim_can_ask_for_priority_at_the_kiosk(kiosk, runner, printer):
    """UU 25/2009 Pasal 29 names victims of a disaster among those served first."""
    kia_to_checklist(kiosk, runner, date(2021, 3, 3), priority="korban_bencana")
    kiosk.take_ticket()
    runner.run()
    assert kiosk.ticket["priority"] == "korban_bencana"
    assert kiosk.confirmation_lines()[0] == "Prioritas: Korban bencana"
    assert b"PRIORITAS: Korban bencana" in printer.output


def test_kia_nineteen_is_refused_on_the_date_screen_and_can_correct(kiosk, runner, api):
    kiosk.begin()
    kiosk.choose_service("KIA")
    set_date(kiosk, date(2007, 1, 1))  # 19 years old
    kiosk.confirm_date()
    runner.run()
    assert api.calls[-1] == "requirements_partial"
    assert kiosk.screen == QUESTION and kiosk.question["key"] == "birth_date"
    assert "17" in kiosk.message and kiosk.date_refused
    assert not kiosk.answer("baru") and not kiosk.take_ticket()
    # a typing mistake in the year: fixed on the same screen
    for _ in range(2):
        kiosk.date_backspace()
    assert kiosk.message == "" and kiosk.date_entry.display == "01-01-20__"
    assert kiosk.date_digit("1") and kiosk.date_digit("7")
    kiosk.confirm_date()
    runner.run()
    assert kiosk.question["key"] == "reason" and kiosk.answers["birth_date"] == "2017-01-01"
    assert api.tickets == {}


def test_kia_seventeen_is_ineligible_and_gets_no_ticket(kiosk, runner, api):
    kiosk.begin()
    kiosk.choose_service("KIA")
    set_date(kiosk, date(2008, 1, 1))
    kiosk.confirm_date()
    runner.run()
    assert kiosk.screen == QUESTION and "17" in kiosk.message
    assert not kiosk.take_ticket()
    assert api.tickets == {}


def test_a_teenager_is_asked_whether_ever_married_a_small_child_is_not(kiosk, runner, api):
    # Permendagri 2/2016: KIA for children under 17 who have never married (asked from 10)
    kiosk.begin()
    kiosk.choose_service("KIA")
    set_date(kiosk, date(2012, 5, 5))  # 14
    kiosk.confirm_date()
    runner.run()
    assert [q["key"] for q in kiosk.questions] == ["birth_date", "reason", "never_married"]
    kiosk.answer("baru")
    runner.run()
    assert kiosk.question["key"] == "never_married"
    assert kiosk.answer(False)
    assert kiosk.screen == INELIGIBLE and "KTP-el" in " ".join(kiosk.ineligible)
    assert api.tickets == {}
    kiosk.go_home()
    kiosk.begin()
    kiosk.choose_service("KIA")
    set_date(kiosk, date(2019, 6, 1))  # 7: not asked
    kiosk.confirm_date()
    runner.run()
    assert [q["key"] for q in kiosk.questions] == ["birth_date", "reason"]


def test_future_birth_date_refused_on_the_spot(kiosk):
    kiosk.begin()
    kiosk.choose_service("KIA")
    for ch in "2512202":
        assert kiosk.date_digit(ch)
    assert not kiosk.date_digit("6")  # 25-12-2026 lies after today (2026-11-23)
    assert kiosk.screen == QUESTION and "masa depan" in kiosk.message
    assert kiosk.date_entry.display == "25-12-202_"
    assert not kiosk.confirm_date() and "belum lengkap" in kiosk.message


@pytest.mark.parametrize("typed,refused_at,reason", [
    ("4", 0, "day"), ("32", 1, "day"), ("00", 1, "day"), ("012", 2, "month"), ("0113", 3, "month"),
    ("3102", 3, "no_such_day"), ("29022023", 7, "no_such_day"), ("01013", 4, "future"),
    ("010118", 5, "too_old"), ("0101190", 6, "too_old"), ("010120261", 8, "full"),
])
def test_date_keypad_refuses_digits_that_cannot_make_a_date(typed, refused_at, reason):
    entry = DateEntry(date(1926, 1, 1), date(2026, 11, 23))
    for i, ch in enumerate(typed):
        got = entry.press(ch)
        if i < refused_at:
            assert got is None, (typed[:i + 1], got)
        else:
            assert got == reason and len(entry.digits) == refused_at
            assert reason in DATE_REFUSALS


def test_date_keypad_takes_eight_taps_where_steppers_took_up_to_thirty():
    """Issue 18 item 7: taps for three birth dates, before (+/- steppers starting at 1 Jan
    five years back, as shipped until now) and after (the keypad)."""
    today = date(2026, 11, 23)

    def stepper_taps(d: date) -> int:
        """The old picker at its best: one tap per step, month and day wrapping both ways."""
        days = calendar.monthrange(d.year, d.month)[1]
        return abs(d.year - (today.year - 5)) + min(d.month - 1, 13 - d.month) + min(d.day - 1, days - d.day + 1)

    dates = [date(2019, 8, 17), date(2024, 12, 31), date(1960, 5, 9)]
    before = [stepper_taps(d) for d in dates]
    after = []
    for d in dates:
        entry = DateEntry(date(1926, 1, 1), today)
        taps = 0
        for ch in digits(d):
            assert entry.press(ch) is None
            taps += 1
        assert entry.value == d
        after.append(taps)
    assert before == [22, 5, 73] and after == [8, 8, 8]
    assert DateEntry.from_date(date(2019, 8, 17), date(1926, 1, 1), today).display == "17-08-2019"
    with pytest.raises(ValueError):
        DateEntry(date(1926, 1, 1), today).press("x")


@pytest.mark.parametrize("reason,expected", [
    ("keluarga_baru", ["formulir_f102", "buku_nikah", "kk_lama"]),
    ("kelahiran", ["formulir_f102", "kk_lama", "surat_keterangan_lahir"]),
    ("hilang_rusak", ["formulir_f102", "surat_kehilangan_atau_kk_rusak"]),
    # Perpres 96/2018: a death and a return from abroad (issue 11 item 17)
    ("kematian", ["formulir_f102", "kk_lama", "akta_kematian"]),
    ("datang_luar_negeri", ["formulir_f102", "dokumen_datang_luar_negeri"]),
])
def test_kk_reason_shapes_checklist(kiosk, runner, reason, expected):
    kiosk.begin()
    kiosk.choose_service("KK")
    assert kiosk.question["kind"] == "choice" and len(kiosk.question["choices"]) == 7
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


def test_quota_used_up_says_when_to_come_back(make_kiosk, api):
    api.closed.add("KK")
    api.status_of["KK"] = {"opens_at": "2026-11-24T08:00:00+08:00"}
    k = make_kiosk()
    kk = next(s for s in k.services if s["code"] == "KK")
    assert k.service_state(kk) == (False, "Kuota hari ini habis · datang lagi besok pukul 08:00")
    assert k.closed_notice() is None  # other services still take numbers
    assert k.begin()


def test_every_service_closed_explains_hours_and_offers_no_number(make_kiosk, api):
    for sv in api.office_obj.services:
        api.status_of[sv.code] = {"open": False, "reason": "closed", "opens_at": "2026-11-30T08:00:00+08:00",
                                  "closed_reason": ""}
    k = make_kiosk()
    title, lines = k.closed_notice()
    assert title == "Layanan sedang tutup"
    assert lines[0] == "Buka lagi Senin, 30 November 2026 pukul 08:00."
    assert lines[1].startswith("Jam layanan: Senin–Kamis 08:00–15:00 · Jumat 08:00–11:30 · Sabtu–Minggu tutup")
    assert not k.begin() and k.screen == WELCOME
    kia = next(s for s in k.services if s["code"] == "KIA")
    assert k.service_state(kia) == (False, "Tutup · buka lagi Senin, 30 November 2026 pukul 08:00")
    k.set_lang("en")
    assert k.closed_notice()[1][0] == "Opens again Monday, 30 November 2026 at 08:00."
    assert k.open_status()  # the status check still works while closed


def test_a_public_holiday_is_named(make_kiosk, api):
    for sv in api.office_obj.services:
        api.status_of[sv.code] = {"open": False, "reason": "closed", "opens_at": "2026-11-24T08:00:00+08:00",
                                  "closed_reason": "Hari Raya Natal"}
    k = make_kiosk()
    assert k.closed_notice()[1][:2] == ["Hari Raya Natal", "Buka lagi besok pukul 08:00."]


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


def test_server_down_keeps_the_answers_then_try_again_makes_one_ticket(kiosk, runner, clock, api, printer):
    kia_to_checklist(kiosk, runner, date(2021, 3, 3), reason="hilang")
    api.faults["issue_ticket"] = [down() for _ in range(6)]
    kiosk.take_ticket()
    runner.run()
    for _ in range(6):
        clock.advance(10)
        runner.run()
    # retries used up: back on the checklist, told so, nothing lost or printed
    assert kiosk.screen == CHECKLIST and kiosk.stalled is not None and not kiosk.busy
    assert "tetap tersimpan" in kiosk.message
    assert kiosk.answers == {"birth_date": "2021-03-03", "reason": "hilang"} and kiosk.checklist_items
    assert api.tickets == {} and printer.output == b""
    key = kiosk.idempotency_key
    clock.advance(30)
    assert kiosk.screen == CHECKLIST  # no 20-second notice that throws the answers away
    assert kiosk.retry_now()
    runner.run()
    assert kiosk.screen == CONFIRMATION and kiosk.stalled is None
    assert len(api.tickets) == 1 and key in api.tickets and len(printer.jobs) == 1


def test_waiting_for_the_server_retries_until_it_is_back_without_timing_out(kiosk, runner, clock, api, printer):
    kia_to_checklist(kiosk, runner, date(2021, 3, 3))
    api.faults["issue_ticket"] = [down() for _ in range(20)]
    kiosk.take_ticket()
    runner.run()
    for _ in range(6):
        clock.advance(10)
        runner.run()
    assert kiosk.stalled is not None
    assert kiosk.wait_for_server()
    assert kiosk.waiting
    for _ in range(12):  # two minutes: longer than the 60 s idle timeout
        clock.advance(10)
        runner.run()
    assert kiosk.screen in (CHECKLIST, ISSUING) and kiosk.waiting and "Menunggu" in kiosk.message
    api.faults["issue_ticket"] = []
    for _ in range(4):  # the next retry within half a minute
        clock.advance(10)
        runner.run()
        if kiosk.screen == CONFIRMATION:
            break
    assert kiosk.screen == CONFIRMATION and not kiosk.waiting and len(api.tickets) == 1


def test_waiting_ends_after_the_limit_and_stop_waiting(kiosk, runner, clock, api):
    kia_to_checklist(kiosk, runner, date(2021, 3, 3))
    api.faults["issue_ticket"] = [down() for _ in range(200)]
    kiosk.take_ticket()
    runner.run()
    for _ in range(6):
        clock.advance(10)
        runner.run()
    kiosk.wait_for_server()
    for _ in range(31):
        clock.advance(10)
        runner.run()
    assert not kiosk.waiting
    for _ in range(3):
        clock.advance(10)
        runner.run()
    assert kiosk.stalled is not None and kiosk.screen == CHECKLIST
    assert kiosk.wait_for_server() and kiosk.waiting
    runner.run()
    for _ in range(5):
        clock.advance(10)
        runner.run()
    assert kiosk.stop_waiting() and not kiosk.waiting
    clock.advance(61)
    assert kiosk.screen == WELCOME and api.tickets == {}  # the citizen left: nothing was made


def test_server_down_on_the_date_check_keeps_the_typed_date(kiosk, runner, clock, api):
    kiosk.begin()
    kiosk.choose_service("KIA")
    set_date(kiosk, date(2020, 2, 29))
    api.faults["requirements"] = [down() for _ in range(6)]
    api.faults["requirements_partial"] = api.faults["requirements"]
    kiosk.confirm_date()
    runner.run()
    for _ in range(6):
        clock.advance(10)
        runner.run()
    assert kiosk.screen == QUESTION and kiosk.stalled is not None
    assert kiosk.date_entry.value == date(2020, 2, 29)
    api.faults["requirements"].clear()
    assert kiosk.retry_now()
    runner.run()
    assert kiosk.question["key"] == "reason" and kiosk.answers["birth_date"] == "2020-02-29"


def test_not_retryable_refusal_shown_with_server_message(kiosk, runner, api, printer):
    kia_to_checklist(kiosk, runner, date(2021, 3, 3))
    api.faults["issue_ticket"] = [ApiError("kuota_habis", "Kuota Kartu Identitas Anak (KIA) hari ini sudah habis.",
                                           "Quota used up", status=409)]
    kiosk.take_ticket()
    runner.run()
    assert kiosk.screen == NOTICE and kiosk.message.startswith("Kuota")
    assert api.calls.count("issue_ticket") == 1 and printer.output == b""


def test_printer_fault_shows_number_and_reports(make_kiosk, runner, api, failing_printer, clock):
    k = make_kiosk(printer=failing_printer)
    kia_to_checklist(k, runner, date(2019, 6, 1))
    k.take_ticket()
    runner.run()
    assert k.screen == CONFIRMATION and k.print_ok is False
    assert k.ticket["number"] == "A001"
    assert "mencetak ulang" in k.t("printer_fault")
    assert k.ticket_checklist_labels()[0].startswith("Fotokopi")
    clock.advance(600)  # the number stays until the citizen taps "Selesai"
    assert k.screen == CONFIRMATION and k.ticket["number"] == "A001"
    k.go_home()
    assert k.screen == WELCOME
    assert api.device_faults == [("printer", "connection_refused", api.device_faults[0][2], "A001")]
    assert len(api.tickets) == 1


def test_walk_away_mid_flow_creates_nothing(kiosk, runner, clock, api):
    kiosk.begin()
    kiosk.choose_service("KIA")
    clock.advance(59)
    assert kiosk.screen == QUESTION
    kiosk.date_digit("1")  # a tap re-arms the idle timer
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
    set_date(kiosk, date(2021, 3, 3))
    kiosk.confirm_date()
    runner.run()
    assert kiosk.question["key"] == "reason"
    kiosk.back()
    assert kiosk.question["key"] == "birth_date"
    assert kiosk.date_entry.value == date(2021, 3, 3)  # the answer given is kept
    kiosk.back()
    assert kiosk.screen == SERVICES
    kiosk.back()
    assert kiosk.screen == WELCOME


def test_the_visitors_language_stays_until_the_kiosk_sits_idle(kiosk, runner, clock):
    assert kiosk.set_lang("en")
    kia_to_checklist(kiosk, runner, date(2022, 1, 1))
    kiosk.take_ticket()
    runner.run()
    assert kiosk.screen == CONFIRMATION
    kiosk.go_home()
    runner.run()
    assert kiosk.screen == WELCOME and kiosk.lang == "en"  # back to welcome: still English
    kiosk.open_status()
    kiosk.back()
    clock.advance(60)
    assert kiosk.lang == "en"
    clock.advance(31)  # 90 s untouched on welcome: the next visitor is greeted in Bahasa Indonesia
    assert kiosk.screen == WELCOME and kiosk.lang == "id"
    clock.advance(600)
    assert kiosk.lang == "id"


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


def _booking(code, service="KK", status="booked"):
    return {"kind": "booking", "code": code, "service": service, "service_name": "Kartu Keluarga",
            "status": status, "text": "terdaftar untuk Selasa pukul 08:30 WITA"}


def test_booking_check_in_issues_a_booked_ticket_and_prints_it(kiosk, runner, api, printer):
    api.status_answers["BK234567"] = _booking("BK234567")
    api.booking_answers["BK234567"] = {"reason": "kelahiran"}
    kiosk.open_status()
    kiosk.status_type("http://loket.example/s/BK234567\r")  # the scanner types the QR's URL
    runner.run()
    assert kiosk.status_code == "BK234567" and kiosk.can_check_in() and not kiosk.can_walk_in()
    assert kiosk.status_lines()[0] == "Kode booking BK234567"
    assert kiosk.check_in()
    runner.run()
    assert kiosk.screen == CONFIRMATION and kiosk.ticket["booked"] is True and kiosk.ticket["number"] == "B001"
    assert len(printer.jobs) == 1 and b"B001" in printer.jobs[0] and api.calls.count("check_in") == 1


def test_booking_too_early_says_when_and_offers_nothing_else(kiosk, runner, api):
    api.status_answers["BK234567"] = _booking("BK234567")
    api.check_in_refusals["BK234567"] = ApiError(
        "check_in_terlalu_awal", "Terlalu awal: check-in untuk sesi 08:30 dibuka pukul 08:00 WITA.",
        "Too early: check-in for the 08:30 slot opens at 08:00 WITA.", status=409, details={"opens": "08:00"})
    kiosk.open_status()
    kiosk.status_type("BK234567\r")
    runner.run()
    kiosk.check_in()
    runner.run()
    assert kiosk.screen == STATUS and "dibuka pukul 08:00" in kiosk.message
    assert kiosk.can_check_in() and not kiosk.can_walk_in() and "issue_ticket" not in api.calls


def test_booking_too_late_offers_a_walk_in_number_for_its_service(kiosk, runner, api, printer):
    api.status_answers["BK234567"] = _booking("BK234567", service="KIA")
    api.check_in_refusals["BK234567"] = ApiError(
        "check_in_terlambat", "Terlambat: check-in sesi 08:30 ditutup pukul 08:45. Anda masih bisa mengambil "
        "nomor antrean biasa.", "Too late.", status=409, details={"walk_in": True})
    kiosk.open_status()
    assert not kiosk.take_walk_in()  # nothing refused yet
    kiosk.status_type("BK234567\r")
    runner.run()
    kiosk.check_in()
    runner.run()
    assert kiosk.screen == STATUS and "Terlambat" in kiosk.message
    assert kiosk.can_walk_in() and not kiosk.can_check_in()
    assert kiosk.take_walk_in()
    runner.run()
    assert kiosk.screen == QUESTION and kiosk.service["code"] == "KIA" and kiosk.message == ""
    # from here the ordinary visit: the KIA questions, the checklist, a walk-in ticket
    kiosk.go_home()
    kia_to_checklist(kiosk, runner, date(2022, 1, 1))
    kiosk.take_ticket()
    runner.run()
    assert kiosk.screen == CONFIRMATION and kiosk.ticket["number"] == "A001" and "booked" not in kiosk.ticket


def test_a_released_booking_offers_a_walk_in_number(kiosk, runner, api):
    api.status_answers["BK234567"] = _booking("BK234567", service="KIA", status="no_show")
    kiosk.open_status()
    kiosk.status_type("BK234567\r")
    runner.run()
    assert not kiosk.can_check_in() and kiosk.can_walk_in() and "check_in" not in api.calls
    assert kiosk.take_walk_in()
    runner.run()
    assert kiosk.screen == QUESTION and kiosk.service["code"] == "KIA"


def test_a_new_code_forgets_the_walk_in_offer(kiosk, runner, api):
    api.status_answers["BK234567"] = _booking("BK234567")
    api.check_in_refusals["BK234567"] = ApiError("check_in_terlambat", "Terlambat.", status=409,
                                                 details={"walk_in": True})
    kiosk.open_status()
    kiosk.status_type("BK234567\r")
    runner.run()
    kiosk.check_in()
    runner.run()
    assert kiosk.can_walk_in()
    kiosk.status_backspace()
    assert not kiosk.can_walk_in()
    kiosk.status_type("7\r")
    runner.run()
    assert not kiosk.can_walk_in() and kiosk.can_check_in()


def test_notify_is_offered_only_when_the_office_messages_phones(kiosk, runner, api):
    kia_to_checklist(kiosk, runner, date(2022, 1, 1))
    assert not kiosk.can_notify() and not kiosk.open_notify()


def test_the_citizen_types_a_mobile_number_and_it_goes_with_the_ticket(make_kiosk, runner, api):
    api.notify_phone = True
    kiosk = make_kiosk()
    kia_to_checklist(kiosk, runner, date(2022, 1, 1))
    assert kiosk.can_notify() and kiosk.open_notify() and kiosk.screen == NOTIFY
    for d in "0812345":
        kiosk.notify_digit(d)
    assert not kiosk.notify_save() and kiosk.screen == NOTIFY and "Bukan nomor HP" in kiosk.message
    for d in "67890":
        kiosk.notify_digit(d)
    assert kiosk.notify_digits == "081234567890" and kiosk.message == ""
    assert kiosk.notify_save() and kiosk.screen == CHECKLIST
    assert kiosk.contact == "+6281234567890" and kiosk.contact_masked == "0812-****-7890"
    assert kiosk.take_ticket()
    runner.run()
    assert kiosk.screen == CONFIRMATION and api.contacts == ["+6281234567890"]
    kiosk.go_home()
    assert kiosk.contact == ""  # the next citizen starts without it
    kia_to_checklist(kiosk, runner, date(2022, 1, 1))
    kiosk.open_notify()
    kiosk.notify_digit("0")
    assert kiosk.notify_cancel() and kiosk.contact == ""
    kiosk.open_notify()
    for d in "081234567890":
        kiosk.notify_digit(d)
    kiosk.notify_save()
    assert kiosk.notify_remove() and kiosk.contact == ""
    kiosk.take_ticket()
    runner.run()
    assert api.contacts[-1] == ""


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


class RecordingGuide:
    """Stands in for kiosk.guide.AudioGuide: records what would be said."""

    def __init__(self):
        self.said = []

    def say(self, key):
        self.said.append(key)


def test_display_modes_are_the_citizens_and_reset_for_the_next_visitor(make_kiosk, clock):
    k = make_kiosk()
    assert k.modes() == {"high_contrast": False, "large_text": False, "audio_guide": False}
    assert k.toggle_contrast() and k.toggle_large_text()
    assert not k.toggle_audio_guide()  # the office offers no audio guidance on this kiosk
    k.begin()
    k.go_home()
    assert k.high_contrast and k.large_text  # the same visitor, back at welcome
    clock.advance(91)
    assert k.modes() == {"high_contrast": False, "large_text": False, "audio_guide": False}


def test_audio_guidance_speaks_each_screen_once_switched_on(make_kiosk, runner):
    guide = RecordingGuide()
    k = make_kiosk(guide=guide)
    k.begin()
    assert guide.said == []  # off by default
    k.go_home()
    assert k.toggle_audio_guide() and guide.said == ["welcome"]
    k.begin()
    k.choose_service("KIA")
    set_date(k, date(2019, 8, 17))
    k.confirm_date()
    runner.run()
    k.answer("baru")
    runner.run()
    assert guide.said == ["welcome", "services", "question_date", "question", "priority"]
    k.toggle_audio_guide()
    k.choose_priority(None)
    assert guide.said[-1] == "priority"


def test_guidance_texts_have_clips_in_the_shipped_pack():
    from display.voice import VoicePack, default_pack_dir
    from kiosk.guide import GUIDE_TEXTS, guide_key, guide_vocabulary

    pack = VoicePack(default_pack_dir())
    assert pack.missing(guide_vocabulary()) == []
    assert {guide_key(s) for s in SCREENS} - {None} | {"question_date"} == set(GUIDE_TEXTS)
    assert all(1.0 < pack.clip_duration(t) < 8.0 for t in guide_vocabulary())


def test_audio_guide_plays_the_newest_request_and_survives_a_missing_clip(tmp_path):
    from display.voice import FakeSink, VoicePack, default_pack_dir
    from kiosk.guide import AudioGuide

    sink = FakeSink(time_scale=0)
    guide = AudioGuide(VoicePack(default_pack_dir()), sink)
    guide.say("welcome")
    assert guide.idle()
    assert guide.spoken == ["welcome"] and len(sink.played) == 1
    broken = AudioGuide(VoicePack(tmp_path), FakeSink(time_scale=0))
    broken.say("services")
    assert broken.idle() and broken.spoken == []
    with pytest.raises(KeyError):
        guide.say("nowhere")
    guide.stop()
    broken.stop()
