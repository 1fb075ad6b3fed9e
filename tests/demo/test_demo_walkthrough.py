"""docs/demo.md's five-minute walkthrough works as written (issue 18 item 5): a real
``loket demo --no-windows`` and, for each step of the walkthrough, the counter
station's controller logged in with the demo account the text names, using the demo's
own sample photo as its camera, with the buttons' on-screen labels checked against the
text of docs/demo.md."""
from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from demo_kit import Demo, printed_tokens, request
from live_server import free_port
from pypdf import PdfReader

from counter import StationClient, StationController
from counter.photo import PhotoPolicy, open_camera
from counter.texts import tr
from loket.demo import DEMO_PASSWORD, SAMPLE_PHOTO_IN_DATA
from printing.uri import open_printer

REPO = Path(__file__).resolve().parents[2]
WALKTHROUGH = (REPO / "docs" / "demo.md").read_text(encoding="utf-8")
CHILD = {"name": "Rizky Pratama", "nik": "6401040106190001", "birth_date": "2019-06-01",
         "phone": "081234567890", "kecamatan_code": "64.01.04"}
CARD = {"birth_place": "Tanah Grogot", "kk_number": "6401040101180003", "head_of_family": "Ahmad Syahputra",
        "birth_certificate_number": "6401-LT-01062019-0012", "religion": "Islam",
        "address": "Jl. Jenderal Sudirman No. 12, Tanah Grogot", "head_name": "CONTOH - Nama Kepala Dinas"}


@pytest.fixture
def demo(tmp_path):
    env = dict(os.environ)
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    port = free_port()
    d = Demo(tmp_path / "loket-data", port, "--no-windows", env=env)
    try:
        out = d.wait_for("Ctrl-C")
        yield f"http://127.0.0.1:{port}", tmp_path / "loket-data", printed_tokens(out)
        assert d.terminate() == 0
    finally:
        d.kill()


def said(key: str, **kw) -> str:
    """A station label exactly as on screen, which docs/demo.md must quote in italics."""
    label = tr("id", key, **kw)
    assert f"*{label}*" in " ".join(WALKTHROUGH.split()), f"docs/demo.md does not name the button {label!r}"
    return label


def station(url: str, username: str, **kw) -> StationController:
    ctl = StationController(StationClient(url, timeout=10), **kw)
    assert ctl.login(username, DEMO_PASSWORD), ctl.login_message
    return ctl


def test_the_five_minute_walkthrough(demo, tmp_path):
    url, data, tokens = demo
    # 1. the kiosk: KIA, 1 June 2019, new card, no priority (the kiosk window does it by touch)
    from kiosk.texts import t as kiosk_text
    flat = " ".join(WALKTHROUGH.split())
    for key in ("take_number", "next", "prio_none", "print_ticket", "check_status"):  # the kiosk's buttons
        assert f"*{kiosk_text(key)}*" in flat, kiosk_text(key)
    assert "1 Juni 2019" in WALKTHROUGH and "`0 1 0 6 2 0 1 9`" in WALKTHROUGH
    status, ticket = request(url + "/api/v1/tickets", "POST",
                             {"service": "KIA", "answers": {"birth_date": "2019-06-01", "reason": "baru"}},
                             token=tokens["kiosk"])
    assert status == 201 and ticket["number"] == "A001"
    # 2.-4. operator1 at counter 1 calls, serves, photographs with the demo's sample photo
    assert (data / SAMPLE_PHOTO_IN_DATA).is_file(), "the demo copies its sample photo into the data folder"
    slips = open_printer(f"preview://{tmp_path / 'slips'}")
    op = station(url, "operator1", counter="1", printer=slips,
                 camera=open_camera(f"file://{data / SAMPLE_PHOTO_IN_DATA}"), photo_policy=PhotoPolicy(ratio="4x6"))
    said("btn_call_next")
    assert op.call_next()["number"] == "A001"
    said("btn_add_application")
    app = op.add_application("KIA", {"birth_date": "2019-06-01", "reason": "baru"}, CHILD)
    for item in op.checklist():
        op.set_present(item["code"], True)
    said("btn_forward_complete")
    assert op.submit_verification() == "forwarded"
    said("btn_take_photo")
    assert op.needs_photo() and op.capture_photo().ok
    said("btn_accept_photo")
    assert op.accept_photo()["step"] == "unggah_foto"
    said("btn_step_done")
    assert op.complete_counter_step()["step"] == "verifikasi"
    assert len(list((tmp_path / "slips").glob("*.png"))) == 1  # the pickup slip
    said("btn_finish")
    op.finish()
    said("btn_logout")
    # 5. the back office, one demo account per step, then the hand-over
    for username in ("verifikator", "kadis"):
        back = station(url, username)
        assert f"`{username}`" in WALKTHROUGH
        said("btn_take")
        assert back.take(app["id"])
        said("btn_approve", step=back.step_name(back.work_step, "KIA"))
        assert back.approve("Sesuai") is not None
    cetak = station(url, "cetak", card_output=f"spool://{tmp_path / 'cards'}")
    assert cetak.take(app["id"])
    said("btn_print_card")
    assert cetak.print_card(CARD, "KIA-0001").endswith(".pdf")
    assert "RIZKY PRATAMA" in PdfReader(io.BytesIO((tmp_path / "cards" / f"KIA-{app['code']}.pdf").read_bytes())) \
        .pages[0].extract_text()
    cetak.open_mode("register")
    assert cetak.take(app["id"])
    said("btn_register")
    assert cetak.register() is not None
    assert "`operator1` lagi" in WALKTHROUGH  # SOP 000: the petugas pelayanan hands the KIA over
    dist = station(url, "operator1", counter="5", printer=slips)
    dist.open_mode("handover")
    said("btn_find")
    assert dist.find_pickup(app["code"])["state"] == "ready_for_pickup"
    said("btn_hand_over")
    assert dist.hand_over("Siti Aminah", "Ibu kandung", True)["state"] == "handed_over"
    # every step is on the kartu kendali
    status, final = request(url + f"/api/v1/applications/{app['id']}", token=dist.client.token)
    assert [k["step"] for k in final["kartu_kendali"]] == ["penerimaan", "foto", "unggah_foto", "verifikasi", "tte",
                                                         "cetak", "register", "penyerahan"]
    # 6. the citizen's status check by the pickup code
    status, answer = request(url + f"/api/v1/status/{app['code']}")
    assert status == 200 and answer["kind"] == "application"
    assert re.search(r"Cek Status Berkas", WALKTHROUGH)
