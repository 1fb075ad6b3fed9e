"""#18 item 3: ``loket simulate`` uses only run-time dependencies (the README's install has
no scikit-image): the simulation imports and makes its KIA photo with the test-only
packages hidden."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CODE = """
import sys
for name in ("skimage", "pytest"):
    sys.modules[name] = None  # an import of it now fails, as on a run-time-only install
import io
from PIL import Image
import simulation.cli, simulation.day
from simulation.actors import _photo
img = Image.open(io.BytesIO(_photo()))
print(img.format, img.size)
"""


def test_the_simulation_needs_no_test_only_package():
    r = subprocess.run([sys.executable, "-c", CODE], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "JPEG (400, 600)"
