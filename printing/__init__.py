"""Loket printing library: thermal tickets/slips (python-escpos), PNG previews,
KIA card and report PDFs (reportlab), XLSX recaps (openpyxl).

Takes plain data (:mod:`printing.model`) and never imports Flask, Kivy or
``queue_server``. Entry points:

* :func:`printing.uri.open_printer` -> :class:`printing.thermal.ThermalPrinter`
  (``print_ticket``, ``print_rejection``, ``print_pickup``, ``print_handover``, ``print_ikm``)
* :mod:`printing.card` (``render_card``, ``render_batch``, ``CardOutput``)
* :mod:`printing.reports` and :mod:`printing.xlsx`
* :mod:`printing.cli` (``printer_group``, ``card_group`` for the ``loket`` CLI)
* :mod:`printing.errors` (typed faults with Indonesian/English messages)
"""
