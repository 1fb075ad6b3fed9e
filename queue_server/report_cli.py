"""``loket report``: the head of office's reports from the command line (issue 7 §3).

Writes the daily recap (PDF, XLSX, JSON), the distribution recap by kecamatan and the
Register KIA of the day to ``--out``, prints a short summary (tickets, waits p50/p90
per service, the SOP step where files wait most, IKM) and the staffing answer for the
next day (Erlang C, ``domain.staffing``).
"""
from __future__ import annotations

import json
import os
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from .cli import data_dir_option

FORMATS = ("pdf", "xlsx", "json")


def _minutes(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 60:.1f}"


def summary_lines(data: dict, staffing: dict) -> list[str]:
    """The text summary printed by ``loket report`` (Indonesian), from
    ``reports.daily_report(...).data`` and ``reports.staffing_for(...)``."""
    lines = [f"{data['office_name']} — {data['date']} ({data['zone']})",
             f"Nomor antrean: {data['tickets']['total']}  tidak hadir: {data['no_shows']}  "
             f"belum selesai: {data.get('unfinished', 0)}  "
             f"berkas dikembalikan: {data['returned']}  dokumen belum diambil: {data['uncollected']}"]
    for s in data["services"]:
        w, sv = s["wait_seconds"], s["service_seconds"]
        lines.append(f"  {s['service']:<10} {data['tickets']['per_service'].get(s['service'], 0):>4} nomor  "
                     f"tunggu p50 {_minutes(w['p50'])} / p90 {_minutes(w['p90'])} menit  "
                     f"layanan p50 {_minutes(sv['p50'])} / p90 {_minutes(sv['p90'])} menit")
    worst = data["latest_step"]
    if worst:
        lines.append(f"Langkah SOP paling terlambat: {worst['service']} {worst['step']} — {worst['late']} dari "
                     f"{worst['count']} berkas melewati mutu baku, {worst['waiting_now']} masih menunggu")
    ikm = data["ikm"]
    if ikm.get("respondents"):
        lines.append(f"IKM: {ikm['converted']:.2f} mutu {ikm['category']} ({ikm['label']}), "
                     f"{ikm['respondents']} responden")
    else:
        lines.append("IKM: belum ada responden")
    target = staffing["target_wait_seconds"] / 60
    lines.append(f"Kebutuhan loket {staffing['date']} (rata-rata tunggu ≤ {target:g} menit, Erlang C M/M/c):")
    for s in staffing["services"]:
        hours = ", ".join(f"{c['hour']:02d}:00 {c['counters']}" + ("" if c["meets_target"] else "!")
                          for c in s["hours"])
        lines.append(f"  {s['service']:<10} puncak {s['peak_counters']} loket (layanan rata-rata "
                     f"{_minutes(s['mean_service_seconds'])} menit, {s['service_time_source']}): {hours}")
    return lines


@click.command("report")
@click.option("--date", "day", default=None, help="Office day, YYYY-MM-DD (default: today in the office's zone).")
@click.option("--office", default=None, help="Office code (default: the first office of the data directory).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default="reports", show_default=True,
              help="Folder for the files.")
@click.option("--format", "formats", default="pdf,xlsx,json", show_default=True,
              help="Comma-separated: pdf, xlsx, json.")
@click.option("--target-wait-minutes", default=15.0, show_default=True, type=float,
              help="Mean wait target of the staffing answer.")
@click.option("--lang", default="id", type=click.Choice(["id", "en"]), show_default=True)
@data_dir_option
def report_cmd(day: str, office: str | None, out: Path, formats: str, target_wait_minutes: float, lang: str,
               data_dir: Path):
    """Write the day's recap, distribution recap and Register KIA; print a summary and
    tomorrow's counters needed."""
    from . import reports
    from .report_files import FileContext, file_name, render_file
    from .config import OfficeConfigError, load_offices
    from .db.database import connect_data_dir

    try:
        the_day = date.fromisoformat(day) if day is not None else None
    except ValueError:
        raise click.BadParameter(f"'{day}' is not a date (YYYY-MM-DD)", param_hint="--date") from None
    wanted = [f.strip().lower() for f in formats.split(",") if f.strip()]
    unknown = sorted(set(wanted) - set(FORMATS))
    if unknown or not wanted:
        raise click.BadParameter(f"unknown format(s) {unknown}; use {', '.join(FORMATS)}", param_hint="--format")
    if target_wait_minutes <= 0:
        raise click.BadParameter("must be > 0", param_hint="--target-wait-minutes")
    data_dir = data_dir.resolve()
    try:
        offices = {o.code: o for o in load_offices(data_dir / "offices")}
    except OfficeConfigError as e:
        raise click.ClickException(str(e)) from None
    code = office or next(iter(offices))
    if code not in offices:
        raise click.BadParameter(f"unknown office '{code}' (known: {', '.join(offices)})", param_hint="--office")
    the_office = offices[code]
    if the_day is None:  # today in the office's zone (WIB/WITA/WIT), not the PC's
        the_day = datetime.now(ZoneInfo(the_office.timezone)).date()
    if not os.environ.get("DATABASE_URL") and not (data_dir / "loket.sqlite3").exists():
        raise click.ClickException(f"no database in {data_dir} (run 'loket init' first)")
    database = connect_data_dir(data_dir)
    try:
        report = reports.daily_report(the_office, the_day, lang=lang)
        staffing = reports.staffing_for(the_office, the_day, target_wait_minutes * 60.0)
    finally:
        database.close()

    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, bytes] = {}
    context = FileContext(the_office.name, the_day, the_day, lang, datetime.now(ZoneInfo(the_office.timezone)))
    for kind, data in (("daily", report.recap), ("distribution", report.distribution), ("register", report.register)):
        for fmt in ("pdf", "xlsx"):
            if fmt in wanted:
                files[file_name(kind, code, the_day, fmt=fmt)] = render_file(kind, fmt, data, context)
    if "json" in wanted:
        body = json.dumps({"report": report.data, "staffing": staffing}, ensure_ascii=False, indent=1)
        files[file_name("daily", code, the_day, fmt="json")] = body.encode("utf-8")
    for name, content in files.items():
        (out / name).write_bytes(content)
    for line in summary_lines(report.data, staffing):
        click.echo(line)
    click.echo(f"Berkas ditulis ke {out.resolve()}: " + ", ".join(sorted(files)))


COMMANDS = [report_cmd]
