"""kiosk.api.KioskApi against a real ``loket serve`` on 127.0.0.1, and its fault
handling against sockets that refuse, hang or answer 503."""
from __future__ import annotations

import json
import socket
import threading
import uuid
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from live_server import LiveServer, free_port

from kiosk.api import TIMEOUT, UNREACHABLE, ApiError, KioskApi


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = LiveServer(tmp_path_factory.mktemp("kiosk-api"), threads=8).setup(staff_roles=())
    s.start()
    yield s
    s.stop()


@pytest.fixture
def api(server):
    client = KioskApi(server.url, server.tokens["kiosk"], timeout=10)
    yield client
    client.session.close()


def seven_years_ago() -> str:
    return date(date.today().year - 7, 1, 1).isoformat()


def test_services_in_both_languages(api):
    ids = api.services("id")["services"]
    ens = api.services("en")["services"]
    assert [s["code"] for s in ids] == ["KIA", "KK", "IKD", "KTPEL", "AKTA_LAHIR"]
    kia = ids[0]
    assert kia["name"] == "Kartu Identitas Anak (KIA)" and ens[0]["name"] == "Child Identity Card (KIA)"
    assert [q["kind"] for q in kia["questions"]] == ["date", "choice", "bool"] and kia["open"] is True
    assert kia["questions"][2]["when"] == {"age_years": list(range(10, 17))}  # "never married?" from age 10
    assert api.offices()["offices"][0]["short_name"] == "Disdukcapil Paser"


def test_requirements_and_bool_answers(api):
    kia = api.requirements("KIA", {"birth_date": seven_years_ago(), "reason": "baru"}, "en")
    assert kia["eligible"] and kia["facts"]["photo_required"] is True
    assert [i["code"] for i in kia["items"]][-1] == "pas_foto"
    ikd = api.requirements("IKD", {"ktp_el_recorded": True, "age17_or_married": False, "has_device_and_email": True})
    assert ikd["eligible"] is False and "KIA" in ikd["ineligible"][0]["message"]


def test_issue_is_idempotent_and_status_follows(api):
    key = uuid.uuid4().hex
    answers = {"birth_date": seven_years_ago(), "reason": "baru"}
    first = api.issue_ticket("KIA", answers, None, key)
    again = api.issue_ticket("KIA", answers, None, key)
    assert first["created"] is True and again["created"] is False
    assert again["number"] == first["number"] and again["code"] == first["code"]
    st = api.status(first["code"])
    assert st["kind"] == "ticket" and st["text"] == "menunggu dipanggil" and st["number"] == first["number"]
    assert api.status(first["code"], "en")["text"] == "waiting to be called"


def test_server_errors_carry_the_indonesian_message(api, server):
    with pytest.raises(ApiError) as err:
        api.status("ZZZZ2345")
    assert err.value.status == 404 and err.value.code == "unknown_code"
    assert err.value.text("id") == "Kode tidak ditemukan." and err.value.text("en") == "Code not found."
    assert not err.value.retryable
    with pytest.raises(ApiError) as err:
        api.issue_ticket("IKD", {"ktp_el_recorded": False, "age17_or_married": True, "has_device_and_email": True},
                         None, uuid.uuid4().hex)
    assert err.value.code == "not_eligible" and err.value.status == 422
    bad = KioskApi(server.url, "not-a-token", timeout=10)
    with pytest.raises(ApiError) as err:
        bad.issue_ticket("KIA", {}, None, uuid.uuid4().hex)
    assert err.value.status == 401 and err.value.message
    bad.session.close()


def test_ikm_and_fault_report(api):
    elements = api.ikm_questions("id")["elements"]
    assert len(elements) == 9 and [a["value"] for a in elements[0]["answers"]] == [1, 2, 3, 4]
    assert api.submit_ikm([4, 3, 4, 4, 3, 4, 4, 4, 4]) == {"ok": True}
    with pytest.raises(ApiError) as err:
        api.submit_ikm([4] * 8)
    assert err.value.status in (400, 422)
    assert api.report_fault("printer", "paper_out", "Kertas printer habis.", "A001") == {"ok": True}


def test_unreachable_is_retried_with_backoff():
    sleeps = []
    api = KioskApi(f"http://127.0.0.1:{free_port()}", "t", timeout=1, retries=2, backoff=0.3, sleep=sleeps.append)
    with pytest.raises(ApiError) as err:
        api.services()
    assert err.value.code == UNREACHABLE and err.value.retryable
    assert "tidak dapat dihubungi" in err.value.message
    assert sleeps == [0.3, 0.6]


def test_a_server_that_never_answers_times_out():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)  # accepts connections (kernel backlog) but never answers
    try:
        api = KioskApi(f"http://127.0.0.1:{listener.getsockname()[1]}", "t", timeout=0.3, retries=1,
                       sleep=lambda s: None)
        with pytest.raises(ApiError) as err:
            api.issue_ticket("KIA", {}, None, "k")
        assert err.value.code == TIMEOUT and err.value.retryable
    finally:
        listener.close()


def test_503_then_answer_is_retried():
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server API
            hits.append(self.path)
            body = json.dumps({"ok": True}).encode()
            self.send_response(503 if len(hits) == 1 else 200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        api = KioskApi(f"http://127.0.0.1:{httpd.server_address[1]}", "t", timeout=2, sleep=lambda s: None)
        assert api.ikm_questions() == {"ok": True}
        assert hits == ["/api/v1/ikm/questions", "/api/v1/ikm/questions"]
    finally:
        httpd.shutdown()
        httpd.server_close()
        api.session.close()
