"""Counter-station photo pipeline (issue 5 §2): camera adapters, face detection,
pass-photo checks and crop, and a live preview thread.

Pure numpy/OpenCV (opencv-python-headless); never imports Kivy or Flask, so it runs
headless and in tests. See ``pipeline`` for the pass-photo proportions.
"""
from .camera import (
    ArrayCamera,
    Camera,
    CameraError,
    CameraNotFound,
    FileCamera,
    OpenCVCamera,
    open_camera,
)
from .detect import FaceDetector
from .pipeline import (
    COLOURS,
    RATIOS,
    REASON_CODES,
    BackgroundRule,
    PhotoPolicy,
    PhotoResult,
    Reason,
    analyse,
    crop_rect,
    sharpness,
)
from .preview import LivePreview, PreviewFrame

__all__ = [
    "ArrayCamera",
    "BackgroundRule",
    "COLOURS",
    "Camera",
    "CameraError",
    "CameraNotFound",
    "FaceDetector",
    "FileCamera",
    "LivePreview",
    "OpenCVCamera",
    "PhotoPolicy",
    "PhotoResult",
    "PreviewFrame",
    "RATIOS",
    "REASON_CODES",
    "Reason",
    "analyse",
    "crop_rect",
    "open_camera",
    "sharpness",
]
