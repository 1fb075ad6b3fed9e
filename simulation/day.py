"""One simulated working day through the real HTTP API of a real server process.

The simulation is a *client*: every action (ticket at the kiosk, call, document check,
photo, SOP step, hand-over, reports) is an HTTP request to ``/api/v1`` of a ``loket
serve`` process running on an accelerated clock (``--clock-start``/``--clock-speed``).
Nothing calls the server's code: the office's hours, services and steps are read over HTTP.

Time: all durations here are **simulated seconds** unless a name ends in ``_real``;
one real second is ``speed`` simulated seconds.

Arrivals (:func:`plan_visits`): a non-homogeneous Poisson process over opening hours
with the intensity :func:`arrival_rate` (a morning peak 08:30–10:30, a smaller one after
13:00), conditioned on the requested number of visits: given their count, the arrival
times of such a process are independent draws from the normalised intensity, drawn here
by thinning (accept a uniform time with probability λ(t)/λmax). Seeded.

Service times: lognormal around each SOP step's mutu baku (median 0.55 × mutu baku,
σ = 0.45: the mutu baku is the SOP's ceiling, most files take less, some take longer),
seeded; steps without a mutu baku take a median of 2 minutes.

Crash (``kill_at``): at that simulated time the server process group gets SIGKILL and is
started again with ``--clock-start`` = the last server time seen. Clients wait for
``/health`` and resume from the state the server reports (tickets are retried with
their idempotency key; other actions are never blindly repeated).
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from datetime import time as clock_time
from zoneinfo import ZoneInfo

from client.protocol import EFFECT_HANDOVER

from .accounting import _account, _reports, _valid_report
from .actors import (
    BACK_OFFICE,
    _back_office,
    _counter,
    _Day,
    _distribution,
    _guarded,
    _killer,
    _kiosk,
    _setup_accounts,
)
from .plan import (
    ADMIN_PASSWORD,
    Application,
    SimConfig,
    Visit,
    arrival_rate,
    plan_visits,
)
from .server import Api, ServerDown, ServerProcess

__all__ = ["ADMIN_PASSWORD", "Application", "DayResult", "ServerDown", "ServerProcess", "SimConfig", "Visit",
           "arrival_rate",
           "format_summary", "plan_visits", "run_day"]

@dataclass
class DayResult:
    """What :func:`run_day` measured and checked.

    ``ok``: the accounting passed; ``problems``: what failed (empty when ok);
    ``summary``: figures (visits, tickets per service, waits in seconds, lateness,
    wall seconds, reports) as written to ``OUT/summary.json``."""

    ok: bool
    problems: list[str]
    summary: dict = field(default_factory=dict)



# --------------------------------------------------------------------------- entry point

def _office_hours(api: Api, office_code: str | None, day: date):
    """(office as ``GET /offices`` gives it, opening and closing time of ``day``, zone),
    read over HTTP. Raises ``ValueError`` when the office is closed that day."""
    data = api.request("GET", "/offices")
    offices = data["offices"]
    code = office_code or data.get("default")
    office = next((o for o in offices if o["code"] == code), offices[0])
    hours = office["opening_hours"][day.weekday()]
    if hours is None:
        raise ValueError(f"{office['code']} is closed on {day.isoformat()}; choose a weekday")
    tz = ZoneInfo(office["timezone"])
    at = [datetime.combine(day, clock_time.fromisoformat(hours[k]), tz) for k in ("opens", "closes")]
    return office, at[0], at[1], tz


def _progress(day: _Day, threads: list[threading.Thread], log) -> None:
    busy = [t.name for t in threads if t.is_alive()]
    log(f"  {datetime.fromtimestamp(day.now(), day.tz):%H:%M} tiket {len(day.by_ticket)}, KIA dicetak "
        f"{len(day.cards)}, diserahkan {len(day.receipts)}; aktif: {', '.join(busy)}"
        + (f"; masalah {len(day.errors)}: {day.errors[-1][:300]}" if day.errors else ""))


def _connect(cfg: SimConfig) -> tuple[SimConfig, Api, ServerProcess | None, dict, datetime, datetime, ZoneInfo]:
    """The server of the day: ``cfg.server`` (the day becomes its office day), or an own
    ``loket serve`` whose first short start tells the office's hours over HTTP and whose
    second runs on the accelerated clock from the opening time. Returns ``(cfg, api,
    own server or None, office, opens, closes, zone)``."""
    if cfg.server:
        cfg = replace(cfg, day=date.fromisoformat(Api(cfg.server).wait_healthy(30)["office_day"]))
        api = Api(cfg.server)
        return (cfg, api, None, *_office_hours(api, cfg.office, cfg.day))
    server = ServerProcess(cfg.data_dir, cfg.speed, cfg.workers)
    server.init()
    server.start(datetime.combine(cfg.day, clock_time(0, 0)).astimezone().isoformat())
    try:
        office, opens, closes, tz = _office_hours(Api(server.url), cfg.office, cfg.day)
    finally:
        server.stop()
    server.start(opens.isoformat())
    return cfg, Api(server.url), server, office, opens, closes, tz


def _kill_epoch(cfg: SimConfig, tz: ZoneInfo) -> float | None:
    """The epoch of ``cfg.kill_at`` (HH:MM on the day), or None."""
    if not cfg.kill_at:
        return None
    hh, mm = (int(x) for x in cfg.kill_at.split(":"))
    return datetime.combine(cfg.day, datetime.min.time().replace(hour=hh, minute=mm), tz).timestamp()


def _learn_services(day: _Day) -> tuple[dict, dict[str, list[str]]]:
    """``GET /services`` (also the mutu baku of every step, into ``day``); returns the
    answer and each service's step codes."""
    svc = day.api.request("GET", "/services", token=day.tokens["op1"])
    for s in svc["services"]:
        for st in s["steps"]:
            day.mutu_baku[(s["code"], st["code"])] = st["mutu_baku_minutes"] * 60 if st["mutu_baku_minutes"] else None
            if st.get("effect") == EFFECT_HANDOVER:
                day.handover_steps[s["code"]] = st["code"]
                day.handover_users[s["code"]] = "distribusi" if st.get("role") == "petugas_distribusi" else "serah"
            elif st.get("presence") == "counter":
                day.counter_steps.add((s["code"], st["code"]))
    return svc, {s["code"]: [st["code"] for st in s["steps"]] for s in svc["services"]}


def _actors(day: _Day, visits: list[Visit], start_epoch: float, kill_epoch: float | None):
    """The day's threads (not started): ``(front: kiosk [+ killer], counters, back office +
    distribution)``."""
    front = [threading.Thread(target=_kiosk, args=(day, visits, start_epoch), name="kiosk")]
    if kill_epoch is not None and day.server is not None:
        front.append(threading.Thread(target=_killer, args=(day, kill_epoch), name="killer"))
    counters = [threading.Thread(target=_counter, args=(day, str(n), f"op{n}"), name=f"loket{n}") for n in (1, 2, 3, 4)]
    day.back_threads = [threading.Thread(target=_back_office, args=(day, u, s), name=u) for u, s in BACK_OFFICE.items()]
    back = day.back_threads + [threading.Thread(target=_distribution, args=(day,), name="distribusi")]
    return front, counters, back


def _run_actors(day: _Day, front: list, counters: list, back: list, log) -> None:
    """Start every thread (each guarded: a crash stops the day with a problem), wait for
    the counters, then the back office and distribution; progress every 10 s; the day
    ends after ``cfg.max_wall_seconds`` of real time whatever happens."""
    everyone = front + counters + back
    for t in everyone:
        t.daemon = True
        t.run = _guarded(day, t.name, t.run)
        t.start()
    next_log = time.monotonic() + 10
    deadline = time.monotonic() + day.cfg.max_wall_seconds
    for group in (counters, back):
        for t in group:
            while t.is_alive() and not day.stop.is_set():
                t.join(timeout=0.5)
                if time.monotonic() > next_log:
                    next_log += 10
                    _progress(day, everyone, log)
                if time.monotonic() > deadline:
                    day.errors.append(f"the day did not finish within {day.cfg.max_wall_seconds:g} s (real time)")
                    day.stop.set()
        if group is counters:
            day.counters_done.set()
    day.stop.set()
    for t in everyone:
        t.join(timeout=30)


def _check_reports(reports: dict, summary: dict) -> list[str]:
    """Problems with the reports fetched at the end (files valid, the daily counts equal
    the simulation's); adds the latest step and the staffing answer to ``summary``."""
    problems = []
    for name, info in reports.items():
        if "file" in info and not _valid_report(name, info):
            problems.append(f"report {name} is not a valid file")
        elif "file" not in info and info.get("status") != 404:
            problems.append(f"report {name}: HTTP {info.get('status')} {info.get('error')}")
    daily = (reports.get("daily_json") or {}).get("answer")
    if daily is not None:
        if daily["tickets"]["total"] != summary["tickets"] or \
                daily["tickets"]["per_service"] != summary["tickets_per_service"]:
            problems.append(f"daily report counts {daily['tickets']} differ from the simulation's "
                            f"{summary['tickets_per_service']}")
        summary["report_latest_step"] = latest = daily.get("latest_step")
        if latest is not None:
            # one "most late" step: the report's pick, which the head of office reads;
            # the simulation's own count of that step's late rows must agree with it
            key = f"{latest['service']}:{latest['step']}"
            counted = summary["late_rows_per_step"].get(key, 0)
            if not next((r for r in daily.get("steps", []) if r["service"] == latest["service"]
                         and r["step"] == latest["step"] and r.get("pickup_step")), None) \
                    and counted != latest["late"]:
                problems.append(f"daily report counts {latest['late']} late rows at {key}, the simulation {counted}")
            summary["most_late_step"] = {"step": key, "step_name": latest["step_name"], "late_rows": latest["late"],
                                         "rows": latest["count"], "late_share": latest["late_share"],
                                         "source": "daily_report"}
    staffing = (reports.get("staffing") or {}).get("answer")
    if staffing is not None:
        summary["staffing_peak_counters"] = {x["service"]: x["peak_counters"] for x in staffing["services"]}
    return problems


def run_day(cfg: SimConfig, log=print) -> DayResult:
    """Run the simulated day of ``cfg`` and account for it.

    Starts a server (unless ``cfg.server``), creates the staff accounts and a kiosk
    token, runs the kiosk, counters 1–4, distribution (counter 5) and back-office
    threads until every arrival is served and every document handed over, kills and
    restarts the server at ``cfg.kill_at``, then checks every ticket, application,
    kartu kendali, card and receipt and fetches the reports. Writes
    ``cfg.out/summary.json``. Raises ``ValueError`` for a closed day or bad ``kill_at``.
    """
    wall0 = time.monotonic()
    cfg, api, server, office, opens, closes, tz = _connect(cfg)
    try:
        cfg.out.mkdir(parents=True, exist_ok=True)
        kill_epoch = _kill_epoch(cfg, tz)
        day = _Day(cfg, api, server, tz)
        _setup_accounts(day)
        svc, steps = _learn_services(day)
        kec = [k["code"] for k in office["kecamatan"]] or ["64.01.04"]
        visits = plan_visits(cfg, opens, closes, kec, [c["code"] for c in svc["priority_categories"]])
        log(f"Simulasi {cfg.day.isoformat()}: {len(visits)} kunjungan, kecepatan ×{cfg.speed:g}, server {api.base}")
        _run_actors(day, *_actors(day, visits, max(day.now(), opens.timestamp()), kill_epoch), log)
        sim_end = day.now()
        problems, summary = _account(day, visits, steps)
        problems += day.errors
        if kill_epoch is not None and server is not None and day.restarts != 1:
            problems.append(f"server restarted {day.restarts} times, expected 1")
        reports = _reports(day)
        problems += _check_reports(reports, summary)
        summary.update({"date": cfg.day.isoformat(), "seed": cfg.seed, "speed": cfg.speed,
                        "server_restarts": day.restarts, "kill_at": cfg.kill_at,
                        "simulated_end": datetime.fromtimestamp(sim_end, tz).strftime("%H:%M"),
                        "wall_seconds": round(time.monotonic() - wall0, 1), "reports": reports,
                        "accounting_ok": not problems, "problems": problems[:50]})
        (cfg.out / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False))
        return DayResult(not problems, problems, summary)
    finally:
        if server is not None:
            server.stop()


def format_summary(result: DayResult) -> str:
    """The summary printed at the end of ``loket simulate`` (Bahasa Indonesia)."""
    s = result.summary
    lines = [f"Kunjungan: {s['visits']}  tiket: {s['tickets']}  ditolak di kios: {s['refused_at_kiosk']}",
             "Tiket per layanan: " + ", ".join(f"{k} {v}" for k, v in s["tickets_per_service"].items()),
             "Status tiket: " + ", ".join(f"{k} {v}" for k, v in s["ticket_status"].items()),
             f"Berkas: {s['applications']} ({', '.join(f'{k} {v}' for k, v in s['application_states'].items())}); "
             f"KIA dicetak: {s['cards_printed']}; tanda terima: {s['receipts']}",
             "Waktu tunggu (menit) per layanan:"]
    for k, w in s["wait_minutes"].items():
        lines.append(f"  {k:<11} rata-rata {w['mean']:>5.1f}  p90 {w['p90']:>5.1f}  (n={w['n']})")
    worst = s["most_late_step"]
    if worst:
        name = f" ({worst['step_name']})" if worst.get("step_name") else ""
        lines.append(f"Langkah SOP paling terlambat: {worst['step']}{name}: {worst['late_rows']} dari "
                     f"{worst['rows']} baris melewati mutu baku ({worst['late_share']:.0%})")
    else:
        lines.append("Langkah SOP paling terlambat: -")
    if s.get("staffing_peak_counters"):
        lines.append("Loket yang dibutuhkan besok (Erlang C, tunggu ≤ 15 menit): " +
                     ", ".join(f"{k} {v}" for k, v in s["staffing_peak_counters"].items()))
    for name, info in s["reports"].items():
        lines.append(f"Laporan {name}: " + (info["file"] if "file" in info else f"tidak tersedia (HTTP {info['status']})"))
    lines.append(f"Server dimatikan/dinyalakan ulang: {s['server_restarts']}; selesai pukul {s['simulated_end']}; "
                 f"waktu nyata {s['wall_seconds']} s (×{s['speed']:g})")
    lines.append("Akuntansi: " + ("LULUS" if result.ok else "GAGAL"))
    lines += [f"  - {p}" for p in result.problems[:20]]
    return "\n".join(lines)
