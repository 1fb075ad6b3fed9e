"""Camera adapters for the counter station's photo step (issue 5 §2).

Shape copied from python-escpos (ARCHITECTURE.md "Examples to follow"): one abstract
base :class:`Camera` with the shared behaviour (context manager, size, open state)
and thin drivers that only implement ``_open`` / ``_read`` / ``_close``:

* :class:`OpenCVCamera` — a real webcam through ``cv2.VideoCapture``;
* :class:`FileCamera` — a still image (PNG/JPEG/...) or a video file that loops,
  for demos and for replaying a recorded session;
* :class:`ArrayCamera` — frames held in memory, the fake used by tests.

:func:`open_camera` builds one of them from the office configuration string
(``webcam://0``, ``webcam://0?width=1280&height=720``, ``file://path/to/photo.png``).

Every frame is a BGR ``uint8`` array of shape ``(height, width, 3)`` (OpenCV's
order). Errors are :class:`CameraError` (with a ``code`` and an Indonesian and an
English message for the officer) or its subclass :class:`CameraNotFound`.
"""
from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Iterable, Sequence
from urllib.parse import parse_qs

import cv2
import numpy as np

__all__ = [
    "Camera",
    "CameraError",
    "CameraNotFound",
    "OpenCVCamera",
    "FileCamera",
    "ArrayCamera",
    "open_camera",
]


class CameraError(Exception):
    """Base error of the camera adapters.

    Attributes: ``code`` (stable machine string, e.g. ``"not_found"``, ``"not_open"``,
    ``"invalid_uri"``, ``"invalid_frame"``), ``message_id`` (Bahasa Indonesia, shown to
    the officer) and ``message_en`` (English). ``str(error)`` gives both messages.
    """

    code = "camera_error"

    def __init__(self, message_id: str, message_en: str, *, code: str | None = None) -> None:
        if code is not None:
            self.code = code
        self.message_id = message_id
        self.message_en = message_en
        super().__init__(f"{message_id} / {message_en}")

    def message(self, lang: str = "id") -> str:
        """The message in ``lang`` (``"id"`` default, ``"en"``)."""
        return self.message_en if lang == "en" else self.message_id


class CameraNotFound(CameraError):
    """The camera (device index or file) cannot be opened, or it gives no frame."""

    code = "not_found"


def _as_bgr_frame(frame: np.ndarray) -> np.ndarray:
    """Check/convert one frame to BGR uint8 HxWx3; grey frames are expanded.

    Raises :class:`CameraError` (``invalid_frame``) for other shapes or dtypes.
    """
    arr = np.asarray(frame)
    if arr.dtype != np.uint8:
        raise CameraError(
            "Format gambar kamera tidak dikenali.",
            f"Unsupported frame dtype {arr.dtype}; expected uint8.",
            code="invalid_frame",
        )
    if arr.ndim == 2:
        arr = cv2.cvtColor(arr, cv2.COLOR_GRAY2BGR)
    elif arr.ndim == 3 and arr.shape[2] == 4:
        arr = cv2.cvtColor(arr, cv2.COLOR_BGRA2BGR)
    if arr.ndim != 3 or arr.shape[2] != 3 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise CameraError(
            "Format gambar kamera tidak dikenali.",
            f"Unsupported frame shape {arr.shape}; expected (height, width, 3).",
            code="invalid_frame",
        )
    return arr


class Camera(ABC):
    """Abstract camera: ``open()``, ``read()``, ``close()``, usable as a context manager.

    ``read()`` returns a BGR ``uint8`` array of shape ``(height, width, 3)``; it
    raises :class:`CameraError` (``not_open``) before ``open()`` and
    :class:`CameraNotFound` when the device stops delivering frames. ``size`` is
    ``(width, height)`` in pixels of the frames read (known after ``open()``).
    Reads are serialised by a lock, so a preview thread and a capture button can
    share one camera.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._is_open = False
        self._size: tuple[int, int] | None = None

    # -- driver hooks ---------------------------------------------------------
    @abstractmethod
    def _open(self) -> None:
        """Acquire the device; raise :class:`CameraNotFound` when impossible."""

    @abstractmethod
    def _read(self) -> np.ndarray:
        """Return the next frame (any uint8 image shape accepted by the base)."""

    @abstractmethod
    def _close(self) -> None:
        """Release the device; must be safe to call once after ``_open``."""

    # -- public API -------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        """True between ``open()`` and ``close()``."""
        return self._is_open

    @property
    def size(self) -> tuple[int, int] | None:
        """``(width, height)`` of the frames in pixels, or None before the first frame."""
        return self._size

    def open(self) -> "Camera":
        """Open the device (idempotent) and return ``self``.

        Raises :class:`CameraNotFound` when the device cannot be opened.
        """
        with self._lock:
            if not self._is_open:
                self._open()
                self._is_open = True
        return self

    def read(self) -> np.ndarray:
        """Return the next frame: BGR ``uint8`` array ``(height, width, 3)``.

        Raises :class:`CameraError` (``not_open``) when the camera is closed,
        :class:`CameraNotFound` when the device gives no frame.
        """
        with self._lock:
            if not self._is_open:
                raise CameraError(
                    "Kamera belum dibuka.",
                    "The camera is not open.",
                    code="not_open",
                )
            frame = _as_bgr_frame(self._read())
            self._size = (int(frame.shape[1]), int(frame.shape[0]))
            return frame

    def close(self) -> None:
        """Release the device (idempotent)."""
        with self._lock:
            if self._is_open:
                self._is_open = False
                self._close()

    def __enter__(self) -> "Camera":
        return self.open()

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class OpenCVCamera(Camera):
    """A webcam through ``cv2.VideoCapture(index)``.

    ``width``/``height`` (pixels) are requested from the driver; the device may
    choose another size, so read ``size`` after the first frame. Raises
    :class:`CameraNotFound` (Indonesian + English message) when the device index
    cannot be opened or when it delivers no frame.
    """

    def __init__(self, index: int = 0, width: int = 640, height: int = 480) -> None:
        super().__init__()
        if index < 0:
            raise ValueError(f"camera index must be >= 0, got {index}")
        if width <= 0 or height <= 0:
            raise ValueError(f"camera size must be positive, got {width}x{height}")
        self.index = int(index)
        self.width = int(width)
        self.height = int(height)
        self._capture: cv2.VideoCapture | None = None

    def _not_found(self) -> CameraNotFound:
        return CameraNotFound(
            f"Kamera nomor {self.index} tidak ditemukan atau tidak memberi gambar. "
            "Periksa kabel USB kamera lalu coba lagi.",
            f"Camera {self.index} was not found or gives no picture. "
            "Check the camera's USB cable and try again.",
        )

    def _open(self) -> None:
        capture = cv2.VideoCapture(self.index)
        if not capture.isOpened():
            capture.release()
            raise self._not_found()
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
        self._capture = capture

    def _read(self) -> np.ndarray:
        assert self._capture is not None
        ok, frame = self._capture.read()
        if not ok or frame is None:
            raise self._not_found()
        return frame

    def _close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None


class FileCamera(Camera):
    """Frames from a file: a still image (every read returns a copy of it) or a
    video (read frame by frame, restarting at the first frame at the end).

    Whether ``path`` is an image is decided by ``cv2.haveImageReader``; anything
    else is opened with ``cv2.VideoCapture``. Raises :class:`CameraNotFound` when
    the file is missing, unreadable, or a video with no frame.
    """

    def __init__(self, path: str | Path) -> None:
        super().__init__()
        self.path = Path(path)
        self._image: np.ndarray | None = None
        self._capture: cv2.VideoCapture | None = None

    def _not_found(self) -> CameraNotFound:
        return CameraNotFound(
            f"Berkas gambar/video kamera tidak dapat dibuka: {self.path.name}",
            f"Cannot open the camera image/video file: {self.path}",
        )

    def _open(self) -> None:
        if not self.path.is_file():
            raise self._not_found()
        name = str(self.path)
        if cv2.haveImageReader(name):
            image = cv2.imread(name, cv2.IMREAD_COLOR)
            if image is None:
                raise self._not_found()
            self._image = image
            return
        capture = cv2.VideoCapture(name)
        if not capture.isOpened():
            capture.release()
            raise self._not_found()
        self._capture = capture

    def _read(self) -> np.ndarray:
        if self._image is not None:
            return self._image.copy()
        assert self._capture is not None
        ok, frame = self._capture.read()
        if not ok or frame is None:
            # End of the video: loop back to the first frame.
            self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._capture.read()
            if not ok or frame is None:
                raise self._not_found()
        return frame

    def _close(self) -> None:
        self._image = None
        if self._capture is not None:
            self._capture.release()
            self._capture = None


class ArrayCamera(Camera):
    """Fake camera over frames in memory (tests, demos).

    ``frames``: a non-empty sequence of BGR ``uint8`` arrays. Reads cycle through
    them when ``loop`` is True (default); otherwise a read after the last frame
    raises :class:`CameraNotFound`, like a webcam that was unplugged.
    ``reads`` counts the frames delivered.
    """

    def __init__(self, frames: Iterable[np.ndarray], *, loop: bool = True) -> None:
        super().__init__()
        self._frames: Sequence[np.ndarray] = [_as_bgr_frame(f) for f in frames]
        if not self._frames:
            raise ValueError("ArrayCamera needs at least one frame")
        self.loop = loop
        self._next = 0
        self.reads = 0

    def _open(self) -> None:
        self._next = 0

    def _read(self) -> np.ndarray:
        if self._next >= len(self._frames):
            if not self.loop:
                raise CameraNotFound(
                    "Kamera berhenti memberi gambar.",
                    "The camera stopped delivering frames.",
                )
            self._next = 0
        frame = self._frames[self._next]
        self._next += 1
        self.reads += 1
        return frame.copy()

    def _close(self) -> None:
        pass


def _invalid(uri: str, detail: str) -> CameraError:
    return CameraError(f"Pengaturan kamera tidak valid: {uri!r}", f"Invalid camera setting {uri!r}: {detail}",
                       code="invalid_uri")


def _open_file(uri: str, rest: str) -> Camera:
    if not rest:
        raise _invalid(uri, "missing file path")
    return FileCamera(rest)


def _open_webcam(uri: str, rest: str) -> Camera:
    index_text, _, query = rest.partition("?")
    if not index_text.isdigit():
        raise _invalid(uri, "expected webcam://<index>")
    options = {key: values[-1] for key, values in parse_qs(query, strict_parsing=False).items()}
    unknown = set(options) - {"width", "height"}
    if unknown:
        raise _invalid(uri, f"unknown options {sorted(unknown)}")
    try:
        width = int(options.get("width", 640))
        height = int(options.get("height", 480))
    except ValueError as exc:
        raise _invalid(uri, "width/height must be integers") from exc
    if width <= 0 or height <= 0:
        raise _invalid(uri, "width/height must be positive")
    return OpenCVCamera(int(index_text), width=width, height=height)


#: Camera URI scheme → opener ``(uri, the rest after "scheme://") -> Camera``; a new
#: driver is one opener and one line here.
SCHEMES = {"file": _open_file, "webcam": _open_webcam}


def open_camera(uri: str) -> Camera:
    """Build (not open) a camera from a configuration string.

    * ``webcam://0`` — :class:`OpenCVCamera` index 0, 640×480; size options as a
      query: ``webcam://1?width=1280&height=720``;
    * ``file://photos/child.png`` (relative) or ``file:///srv/demo.avi`` (absolute)
      — :class:`FileCamera`.

    Raises :class:`CameraError` with code ``invalid_uri`` for anything else.
    """
    scheme, sep, rest = uri.partition("://")
    opener = SCHEMES.get(scheme) if sep else None
    if opener is None:
        raise _invalid(uri, "expected " + " or ".join(f"{k}://..." for k in sorted(SCHEMES)))
    return opener(uri, rest)
