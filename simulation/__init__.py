"""A simulated working day at a Disdukcapil office through the real HTTP API (issue 7 §2, §4).

``loket simulate`` (:mod:`simulation.cli`) starts a real ``loket serve`` process on an
accelerated clock, lets citizens arrive over opening hours, lets counter and back-office
officers work every SOP step through ``/api/v1``, optionally kills and restarts the
server mid-day, and ends with an accounting of every ticket, application, card and receipt.

Public API (all in :mod:`simulation.day`): :class:`SimConfig`, :func:`run_day`,
:class:`DayResult`, :func:`plan_visits`, :func:`arrival_rate`.
"""
from .day import DayResult, SimConfig, arrival_rate, plan_visits, run_day

__all__ = ["DayResult", "SimConfig", "arrival_rate", "plan_visits", "run_day"]
