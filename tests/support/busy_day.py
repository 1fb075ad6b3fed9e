"""A busy office day as database rows (visits, calls, berkas, kartu kendali, prints,
register entries, IKM answers) for the report tests and ``bench/bench_reports.py``."""
from __future__ import annotations

import random
from datetime import date, datetime
from zoneinfo import ZoneInfo

from queue_server.db.models import (Application, CallLog, CardPrint, IkmResponse, KartuKendali, RegisterEntry,
                                    Ticket, db)

WITA = ZoneInfo("Asia/Makassar")
KIA_STEPS = [("penerimaan", 180), ("foto", 300), ("verifikasi", 300), ("tte", 180), ("cetak", 300),
             ("register", 60)]


def fill_day(day: date, visits: int, rng: random.Random, start_id: int) -> int:
    """Insert ``visits`` KIA visits with calls, berkas, kartu kendali, prints and register
    entries on ``day``; returns the next free id."""
    t0 = datetime(day.year, day.month, day.day, 8, 0, tzinfo=WITA).timestamp()
    tickets, calls, apps, kk, prints, regs = [], [], [], [], [], []
    for i in range(visits):
        tid = start_id + i
        issued = t0 + rng.uniform(0, 7 * 3600)
        called = issued + rng.expovariate(1 / 600)
        done = called + rng.expovariate(1 / 400)
        tickets.append({"id": tid, "office": "paser", "office_day": day.isoformat(), "prefix": "A", "seq": i + 1,
                        "number": f"A{i + 1:04d}", "origin_service": "KIA", "service": "KIA", "step": "penerimaan",
                        "status": "no_show" if i % 40 == 0 else "done", "public_code": f"P{tid:09d}",
                        "issued_at": issued, "queued_at": issued, "sort_key": issued, "called_at": called,
                        "finished_at": done, "counter": str(1 + i % 3), "officer": f"op{i % 3}"})
        for action, at in (("call", called), ("finish", done)):
            calls.append({"office": "paser", "office_day": day.isoformat(), "ticket": tid, "counter": str(1 + i % 3),
                          "service": "KIA", "step": "penerimaan", "action": action, "officer": f"op{i % 3}", "at": at})
        apps.append({"id": tid, "office": "paser", "ticket": tid, "code": f"C{tid:09d}", "service": "KIA",
                     "state": "ready_for_pickup", "step": "penyerahan", "step_arrived_at": done + 3000,
                     "applicant_name": f"Anak {tid}", "nik": "", "kecamatan_code": "64.01.01", "created_at": called,
                     "created_by": "op", "birth_date": "2015-01-01"})
        at = called
        for step, mutu in KIA_STEPS:
            started = at + rng.uniform(0, 200)
            ended = started + rng.expovariate(1 / mutu)
            kk.append({"application": tid, "office": "paser", "step": step, "role": "operator", "officer": "op",
                       "arrived_at": at, "started_at": started, "ended_at": ended, "outcome": "done",
                       "mutu_baku_seconds": mutu})
            if step == "cetak":
                prints.append({"application": tid, "serial": f"S{tid}", "officer": "cetak", "printed_at": ended})
            if step == "register":
                regs.append({"office": "paser", "service": "KIA", "year": day.year, "number": tid, "application": tid,
                             "officer": "cetak", "registered_at": ended})
            at = ended
        kk.append({"application": tid, "office": "paser", "step": "penyerahan", "role": "petugas_distribusi",
                   "arrived_at": at, "started_at": None, "ended_at": None, "outcome": None,
                   "mutu_baku_seconds": 60})  # every row has the same keys (insert_many takes the first's)
    with db.atomic():
        for model, rows in ((Ticket, tickets), (CallLog, calls), (Application, apps), (KartuKendali, kk),
                            (CardPrint, prints), (RegisterEntry, regs)):
            for k in range(0, len(rows), 500):
                model.insert_many(rows[k:k + 500]).execute()
        IkmResponse.insert_many([{"office": "paser", "office_day": day.isoformat(), "answers": [3] * 9,
                                  "created_at": t0} for _ in range(50)]).execute()
    return start_id + visits
