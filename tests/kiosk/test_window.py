"""Real kiosk windows under a private Xvfb, against a real ``loket serve`` on 127.0.0.1
and a loopback raw-9100 network printer that collects the ESC/POS bytes.

Each run starts ``python -m loket.cli kiosk`` in a subprocess with an automation
script (kiosk.automation) that taps through the citizen's path, saves a screenshot of
every screen, and writes automation.json. The tests then check the server's record
(through the API) against the bytes the printer received."""
from __future__ import annotations

import json
import os
import socket
import threading
import time
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from live_server import ADMIN_PASSWORD, LiveServer, free_port
from kiosk_kit import run_kiosk
from xvfb_kit import start_xvfb, stop_xvfb

REPO = Path(__file__).resolve().parents[2]
WITA = ZoneInfo("Asia/Makassar")


class LoopbackPrinter:
    """A raw TCP 'printer' on 127.0.0.1: one connection per job; ``jobs`` holds the bytes
    and ``last_byte_at`` the time.time() of each job's last byte."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.jobs: list[bytes] = []
        self.last_byte_at: list[float] = []
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        self.sock.settimeout(0.2)
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            data, last = b"", time.time()
            conn.settimeout(5)
            with conn:
                while True:
                    try:
                        chunk = conn.recv(65536)
                    except OSError:
                        break
                    if not chunk:
                        break
                    data += chunk
                    last = time.time()
            if data:
                self.jobs.append(data)
                self.last_byte_at.append(last)

    def close(self):
        self._stop = True
        self.thread.join(2)
        self.sock.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = LiveServer(tmp_path_factory.mktemp("kiosk-server"), threads=8).setup(staff_roles=("operator",))
    s.start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def display():
    disp, proc = start_xvfb(1920, 1920)
    yield disp
    stop_xvfb(proc)


@pytest.fixture
def printer():
    p = LoopbackPrinter()
    yield p
    p.close()


def ages_today() -> tuple[date, date]:
    """Birth dates (1 January) of a child aged 2-3 (no photo) and one aged 6-7 (photo) on
    the server's (WITA) today."""
    from datetime import datetime
    today = datetime.now(WITA).date()
    return date(today.year - 3, 1, 1), date(today.year - 7, 1, 1)


def full_path(lang_switch: bool, birth: date) -> list[dict]:
    """Every screen of the citizen's path, with a screenshot of each."""
    steps = [{"wait": "welcome"}, {"sleep": 0.3}]
    if lang_switch:
        steps += [{"tap": "lang"}, {"sleep": 0.2}]
    steps += [
        {"shot": "01_welcome"},
        {"tap": "begin"}, {"wait": "services"}, {"shot": "02_services"},
        {"tap": "service_KIA"}, {"wait": "question"}, {"date": birth.isoformat()}, {"shot": "03_birth_date"},
        {"tap": "date_ok"}, {"wait": "question"}, {"shot": "04_reason"},
        {"tap": "choice_baru"}, {"wait": "priority"}, {"shot": "05_priority"},
        {"tap": "prio_none"}, {"wait": "checklist"}, {"shot": "06_checklist"},
        {"mark": "final_tap"}, {"tap": "take_ticket"}, {"wait": "confirmation"}, {"shot": "07_confirmation"},
        {"tap": "open_ikm"}, {"wait": "ikm"}, {"shot": "08_ikm"},
    ]
    steps += [{"tap": f"ikm_{v}"} for v in (4, 3, 4, 4, 3, 4, 4, 4)]
    steps += [{"sleep": 0.2}, {"tap": "ikm_4"}, {"wait": "ikm_done"}, {"shot": "09_ikm_done"},
              {"tap": "done"}, {"wait": "welcome"}]
    return steps


def status_and_ikd(code: str) -> list[dict]:
    return [{"type": code + "\r"}, {"sleep": 0.6}, {"shot": "10_status"},
            {"tap": "home"}, {"wait": "welcome"},
            {"tap": "begin"}, {"wait": "services"}, {"tap": "service_IKD"}, {"wait": "question"},
            {"shot": "11_ikd_question"}, {"tap": "answer_yes"}, {"sleep": 0.2}, {"tap": "answer_no"},
            {"wait": "ineligible"}, {"shot": "12_ikd_not_eligible"}, {"tap": "done"}, {"wait": "welcome"}]


def staff_ticket(server, ticket_id: int) -> dict:
    token = server.login("u_operator")
    status, body = server.request("GET", f"/api/v1/tickets/{ticket_id}", token=token)
    assert status == 200, body
    return body


def latest_ticket(server, since: int) -> list[dict]:
    token = server.login("u_operator")
    out = []
    for tid in range(since + 1, since + 20):
        status, body = server.request("GET", f"/api/v1/tickets/{tid}", token=token)
        if status != 200:
            break
        out.append(body)
    return out


def ticket_count(server) -> int:
    token = server.login("u_operator")
    n = 0
    while True:
        status, _ = server.request("GET", f"/api/v1/tickets/{n + 1}", token=token)
        if status != 200:
            return n
        n += 1


def ikm_count(server) -> int:
    admin = server.login("admin", ADMIN_PASSWORD)
    status, audit = server.request("GET", "/api/v1/audit?limit=1000", token=admin)
    return sum(1 for e in audit["entries"] if e["action"] == "ikm.submit")


KEEP = REPO / "docs" / "screenshots" / "kiosk"


#: The representative set committed in docs/screenshots/kiosk (language_size_screen).
REPRESENTATIVE = {
    "id_1920x1080_01_welcome", "id_1920x1080_02_services", "id_1920x1080_03_birth_date",
    "id_1920x1080_06_checklist", "id_1920x1080_07_confirmation",
    "en_1080x1920_01_welcome", "en_1080x1920_03_birth_date", "en_1080x1920_06_checklist",
    "en_1080x1920_07_confirmation", "en_1080x1920_08_ikm",
    "id_768x1366_02_services", "id_768x1366_10_status",
    "en_1920x1080_08_ikm", "en_1920x1080_12_ikd_not_eligible", "id_1080x1920_printer_fault",
    "id_1920x1080_issuing_retry",
    "id_1080x1920_date_refused", "id_1920x1080_date_refused", "id_1080x1920_welcome_hc_large",
    "id_1920x1080_welcome_hc_large", "id_1080x1920_services_hc_large", "id_1920x1080_services_hc_large",
    "id_1080x1920_server_down_kept", "id_1920x1080_server_down_kept", "id_1080x1920_welcome_closed",
    "id_1920x1080_welcome_closed", "id_1920x1080_services_closed",
    "id_1080x1920_kk_reason", "id_1920x1080_kk_reason",
}


def keep_screenshots(out: Path, tag: str, names: tuple[str, ...]) -> None:
    """Refresh the committed representative set when LOKET_KEEP_SCREENSHOTS=1: full
    resolution (the window's own pixels), palette-compressed PNGs."""
    if os.environ.get("LOKET_KEEP_SCREENSHOTS") != "1":
        return
    from PIL import Image
    KEEP.mkdir(parents=True, exist_ok=True)
    for name in names:
        if f"{tag}_{name}" not in REPRESENTATIVE:
            continue
        im = Image.open(out / f"{name}.png").convert("RGB")
        im.quantize(colors=96).save(KEEP / f"{tag}_{name}.png", optimize=True)


@pytest.mark.slow
@pytest.mark.parametrize("lang,size,age", [
    ("id", (1920, 1080), 3),
    ("en", (1080, 1920), 7),
    ("id", (768, 1366), 7),
    ("en", (1920, 1080), 3),
])
def test_kia_full_path_prints_the_servers_ticket(server, display, printer, tmp_path, lang, size, age):
    three, seven = ages_today()
    birth = three if age == 3 else seven
    before = ticket_count(server)
    steps = full_path(lang == "en", birth)
    ikm_before = ikm_count(server)
    result, out = run_kiosk(server, display, tmp_path, steps, printer_uri=f"tcp://127.0.0.1:{printer.port}",
                            size=size)
    tickets = latest_ticket(server, before)
    assert len(tickets) == 1, "one final tap gives one ticket"
    tk = tickets[0]
    assert tk["answers"] == {"birth_date": birth.isoformat(), "reason": "baru"}
    facts = tk["checklist"]["facts"]
    assert facts["photo_required"] is (age == 7) and facts["age_years"] in ((2, 3) if age == 3 else (6, 7))
    # the printed ticket carries the server's number, status code and the case's checklist
    deadline = time.time() + 5
    while not printer.jobs and time.time() < deadline:
        time.sleep(0.05)
    assert len(printer.jobs) == 1
    job = printer.jobs[0]
    assert tk["number"].encode() in job and tk["code"].encode() in job
    if lang == "en":
        assert b"Copy of the birth certificate" in job
        assert (b"passport photo" in job) is (age == 7)
    else:
        assert b"Fotokopi akta kelahiran" in job
        assert (b"Pas foto berwarna" in job) is (age == 7)
    assert ikm_count(server) == ikm_before + 1, "the nine IKM answers reached the server"
    assert result["screens"][-3:] == ["ikm", "ikm_done", "welcome"]
    for name in ("01_welcome", "02_services", "03_birth_date", "04_reason", "05_priority", "06_checklist",
                 "07_confirmation", "08_ikm", "09_ikm_done"):
        assert (out / f"{name}.png").stat().st_size > 5000
    tag = f"{lang}_{size[0]}x{size[1]}"
    keep_screenshots(out, tag, ("01_welcome", "02_services", "03_birth_date", "06_checklist", "07_confirmation",
                                "08_ikm"))
    # second window: status of that code (scanner input) and an IKD applicant who is not eligible
    tmp2 = tmp_path / "second"
    tmp2.mkdir()
    n_before = ticket_count(server)
    result2, out2 = run_kiosk(server, display, tmp2, [{"wait": "welcome"}, {"tap": "open_status"}, {"wait": "status"},
                                                      *status_and_ikd(tk["code"])],
                              printer_uri=f"tcp://127.0.0.1:{printer.port}", size=size, lang=lang)
    assert ticket_count(server) == n_before, "the ineligible IKD applicant got no ticket"
    assert "ineligible" in result2["screens"]
    keep_screenshots(out2, tag, ("10_status", "12_ikd_not_eligible"))


class DroppingProxy:
    """An HTTP proxy to the live server that forwards ``POST /api/v1/tickets`` but drops
    the answer of the first ``drop`` ones (the server records the ticket, the kiosk sees
    the connection close): a server that is slow or cut off after committing."""

    def __init__(self, target: str, drop: int):
        import http.client
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import urlsplit

        host, port = urlsplit(target).hostname, urlsplit(target).port
        proxy = self
        self.posts = 0
        self.drop = drop
        self.refuse = False  # True: every POST /tickets answers 503 (a server that is down)

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                conn = http.client.HTTPConnection(host, port, timeout=10)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                conn.request(self.command, self.path, body=body or None, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                conn.close()
                if self.command == "POST" and self.path.startswith("/api/v1/tickets"):
                    proxy.posts += 1
                    if proxy.posts <= proxy.drop:
                        self.close_connection = True  # recorded at the server, answer lost
                        return
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() not in ("connection", "transfer-encoding", "content-length"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _refuse(self):
                body = json.dumps({"error": {"code": "unavailable", "message": "Server sibuk.",
                                             "message_en": "Server busy.", "details": {}}}).encode()
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(503)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                if proxy.refuse and self.path.startswith("/api/v1/tickets"):
                    return self._refuse()
                return self._forward()

            do_GET = _forward

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.mark.slow
def test_lost_answers_are_retried_with_one_ticket_and_one_print(server, display, printer, tmp_path):
    """The first three POSTs are recorded but their answers are lost: the kiosk tells the
    citizen it retries, the idempotency key brings back the same ticket, printed once."""
    _, seven = ages_today()
    before = ticket_count(server)
    proxy = DroppingProxy(server.url, drop=3)

    class Via:  # the kiosk talks to the proxy
        url = proxy.url
        tokens = server.tokens

    try:
        steps = [{"wait": "welcome"}, {"tap": "begin"}, {"wait": "services"}, {"tap": "service_KIA"},
                 {"wait": "question"}, {"date": seven.isoformat()}, {"tap": "date_ok"}, {"wait": "question"},
                 {"tap": "choice_rusak"}, {"wait": "priority"}, {"tap": "prio_ibu_hamil"}, {"wait": "checklist"},
                 {"tap": "take_ticket"}, {"sleep": 1.6}, {"shot": "issuing_retry"},
                 {"wait": "confirmation", "timeout": 25}, {"shot": "confirmation_after_retry"}]
        result, out = run_kiosk(Via, display, tmp_path, steps, printer_uri=f"tcp://127.0.0.1:{printer.port}",
                                size=(1920, 1080))
    finally:
        proxy.close()
    assert proxy.posts == 4, "three attempts lost, the fourth answered"
    tickets = latest_ticket(server, before)
    assert len(tickets) == 1 and tickets[0]["priority"] == "ibu_hamil"
    assert "issuing" in result["screens"]
    deadline = time.time() + 5
    while not printer.jobs and time.time() < deadline:
        time.sleep(0.05)
    assert len(printer.jobs) == 1 and tickets[0]["number"].encode() in printer.jobs[0]
    assert b"KIA yang rusak" in printer.jobs[0]
    keep_screenshots(out, "id_1920x1080", ("issuing_retry",))


@pytest.mark.slow
def test_printer_refused_shows_number_reports_fault_and_double_tap_makes_one(server, display, tmp_path):
    three, _ = ages_today()
    before = ticket_count(server)
    dead_port = free_port()  # nothing listens: the printer refuses the connection
    steps = [{"wait": "welcome"}, {"tap": "begin"}, {"wait": "services"}, {"tap": "service_KIA"},
             {"wait": "question"}, {"date": three.isoformat()}, {"tap": "date_ok"}, {"wait": "question"},
             {"tap": "choice_hilang"}, {"wait": "priority"}, {"tap": "prio_lansia"}, {"wait": "checklist"},
             {"tap": "take_ticket", "double": True}, {"wait": "confirmation", "timeout": 20},
             {"shot": "printer_fault"}]
    result, out = run_kiosk(server, display, tmp_path, steps, printer_uri=f"tcp://127.0.0.1:{dead_port}",
                            size=(1080, 1920))
    tickets = latest_ticket(server, before)
    assert len(tickets) == 1 and tickets[0]["priority"] == "lansia"
    admin = server.login("admin", ADMIN_PASSWORD)
    status, audit = server.request("GET", "/api/v1/audit?limit=50", token=admin)
    faults = [e for e in audit["entries"] if e["action"] == "device.fault"]
    assert faults and faults[0]["target"] == tickets[0]["number"]
    assert faults[0]["details"]["kind"] == "printer"
    keep_screenshots(out, "id_1080x1920", ("printer_fault",))


def closed_server(tmp_path_factory):
    """A live server whose clock stands on Friday 25 December 2026, 09:00 WITA (Hari Raya
    Natal; the next days are a weekend) with opening hours enforced."""
    s = LiveServer(tmp_path_factory.mktemp("kiosk-closed"), threads=4, ignore_hours=False,
                   extra_args=("--clock-start", "2026-12-25T09:00:00+08:00")).setup(staff_roles=())
    return s.start()


@pytest.mark.slow
@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)])
def test_closed_office_explains_hours_and_offers_no_number(tmp_path_factory, display, tmp_path, size):
    server = closed_server(tmp_path_factory)
    try:
        status, services = server.request("GET", "/api/v1/services", token=server.tokens["kiosk"])
        kia = next(sv for sv in services["services"] if sv["code"] == "KIA")
        assert kia["reason"] == "closed" and kia["closed_reason"] == "Hari Raya Natal"
        assert kia["opens_at"].startswith("2026-12-28T08:00")
        steps = [{"wait": "welcome"}, {"see": "closed_title"}, {"absent": "begin"}, {"shot": "welcome_closed"}]
        result, out = run_kiosk(server, display, tmp_path, steps, printer_uri="dummy://", size=size)
    finally:
        server.stop()
    assert result["screens"] == ["welcome"]
    keep_screenshots(out, f"id_{size[0]}x{size[1]}", ("welcome_closed",))


@pytest.mark.slow
@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)])
def test_keypad_refusal_display_modes_and_a_server_that_is_down(server, display, printer, tmp_path, size):
    """The date keypad refuses a 19-year-old for KIA on the date screen; the citizen's
    high-contrast and larger-text modes; a server that refuses tickets keeps the answers
    and "Coba lagi" makes the one ticket once it is back."""
    from datetime import datetime
    today = datetime.now(WITA).date()
    nineteen = date(today.year - 19, 3, 1)
    three, _ = ages_today()
    before = ticket_count(server)
    proxy = DroppingProxy(server.url, drop=0)
    proxy.refuse = True

    class Via:
        url = proxy.url
        tokens = server.tokens

    steps = [{"wait": "welcome"}, {"tap": "begin"}, {"wait": "services"}, {"tap": "service_KIA"},
             {"wait": "question"}, {"date": nineteen.isoformat()}, {"tap": "date_ok"}, {"wait": "question"},
             {"see": "question_message"}, {"shot": "date_refused"},
             {"tap": "date_clear"}, {"date": three.isoformat()}, {"tap": "date_ok"}, {"wait": "question"},
             {"tap": "choice_baru"}, {"wait": "priority"}, {"tap": "prio_none"}, {"wait": "checklist"},
             {"tap": "take_ticket"}, {"see": "retry_now", "timeout": 20}, {"shot": "server_down_kept"},
             {"wait_file": str(tmp_path / "proxy_ok"), "timeout": 30}, {"tap": "retry_now"},
             {"wait": "confirmation", "timeout": 20}, {"tap": "done"}, {"wait": "welcome"},
             {"tap": "mode_high_contrast"}, {"tap": "mode_large_text"}, {"sleep": 0.4},
             {"shot": "welcome_hc_large"}, {"tap": "begin"}, {"wait": "services"}, {"sleep": 0.3},
             {"shot": "services_hc_large"}]
    flag = tmp_path / "proxy_ok"

    def heal():  # the server comes back once the kiosk has shown the stall
        deadline = time.time() + 60
        shots = tmp_path / "shots" / "server_down_kept.png"
        while time.time() < deadline and not shots.exists():
            time.sleep(0.1)
        proxy.refuse = False
        flag.write_text("ok")

    healer = threading.Thread(target=heal, daemon=True)
    healer.start()
    try:
        result, out = run_kiosk(Via, display, tmp_path, steps, printer_uri=f"tcp://127.0.0.1:{printer.port}",
                                size=size, extra=("--retry-delays", "0.2,0.2"))
    finally:
        proxy.close()
    tickets = latest_ticket(server, before)
    assert len(tickets) == 1 and tickets[0]["answers"] == {"birth_date": three.isoformat(), "reason": "baru"}
    assert "ineligible" not in result["screens"]
    tag = f"id_{size[0]}x{size[1]}"
    keep_screenshots(out, tag, ("date_refused", "server_down_kept", "welcome_hc_large", "services_hc_large"))


@pytest.mark.slow
@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)])
def test_seven_kk_reasons_fit_one_screen(server, display, tmp_path, size):
    """Issue 11 item 17: KK reasons include a death and a return from abroad (Perpres
    96/2018); all seven are on one screen and the chosen one shapes the checklist."""
    steps = [{"wait": "welcome"}, {"tap": "begin"}, {"wait": "services"}, {"tap": "service_KK"},
             {"wait": "question"}, {"see": "choice_datang_luar_negeri"}, {"sleep": 0.3}, {"shot": "kk_reason"},
             {"tap": "choice_kematian"}, {"wait": "priority"}, {"tap": "prio_none"}, {"wait": "checklist"}]
    result, out = run_kiosk(server, display, tmp_path, steps, printer_uri="dummy://", size=size)
    assert result["screens"][-1] == "checklist"
    keep_screenshots(out, f"id_{size[0]}x{size[1]}", ("kk_reason",))
