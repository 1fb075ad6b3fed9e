"""Fixtures for the counter-station tests: one real ``loket serve`` per session and
scikit-image photographs as camera frames."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from station_kit import start_server, stop_server  # noqa: E402


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    server = start_server(tmp_path_factory.mktemp("loket-data"))
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def astronaut_bgr() -> np.ndarray:
    """scikit-image's astronaut (a real portrait that ships offline) as a BGR frame."""
    from skimage import data
    return np.ascontiguousarray(data.astronaut()[:, :, ::-1])


@pytest.fixture(scope="session")
def coffee_bgr() -> np.ndarray:
    from skimage import data
    return np.ascontiguousarray(data.coffee()[:, :, ::-1])
