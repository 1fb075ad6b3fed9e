"""Which waiting ticket a loket calls next (issue 2 §3-4; UU 25/2009 Pasal 29).

Priority citizens (lansia, people with disabilities, pregnant women, mothers with
infants, disaster victims) are served ahead of others, but neither queue starves:
``QueuePolicy.normal_run`` normal calls between priority ones and at most
``QueuePolicy.priority_run`` priority calls in a row while normal tickets wait.

Rule used by ``choose_next`` (``recent_calls`` = this counter's latest calls, newest
last, True = priority):

1. Each queue is ordered by ``(sort_key, ticket_id)``; ``sort_key`` defaults to
   ``queued_at`` and is set later for a skipped number that comes back.
2. Only one queue has tickets: serve it.
3. Both have tickets: if the history ends with a run of priority calls, serve
   priority while that run is shorter than ``priority_run``, else normal. If it
   ends with normal calls (or is empty), serve priority when there was no
   priority call in the history at all, or when at least ``normal_run`` normal
   calls followed the last priority one; else normal.

With both queues always non-empty and an empty history the calls are
P, N, N, P, N, N, P ... for ``normal_run=2, priority_run=1``: a waiting priority
citizen goes first. A history cut short by the caller only makes priority come
sooner, never later.

4. When the normal queue is served, booked tickets (antrean online checked in at the
   kiosk, issue 12 item 5) and walk-ins alternate by the same rule, with
   ``booked_run`` in place of ``priority_run`` and ``walk_in_run`` in place of
   ``normal_run``, over the history of this counter's normal calls (``recent_booked``,
   True = booked): B, W, B, W ... for 1 and 1. Each lane keeps its own order and
   neither starves; a lane that is empty is simply passed over.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .errors import ValidationError
from .office import QueuePolicy

__all__ = ["WaitingTicket", "choose_next", "next_kind"]


@dataclass(frozen=True)
class WaitingTicket:
    """A ticket waiting for a counter step.

    ``ticket_id`` database id; ``service`` and ``step`` codes; ``priority`` True for
    the priority queue; ``queued_at`` epoch seconds when it joined this step's
    queue; ``sort_key`` position in the queue (epoch seconds; defaults to
    ``queued_at``); ``booked`` True for a ticket checked in from a booking.
    """

    ticket_id: int
    service: str
    step: str
    priority: bool
    queued_at: float
    sort_key: float = field(default=None)  # type: ignore[assignment]
    #: checked in from a booking (the booked lane of the normal queue)
    booked: bool = False

    def __post_init__(self) -> None:
        if self.sort_key is None:
            object.__setattr__(self, "sort_key", self.queued_at)


def _check_policy(policy: QueuePolicy) -> None:
    for name in ("normal_run", "priority_run", "booked_run", "walk_in_run"):
        value = getattr(policy, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValidationError(
                "queue_policy_invalid",
                f"Kebijakan antrean: {name} harus bilangan bulat minimal 1.",
                f"Queue policy: {name} must be an integer of at least 1.",
                {"field": name, "value": str(value)},
            )


def next_kind(recent_calls: Sequence[bool], policy: QueuePolicy) -> bool:
    """Whether the next call should be priority (True) when both queues have tickets.

    ``recent_calls``: this counter's latest calls, newest last, True = priority.
    Raises ``ValidationError`` (``queue_policy_invalid``) when ``normal_run`` or
    ``priority_run`` is not an int >= 1 (with 0 one queue could starve).
    """
    _check_policy(policy)
    return _turn(recent_calls, policy.priority_run, policy.normal_run)


def _turn(recent: Sequence[bool], first_run: int, other_run: int) -> bool:
    """Whether the "first" lane (priority, or booked) is next: rule 3 of the module."""
    trailing = 0
    last_kind: bool | None = recent[-1] if recent else None
    for kind in reversed(recent):
        if bool(kind) != bool(last_kind):
            break
        trailing += 1
    if last_kind:
        return trailing < first_run
    if not any(recent):
        return True
    return trailing >= other_run


def choose_next(
    waiting: Sequence[WaitingTicket],
    recent_calls: Sequence[bool],
    policy: QueuePolicy,
    recent_booked: Sequence[bool] = (),
) -> WaitingTicket | None:
    """The ticket to call next, or ``None`` when nobody waits.

    ``waiting``: the tickets this counter may call (already filtered to the
    service steps it serves); ``recent_calls``: its latest calls, newest last,
    True = priority; ``policy``: the office's ``QueuePolicy``; ``recent_booked``: its
    latest normal (not priority) calls, newest last, True = booked. Rules in the module
    docstring. Raises ``ValidationError`` for an invalid policy.
    """
    _check_policy(policy)
    order = lambda t: (t.sort_key, t.ticket_id)  # noqa: E731
    priority = min((t for t in waiting if t.priority), key=order, default=None)
    booked = min((t for t in waiting if not t.priority and t.booked), key=order, default=None)
    walk_in = min((t for t in waiting if not t.priority and not t.booked), key=order, default=None)
    if booked is None or walk_in is None:
        normal = booked or walk_in
    else:
        normal = booked if _turn(recent_booked, policy.booked_run, policy.walk_in_run) else walk_in
    if priority is None or normal is None:
        return priority or normal
    return priority if next_kind(recent_calls, policy) else normal
