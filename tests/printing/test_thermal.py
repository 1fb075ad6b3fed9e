"""Thermal layouts through python-escpos Dummy bytes, the preview renderer, a real
loopback network printer and every typed fault path."""
from __future__ import annotations

import re
import socket
import time
from pathlib import Path

import pytest
from PIL import Image

from printing import layouts
from printing.errors import (PrinterConfigError, PrinterConnectionRefused, PrinterCoverOpen,
                             PrinterError, PrinterNotFound, PrinterOffline, PrinterPaperOut,
                             PrinterTimeout)
from printing.layouts import QrCode, TextLine, text_lines
from printing.text import transliterate, wrap
from printing.thermal import DummyPrinter, PreviewPrinter, build_job
from printing.uri import open_printer

GS_QR = b"\x1d(k"
CUT = b"\x1dV"
RASTER = b"\x1dv0"
LONG_NAME = "Muhammad Al-Fatih Ramadhan Syahputra Nasution"

LAYOUTS = {
    "rejection": layouts.rejection_layout,
    "pickup": layouts.pickup_layout,
    "handover": layouts.handover_layout,
    "ikm": layouts.ikm_layout,
}


def assert_fits(ops, paper):
    columns = layouts.get_paper(paper).columns
    lines = text_lines(ops)
    assert lines
    for line in lines:
        assert len(line.text) <= columns // line.width, line


@pytest.mark.parametrize("paper", [58, 80])
def test_ticket_bytes_have_number_checklist_qr_and_cut(ticket, paper):
    printer = open_printer("dummy://", paper=paper)
    result = printer.print_ticket(ticket)
    out = printer.output
    assert result.size_bytes == len(out) > 0
    assert b"A012" in out
    assert b"[ ] Fotokopi akta kelahiran" in out
    assert b"[ ] Kartu Keluarga orang" in out
    assert GS_QR in out and ticket.status_url.encode() in out
    assert out.endswith(CUT + b"\x00")
    assert RASTER in out  # the logo
    # the number is printed 8x8 (GS ! 0x77): the largest size; 4 chars * 8 <= columns
    assert re.search(rb"\x1d!\x77(?:[\x1b\x1d]..)*A012\n", out, re.S)
    ops = layouts.ticket_layout(ticket, paper)
    assert_fits(ops, paper)
    big = [op for op in text_lines(ops) if op.text == "A012"][0]
    assert big.width == 8 and big.height == 8


def test_big_number_shrinks_for_long_numbers(ticket):
    from dataclasses import replace
    ops = layouts.ticket_layout(replace(ticket, number="PRIO-1234"), 58)
    big = [op for op in text_lines(ops) if op.text == "PRIO-1234"][0]
    assert big.width == 32 // 9 == 3
    assert len(big.text) * big.width <= 32


@pytest.mark.parametrize("paper", [58, 80])
@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("kind", sorted(LAYOUTS))
def test_every_layout_fits_paper_and_ends_with_cut(documents, kind, paper, lang):
    from dataclasses import replace
    doc = replace(documents[kind], lang=lang)
    ops = LAYOUTS[kind](doc, paper, logo=None)
    assert_fits(ops, paper)
    out = build_job(ops, paper)
    assert out.startswith(b"\x1b@")
    assert CUT in out
    if kind in ("pickup", "ikm"):
        assert GS_QR in out
    text = "\n".join(line.text for line in text_lines(ops))
    if kind == "handover":
        assert "Siti Nurhaliza" in text and "____" in text
    if kind == "pickup":
        assert "KIA-2024-000123" in text and ("Kecamatan/UPTD" in text if lang == "id" else "UPTD" in text)


def test_english_texts(ticket):
    from dataclasses import replace
    text = "\n".join(op.text for op in text_lines(layouts.ticket_layout(replace(ticket, lang="en"), 80)))
    assert "QUEUE NUMBER" in text and "People ahead of you: 3" in text
    assert "Monday, 4 March 2024 09:15 WITA" in text
    text_id = "\n".join(op.text for op in text_lines(layouts.ticket_layout(ticket, 80)))
    assert "NOMOR ANTREAN" in text_id and "Senin, 4 Maret 2024 09:15 WITA" in text_id
    assert "± 15 menit" in text_id


def test_no_doubled_counter_words_on_slips():
    """Issue 11 item 6: "Loket: Loket 5" and "(Loket Loket 2 - Pelayanan)" were printed."""
    from dataclasses import replace

    from printing.samples import sample_pickup, sample_rejection

    def text(ops):
        return " ".join(" ".join(op.text for op in text_lines(ops)).split())

    pickup = replace(sample_pickup(), place_kind="counter", place_name="Loket 5")
    assert "Loket: Loket" not in text(layouts.pickup_layout(pickup, 80)) and "Loket 5" in text(
        layouts.pickup_layout(pickup, 80))
    assert "Loket 7" in text(layouts.pickup_layout(replace(pickup, place_name="7"), 80))
    rejection = replace(sample_rejection(), counter="Loket 2 - Pelayanan")
    printed = text(layouts.rejection_layout(rejection, 80))
    assert "Loket Loket" not in printed and "(Loket 2 - Pelayanan)" in printed
    assert "(Loket 2)" in text(layouts.rejection_layout(replace(rejection, counter="2"), 80))


def test_wrap_names_at_word_boundaries():
    lines = wrap(f"Nama: {LONG_NAME}", 32)
    assert lines == ["Nama: Muhammad Al-Fatih Ramadhan", "Syahputra Nasution"]
    assert wrap("Ni Luh Putu Ayu Ketut", 10) == ["Ni Luh", "Putu Ayu", "Ketut"]
    broken = wrap("Kode: " + "X" * 70, 32)
    assert all(len(line) <= 32 for line in broken)
    assert "".join(broken).replace(" ", "") == "Kode:" + "X" * 70
    for columns in range(8, 49):
        for line in wrap(LONG_NAME + " Ni Luh Putu Ayu Ketut", columns, subsequent_indent="    "):
            assert len(line) <= columns


def test_transliteration_keeps_codepage_and_never_drops():
    assert transliterate("Nasution–É", "cp437") == "Nasution-É"
    assert transliterate("Nasution–É", "ascii") == "Nasution-E"
    assert transliterate("Ma’ruf “Amin”", "ascii") == "Ma'ruf \"Amin\""
    assert transliterate("Łukasz Ñuñez Ştefan", "ascii") == "Lukasz Nunez Stefan"
    assert transliterate("ok 🙂", "ascii") == "ok ?"


def test_transliterated_name_reaches_the_printer_in_cp437(ticket):
    from dataclasses import replace
    printer = open_printer("dummy://", paper=58, logo=None)
    slip = replace(ticket, service_name="Nasution–É Ma’ruf")
    printer.print_ticket(slip)
    assert b"Nasution-\x90 Ma'ruf" in printer.output
    assert b"?" not in printer.output.split(b"http")[0].replace(b"(", b"")


@pytest.mark.parametrize("paper,dots", [(58, 384), (80, 576)])
def test_preview_png_has_paper_width(tmp_path, ticket, documents, paper, dots):
    printer = open_printer(f"preview://{tmp_path / 'prev'}", paper=paper)
    paths = [printer.print_ticket(ticket).path]
    paths += [printer.print_rejection(documents["rejection"]).path,
              printer.print_pickup(documents["pickup"]).path,
              printer.print_handover(documents["handover"]).path,
              printer.print_ikm(documents["ikm"]).path]
    assert len(set(paths)) == 5
    for path in paths:
        with Image.open(path) as img:
            assert img.width == dots
            assert img.height > 300
            grey = img.convert("L")
            dark = sum(1 for v in grey.getdata() if v < 128)
            assert 0.02 < dark / (img.width * img.height) < 0.6


def test_network_printer_receives_each_job_whole(fake_printer, ticket, documents):
    server = fake_printer()
    printer = open_printer(server.uri, paper=80, timeout=3)
    reference = DummyPrinter(paper=80)
    printer.print_ticket(ticket)
    reference.print_ticket(ticket)
    printer.print_ikm(documents["ikm"])
    reference.print_ikm(documents["ikm"])
    deadline = time.monotonic() + 3
    while len(server.jobs) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.jobs == reference.jobs


def test_status_check_passes_then_job_follows(fake_printer, ticket):
    server = fake_printer(replies={1: 0x12, 4: 0x12})
    printer = open_printer(server.uri + "?status=on", timeout=3, logo=None)
    printer.print_ticket(ticket)
    assert server.done.wait(3)
    job = server.jobs[0]
    assert job.startswith(b"\x10\x04\x01\x10\x04\x04\x1b@")
    assert job[6:] == build_job(layouts.ticket_layout(ticket, 80), 80)


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_refused_port_raises_connection_refused(ticket):
    printer = open_printer(f"tcp://127.0.0.1:{_free_port()}", timeout=2)
    with pytest.raises(PrinterConnectionRefused) as info:
        printer.print_ticket(ticket)
    assert info.value.code == "connection_refused"
    assert "menolak" in info.value.message("id") and "refused" in info.value.message("en")


def test_printer_that_never_answers_times_out(fake_printer, ticket):
    server = fake_printer(mode="silent")
    printer = open_printer(server.uri + "?status=on", timeout=0.5)
    with pytest.raises(PrinterTimeout):  # raised, instead of hanging the kiosk
        printer.print_ticket(ticket)


@pytest.mark.parametrize("replies,error", [
    ({1: 0x12, 4: 0x72}, PrinterPaperOut),      # DLE EOT 4: paper end
    ({1: 0x1A, 2: 0x32}, PrinterPaperOut),      # offline, paper end stop
    ({1: 0x1A, 2: 0x16}, PrinterCoverOpen),     # offline, cover open
    ({1: 0x1A, 2: 0x12}, PrinterOffline),       # offline, no known cause
])
def test_status_faults(fake_printer, ticket, replies, error):
    server = fake_printer(replies=replies)
    printer = open_printer(server.uri + "?status=on", timeout=2)
    with pytest.raises(error):
        printer.print_ticket(ticket)
    assert server.done.wait(2)
    assert b"\x1b@" not in server.jobs[0]  # nothing printed after a failed status


def test_usb_missing_raises_not_found(monkeypatch, ticket):
    import usb.core
    monkeypatch.setattr(usb.core, "find", lambda *a, **k: None)
    printer = open_printer("usb://04b8:0202", timeout=2)
    with pytest.raises(PrinterNotFound) as info:
        printer.print_ticket(ticket)
    assert info.value.code == "not_found"


def test_file_printer_and_missing_device(tmp_path, ticket):
    target = tmp_path / "lp0"
    open_printer(str(target), logo=None).print_ticket(ticket)
    assert target.read_bytes() == build_job(layouts.ticket_layout(ticket, 80), 80)
    with pytest.raises(PrinterNotFound):
        open_printer(f"file://{tmp_path}/missing/lp0").print_ticket(ticket)
    with pytest.raises(PrinterNotFound):
        open_printer(f"serial://{tmp_path}/ttyUSB9?baudrate=19200").print_ticket(ticket)


@pytest.mark.parametrize("uri", ["ftp://x", "lpt1", "usb://zz", "tcp://", "tcp://h:99999",
                                 "serial://?baudrate=fast", "dummy://?status=maybe"])
def test_bad_uris_raise_config_error(uri):
    with pytest.raises(PrinterConfigError):
        open_printer(uri)


def test_bad_paper_and_codepage():
    with pytest.raises(PrinterConfigError):
        open_printer("dummy://", paper=72)
    with pytest.raises(PrinterConfigError):
        open_printer("dummy://?codepage=klingon")


def test_image_qr_mode_sends_raster_not_qr_command(ticket):
    printer = open_printer("dummy://?qr=image", logo=None)
    printer.print_ticket(ticket)
    assert GS_QR not in printer.output and RASTER in printer.output


def test_every_error_is_a_printer_error_with_two_languages():
    for cls in (PrinterConfigError, PrinterConnectionRefused, PrinterTimeout, PrinterPaperOut,
                PrinterCoverOpen, PrinterOffline, PrinterNotFound):
        err = cls("detail")
        assert isinstance(err, PrinterError)
        assert err.message("id") != err.message("en")
        assert err.code and "detail" in str(err)


def test_preview_renderer_is_the_same_layout(ticket, tmp_path):
    ops = layouts.ticket_layout(ticket, 80)
    assert any(isinstance(op, QrCode) for op in ops)
    printer = PreviewPrinter(tmp_path)
    result = printer.print_ops(ops, "same")
    assert Path(result.path).exists()
    assert isinstance(ops[-1], layouts.Cut)
    assert all(isinstance(op, (TextLine, QrCode, layouts.Picture, layouts.Rule,
                               layouts.Feed, layouts.Cut)) for op in ops)


def test_the_pickup_slip_names_the_offices_complaint_channels():
    """Issue 11 item 17: SOP 004's complaint channels (kotak saran, website, telepon,
    email) come from the office file and print on the pickup slip."""
    from dataclasses import replace

    from printing.samples import sample_pickup
    from queue_server.config import load_office

    office = load_office(Path(__file__).resolve().parents[2] / "assets" / "offices" / "default.toml")
    assert office.complaints and office.complaints[0] == "Kotak saran di ruang tunggu"
    ops = layouts.pickup_layout(replace(sample_pickup(), complaints=office.complaints), 80)
    text = "\n".join(op.text for op in text_lines(ops))
    assert "Saran dan pengaduan:" in text and "Kotak saran di ruang tunggu" in text
    assert "Saran dan pengaduan" not in "\n".join(op.text for op in text_lines(layouts.pickup_layout(
        sample_pickup(), 80)))
