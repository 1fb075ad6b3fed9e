"""The station controller against a real ``loket serve``: the whole KIA flow for a
7-year-old (photo = scikit-image astronaut) from the counter through verification,
TTE, printing, register and hand-over; an incomplete file returned with a slip; two
officers acting at once."""
from __future__ import annotations

import io

import requests

from pypdf import PdfReader

from counter.photo import ArrayCamera, PhotoPolicy
from counter import StationClient, StationController
from printing.uri import open_printer

from station_kit import CARD_DATA, CHILD, KIA_7Y, PASSWORD


def station(server, role, **kw):
    ctl = StationController(StationClient(server.url, timeout=10), **kw)
    assert ctl.login(server.username(role), PASSWORD), ctl.login_message
    return ctl


def test_kia_for_a_7_year_old_from_counter_to_handover(live_server, astronaut_bgr, tmp_path):
    ticket = live_server.issue("KIA")
    receipts = open_printer("dummy://")
    op = station(live_server, "operator", counter="2", printer=receipts,
                 camera=ArrayCamera([astronaut_bgr]), photo_policy=PhotoPolicy(ratio="4x6"))
    # the operator hands KIA over too (SOP 000: no distribution officer); SOP 003 row 12: scans the KK
    assert op.mode == "loket" and op.modes == ("loket", "handover", "scan")
    assert any(s["service"] == "KIA" and s["waiting"] >= 1 for s in op.waiting_for_counter())

    assert op.call_number(ticket["number"])["number"] == ticket["number"]
    assert op.ticket["number"] == ticket["number"] and op.ticket["status"] == "called"

    # Live NIK validation: a real error blocks, the child's NIK is valid.
    assert op.check_nik("3201013202150001")["valid"] is False
    assert op.nik_check["errors"]
    good = op.check_nik(CHILD["nik"])
    assert good["valid"] and good["sex"] == "L" and good["birth_date"] == "2019-06-01"

    app = op.add_application("KIA", KIA_7Y, CHILD)
    assert app["step"] == "penerimaan" and op.application["id"] == app["id"]
    codes = [i["code"] for i in op.checklist()]
    assert codes == ["akta_kelahiran", "kk_orang_tua", "pas_foto"]
    for code in codes:
        op.set_present(code, True)
    op.siak_reference = "SIAK-6401-000123"
    assert op.submit_verification() == "forwarded"
    assert op.needs_photo() and receipts.jobs == []  # still at the counter: no slip yet

    result = op.capture_photo()
    assert result.ok, result.codes
    w, h = result.crop.shape[1], result.crop.shape[0]
    assert abs(w / h - 4 / 6) < 0.01
    after_photo = op.accept_photo()
    assert after_photo["step"] == "unggah_foto" and after_photo["has_photo"]  # SOP 003 row 5, still here
    assert receipts.jobs == []
    uploaded = op.complete_counter_step()
    assert uploaded["step"] == "verifikasi"
    assert len(receipts.jobs) == 1 and app["code"].encode() in receipts.jobs[0]  # pickup slip
    assert op.finish()["number"] == ticket["number"]
    assert op.ticket is None

    for role, step in (("verifikator", "verifikasi"), ("pejabat_tte", "tte")):
        back = station(live_server, role)
        assert back.mode == step
        item = next(i for i in back.work_items if i["id"] == app["id"])
        assert item["mutu_baku_seconds"] > 0 and item["late"] is False
        assert back.take(app["id"])["code"] == app["code"]
        assert back.approve("Sesuai") is not None
        assert all(i["id"] != app["id"] for i in back.work_items)

    spool = tmp_path / "spool"
    printer = station(live_server, "petugas_cetak", card_output=f"spool://{spool}")
    assert printer.modes == ("cetak", "register", "arsip")  # the KK archive (SOP 003 row 12) too
    assert printer.take(app["id"])
    where = printer.print_card(CARD_DATA, "KIA-BLK-0001")
    assert where and where.endswith(".pdf"), printer.notice
    pdf = PdfReader(io.BytesIO((spool / f"KIA-{app['code']}.pdf").read_bytes()))
    assert len(pdf.pages) == 2
    text = pdf.pages[0].extract_text()
    assert "RIZKY PRATAMA" in text and CHILD["nik"] in text
    xobjects = pdf.pages[0]["/Resources"]["/XObject"]
    assert any(xobjects[k]["/Subtype"] == "/Image" for k in xobjects)  # the photo (variant 2)
    printer.open_mode("register")
    assert any(i["id"] == app["id"] for i in printer.work_items)
    assert printer.take(app["id"]) and printer.register() is not None

    dist = station(live_server, "operator", counter="5", printer=receipts)
    dist.open_mode("handover")
    assert any(i["code"] == app["code"] for i in dist.uncollected["items"])
    assert dist.find_pickup(app["code"].lower())["state"] == "ready_for_pickup"
    done = dist.hand_over("Siti Aminah", "Ibu kandung", True)
    assert done["state"] == "handed_over"
    assert len(receipts.jobs) == 2 and b"Siti Aminah" in receipts.jobs[1]
    assert all(i["code"] != app["code"] for i in dist.uncollected["items"])

    final = live_server.get(f"/applications/{app['id']}", "operator")
    assert final["state"] == "handed_over" and final["card_serial"] == "KIA-BLK-0001"
    assert final["siak_reference"] == "SIAK-6401-000123" and final["has_photo"]
    steps = [k["step"] for k in final["kartu_kendali"]]
    assert steps == ["penerimaan", "foto", "unggah_foto", "verifikasi", "tte", "cetak", "register", "penyerahan"]
    officers = {k["step"]: k["officer"] for k in final["kartu_kendali"]}
    assert officers["tte"] == "st_pejabat_tte" and officers["penyerahan"] == "st_operator"
    assert final["card_data"]["kk_number"] == CARD_DATA["kk_number"]  # kept for the Register KIA


def test_incomplete_file_is_returned_with_a_rejection_slip(live_server, tmp_path):
    ticket = live_server.issue("KIA")
    previews = tmp_path / "slips"
    op = station(live_server, "operator", counter="3", printer=f"preview://{previews}")
    op.call_number(ticket["number"])
    op.add_application("KIA", KIA_7Y, CHILD)
    op.set_present("akta_kelahiran", True)
    assert op.submit_verification() == "returned"
    assert op.notice.kind == "warning" and "dikembalikan" in op.notice.text
    assert {m["code"] for m in op.application["missing"]} == {"kk_orang_tua", "pas_foto"}
    pngs = list(previews.glob("*.png"))
    assert len(pngs) == 1 and op.last_print.path == pngs[0]
    final = live_server.get(f"/applications/{op.application['id']}")
    assert final["state"] == "returned" and final["documents_present"] == ["akta_kelahiran"]
    op.finish()


def test_second_officer_acting_first_is_a_clear_message_and_a_reload(live_server):
    t1 = live_server.issue("KIA")
    t2 = live_server.issue("KIA")
    a = station(live_server, "operator", counter="1")
    b = station(live_server, "operator", counter="1")
    assert a.call_number(t1["number"])
    b.refresh_queue()
    assert b.current_number == t1["number"]
    assert b.call_number(t2["number"])  # B moves the counter on
    assert a.finish() is None  # A still shows t1: the server refuses
    assert a.notice.kind == "warning" and a.notice.code == "ticket_changed"
    assert "petugas lain" in a.notice.text
    assert a.ticket is None and a.current_number == t2["number"]  # view reloaded
    counters = {c["code"]: c for c in live_server.get("/queue")["counters"]}
    assert counters["1"]["current"]["number"] == t2["number"]  # one action won, state consistent
    b.finish()


def test_two_verifikators_on_one_file(live_server):
    ticket = live_server.issue("KIA", {"birth_date": "2023-01-10", "reason": "baru"})  # variant 1: no photo
    op = station(live_server, "operator", counter="2", printer=open_printer("dummy://"))
    op.call_number(ticket["number"])
    app = op.add_application("KIA", {"birth_date": "2023-01-10", "reason": "baru"},
                             {"name": "Ayu Lestari", "birth_date": "2023-01-10"})
    for item in op.checklist():
        op.set_present(item["code"], True)
    assert op.submit_verification() == "forwarded"
    assert op.application["step"] == "verifikasi"
    assert op.printer.jobs  # pickup slip: the berkas left the counter
    op.finish()
    v1 = station(live_server, "verifikator")
    v2 = station(live_server, "verifikator")
    # One queue lists every service's "verifikasi" step: its name says so.
    label = v1.mode_label("verifikasi")
    assert "Verifikasi KIA" in label and " / " in label
    assert v1.take(app["id"]) and v2.take(app["id"])  # same account on two PCs, same moment
    results = [v1.approve(), v2.approve()]
    assert sum(r is not None for r in results) == 1  # one action wins ...
    loser = v1 if results[0] is None else v2
    assert loser.notice.kind == "warning"  # ... the other is told, in Indonesian
    assert loser.notice.code in ("application_changed", "not_at_step") and "petugas lain" in loser.notice.text
    assert loser.application is None  # the view was reloaded: nothing stale stays selected
    loser.load_work()
    assert all(i["id"] != app["id"] for i in loser.work_items)
    final = live_server.get(f"/applications/{app['id']}")
    assert final["step"] == "tte" and [k["step"] for k in final["kartu_kendali"]].count("verifikasi") == 1


def test_recall_skip_transfer_and_nobody_waiting(live_server):
    live_server.issue("KIA")  # any earlier numbers are served by other tests' counters
    ticket = live_server.issue("KK", {"reason": "kelahiran"})
    op = station(live_server, "operator", counter="3")
    assert op.call_number(ticket["number"])
    assert op.recall()["number"] == ticket["number"] and "dipanggil ulang" in op.notice.text
    assert op.transfer("KK", "entri_siak")["number"] == ticket["number"]
    assert op.ticket is None and "dialihkan" in op.notice.text
    moved = live_server.get(f"/tickets/{ticket['id']}")
    assert (moved["status"], moved["step"]) == ("waiting", "entri_siak")
    assert op.call_number(ticket["number"])
    assert op.skip()["number"] == ticket["number"] and op.ticket is None
    assert live_server.get(f"/tickets/{ticket['id']}")["status"] == "skipped"
    ikd_only = station(live_server, "operator", counter="4")
    while ikd_only.call_next():  # empty the IKD queue of this counter
        ikd_only.finish()
    assert ikd_only.call_next() == {} and ikd_only.notice.text == "Tidak ada nomor yang menunggu."
    assert ikd_only.on_server_event("ticket.called", {"number": "A001"}) is True


def test_ikd_activation_outcome_is_recorded(live_server):
    answers = {"ktp_el_recorded": True, "age17_or_married": True, "has_device_and_email": True}
    ticket = live_server.issue("IKD", answers)
    op = station(live_server, "operator", counter="4", printer=open_printer("dummy://"))
    op.call_number(ticket["number"])
    app = op.add_application("IKD", answers, {"name": "Budi Santoso", "nik": "6401041708850003"})
    assert app["step"] == "pemeriksaan_kelayakan"
    for item in op.checklist():
        op.set_present(item["code"], True)
    assert op.submit_verification() == "forwarded"
    assert op.application["step"] == "aktivasi" and op.printer.jobs == []  # still at the counter
    assert op.record_ikd(False) is None and op.notice.code == "reason_required"
    done = op.record_ikd(False, "HP tidak mendukung (Android 7)")
    assert done["state"] == "handed_over" and done["finished_at"]  # IKD ends at the counter (pickup = false)
    assert done["outcome_note"] == "IKD tidak teraktivasi: HP tidak mendukung (Android 7)"
    op.finish()


def test_reprint_of_a_spoiled_card_records_the_reason(live_server, astronaut_bgr, tmp_path):
    from counter.photo import analyse
    ticket = live_server.issue("KIA")
    op = station(live_server, "operator", counter="3", printer=open_printer("dummy://"))
    op.call_number(ticket["number"])
    app = op.add_application("KIA", KIA_7Y, CHILD)
    for item in op.checklist():
        op.set_present(item["code"], True)
    op.submit_verification()
    assert op.accept_photo(analyse(astronaut_bgr, PhotoPolicy(ratio="3x4")))
    assert op.complete_counter_step()["step"] == "verifikasi"  # SOP 003 row 5
    op.finish()
    for role in ("verifikator", "pejabat_tte"):
        back = station(live_server, role)
        back.take(app["id"])
        back.approve()
    cetak = station(live_server, "petugas_cetak", card_output=f"spool://{tmp_path}")
    cetak.take(app["id"])
    incomplete = {k: v for k, v in CARD_DATA.items() if k != "kk_number"}
    assert cetak.print_card(incomplete, "KIA-BLK-0100") is None and "Nomor KK" in cetak.notice.text
    assert cetak.print_card(CARD_DATA, "KIA-BLK-0100")
    assert cetak.reprint_card(app["id"], CARD_DATA, "KIA-BLK-0101", "") is None
    # a reprint prints what the first print recorded: nothing to type again
    where = cetak.reprint_card(app["id"], {}, "KIA-BLK-0101", "Blangko tergores")
    assert where.endswith("-ulang.pdf") and "dicetak ulang" in cetak.notice.text
    final = live_server.get(f"/applications/{app['id']}")
    assert final["card_serial"] == "KIA-BLK-0101" and final["step"] == "register"


def test_event_stream_reloads_the_view_when_another_station_acts(live_server):
    import threading

    from counter import station_feed
    a = station(live_server, "operator", counter="1")
    b = station(live_server, "operator", counter="1")
    reloaded = threading.Event()
    connected = threading.Event()

    def on_event(kind, data, _id):
        if a.on_server_event(kind, data):
            reloaded.set()

    stream = station_feed(a.client, on_event, on_state=lambda up: up and connected.set()).start()
    try:
        assert connected.wait(5)
        ticket = live_server.issue("KIA")
        assert reloaded.wait(5)  # the kiosk's ticket.issued event refreshed the waiting counts
        reloaded.clear()
        assert b.call_number(ticket["number"])
        assert reloaded.wait(5)
        a_seen = a.current_number
        assert a_seen == ticket["number"] and stream.last_id and stream.last_id > 0
        b.finish()
    finally:
        stream.stop()


def test_kk_visit_goes_through_the_siak_entry_step_at_the_counter(live_server):
    answers = {"reason": "kelahiran"}
    ticket = live_server.issue("KK", answers)
    op = station(live_server, "operator", counter="2", printer=open_printer("dummy://"))
    op.call_number(ticket["number"])
    app = op.add_application("KK", answers, {"name": "Ahmad Syahputra", "phone": "081355500011"})
    assert app["step"] == "pemeriksaan"
    for item in op.checklist():
        op.set_present(item["code"], True)
    assert op.submit_verification() == "forwarded"
    assert op.application["step"] == "entri_siak" and op.printer.jobs == []
    op.siak_reference = "SIAK-KK-2026-0042"
    done = op.complete_counter_step()
    assert done["step"] == "verifikasi" and done["siak_reference"] == "SIAK-KK-2026-0042"
    assert len(op.printer.jobs) == 1 and done["code"].encode() in op.printer.jobs[0]  # pickup slip
    op.finish()


def test_calling_the_next_number_is_one_request_and_events_cost_none(live_server):
    import requests as rq

    class Counting(rq.Session):
        def __init__(self):
            super().__init__()
            self.calls: list[str] = []

        def request(self, method, url, *a, **kw):
            self.calls.append(f"{method} {url.split('/api/v1')[-1]}")
            return super().request(method, url, *a, **kw)

    session = Counting()
    op = StationController(StationClient(live_server.url, timeout=10, session=session), counter="3")
    assert op.login(live_server.username("operator"), PASSWORD)
    live_server.issue("KIA")
    op.refresh_queue()
    waiting = {s["service"]: s["waiting"] for s in op.queue["services"]}["KIA"]
    session.calls.clear()
    called = op.call_next()
    assert called and session.calls == ["POST /counters/3/call-next"]
    assert op.ticket["number"] == called["number"] and op.current_number == called["number"]
    # The events of that call and of a new ticket are applied without any request.
    assert op.on_server_event("ticket.called", {"number": called["number"], "service": "KIA", "counter": "3"})
    assert op.on_server_event("ticket.issued", {"number": "A999", "service": "KIA"})
    assert session.calls == ["POST /counters/3/call-next"]
    assert {s["service"]: s["waiting"] for s in op.queue["services"]}["KIA"] == waiting
    # Another station at this counter moved on: this one drops the visit it showed.
    assert op.on_server_event("ticket.called", {"number": "A998", "service": "KIA", "counter": "3"})
    assert op.ticket is None and op.current_number == "A998"
    op.client.post("/counters/3/finish", {"ticket": None})


def test_a_ticket_the_kiosk_could_not_print_is_reprinted_at_the_counter(live_server):
    """Issue 18 item 9: the kiosk's printer failed; the citizen gives the number on the
    screen and the officer prints the same ticket (recorded in the audit log first)."""
    ticket = live_server.issue("KIA")
    receipts = open_printer("dummy://")
    op = station(live_server, "operator", counter="2", printer=receipts)
    data = op.reprint_ticket(ticket["number"].lower())
    assert data["number"] == ticket["number"] and data["code"] == ticket["code"]
    assert len(receipts.jobs) == 1
    job = receipts.jobs[0]
    assert ticket["number"].encode() in job and ticket["code"].encode() in job
    assert b"Fotokopi akta kelahiran" in job  # the checklist the kiosk recorded
    assert b"PRIORITAS" not in job  # a regular ticket
    assert op.notice.kind == "success" and ticket["number"] in op.notice.text
    r = requests.post(f"{live_server.url}/api/v1/auth/login", json={"username": "admin", "password": "admin-pass-1"},
                      timeout=10)
    audit = requests.get(f"{live_server.url}/api/v1/audit?limit=20", timeout=10,
                         headers={"Authorization": f"Bearer {r.json()['token']}"}).json()
    entry = next(e for e in audit["entries"] if e["action"] == "ticket.reprint")
    assert entry["target"] == ticket["number"] and entry["actor"] == live_server.username("operator")
    # a number that is not in today's queue: told, nothing printed
    assert op.reprint_ticket("Z999") is None
    assert op.notice.kind == "error" and "Z999" in op.notice.text and len(receipts.jobs) == 1


def test_each_visit_starts_a_clean_form_from_the_kiosk_and_a_duplicate_needs_confirming(live_server):
    """Issue 11 items 1 and 2: the form never carries the previous citizen's data, the
    first berkas takes the kiosk's answers (a lost card stays "hilang"), and a second
    open KIA for the same NIK is made only when the officer confirms it."""
    child = {**CHILD, "nik": "6401040106190005"}
    first = live_server.issue("KIA", {"birth_date": "2019-06-01", "reason": "hilang"})
    op = station(live_server, "operator", counter="3")
    assert op.call_number(first["number"])
    draft = op.application_draft()
    assert draft == {"service": "KIA", "answers": {"birth_date": "2019-06-01", "reason": "hilang"}, "name": "",
                     "nik": "", "birth_date": "2019-06-01", "phone": "", "email": "", "sex": "", "kecamatan_code": "",
                     "pickup_office": "paser"}
    app = op.add_application("KIA", draft["answers"], child)
    assert app["answers"]["reason"] == "hilang"
    # the officer reads labels, never internal codes (issue 11 item 6)
    assert op.answer_labels(app) == [("Tanggal lahir anak", "01-06-2019"), ("Jenis permohonan", "Hilang")]
    assert op.application_draft()["answers"] == {}  # a second family member starts empty
    assert op.finish() is None and op.notice.code == "unfinished_counter_step"  # its documents are not checked
    assert op.finish()
    second = live_server.issue("KIA", {"birth_date": "2019-06-01", "reason": "baru"})
    op.call_number(second["number"])
    assert op.application_draft()["name"] == "" and op.application_draft()["answers"]["reason"] == "baru"
    assert op.add_application("KIA", {"birth_date": "2019-06-01", "reason": "baru"}, child) is None
    assert op.notice.code == "duplicate_application" and app["code"] in op.notice.text
    assert op.pending_duplicate and not op.applications
    again = op.confirm_duplicate()
    assert again and again["code"] != app["code"] and op.pending_duplicate is None
    op.finish()


def test_a_berkas_left_at_the_photo_step_is_warned_about_queued_and_finished_later(live_server, astronaut_bgr):
    ticket = live_server.issue("KIA")
    slips = open_printer("dummy://")
    op = station(live_server, "operator", counter="3", printer=slips, camera=ArrayCamera([astronaut_bgr]),
                 photo_policy=PhotoPolicy(ratio="4x6"))
    op.call_number(ticket["number"])
    child = {**CHILD, "nik": "6401040106190021", "name": "Anak Keluar Sebentar"}
    app = op.add_application("KIA", KIA_7Y, child)
    for item in op.checklist():
        op.set_present(item["code"], True)
    assert op.submit_verification() == "forwarded" and op.needs_photo()
    # the child stepped out: the first Selesai only warns, naming the berkas and its step
    assert op.finish() is None
    assert op.notice.code == "unfinished_counter_step" and app["code"] in op.notice.text
    assert "Foto anak" in op.notice.text and op.ticket is not None
    assert op.finish()["number"] == ticket["number"]  # the second goes ahead
    assert slips.jobs == []  # no slip: the counter part is not done
    assert [i["code"] for i in op.photo_queue if i["code"] == app["code"]] == [app["code"]]
    status = requests.get(f"{live_server.url}/api/v1/status/{app['code']}", timeout=10).json()
    assert status["text"] == "menunggu Anda di loket: Foto anak"  # not "sedang diproses"
    # back from the photo queue, with no visit called
    op.select_application(app["id"])
    assert op.needs_photo() and op.capture_photo().ok
    assert op.accept_photo()["step"] == "unggah_foto"
    assert op.complete_counter_step()["step"] == "verifikasi"
    assert len(slips.jobs) == 1 and app["code"].encode() in slips.jobs[0]  # the slip, once the counter part is done
    assert all(i["code"] != app["code"] for i in op.load_photo_queue())
