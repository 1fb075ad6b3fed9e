"""``loket simulate``: a simulated working day through the real HTTP API (issue 7 §2, §4)."""
from __future__ import annotations

import logging
import tempfile
from datetime import date, timedelta
from pathlib import Path

import click


def _weekday(ctx, param, value: str | None) -> date:
    if value is None:  # today, or the coming Monday on a weekend
        today = date.today()
        return today + timedelta(days=7 - today.weekday()) if today.weekday() >= 5 else today
    try:
        d = date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD") from None
    if d.weekday() >= 5:
        raise click.BadParameter("choose a weekday (Monday-Friday)")
    return d


def _hhmm(ctx, param, value: str | None) -> str | None:
    if value is None:
        return None
    parts = value.split(":")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or int(parts[0]) > 23 or int(parts[1]) > 59:
        raise click.BadParameter("use HH:MM")
    return f"{int(parts[0]):02d}:{int(parts[1]):02d}"


@click.command("simulate")
@click.option("--visits", default=400, show_default=True, type=click.IntRange(1, 5000), help="Citizens arriving.")
@click.option("--seed", default=1, show_default=True, type=int, help="Seed of every random draw.")
@click.option("--speed", default=120.0, show_default=True, type=click.FloatRange(1, 5000),
              help="Simulated seconds per real second.")
@click.option("--date", "day", default=None, callback=_weekday, help="Office day (a weekday), YYYY-MM-DD.")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Data directory of the simulated server (default: a new temporary folder).")
@click.option("--server", default=None, help="URL of a running server to use instead of starting one "
              "(the day is then the server's office day).")
@click.option("--admin-password", envvar="LOKET_ADMIN_PASSWORD", default=None,
              help="Admin password of the --server (creates the simulation's staff accounts there).")
@click.option("--kill-at", default=None, callback=_hhmm,
              help="Local HH:MM at which the server is killed (SIGKILL) and restarted.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("simulasi"), show_default=True,
              help="Folder for cards/, receipts/, reports/ and summary.json.")
def simulate_cmd(visits: int, seed: int, speed: float, day: date, data_dir: Path | None, server: str | None,
                 admin_password: str | None, kill_at: str | None, out: Path):
    """Simulate a working day: citizens, counters and back office through the HTTP API of a
    real server on an accelerated clock; ends with the accounting (non-zero exit if it fails)."""
    from .day import ADMIN_PASSWORD, SimConfig, format_summary, run_day

    logging.getLogger("urllib3").setLevel(logging.WARNING)
    if server and kill_at:
        raise click.BadParameter("--kill-at needs the server started by the simulation (no --server)")
    tmp = None
    if data_dir is None and not server:
        tmp = tempfile.TemporaryDirectory(prefix="loket-sim-")
        data_dir = Path(tmp.name)
    try:
        cfg = SimConfig(visits=visits, seed=seed, speed=speed, day=day, data_dir=data_dir or Path("."), out=out,
                        server=server, kill_at=kill_at, admin_password=admin_password or ADMIN_PASSWORD)
        try:
            result = run_day(cfg, log=lambda m: click.echo(m, err=True))
        except ValueError as e:
            raise click.ClickException(str(e)) from None
        click.echo(format_summary(result))
    finally:
        if tmp is not None:
            tmp.cleanup()
    if not result.ok:
        raise SystemExit(1)


COMMANDS = [simulate_cmd]
