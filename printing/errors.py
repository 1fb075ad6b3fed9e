"""Typed printer faults with bilingual messages.

Every fault raised by :mod:`printing` is a :class:`PrinterError`. Callers (kiosk,
counter station) show ``message_id`` (Bahasa Indonesia) or ``message_en`` to the
person in front of the device and log ``code``; ``detail`` keeps the low-level
cause (socket/usb/serial text) for the technician.

Recording comes before printing (ARCHITECTURE.md): a fault never loses a ticket,
it only asks for a reprint.
"""
from __future__ import annotations


class PrinterError(Exception):
    """Base class of every printing fault.

    Attributes:
        code: stable machine code, e.g. ``"paper_out"`` (snake_case, English).
        message_id: message for the public/officer in Bahasa Indonesia.
        message_en: the same message in English.
        detail: low-level cause for logs (may be empty).
    """

    code = "printer_error"
    message_id = "Printer bermasalah. Hubungi petugas."
    message_en = "Printer problem. Please contact an officer."

    def __init__(self, detail: str = "", *, code: str | None = None,
                 message_id: str | None = None, message_en: str | None = None) -> None:
        if code is not None:
            self.code = code
        if message_id is not None:
            self.message_id = message_id
        if message_en is not None:
            self.message_en = message_en
        self.detail = detail
        super().__init__(f"{self.code}: {self.message_en}" + (f" ({detail})" if detail else ""))

    def message(self, lang: str = "id") -> str:
        """Return the user-facing message in ``lang`` ("id" default, or "en")."""
        return self.message_en if lang == "en" else self.message_id


class PrinterConfigError(PrinterError):
    """The printer URI or option is invalid (unknown scheme, bad port, bad paper width)."""

    code = "config"
    message_id = "Pengaturan printer tidak valid."
    message_en = "The printer configuration is invalid."


class PrinterConnectionRefused(PrinterError):
    """The network printer refused the TCP connection (nothing listens on the port)."""

    code = "connection_refused"
    message_id = "Printer menolak sambungan. Periksa apakah printer menyala dan alamatnya benar."
    message_en = "The printer refused the connection. Check that it is on and the address is right."


class PrinterTimeout(PrinterError):
    """The printer did not accept data or answer within the configured timeout (seconds)."""

    code = "timeout"
    message_id = "Printer tidak menanggapi. Periksa kabel dan daya printer."
    message_en = "The printer did not respond. Check its cable and power."


class PrinterPaperOut(PrinterError):
    """The printer reports no paper (DLE EOT 4 paper-end bits, or DLE EOT 2 paper-end stop)."""

    code = "paper_out"
    message_id = "Kertas printer habis. Hubungi petugas."
    message_en = "The printer is out of paper. Please contact an officer."


class PrinterCoverOpen(PrinterError):
    """The printer reports its cover open (DLE EOT 2 bit 2)."""

    code = "cover_open"
    message_id = "Tutup printer terbuka. Tutup printer lalu coba lagi."
    message_en = "The printer cover is open. Close it and try again."


class PrinterOffline(PrinterError):
    """The printer answered but reports it is offline, or the spooler rejected the job."""

    code = "offline"
    message_id = "Printer sedang tidak siap (offline)."
    message_en = "The printer is offline."


class PrinterNotFound(PrinterError):
    """The device is absent: USB VID:PID not on the bus, serial port or device file missing."""

    code = "not_found"
    message_id = "Printer tidak ditemukan. Periksa kabel USB/serial."
    message_en = "The printer was not found. Check the USB/serial cable."


__all__ = [
    "PrinterError", "PrinterConfigError", "PrinterConnectionRefused", "PrinterTimeout",
    "PrinterPaperOut", "PrinterCoverOpen", "PrinterOffline", "PrinterNotFound",
]
