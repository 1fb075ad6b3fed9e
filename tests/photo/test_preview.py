"""LivePreview: background reading and analysis with a fake camera."""
from __future__ import annotations

import threading
import time

import pytest

from counter.photo import ArrayCamera, CameraNotFound, LivePreview, PhotoPolicy


def test_preview_analyses_every_nth_frame_and_reports(astronaut, chelsea):
    camera = ArrayCamera([astronaut, chelsea])
    seen = []
    threads = set()

    def on_frame(item):
        seen.append(item)
        threads.add(threading.current_thread().name)

    preview = LivePreview(camera, PhotoPolicy(ratio="3x4"), fps=100, analyse_every=2, on_frame=on_frame)
    with preview:
        assert preview.running and camera.is_open
        assert preview.wait_for_frame(after_index=5, timeout=20) is not None
    assert not preview.running
    assert not camera.is_open  # opened by the preview, so closed by it
    assert preview.error is None
    assert threads == {"loket-photo-preview"}
    assert len(seen) == preview.frames_read >= 6
    assert [item.index for item in seen] == list(range(len(seen)))
    # Frames 0, 2, 4... are analysed (all astronauts); odd frames (cats) keep the last result.
    assert all(item.analysed == (item.index % 2 == 0) for item in seen)
    assert preview.frames_analysed == (len(seen) + 1) // 2
    assert all(item.result.ok for item in seen)
    accepted = preview.last_accepted()
    assert accepted is not None and accepted.analysed and accepted.result.crop.shape == (472, 354, 3)
    assert preview.latest() is seen[-1]
    assert preview.measured_fps > 0


def test_preview_holds_the_target_fps(chelsea):
    preview = LivePreview(ArrayCamera([chelsea]), fps=10)
    preview.start()
    time.sleep(0.65)
    preview.stop()
    # About 7 frames at 10 fps in 0.65 s, never a burst (never faster than the target).
    # A loaded machine may read fewer: the frame rate itself is measured in bench/bench_photo.py.
    assert 1 <= preview.frames_read <= 9


def test_preview_keeps_a_camera_opened_by_the_caller(chelsea):
    camera = ArrayCamera([chelsea]).open()
    preview = LivePreview(camera, fps=50).start()
    assert preview.wait_for_frame(timeout=10) is not None
    preview.stop()
    preview.stop()  # idempotent
    assert camera.is_open
    camera.close()


def test_preview_reports_camera_failure(astronaut):
    errors = []
    failed = threading.Event()

    def on_error(exc):
        errors.append(exc)
        failed.set()

    preview = LivePreview(ArrayCamera([astronaut], loop=False), fps=50, on_error=on_error).start()
    assert failed.wait(10)
    preview.stop()
    assert len(errors) == 1 and isinstance(errors[0], CameraNotFound)
    assert preview.error is errors[0]
    assert not preview.running
    assert preview.frames_read == 1
    assert preview.wait_for_frame(after_index=0, timeout=0.1) is None


def test_preview_start_twice_and_bad_arguments(chelsea):
    preview = LivePreview(ArrayCamera([chelsea]), fps=20).start()
    try:
        with pytest.raises(RuntimeError):
            preview.start()
    finally:
        preview.stop()
    with pytest.raises(ValueError):
        LivePreview(ArrayCamera([chelsea]), fps=0)
    with pytest.raises(ValueError):
        LivePreview(ArrayCamera([chelsea]), analyse_every=0)


def test_preview_over_a_recorded_video(tmp_path, astronaut):
    """End to end: an MJPG/AVI recording of a child at the counter, replayed by FileCamera."""
    import cv2

    from counter.photo import FileCamera

    path = tmp_path / "counter.avi"
    frame = cv2.copyMakeBorder(cv2.resize(astronaut, (448, 448), interpolation=cv2.INTER_AREA),
                               32, 0, 96, 96, cv2.BORDER_REPLICATE)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 15.0, (640, 480))
    for _ in range(3):
        writer.write(frame)
    writer.release()
    with LivePreview(FileCamera(path), PhotoPolicy(ratio="4x6"), fps=60) as preview:
        item = preview.wait_for_frame(after_index=4, timeout=20)
    assert item is not None and item.frame.shape == (480, 640, 3)
    assert item.result.ok, item.result.codes
    assert preview.last_accepted().result.to_jpeg()[:2] == b"\xff\xd8"
