"""Shared sample data and a fake raw-port-9100 printer for the printing tests."""
from __future__ import annotations

import socket
import threading
from datetime import date, datetime, timedelta, timezone

import pytest

from printing.model import HandoverReceipt, IkmInvitation, PickupSlip, RejectionSlip, Ticket

WITA = timezone(timedelta(hours=8))
LONG_NAME = "Muhammad Al-Fatih Ramadhan Syahputra Nasution"
OFFICE = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Paser"


@pytest.fixture
def ticket() -> Ticket:
    return Ticket(
        office_name=OFFICE, office_short="Disdukcapil Paser",
        service_name="Kartu Identitas Anak (KIA)", number="A012",
        issued_at=datetime(2024, 3, 4, 9, 15, tzinfo=WITA), zone="WITA",
        people_ahead=3, estimated_wait_seconds=900,
        checklist=("Fotokopi akta kelahiran (asli ditunjukkan)",
                   "Kartu Keluarga orang tua/wali",
                   "Pas foto berwarna 3x4 dua lembar untuk anak usia 5 tahun ke atas"),
        status_code="X7K2P", status_url="http://127.0.0.1:8080/s/X7K2P")


@pytest.fixture
def documents():
    """One of each slip kind (rejection, pickup, hand-over, IKM)."""
    at = datetime(2024, 3, 4, 10, 40, tzinfo=WITA)
    return {
        "rejection": RejectionSlip(OFFICE, "Disdukcapil Paser", "KIA", "A012", at, "WITA",
                                   ("Fotokopi akta kelahiran", "Pas foto 3x4 berwarna"),
                                   officer="Ni Luh Putu Ayu Ketut", counter="2",
                                   notes="Nama pada akta berbeda dengan KK; mohon bawa surat keterangan."),
        "pickup": PickupSlip(OFFICE, "Disdukcapil Paser", "KIA-2024-000123", LONG_NAME,
                             ("Kartu Identitas Anak", "Kartu Keluarga"), date(2024, 3, 6),
                             "kecamatan", "UPTD Kecamatan Tanah Grogot", at, "WITA",
                             bring=("Slip ini", "KTP-el orang tua")),
        "handover": HandoverReceipt(OFFICE, "Disdukcapil Paser", "KIA-2024-000123",
                                    "Kartu Identitas Anak", "Siti Nurhaliza", "Ibu kandung",
                                    "Ni Luh Putu Ayu Ketut", at, "WITA", applicant_name=LONG_NAME),
        "ikm": IkmInvitation(OFFICE, "Disdukcapil Paser", "http://127.0.0.1:8080/ikm/Q9",
                             survey_code="Q9", service_name="KIA"),
    }


class FakePrinter:
    """A raw port-9100 printer on 127.0.0.1.

    mode "normal": reads each connection until the client closes, answering DLE EOT
    n status queries from ``replies`` (n -> one status byte); each connection's bytes
    are appended to ``jobs``. mode "silent": accepts and never reads nor answers.
    """

    def __init__(self, mode: str = "normal", replies: dict[int, int] | None = None) -> None:
        self.mode = mode
        self.replies = replies or {1: 0x12, 2: 0x12, 4: 0x12}
        self.jobs: list[bytes] = []
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(8)
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self._stop = threading.Event()
        self._held: list[socket.socket] = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def uri(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except (socket.timeout, OSError):
                continue
            if self.mode == "silent":
                self._held.append(conn)
                continue
            self._read(conn)

    def _read(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        data = bytearray()
        scanned = 0
        with conn:
            while True:
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    break
                if not chunk:
                    break
                data += chunk
                while True:
                    i = data.find(b"\x10\x04", scanned)
                    if i < 0 or i + 2 >= len(data):
                        break
                    n = data[i + 2]
                    scanned = i + 3
                    if n in self.replies:
                        conn.sendall(bytes([self.replies[n]]))
        self.jobs.append(bytes(data))
        self.done.set()

    def close(self) -> None:
        self._stop.set()
        self.thread.join(2)
        for conn in self._held:
            conn.close()
        self.server.close()


@pytest.fixture
def fake_printer():
    printers: list[FakePrinter] = []

    def make(mode: str = "normal", replies: dict[int, int] | None = None) -> FakePrinter:
        printer = FakePrinter(mode, replies)
        printers.append(printer)
        return printer

    yield make
    for printer in printers:
        printer.close()
