"""Camera adapters: FileCamera (PNG and MJPG/AVI), ArrayCamera, OpenCVCamera, open_camera."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from counter.photo import (
    ArrayCamera,
    CameraError,
    CameraNotFound,
    FileCamera,
    OpenCVCamera,
    open_camera,
)


def _write_video(path, levels, size=(64, 48)) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, size)
    assert writer.isOpened()
    for level in levels:
        writer.write(np.full((size[1], size[0], 3), level, np.uint8))
    writer.release()


def test_file_camera_png(tmp_path, astronaut):
    path = tmp_path / "child.png"
    assert cv2.imwrite(str(path), astronaut)
    camera = FileCamera(path)
    assert camera.size is None and not camera.is_open
    with camera as cam:
        first = cam.read()
        second = cam.read()
        assert cam.size == (512, 512)
    assert not camera.is_open
    assert first.dtype == np.uint8 and first.shape == (512, 512, 3)
    assert np.array_equal(first, astronaut)  # PNG is lossless, BGR order kept
    first[:] = 0
    assert np.array_equal(second, astronaut)  # each read is a copy


def test_file_camera_video_loops(tmp_path):
    path = tmp_path / "session.avi"
    levels = [20, 70, 120, 170, 220]
    _write_video(path, levels)
    with FileCamera(path) as camera:
        means = [float(camera.read().mean()) for _ in range(8)]
        assert camera.size == (64, 48)
    expected = levels + levels[:3]
    assert means == pytest.approx(expected, abs=6)


def test_file_camera_missing_file(tmp_path):
    camera = FileCamera(tmp_path / "missing.png")
    with pytest.raises(CameraNotFound) as info:
        camera.open()
    assert info.value.code == "not_found"
    assert "tidak dapat dibuka" in info.value.message_id
    assert "Cannot open" in info.value.message_en
    assert not camera.is_open


def test_file_camera_unreadable_video(tmp_path):
    path = tmp_path / "broken.avi"
    path.write_bytes(b"not a video at all")
    with pytest.raises(CameraNotFound):
        FileCamera(path).open()


def test_array_camera_cycles_and_counts(astronaut):
    grey = np.full((48, 64), 90, np.uint8)
    camera = ArrayCamera([astronaut, grey])
    with pytest.raises(CameraError) as info:
        camera.read()
    assert info.value.code == "not_open"
    with camera:
        frames = [camera.read() for _ in range(3)]
    assert frames[0].shape == (512, 512, 3)
    assert frames[1].shape == (48, 64, 3)  # grey expanded to BGR
    assert np.array_equal(frames[2], astronaut)
    assert camera.reads == 3


def test_array_camera_without_loop_runs_out(astronaut):
    with ArrayCamera([astronaut], loop=False) as camera:
        camera.read()
        with pytest.raises(CameraNotFound):
            camera.read()


def test_array_camera_rejects_bad_frames():
    with pytest.raises(ValueError):
        ArrayCamera([])
    with pytest.raises(CameraError) as info:
        ArrayCamera([np.zeros((4, 4, 3), np.float32)])
    assert info.value.code == "invalid_frame"


def test_opencv_camera_missing_device():
    camera = OpenCVCamera(index=99)
    with pytest.raises(CameraNotFound) as info:
        camera.open()
    error = info.value
    assert error.code == "not_found"
    assert error.message_id.startswith("Kamera nomor 99 tidak ditemukan")
    assert error.message_en.startswith("Camera 99 was not found")
    assert error.message("en") == error.message_en and error.message() == error.message_id
    assert error.message_id in str(error) and error.message_en in str(error)
    assert not camera.is_open
    with pytest.raises(ValueError):
        OpenCVCamera(index=-1)


def test_open_camera_uris(tmp_path):
    webcam = open_camera("webcam://0")
    assert isinstance(webcam, OpenCVCamera)
    assert (webcam.index, webcam.width, webcam.height) == (0, 640, 480)
    hd = open_camera("webcam://2?width=1280&height=720")
    assert (hd.index, hd.width, hd.height) == (2, 1280, 720)
    relative = open_camera("file://photos/child.png")
    assert isinstance(relative, FileCamera) and relative.path.as_posix() == "photos/child.png"
    absolute = open_camera(f"file://{tmp_path.as_posix()}/x.avi")
    assert isinstance(absolute, FileCamera) and absolute.path == tmp_path / "x.avi"
    for bad in ("rtsp://cam", "webcam://front", "webcam://0?fps=30", "webcam://0?width=wide", "file://", ""):
        with pytest.raises(CameraError) as info:
            open_camera(bad)
        assert info.value.code == "invalid_uri"
