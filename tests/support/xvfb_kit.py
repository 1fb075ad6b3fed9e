"""A private Xvfb screen per test session (real Kivy windows in tests).

``start_xvfb(width, height)`` starts ``Xvfb -displayfd`` so the server picks a free
display number itself (tests may run in parallel), waits until it is ready and returns
``(display, process)``; stop it with ``stop_xvfb(process)``.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import time


def start_xvfb(width: int = 1920, height: int = 1920, depth: int = 24, timeout: float = 15.0):
    """Start Xvfb on a free display; returns (":N", Popen). Raises RuntimeError if
    Xvfb is missing (the README's test command installs Debian's xvfb).

    ``-noreset`` keeps the server up when the last client leaves, and the read end of
    the ``-displayfd`` pipe stays open until ``stop_xvfb``: Xvfb writes to it again at a
    reset and exits if the pipe is gone ("Cannot write display number").
    """
    if shutil.which("Xvfb") is None:
        raise RuntimeError("Xvfb is not installed (apt-get install xvfb)")
    r, w = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(w), "-screen", "0", f"{width}x{height}x{depth}", "-nolisten", "tcp", "-ac",
         "-noreset"], pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(w)
    import select

    number = b""
    deadline = time.monotonic() + timeout
    while not number.endswith(b"\n"):
        ready, _, _ = select.select([r], [], [], max(0.0, deadline - time.monotonic()))
        chunk = os.read(r, 64) if ready else b""
        if not chunk:
            proc.kill()
            os.close(r)
            raise RuntimeError("Xvfb did not start")
        number += chunk
    proc._loket_displayfd = r  # closed by stop_xvfb
    return f":{number.decode().strip()}", proc


def stop_xvfb(proc) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
    fd = getattr(proc, "_loket_displayfd", None)
    if fd is not None:
        os.close(fd)
        proc._loket_displayfd = None


def kivy_env(display: str, home: str) -> dict:
    """Environment for a Kivy process on ``display``: no CLI parsing, no audio device,
    a private KIVY_HOME (config and logs) and software GL."""
    env = dict(os.environ)
    env.update({"DISPLAY": display, "KIVY_NO_ARGS": "1", "KIVY_HOME": home, "KIVY_NO_CONSOLELOG": "1",
                "SDL_AUDIODRIVER": "dummy", "KIVY_AUDIO": "sdl2", "LIBGL_ALWAYS_SOFTWARE": "1",
                "KIVY_WINDOW": "sdl2", "KIVY_GL_BACKEND": "sdl2"})
    return env
