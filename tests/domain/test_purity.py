"""queue_server.domain stays pure Python: no web, database, GUI or camera imports."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODULES = ["errors", "nik", "kia", "ikd", "ikm", "requirements", "workflow", "routing"]
FORBIDDEN = ["flask", "apiflask", "peewee", "kivy", "cv2", "werkzeug"]


def test_domain_imports_no_framework():
    code = (
        "import sys\n"
        + "".join(f"import queue_server.domain.{m}\n" for m in MODULES)
        + f"print(','.join(sorted(m for m in {FORBIDDEN!r} if m in sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
