"""Command-line options shared by the kiosk, the counter station and the display."""
from __future__ import annotations

import click

from .http import check_ca_file

__all__ = ["ca_file_option"]


def _ca_file(_ctx, _param, value: str | None) -> str | None:
    try:
        return check_ca_file(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


#: ``--ca-file PEM``: the office's certificate authority, for an ``https://`` server
#: behind the office's TLS proxy (docs/deployment.md); also ``LOKET_CA_FILE``.
ca_file_option = click.option(
    "--ca-file", type=click.Path(dir_okay=False, exists=True), default=None, envvar="LOKET_CA_FILE",
    callback=_ca_file,
    help="Office CA certificate (PEM) for an https:// server behind the office's TLS proxy (docs/deployment.md).")
