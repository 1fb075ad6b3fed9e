"""Faults at the counter station, against fakes and closed ports: server down, token
expired, printer and camera missing, retries with backoff in the client."""
from __future__ import annotations

import socket

import pytest
import requests

from counter import ApiError, StationClient, StationController
from client.http import UNREACHABLE


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


OFFICES = {"default": "paser", "offices": [{"code": "paser", "name": "Disdukcapil Kabupaten Paser",
                                            "short_name": "Disdukcapil Paser", "timezone": "Asia/Makassar",
                                            "zone": "WITA", "regency": "Kabupaten Paser"}]}
COUNTERS = [{"code": "1", "number": 1, "name": "Loket 1", "serves": [{"service": "KIA", "step": "penerimaan"}]}]
QUEUE = {"services": [{"service": "KIA", "name": "KIA", "waiting": 2, "next": ["A001", "A002"]}],
         "counters": [{"code": "1", "number": 1, "current": None}], "last_calls": []}
APP = {"id": 7, "code": "K7M3PQ", "service": "KIA", "service_name": "Kartu Identitas Anak (KIA)",
       "state": "at_step", "step": "penerimaan", "version": 3, "documents_present": [], "missing": [],
       "siak_reference": None, "applicant": {"name": "Ayu", "birth_date": "2015-01-01"},
       "checklist": {"items": [{"code": "akta_kelahiran", "label": "Akta"}, {"code": "kk_orang_tua", "label": "KK"}]}}


class FakeClient:
    """Answers like the server; ``fail`` maps a method name to the ApiError it raises."""

    def __init__(self, role="operator"):
        self.role = role
        self.token = None
        self.fail: dict[str, ApiError] = {}
        self.calls: list[str] = []
        self.current = None
        self.app = dict(APP)

    def __getattr__(self, name):
        def call(*args, **kw):
            self.calls.append(name)
            if name in self.fail:
                raise self.fail[name]
            return ANSWERS[name](self, *args, **kw)
        return call


def _returned(client, app_id, present, siak, version):
    client.app = {**APP, "state": "returned", "documents_present": present,
                  "missing": [{"code": "kk_orang_tua", "label": "Kartu Keluarga orang tua"}]}
    return client.app


ANSWERS = {
    "login": lambda c, u, p: (setattr(c, "token", "t") or
                              {"token": "t", "username": u, "role": c.role, "office": "paser", "full_name": "Ani"}),
    "logout": lambda c: setattr(c, "token", None),
    "offices": lambda c: OFFICES,
    "services": lambda c: [{"code": "KIA", "name": "KIA", "completion_days": 1, "pickup": True, "rules": "kia",
                            "steps": [{"code": "penerimaan", "name": "Penerimaan berkas", "role": "operator",
                                       "presence": "counter", "effect": None},
                                      {"code": "verifikasi", "name": "Verifikasi", "role": "verifikator",
                                       "presence": "back_office", "effect": None}]}],
    "services_and_priorities": lambda c: (ANSWERS["services"](c), [{"code": "lansia", "label": "Lansia (60+)"}]),
    "counters": lambda c: COUNTERS,
    "queue": lambda c: {**QUEUE, "counters": [{"code": "1", "number": 1, "current": c.current}]},
    "call_next": lambda c, counter, ticket: (setattr(c, "current", {"number": "A001"}) or
                                             {"id": 1, "number": "A001", "status": "called",
                                              "applications": [c.app]}),
    "ticket": lambda c, tid: {"id": tid, "number": "A001", "status": "called", "applications": [c.app]},
    "application": lambda c, app_id: c.app,
    "verify": _returned,
    "work": lambda c, step, service=None: [],
}


def logged_in(role="operator", **kw):
    client = FakeClient(role)
    ctl = StationController(client, counter="1", **kw)
    assert ctl.login("ani", "pw")
    return ctl, client


def test_server_down_at_login_gives_a_clear_message_and_no_session():
    client = StationClient(f"http://127.0.0.1:{closed_port()}", timeout=1, retries=1, backoff=0.01)
    ctl = StationController(client)
    assert ctl.login("ani", "rahasia-123") is False
    assert "tidak dapat dihubungi" in ctl.login_message
    assert not ctl.logged_in and client.token is None


def test_server_down_during_work_keeps_the_view_and_tells_the_officer():
    ctl, client = logged_in()
    assert ctl.call_next()["number"] == "A001"
    client.fail["finish"] = ApiError.no_answer(UNREACHABLE, "refused")
    assert ctl.finish() is None and ctl.notice.code == "unfinished_counter_step"  # its berkas is not checked yet
    assert ctl.finish() is None  # the officer goes ahead: the server is down
    assert ctl.notice.kind == "error" and "tidak dapat dihubungi" in ctl.notice.text
    assert ctl.logged_in and ctl.ticket["number"] == "A001"  # nothing lost; the officer retries
    del client.fail["finish"]
    client.fail["queue"] = ApiError.no_answer(UNREACHABLE)
    assert ctl.refresh_queue() is None and ctl.queue["services"] == QUEUE["services"]


def test_expired_token_goes_back_to_login_with_the_server_message():
    ctl, client = logged_in()
    client.fail["call_next"] = ApiError("token_expired", "Sesi sudah berakhir. Silakan masuk lagi.", status=401)
    assert ctl.call_next() is None
    assert not ctl.logged_in and ctl.mode is None and ctl.ticket is None
    assert ctl.login_message == "Sesi sudah berakhir. Silakan masuk lagi."
    assert client.token is None


def test_wrong_password_and_a_role_without_station():
    client = FakeClient()
    client.fail["login"] = ApiError("bad_credentials", "Nama pengguna atau kata sandi salah.", status=401)
    ctl = StationController(client)
    assert ctl.login("ani", "x") is False and ctl.login_message == "Nama pengguna atau kata sandi salah."
    ctl2 = StationController(FakeClient(role="kepala"))
    assert ctl2.login("kepala", "pw") is False and "kepala" in ctl2.login_message


def test_missing_printer_after_return_keeps_the_server_state_and_says_so():
    ctl, client = logged_in(printer=f"tcp://127.0.0.1:{closed_port()}")
    ctl.call_next()
    assert ctl.application["id"] == 7
    ctl.set_present("akta_kelahiran", True)
    assert ctl.submit_verification() is None  # the slip could not be printed
    assert "verify" in client.calls and ctl.application["state"] == "returned"  # recorded first
    assert ctl.notice.kind == "error" and ctl.notice.code == "connection_refused"
    assert "printer" in ctl.notice.text.lower()


def test_no_printer_configured_is_named():
    ctl, _ = logged_in()
    ctl.call_next()
    assert ctl.submit_verification() is None
    assert ctl.notice.code == "no_printer" and "Printer struk belum diatur" in ctl.notice.text


def test_missing_camera_is_a_clear_message():
    from counter.photo import FileCamera
    ctl, _ = logged_in()
    ctl.call_next()
    assert ctl.capture_photo() is None and "Kamera belum diatur" in ctl.notice.text
    ctl.camera = FileCamera("tidak-ada.png")
    assert ctl.capture_photo() is None and ctl.notice.kind == "error" and ctl.notice.text


def test_refused_photo_is_not_stored(coffee_bgr):
    from counter.photo import ArrayCamera
    ctl, client = logged_in(camera=ArrayCamera([coffee_bgr]))
    ctl.call_next()
    result = ctl.capture_photo()
    assert result is not None and not result.ok and result.codes == ("no_face",)
    assert ctl.notice.kind == "warning" and "Wajah tidak terdeteksi" in ctl.notice.text
    assert ctl.accept_photo() is None and "put_photo" not in client.calls


def test_send_back_needs_a_reason():
    ctl, client = logged_in(role="verifikator")
    assert ctl.mode == "verifikasi"
    ctl.application = dict(APP)
    assert ctl.send_back("  ") is None and ctl.notice.text == "Alasan wajib diisi."
    assert "complete_step" not in client.calls


class CountingSession(requests.Session):
    def __init__(self, fail_times, exc):
        super().__init__()
        self.fail_times, self.exc, self.n = fail_times, exc, 0

    def request(self, method, url, **kw):
        self.n += 1
        if self.n <= self.fail_times:
            raise self.exc
        resp = requests.Response()
        resp.status_code = 200
        resp._content = b'{"ok": true}'
        return resp


def test_client_retries_reads_with_backoff_and_never_repeats_a_sent_action():
    s = CountingSession(2, requests.ReadTimeout("slow"))
    c = StationClient("http://127.0.0.1:1", retries=2, backoff=0.001, session=s)
    assert c.get("/queue") == {"ok": True} and s.n == 3
    s = CountingSession(1, requests.ReadTimeout("slow"))
    c = StationClient("http://127.0.0.1:1", retries=2, backoff=0.001, session=s)
    with pytest.raises(ApiError) as e:
        c.post("/counters/1/call-next", {})
    assert e.value.kind == "offline" and s.n == 1  # the server may have acted: not repeated
    s = CountingSession(1, requests.ConnectionError("Connection refused"))
    c = StationClient("http://127.0.0.1:1", retries=2, backoff=0.001, session=s)
    assert c.post("/counters/1/call-next", {}) == {"ok": True} and s.n == 2  # never reached the server


def test_error_body_is_carried_with_its_indonesian_message():
    resp = requests.Response()
    resp.status_code = 409
    resp._content = (b'{"error": {"code": "ticket_changed", "message": "Nomor sudah berubah.", '
                     b'"message_en": "Changed.", "details": {"current": "A002"}}}')
    err = ApiError.from_response(resp)
    assert (err.kind, err.code, err.message, err.text("en"), err.details) == (
        "conflict", "ticket_changed", "Nomor sudah berubah.", "Changed.", {"current": "A002"})
    resp._content = b"<html>bad gateway</html>"
    resp.status_code = 502
    assert ApiError.from_response(resp).kind == "offline"
    with pytest.raises(ValueError):
        StationClient("127.0.0.1:8080")


def test_reload_after_the_server_came_back_keeps_the_selection():
    ctl, client = logged_in()
    ctl.call_next()
    client.fail["queue"] = ApiError.no_answer(UNREACHABLE)
    ctl.reload()
    assert ctl.notice.kind == "error" and ctl.ticket["number"] == "A001"
    del client.fail["queue"]
    ctl.reload(reconnected=True)
    assert ctl.notice.kind == "info" and "Tersambung kembali" in ctl.notice.text
    assert ctl.ticket["number"] == "A001" and ctl.application["id"] == 7
