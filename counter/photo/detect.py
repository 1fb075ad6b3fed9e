"""Frontal face detection with OpenCV's Haar cascades (shipped in ``cv2.data.haarcascades``).

Two stages, to keep false positives out (a space-suit ring or a poster should not
count as a second person):

1. ``haarcascade_frontalface_default.xml`` on a grey image downscaled to
   ``detect_max_side`` px (longest side, 320 by default) with local contrast
   equalisation (CLAHE, clip 2.0, 8×8 tiles) — the only expensive step, so its
   size sets the frame rate;
2. each candidate is confirmed by ``haarcascade_frontalface_alt2.xml`` run on the
   candidate's own region (box grown by 25 % per side, resized to 72×72 px from the
   full-resolution grey image). Candidates that the second cascade does not find
   are dropped.

Boxes are ``(x, y, w, h)`` in pixels of the full frame, largest first.
"""
from __future__ import annotations

import threading

import cv2
import numpy as np

__all__ = ["FaceDetector", "Box"]

Box = tuple[int, int, int, int]

_PRIMARY = "haarcascade_frontalface_default.xml"
_CONFIRM = "haarcascade_frontalface_alt2.xml"
_CONFIRM_SIDE = 72  # px: side of the resized candidate region for stage 2
_CONFIRM_MARGIN = 0.25  # fraction of the box added on each side for stage 2


def _load(name: str) -> cv2.CascadeClassifier:
    path = cv2.data.haarcascades + name
    cascade = cv2.CascadeClassifier(path)
    if cascade.empty():
        raise RuntimeError(f"OpenCV Haar cascade {name} could not be loaded from {path}")
    return cascade


class FaceDetector:
    """Detect frontal faces in BGR frames.

    ``detect_max_side``: the frame is downscaled so its longest side is at most this
    many pixels before stage 1 (320 holds ≥ 15 fps at 640×480 on 2 cores, see
    ``bench/bench_photo.py``). ``min_face_fraction``: smallest face searched, as a
    fraction of the frame height (the cascade's own 24 px window is the floor).
    ``scale_factor``/``min_neighbors`` are passed to ``detectMultiScale`` for stage 1.

    One instance may be shared between threads (calls are serialised by a lock);
    give each preview thread its own instance for parallelism.
    """

    def __init__(
        self,
        *,
        detect_max_side: int = 320,
        min_face_fraction: float = 0.075,
        scale_factor: float = 1.1,
        min_neighbors: int = 4,
    ) -> None:
        if detect_max_side < 64:
            raise ValueError("detect_max_side must be at least 64 px")
        if not 0.0 < min_face_fraction < 1.0:
            raise ValueError("min_face_fraction must be in (0, 1)")
        if scale_factor <= 1.0:
            raise ValueError("scale_factor must be > 1")
        self.detect_max_side = int(detect_max_side)
        self.min_face_fraction = float(min_face_fraction)
        self.scale_factor = float(scale_factor)
        self.min_neighbors = int(min_neighbors)
        self._primary = _load(_PRIMARY)
        self._confirm = _load(_CONFIRM)
        # Local (CLAHE) rather than global histogram equalisation: it rescues dark
        # or washed-out faces without letting a large flat backdrop squash the
        # face's contrast (global equalisation lost a 30 px face on a plain wall).
        self._clahe = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8))
        self._lock = threading.Lock()

    def detect(self, frame_bgr: np.ndarray) -> list[Box]:
        """Return confirmed face boxes ``(x, y, w, h)`` in frame pixels, largest first.

        ``frame_bgr``: BGR ``uint8`` array ``(height, width, 3)`` (a grey 2-D array is
        accepted too). Raises ``ValueError`` for an empty frame.
        """
        grey = frame_bgr if frame_bgr.ndim == 2 else cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2GRAY)
        height, width = grey.shape[:2]
        if height == 0 or width == 0:
            raise ValueError("empty frame")
        scale = min(1.0, self.detect_max_side / max(height, width))
        small = grey if scale == 1.0 else cv2.resize(
            grey, (max(1, round(width * scale)), max(1, round(height * scale))),
            interpolation=cv2.INTER_AREA,
        )
        min_side = max(24, int(self.min_face_fraction * small.shape[0]))
        with self._lock:
            small = self._clahe.apply(small)
            found = self._primary.detectMultiScale(
                small,
                scaleFactor=self.scale_factor,
                minNeighbors=self.min_neighbors,
                minSize=(min_side, min_side),
            )
            boxes = []
            for (x, y, w, h) in (found if len(found) else []):
                box = (
                    int(round(x / scale)), int(round(y / scale)),
                    int(round(w / scale)), int(round(h / scale)),
                )
                if self._confirmed(grey, box):
                    boxes.append(box)
        boxes.sort(key=lambda b: b[2] * b[3], reverse=True)
        return boxes

    def _confirmed(self, grey: np.ndarray, box: Box) -> bool:
        """Stage 2: the second cascade must find a face in the candidate's region."""
        x, y, w, h = box
        margin = int(round(max(w, h) * _CONFIRM_MARGIN))
        x0, y0 = max(0, x - margin), max(0, y - margin)
        x1, y1 = min(grey.shape[1], x + w + margin), min(grey.shape[0], y + h + margin)
        region = grey[y0:y1, x0:x1]
        if region.size == 0:
            return False
        region = cv2.equalizeHist(
            cv2.resize(region, (_CONFIRM_SIDE, _CONFIRM_SIDE), interpolation=cv2.INTER_AREA)
        )
        # The face fills about 1 / (1 + 2 * margin) = 2/3 of the region: 48 px of 72.
        found = self._confirm.detectMultiScale(
            region, scaleFactor=1.1, minNeighbors=2, minSize=(30, 30)
        )
        return len(found) > 0
