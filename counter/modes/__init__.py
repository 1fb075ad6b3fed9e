"""The counter station's modes, one class each, sharing :class:`counter.session.StationSession`:

* :class:`~counter.modes.loket.LoketMode` — the service counter (call, serve the
  visit's applications, documents check, photo, IKD, other counter steps);
* :class:`~counter.modes.back_office.BackOfficeMode` — the work queue of one
  back-office step (verification, TTE, card print, register, archive, ...);
* :class:`~counter.modes.handover.HandoverMode` — the hand-over counter.

What a step does comes from its ``effect`` in the office file, never from its code.
"""
