"""Thermal printers: render layout operations to ESC/POS (python-escpos) or PNG.

One layout (:mod:`printing.layouts`) has two renderers:

* :func:`render_escpos` drives any python-escpos printer object (``set()``,
  ``textln()``, ``qr()``, ``image()``, ``cut()``). A job is first built into an
  ``escpos.printer.Dummy`` (:func:`build_job`) and then written to the transport
  in ONE write, so a job arrives whole or not at all.
* :func:`render_preview` draws the same operations with Pillow at the paper's dot
  width (384 or 576) using the shipped DejaVu Sans Mono, 12 x 24 dots per
  character as font A of 203 dpi printers.

Printers (:class:`ThermalPrinter` subclasses) are created from a URI by
:func:`printing.uri.open_printer`. Every transport fault is raised as a typed
:class:`printing.errors.PrinterError`, and no job blocks longer than ``timeout``
seconds.
"""
from __future__ import annotations

import copy
import errno
import functools
import io
import logging
import socket
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, Sequence

import segno
from escpos import exceptions as escpos_exceptions
from escpos.capabilities import Profile, get_profile
from escpos.constants import RT_STATUS
from escpos.escpos import Escpos
from escpos.printer import Dummy
from PIL import Image, ImageDraw, ImageFont

from . import layouts
from .assets import DEFAULT_LOGO, FONT_MONO, FONT_MONO_BOLD
from .errors import (PrinterConfigError, PrinterConnectionRefused, PrinterCoverOpen,
                     PrinterError, PrinterNotFound, PrinterOffline, PrinterPaperOut,
                     PrinterTimeout)
from .layouts import Cut, Feed, Op, Paper, Picture, QrCode, Rule, TextLine, get_paper
from .model import HandoverReceipt, IkmInvitation, PickupSlip, RejectionSlip, Ticket

log = logging.getLogger(__name__)

#: Python codec -> python-escpos code page name (ESC t table of the printer profile).
ESCPOS_CODEPAGES = {"ascii": "CP437", "cp437": "CP437", "cp850": "CP850", "cp858": "CP858",
                    "cp1252": "CP1252", "cp852": "CP852", "iso8859_15": "ISO_8859-15"}

#: DLE EOT 2: offline cause status (Epson ESC/POS). Bit 2 = cover open, bit 5 = paper end stop.
RT_STATUS_OFFLINE_CAUSE = RT_STATUS + b"\x02"
_COVER_OPEN_BIT = 0x04
_PAPER_END_STOP_BIT = 0x20


def render_escpos(ops: Sequence[Op], printer: Escpos, paper: int | Paper = 80, *,
                  native_qr: bool = True, codepage: str = "cp437") -> None:
    """Send ``ops`` to a python-escpos printer object for ``paper`` (58 or 80 mm).

    ``native_qr`` True uses the printer's own QR command (GS ( k); False sends the
    QR as a raster image (for printers without 2D-code support). ``codepage`` is
    selected first with ESC t via ``charcode()``. Raises ValueError for an unknown
    code page.
    """
    try:
        escpos_cp = ESCPOS_CODEPAGES[codepage.lower()]
    except KeyError:
        raise ValueError(f"unsupported code page {codepage!r}; use one of {sorted(ESCPOS_CODEPAGES)}") from None
    paper = get_paper(paper)
    printer.hw("INIT")
    printer.charcode(escpos_cp)
    for op in ops:
        if isinstance(op, TextLine):
            if op.width > 1 or op.height > 1:
                printer.set(custom_size=True, width=op.width, height=op.height)
            else:
                printer.set(normal_textsize=True)
            printer.set(align=op.align, bold=op.bold, invert=op.invert)
            printer.textln(op.text)
        elif isinstance(op, QrCode):
            printer.set(align="center", normal_textsize=True, bold=False)
            if native_qr:
                printer.qr(op.data, size=op.module_dots, native=True)
                printer.ln()
            else:
                printer.image(_qr_image(op, paper.dots))
        elif isinstance(op, Picture):
            printer.set(align="left")
            printer.image(op.image)
        elif isinstance(op, Rule):
            printer.set(align="left", normal_textsize=True, bold=False, invert=False)
            printer.textln(op.char * paper.columns)
        elif isinstance(op, Feed):
            printer.ln(op.lines)
        elif isinstance(op, Cut):
            printer.set(align="left", normal_textsize=True, bold=False, invert=False)
            printer.cut()
        else:  # pragma: no cover - Op is a closed union
            raise TypeError(f"unknown layout operation {op!r}")


def _qr_image(op: QrCode, dots: int) -> Image.Image:
    qr = segno.make(op.data, error="m", micro=False)
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=op.module_dots, border=2)
    buffer.seek(0)
    with Image.open(buffer) as png:
        img = png.convert("L")
    canvas = Image.new("L", (dots, img.height), 255)
    canvas.paste(img, ((dots - img.width) // 2, 0))
    return canvas.convert("1")


@functools.lru_cache(maxsize=4)
def paper_profile(paper: int | Paper = 80) -> Profile:
    """A python-escpos ``Profile`` (default capabilities) whose media width is the
    paper's dot width, so ``image()`` checks widths against the real paper."""
    paper = get_paper(paper)
    profile = Profile(columns=paper.columns,
                      features=dict(get_profile("default").profile_data["features"]))
    data = copy.deepcopy(get_profile("default").profile_data)
    data["media"] = {"dpi": 203, "width": {"mm": paper.mm, "pixels": paper.dots}}
    profile.profile_data = data
    return profile


def build_job(ops: Sequence[Op], paper: int | Paper = 80, *, native_qr: bool = True,
              codepage: str = "cp437") -> bytes:
    """Render ``ops`` into a python-escpos ``Dummy`` and return its bytes (one job)."""
    dummy = Dummy(profile=paper_profile(paper))
    render_escpos(ops, dummy, paper, native_qr=native_qr, codepage=codepage)
    return dummy.output


class _Preview:
    """Pillow drawing of layout operations; fonts loaded once per size."""

    def __init__(self, paper: Paper) -> None:
        self.paper = paper
        self.cell_w, self.cell_h = layouts.CELL_DOTS
        self._fonts: dict[tuple[bool, int], ImageFont.FreeTypeFont] = {}
        probe = ImageFont.truetype(str(FONT_MONO), 100)
        self._advance_per_pt = probe.getlength("M") / 100.0

    def font(self, bold: bool, width: int) -> ImageFont.FreeTypeFont:
        key = (bold, width)
        if key not in self._fonts:
            size = self.cell_w * width / self._advance_per_pt
            self._fonts[key] = ImageFont.truetype(str(FONT_MONO_BOLD if bold else FONT_MONO), size)
        return self._fonts[key]

    def text(self, op: TextLine) -> Image.Image:
        cw, ch = self.cell_w * op.width, self.cell_h * op.width
        strip = Image.new("L", (self.paper.dots, ch), 0 if op.invert else 255)
        draw = ImageDraw.Draw(strip)
        text_w = len(op.text) * cw
        x = {"left": 0, "center": (self.paper.dots - text_w) // 2,
             "right": self.paper.dots - text_w}[op.align]
        # Baseline at 78 % of the cell leaves room for descenders and "_".
        draw.text((x, ch * 0.78), op.text, font=self.font(op.bold, op.width),
                  fill=255 if op.invert else 0, anchor="ls")
        if op.height != op.width:
            strip = strip.resize((self.paper.dots, self.cell_h * op.height), Image.NEAREST)
        return strip

    def render(self, ops: Sequence[Op]) -> Image.Image:
        strips: list[Image.Image] = []
        blank = Image.new("L", (self.paper.dots, self.cell_h), 255)
        for op in ops:
            if isinstance(op, TextLine):
                strips.append(self.text(op))
            elif isinstance(op, QrCode):
                strips.append(_qr_image(op, self.paper.dots).convert("L"))
                strips.append(blank)
            elif isinstance(op, Picture):
                strips.append(op.image.convert("L"))
            elif isinstance(op, Rule):
                strips.append(self.text(TextLine(op.char * self.paper.columns)))
            elif isinstance(op, Feed):
                strips.extend([blank] * op.lines)
            elif isinstance(op, Cut):
                strips.extend([blank] * 2)
                cut = Image.new("L", (self.paper.dots, 6), 255)
                ImageDraw.Draw(cut).line([(0, 3), (self.paper.dots, 3)], fill=128, width=1)
                strips.append(cut)
        height = sum(s.height for s in strips) or 1
        page = Image.new("L", (self.paper.dots, height), 255)
        y = 0
        for s in strips:
            page.paste(s, (0, y))
            y += s.height
        return page


def render_preview(ops: Sequence[Op], paper: int | Paper = 80) -> Image.Image:
    """Draw ``ops`` as a greyscale Pillow image exactly ``paper.dots`` wide."""
    return _Preview(get_paper(paper)).render(ops)


@dataclass(frozen=True)
class JobResult:
    """Outcome of one print job: its name, bytes sent (ESC/POS length) and, for the
    preview printer, the PNG written."""

    name: str
    size_bytes: int
    path: Path | None = None


def map_error(exc: BaseException, target: str = "") -> PrinterError:
    """Translate a socket/usb/serial/python-escpos exception into a typed
    :class:`PrinterError` (the original stays in ``detail`` and ``__cause__``)."""
    if isinstance(exc, PrinterError):
        return exc
    chain: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and len(chain) < 6:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    detail = f"{target}: {exc}" if target else str(exc)
    try:
        import usb.core as usb_core
    except ImportError:  # pragma: no cover - pyusb is a dependency
        usb_core = None
    try:
        import serial as pyserial
    except ImportError:  # pragma: no cover - pyserial is a dependency
        pyserial = None
    for item in chain:
        if isinstance(item, ConnectionRefusedError):
            return PrinterConnectionRefused(detail)
        if isinstance(item, (TimeoutError, socket.timeout)):
            return PrinterTimeout(detail)
        if usb_core is not None and isinstance(item, getattr(usb_core, "USBTimeoutError", ())):
            return PrinterTimeout(detail)
        if pyserial is not None and isinstance(item, pyserial.SerialTimeoutException):
            return PrinterTimeout(detail)
        if isinstance(item, socket.gaierror):
            return PrinterConfigError(detail, code="unknown_host",
                                      message_id="Nama host printer tidak dikenal.",
                                      message_en="The printer host name is unknown.")
        if isinstance(item, (FileNotFoundError, escpos_exceptions.USBNotFoundError)):
            return PrinterNotFound(detail)
        if isinstance(item, PermissionError):
            return PrinterNotFound(detail, code="permission_denied",
                                   message_id="Tidak ada izin membuka printer.",
                                   message_en="No permission to open the printer.")
        if isinstance(item, (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)):
            return PrinterOffline(detail)
        if isinstance(item, OSError) and item.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
            return PrinterOffline(detail)
    if isinstance(exc, escpos_exceptions.DeviceNotFoundError):
        return PrinterNotFound(detail)
    if usb_core is not None and isinstance(exc, usb_core.USBError):
        return PrinterOffline(detail)
    if pyserial is not None and isinstance(exc, pyserial.SerialException):
        return PrinterNotFound(detail)
    if isinstance(exc, RuntimeError):
        return PrinterConfigError(detail)
    if isinstance(exc, OSError):
        return PrinterOffline(detail)
    return PrinterError(detail)


def run_with_deadline(func: Callable[[], object], timeout: float, *,
                      on_timeout: Callable[[], None] | None = None, target: str = "") -> object:
    """Run ``func`` in a worker thread and wait at most ``timeout`` seconds.

    Returns its result, re-raises its exception mapped by :func:`map_error`, or
    calls ``on_timeout`` (e.g. to close a socket) and raises :class:`PrinterTimeout`.
    """
    box: dict[str, object] = {}

    def worker() -> None:
        try:
            box["result"] = func()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller below
            box["error"] = exc

    thread = threading.Thread(target=worker, name="loket-print-job", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        if on_timeout is not None:
            try:
                on_timeout()
            except Exception:  # noqa: BLE001 - best effort to unblock the worker
                log.debug("closing a timed-out printer failed", exc_info=True)
        raise PrinterTimeout(f"{target}: no completion within {timeout:g} s")
    if "error" in box:
        error = box["error"]
        assert isinstance(error, BaseException)
        raise map_error(error, target) from error
    return box.get("result")


def check_status(device: Escpos) -> None:
    """Query a python-escpos device with ``is_online()`` / ``paper_status()`` (DLE EOT)
    and raise :class:`PrinterCoverOpen`, :class:`PrinterPaperOut` or
    :class:`PrinterOffline`. A "paper near end" answer only logs a warning.
    Transports that cannot read (file, CUPS) are not queried."""
    try:
        online = device.is_online()
    except NotImplementedError:
        return
    if not online:
        cause = device.query_status(RT_STATUS_OFFLINE_CAUSE)
        if cause and cause[0] & _COVER_OPEN_BIT:
            raise PrinterCoverOpen("DLE EOT 2: cover open")
        if cause and cause[0] & _PAPER_END_STOP_BIT:
            raise PrinterPaperOut("DLE EOT 2: paper end stop")
        raise PrinterOffline("DLE EOT 1: offline")
    paper = device.paper_status()
    if paper == 0:
        raise PrinterPaperOut("DLE EOT 4: paper end")
    if paper == 1:
        log.warning("thermal printer paper near end")


class ThermalPrinter:
    """A thermal printer for the layouts of :mod:`printing.layouts`.

    Args:
        uri: the URI it was opened from (for messages).
        paper: 58 or 80 (mm).
        timeout: seconds a job may take at most (connect + status + write).
        codepage: printer character table as a Python codec (see ESCPOS_CODEPAGES).
        native_qr: print QR codes with the printer's QR command (True) or as image.
        status_check: query DLE EOT status before each job (network/usb/serial).
        logo: logo for headers (path or PIL image); None prints no logo.

    Subclasses implement :meth:`_deliver`. Print methods return a :class:`JobResult`
    and raise :class:`PrinterError` subclasses.
    """

    def __init__(self, uri: str = "", *, paper: int = 80, timeout: float = 5.0,
                 codepage: str = "cp437", native_qr: bool = True, status_check: bool = False,
                 logo: str | Path | Image.Image | None = DEFAULT_LOGO) -> None:
        try:
            self.paper = get_paper(paper)
        except ValueError as exc:
            raise PrinterConfigError(str(exc)) from exc
        if codepage.lower() not in ESCPOS_CODEPAGES:
            raise PrinterConfigError(f"unsupported code page {codepage!r}")
        if timeout <= 0:
            raise PrinterConfigError("timeout must be > 0 seconds")
        self.uri = uri
        self.timeout = float(timeout)
        self.codepage = codepage.lower()
        self.native_qr = native_qr
        self.status_check = status_check
        self.logo = logo

    # -- building -----------------------------------------------------------
    def build(self, ops: Sequence[Op]) -> bytes:
        """ESC/POS bytes of ``ops`` for this printer's paper, code page and QR mode."""
        return build_job(ops, self.paper, native_qr=self.native_qr, codepage=self.codepage)

    def print_ops(self, ops: Sequence[Op], name: str = "job") -> JobResult:
        """Print a layout as one job. Raises PrinterError subclasses."""
        data = self.build(ops)
        return self._deliver(data, ops, name)

    def print_ticket(self, ticket: Ticket) -> JobResult:
        """Print a queue ticket (:func:`printing.layouts.ticket_layout`)."""
        ops = layouts.ticket_layout(ticket, self.paper, codepage=self.codepage, logo=self.logo)
        return self.print_ops(ops, f"ticket-{ticket.number}")

    def print_rejection(self, slip: RejectionSlip) -> JobResult:
        """Print a rejection slip (:func:`printing.layouts.rejection_layout`)."""
        ops = layouts.rejection_layout(slip, self.paper, codepage=self.codepage, logo=self.logo)
        return self.print_ops(ops, f"rejection-{slip.number}")

    def print_pickup(self, slip: PickupSlip) -> JobResult:
        """Print a pickup slip (:func:`printing.layouts.pickup_layout`)."""
        ops = layouts.pickup_layout(slip, self.paper, codepage=self.codepage, logo=self.logo)
        return self.print_ops(ops, f"pickup-{slip.application_code}")

    def print_handover(self, receipt: HandoverReceipt) -> JobResult:
        """Print a hand-over receipt (:func:`printing.layouts.handover_layout`)."""
        ops = layouts.handover_layout(receipt, self.paper, codepage=self.codepage, logo=self.logo)
        return self.print_ops(ops, f"handover-{receipt.application_code}")

    def print_ikm(self, invite: IkmInvitation) -> JobResult:
        """Print an IKM survey invitation (:func:`printing.layouts.ikm_layout`)."""
        ops = layouts.ikm_layout(invite, self.paper, codepage=self.codepage, logo=self.logo)
        return self.print_ops(ops, "ikm")

    def check(self) -> None:
        """Check the printer is reachable and ready (status where supported)."""
        self._deliver(b"", [], "status")

    def _deliver(self, data: bytes, ops: Sequence[Op], name: str) -> JobResult:
        raise NotImplementedError


class EscposPrinter(ThermalPrinter):
    """A real transport: ``factory()`` returns a fresh python-escpos printer
    (Network, Usb, Serial, File, CupsPrinter or LP) per job; the job bytes go out in
    one ``_raw`` write within ``timeout`` seconds."""

    def __init__(self, factory: Callable[[], Escpos], uri: str = "", **options) -> None:
        super().__init__(uri, **options)
        self.factory = factory

    def _deliver(self, data: bytes, ops: Sequence[Op], name: str) -> JobResult:
        holder: dict[str, Escpos] = {}

        def job() -> None:
            try:
                device = self.factory()
            except Exception as exc:  # noqa: BLE001 - mapped to a typed error
                raise map_error(exc, self.uri) from exc
            holder["device"] = device
            try:
                device.open()
                if self.status_check:
                    check_status(device)
                if data:
                    device._raw(data)
            finally:
                _close_quietly(device)

        def abort() -> None:
            device = holder.get("device")
            if device is not None:
                _close_quietly(device)

        run_with_deadline(job, self.timeout, on_timeout=abort, target=self.uri)
        return JobResult(name, len(data))


def _close_quietly(device: Escpos) -> None:
    try:
        device.close()
    except Exception:  # noqa: BLE001 - closing a broken device must not hide the fault
        log.debug("closing printer failed", exc_info=True)


class DummyPrinter(ThermalPrinter):
    """Keeps every job's bytes in :attr:`jobs` (python-escpos Dummy output); for tests."""

    def __init__(self, uri: str = "dummy://", **options) -> None:
        super().__init__(uri, **options)
        self.jobs: list[bytes] = []

    @property
    def output(self) -> bytes:
        """All jobs concatenated."""
        return b"".join(self.jobs)

    def _deliver(self, data: bytes, ops: Sequence[Op], name: str) -> JobResult:
        if data:
            self.jobs.append(data)
        return JobResult(name, len(data))


class PreviewPrinter(ThermalPrinter):
    """Renders each job to ``<folder>/<YYYYmmdd-HHMMSS>-<seq>-<name>.png`` at the
    paper's dot width, for offices without a printer and for the demo."""

    def __init__(self, folder: str | Path, uri: str = "", **options) -> None:
        super().__init__(uri or f"preview://{folder}", **options)
        self.folder = Path(folder)
        self._seq = 0
        self._lock = threading.Lock()

    def _deliver(self, data: bytes, ops: Sequence[Op], name: str) -> JobResult:
        if not ops:
            return JobResult(name, 0)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise map_error(exc, self.uri) from exc
        image = render_preview(ops, self.paper)
        with self._lock:
            self._seq += 1
            seq = self._seq
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
        path = self.folder / f"{datetime.now():%Y%m%d-%H%M%S}-{seq:04d}-{safe}.png"
        image.save(path)
        return JobResult(name, len(data), path)
