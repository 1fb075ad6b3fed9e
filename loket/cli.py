"""The ``loket`` console script: one command for every part of Loket.

Subcommands are collected from the packages that own them (server, printing, kiosk,
counter stations, display); a part whose optional dependencies are missing does not
stop the others from working.
"""
from __future__ import annotations

import importlib
import logging

import click

#: (module, attribute) pairs holding a click command or a list ``COMMANDS`` of them.
SOURCES = [
    ("queue_server.cli", "COMMANDS"),
    ("queue_server.report_cli", "COMMANDS"),
    ("queue_server.notify_cli", "COMMANDS"),
    ("printing.cli", "printer_group"),
    ("printing.cli", "card_group"),
    ("kiosk.cli", "COMMANDS"),
    ("display.cli", "COMMANDS"),
    ("simulation.cli", "COMMANDS"),
    ("loket.demo", "COMMANDS"),
]


@click.group()
@click.version_option(package_name="loket")
def main():
    """Loket: antrean dan layanan Disdukcapil (kios, loket, layar, cetak)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _register():
    for module, attr in SOURCES:
        try:
            obj = getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as e:  # a part whose dependencies are not installed on this PC
            logging.getLogger(__name__).warning("loket: perintah dari %s tidak tersedia (%s)", module, e)
            continue
        for cmd in obj if isinstance(obj, (list, tuple)) else [obj]:
            main.add_command(cmd)


_register()

if __name__ == "__main__":
    main()
