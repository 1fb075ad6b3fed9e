"""The application (berkas) state machine over a service's SOP steps (issue 2 §2).

A berkas moves through the service's *applicable* steps (those whose ``when``
matches the facts; e.g. the KIA photo step only for variant 2, SOP 003 row 4).
``advance`` is a pure function: given where the berkas is and what the officer
recorded (``outcome``), it says where the berkas goes.

States:

* ``AT_STEP``: waiting at or being worked on in ``step_code``;
* ``READY``: waiting at the pickup step: the document is ready for the citizen
  (slip pengambilan; SOP 001 "handed to the UPTD head for pickup");
* ``HANDED_OVER``: finished: handed over to the citizen (receipt signed, SOP 004
  step 7), or, for ``pickup=False`` services (e.g. IKD), finished at the counter;
* ``RETURNED``: incomplete, given back to the citizen (SOP 000 row 2, "returns if
  incomplete"); final for that application, the citizen applies again;
* ``CANCELLED``: withdrawn; final.

Outcomes: ``"done"``, ``"returned"``, ``"cancelled"``.

The **pickup step** of a ``pickup=True`` service is its last applicable counter
step when it is not the first step and only back-office steps follow it (SOP 000:
"hand over" is last; SOP 003 KK: "pick up at distribution counter" is followed by
"scan and archive"). Entering it gives ``READY``; ``done`` there gives
``HANDED_OVER``, and any back-office steps after it (archive) still run with the
state staying ``HANDED_OVER`` and ``step_code`` naming the remaining step.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import InvalidTransition
from .office import CHANNEL_COUNTER, CHANNEL_FACT, PRESENCE_BACK_OFFICE, PRESENCE_COUNTER, Service, Step

__all__ = [
    "AT_STEP", "RETURNED", "READY", "HANDED_OVER", "CANCELLED", "STATES", "FINAL_STATES",
    "DONE", "RETURN", "CANCEL", "OUTCOMES", "Transition", "applicable_steps", "first_step",
    "pickup_step", "advance",
]

AT_STEP = "at_step"
RETURNED = "returned"
READY = "ready_for_pickup"
HANDED_OVER = "handed_over"
CANCELLED = "cancelled"
STATES = (AT_STEP, READY, HANDED_OVER, RETURNED, CANCELLED)
#: States after which no officer action changes the citizen's outcome.
FINAL_STATES = (HANDED_OVER, RETURNED, CANCELLED)

DONE = "done"
RETURN = "returned"
CANCEL = "cancelled"
OUTCOMES = (DONE, RETURN, CANCEL)


@dataclass(frozen=True)
class Transition:
    """Where a berkas goes: ``state`` (one of ``STATES``) and ``step_code``, the step it
    now waits at (``None`` when no step is left: returned, cancelled, or finished)."""

    state: str
    step_code: str | None

    def as_dict(self) -> dict[str, Any]:
        """``{"state", "step_code"}``."""
        return {"state": self.state, "step_code": self.step_code}


def applicable_steps(service: Service, facts: Mapping[str, Any]) -> tuple[Step, ...]:
    """The service's steps whose ``when`` condition matches ``facts`` and that the
    application's channel takes (``facts[CHANNEL_FACT]``: ``counter``, the default, or
    ``online``; a step's ``channel``), in SOP order."""
    channel = facts.get(CHANNEL_FACT) or CHANNEL_COUNTER
    return tuple(step for step in service.steps if step.takes(channel) and step.when.matches(facts))


def _no_steps(service: Service) -> InvalidTransition:
    return InvalidTransition(
        "no_applicable_steps",
        f"Layanan {service.code} tidak punya langkah yang berlaku untuk permohonan ini.",
        f"Service {service.code} has no step that applies to this application.",
        {"service": service.code},
    )


def first_step(service: Service, facts: Mapping[str, Any]) -> Step:
    """The first applicable step: where a new berkas starts (state ``AT_STEP``).

    Raises ``InvalidTransition`` (``no_applicable_steps``) when no step applies.
    """
    steps = applicable_steps(service, facts)
    if not steps:
        raise _no_steps(service)
    return steps[0]


def _pickup_index(service: Service, steps: tuple[Step, ...]) -> int | None:
    if not service.pickup:
        return None
    for index in range(len(steps) - 1, 0, -1):
        if steps[index].presence == PRESENCE_COUNTER:
            return index
    return None


def pickup_step(service: Service, facts: Mapping[str, Any]) -> Step | None:
    """The pickup step (module docstring) for these facts, or ``None`` (``pickup=False``
    services, or no counter step after the first)."""
    steps = applicable_steps(service, facts)
    index = _pickup_index(service, steps)
    return None if index is None else steps[index]


def advance(service: Service, facts: Mapping[str, Any], current_step_code: str, outcome: str) -> Transition:
    """The transition when the officer records ``outcome`` at ``current_step_code``.

    * ``"done"``: to the next applicable step (``AT_STEP``), or ``READY`` when the
      next step is the pickup step; at the pickup step or the last step:
      ``HANDED_OVER`` (with the next back-office step, if any remain after pickup).
    * ``"returned"``: at a counter step ``RETURNED`` (incomplete, given back to the
      citizen); at a back-office step back to the previous applicable step
      (``AT_STEP``; a file returned by the verifier goes back to the operator), or
      ``RETURNED`` when there is no previous step.
    * ``"cancelled"``: ``CANCELLED``.

    After hand-over (back-office steps following the pickup step) only ``"done"``
    is allowed. Raises ``InvalidTransition``: ``unknown_step`` (not an applicable
    step for these facts), ``unknown_outcome``, ``already_handed_over``.
    """
    steps = applicable_steps(service, facts)
    codes = [s.code for s in steps]
    if current_step_code not in codes:
        raise InvalidTransition(
            "unknown_step",
            f"Langkah '{current_step_code}' tidak berlaku untuk permohonan {service.code} ini.",
            f"Step '{current_step_code}' does not apply to this {service.code} application.",
            {"service": service.code, "step": current_step_code, "steps": codes},
        )
    if outcome not in OUTCOMES:
        raise InvalidTransition(
            "unknown_outcome",
            f"Hasil '{outcome}' tidak dikenal.",
            f"Unknown outcome '{outcome}'.",
            {"outcome": str(outcome), "outcomes": list(OUTCOMES)},
        )
    index = codes.index(current_step_code)
    step = steps[index]
    pickup = _pickup_index(service, steps)
    after_hand_over = pickup is not None and index > pickup

    if outcome == DONE:
        if index == len(steps) - 1:
            return Transition(HANDED_OVER, None)
        nxt = steps[index + 1]
        if pickup is not None and index >= pickup:
            return Transition(HANDED_OVER, nxt.code)
        if pickup is not None and index + 1 == pickup:
            return Transition(READY, nxt.code)
        return Transition(AT_STEP, nxt.code)

    if after_hand_over:
        raise InvalidTransition(
            "already_handed_over",
            "Dokumen sudah diserahkan: berkas tidak dapat dikembalikan atau dibatalkan.",
            "The document has been handed over: the berkas cannot be returned or cancelled.",
            {"service": service.code, "step": step.code, "outcome": outcome},
        )
    if outcome == CANCEL:
        return Transition(CANCELLED, None)
    # outcome == RETURN
    if step.presence == PRESENCE_BACK_OFFICE and index > 0:
        return Transition(AT_STEP, steps[index - 1].code)
    return Transition(RETURNED, None)
