"""click command groups for the ``loket`` CLI (the integrator mounts them):

    loket printer test URI [--paper 58|80] [--lang id|en] [--timeout S]
        prints one sample of every thermal layout (ticket, rejection slip, pickup
        slip, hand-over receipt, IKM invitation); ``preview://DIR`` writes PNGs.
    loket card sample --variant 1|2 --out FILE.pdf [--batch N]
        writes a sample KIA PDF (ID-1 front+back, or an A4 batch of N cards).

Printer faults end with exit code 1 and the Indonesian/English message.
"""
from __future__ import annotations

from pathlib import Path

import click

from . import samples
from .card import render_batch, render_card
from .errors import PrinterError
from .uri import open_printer


@click.group("printer")
def printer_group() -> None:
    """Thermal printers (ESC/POS) for tickets, slips and receipts."""


@printer_group.command("test")
@click.argument("uri")
@click.option("--paper", type=click.Choice(["58", "80"]), default="80", show_default=True,
              help="Paper width in mm (58 = 32 columns, 80 = 48 columns).")
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.option("--timeout", type=float, default=5.0, show_default=True, help="Seconds per job.")
def printer_test(uri: str, paper: str, lang: str, timeout: float) -> None:
    """Print one sample of every layout on the printer at URI
    (tcp://HOST:9100, usb://VID:PID, serial:///dev/ttyUSB0, file:///dev/usb/lp0,
    cups://QUEUE, preview://DIR, dummy://)."""
    try:
        printer = open_printer(uri, paper=int(paper), timeout=timeout)
        jobs = [
            printer.print_ticket(samples.sample_ticket(lang)),
            printer.print_rejection(samples.sample_rejection(lang)),
            printer.print_pickup(samples.sample_pickup(lang)),
            printer.print_handover(samples.sample_handover(lang)),
            printer.print_ikm(samples.sample_ikm(lang)),
        ]
    except PrinterError as exc:
        raise click.ClickException(f"{exc.message(lang)} [{exc.code}] {exc.detail}".strip()) from exc
    for job in jobs:
        where = f" -> {job.path}" if job.path else ""
        click.echo(f"{job.name}: {job.size_bytes} bytes{where}")


@click.group("card")
def card_group() -> None:
    """KIA card PDFs."""


@card_group.command("sample")
@click.option("--variant", type=click.Choice(["1", "2"]), default="2", show_default=True,
              help="1: age under 5, no photo; 2: age 5 to under 17, with photo.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="PDF file to write.")
@click.option("--batch", type=click.IntRange(min=0), default=0,
              help="Write an A4 print-run sheet of this many cards instead of one card.")
def card_sample(variant: str, out: Path, batch: int) -> None:
    """Write a sample KIA PDF (fictitious data) to --out."""
    card = samples.sample_card(int(variant))
    pdf = render_batch([card] * batch) if batch else render_card(card)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(pdf)
    click.echo(f"{out}: {len(pdf)} bytes")


__all__ = ["printer_group", "card_group"]
