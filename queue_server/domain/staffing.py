"""How many open counters keep the mean wait under a target: Erlang C (M/M/c).

The head of office asks "how many loket per service tomorrow?" (issue 7 §3). This
module answers with the Erlang C formula of queueing theory, the M/M/c queue:

* arrivals form a Poisson process of rate ``λ`` (citizens per hour), constant within
  each hour of the day (each hour is treated as its own steady state);
* service times are exponential with mean ``1/μ`` (``μ`` visits per hour per counter);
* ``c`` identical counters draw from **one** first-come-first-served queue, nobody
  leaves the queue (no abandonment), the queue has no size limit;
* each service is its own pool of counters (a counter serving several services in
  reality shares its time, so the sum over services is an upper bound).

With the offered load ``a = λ/μ`` (Erlangs) and ``ρ = a/c < 1``::

    C(c, a) = (a^c / c!) · c/(c − a)  /  ( Σ_{k=0}^{c−1} a^k/k!  +  (a^c / c!) · c/(c − a) )
    W_q     = C(c, a) / (c·μ − λ)

``C`` is the probability that an arriving citizen has to wait, ``W_q`` the mean wait in
the queue (in the time unit of the rates). For ``ρ ≥ 1`` the queue grows without bound:
``C = 1`` and ``W_q = ∞``. ``C`` is computed through the Erlang B recursion
``B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1))`` and ``C = c·B / (c − a·(1 − B))``,
which avoids large factorials. Pure Python, no I/O.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping


def _check_rates(servers: int, arrival_rate: float, service_rate: float) -> None:
    if isinstance(servers, bool) or not isinstance(servers, int) or servers < 1:
        raise ValueError(f"servers must be an int >= 1, got {servers!r}")
    if not (math.isfinite(arrival_rate) and arrival_rate >= 0):
        raise ValueError(f"arrival_rate must be a finite number >= 0, got {arrival_rate!r}")
    if not (math.isfinite(service_rate) and service_rate > 0):
        raise ValueError(f"service_rate must be a finite number > 0, got {service_rate!r}")


def erlang_c(servers: int, arrival_rate: float, service_rate: float) -> float:
    """Probability 0..1 that an arrival waits (Erlang C) in an M/M/c queue.

    ``servers`` c ≥ 1 counters; ``arrival_rate`` λ ≥ 0 and ``service_rate`` μ > 0 per
    counter, both in the same unit (e.g. per hour). Returns 1.0 when λ ≥ c·μ (the queue
    is unstable) and 0.0 when λ = 0. Raises ValueError on a bad argument.
    """
    _check_rates(servers, arrival_rate, service_rate)
    a = arrival_rate / service_rate
    if a == 0:
        return 0.0
    if a >= servers:
        return 1.0
    b = 1.0
    for k in range(1, servers + 1):
        b = a * b / (k + a * b)
    return servers * b / (servers - a * (1.0 - b))


def mean_wait(servers: int, arrival_rate: float, service_rate: float) -> float:
    """Mean time in the queue ``W_q = C(c, a) / (c·μ − λ)`` of an M/M/c queue.

    Units: the inverse of the rates' unit (rates per hour give hours). Returns
    ``math.inf`` when λ ≥ c·μ. Raises ValueError on a bad argument.
    """
    _check_rates(servers, arrival_rate, service_rate)
    if arrival_rate >= servers * service_rate:
        return math.inf
    return erlang_c(servers, arrival_rate, service_rate) / (servers * service_rate - arrival_rate)


def servers_needed(arrival_rate: float, service_rate: float, target_mean_wait: float,
                   max_servers: int = 20) -> int | None:
    """Fewest counters c (1..``max_servers``) with ``mean_wait(c, λ, μ) <= target_mean_wait``.

    ``target_mean_wait`` is in the inverse unit of the rates (hours for rates per hour).
    Returns 0 when nobody arrives (λ = 0), None when even ``max_servers`` counters
    cannot reach the target. Raises ValueError for a negative target or bad rates.
    """
    if not (math.isfinite(target_mean_wait) and target_mean_wait >= 0):
        raise ValueError(f"target_mean_wait must be a finite number >= 0, got {target_mean_wait!r}")
    _check_rates(max(max_servers, 1), arrival_rate, service_rate)
    if arrival_rate == 0:
        return 0
    for c in range(1, max_servers + 1):
        if mean_wait(c, arrival_rate, service_rate) <= target_mean_wait:
            return c
    return None


@dataclass(frozen=True)
class StaffingCell:
    """The answer for one service and one hour (office local time).

    ``arrivals_per_hour`` λ expected; ``mean_service_seconds`` 1/μ; ``counters`` the
    counters needed (0 when nobody is expected; ``max_servers`` when the target cannot
    be met, then ``meets_target`` is False); ``mean_wait_seconds`` the expected mean
    wait with that many counters (None when the queue is unstable);
    ``wait_probability`` Erlang C at that count.
    """

    service: str
    hour: int
    arrivals_per_hour: float
    mean_service_seconds: float
    counters: int
    mean_wait_seconds: float | None
    wait_probability: float
    meets_target: bool

    def as_dict(self) -> dict:
        """JSON-friendly form (seconds rounded to 0.1 s)."""
        return {"service": self.service, "hour": self.hour, "arrivals_per_hour": round(self.arrivals_per_hour, 3),
                "mean_service_seconds": round(self.mean_service_seconds, 1), "counters": self.counters,
                "mean_wait_seconds": None if self.mean_wait_seconds is None else round(self.mean_wait_seconds, 1),
                "wait_probability": round(self.wait_probability, 4), "meets_target": self.meets_target}


def staffing_plan(expected_arrivals_per_hour: Mapping[str, Mapping[int, float]],
                  mean_service_seconds: Mapping[str, float], target_wait_seconds: float,
                  *, max_servers: int = 20) -> dict[str, dict[int, StaffingCell]]:
    """Counters needed per service and hour so the mean wait stays ≤ ``target_wait_seconds``.

    ``expected_arrivals_per_hour``: service → {hour 0..23 → expected citizens in that
    hour}; ``mean_service_seconds``: service → mean time at the counter (seconds, > 0).
    Returns service → {hour → :class:`StaffingCell`}, hours sorted. Erlang C (M/M/c)
    with the assumptions in the module docstring. Raises ValueError for a service with
    arrivals but no (or a non-positive) mean service time, or a negative target.
    """
    if not (math.isfinite(target_wait_seconds) and target_wait_seconds >= 0):
        raise ValueError("target_wait_seconds must be a finite number >= 0")
    plan: dict[str, dict[int, StaffingCell]] = {}
    for service, per_hour in expected_arrivals_per_hour.items():
        seconds = mean_service_seconds.get(service)
        if seconds is None or not seconds > 0:
            raise ValueError(f"no positive mean service time for service {service!r}")
        mu = 3600.0 / seconds
        cells: dict[int, StaffingCell] = {}
        for hour in sorted(per_hour):
            lam = float(per_hour[hour])
            needed = servers_needed(lam, mu, target_wait_seconds / 3600.0, max_servers)
            counters = max_servers if needed is None else needed
            if counters == 0:
                cells[hour] = StaffingCell(service, hour, lam, seconds, 0, 0.0, 0.0, True)
                continue
            wait_h = mean_wait(counters, lam, mu)
            cells[hour] = StaffingCell(service, hour, lam, seconds, counters,
                                       None if math.isinf(wait_h) else wait_h * 3600.0,
                                       erlang_c(counters, lam, mu), needed is not None)
        plan[service] = cells
    return plan
