"""Live camera preview with photo analysis in a background thread (issue 5 §2).

The Kivy counter station shows the preview; this module has no Kivy import. The
callbacks run on the preview thread, so a Kivy UI must hand them over to its own
thread (``Clock.schedule_once``), as ARCHITECTURE.md describes for background events.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .camera import Camera
from .detect import FaceDetector
from .pipeline import PhotoPolicy, PhotoResult, analyse

__all__ = ["LivePreview", "PreviewFrame"]


@dataclass(frozen=True, eq=False)
class PreviewFrame:
    """One preview step: the BGR ``frame``, the latest analysis ``result`` (None until
    the first analysis), whether ``analysed`` is True for this very frame, the frame
    ``index`` (0-based count of frames read) and ``timestamp`` (``time.monotonic`` seconds)."""

    frame: np.ndarray
    result: PhotoResult | None
    analysed: bool
    index: int
    timestamp: float


class LivePreview:
    """Read frames from ``camera`` at ``fps`` in a background thread and analyse every
    ``analyse_every``-th frame with :func:`~counter.photo.pipeline.analyse`.

    * ``on_frame(PreviewFrame)`` is called for every frame (on the preview thread).
    * ``on_error(Exception)`` is called once if reading, analysis or ``on_frame``
      raises; the preview then stops and keeps the error in ``error``.
    * ``latest()`` / ``last_accepted()`` give the newest frame and the newest frame
      whose result was ``ok`` (what a "capture" button should save), thread-safe.

    The camera is opened by :meth:`start` if it is not open yet, and then closed by
    :meth:`stop`; a camera opened by the caller stays open. ``fps`` must be > 0
    and ``analyse_every`` ≥ 1; otherwise ``ValueError``. Usable as a context manager.
    """

    def __init__(
        self,
        camera: Camera,
        policy: PhotoPolicy | None = None,
        *,
        fps: float = 15.0,
        analyse_every: int = 1,
        on_frame: Callable[[PreviewFrame], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
        birth_year: int | None = None,
        detector: FaceDetector | None = None,
    ) -> None:
        if fps <= 0:
            raise ValueError("fps must be positive")
        if analyse_every < 1:
            raise ValueError("analyse_every must be >= 1")
        self.camera = camera
        self.policy = policy or PhotoPolicy()
        self.fps = float(fps)
        self.analyse_every = int(analyse_every)
        self.on_frame = on_frame
        self.on_error = on_error
        self.birth_year = birth_year
        # Own detector per preview: the detector serialises its calls.
        self.detector = detector or FaceDetector()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._opened_camera = False
        self._latest: PreviewFrame | None = None
        self._last_accepted: PreviewFrame | None = None
        self._new_frame = threading.Condition(self._lock)
        self.frames_read = 0
        self.frames_analysed = 0
        self._first_time: float | None = None
        self.error: Exception | None = None

    # -- lifecycle ----------------------------------------------------------------
    @property
    def running(self) -> bool:
        """True while the preview thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> "LivePreview":
        """Open the camera if needed and start the thread. Raises ``RuntimeError`` if
        already running, and the camera's :class:`CameraError` if it cannot open."""
        if self.running:
            raise RuntimeError("preview already running")
        if not self.camera.is_open:
            self.camera.open()
            self._opened_camera = True
        self._stop.clear()
        with self._lock:
            self.error = None
            self.frames_read = 0
            self.frames_analysed = 0
            self._first_time = None
        self._thread = threading.Thread(target=self._run, name="loket-photo-preview", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread (waits up to ``timeout`` seconds) and close the camera if
        :meth:`start` opened it. Idempotent."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        with self._new_frame:
            self._new_frame.notify_all()
        if self._opened_camera:
            self.camera.close()
            self._opened_camera = False

    def __enter__(self) -> "LivePreview":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- results ------------------------------------------------------------------
    def latest(self) -> PreviewFrame | None:
        """The newest frame with its latest result, or None before the first frame."""
        with self._lock:
            return self._latest

    def last_accepted(self) -> PreviewFrame | None:
        """The newest analysed frame whose result was ``ok``, or None."""
        with self._lock:
            return self._last_accepted

    def wait_for_frame(self, after_index: int = -1, timeout: float = 5.0) -> PreviewFrame | None:
        """Block until a frame with ``index > after_index`` exists (or the preview
        stops, or ``timeout`` seconds pass) and return the newest frame, or None."""
        deadline = time.monotonic() + timeout
        with self._new_frame:
            while self._latest is None or self._latest.index <= after_index:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._stop.is_set():
                    break
                self._new_frame.wait(remaining)
            if self._latest is not None and self._latest.index > after_index:
                return self._latest
            return None

    @property
    def measured_fps(self) -> float:
        """Frames read per second since :meth:`start` (0.0 before two frames)."""
        with self._lock:
            if self.frames_read < 2 or self._first_time is None or self._latest is None:
                return 0.0
            elapsed = self._latest.timestamp - self._first_time
        return (self.frames_read - 1) / elapsed if elapsed > 0 else 0.0

    # -- thread -------------------------------------------------------------------
    def _run(self) -> None:
        period = 1.0 / self.fps
        index = 0
        result: PhotoResult | None = None
        next_time = time.monotonic()
        try:
            while not self._stop.is_set():
                frame = self.camera.read()
                now = time.monotonic()
                analysed = index % self.analyse_every == 0
                if analysed:
                    result = analyse(frame, self.policy, birth_year=self.birth_year, detector=self.detector)
                item = PreviewFrame(frame, result, analysed, index, now)
                with self._new_frame:
                    if index == 0:
                        self._first_time = now
                    self._latest = item
                    self.frames_read = index + 1
                    if analysed:
                        self.frames_analysed += 1
                        if result is not None and result.ok:
                            self._last_accepted = item
                    self._new_frame.notify_all()
                if self.on_frame is not None:
                    self.on_frame(item)
                index += 1
                next_time += period
                delay = next_time - time.monotonic()
                if delay > 0:
                    self._stop.wait(delay)
                else:
                    # Running late (slow analysis): do not try to catch up in a burst.
                    next_time = time.monotonic()
        except Exception as exc:  # reported to the UI through on_error / error
            self.error = exc
            self._stop.set()
            with self._new_frame:
                self._new_frame.notify_all()
            if self.on_error is not None:
                self.on_error(exc)
