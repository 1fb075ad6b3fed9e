"""Open a thermal printer from a URI in the office configuration.

Schemes (query options in brackets apply to all):

=============================================  ==========================================
``tcp://host[:port]``                          network printer, raw port 9100 by default
``usb://VID:PID``                              USB printer, hex ids, e.g. ``usb://04b8:0202``
                                               (``?in_ep=0x82&out_ep=0x01``)
``serial:///dev/ttyUSB0?baudrate=19200``       serial printer (default 9600 baud)
``file:///dev/usb/lp0`` or a plain path        device file (Linux usblp), opened per job ("wb")
``cups://QUEUE``                               a raw CUPS queue (pycups, or the ``lp`` command)
``preview://DIR``                              PNG per job in DIR (relative or ``preview:///abs``)
``dummy://``                                   python-escpos Dummy, keeps the bytes (tests)
=============================================  ==========================================

Common query options: ``status=on`` (DLE EOT check before each job, tcp/usb/serial),
``codepage=cp437|cp858|cp1252|ascii...``, ``qr=native|image``.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from .errors import PrinterConfigError
from .thermal import DummyPrinter, EscposPrinter, PreviewPrinter, ThermalPrinter

_TRUE = {"1", "on", "yes", "true"}
_FALSE = {"0", "off", "no", "false"}


def _flag(query: dict[str, str], name: str, default: bool) -> bool:
    if name not in query:
        return default
    value = query[name].lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise PrinterConfigError(f"option {name}={value!r} must be on/off")


def _int(value: str, name: str, base: int = 10) -> int:
    try:
        return int(value, base)
    except ValueError:
        raise PrinterConfigError(f"{name} must be a number, got {value!r}") from None


def open_printer(uri: str, *, timeout: float = 5.0, paper: int = 80, **options) -> ThermalPrinter:
    """Return a :class:`ThermalPrinter` for ``uri`` (see module docstring).

    ``timeout`` seconds bounds every job; ``paper`` is 58 or 80 (mm); extra keyword
    ``options`` (``logo``, ``status_check``, ``codepage``, ``native_qr``) override
    the URI's query. Nothing is opened yet: a transport is opened per job.
    Raises :class:`PrinterConfigError` for an unknown scheme or invalid option.
    """
    if not uri or not isinstance(uri, str):
        raise PrinterConfigError("empty printer URI")
    if "://" not in uri:
        if uri.startswith("/") or uri.startswith("."):
            uri = "file://" + uri
        else:
            raise PrinterConfigError(f"unknown printer URI {uri!r}")
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    common = {
        "paper": paper,
        "timeout": timeout,
        "status_check": _flag(query, "status", False),
        "codepage": query.get("codepage", "cp437"),
        "native_qr": query.get("qr", "native").lower() != "image",
    }
    common.update(options)

    opener = SCHEMES.get(scheme)
    if opener is None:
        raise PrinterConfigError(f"unknown printer URI scheme {scheme!r} in {uri!r} "
                                 f"(known: {', '.join(sorted(SCHEMES))})")
    return opener(uri, parts, query, common)


def _target(parts, what: str, uri: str) -> str:
    """The part after ``scheme://`` (netloc + path, URL-decoded); PrinterConfigError when empty."""
    value = unquote(parts.netloc + parts.path)
    if not value.strip("/"):
        raise PrinterConfigError(f"no {what} in {uri!r}")
    return value


def _open_dummy(uri, parts, query, common) -> ThermalPrinter:
    return DummyPrinter(uri, **common)


def _open_preview(uri, parts, query, common) -> ThermalPrinter:
    folder = unquote(parts.netloc + parts.path)
    if not folder:
        raise PrinterConfigError("preview:// needs a folder, e.g. preview://previews")
    return PreviewPrinter(Path(folder), uri, **common)


def _open_tcp(uri, parts, query, common) -> ThermalPrinter:
    host = parts.hostname
    if not host:
        raise PrinterConfigError(f"no host in {uri!r}")
    try:
        port = parts.port or 9100
    except ValueError:
        raise PrinterConfigError(f"bad port in {uri!r}") from None
    return EscposPrinter(_network_factory(host, port, common["timeout"]), uri, **common)


def _open_usb(uri, parts, query, common) -> ThermalPrinter:
    ids = (parts.netloc or parts.path.strip("/")).split(":")
    if len(ids) != 2:
        raise PrinterConfigError(f"usb URI must be usb://VID:PID (hex), got {uri!r}")
    vid, pid = (_int(x, "USB id", 16) for x in ids)
    in_ep = _int(query.get("in_ep", "0x82"), "in_ep", 0)
    out_ep = _int(query.get("out_ep", "0x01"), "out_ep", 0)
    return EscposPrinter(_usb_factory(vid, pid, in_ep, out_ep, common["timeout"]), uri, **common)


def _open_serial(uri, parts, query, common) -> ThermalPrinter:
    device = _target(parts, "device", uri)
    baudrate = _int(query.get("baudrate", "9600"), "baudrate")
    return EscposPrinter(_serial_factory(device, baudrate, common["timeout"]), uri, **common)


def _open_file(uri, parts, query, common) -> ThermalPrinter:
    return EscposPrinter(_file_factory(_target(parts, "path", uri)), uri, **common)


def _open_cups(uri, parts, query, common) -> ThermalPrinter:
    queue = unquote(parts.netloc + parts.path).strip("/")
    if not queue:
        raise PrinterConfigError(f"no queue in {uri!r}")
    return EscposPrinter(_cups_factory(queue), uri, **common)


#: Printer URI scheme → opener ``(uri, split URI, query dict, common options) -> ThermalPrinter``.
#: A new driver is one opener and one line here.
SCHEMES = {
    "dummy": _open_dummy,
    "preview": _open_preview,
    "tcp": _open_tcp,
    "usb": _open_usb,
    "serial": _open_serial,
    "file": _open_file,
    "cups": _open_cups,
}


def _network_factory(host: str, port: int, timeout: float):
    def make():
        from escpos.printer import Network
        return Network(host, port=port, timeout=timeout)
    return make


def _usb_factory(vid: int, pid: int, in_ep: int, out_ep: int, timeout: float):
    def make():
        from escpos.printer import Usb
        # pyusb timeouts are milliseconds.
        return Usb(vid, pid, timeout=int(timeout * 1000), in_ep=in_ep, out_ep=out_ep)
    return make


def _serial_factory(device: str, baudrate: int, timeout: float):
    def make():
        from escpos.printer import Serial
        return Serial(devfile=device, baudrate=baudrate, timeout=timeout)
    return make


def _file_factory(path: str):
    def make():
        from escpos.printer import File
        return File(devfile=path)
    return make


def _cups_factory(queue: str):
    def make():
        from escpos.printer import LP, CupsPrinter
        if CupsPrinter.is_usable():
            return CupsPrinter(queue)
        if LP.is_usable():
            return LP(queue)
        raise PrinterConfigError("cups:// needs pycups or the lp command (cups-client)",
                                 code="cups_missing",
                                 message_id="CUPS tidak tersedia di komputer ini.",
                                 message_en="CUPS is not available on this computer.")
    return make
