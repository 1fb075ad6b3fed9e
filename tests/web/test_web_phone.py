"""The citizen's phone (issue 12), for real: headless Chromium at 360 × 740 against
``loket serve`` processes on 127.0.0.1, and a real kiosk window under Xvfb.

One story: on Monday 23 November 2026 09:00 WITA a mother books a KIA visit from her
phone (office page → booking wizard → slot → the booking page with its QR); the server
is then run on Tuesday at 08:40 (``--clock-start``), the kiosk scans the booking's QR
(the status URL, typed by a scanner) and checks it in; a neighbour whose 08:00 booking
closed at 08:15 (released as a no-show) is offered a regular number, which opens the KIA
questions;
the phone follows the ticket until the counter calls it and shows "Silakan menuju loket 1". Screenshots go to
docs/screenshots/phone. Then 50 concurrent bookings of a slot of capacity 10."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
from browser_kit import shot, wait_for
from kiosk_kit import run_kiosk
from live_server import LiveServer
from xvfb_kit import start_xvfb, stop_xvfb

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "phone"
NIK = "6401045506190003"


def _text(driver, element_id: str) -> str:
    return driver.execute_script(f"var e = document.getElementById('{element_id}'); return e ? e.innerText : '';")


@pytest.mark.slow
def test_book_on_the_phone_check_in_at_the_kiosk_and_follow_until_called(tmp_path, browser):
    from selenium.webdriver.common.by import By
    SHOTS.mkdir(parents=True, exist_ok=True)
    data = tmp_path / "data"
    monday = LiveServer(data, workers=2, extra_args=("--clock-start", "2026-11-23T09:00:00+08:00")).setup().start()
    phone = browser(360, 740)
    try:
        phone.get(f"{monday.url}/kantor")
        assert "Kabupaten Paser" in phone.title
        shot(phone, SHOTS / "01_office.png")
        phone.find_element(By.ID, "book").click()
        phone.find_element(By.ID, "svc-KIA").click()
        wait_for(phone, "!!document.getElementById('q-birth_date')")
        shot(phone, SHOTS / "02_question_birth_date.png")
        phone.execute_script("document.getElementById('q-birth_date').value = '2019-06-01'")
        phone.find_element(By.ID, "answer-next").click()
        phone.find_element(By.ID, "answer-baru").click()
        wait_for(phone, "!!document.getElementById('step-date')")
        shot(phone, SHOTS / "03_choose_day.png")
        phone.find_element(By.ID, "day-2026-11-24").click()
        wait_for(phone, "!!document.getElementById('step-slot')")
        phone.find_element(By.ID, "nik").send_keys("64010455")  # too short: the page says so
        phone.find_element(By.CSS_SELECTOR, "label.c-slot input[value='09:00']").click()
        phone.execute_script("document.getElementById('nik').removeAttribute('pattern')")  # the server checks too
        phone.find_element(By.ID, "book-submit").click()
        wait_for(phone, "!!document.getElementById('error')")
        assert "NIK" in _text(phone, "error")
        shot(phone, SHOTS / "04_bad_nik.png")
        nik = phone.find_element(By.ID, "nik")
        nik.clear()
        nik.send_keys(NIK)
        phone.find_element(By.ID, "phone").send_keys("0812 3456 7890")
        phone.find_element(By.CSS_SELECTOR, "label.c-slot input[value='09:00']").click()
        shot(phone, SHOTS / "05_slot_and_nik.png")
        phone.find_element(By.ID, "book-submit").click()
        wait_for(phone, "!!document.getElementById('booking-code')")
        code = _text(phone, "booking-code").strip()
        assert len(code) == 8 and "09:00" in _text(phone, "state")
        page = phone.page_source
        assert NIK not in page and "3456" not in page and "6401********0003" in page
        assert phone.execute_script("return document.querySelector('img.c-qr').naturalWidth") > 100
        shot(phone, SHOTS / "06_booking.png")
        status, late = monday.request("POST", "/api/v1/bookings", {
            "service": "KIA", "date": "2026-11-24", "slot": "08:00", "nik": "6401041506190004",
            "answers": {"birth_date": "2020-02-01", "reason": "baru"}})
        assert status == 201, late
    finally:
        monday.stop()

    tuesday = LiveServer(data, workers=2, extra_args=("--clock-start", "2026-11-24T08:40:00+08:00"))
    tuesday.tokens = dict(monday.tokens)
    tuesday.start()
    disp, xvfb = start_xvfb(1080, 1920)
    try:
        status_url = f"{tuesday.url}/s/{code}"
        steps = [{"wait": "welcome"}, {"tap": "open_status"}, {"wait": "status"}, {"type": status_url + "\r"},
                 {"see": "check_in"}, {"sleep": 0.4}, {"shot": "kiosk_booking"}, {"tap": "check_in"},
                 {"wait": "confirmation"}, {"sleep": 0.4}, {"shot": "kiosk_checked_in"}, {"tap": "done"},
                 {"wait": "welcome"}, {"tap": "open_status"}, {"wait": "status"},
                 {"type": f"{tuesday.url}/s/{late['code']}\r"}, {"see": "walk_in"},
                 {"absent": "check_in"}, {"sleep": 0.4}, {"shot": "kiosk_too_late"}, {"tap": "walk_in"},
                 {"wait": "question"}, {"sleep": 0.4}, {"shot": "kiosk_walk_in_questions"}]
        result, out = run_kiosk(tuesday, disp, tmp_path, steps, printer_uri="dummy://", size=(1080, 1920))
        assert "confirmation" in result["screens"] and result["screens"][-1] == "question"
        for name in ("kiosk_booking", "kiosk_checked_in", "kiosk_too_late", "kiosk_walk_in_questions"):
            (SHOTS / f"07_{name}.png").write_bytes((out / f"{name}.png").read_bytes())
        status, refused = tuesday.request("GET", f"/api/v1/bookings/{late['code']}")
        assert refused["status"] == "no_show" and refused["ticket"] is None
        status, booking = tuesday.request("GET", f"/api/v1/bookings/{code}")
        assert status == 200 and booking["status"] == "checked_in" and booking["ticket"] == "A001"
        phone.get(f"{tuesday.url}/s/{booking['ticket_code']}")
        assert _text(phone, "number") == "A001" and "booking" in _text(phone, "ticket")
        assert "menunggu" in _text(phone, "state") and phone.find_element(By.ID, "call").get_attribute("hidden")
        shot(phone, SHOTS / "08_following.png")
        op = tuesday.login("u_operator")
        status, called = tuesday.request("POST", "/api/v1/counters/1/call-next", {}, token=op)
        assert status == 200 and called["number"] == "A001" and called["booked"] is True
        wait_for(phone, "document.getElementById('call').hidden === false", 25)
        assert _text(phone, "call") == "Silakan menuju loket 1"
        assert phone.execute_script("return window.loketFollow.rang") >= 1
        shot(phone, SHOTS / "09_called.png")
    finally:
        stop_xvfb(xvfb)
        tuesday.stop()


@pytest.mark.slow
def test_fifty_concurrent_bookings_of_a_slot_of_ten(tmp_path):
    import os
    srv = LiveServer(tmp_path / "data", workers=2, env={**os.environ, "LOKET_BOOKING_ADDRESS_LIMIT": "1000 per hour"})
    srv.setup()
    office_file = srv.data_dir / "offices" / "default.toml"
    text = office_file.read_text(encoding="utf-8")
    office_file.write_text(text.replace("capacity = 4           # pemesanan per sesi", "capacity = 10", 1),
                           encoding="utf-8")
    srv.start()
    try:
        status, slots = srv.request("GET", "/api/v1/bookings/slots?service=KIA")
        assert status == 200 and slots["slots"][0]["capacity"] == 10
        day, slot = slots["date"], slots["slots"][0]["slot"]
        results: list[tuple[int, dict]] = []
        lock = threading.Lock()
        gates = {50: threading.Barrier(50), 2: threading.Barrier(2)}

        def one(nik: str, slot: str, gate) -> None:
            gate.wait()
            answer = srv.request("POST", "/api/v1/bookings", {"service": "KIA", "date": day, "slot": slot, "nik": nik,
                                                               "answers": {"birth_date": "2019-06-01",
                                                                           "reason": "baru"}}, timeout=30)
            with lock:
                results.append(answer)

        def run(niks, slot):
            results.clear()
            threads = [threading.Thread(target=one, args=(n, slot, gates[len(niks)])) for n in niks]
            for th in threads:
                th.start()
            for th in threads:
                th.join(60)
            return sorted((s, (b or {}).get("error", {}).get("code")) for s, b in results)

        codes = run([f"64010415061900{n:02d}" for n in range(10, 60)], slot)
        assert codes == [(201, None)] * 10 + [(409, "kuota_habis")] * 40, codes
        # the same NIK twice at the same moment (another slot): one booking
        assert run([NIK, NIK], slots["slots"][1]["slot"]) == [(201, None), (409, "sudah_terdaftar")]
        status, after = srv.request("GET", f"/api/v1/bookings/slots?service=KIA&date={day}")
        assert after["slots"][0]["remaining"] == 0
        op = srv.login("u_operator")
        status, listing = srv.request("GET", f"/api/v1/bookings?date={day}", token=op)
        assert len(listing["bookings"]) == 11
        assert len([b for b in listing["bookings"] if b["nik"] == "6401********0003"]) == 1
    finally:
        srv.stop()
