"""The head of office's reports from the database (issue 7 §3).

:func:`daily_report` reads one office day (office local time, see ``context``) and
returns the ``printing.model`` objects the renderers take (``DailyRecap``,
``DistributionRecap``, the Register KIA rows) plus a JSON-friendly dict with the
figures the printed recap has no room for. :func:`staffing_for` answers "how many open
counters per service and hour tomorrow" with Erlang C (``domain.staffing``).

Definitions (all durations in **seconds**):

* *tickets per service and hour*: tickets issued that day by their first service
  (``origin_service``) and the hour of ``issued_at`` in the office's zone;
* *waiting time*: issued → the ticket's first ``call`` (``CallLog``), by first service;
* *service time*: a ``call`` → the same counter's next ``finish``/``transfer``/
  ``skip``/``no_show`` of that ticket (``CallLog``), by the service called; a
  ``recall`` does not end it;
* *lateness per SOP step* (kartu kendali, SOP 001): rows ended that day; duration
  ``ended − arrived`` against the row's mutu baku (the office file's step mutu baku
  when the row has none), waiting part ``started − arrived``. At the pickup step
  (the last counter step of a service with a document, ``domain.workflow``) the time
  before the citizen comes is the citizen's, so its duration is ``ended − started``
  and files waiting there count as *uncollected*, not as waiting at the step;
  ``waiting_now`` counts berkas that arrived at a step before the day's end and were
  not finished by then;
* *per officer*: kartu kendali steps closed by the officer (actions, mean/median of
  ``ended − started``, share over the mutu baku) and the counters they called at;
* *uncollected*: documents ready for pickup (state ``ready_for_pickup``) that became
  ready before the day's end, as the database stands now;
* *returned files*: kartu kendali rows ended that day with outcome ``returned``;
* *no-shows*: tickets of the day with status ``no_show``: skipped for good, or still
  waiting when the office day ended (``tickets.close_past_days``); *unfinished*: still
  at a counter when the day ended (their open call is not a service time).

Percentiles use ``printing.model.percentile`` (linear, "inclusive" method).
"""
from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from printing.model import (DailyRecap, DistributionRecap, DistributionRow, OfficerStat, RegisterRow,
                            ServiceTimes, StepLateness, percentile)

from .db.models import (Application, CallLog, CardPrint, DistributionBatch, Handover, IkmResponse, KartuKendali,
                        RegisterEntry, Ticket)
from .domain import workflow
from .domain.errors import DomainError
from .domain.ikm import ikm_score
from .domain.kia import kia_decision
from .domain.nik import parse_nik
from .domain.office import PRESENCE_COUNTER, Office, Service
from .domain.staffing import StaffingCell, staffing_plan

#: CallLog actions that end a counter's service of a called ticket.
END_ACTIONS = ("finish", "transfer", "skip", "no_show")
#: Weeks of history (same weekday) behind tomorrow's expected arrivals.
HISTORY_WEEKS = 4


def day_bounds(office: Office, day: date) -> tuple[float, float]:
    """UTC epoch seconds ``[start, end)`` of the office's local ``day`` (its zone's midnights)."""
    zone = ZoneInfo(office.timezone)
    start = datetime.combine(day, time(0), tzinfo=zone).timestamp()
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).timestamp()
    return start, end


def _local(office: Office, epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=ZoneInfo(office.timezone))


def _pct(samples: list[float], q: float) -> float | None:
    return percentile(samples, q) if samples else None


def _r(value: float | None, nd: int = 1) -> float | None:
    return None if value is None else round(value, nd)


def _stats(samples: list[float]) -> dict:
    return {"count": len(samples), "mean": _r(statistics.fmean(samples)) if samples else None,
            "p50": _r(_pct(samples, 50)), "p90": _r(_pct(samples, 90))}


def pickup_step_code(service: Service) -> str | None:
    """Code of the service's pickup step: the last counter step after the first
    (``domain.workflow``), None for a service without a document to collect."""
    if not service.pickup:
        return None
    for index in range(len(service.steps) - 1, 0, -1):
        if service.steps[index].presence == PRESENCE_COUNTER:
            return service.steps[index].code
    return None


def _service_name(office: Office, code: str, lang: str) -> str:
    try:
        return office.service(code).name.get(lang)
    except KeyError:
        return code


def _step_name(office: Office, service: str, step: str, lang: str) -> str:
    try:
        return office.service(service).step(step).name.get(lang)
    except KeyError:
        return step


@dataclass(frozen=True)
class DailyReport:
    """One office day: ``recap`` and ``distribution`` for ``printing.reports``/``xlsx``,
    ``register`` (Register KIA rows registered that day) and ``data`` (JSON-friendly)."""

    recap: DailyRecap
    distribution: DistributionRecap
    register: list[RegisterRow]
    data: dict


# --------------------------------------------------------------------------- counter flow

def _tickets_per_hour(office: Office, day: date) -> dict[str, dict[int, int]]:
    rows = (Ticket.select(Ticket.origin_service, Ticket.issued_at)
            .where((Ticket.office == office.code) & (Ticket.office_day == day.isoformat())).tuples())
    out: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for service, issued_at in rows:
        out[service][_local(office, issued_at).hour] += 1
    return {s: dict(sorted(h.items())) for s, h in sorted(out.items())}


def _counter_flow(office: Office, day: date) -> dict:
    """Waits, service intervals and no-shows from the day's tickets and CallLog rows."""
    key = day.isoformat()
    tickets = {tid: (origin, issued, status) for tid, origin, issued, status in
               Ticket.select(Ticket.id, Ticket.origin_service, Ticket.issued_at, Ticket.status)
               .where((Ticket.office == office.code) & (Ticket.office_day == key)).tuples()}
    logs = (CallLog.select(CallLog.ticket, CallLog.counter, CallLog.service, CallLog.action, CallLog.officer,
                           CallLog.at)
            .where((CallLog.office == office.code) & (CallLog.office_day == key))
            .order_by(CallLog.at, CallLog.id).tuples())
    first_call: dict[int, float] = {}
    open_calls: dict[int, tuple[str, str, str, float]] = {}
    services: list[tuple[str, str, str, float]] = []  # (service, counter, officer, seconds)
    for tid, counter, service, action, officer, at in logs:
        if action == "call":
            first_call.setdefault(tid, at)
            open_calls[tid] = (service, counter or "", officer or "", at)
        elif action in END_ACTIONS and tid in open_calls:
            sv, ctr, off, called = open_calls.pop(tid)
            services.append((sv, ctr, off, at - called))
    waits: dict[str, list[float]] = defaultdict(list)
    for tid, called in first_call.items():
        if tid in tickets:
            waits[tickets[tid][0]].append(called - tickets[tid][1])
    no_shows: dict[str, int] = defaultdict(int)
    unfinished = 0
    for origin, _, status in tickets.values():
        if status == "no_show":
            no_shows[origin] += 1
        unfinished += status == "unfinished"
    return {"waits": waits, "services": services, "no_shows": no_shows, "unfinished": unfinished,
            "uncalled": sum(1 for tid in tickets if tid not in first_call)}


# --------------------------------------------------------------------------- kartu kendali

def _kartu_kendali(office: Office, start: float, end: float) -> tuple[list, dict]:
    """Rows ended in ``[start, end)`` as tuples, and open counts per (service, step) at ``end``."""
    # "step IN (...)" lets SQLite use the (office, step, ended_at) index for the time range
    steps = sorted({st.code for sv in office.services for st in sv.steps})
    here = (KartuKendali.office == office.code) & KartuKendali.step.in_(steps)
    ended = list(KartuKendali.select(KartuKendali.step, KartuKendali.officer, KartuKendali.arrived_at,
                                     KartuKendali.started_at, KartuKendali.ended_at, KartuKendali.outcome,
                                     KartuKendali.mutu_baku_seconds, Application.service)
                 .join(Application)
                 .where(here & (KartuKendali.ended_at >= start) & (KartuKendali.ended_at < end)).tuples())
    # files waiting at the pickup step are uncollected documents, not counted here
    working = sorted({st.code for sv in office.services for st in sv.steps if st.code != pickup_step_code(sv)})
    waiting: dict[tuple[str, str], int] = defaultdict(int)
    for still_open in (KartuKendali.ended_at.is_null(), KartuKendali.ended_at >= end):
        rows = (KartuKendali.select(Application.service, KartuKendali.step).join(Application)
                .where((KartuKendali.office == office.code) & KartuKendali.step.in_(working) & still_open &
                       (KartuKendali.arrived_at < end)).tuples())
        for service, step in rows:
            waiting[(service, step)] += 1
    return ended, waiting


def _mutu_baku(office: Office, service: str, step: str, stored: float | None) -> float | None:
    if stored:
        return stored
    try:
        return office.service(service).step(step).mutu_baku_seconds
    except KeyError:
        return None


def _lateness(office: Office, ended: list, waiting: dict,
              lang: str = "id") -> tuple[list[StepLateness], list[dict], dict]:
    pickup = {s.code: pickup_step_code(s) for s in office.services}
    groups: dict[tuple[str, str], list] = defaultdict(list)
    officers: dict[str, list] = defaultdict(list)
    for step, officer, arrived, started, ended_at, outcome, mutu, service in ended:
        at_pickup = pickup.get(service) == step
        began = started if started is not None else arrived
        duration = ended_at - began if at_pickup else ended_at - arrived
        wait_part = 0.0 if at_pickup else began - arrived
        mb = _mutu_baku(office, service, step, mutu)
        late = mb is not None and duration > mb
        groups[(service, step)].append((duration, wait_part, late, mb, outcome))
        officers[officer or "-"].append((ended_at - began, late, mb is not None))
    order = {(s.code, st.code): (i, j) for i, s in enumerate(office.services) for j, st in enumerate(s.steps)}
    keys = set(groups) | {k for k, n in waiting.items() if n and pickup.get(k[0]) != k[1]}
    steps, rows = [], []
    for key in sorted(keys, key=lambda k: order.get(k, (999, 999))):
        service, step = key
        items = groups.get(key, [])
        durations = [d for d, *_ in items]
        waits = [w for _, w, *_ in items]
        late = sum(1 for _, _, lt, *_ in items if lt)
        mb = _mutu_baku(office, service, step, next((m for *_, m, _ in items if m), None))
        waiting_now = 0 if pickup.get(service) == step else waiting.get(key, 0)
        returned = sum(1 for *_, o in items if o == "returned")
        rows.append({"service": service, "step": step, "step_name": _step_name(office, service, step, lang),
                     "mutu_baku_seconds": mb, "count": len(items),
                     "mean_seconds": _r(statistics.fmean(durations)) if durations else None,
                     "p50_seconds": _r(_pct(durations, 50)), "p90_seconds": _r(_pct(durations, 90)),
                     "mean_waiting_seconds": _r(statistics.fmean(waits)) if waits else None,
                     "late": late, "late_share": round(late / len(items), 4) if items else 0.0,
                     "waiting_now": waiting_now, "returned": returned, "pickup_step": pickup.get(service) == step})
        if mb is not None:
            steps.append(StepLateness(service=service, step=step, mutu_baku_seconds=mb,
                                      median_seconds=_pct(durations, 50) or 0.0,
                                      p90_seconds=_pct(durations, 90) or 0.0, count=len(items), late=late,
                                      waiting_now=waiting_now))
    return steps, rows, officers


# --------------------------------------------------------------------------- documents

def _kecamatan_names(office: Office) -> dict[str, str]:
    return {k.code: k.name for k in office.kecamatan}


def _office_apps(office: Office):
    return (Application.office == office.code) | (Application.pickup_office == office.code)


def uncollected_count(office: Office, end: float) -> int:
    """Documents of (or to be collected at) ``office`` ready before ``end`` and not handed over."""
    return (Application.select().where(_office_apps(office) & (Application.state == workflow.READY) &
                                       (Application.step_arrived_at < end)).count())


def distribution_recap(office: Office, date_from: date, date_to: date) -> DistributionRecap:
    """Cards/documents printed ``date_from``..``date_to`` (office local days, inclusive),
    one row per application (its latest print), grouped by the applicant's kecamatan
    (SOP 001). ``collected`` when a hand-over (tanda terima) exists. Raises ValueError
    when ``date_to < date_from``."""
    if date_to < date_from:
        raise ValueError("date_to must not be before date_from")
    start, _ = day_bounds(office, date_from)
    _, end = day_bounds(office, date_to)
    names = _kecamatan_names(office)
    in_range = _office_apps(office) & (CardPrint.printed_at >= start) & (CardPrint.printed_at < end)
    prints = (CardPrint.select(CardPrint.printed_at, Application.id, Application.kecamatan_code, Application.code,
                               Application.applicant_name, Application.nik, Application.service, Application.batch)
              .join(Application).where(in_range).order_by(CardPrint.printed_at).tuples())
    latest = {row[1]: row for row in prints}  # the latest print of each application
    handed = {a for (a,) in Handover.select(Handover.application).join(Application)
              .join(CardPrint, on=(CardPrint.application == Application.id)).where(in_range).tuples()}
    batch_ids = {row[7] for row in latest.values() if row[7] is not None}
    # "to UPTD": the day the pickup office confirmed the batch arrived (SOP 001 row 5)
    received = {b: at for b, at in DistributionBatch.select(DistributionBatch.id, DistributionBatch.received_at)
                .where(DistributionBatch.id.in_(list(batch_ids)) & DistributionBatch.received_at.is_null(False))
                .tuples()} if batch_ids else {}
    rows = tuple(DistributionRow(kecamatan=names.get(kec, kec or "-"), application_code=code, name=name, nik=nik,
                                 document=service, printed_on=_local(office, at).date(), collected=app_id in handed,
                                 handed_to_uptd_on=_local(office, received[batch]).date() if batch in received else None)
                 for at, app_id, kec, code, name, nik, service, batch in latest.values())
    return DistributionRecap(office_name=office.name, date_from=date_from, date_to=date_to, rows=rows)


def batch_recap(office: Office, batch) -> DistributionRecap:
    """The printed list of one distribution batch (SOP 001 rows 4-5): its documents
    grouped by the applicant's kecamatan, each with its print date and the day the
    pickup office confirmed the batch."""
    names = _kecamatan_names(office)
    apps = list(Application.select().where(Application.batch == batch.id).order_by(Application.id))
    printed = {a: at for a, at in CardPrint.select(CardPrint.application, CardPrint.printed_at)
               .where(CardPrint.application.in_([a.id for a in apps])).order_by(CardPrint.printed_at).tuples()} \
        if apps else {}
    handed = {a for (a,) in Handover.select(Handover.application)
              .where(Handover.application.in_([a.id for a in apps])).tuples()} if apps else set()
    received = _local(office, batch.received_at).date() if batch.received_at else None
    rows = tuple(DistributionRow(kecamatan=names.get(a.kecamatan_code, a.kecamatan_code or "-"),
                                 application_code=a.code, name=a.applicant_name, nik=a.nik, document=a.service,
                                 printed_on=_local(office, printed.get(a.id, batch.created_at)).date(),
                                 collected=a.id in handed, handed_to_uptd_on=received) for a in apps)
    day = _local(office, batch.created_at).date()
    return DistributionRecap(office_name=office.name, date_from=day, date_to=day, rows=rows)


def register_rows(office: Office, date_from: date, date_to: date) -> list[RegisterRow]:
    """Register KIA rows (SOP 000 records) registered ``date_from``..``date_to`` (local
    days, inclusive), by register number (numbered per service: no gaps). Sex as on
    the berkas (from the NIK when never set), variant from the age on the application
    date (``domain.kia``, Permendagri 2/2016); birth place and No. KK as the card
    printed them (the card data typed at the print step). Raises ValueError when
    ``date_to < date_from``."""
    if date_to < date_from:
        raise ValueError("date_to must not be before date_from")
    start, _ = day_bounds(office, date_from)
    _, end = day_bounds(office, date_to)
    in_range = ((RegisterEntry.office == office.code) &
                RegisterEntry.year.in_(list(range(date_from.year, date_to.year + 1))) &
                (RegisterEntry.registered_at >= start) & (RegisterEntry.registered_at < end))
    kia = [sv.code for sv in office.services if sv.rules == "kia"] or ["KIA"]
    entries = list(RegisterEntry.select(RegisterEntry.number, RegisterEntry.registered_at, Application.id,
                                        Application.code, Application.nik, Application.applicant_name,
                                        Application.birth_date, Application.answers, Application.kecamatan_code,
                                        Application.outcome_note, Application.sex, Application.card_data,
                                        Application.created_at)
                   .join(Application).where(in_range & Application.service.in_(kia))
                   .order_by(RegisterEntry.year, RegisterEntry.number).tuples())
    printed: dict[int, float] = {}
    handovers: dict[int, tuple[float, str]] = {}
    for app_id, at in (CardPrint.select(CardPrint.application, CardPrint.printed_at).join(Application)
                       .join(RegisterEntry, on=(RegisterEntry.application == Application.id))
                       .where(in_range).order_by(CardPrint.printed_at).tuples()):
        printed[app_id] = at
    for app_id, at, who in (Handover.select(Handover.application, Handover.at, Handover.received_by)
                            .join(Application).join(RegisterEntry, on=(RegisterEntry.application == Application.id))
                            .where(in_range).order_by(Handover.at.desc()).tuples()):
        handovers[app_id] = (at, who)  # the first hand-over wins (descending order)
    names = _kecamatan_names(office)
    rows = []
    for (number, registered_at, app_id, code, nik_text, name, birth_text, answers, kec, note, sex, card,
         created_at) in entries:
        answers, card = answers or {}, card or {}
        issued = _local(office, printed.get(app_id, registered_at)).date()
        filed = _local(office, created_at).date()
        nik = parse_nik(nik_text, today=issued) if nik_text else None
        raw_birth = birth_text or answers.get("birth_date")
        birth = date.fromisoformat(raw_birth) if raw_birth else (nik.birth_date if nik else None)
        if birth is None:
            birth = filed
        try:
            variant = kia_decision(birth, filed).variant
        except DomainError:  # a birth date after the issue date or age 17+: still one register line
            variant = 2
        h = handovers.get(app_id)
        rows.append(RegisterRow(no=number, issued_on=issued, application_code=code, nik=nik_text, name=name,
                                sex=sex or (nik.sex if nik and nik.sex else ""),
                                birth_place=str(card.get("birth_place", "")), birth_date=birth,
                                kk_number=str(card.get("kk_number", "")), variant=variant,
                                kecamatan=names.get(kec, kec),
                                handed_over_on=_local(office, h[0]).date() if h else None,
                                received_by=h[1] if h else "", note=note))
    return rows


# --------------------------------------------------------------------------- the day

def daily_report(office: Office, day: date, *, lang: str = "id") -> DailyReport:
    """Everything the head of office reads about ``day`` (the office's local date).

    Returns a :class:`DailyReport`; figures as defined in the module docstring. ``lang``
    ("id"/"en") names the services in ``data``. Reads only; no errors for a day without
    data (all counts 0, percentiles None in ``data``, 0 in the recap).
    """
    start, end = day_bounds(office, day)
    tickets = _tickets_per_hour(office, day)
    flow = _counter_flow(office, day)
    service_samples: dict[str, list[float]] = defaultdict(list)
    counters_of: dict[str, set[str]] = defaultdict(set)
    counter_work: dict[str, list[float]] = defaultdict(list)
    for sv, ctr, off, seconds in flow["services"]:
        service_samples[sv].append(seconds)
        counters_of[off].add(ctr)
        counter_work[off].append(seconds)
    codes = [s.code for s in office.services
             if s.code in tickets or s.code in flow["waits"] or s.code in service_samples]
    times = tuple(ServiceTimes.from_samples(c, flow["waits"].get(c, []), service_samples.get(c, [])) for c in codes)

    ended, waiting = _kartu_kendali(office, start, end)
    steps, step_rows, officer_items = _lateness(office, ended, waiting, lang)
    officers, officer_rows = [], []
    for name in sorted(set(officer_items) | set(counter_work)):
        items = officer_items.get(name, [])
        durations = [d for d, _, _ in items]
        late = sum(1 for _, lt, _ in items if lt)
        counters = ",".join(sorted(c for c in counters_of.get(name, ()) if c))
        officers.append(OfficerStat(officer=name, counter=counters, served=len(items),
                                    median_service_seconds=_pct(durations, 50) or 0.0))
        officer_rows.append({"officer": name, "counters": counters, "actions": len(items),
                             "mean_seconds": _r(statistics.fmean(durations)) if durations else None,
                             "median_seconds": _r(_pct(durations, 50)), "late": late,
                             "late_share": round(late / len(items), 4) if items else 0.0,
                             "counter_services": len(counter_work.get(name, [])),
                             "counter_mean_seconds": _r(statistics.fmean(counter_work[name]))
                             if counter_work.get(name) else None})

    answers = [r for (r,) in IkmResponse.select(IkmResponse.answers)
               .where((IkmResponse.office == office.code) & (IkmResponse.office_day == day.isoformat())).tuples()]
    ikm = ikm_score(answers) if answers else None
    uncollected = uncollected_count(office, end)
    recap = DailyRecap(office_name=office.name, day=day, zone=office.zone_abbreviation, tickets=tickets,
                       times=times, lateness=tuple(steps), officers=tuple(officers),
                       no_shows=sum(flow["no_shows"].values()), uncollected=uncollected,
                       ikm_score=ikm.converted if ikm else None,
                       ikm_category=f"{ikm.category} ({ikm.label})" if ikm else None,
                       ikm_respondents=ikm.respondents if ikm else 0)
    distribution = distribution_recap(office, day, day)
    register = register_rows(office, day, day)
    worst = recap.worst_step()
    returned: dict[str, int] = defaultdict(int)
    for r in step_rows:
        returned[r["service"]] += r["returned"]
    by_kecamatan: dict[str, int] = defaultdict(int)
    for row in distribution.rows:
        by_kecamatan[row.kecamatan] += 1
    data = {
        "office": office.code, "office_name": office.name, "date": day.isoformat(), "zone": office.zone_abbreviation,
        "tickets": {"total": sum(recap.tickets_per_service().values()), "per_service": recap.tickets_per_service(),
                    "per_hour": recap.tickets_per_hour(),
                    "per_service_hour": {s: {str(h): n for h, n in hs.items()} for s, hs in tickets.items()},
                    "never_called": flow["uncalled"]},
        "services": [{"service": c, "name": _service_name(office, c, lang),
                      "wait_seconds": _stats(flow["waits"].get(c, [])),
                      "service_seconds": _stats(service_samples.get(c, [])),
                      "no_shows": flow["no_shows"].get(c, 0), "returned": returned.get(c, 0)} for c in codes],
        "no_shows": recap.no_shows, "returned": sum(returned.values()),
        # tickets still at a counter when the office day ended (closed at midnight)
        "unfinished": flow["unfinished"],
        "steps": step_rows,
        "latest_step": None if worst is None else {"service": worst.service, "step": worst.step,
                                                   "step_name": _step_name(office, worst.service, worst.step, lang),
                                                   "late": worst.late, "count": worst.count,
                                                   "late_share": round(worst.late_share, 4),
                                                   "waiting_now": worst.waiting_now},
        "officers": officer_rows,
        "uncollected": uncollected,
        "distribution": {"printed": len(distribution.rows), "by_kecamatan": dict(sorted(by_kecamatan.items()))},
        "ikm": ikm.as_dict() if ikm else {"respondents": 0},
        "register": [_register_dict(r) for r in register],
    }
    return DailyReport(recap=recap, distribution=distribution, register=register, data=data)


def _register_dict(r: RegisterRow) -> dict:
    return {"no": r.no, "issued_on": r.issued_on.isoformat(), "application_code": r.application_code, "nik": r.nik,
            "name": r.name, "sex": r.sex, "birth_place": r.birth_place, "birth_date": r.birth_date.isoformat(),
            "kk_number": r.kk_number, "variant": r.variant, "kecamatan": r.kecamatan,
            "handed_over_on": r.handed_over_on.isoformat() if r.handed_over_on else None,
            "received_by": r.received_by, "note": r.note}


def register_dicts(rows: list[RegisterRow]) -> list[dict]:
    """JSON-friendly form of Register rows (dates ISO)."""
    return [_register_dict(r) for r in rows]


def distribution_dict(recap: DistributionRecap) -> dict:
    """JSON-friendly form of a distribution recap, grouped by kecamatan."""
    return {"office_name": recap.office_name, "from": recap.date_from.isoformat(), "to": recap.date_to.isoformat(),
            "groups": [{"kecamatan": k, "count": len(rows),
                        "rows": [{"application_code": r.application_code, "name": r.name, "nik": r.nik,
                                  "document": r.document, "printed_on": r.printed_on.isoformat(),
                                  "handed_to_uptd_on": r.handed_to_uptd_on.isoformat() if r.handed_to_uptd_on else None,
                                  "collected": r.collected} for r in rows]}
                       for k, rows in recap.groups()]}


# --------------------------------------------------------------------------- staffing

def _mean_service_seconds(office: Office, days: list[date]) -> dict[str, float]:
    """Measured mean counter service time per service (finish/transfer only) over ``days``."""
    keys = [d.isoformat() for d in days]
    logs = (CallLog.select(CallLog.ticket, CallLog.service, CallLog.action, CallLog.at)
            .where((CallLog.office == office.code) & (CallLog.office_day.in_(keys)) &
                   (CallLog.action.in_(("call", "finish", "transfer"))))
            .order_by(CallLog.at, CallLog.id).tuples())
    open_calls: dict[int, tuple[str, float]] = {}
    samples: dict[str, list[float]] = defaultdict(list)
    for tid, service, action, at in logs:
        if action == "call":
            open_calls[tid] = (service, at)
        elif tid in open_calls:
            service0, called = open_calls.pop(tid)
            samples[service0].append(at - called)
    return {s: statistics.fmean(v) for s, v in samples.items() if v and statistics.fmean(v) > 0}


def _first_counter_mutu_baku(service: Service) -> float:
    for step in service.steps:
        if step.presence == PRESENCE_COUNTER and step.mutu_baku_seconds:
            return step.mutu_baku_seconds
    return 300.0


def expected_arrivals(office: Office, day: date) -> tuple[dict[str, dict[int, float]], list[date]]:
    """Expected arrivals per service and hour for the day after ``day``: the mean over
    the same weekday in the last up to :data:`HISTORY_WEEKS` weeks that had tickets,
    or ``day``'s own arrivals when there is no such history. Returns the expectation
    and the days it was taken from."""
    target = day + timedelta(days=1)
    history = [target - timedelta(weeks=k) for k in range(1, HISTORY_WEEKS + 1)]
    history = [d for d in history if d <= day]
    per_day = {d: _tickets_per_hour(office, d) for d in history}
    used = [d for d in history if per_day[d]]
    if not used:
        used = [day]
        per_day = {day: _tickets_per_hour(office, day)}
    total: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for d in used:
        for service, hours in per_day[d].items():
            for hour, n in hours.items():
                total[service][hour] += n / len(used)
    return {s: dict(sorted(h.items())) for s, h in total.items()}, used


def staffing_for(office: Office, day: date, target_wait_seconds: float, *, max_servers: int = 20) -> dict:
    """How many open counters per service and hour keep tomorrow's mean wait at or
    under ``target_wait_seconds`` (Erlang C, M/M/c: see ``domain.staffing`` for the
    assumptions). Arrivals from :func:`expected_arrivals`; mean service time per
    service measured at the counters (call → finish/transfer) on the days used and
    ``day``, else the first counter step's mutu baku (office file, SOP).

    Returns a JSON-friendly dict: ``date`` (tomorrow), ``method``, ``based_on`` days,
    ``target_wait_seconds``, ``services`` [{service, mean_service_seconds,
    service_time_source, peak_counters, hours: [StaffingCell.as_dict()]}].
    Raises ValueError for a negative target.
    """
    arrivals, used = expected_arrivals(office, day)
    measured = _mean_service_seconds(office, sorted(set(used) | {day}))
    means, sources = {}, {}
    for service in arrivals:
        if service in measured:
            means[service], sources[service] = measured[service], "measured"
        else:
            try:
                means[service] = _first_counter_mutu_baku(office.service(service))
            except KeyError:
                means[service] = 300.0
            sources[service] = "mutu_baku"
    plan = staffing_plan(arrivals, means, target_wait_seconds, max_servers=max_servers)
    services = []
    for service, cells in plan.items():
        hours: list[StaffingCell] = list(cells.values())
        services.append({"service": service, "mean_service_seconds": round(means[service], 1),
                         "service_time_source": sources[service],
                         "peak_counters": max((c.counters for c in hours), default=0),
                         "hours": [c.as_dict() for c in hours]})
    return {"date": (day + timedelta(days=1)).isoformat(), "method": "erlang_c",
            "method_note": "Erlang C (M/M/c): Poisson arrivals per hour, exponential service times, "
                           "one FIFO queue per service, no abandonment.",
            "based_on": [d.isoformat() for d in used], "target_wait_seconds": target_wait_seconds,
            "services": services}
