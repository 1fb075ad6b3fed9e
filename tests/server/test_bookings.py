"""Antrean online (issue 12 items 4-5): slots, booking, the anti-broker rules, cancel,
check-in at the kiosk into the booked lane, and the walk-ins' share of the quota.

The clock starts on Monday 23 November 2026 09:00 WITA (the default office, Paser):
bookings are for Tuesday 24 November onwards; KIA has 30-minute slots from 08:00 (the
last at 14:30), 4 places each; check-in 30 minutes before to 15 after a slot's start.
"""
from __future__ import annotations

import json
from datetime import datetime

import pytest

from queue_server.db.models import AuditLog, Booking, Event, Ticket, db

from server_kit import KIA_7Y, PASSWORD, WITA, issue

TUESDAY = "2026-11-24"
NIK_GIRL = "6401045506190003"  # born 15-06-2019 (day + 40: a girl), kecamatan 64.01.04
NIKS = [f"64010415061900{n:02d}" for n in range(10, 60)]  # 50 boys born 15-06-2019

#: every test here runs on SQLite and on PostgreSQL (issue 17)
ENGINES = ("sqlite", "postgresql")


def at(day: str, hhmm: str) -> float:
    y, m, d = (int(x) for x in day.split("-"))
    hh, mm = (int(x) for x in hhmm.split(":"))
    return datetime(y, m, d, hh, mm, tzinfo=WITA).timestamp()


def book(client, nik=NIK_GIRL, slot="08:30", day=TUESDAY, service="KIA", **extra):
    body = {"service": service, "date": day, "slot": slot, "nik": nik,
            "answers": dict(KIA_7Y) if service == "KIA" else {"reason": "kelahiran"}, **extra}
    return client.post("/api/v1/bookings", json=body)


def test_the_slots_of_a_bookable_day(client):
    r = client.get(f"/api/v1/bookings/slots?service=KIA&date={TUESDAY}")
    assert r.status_code == 200, r.json
    slots = r.json["slots"]
    assert [s["slot"] for s in slots][:3] == ["08:00", "08:30", "09:00"] and slots[-1]["slot"] == "14:30"
    assert len(slots) == 14 and {s["remaining"] for s in slots} == {4}
    assert slots[1]["check_in_from"] == "08:00" and slots[1]["check_in_until"] == "08:45"
    assert r.json["days"][0] == TUESDAY and "2026-11-28" not in r.json["days"]  # a Saturday
    assert "2026-12-24" not in r.json["days"]  # the office's cuti bersama
    first = client.get("/api/v1/bookings/slots?service=KIA")
    assert first.status_code == 200 and first.json["date"] == TUESDAY
    friday = client.get("/api/v1/bookings/slots?service=KIA&date=2026-11-27").json["slots"]
    assert friday[-1]["slot"] == "11:00"  # Friday closes at 11:30


@pytest.mark.parametrize("query, code", [
    ("service=KIA&date=2026-11-23", "date_not_bookable"),  # today: same-day places are the walk-ins'
    ("service=KIA&date=2026-11-28", "date_not_bookable"),  # Saturday
    ("service=KIA&date=2026-12-31", "date_not_bookable"),  # past days_ahead (14)
    ("service=KIA&date=24-11-2026", "invalid_date"),
    ("service=KTPEL&date=2026-11-24", "booking_not_offered"),
])
def test_days_that_cannot_be_booked(client, query, code):
    r = client.get(f"/api/v1/bookings/slots?{query}")
    assert r.status_code == 422 and r.json["error"]["code"] == code and r.json["error"]["details"]["field"] in ("date", "service")


def test_a_booking_gives_a_code_a_status_url_and_the_checklist(client):
    r = book(client, phone="0812-3456-7890", email="ibu@contoh.id")
    assert r.status_code == 201, r.json
    body = r.json
    assert body["status"] == "booked" and body["date"] == TUESDAY and body["slot"] == "08:30"
    assert body["status_url"] == f"http://localhost/s/{body['code']}"
    assert "akta_kelahiran" in {i["code"] for i in body["checklist"]["items"]}
    assert body["nik"] == "6401********0003"
    text = json.dumps(body)
    assert NIK_GIRL not in text and "3456" not in text and "ibu@contoh.id" not in text
    with db.connection_context():
        stored = Booking.get(Booking.code == body["code"])
        assert stored.phone == "+6281234567890" and stored.nik == NIK_GIRL and stored.active_nik == NIK_GIRL
        audit = AuditLog.get(AuditLog.action == "booking.create")
        assert audit.actor == "publik" and NIK_GIRL not in json.dumps(audit.details)
        event = Event.get(Event.type == "booking.created")
        assert NIK_GIRL not in json.dumps(event.payload)
    public = client.get(f"/api/v1/bookings/{body['code']}")
    assert public.status_code == 200 and public.json["code"] == body["code"]
    status = client.get(f"/api/v1/status/{body['code']}").json
    assert status["kind"] == "booking" and "pukul 08:30 WITA" in status["text"]
    left = client.get(f"/api/v1/bookings/slots?service=KIA&date={TUESDAY}").json["slots"][1]
    assert left["remaining"] == 3


def test_one_booking_per_nik_service_and_day(client):
    assert book(client).status_code == 201
    again = book(client, slot="10:00")
    assert again.status_code == 409 and again.json["error"]["code"] == "sudah_terdaftar" and again.json["error"]["details"]["field"] == "nik"
    assert book(client, day="2026-11-25").status_code == 201  # another day
    assert book(client, service="KK", slot="09:00").status_code == 201  # another service
    with db.connection_context():
        assert Booking.select().count() == 3


def test_a_full_slot_is_kuota_habis(client):
    for nik in NIKS[:4]:
        assert book(client, nik=nik).status_code == 201
    full = book(client, nik=NIKS[4])
    assert full.status_code == 409 and full.json["error"]["code"] == "kuota_habis" and full.json["error"]["details"]["slot"] == "08:30"
    assert book(client, nik=NIKS[4], slot="09:00").status_code == 201


def test_cancel_frees_the_place_and_the_nik(client):
    codes = [book(client, nik=nik).json["code"] for nik in NIKS[:4]]
    assert book(client, nik=NIK_GIRL).json["error"]["code"] == "kuota_habis"
    r = client.delete(f"/api/v1/bookings/{codes[0]}")
    assert r.status_code == 200 and r.json["status"] == "cancelled"
    again = client.delete(f"/api/v1/bookings/{codes[0]}")
    assert again.status_code == 409 and again.json["error"]["code"] == "booking_not_active"
    assert book(client, nik=NIK_GIRL).status_code == 201  # the freed place
    assert book(client, nik=NIKS[0], slot="09:00").status_code == 201  # the cancelled NIK books again
    assert client.delete("/api/v1/bookings/ZZZZZZZZ").status_code == 404


@pytest.mark.parametrize("change, code, field", [
    ({"nik": "6401041506190"}, "invalid_nik", "nik"),
    ({"nik": "6401043206190003"}, "invalid_nik", "nik"),  # day 32
    ({"slot": "08:15"}, "invalid_slot", "slot"),
    ({"slot": "16:00"}, "invalid_slot", "slot"),
    ({"phone": "12345"}, "invalid_phone", "phone"),
    ({"email": "ibu at contoh"}, "invalid_email", "email"),
    ({"answers": {"birth_date": "2000-01-01", "reason": "baru"}}, "not_eligible", "answers"),
    ({"date": "2026-11-29"}, "date_not_bookable", "date"),
])
def test_bad_input_is_refused_and_writes_nothing(client, change, code, field):
    body = {"service": "KIA", "date": TUESDAY, "slot": "08:30", "nik": NIK_GIRL, "answers": dict(KIA_7Y), **change}
    r = client.post("/api/v1/bookings", json=body)
    assert r.status_code == 422 and r.json["error"]["code"] == code and r.json["error"]["details"]["field"] == field, r.json
    with db.connection_context():
        assert Booking.select().count() == 0
        assert not AuditLog.select().where(AuditLog.action == "booking.create").exists()


def test_check_in_inside_the_window_gives_a_booked_ticket(client, tokens, clock):
    code = book(client).json["code"]
    clock.set(at(TUESDAY, "07:59"))
    early = client.post(f"/api/v1/bookings/{code}/check-in", headers=tokens["kiosk"])
    assert early.status_code == 409 and early.json["error"]["code"] == "check_in_terlalu_awal"
    assert "08:00" in early.json["error"]["message"] and early.json["error"]["details"]["opens_at"].startswith(f"{TUESDAY}T08:00")
    assert client.post(f"/api/v1/bookings/{code}/check-in", headers=tokens["display"]).status_code == 403
    assert client.post(f"/api/v1/bookings/{code}/check-in").status_code == 401
    clock.set(at(TUESDAY, "08:10"))  # before opening (08:00 is the first slot; the window opens 07:30)
    r = client.post(f"/api/v1/bookings/{code}/check-in", headers=tokens["kiosk"])
    assert r.status_code == 201, r.json
    assert r.json["booked"] is True and r.json["number"] == "A001" and r.json["service"] == "KIA"
    assert r.json["status_url"].endswith(f"/s/{r.json['code']}") and r.json["checklist"]["items"]
    retry = client.post(f"/api/v1/bookings/{code}/check-in", headers=tokens["kiosk"])
    assert retry.status_code == 200 and retry.json["id"] == r.json["id"]
    assert client.delete(f"/api/v1/bookings/{code}").json["error"]["code"] == "booking_not_active"
    status = client.get(f"/api/v1/status/{code}").json
    assert status["status"] == "checked_in" and status["ticket"] == "A001"


def test_check_in_too_late_offers_a_walk_in(client, tokens, clock):
    code = book(client).json["code"]
    clock.set(at(TUESDAY, "08:46"))
    late = client.post(f"/api/v1/bookings/{code}/check-in", headers=tokens["kiosk"])
    assert late.status_code == 409 and late.json["error"]["code"] == "check_in_terlambat"
    assert late.json["error"]["details"]["walk_in"] is True and "08:45" in late.json["error"]["message"]
    walk_in = issue(client, tokens)
    assert walk_in.status_code == 201 and walk_in.json["booked"] is False


def test_a_booking_of_another_day_is_not_checked_in(client, tokens):
    code = book(client).json["code"]
    r = client.post(f"/api/v1/bookings/{code}/check-in", headers=tokens["kiosk"])
    assert r.status_code == 409 and r.json["error"]["code"] == "booking_other_day" and r.json["error"]["details"]["walk_in"] is False


def test_booked_and_walk_in_tickets_alternate_at_the_counter(client, tokens, clock):
    codes = [book(client, nik=nik).json["code"] for nik in NIKS[:3]]
    clock.set(at(TUESDAY, "08:20"))
    walk_ins = [issue(client, tokens).json["number"] for _ in range(3)]
    booked = [client.post(f"/api/v1/bookings/{c}/check-in", headers=tokens["kiosk"]).json["number"] for c in codes]
    assert walk_ins == ["A001", "A002", "A003"] and booked == ["A004", "A005", "A006"]
    from queue_server.auth import login
    with db.connection_context():  # Monday's token has expired: the officer logs in on Tuesday
        operator = {"Authorization": f"Bearer {login('u_operator', PASSWORD, now=clock.now())[0]}"}
    calls = []
    for _ in range(6):
        r = client.post("/api/v1/counters/1/call-next", headers=operator)
        assert r.status_code == 200, r.json
        calls.append((r.json["number"], r.json["booked"]))
    # booked_run = walk_in_run = 1: a booked ticket first, then one of each in turn
    assert calls == [("A004", True), ("A001", False), ("A005", True), ("A002", False), ("A006", True),
                     ("A003", False)]


def test_walk_ins_keep_their_share_and_missed_bookings_give_places_back(make_app, offices_dir, clock):
    path = offices_dir / "default.toml"
    text = path.read_text(encoding="utf-8").replace('rules = "kia"\n', 'rules = "kia"\ndaily_quota = 10\n', 1)
    path.write_text(text, encoding="utf-8")
    app = make_app()
    client = app.test_client()
    from queue_server.auth import create_device_token
    with db.connection_context():
        kiosk = {"Authorization": f"Bearer {create_device_token('kiosk', 'kiosk-1', office='paser')}"}
    # the day's bookings stop at 10 * (100 - 50) // 100 = 5, whatever the slots hold
    for i, nik in enumerate(NIKS[:5]):
        assert book(client, nik=nik, slot=["08:00", "08:30", "09:00", "09:30", "10:00"][i]).status_code == 201
    over = book(client, nik=NIKS[5], slot="11:00")
    assert over.status_code == 409 and over.json["error"]["code"] == "kuota_habis"
    assert client.get(f"/api/v1/bookings/slots?service=KIA&date={TUESDAY}").json["day_remaining"] == 0
    clock.set(at(TUESDAY, "08:00"))
    numbers = [client.post("/api/v1/tickets", json={"service": "KIA", "answers": KIA_7Y}, headers=kiosk)
               for _ in range(6)]
    assert [r.status_code for r in numbers] == [201] * 5 + [409]  # 10 - 5 expected bookings
    assert numbers[-1].json["error"]["code"] == "kuota_habis"
    clock.set(at(TUESDAY, "08:16"))  # the 08:00 booking's window closed at 08:15: its place is back
    again = client.post("/api/v1/tickets", json={"service": "KIA", "answers": KIA_7Y}, headers=kiosk)
    assert again.status_code == 201, again.json
    with db.connection_context():
        from queue_server import bookings
        assert bookings.expire_missed(app.extensions["loket"], app.extensions["loket"].office("paser")) == 1
        assert Booking.get(Booking.slot == "08:00").status == "no_show"
        assert Booking.get(Booking.slot == "08:00").active_nik is None


def test_the_nik_and_the_address_are_rate_limited(make_app):
    app = make_app(LOKET_BOOKING_NIK_LIMIT="2 per day")
    client = app.test_client()
    assert book(client, slot="08:00").status_code == 201
    assert book(client, slot="09:00").status_code == 409  # counted: an attempt
    third = book(client, slot="10:00")
    assert third.status_code == 429 and third.json["error"]["code"] == "rate_limited"
    assert int(third.headers["Retry-After"]) >= 1 and third.json["error"]["details"]["retry_after"] >= 1
    assert book(client, nik=NIKS[0]).status_code == 201  # another NIK from the same address
    limited = make_app(LOKET_BOOKING_ADDRESS_LIMIT="1 per hour").test_client()
    assert book(limited, nik=NIKS[1]).status_code == 201
    assert book(limited, nik=NIKS[2]).status_code == 429


def test_staff_see_the_days_bookings(client, tokens):
    code = book(client, phone="081234567890").json["code"]
    assert client.get(f"/api/v1/bookings?date={TUESDAY}").status_code == 401
    assert client.get(f"/api/v1/bookings?date={TUESDAY}", headers=tokens["kiosk"]).status_code == 403
    r = client.get(f"/api/v1/bookings?date={TUESDAY}", headers=tokens["operator"])
    assert r.status_code == 200 and r.json["bookings"][0]["code"] == code
    assert r.json["bookings"][0]["phone"] == "+6281234567890" and r.json["bookings"][0]["nik"] == "6401********0003"


def test_every_ticket_has_a_status_url(client, tokens, make_app, offices_dir):
    r = issue(client, tokens)
    assert r.json["status_url"] == f"http://localhost/s/{r.json['code']}"
    path = offices_dir / "default.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('public_url = ""', 'public_url = "https://antrean.paser.test/"'),
                    encoding="utf-8")
    other = make_app(DATA_DIR=str(offices_dir.parent / "data2"))
    from queue_server.auth import create_device_token
    with db.connection_context():
        kiosk = {"Authorization": f"Bearer {create_device_token('kiosk', 'kiosk-2', office='paser')}"}
    t = other.test_client().post("/api/v1/tickets", json={"service": "KK", "answers": {"reason": "kelahiran"}},
                                 headers=kiosk)
    assert t.json["status_url"] == f"https://antrean.paser.test/s/{t.json['code']}"
    with db.connection_context():
        assert Ticket.select().count() >= 1
