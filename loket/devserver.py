"""The one harness that runs Loket's own processes as children: ``loket demo`` (its server
and windows), ``loket simulate`` (a server on an accelerated clock that it kills and
restarts) and the tests (real servers on 127.0.0.1) all use it.

:class:`LoketProcess` runs ``python -m loket.cli ARGS`` in its own process group (so
workers and grandchildren stop with it), writing to a log file, and on Linux dies with
its parent. :class:`DevServer` is a ``loket serve`` on a host and port with its own data
directory: :meth:`~DevServer.init`, :meth:`~DevServer.start` (waits for ``/health``
through the one client), :meth:`~DevServer.kill` (SIGKILL: a crash), :meth:`~DevServer.stop`.
"""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

__all__ = ["DevServer", "LoketProcess", "ServerDidNotStart", "child_kwargs", "free_port", "log_tail", "run_loket"]

#: The checkout's root: children import its packages even when Loket is not installed.
ROOT = Path(__file__).resolve().parents[1]


class ServerDidNotStart(RuntimeError):
    """``loket serve`` exited or did not answer ``/health`` in time; the message ends
    with the tail of its log."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on ``host`` now."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def log_tail(path: Path, lines: int = 12) -> str:
    """The last ``lines`` lines of a log file ("" when it cannot be read)."""
    try:
        return "\n".join(Path(path).read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def child_kwargs() -> dict:
    """``Popen`` arguments that give a child its own process group (stopped as a whole)
    and, on Linux, a SIGTERM when this process dies. Linux ties that signal to the
    *thread* that started the child, so it is asked for only from the main thread (a
    server restarted by a short-lived thread would die with the thread; such servers
    use ``loket serve --exit-with-parent`` instead)."""
    if os.name == "nt":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    kwargs: dict = {"start_new_session": True}
    if sys.platform.startswith("linux") and threading.current_thread() is threading.main_thread():
        import ctypes

        try:
            libc = ctypes.CDLL(None, use_errno=True)
        except OSError:
            return kwargs
        parent = os.getpid()

        def die_with_parent():
            libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
            if os.getppid() != parent:  # the parent died before prctl took effect
                os._exit(1)

        kwargs["preexec_fn"] = die_with_parent
    return kwargs


def run_loket(*args: str, data_dir: Path | None = None, timeout: float = 120, check: bool = True,
              env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``loket ARGS [--data-dir DIR]`` with this interpreter and wait for it;
    returns the finished process (text output). Raises ``CalledProcessError`` when
    ``check`` and it failed."""
    cmd = [sys.executable, "-m", "loket.cli", *args] + (["--data-dir", str(data_dir)] if data_dir else [])
    return subprocess.run(cmd, capture_output=True, text=True, check=check, timeout=timeout,
                          env=_env(env), stdin=subprocess.DEVNULL)


def _env(env: dict | None) -> dict:
    out = dict(os.environ if env is None else env)
    out["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in out.get("PYTHONPATH", "").split(os.pathsep) if p])
    return out


class LoketProcess:
    """``loket ARGS`` as a child in its own process group, output appended to ``log``.

    ``env`` replaces the environment (the checkout is put on ``PYTHONPATH``); ``cwd`` is
    its working directory."""

    def __init__(self, args: list[str], log: Path, *, env: dict | None = None, cwd: Path | None = None) -> None:
        self.args = list(args)
        self.log = Path(log)
        self.env = env
        self.cwd = cwd
        self.proc: subprocess.Popen | None = None
        self._logf = None

    def start(self) -> "LoketProcess":
        """Start the child (returns at once); returns self."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self._logf = open(self.log, "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "loket.cli", *self.args], stdout=self._logf,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=_env(self.env),
                                     cwd=self.cwd, **child_kwargs())
        return self

    def poll(self) -> int | None:
        """The exit code, or None while it runs (or before it started)."""
        return None if self.proc is None else self.proc.poll()

    def kill(self) -> None:
        """SIGKILL the whole process group: a crash, no clean shutdown."""
        if self.proc is not None and self.proc.poll() is None:
            self._signal(signal.SIGKILL if os.name != "nt" else None)
            self.proc.wait(timeout=10)
        self._close_log()

    def stop(self, timeout: float = 8.0) -> None:
        """SIGTERM the group, SIGKILL after ``timeout`` seconds; grandchildren left in the
        group (server workers) are killed too."""
        proc = self.proc
        if proc is not None and proc.poll() is None:
            self._signal(signal.SIGTERM if os.name != "nt" else None, terminate=True)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL if os.name != "nt" else None)
                proc.wait(timeout=5)
        if proc is not None and os.name != "nt":
            with contextlib.suppress(ProcessLookupError, PermissionError):  # the group may be gone already
                os.killpg(proc.pid, signal.SIGKILL)
        self._close_log()

    def _signal(self, sig, terminate: bool = False) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):  # it may have exited meanwhile
            if os.name == "nt":
                self.proc.terminate() if terminate else self.proc.kill()
            else:
                os.killpg(self.proc.pid, sig)

    def _close_log(self) -> None:
        if self._logf is not None:
            self._logf.close()
            self._logf = None


class DevServer(LoketProcess):
    """``loket serve`` on ``host:port`` (a free loopback port by default) over ``data_dir``.

    ``workers``/``threads`` as ``loket serve`` takes them (None: its defaults);
    ``ignore_hours`` serves outside opening hours; ``exit_with_parent`` passes
    ``--exit-with-parent``; ``extra_args`` go to every start. ``url`` is the base URL
    (``http://127.0.0.1:PORT``); the log is ``data_dir/server.log`` unless given.
    """

    def __init__(self, data_dir: Path, *, host: str = "127.0.0.1", port: int | None = None,
                 workers: int | None = 2, threads: int | None = 32, ignore_hours: bool = True,
                 exit_with_parent: bool = True, extra_args: tuple[str, ...] = (), log: Path | None = None,
                 env: dict | None = None) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.host = host
        self.port = port or free_port(host if host not in ("0.0.0.0", "::") else "127.0.0.1")
        url_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        self.url = f"http://{url_host}:{self.port}"
        args = ["serve", "--data-dir", str(self.data_dir), "--host", host, "--port", str(self.port)]
        if workers is not None:
            args += ["--workers", str(workers)]
        if threads is not None:
            args += ["--threads", str(threads)]
        if ignore_hours:
            args.append("--ignore-hours")
        if exit_with_parent:
            args.append("--exit-with-parent")
        self.base_args = args + list(extra_args)
        super().__init__(self.base_args, log or self.data_dir / "server.log", env=env)

    def init(self, admin_password: str) -> "DevServer":
        """``loket init`` with a known admin password (idempotent); returns self."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        run_loket("init", "--admin-password", admin_password, data_dir=self.data_dir, env=self.env)
        return self

    def start(self, *extra: str, timeout: float = 60) -> "DevServer":
        """Start serving (``extra`` arguments for this start, e.g. ``--clock-start``) and
        wait until ``/health`` answers. Raises :class:`ServerDidNotStart`."""
        self.args = self.base_args + list(extra)
        super().start()
        self.wait_healthy(timeout)
        return self

    def wait_healthy(self, timeout: float = 60) -> dict:
        """Poll ``/health`` until it answers (returns it). Raises :class:`ServerDidNotStart`
        when the process exits first or ``timeout`` seconds pass."""
        from client.http import ApiError, Client

        client = Client(self.url, timeout=1, retries=0)
        deadline = time.monotonic() + timeout
        try:
            while True:
                rc = self.poll()
                if rc is not None:
                    raise ServerDidNotStart(f"loket serve exited (code {rc}); log {self.log}:\n{log_tail(self.log)}")
                try:
                    return client.health()
                except ApiError:
                    if time.monotonic() > deadline:
                        raise ServerDidNotStart(f"loket serve did not answer /health within {timeout:.0f} s; "
                                                f"log {self.log}:\n{log_tail(self.log)}") from None
                    time.sleep(0.1)
        finally:
            client.close()

    def restart(self, *extra: str) -> "DevServer":
        """SIGKILL and start again on the same port and data; returns self."""
        self.kill()
        return self.start(*extra)
