"""A throwaway PostgreSQL cluster for the tests (issue 17): Debian's ``postgresql``
binaries, ``initdb`` into a temporary folder (as the ``postgres`` user when the tests
run as root: PostgreSQL refuses to run as root), ``pg_ctl start`` on a free loopback
port with its socket in that folder, trust authentication for the local user ``loket``.
Durability settings are the defaults (``fsync`` on), so what the tests see is what an
office gets. Stopped (``pg_ctl stop -m immediate``) and removed at the end."""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
from pathlib import Path


def bin_dir() -> Path | None:
    """The newest ``/usr/lib/postgresql/N/bin`` (Debian), or the folder of ``pg_ctl`` on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)
                   if Path(p).parent.name.isdigit() else 0)
    if found:
        return Path(found[-1])
    exe = shutil.which("pg_ctl")
    return Path(exe).parent if exe else None


def available() -> bool:
    """True when PostgreSQL's server binaries are installed."""
    b = bin_dir()
    return b is not None and (b / "initdb").exists() and (b / "pg_ctl").exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    """One cluster in ``root``; :meth:`create_db` makes a fresh database and returns its URL."""

    def __init__(self, root: Path | None = None) -> None:
        import tempfile
        # its own folder in the system's temp dir: pytest's is private to root, and the
        # server runs as the postgres user
        self.root = Path(root) if root is not None else Path(tempfile.mkdtemp(prefix="loket-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.bin = bin_dir()
        self._n = 0

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True, timeout=120)

    def start(self, max_connections: int = 200) -> "PgCluster":
        self.root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "loket", "-E", "UTF8", "--no-locale")
        opts = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections={max_connections} "
                f"-c shared_buffers=32MB")
        self._run("pg_ctl", "-D", str(self.data), "-o", opts, "-w", "-t", "60", "-l", str(self.root / "log"), "start")
        return self

    def url(self, name: str) -> str:
        return f"postgresql://loket@127.0.0.1:{self.port}/{name}"

    def sql(self, statement: str, database: str = "postgres") -> str:
        out = subprocess.run([str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "loket",
                              "-d", database, "-v", "ON_ERROR_STOP=1", "-qAtc", statement],
                             check=True, capture_output=True, text=True, timeout=60)
        return out.stdout

    def create_db(self, prefix: str = "t") -> str:
        """A new empty database; returns its URL."""
        self._n += 1
        name = f"{prefix}{os.getpid()}_{self._n}"
        self.sql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_db(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        self.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)
