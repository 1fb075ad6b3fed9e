"""Shared images for the photo pipeline tests: scikit-image's bundled sample photos
(offline), converted from RGB to OpenCV's BGR order."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
from skimage import data


def _bgr(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:
    """512×512 studio portrait (Eileen Collins), BGR; face box about 100 px."""
    return _bgr(data.astronaut())


@pytest.fixture(scope="session")
def chelsea() -> np.ndarray:
    """A cat: must not be taken for a face."""
    return _bgr(data.chelsea())


@pytest.fixture(scope="session")
def coffee() -> np.ndarray:
    """A cup of coffee: must not be taken for a face."""
    return _bgr(data.coffee())
