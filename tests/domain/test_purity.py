"""queue_server.domain and client.protocol stay pure Python: no web, database, GUI,
camera or HTTP imports, for every module found on disk (a new module is checked
without editing this test)."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = sorted(p.stem for p in (ROOT / "queue_server" / "domain").glob("*.py") if p.stem != "__init__")
PURE = [f"queue_server.domain.{m}" for m in DOMAIN] + ["client.protocol"]
FORBIDDEN = ["flask", "apiflask", "peewee", "kivy", "cv2", "werkzeug", "requests", "reportlab", "escpos"]


def test_every_domain_module_is_found():
    assert {"nik", "kia", "ikd", "ikm", "requirements", "workflow", "routing", "office", "staffing",
            "priority", "roles", "errors"} <= set(DOMAIN)


def test_pure_modules_import_no_framework():
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in PURE)
        + f"print(','.join(sorted(m for m in {FORBIDDEN!r} if m in sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
