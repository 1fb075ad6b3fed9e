"""The berkas state machine over SOP steps."""
import pytest

from queue_server.domain.errors import InvalidTransition
from queue_server.domain.office import Service, Step, Text
from queue_server.domain.workflow import (
    AT_STEP, CANCELLED, HANDED_OVER, READY, RETURNED, Transition, advance, applicable_steps, first_step,
    pickup_step,
)

V1 = {"kia_variant": 1}
V2 = {"kia_variant": 2}


def kk_service():
    """KK as in SOP 003: pickup at the distribution counter, then scan and archive."""
    s = lambda code, role, presence, minutes: Step(code, Text(code), role, presence, minutes, source="SOP 003")
    return Service(
        code="KK", name=Text("Kartu Keluarga"), prefix="B",
        steps=(
            s("periksa", "operator", "counter", 3),
            s("entri_siak", "operator", "counter", 10),
            s("verifikasi", "verifikator", "back_office", 2),
            s("tte", "pejabat_tte", "back_office", 2),
            s("cetak", "petugas_cetak", "back_office", 2),
            s("ambil", "petugas_distribusi", "counter", 2),
            s("arsip", "operator", "back_office", 5),
        ),
    )


def walk(service, facts):
    """Follow "done" from the first step to the end; list of transitions."""
    step = first_step(service, facts).code
    path = []
    while step is not None:
        t = advance(service, facts, step, "done")
        path.append((step, t.state, t.step_code))
        step = t.step_code
    return path


def test_applicable_steps_follow_facts(kia):
    assert [s.code for s in applicable_steps(kia, V2)] == ["periksa", "verifikasi", "tte", "foto", "cetak", "serah"]
    assert [s.code for s in applicable_steps(kia, V1)] == ["periksa", "verifikasi", "tte", "cetak", "serah"]
    assert first_step(kia, V1).code == "periksa"


def test_kia_variant_1_done_path(kia):
    assert walk(kia, V1) == [
        ("periksa", AT_STEP, "verifikasi"),
        ("verifikasi", AT_STEP, "tte"),
        ("tte", AT_STEP, "cetak"),
        ("cetak", READY, "serah"),
        ("serah", HANDED_OVER, None),
    ]


def test_kia_variant_2_passes_the_photo_step(kia):
    path = walk(kia, V2)
    assert ("tte", AT_STEP, "foto") in path and ("foto", AT_STEP, "cetak") in path
    assert path[-1] == ("serah", HANDED_OVER, None)


def test_returned_at_counter_is_final(kia):
    assert advance(kia, V1, "periksa", "returned") == Transition(RETURNED, None)
    assert advance(kia, V2, "foto", "returned") == Transition(RETURNED, None)
    assert advance(kia, V1, "serah", "returned") == Transition(RETURNED, None)


def test_returned_at_back_office_goes_to_previous_applicable_step(kia):
    # The verifier returns the file to the operator.
    assert advance(kia, V1, "verifikasi", "returned") == Transition(AT_STEP, "periksa")
    assert advance(kia, V1, "tte", "returned") == Transition(AT_STEP, "verifikasi")
    # The photo step only exists for variant 2.
    assert advance(kia, V2, "cetak", "returned") == Transition(AT_STEP, "foto")
    assert advance(kia, V1, "cetak", "returned") == Transition(AT_STEP, "tte")


def test_returned_at_first_back_office_step_goes_to_citizen():
    online = Service(  # SOP 001: online application verified by an admin first
        code="KIA_WA", name=Text("KIA WhatsApp"), prefix="W",
        steps=(
            Step("verifikasi_admin", Text("Verifikasi"), "verifikator", "back_office", None),
            Step("cetak", Text("Cetak"), "petugas_cetak", "back_office", None),
            Step("ambil_uptd", Text("Ambil di UPTD"), "petugas_distribusi", "counter", None),
        ),
    )
    assert advance(online, {}, "verifikasi_admin", "returned") == Transition(RETURNED, None)
    assert advance(online, {}, "cetak", "done") == Transition(READY, "ambil_uptd")


def test_cancel_anywhere_before_hand_over(kia):
    for step in applicable_steps(kia, V2):
        assert advance(kia, V2, step.code, "cancelled") == Transition(CANCELLED, None)


def test_pickup_false_service_finishes_at_counter(ikd):
    assert pickup_step(ikd, {}) is None
    assert walk(ikd, {}) == [("aktivasi", HANDED_OVER, None)]
    two = Service(
        code="IKD2", name=Text("IKD"), prefix="C", pickup=False,
        steps=(
            Step("cek", Text("Cek"), "operator", "counter", None),
            Step("aktivasi", Text("Aktivasi"), "operator", "counter", 5),
        ),
    )
    assert walk(two, {}) == [("cek", AT_STEP, "aktivasi"), ("aktivasi", HANDED_OVER, None)]


def test_pickup_true_with_two_counter_steps_is_ready_at_the_last():
    svc = Service(
        code="S", name=Text("S"), prefix="S",
        steps=(
            Step("terima", Text("Terima"), "operator", "counter", None),
            Step("serah", Text("Serah"), "petugas_distribusi", "counter", None),
        ),
    )
    assert walk(svc, {}) == [("terima", READY, "serah"), ("serah", HANDED_OVER, None)]


def test_single_step_pickup_service_is_not_ready_at_intake():
    svc = Service(code="S", name=Text("S"), prefix="S",
                  steps=(Step("terima", Text("Terima"), "operator", "counter", None),))
    assert pickup_step(svc, {}) is None
    assert walk(svc, {}) == [("terima", HANDED_OVER, None)]


def test_archive_after_pickup_keeps_handed_over():
    kk = kk_service()
    assert pickup_step(kk, {}).code == "ambil"
    assert walk(kk, {}) == [
        ("periksa", AT_STEP, "entri_siak"),
        ("entri_siak", AT_STEP, "verifikasi"),
        ("verifikasi", AT_STEP, "tte"),
        ("tte", AT_STEP, "cetak"),
        ("cetak", READY, "ambil"),
        ("ambil", HANDED_OVER, "arsip"),
        ("arsip", HANDED_OVER, None),
    ]
    for outcome in ("returned", "cancelled"):
        with pytest.raises(InvalidTransition) as e:
            advance(kk, {}, "arsip", outcome)
        assert e.value.code == "already_handed_over"
    # Returned at the SIAK entry counter: back to the citizen.
    assert advance(kk, {}, "entri_siak", "returned") == Transition(RETURNED, None)


def test_unknown_step_or_outcome(kia):
    with pytest.raises(InvalidTransition) as e:
        advance(kia, V1, "foto", "done")  # photo step does not apply to variant 1
    assert e.value.code == "unknown_step" and e.value.http_status == 409
    with pytest.raises(InvalidTransition) as e:
        advance(kia, V1, "nope", "done")
    assert e.value.code == "unknown_step"
    with pytest.raises(InvalidTransition) as e:
        advance(kia, V1, "periksa", "approved")
    assert e.value.code == "unknown_outcome"


def test_no_applicable_steps():
    empty = Service(code="E", name=Text("E"), prefix="E")
    with pytest.raises(InvalidTransition) as e:
        first_step(empty, {})
    assert e.value.code == "no_applicable_steps"


def test_transition_as_dict():
    assert Transition(READY, "serah").as_dict() == {"state": "ready_for_pickup", "step_code": "serah"}
