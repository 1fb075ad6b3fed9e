"""Apply from home (issue 13, SOP 001), for real: headless Chromium at 360 × 740 against
``loket serve`` on 127.0.0.1 with the Pekanbaru office files, and the counter station's
Kivy window under Xvfb.

One story: a mother applies for her 3-year-old's KIA from her phone, photographing the
KK (a JPEG carrying GPS in its EXIF) and the birth certificate (a PNG); she gets the
receipt. At the Dinas the verifier zooms into the KK at the station and returns it with
a note; the phone shows the note and she uploads a new KK under the same code; the
verifier accepts, the printing officer prints the card, the distribution officer sends
the batch to UPTD Sukajadi (its list printed); at the UPTD the officer confirms the
batch arrived and hands the card over. Screenshots go to docs/screenshots/online."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from browser_kit import shot, wait_for
from live_server import STAFF_PASSWORD, LiveServer, loket
from online_kit import APPLICANT, PEKANBARU, document_jpeg, document_png
from station_run import run_station
from xvfb_kit import start_xvfb, stop_xvfb

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "online"
CARD = {"head_of_family": "Ahmad Fauzi", "birth_certificate_number": "1471-LU-15062023-0021", "religion": "Islam",
        "address": "Jl. Kartini No. 7, Sukajadi"}


def _text(driver, element_id: str) -> str:
    return driver.execute_script(f"var e = document.getElementById('{element_id}'); return e ? e.innerText : '';")


def _login(username: str, shot_path: str | None = None) -> list[dict]:
    steps = [{"until": "'username' in w"}, {"type": ["username", username]}, {"type": ["password", STAFF_PASSWORD]}]
    if shot_path:
        steps.append({"shot": shot_path})
    return steps + [{"tap": "login"}, {"until": "ctl.logged_in and ctl.mode is not None"}, {"wait": 0.3}]


LOGOUT = [{"tap": "logout"}, {"until": "not ctl.logged_in"}, {"wait": 0.3}]


@pytest.fixture
def server(tmp_path):
    srv = LiveServer(tmp_path / "data", workers=2)
    srv.setup(staff_roles=())
    offices = srv.data_dir / "offices"
    shutil.rmtree(offices)
    shutil.copytree(PEKANBARU, offices)
    for role in ("verifikator", "petugas_cetak", "petugas_distribusi"):
        loket("staff", "add", f"d_{role}", "--role", role, "--password", STAFF_PASSWORD, "--office", "pekanbaru",
              data_dir=srv.data_dir)
    loket("staff", "add", "s_petugas_distribusi", "--role", "petugas_distribusi", "--password", STAFF_PASSWORD,
          "--office", "pekanbaru-sukajadi", data_dir=srv.data_dir)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def display():
    disp, proc = start_xvfb(1920, 1200)
    yield disp
    stop_xvfb(proc)


@pytest.mark.slow
def test_apply_on_the_phone_verify_at_the_station_reupload_print_batch_and_hand_over_at_the_uptd(
        tmp_path, server, browser, display):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select
    SHOTS.mkdir(parents=True, exist_ok=True)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "kk-buram.jpg").write_bytes(document_jpeg("KARTU KELUARGA (buram)"))
    (docs / "akta.png").write_bytes(document_png("KUTIPAN AKTA KELAHIRAN"))
    (docs / "kk-baru.jpg").write_bytes(document_jpeg("KARTU KELUARGA", gps=True))

    phone = browser(360, 740)
    phone.get(f"{server.url}/kantor/pekanbaru")
    phone.find_element(By.ID, "apply-online").click()
    shot(phone, SHOTS / "01_online_services.png")
    phone.find_element(By.ID, "svc-KIA").click()
    wait_for(phone, "!!document.getElementById('q-birth_date')")
    phone.execute_script("document.getElementById('q-birth_date').value = '2023-06-15'")
    phone.find_element(By.ID, "answer-next").click()
    wait_for(phone, "!!document.getElementById('online-form')")
    for key in ("name", "nik", "birth_place", "kk_number", "parent_name", "phone"):
        phone.find_element(By.ID, f"ap_{key}").send_keys(APPLICANT[key])
    Select(phone.find_element(By.ID, "ap_sex")).select_by_value("P")
    Select(phone.find_element(By.ID, "ap_kecamatan_code")).select_by_value("14.71.01")
    Select(phone.find_element(By.ID, "pickup_office")).select_by_value("pekanbaru-sukajadi")
    # the connection drops and the page is opened again: what was typed is still there
    phone.refresh()
    wait_for(phone, "document.getElementById('ap_parent_name').value === 'Siti Rahma'")
    assert phone.execute_script("return window.loketOnline.restored") >= 6
    phone.find_element(By.ID, "file-kk").send_keys(str(docs / "kk-buram.jpg"))
    phone.find_element(By.ID, "file-akta_kelahiran").send_keys(str(docs / "akta.png"))
    wait_for(phone, "document.getElementById('chosen-kk').innerText.indexOf('KB') > 0")
    shot(phone, SHOTS / "02_online_form.png")
    phone.find_element(By.ID, "online-submit").click()
    wait_for(phone, "!!document.getElementById('application-code')", timeout=20)
    code = _text(phone, "application-code").strip()
    assert len(code) >= 6 and "Akta kelahiran" in _text(phone, "uploaded")
    assert APPLICANT["nik"] not in phone.page_source
    shot(phone, SHOTS / "03_receipt.png")

    shots = tmp_path / "shots"
    s = lambda name: {"shot": str(SHOTS / f"{name}.png")}  # noqa: E731
    # The verifier looks at the KK, zooms in, and returns it: the photo is blurred.
    first = [*_login("d_verifikator", str(shots / "login.png")),
             {"until": "ctl.mode == 'verifikasi_online' or 'tab_verifikasi_online' in w"},
             {"tap": "tab_verifikasi_online"}, {"until": "ctl.mode == 'verifikasi_online' and len(ctl.work_items) > 0"},
             s("04_station_online_queue"),
             {"tap": f"take_{code}"}, {"until": "ctl.application is not None and 'zoom_kk' in w"}, {"wait": 1.0},
             s("05_station_online_check"),
             {"tap": "zoom_kk"}, {"until": "app.zoom_view is not None"}, {"wait": 1.0},
             {"tap": "zoom_in"}, {"wait": 0.6},
             s("06_station_zoom"),
             {"tap": "zoom_close"}, {"until": "app.zoom_view is None"},
             {"tap": "doc_akta_kelahiran"},
             {"type": ["online_notes", "Foto KK buram, mohon unggah ulang yang jelas."]},
             {"tap": "return_online"}, {"until": "ctl.application is None"}, {"wait": 0.3},
             s("07_station_returned")]
    res, _ = run_station(display, server, tmp_path, first, counter="1", size="1366x768", name="verify", timeout=120)
    assert res["ok"], res["error"]

    # On the phone: the note, and a new KK under the same code.
    phone.get(f"{server.url}/s/{code}")
    wait_for(phone, "!!document.getElementById('reupload-form')")
    assert "Foto KK buram" in _text(phone, "notes")
    shot(phone, SHOTS / "08_phone_returned.png")
    phone.find_element(By.ID, "file-kk").send_keys(str(docs / "kk-baru.jpg"))
    phone.find_element(By.ID, "reupload-submit").click()
    wait_for(phone, "!document.getElementById('reupload-form') && !!document.getElementById('berkas-" + code + "')")
    shot(phone, SHOTS / "09_phone_reuploaded.png")

    # Accept, print the card, send the batch to the UPTD.
    second = [*_login("d_verifikator"), {"tap": "tab_verifikasi_online"},
              {"until": "ctl.mode == 'verifikasi_online' and len(ctl.work_items) > 0"},
              {"tap": f"take_{code}"}, {"until": "ctl.application is not None and 'doc_kk' in w"}, {"wait": 0.8},
              {"tap": "doc_kk"}, {"tap": "doc_akta_kelahiran"}, {"type": ["siak_reference", "SIAK-1471-000321"]},
              s("10_station_accept"),
              {"tap": "accept_online"}, {"until": "ctl.application is None"},
              *LOGOUT,
              *_login("d_petugas_cetak"), {"until": "len(ctl.work_items) > 0"},
              {"tap": f"take_{code}"}, {"until": "ctl.application is not None and 'card_serial' in w"}, {"wait": 0.3},
              *[{"type": [f"card_{k}", v]} for k, v in CARD.items()],
              {"type": ["card_serial", "KIA-BLK-1471-0001"]},
              s("11_station_print"),
              {"tap": "print_card"}, {"until": "ctl.application is None and ctl.last_card"},
              *LOGOUT,
              *_login("d_petugas_distribusi"), {"tap": "tab_pengelompokan"},
              {"until": "ctl.mode == 'pengelompokan' and len(ctl.distribution) > 0"}, {"wait": 0.3},
              s("12_station_distribution"),
              {"tap": "send_pekanbaru-sukajadi"}, {"until": "ctl.last_batch is not None and not ctl.distribution"}]
    res, out = run_station(display, server, tmp_path, second, counter="1", size="1366x768", name="print",
                           timeout=150)
    assert res["ok"], res["error"]
    spooled = sorted(p.name for p in out["spool"].glob("*.pdf"))
    assert any(n.startswith("KIA-") for n in spooled) and any(n.startswith("KRM-") for n in spooled), spooled
    _, body = server.request("GET", "/api/v1/distribution-batches?pickup_office=pekanbaru-sukajadi&pending=true",
                             token=server.login("s_petugas_distribusi"))
    (batch,) = body["batches"]
    assert batch["count"] == 1 and batch["received_at"] is None

    # At the UPTD: the batch arrives, the mother collects the card.
    third = [*_login("s_petugas_distribusi"), {"until": "ctl.mode == 'handover' and len(ctl.incoming) > 0"},
             {"wait": 0.3}, s("13_uptd_incoming"),
             {"tap": f"receive_{batch['code']}"},
             {"until": "not ctl.incoming"},
             {"type": ["pickup_code", code]}, {"tap": "find_pickup"},
             {"until": "ctl.application and ctl.application['state'] == 'ready_for_pickup'"},
             {"type": ["received_by", "Siti Rahma"]}, {"tap": "identity_checked"},
             s("14_uptd_handover"),
             {"tap": "hand_over"}, {"until": "ctl.application and ctl.application['state'] == 'handed_over'"},
             s("15_uptd_done")]
    res, out = run_station(display, server, tmp_path, third, counter="1", size="1366x768", name="uptd", timeout=120)
    assert res["ok"], res["error"]

    # The server's record: every step on the kartu kendali, the batch received, the phone says so.
    token = server.login("d_verifikator")
    _, status = server.request("GET", f"/api/v1/online-applications/{code}")
    assert status["state"] == "handed_over"
    _, queue = server.request("GET", "/api/v1/work-queue/verifikasi_online", token=token)
    assert queue["items"] == []
    _, found = server.request("GET", f"/api/v1/pickups/{code}", token=server.login("s_petugas_distribusi"))
    app_id = found["id"]
    _, full = server.request("GET", f"/api/v1/applications/{app_id}", token=token)
    assert [(k["step"], k["outcome"]) for k in full["kartu_kendali"]] == [
        ("verifikasi_online", "returned"), ("verifikasi_online", "done"), ("cetak", "done"), ("pengelompokan", "done"),
        ("penyerahan", "done")]
    assert full["siak_reference"] == "SIAK-1471-000321" and full["card_data"]["birth_place"] == "Pekanbaru"
    # the stored KK is the re-encoded one: no EXIF left
    kk = next(u for u in full["uploads"] if u["requirement"] == "kk")
    import urllib.request
    req = urllib.request.Request(f"{server.url}/api/v1/uploads/{kk['id']}", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        from PIL import Image
        with Image.open(io.BytesIO(r.read())) as im:
            assert not im.getexif()
    phone.get(f"{server.url}/s/{code}")
    wait_for(phone, f"!!document.getElementById('berkas-{code}')")
    assert "diserahkan" in phone.find_element(By.ID, f"berkas-{code}").text
    shot(phone, SHOTS / "16_phone_done.png")
    import cv2
    for name in ("05_station_online_check", "06_station_zoom", "13_uptd_incoming", "14_uptd_handover"):
        img = cv2.imread(str(SHOTS / f"{name}.png"))
        assert img is not None and img.shape[:2] == (768, 1366) and img.std() > 10, name
