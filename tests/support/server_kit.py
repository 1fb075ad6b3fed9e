"""Shared helpers for server tests (importable: pytest adds tests/support to sys.path)."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[2]
OFFICES = REPO / "assets" / "offices"
WITA = ZoneInfo("Asia/Makassar")
MONDAY_0900 = datetime(2026, 11, 23, 9, 0, tzinfo=WITA).timestamp()
PASSWORD = "rahasia-123"
#: What the printing officer keys from SIAK at a KIA's print step (``domain.kia.CARD_FIELDS``).
KIA_CARD = {"birth_place": "Tanah Grogot", "kk_number": "6401040101180003", "head_of_family": "Ahmad Syahputra",
            "birth_certificate_number": "6401-LT-15062019-0007", "religion": "Islam",
            "address": "Jl. Kusuma Bangsa No. 3, Tanah Grogot"}
KIA_7Y = {"birth_date": "2019-06-01", "reason": "baru"}


def issue(client, tokens, service="KIA", **body):
    """POST a ticket with the kiosk token; returns the response."""
    payload = {"service": service, **body}
    if service == "KIA" and "answers" not in body:
        payload["answers"] = dict(KIA_7Y)
    return client.post("/api/v1/tickets", json=payload, headers=tokens["kiosk"])


CHILD = {"name": "Nur Aisyah", "nik": "6401045506190003", "birth_date": "2019-06-15", "phone": "081234567890",
         "kecamatan_code": "64.01.04"}  # day 55 = 15 + 40: a girl


def jpeg() -> bytes:
    """A small valid JPEG (a child's photo stand-in)."""
    import io

    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (300, 400), (30, 90, 200)).save(buf, "JPEG")
    return buf.getvalue()


def step(client, tokens, role, app, code, **body):
    """Complete step ``code`` of berkas ``app`` as ``role`` (outcome "done" unless given)."""
    body.setdefault("outcome", "done")
    return client.post(f"/api/v1/applications/{app['id']}/steps/{code}/complete", json=body, headers=tokens[role])


def with_notifications(offices_dir, extra: str) -> None:
    """Append ``extra`` (a ``[notifications]`` table) to the test's copy of default.toml."""
    path = offices_dir / "default.toml"
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")


def login_tokens(app, office: str = "paser", prefix: str = "u", now: float = MONDAY_0900) -> dict:
    """Bearer headers for every role, as the ``tokens`` fixture makes them, for an app
    made inside the test: staff ``{prefix}_{role}`` and devices of ``office``."""
    from queue_server.auth import create_device_token, create_staff, login
    from queue_server.db.models import db
    from queue_server.domain import roles
    out = {}
    with app.app_context(), db.connection_context():
        for role in roles.STAFF_ROLES:
            create_staff(f"{prefix}_{role}", role, PASSWORD, full_name=f"Petugas {role}", office=office)
            token, _ = login(f"{prefix}_{role}", PASSWORD, now=now)
            out[role] = {"Authorization": f"Bearer {token}"}
        for role in roles.DEVICE_ROLES:
            out[role] = {"Authorization": f"Bearer {create_device_token(role, f'{role}-1' if prefix == 'u' else f'{prefix}-{role}-1', office=office)}"}
    return out
