"""Real Kivy windows under a private Xvfb against a real ``loket serve``: the station is
driven like an officer would (touches on buttons, typed text) through every mode.
The tests assert on the server's state and on the printed files; screenshots of
every mode are saved under the test's tmp folder (LOKET_STATION_SHOTS=DIR keeps a copy)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import cv2
import pytest

from station_kit import CARD_DATA, PASSWORD
from station_run import run_station
from xvfb_kit import kivy_env, start_xvfb, stop_xvfb


@pytest.fixture(scope="module")
def display():
    disp, proc = start_xvfb(1920, 1200)
    yield disp
    stop_xvfb(proc)


def login(role, shots=None):
    steps = [{"until": "'username' in w"},
             {"type": ["username", f"st_{role}"]}, {"type": ["password", PASSWORD]}]
    if shots:
        steps.append({"shot": shots})
    return steps + [{"tap": "login"}, {"until": "ctl.logged_in and ctl.mode is not None"}, {"wait": 0.3}]


LOGOUT = [{"tap": "logout"}, {"until": "not ctl.logged_in"}, {"wait": 0.3}]


def test_officers_take_a_kia_through_every_mode_and_return_an_incomplete_file(display, live_server, tmp_path):
    complete = live_server.issue("KIA")
    incomplete = live_server.issue("KIA")
    shots = tmp_path / "shots"
    s = lambda name: {"shot": str(shots / f"{name}.png")}  # noqa: E731
    steps = [
        *login("operator", str(shots / "01-login.png")),
        {"type": ["call_number_input", complete["number"]]}, {"tap": "call_number"},
        {"until": f"ctl.ticket and ctl.ticket['number'] == '{complete['number']}'"},
        {"type": ["new_name", "Rizky Pratama"]}, {"type": ["new_nik", "6401040106190003"]},
        {"type": ["new_birth_date", "2019-06-01"]}, {"type": ["new_phone", "081234567890"]},
        {"until": "ctl.nik_check and ctl.nik_check['valid']"},
        s("02-loket-serving"),
        {"tap": "add_application"}, {"until": "ctl.application and ctl.application['step'] == 'penerimaan'"},
        {"remember": ["code", "ctl.application['code']"]},
        {"tap": "req_akta_kelahiran"}, {"tap": "req_kk_orang_tua"}, {"tap": "req_pas_foto"},
        {"type": ["siak_reference", "SIAK-6401-000777"]},
        s("03-loket-checklist"),
        {"tap": "verify"}, {"until": "ctl.needs_photo()"},
        {"until": "app.preview is not None and app.preview.latest() is not None"}, {"wait": 0.5},
        {"tap": "capture"}, {"until": "ctl.photo_result is not None and ctl.photo_result.ok"}, {"wait": 0.5},
        s("04-photo"),
        {"tap": "accept_photo"}, {"until": "ctl.application and ctl.application['step'] == 'unggah_foto'"},
        # SOP 003 row 5 (upload the photo to SIAK), by its shortcut key: the slip prints after it
        {"key": "f8"}, {"until": "ctl.application and ctl.application['step'] == 'verifikasi'"},
        s("05-loket-forwarded"),
        # Second citizen: the documents are incomplete.
        {"type": ["call_number_input", incomplete["number"]]}, {"tap": "call_number"},
        {"until": f"ctl.ticket and ctl.ticket['number'] == '{incomplete['number']}'"},
        {"type": ["new_name", "Ayu Lestari"]}, {"type": ["new_nik", ""]},
        {"type": ["new_birth_date", "2018-02-10"]},
        {"tap": "add_application"}, {"until": "ctl.application and ctl.application['applicant']['name'] == 'Ayu Lestari'"},
        {"remember": ["returned", "ctl.application['id']"]},
        {"tap": "req_akta_kelahiran"}, {"tap": "verify"},
        {"until": "ctl.application and ctl.application['state'] == 'returned'"},
        s("06-loket-returned"),
        {"tap": "finish"}, {"until": "ctl.ticket is None"},
        *LOGOUT,
        *login("verifikator"), {"until": "len(ctl.work_items) > 0"},
        s("07-verifikasi-queue"),
        {"tap": "take_{code}"}, {"until": "ctl.application is not None"}, {"wait": 0.5},
        s("08-verifikasi-detail"),
        {"tap": "approve"}, {"until": "ctl.application is None"},
        *LOGOUT,
        *login("pejabat_tte"), {"until": "len(ctl.work_items) > 0"},
        {"tap": "take_{code}"}, {"until": "ctl.application is not None"}, {"wait": 0.3},
        s("09-tte"),
        {"tap": "approve"}, {"until": "ctl.application is None"},
        *LOGOUT,
        *login("petugas_cetak"), {"until": "len(ctl.work_items) > 0"},
        {"tap": "take_{code}"}, {"until": "ctl.application is not None"}, {"wait": 0.3},
        *[{"type": [f"card_{k}", v]} for k, v in CARD_DATA.items() if k != "head_name"],
        {"type": ["card_serial", "KIA-BLK-0777"]}, {"wait": 0.3},
        s("10-cetak"),
        {"tap": "print_card"}, {"until": "ctl.application is None and ctl.last_card"},
        {"tap": "tab_register"}, {"until": "ctl.mode == 'register' and len(ctl.work_items) > 0"},
        {"tap": "take_{code}"}, {"until": "ctl.application is not None"}, {"wait": 0.3},
        s("11-register"),
        {"tap": "register"}, {"until": "ctl.application is None"},
        *LOGOUT,
        *login("operator"), {"tap": "tab_handover"},  # SOP 000: the petugas pelayanan hands the KIA over
        {"until": "ctl.mode == 'handover' and ctl.uncollected.get('items')"},
        {"type": ["pickup_code", "{code}"]}, {"tap": "find_pickup"},
        {"until": "ctl.application and ctl.application['state'] == 'ready_for_pickup'"},
        {"type": ["received_by", "Siti Aminah"]}, {"tap": "identity_checked"},
        s("12-penyerahan"),
        {"tap": "hand_over"}, {"until": "ctl.application and ctl.application['state'] == 'handed_over'"},
        s("13-penyerahan-selesai"),
    ]
    res, out = run_station(display, live_server, tmp_path, steps)
    assert res["ok"], res["error"]

    # The server recorded the whole SOP for the complete file ...
    items = live_server.get("/uncollected", "operator")["items"]
    assert items == [] or all(i["applicant_name"] != "Rizky Pratama" for i in items)
    done_id = live_server.get(f"/tickets/{complete['id']}")["applications"][0]["id"]
    done = live_server.get(f"/applications/{done_id}")
    assert done["siak_reference"] == "SIAK-6401-000777"
    assert done["state"] == "handed_over" and done["card_serial"] == "KIA-BLK-0777" and done["has_photo"]
    assert [k["step"] for k in done["kartu_kendali"]] == ["penerimaan", "foto", "unggah_foto", "verifikasi", "tte",
                                                          "cetak", "register", "penyerahan"]
    # ... and the incomplete one was returned with what is missing.
    back = live_server.get(f"/tickets/{incomplete['id']}")["applications"][0]
    assert back["applicant"]["name"] == "Ayu Lestari"
    assert back["state"] == "returned" and {m["code"] for m in back["missing"]} == {"kk_orang_tua", "pas_foto"}

    # Printed: pickup slip, rejection slip, tanda terima (previews) and the KIA PDF.
    previews = sorted(p.name for p in out["previews"].glob("*.png"))
    assert len(previews) == 3, previews
    assert (out["spool"] / f"KIA-{done['code']}.pdf").stat().st_size > 10_000
    shots_made = sorted(p.name for p in shots.glob("*.png"))
    assert len(shots_made) == 13, shots_made
    for p in shots.glob("*.png"):
        img = cv2.imread(str(p))
        assert img.shape[:2] == (768, 1366) and img.std() > 10  # a drawn window, not a blank one


def test_loket_at_full_hd_refuses_a_photo_without_a_face(display, live_server, tmp_path):
    ticket = live_server.issue("KIA")
    shots = tmp_path / "shots"
    steps = [*login("operator"), {"type": ["call_number_input", ticket["number"]]}, {"tap": "call_number"},
             {"until": "ctl.ticket is not None"},
             {"type": ["new_name", "Putri Wulandari"]}, {"type": ["new_birth_date", "2018-03-03"]},
             {"tap": "add_application"}, {"until": "ctl.application is not None"},
             {"tap": "req_akta_kelahiran"}, {"tap": "req_kk_orang_tua"}, {"tap": "req_pas_foto"},
             {"tap": "verify"}, {"until": "ctl.needs_photo()"},
             {"until": "app.preview is not None and app.preview.latest() is not None"},
             {"tap": "capture"}, {"until": "ctl.photo_result is not None"}, {"wait": 0.5},
             {"shot": str(shots / "21-photo-refused-1920x1080.png")},
             {"tap": "skip"}, {"until": "ctl.ticket is None"}]
    res, _ = run_station(display, live_server, tmp_path, steps, size="1920x1080", counter="3", picture="coffee")
    assert res["ok"], res["error"]
    img = cv2.imread(str(shots / "21-photo-refused-1920x1080.png"))
    assert img.shape[:2] == (1080, 1920)
    counters = {c["code"]: c for c in live_server.get("/queue")["counters"]}
    assert counters["3"]["current"] is None  # skipped from the window
    assert live_server.get(f"/tickets/{ticket['id']}")["status"] == "skipped"
    app = live_server.get(f"/tickets/{ticket['id']}")["applications"][0]
    assert app["step"] == "foto" and app["has_photo"] is False  # a refused photo is never stored


def test_server_going_down_is_a_clear_message_in_the_window(display, tmp_path):
    import time

    from station_kit import start_server, stop_server
    server = start_server(tmp_path / "own-data")
    ticket = server.issue("KIA")
    shots = tmp_path / "shots"
    flag = tmp_path / "server-stopped"
    steps = [*login("operator"), {"type": ["call_number_input", ticket["number"]]}, {"tap": "call_number"},
             {"until": "ctl.ticket is not None"}, {"shot": str(tmp_path / "logged-in.png")},
             {"until": f"__import__('os').path.exists({str(flag)!r})", "timeout": 30},
             {"remember": ["stopped", "__import__('time').monotonic()"]},
             # idle: nobody touches the station, the banner comes by itself (the heartbeats stop)
             {"until": "ctl.server_lost_since is not None and 'tidak terjangkau' in app.notice_bar.text",
              "timeout": 15},
             {"remember": ["noticed_after", "round(__import__('time').monotonic() - {stopped}, 1)"]},
             {"shot": str(shots / "22-server-down-idle.png")},
             {"tap": "finish"}, {"until": "ctl.notice is not None and ctl.notice.code == 'unreachable'"},
             {"shot": str(shots / "22-server-down.png")}]
    script = tmp_path / "script.json"
    result = tmp_path / "result.json"
    script.write_text(json.dumps({"steps": steps, "result": str(result)}), encoding="utf-8")
    env = kivy_env(display, str(tmp_path / "kivy-home"))
    env["LOKET_STATION_SCRIPT"] = str(script)
    proc = subprocess.Popen([sys.executable, "-m", "counter.cli", "--server", server.url,
                             "--counter", "1"], env=env, cwd=tmp_path, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 40
        while not (tmp_path / "logged-in.png").exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        stop_server(server)
        flag.write_text("1")
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
        stop_server(server)
    res = json.loads(result.read_text())
    assert res["ok"], res["error"]
    keep = os.environ.get("LOKET_STATION_SHOTS")
    if keep:
        shutil.copy(shots / "22-server-down.png", keep)
        shutil.copy(shots / "22-server-down-idle.png", keep)
    assert cv2.imread(str(shots / "22-server-down.png")).shape[:2] == (768, 1366)


FAMILY = {"parent": ("Budi Santoso", "6401041708850011", "1985-08-17"),
          "child7": ("Rizky Santoso", "6401040106190031", "2019-06-01"),
          "child3": ("Siti Santoso", "6401045203230002", "2023-03-12"),
          "mother": ("Ani Lestari", "6401044410880001", "1988-10-04")}


def _person(key):
    name, nik, born = FAMILY[key]
    return [{"type": ["new_name", name]}, {"type": ["new_nik", nik]}, {"type": ["new_birth_date", born]},
            {"until": f"ctl.nik_check and ctl.nik_check['nik'] == '{nik}'"}, {"wait": 0.3}]


def test_a_sop_003_family_visit_kk_two_kia_and_ikd_in_real_windows(display, live_server, tmp_path):
    """SOP 003: one visit brings a KK change (a birth), a KIA for a 7-year-old (photo,
    rows 4-5) and for a 3-year-old, and an IKD activation for the mother at the IKD
    operator's counter (rows 6-7), each with its own questions asked at the counter."""
    ticket = live_server.issue("KK", {"reason": "kelahiran"})
    shots = tmp_path / "shots"
    s = lambda name: {"shot": str(shots / f"{name}.png")}  # noqa: E731
    kia_name = "Kartu Identitas Anak (KIA)"
    ikd_name = "Aktivasi Identitas Kependudukan Digital (IKD)"
    first = [
        *login("operator"),
        {"type": ["call_number_input", ticket["number"]]}, {"tap": "call_number"},
        {"until": f"ctl.ticket and ctl.ticket['number'] == '{ticket['number']}'"},
        # the KK, as the kiosk took it (reason: a birth)
        {"until": "w['new_service'].text == 'Kartu Keluarga (KK)'"}, *_person("parent"),
        s("31-family-form-kk"),
        {"tap": "add_application"}, {"until": "ctl.application and ctl.application['service'] == 'KK'"},
        {"tap": "req_formulir_f102"}, {"tap": "req_kk_lama"}, {"tap": "req_surat_keterangan_lahir"},
        {"tap": "verify"}, {"until": "ctl.application['step'] == 'entri_siak'"},
        {"type": ["siak_reference", "SIAK-KK-0042"]}, {"key": "f8"},
        {"until": "ctl.application['step'] == 'verifikasi'"},
        # a KIA for the 7-year-old: photo (row 4) and its upload (row 5)
        {"tap": "new_application"}, {"until": "ctl.composing and ctl.application is None"},
        {"select": ["new_service", kia_name]}, *_person("child7"),
        {"tap": "add_application"},
        {"until": "ctl.application and ctl.application['applicant']['name'] == 'Rizky Santoso'"},
        {"tap": "req_akta_kelahiran"}, {"tap": "req_kk_orang_tua"}, {"tap": "req_pas_foto"},
        {"key": "f8"}, {"until": "ctl.needs_photo()"},
        {"until": "app.preview is not None and app.preview.latest() is not None"}, {"wait": 0.5},
        {"tap": "capture"}, {"until": "ctl.photo_result is not None and ctl.photo_result.ok"},
        {"key": "f8"}, {"until": "ctl.application['step'] == 'unggah_foto'"},
        {"key": "f8"}, {"until": "ctl.application['step'] == 'verifikasi'"},
        # a KIA for the 3-year-old: no photo (variant 1)
        {"tap": "new_application"}, {"until": "ctl.composing"},
        {"select": ["new_service", kia_name]}, *_person("child3"),
        {"tap": "add_application"},
        {"until": "ctl.application and ctl.application['applicant']['name'] == 'Siti Santoso'"},
        {"tap": "req_akta_kelahiran"}, {"tap": "req_kk_orang_tua"},
        {"key": "f8"}, {"until": "ctl.application['step'] == 'verifikasi'"},
        # IKD for the mother: its three yes/no questions asked here, then to the IKD counter
        {"tap": "new_application"}, {"until": "ctl.composing"},
        {"select": ["new_service", ikd_name]}, *_person("mother"),
        {"tap": "new_ktp_el_recorded"}, {"tap": "new_age17_or_married"}, {"tap": "new_has_device_and_email"},
        s("32-family-form-ikd"),
        {"tap": "add_application"}, {"until": "ctl.application and ctl.application['service'] == 'IKD'"},
        s("33-family-four-berkas"),
        {"select": ["transfer_service", ikd_name]}, {"tap": "transfer"}, {"until": "ctl.ticket is None"},
    ]
    res, out = run_station(display, live_server, tmp_path, first, counter="1", timeout=150)
    assert res["ok"], res["error"]
    second = [
        *login("operator"), {"key": "f2"},
        {"until": f"ctl.ticket and ctl.ticket['number'] == '{ticket['number']}'"},
        {"until": "ctl.application and ctl.application['service'] == 'IKD'"},
        {"tap": "req_ktp_el"}, {"tap": "req_hp_sendiri"}, {"tap": "req_email_aktif"},
        {"key": "f8"}, {"until": "ctl.application['step'] == 'aktivasi'"},
        {"key": "f8"}, {"until": "ctl.application['state'] == 'handed_over'"},
        s("34-family-ikd-activated"),
        {"key": "f5"}, {"until": "ctl.ticket is None"},
    ]
    res, out = run_station(display, live_server, tmp_path, second, counter="4", timeout=90)
    assert res["ok"], res["error"]

    visit = live_server.get(f"/tickets/{ticket['id']}")
    apps = {a["applicant"]["name"]: a for a in visit["applications"]}
    assert [a["service"] for a in visit["applications"]] == ["KK", "KIA", "KIA", "IKD"]
    assert apps["Budi Santoso"]["step"] == "verifikasi" and apps["Budi Santoso"]["siak_reference"] == "SIAK-KK-0042"
    assert apps["Budi Santoso"]["answers"]["reason"] == "kelahiran"  # the kiosk's answer reached the berkas
    older, younger = apps["Rizky Santoso"], apps["Siti Santoso"]
    assert older["step"] == "verifikasi" and older["has_photo"] and older["applicant"]["sex"] == "L"
    assert younger["step"] == "verifikasi" and not younger["has_photo"] and younger["applicant"]["sex"] == "P"
    assert older["applicant"]["kecamatan_code"] == "64.01.04"  # the kecamatan, prefilled from the NIK
    mother = apps["Ani Lestari"]
    assert mother["state"] == "handed_over" and mother["outcome_note"] == "IKD teraktivasi"
    assert mother["answers"] == {"ktp_el_recorded": True, "age17_or_married": True, "has_device_and_email": True}
    # SOP 003 rows 2-12 as timed on the four kartu kendali
    steps = {(a["service"], k["step"]) for a in visit["applications"] for k in a["kartu_kendali"]}
    assert {("KK", "pemeriksaan"), ("KK", "entri_siak"), ("KIA", "foto"), ("KIA", "unggah_foto"),
            ("IKD", "pemeriksaan_kelayakan"), ("IKD", "aktivasi")} <= steps
    # a pickup slip for the KK and each KIA (IKD finishes at the counter)
    assert len(list(out["previews"].glob("*.png"))) == 3
    for p in shots.glob("3*.png"):
        img = cv2.imread(str(p))
        assert img.shape[:2] == (768, 1366) and img.std() > 10
