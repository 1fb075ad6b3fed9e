"""Counter actions through the Flask test client: call next, routing with priority
interleave, skip and return window, transfer, recall, finish, conflicts, restart."""
from __future__ import annotations

from server_kit import issue

from queue_server.db.models import CallLog, Event, db

#: every test here runs on SQLite and on PostgreSQL (issue 17)
ENGINES = ("sqlite", "postgresql")


def post(client, tokens, counter, action, role="operator", **body):
    return client.post(f"/api/v1/counters/{counter}/{action}", json=body, headers=tokens[role])


def test_call_next_in_order_then_204(client, tokens):
    for _ in range(2):
        issue(client, tokens)
    r = post(client, tokens, "1", "call-next")
    assert r.status_code == 200 and r.json["number"] == "A001" and r.json["counter"] == "1"
    r = post(client, tokens, "1", "call-next")
    assert r.json["number"] == "A002"
    assert post(client, tokens, "1", "call-next").status_code == 204
    with db.connection_context():
        types = [e.type for e in Event.select().order_by(Event.id)]
    assert types.count("ticket.called") == 2 and types.count("ticket.finished") == 2


def test_counter_only_calls_services_it_serves(client, tokens):
    issue(client, tokens, "IKD", answers={"ktp_el_recorded": True, "age17_or_married": True,
                                          "has_device_and_email": True})
    assert post(client, tokens, "1", "call-next").status_code == 204  # loket 1: KIA/KK/...
    r = post(client, tokens, "4", "call-next")  # loket 4: IKD
    assert r.status_code == 200 and r.json["number"] == "C001"


def test_priority_interleave_two_normal_one_priority(client, tokens):
    for _ in range(6):
        issue(client, tokens)
    for _ in range(3):
        issue(client, tokens, priority="lansia")
    called = [post(client, tokens, "1", "call-next").json for _ in range(9)]
    kinds = ["P" if t["priority"] else "N" for t in called]
    assert kinds == ["P", "N", "N", "P", "N", "N", "P", "N", "N"]
    normals = [t["number"] for t in called if not t["priority"]]
    assert normals == sorted(normals)  # each queue stays in arrival order


def test_skip_returns_after_three_calls_then_no_show(client, tokens):
    for _ in range(6):
        issue(client, tokens)
    assert post(client, tokens, "1", "call-next").json["number"] == "A001"
    r = post(client, tokens, "1", "skip")
    assert r.json["status"] == "skipped"
    seen = [post(client, tokens, "1", "call-next").json["number"] for _ in range(4)]
    # A001 comes back once three other numbers of its service were called
    assert seen == ["A002", "A003", "A004", "A001"]
    post(client, tokens, "1", "skip")
    seen = [post(client, tokens, "1", "call-next").json["number"] for _ in range(3)]
    # only two others wait: once they are called, the skipped number need not wait longer
    assert seen == ["A005", "A006", "A001"]
    r = post(client, tokens, "1", "skip")  # third skip: max_skips = 2 → no-show
    assert r.json["status"] == "no_show"
    assert post(client, tokens, "1", "call-next").status_code == 204


def test_call_specific_number_recall_and_finish(client, tokens):
    for _ in range(3):
        issue(client, tokens)
    r = post(client, tokens, "2", "call", number="a003")
    assert r.status_code == 200 and r.json["number"] == "A003"
    assert post(client, tokens, "1", "call", number="A003").json["error"]["code"] == "not_callable"
    assert post(client, tokens, "2", "recall").json["number"] == "A003"
    r = post(client, tokens, "2", "finish")
    assert r.json["status"] == "done"
    assert post(client, tokens, "2", "recall").status_code == 409
    assert post(client, tokens, "2", "call", number="Z999").status_code == 404
    with db.connection_context():
        assert Event.select().where(Event.type == "ticket.recalled").count() == 1


def test_transfer_keeps_the_number_and_goes_to_the_other_queue(client, tokens):
    issue(client, tokens, "KK", answers={"reason": "kelahiran"})
    issue(client, tokens, "IKD", answers={"ktp_el_recorded": True, "age17_or_married": True,
                                          "has_device_and_email": True})
    assert post(client, tokens, "1", "call-next").json["number"] == "B001"
    r = post(client, tokens, "1", "transfer", service="IKD")
    assert r.status_code == 200 and r.json["number"] == "B001" and r.json["service"] == "IKD"
    assert r.json["status"] == "waiting"
    # B001 arrived before C001: it keeps its place in the order of arrival
    assert post(client, tokens, "4", "call-next").json["number"] == "B001"
    assert post(client, tokens, "4", "call-next").json["number"] == "C001"
    bad = post(client, tokens, "4", "transfer", service="IKD", step="nope")
    assert bad.status_code == 422


def test_second_officer_is_told_when_the_ticket_changed(client, tokens):
    for _ in range(2):
        issue(client, tokens)
    first = post(client, tokens, "1", "call-next").json
    ok = post(client, tokens, "1", "finish", ticket=first["id"])
    assert ok.status_code == 200
    stale = post(client, tokens, "1", "skip", ticket=first["id"])
    assert stale.status_code == 409
    assert stale.json["error"]["code"] in ("no_current_ticket", "ticket_changed")


def test_state_is_the_same_after_a_restart(make_app, tokens, client):
    for _ in range(4):
        issue(client, tokens)
    post(client, tokens, "1", "call-next")
    post(client, tokens, "1", "skip")
    post(client, tokens, "2", "call-next")
    before = client.get("/api/v1/queue", headers=tokens["display"]).json
    app2 = make_app()  # same data directory, new process state
    c2 = app2.test_client()
    after = c2.get("/api/v1/queue", headers=tokens["display"]).json
    assert after == before
    assert post(c2, tokens, "1", "call-next").json["number"] == "A003"
    with db.connection_context():
        actions = [(c.counter, c.action) for c in CallLog.select().order_by(CallLog.id)]
    assert actions == [("1", "call"), ("1", "skip"), ("2", "call"), ("1", "call")]


def test_queue_overview_is_public_and_has_no_personal_data(client, tokens):
    issue(client, tokens)
    post(client, tokens, "1", "call-next")
    q = client.get("/api/v1/queue", headers=tokens["display"]).json
    assert q["counters"][0]["current"]["number"] == "A001"
    assert q["last_calls"][0]["counter_number"] == 1
    assert "nik" not in str(q).lower() and "name\": \"" not in str(q)


def test_officer_confirms_or_clears_the_declared_priority(client, tokens):
    issue(client, tokens, priority="ibu_hamil")
    post(client, tokens, "1", "call-next")
    r = post(client, tokens, "1", "priority", priority=None)
    assert r.status_code == 200 and r.json["priority"] is None
    r = post(client, tokens, "1", "priority", priority="lansia")
    assert r.json["priority"] == "lansia"
    assert post(client, tokens, "1", "priority", priority="vip").status_code == 422
    assert post(client, tokens, "1", "priority", role="kiosk", priority=None).status_code == 403
    with db.connection_context():
        from queue_server.db.models import AuditLog
        assert AuditLog.select().where(AuditLog.action == "counter.priority").count() == 2


def test_closing_a_counter_finishes_its_visit_and_tells_the_displays(client, tokens):
    issue(client, tokens)
    post(client, tokens, "1", "call-next")
    r = post(client, tokens, "1", "close")
    assert r.status_code == 200 and r.json == {"closed": "1", "finished": "A001"}
    q = client.get("/api/v1/queue", headers=tokens["display"]).json
    assert q["counters"][0]["current"] is None
    with db.connection_context():
        ev = Event.select().order_by(Event.id.desc()).first()
    assert ev.type == "counter.closed" and ev.payload == {"counter": "1", "counter_number": 1}
    assert post(client, tokens, "1", "close", role="display").status_code == 403
