"""The live dashboard API and its alerts (issue 15 §2) through the Flask test client with
a clock the test moves: the figures equal the daily report's at the same moment, alerts
are raised once per office day when a wait passes ``alert_wait_minutes`` or a berkas
passes its step's mutu baku, and only kepala and admin read it."""
from __future__ import annotations

from server_kit import issue

from queue_server.db.models import Alert, Event, db

#: every test here runs on SQLite and on PostgreSQL (issue 17)
ENGINES = ("sqlite", "postgresql")


def post(client, tokens, counter, action, role="operator", **body):
    return client.post(f"/api/v1/counters/{counter}/{action}", json=body, headers=tokens[role])


def test_the_dashboard_agrees_with_the_daily_report(client, tokens, clock):
    for _ in range(4):
        issue(client, tokens)
    issue(client, tokens, "KK", answers={"reason": "kelahiran"})
    clock.advance(600)
    assert post(client, tokens, "1", "call-next").json["number"] == "A001"
    clock.advance(120)
    post(client, tokens, "2", "call-next")
    post(client, tokens, "2", "skip")
    clock.advance(60)
    d = client.get("/api/v1/dashboard", headers=tokens["kepala"]).json
    report = client.get("/api/v1/reports/daily", headers=tokens["kepala"]).json
    queue = client.get("/api/v1/queue", headers=tokens["display"]).json
    assert d["totals"]["tickets"] == report["tickets"]["total"] == 5
    assert d["totals"]["no_shows"] == report["no_shows"]
    assert d["totals"]["waiting"] == queue["waiting_total"]
    by = {s["service"]: s for s in d["services"]}
    assert by["KIA"]["tickets_today"] == report["tickets"]["per_service"]["KIA"] == 4
    assert by["KIA"]["waiting"] == next(s["waiting"] for s in queue["services"] if s["service"] == "KIA")
    assert by["KIA"]["longest_wait_seconds"] == 600 + 120 + 60  # A003 (A002 was skipped) since 09:00
    assert by["KIA"]["estimated_wait_seconds"] == next(s["estimated_wait_seconds"] for s in queue["services"]
                                                        if s["service"] == "KIA")
    counters = {c["code"]: c for c in d["counters"]}
    assert counters["1"]["state"] == "serving" and counters["1"]["current"]["number"] == "A001"
    assert counters["1"]["officer"] == "u_operator" and counters["1"]["seconds"] == 180
    assert counters["2"]["state"] == "idle" and counters["3"]["state"] == "closed"
    assert d["ikm"] == report["ikm"]
    assert "nik" not in str(d).lower()


def test_a_long_wait_raises_one_alert_a_day_as_a_staff_event(client, tokens, clock):
    issue(client, tokens)
    clock.advance(44 * 60)
    client.get("/api/v1/queue", headers=tokens["display"])
    with db.connection_context():
        assert Alert.select().count() == 0
    clock.advance(2 * 60)  # 46 min > alert_wait_minutes = 45
    client.get("/api/v1/queue", headers=tokens["display"])
    d = client.get("/api/v1/dashboard", headers=tokens["kepala"]).json
    assert [(a["kind"], a["service"], a["threshold_seconds"]) for a in d["alerts"]] == [("wait", "KIA", 2700)]
    assert next(s for s in d["services"] if s["service"] == "KIA")["alert"] is True
    for _ in range(3):  # still waiting: no second alert
        clock.advance(60)
        client.get("/api/v1/queue", headers=tokens["display"])
    with db.connection_context():
        assert Alert.select().count() == 1
        ev = Event.get(Event.type == "alert.raised")
        assert ev.payload["kind"] == "wait" and ev.payload["service"] == "KIA"
    # staff streams get it, displays do not (not a public event type)
    from client.protocol import PUBLIC_EVENT_TYPES
    assert "alert.raised" not in PUBLIC_EVENT_TYPES


def test_a_berkas_past_its_mutu_baku_raises_a_step_alert(client, tokens, clock):
    t = issue(client, tokens).json
    post(client, tokens, "1", "call-next")
    r = client.post(f"/api/v1/tickets/{t['id']}/applications",
                    json={"service": "KIA", "answers": {"reason": "baru"},
                          "applicant": {"nik": "6401011506190002", "name": "Muhammad Al-Fatih Ramadhan",
                                        "birth_date": "2019-06-15"}}, headers=tokens["operator"])
    assert r.status_code == 201, r.json
    step = r.json["step"]
    services = client.get("/api/v1/services").json["services"]
    mutu = next(st["mutu_baku_minutes"] for sv in services if sv["code"] == "KIA" for st in sv["steps"]
                if st["code"] == step)
    clock.advance(mutu * 60 + 120)
    client.get("/api/v1/queue", headers=tokens["display"])
    d = client.get("/api/v1/dashboard", headers=tokens["kepala"]).json
    alert = next(a for a in d["alerts"] if a["kind"] == "step")
    assert alert["service"] == "KIA" and alert["step"] == step and alert["threshold_seconds"] == mutu * 60
    row = next(s for s in d["steps"] if s["step"] == step and s["service"] == "KIA")
    assert row["waiting_now"] == 1 and row["late_now"] == 1 and row["oldest_seconds"] >= mutu * 60 + 120


def test_only_the_head_of_office_and_admin_read_the_dashboard(client, tokens):
    assert client.get("/api/v1/dashboard", headers=tokens["kepala"]).status_code == 200
    assert client.get("/api/v1/dashboard", headers=tokens["admin"]).status_code == 200
    for role in ("operator", "display", "kiosk"):
        assert client.get("/api/v1/dashboard", headers=tokens[role]).status_code == 403
    assert client.get("/api/v1/dashboard").status_code == 401


def test_voice_call_plans_and_clips(client, tokens):
    r = client.get("/api/v1/voice/call?number=A012&counter=3&repeat=2", headers=tokens["display"])
    assert r.status_code == 200
    tokens_ = [c.get("token") for c in r.json["clips"]]
    assert tokens_[0] == "chime" and None in tokens_  # the pause between the two readings
    assert tokens_.count("huruf_a") == 2
    clip = client.get(r.json["clips"][1]["url"])
    assert clip.status_code == 200 and clip.mimetype == "audio/wav" and clip.data[:4] == b"RIFF"
    bad = client.get("/api/v1/voice/call?number=A012&counter=300", headers=tokens["display"])
    assert bad.status_code == 422
    assert client.get("/api/v1/voice/clips/..%2Fsecret.wav").status_code == 404
    assert client.get("/api/v1/voice/call?number=A012&counter=3").status_code == 401


def test_the_page_cookie_is_for_reads_only(client, tokens):
    token = tokens["operator"]["Authorization"].split()[1]
    client.set_cookie("loket_token", token)
    assert client.get("/api/v1/auth/me").json["name"] == "u_operator"
    # a write with only the cookie is not authenticated: no forged action from another page
    r = client.post("/api/v1/counters/1/call-next", json={})
    assert r.status_code == 401
