"""The office day rolls over cleanly (issue 16 item 16): at the office's midnight a
ticket still called at a counter is closed as unfinished, yesterday's waiting and
skipped numbers become no-shows with their history kept, and the status page of
yesterday's code says the day has ended. Through the Flask test client with a clock
moved across midnight in WITA, and on a real server process whose clock runs fast."""
from __future__ import annotations

import time
from datetime import datetime

import pytest
from live_server import LiveServer
from server_kit import KIA_7Y, MONDAY_0900, PASSWORD, WITA, issue

from queue_server.auth import login
from queue_server.db.models import AuditLog, CallLog, Event, Ticket, db

MIDNIGHT = datetime(2026, 11, 24, 0, 0, tzinfo=WITA).timestamp()


def post(client, headers, counter, action, **body):
    return client.post(f"/api/v1/counters/{counter}/{action}", json=body, headers=headers)


def relogin(role: str) -> dict:
    with db.connection_context():
        token, _ = login(f"u_{role}", PASSWORD, now=MIDNIGHT + 8 * 3600)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def evening(client, tokens, clock):
    """Monday: A001 served, A002 still at loket 1, A003 skipped, A004 and A005 waiting."""
    codes = [issue(client, tokens).json["code"] for _ in range(5)]
    op = tokens["operator"]
    assert post(client, op, "1", "call-next").json["number"] == "A001"
    assert post(client, op, "1", "finish").status_code == 200
    assert post(client, op, "2", "call-next").json["number"] == "A002"
    assert post(client, op, "1", "call-next").json["number"] == "A003"
    assert post(client, op, "1", "skip").json["status"] == "skipped"
    clock.set(datetime(2026, 11, 23, 15, 30, tzinfo=WITA).timestamp())
    return codes


def test_midnight_closes_called_as_unfinished_and_waiting_as_no_show(client, tokens, clock, evening):
    clock.set(MIDNIGHT + 8 * 3600)  # Tuesday 08:00 WITA: the first request of the day closes Monday
    assert client.get("/api/v1/queue", headers=tokens["display"]).status_code == 200
    with db.connection_context():
        by_number = {t.number: t for t in Ticket.select().where(Ticket.office_day == "2026-11-23")}
        assert {n: t.status for n, t in by_number.items()} == {
            "A001": "done", "A002": "unfinished", "A003": "no_show", "A004": "no_show", "A005": "no_show"}
        # closed at Monday's end, not at the moment the server noticed
        assert {t.finished_at for n, t in by_number.items() if n != "A001"} == {MIDNIGHT}
        ends = list(CallLog.select().where(CallLog.action == "day_end").order_by(CallLog.id))
        assert [(by_number_of(e), e.counter, e.at, e.office_day) for e in ends] == [
            ("A002", "2", MIDNIGHT, "2026-11-23"), ("A003", None, MIDNIGHT, "2026-11-23"),
            ("A004", None, MIDNIGHT, "2026-11-23"), ("A005", None, MIDNIGHT, "2026-11-23")]
        # history kept: the calls and the skip are still there
        assert CallLog.select().where(CallLog.action.in_(["call", "skip", "finish"])).count() == 5
        audit = AuditLog.get(AuditLog.action == "ticket.day_closed")
        assert (audit.actor, audit.target) == ("system", "2026-11-23")
        assert audit.details == {"no_show": 3, "unfinished": 1, "numbers": ["A002", "A003", "A004", "A005"]}
        ev = Event.get(Event.type == "office.day_closed")
        assert ev.payload == {"day": "2026-11-23", "no_show": 3, "unfinished": 1}  # counts only
    # nothing of Monday is at a counter or waiting on Tuesday; numbering starts again
    q = client.get("/api/v1/queue", headers=tokens["display"]).json
    assert q["office_day"] == "2026-11-24" and q["waiting_total"] == 0
    assert all(c["current"] is None for c in q["counters"])
    op = relogin("operator")
    assert post(client, op, "1", "call-next").status_code == 204
    kiosk = tokens["kiosk"]
    assert client.post("/api/v1/tickets", json={"service": "KIA", "answers": KIA_7Y},
                       headers=kiosk).json["number"] == "A001"
    # a second pass changes nothing
    clock.advance(3600)
    client.get("/api/v1/queue", headers=tokens["display"])
    with db.connection_context():
        assert AuditLog.select().where(AuditLog.action == "ticket.day_closed").count() == 1


def by_number_of(log: CallLog) -> str:
    return Ticket.get_by_id(log.ticket_id).number


def test_yesterdays_code_says_the_day_has_ended(client, tokens, clock, evening):
    served, at_counter, skipped, waiting, _ = evening
    clock.set(MIDNIGHT + 60)
    for code, status in ((waiting, "no_show"), (skipped, "no_show"), (at_counter, "unfinished")):
        body = client.get(f"/api/v1/status/{code}").json
        assert body["day_ended"] is True and body["status"] == status, body
        assert body["people_ahead"] is None and body["estimated_wait_seconds"] is None
        assert "Senin, 23 November 2026 sudah berakhir" in body["text"] and "nomor antrean baru" in body["text"]
    en = client.get(f"/api/v1/status/{waiting}?lang=en").json
    assert en["text"].startswith("the service day Monday, 23 November 2026 has ended")
    done = client.get(f"/api/v1/status/{served}").json
    assert done["status"] == "done" and done["text"] == "selesai dilayani pada Senin, 23 November 2026"
    clock.set(MIDNIGHT + 8 * 3600)
    today = client.get(f"/api/v1/status/{issue(client, tokens).json['code']}").json
    assert today["day_ended"] is False and today["status"] == "waiting" and today["people_ahead"] == 0


def test_the_days_report_counts_the_closed_numbers(client, tokens, clock, evening):
    clock.set(MIDNIGHT + 9 * 3600)
    kepala = relogin("kepala")
    data = client.get("/api/v1/reports/daily?date=2026-11-23", headers=kepala).json
    assert data["tickets"]["total"] == 5
    assert data["no_shows"] == 3 and data["unfinished"] == 1
    # the open call of the unfinished ticket is not a service time: only A001 and A003 were served
    kia = next(s for s in data["services"] if s["service"] == "KIA")
    assert kia["service_seconds"]["count"] == 2


def test_a_berkas_opened_on_an_unfinished_ticket_stays_at_its_step(client, tokens, clock, evening):
    _, at_counter, *_ = evening
    with db.connection_context():
        ticket_id = Ticket.get(Ticket.public_code == at_counter).id
    r = client.post(f"/api/v1/tickets/{ticket_id}/applications",
                    json={"service": "KIA", "answers": {"reason": "baru"},
                          "applicant": {"nik": "6401045506190003", "name": "Siti Aminah",
                                        "birth_date": "2019-06-15"}},
                    headers=tokens["operator"])
    assert r.status_code == 201, r.json
    code = r.json["code"]
    clock.set(MIDNIGHT + 8 * 3600)
    client.get("/api/v1/queue", headers=tokens["display"])
    with db.connection_context():
        assert Ticket.get_by_id(ticket_id).status == "unfinished"
    app = client.get(f"/api/v1/status/{code}").json
    assert app["kind"] == "application" and app["state"] == "at_step"
    # the ticket's own code lists the berkas, which is still followed
    visit = client.get(f"/api/v1/status/{at_counter}").json
    assert visit["kind"] == "visit" and visit["applications"][0]["code"] == code


@pytest.mark.slow
def test_a_real_server_closes_the_day_at_midnight(tmp_path):
    """``loket serve`` with a clock running 60× from 23:55 WITA: numbers issued and
    called before midnight are closed within seconds after it, with no restart."""
    srv = LiveServer(tmp_path / "data", workers=1,
                     extra_args=("--clock-start", "2026-11-23T23:55:00+08:00",
                                 "--clock-speed", "60")).setup().start()
    try:
        kiosk, op = srv.tokens["kiosk"], srv.login("u_operator")
        assert srv.request("GET", "/api/v1/health")[1]["time"] < MIDNIGHT - 60, "the server started too late"
        codes = []
        for _ in range(3):
            status, body = srv.request("POST", "/api/v1/tickets", {"service": "KIA", "answers": KIA_7Y}, token=kiosk)
            assert status == 201, body
            codes.append(body["code"])
        status, body = srv.request("POST", "/api/v1/counters/1/call-next", {}, token=op)
        assert status == 200 and body["number"] == "A001"
        deadline = time.time() + 60
        while srv.request("GET", "/api/v1/health")[1]["time"] < MIDNIGHT + 5:
            assert time.time() < deadline, "the simulated clock did not pass midnight"
            time.sleep(0.5)
        status, queue = srv.request("GET", "/api/v1/queue", token=srv.tokens["display"])
        assert status == 200 and queue["office_day"] == "2026-11-24" and queue["waiting_total"] == 0
        assert all(c["current"] is None for c in queue["counters"])
        states = [srv.request("GET", f"/api/v1/status/{c}")[1] for c in codes]
        assert [(s["status"], s["day_ended"]) for s in states] == [
            ("unfinished", True), ("no_show", True), ("no_show", True)]
    finally:
        srv.stop()
