"""Helpers for the ``loket demo`` tests: run the demo as a subprocess, read its
printout, find leftover processes."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


class Demo:
    """``loket demo`` running in a subprocess; ``out`` collects its stdout+stderr lines."""

    def __init__(self, data_dir: Path, port: int, *args: str, env: dict | None = None):
        self.data_dir = Path(data_dir)
        self.port = port
        env = dict(env if env is not None else os.environ)
        env["PYTHONUNBUFFERED"] = "1"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "loket.cli", "demo", "--data-dir", str(data_dir), "--port", str(port), *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=REPO)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def out(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, text: str, timeout: float = 60) -> str:
        """Wait until ``text`` appears in the output; returns the output. AssertionError on timeout/exit."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.out:
                return self.out
            if self.proc.poll() is not None:
                self._reader.join(5)
                if text in self.out:
                    return self.out
                raise AssertionError(f"demo exited ({self.proc.returncode}) before {text!r}:\n{self.out}")
            time.sleep(0.1)
        raise AssertionError(f"{text!r} not printed within {timeout} s:\n{self.out}")

    def terminate(self, timeout: float = 30) -> int:
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=timeout)
        self._reader.join(5)
        return rc

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        for pid in processes_mentioning(str(self.data_dir)):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def processes_mentioning(text: str) -> list[int]:
    """PIDs of live (non-zombie) processes whose command line contains ``text`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if text in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


def request(url: str, method: str = "GET", body=None, token: str | None = None, timeout: float = 10):
    """One JSON request; returns (status, parsed body or raw bytes)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw, status, ctype = r.read(), r.status, r.headers.get("Content-Type", "")
    except urllib.error.HTTPError as e:
        raw, status, ctype = e.read(), e.code, e.headers.get("Content-Type", "")
    return status, (json.loads(raw) if "json" in ctype and raw else raw)


def printed_tokens(out: str) -> dict[str, str]:
    """The device tokens from the demo's printout: {"kiosk": ..., "display": ...}."""
    return {m.group(1): m.group(2) for m in re.finditer(r"^\s+(kiosk|display)\s+(\S+)$", out, re.M)}


def start_screen(width: int, height: int, timeout: float = 15.0):
    """A private Xvfb for X clients (xwininfo, import) as well as Kivy; returns (":N", Popen).

    Unlike tests/support/xvfb_kit.start_xvfb it passes ``-noreset``: Xvfb writes its
    display number to ``-displayfd`` again at every server reset (when the last client
    disconnects) and, when the read end of that pipe is closed early, exits with
    "Cannot write display number"; here the pipe stays open until :func:`stop_screen`."""
    import select

    r, w = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp",
                             "-ac", "-noreset"], pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(w)
    number = b""
    deadline = time.monotonic() + timeout
    while not number.endswith(b"\n"):  # Xvfb writes the number and the newline separately
        ready, _, _ = select.select([r], [], [], max(0.0, deadline - time.monotonic()))
        chunk = os.read(r, 64) if ready else b""
        if not chunk:
            os.close(r)
            proc.kill()
            proc.wait()
            raise RuntimeError("Xvfb did not start")
        number += chunk
    proc.displayfd = r  # kept open while Xvfb runs: a closed pipe makes a later write fatal
    return f":{number.decode().strip()}", proc


def stop_screen(proc) -> None:
    """Stop an Xvfb from :func:`start_screen`."""
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    os.close(proc.displayfd)
