"""Benchmark of the counter station's photo pipeline (counter.photo).

Measures the full per-frame work of the live preview — two-stage Haar face
detection, the checks (size, framing, exposure, blur) and the pass-photo crop at
the office ratio — on a 640×480 frame built from ``skimage.data.astronaut()``
(scaled to 448 px and placed with 32 px headroom, the picture edges replicated),
shifted by a few pixels per frame so consecutive frames differ like a live feed.

Usage::

    python bench/bench_photo.py [--frames 300] [--ratio 3x4] [--threads 2]

Prints the median and 90th-percentile time per frame (ms) and the median frames
per second, for the full pipeline and for detection alone. Target: ≥ 15 fps with
detection on, on 2 cores. Not a test: numbers depend on the machine.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from skimage import data

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from counter.photo import FaceDetector, PhotoPolicy, analyse  # noqa: E402


def bench_frame() -> np.ndarray:
    """640×480 BGR frame: the astronaut at 448×448, 96 px from the left, 32 px from the top."""
    portrait = cv2.resize(cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR), (448, 448),
                          interpolation=cv2.INTER_AREA)
    return cv2.copyMakeBorder(portrait, 32, 0, 96, 96, cv2.BORDER_REPLICATE)


def frames(base: np.ndarray, count: int) -> list[np.ndarray]:
    """``count`` frames, each shifted by up to ±3 px (deterministic)."""
    out = []
    for i in range(count):
        dx, dy = (i % 7) - 3, (i % 5) - 2
        matrix = np.float32([[1, 0, dx], [0, 1, dy]])
        out.append(cv2.warpAffine(base, matrix, (base.shape[1], base.shape[0]),
                                  borderMode=cv2.BORDER_REPLICATE))
    return out


def timed(function, inputs) -> list[float]:
    """Milliseconds per call."""
    times = []
    for item in inputs:
        start = time.perf_counter()
        function(item)
        times.append((time.perf_counter() - start) * 1000.0)
    return times


def report(label: str, times: list[float]) -> float:
    median = statistics.median(times)
    p90 = statistics.quantiles(times, n=10)[-1]
    fps = 1000.0 / median
    print(f"{label:<34} median {median:6.1f} ms   p90 {p90:6.1f} ms   {fps:6.1f} fps")
    return fps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--ratio", default="3x4", choices=["2x3", "3x4", "4x6"])
    parser.add_argument("--threads", type=int, default=2, help="OpenCV worker threads")
    args = parser.parse_args(argv)

    cv2.setNumThreads(args.threads)
    policy = PhotoPolicy(ratio=args.ratio)
    detector = FaceDetector()
    inputs = frames(bench_frame(), args.frames)

    check = analyse(inputs[0], policy, detector=detector)
    if not check.ok:
        print(f"bench frame refused: {check.codes}", file=sys.stderr)
        return 1
    accepted = sum(analyse(f, policy, detector=detector).ok for f in inputs[:20])

    for frame in inputs[:10]:  # warm-up
        analyse(frame, policy, detector=detector)
    print(f"OpenCV {cv2.__version__}, {cv2.getNumThreads()} threads, {args.frames} frames 640x480, "
          f"ratio {args.ratio} -> {policy.output_size[0]}x{policy.output_size[1]} px; "
          f"{accepted}/20 sample frames accepted")
    report("detection only", timed(detector.detect, inputs))
    fps = report("full pipeline (detect+checks+crop)",
                 timed(lambda f: analyse(f, policy, detector=detector), inputs))
    print("target >= 15 fps:", "met" if fps >= 15 else "NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
