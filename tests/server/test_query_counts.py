"""The hot paths run a fixed number of SQL statements (peewee's
``playhouse.test_utils.assert_query_count``): a change that adds a query per request,
or one per waiting ticket, fails here. Counts are for a warm process (the office's
numbering row exists) with several tickets waiting, so a per-row query shows."""
from __future__ import annotations

from playhouse.test_utils import assert_query_count
from server_kit import issue

#: Statements of one request: issue a ticket, call the next, read the queue overview.
ISSUE_TICKET = 6
#: Three indexed queue-head reads per (service, step) the counter serves (seven at counter 1),
#: four where the service takes bookings (the walk-in and the booked lane: five of them),
#: plus the finish of the current ticket, the call and the staff view of the visit.
CALL_NEXT = 38
QUEUE_OVERVIEW = 4  # the newest event id (the cache key), then the overview


def _warm(client, tokens, n=6):
    for _ in range(n):
        assert issue(client, tokens).status_code == 201
    assert issue(client, tokens, "KK", answers={"reason": "kelahiran"}).status_code == 201


def test_issuing_a_ticket(client, tokens):
    _warm(client, tokens)
    with assert_query_count(ISSUE_TICKET):
        assert issue(client, tokens).status_code == 201


def test_calling_the_next_number(client, tokens):
    _warm(client, tokens)
    call = lambda: client.post("/api/v1/counters/1/call-next", json={"ticket": None},  # noqa: E731
                               headers=tokens["operator"])
    assert call().status_code == 200
    with assert_query_count(CALL_NEXT):
        r = call()
    assert r.status_code == 200 and r.json["applications"] == [] and "answers" in r.json
    _warm(client, tokens, 20)  # only queue heads are read: twenty more waiting cost nothing
    with assert_query_count(CALL_NEXT):
        assert call().status_code == 200


def test_the_queue_overview_does_not_grow_with_the_queue(client, tokens):
    _warm(client, tokens)
    client.get("/api/v1/queue", headers=tokens["display"])  # the first read of a process fills a cache
    assert issue(client, tokens).status_code == 201  # a change: the overview is computed again
    with assert_query_count(QUEUE_OVERVIEW):
        assert client.get("/api/v1/queue", headers=tokens["display"]).status_code == 200
    _warm(client, tokens, 12)
    with assert_query_count(QUEUE_OVERVIEW):
        fresh = client.get("/api/v1/queue", headers=tokens["display"])
    assert fresh.status_code == 200 and fresh.json["waiting_total"] == 7 + 1 + 13
    # nothing changed since: a hall of displays refreshing costs one query each
    with assert_query_count(1):
        same = client.get("/api/v1/queue", headers=tokens["display"])
    assert same.json == fresh.json
