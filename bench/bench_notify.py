"""Benchmark of the outbox (issue 14): ``--messages`` queued WhatsApp messages drained
against a local stand-in of the Cloud API while kiosks issue tickets.

``loket serve`` (2 workers) with ``[notifications]`` sending WhatsApp to a loopback HTTP
server playing the Cloud API (tests/support/provider_kit.py, in a process of its own,
answering each request after ``--provider-ms``). Kiosk threads issue KIA tickets at
``--rate`` a second for ``--seconds``: first with an empty outbox, then right after
``--messages`` rows became due at once (a backlog, as after a provider outage; written
straight into the outbox table; ``--rate-per-minute``, by default no cap, so the
sender drains as fast as it can). Figures: ticket p50/p99 without and with the drain and their ratio, the
drain's duration and rate, messages sent exactly once (the provider's count of distinct
recipients).

Loopback only, bounded, stops by itself:

    python bench/bench_notify.py [--messages 1000] [--rate 5] [--seconds 30] [--provider-ms 20] [--rate-per-minute N]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "support"))
from bench_web import issue_load, pct  # noqa: E402
from live_server import ADMIN_PASSWORD, LiveServer  # noqa: E402
from provider_kit import WA_TOKEN  # noqa: E402


def _provider_main(port_out, stop, counts_out, delay: float) -> None:
    from provider_kit import FakeProvider
    p = FakeProvider()
    p.delay = delay
    port_out.put(p.port)
    stop.wait()
    tos = [r["json"]["to"] for r in p.requests if "json" in r]
    counts_out.put((len(tos), len(set(tos))))
    p.stop()


def _backlog(db_path: Path, n: int, due: float) -> None:
    con = sqlite3.connect(db_path, timeout=30)
    rows = [("paser", f"bench:{i}", "test", "whatsapp", f"+628123{i:07d}", "id", "Disdukcapil Paser: pesan uji",
             "{}", "bench", "pending", 0, due, "", "", "", due, "", 0) for i in range(n)]
    with con:
        con.executemany('INSERT INTO "message" ("office", "cause", "kind", "channel", "recipient", "lang", "text", '
                        '"params", "ref", "state", "attempts", "next_attempt_at", "claimed_by", "last_error", '
                        '"provider_id", "created_at", "sent_by", "version") VALUES '
                        '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', rows)
    con.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=1000)
    ap.add_argument("--rate", type=float, default=5.0, help="tickets a second, all kiosks together")
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--provider-ms", type=float, default=20.0, help="the provider's answer time")
    ap.add_argument("--rate-per-minute", type=int, default=1000000,
                    help="the office's rate_per_minute for the channel (default: no cap, drain at full speed)")
    args = ap.parse_args()
    mp = multiprocessing.get_context("fork")
    port_q, counts_q, stop = mp.Queue(), mp.Queue(), mp.Event()
    prov = mp.Process(target=_provider_main, args=(port_q, stop, counts_q, args.provider_ms / 1000), daemon=True)
    prov.start()
    port = port_q.get(timeout=10)
    env = {**os.environ, "LOKET_WHATSAPP_TOKEN": WA_TOKEN}
    with tempfile.TemporaryDirectory() as tmp:
        srv = LiveServer(Path(tmp) / "data", workers=2, threads=64, env=env).setup(staff_roles=("operator",))
        office = srv.data_dir / "offices" / "default.toml"
        office.write_text(office.read_text(encoding="utf-8") + f"""
[notifications]
channels = ["whatsapp"]
rate_per_minute = {args.rate_per_minute}

[notifications.whatsapp]
phone_number_id = "1098765"
api_base = "http://127.0.0.1:{port}/v21.0"
""", encoding="utf-8")
        srv.start()
        try:
            token = srv.tokens["kiosk"]
            admin = srv.login("admin", ADMIN_PASSWORD)
            issue_load(srv, token, args.clients, 3, "warm", args.rate)
            base = issue_load(srv, token, args.clients, args.seconds, "base", args.rate)
            t0 = time.time()
            _backlog(srv.data_dir / "loket.sqlite3", args.messages, t0)
            done: dict = {}

            def watch() -> None:  # when the backlog is drained, while the kiosks issue
                deadline = time.time() + 300
                while time.time() < deadline:
                    out = srv.request("GET", "/api/v1/messages?limit=1", token=admin)[1]
                    if out["counts"]["sent"] + out["counts"]["failed"] >= args.messages:
                        done.update(at=time.time(), **out["counts"])
                        return
                    time.sleep(0.25)

            watcher = threading.Thread(target=watch, daemon=True)
            watcher.start()
            loaded = issue_load(srv, token, args.clients, args.seconds, "drain", args.rate)
            watcher.join(300)
            drained = done["at"] - t0
            sent, failed = done["sent"], done["failed"]
        finally:
            srv.stop()
    stop.set()
    received, distinct = counts_q.get(timeout=30)
    prov.join(10)
    b50, b99, l50, l99 = pct(base, 0.5), pct(base, 0.99), pct(loaded, 0.5), pct(loaded, 0.99)
    print(json.dumps({
        "messages": args.messages, "provider_ms": args.provider_ms, "rate_per_minute": args.rate_per_minute, "rate": args.rate, "seconds": args.seconds,
        "tickets_without": len(base), "tickets_with": len(loaded),
        "ticket_p50_ms_without": round(b50, 1), "ticket_p99_ms_without": round(b99, 1),
        "ticket_p50_ms_with": round(l50, 1), "ticket_p99_ms_with": round(l99, 1),
        "p50_ratio": round(l50 / b50, 2), "p99_ratio": round(l99 / b99, 2),
        "drain_seconds": round(drained, 1), "drain_per_second": round(sent / drained, 1),
        "sent": sent, "failed": failed, "provider_received": received, "provider_distinct": distinct,
    }, indent=2))


if __name__ == "__main__":
    main()
