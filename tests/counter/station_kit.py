"""Helpers for the counter-station tests: a real ``loket serve`` on 127.0.0.1 with one
staff account per station role and a kiosk token, and test data (importable: the
conftest puts this folder on sys.path)."""
from __future__ import annotations

from dataclasses import dataclass, field

from loket.devserver import DevServer

import requests

PASSWORD = "rahasia-123"
ROLES = ("operator", "verifikator", "pejabat_tte", "petugas_cetak", "petugas_distribusi")
FULL_NAMES = {"operator": "Ani Rahmawati", "verifikator": "Budi Hartono, S.Kom.", "pejabat_tte": "Dr. H. Andi Rahman",
              "petugas_cetak": "Dewi Lestari", "petugas_distribusi": "Rudi Saputra"}
#: A 7-year-old (KIA variant 2, photo) on any date in 2026-2027.
KIA_7Y = {"birth_date": "2019-06-01", "reason": "baru"}
CHILD = {"name": "Rizky Pratama", "nik": "6401040106190001", "birth_date": "2019-06-01",
         "phone": "081234567890", "kecamatan_code": "64.01.04"}
CARD_DATA = {"birth_place": "Tanah Grogot", "kk_number": "6401040101180003", "head_of_family": "Ahmad Syahputra",
             "birth_certificate_number": "6401-LT-01062019-0012", "religion": "Islam",
             "address": "Jl. Jenderal Sudirman No. 12, Tanah Grogot", "head_name": "Dr. H. Andi Rahman, M.Si."}


@dataclass
class LiveServer:
    url: str
    proc: DevServer
    kiosk: dict = field(default_factory=dict)

    def username(self, role: str) -> str:
        return f"st_{role}"

    def issue(self, service: str = "KIA", answers: dict | None = None) -> dict:
        """Issue a ticket as the kiosk; returns the ticket JSON."""
        r = requests.post(f"{self.url}/api/v1/tickets", headers=self.kiosk, timeout=10,
                          json={"service": service, "answers": dict(KIA_7Y) if answers is None else answers})
        assert r.status_code == 201, r.text
        return r.json()

    def token(self, role: str) -> dict:
        r = requests.post(f"{self.url}/api/v1/auth/login", timeout=10,
                          json={"username": self.username(role), "password": PASSWORD})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}

    def get(self, path: str, role: str = "operator") -> dict:
        r = requests.get(f"{self.url}/api/v1{path}", headers=self.token(role), timeout=10)
        assert r.status_code == 200, r.text
        return r.json()


def start_server(data_dir, prepare=None) -> LiveServer:
    """``loket init`` + ``loket serve --ignore-hours`` on a free loopback port; staff
    accounts and the kiosk token through the admin API. ``prepare(data_dir)`` runs
    between the two (e.g. to edit the office files)."""
    server = DevServer(data_dir, workers=None, threads=None, log=data_dir / "serve.log")
    server.init("admin-pass-1")
    if prepare is not None:
        prepare(data_dir)
    server.start(timeout=30)
    url = server.url
    admin = requests.post(f"{url}/api/v1/auth/login", json={"username": "admin", "password": "admin-pass-1"},
                          timeout=10).json()["token"]
    h = {"Authorization": f"Bearer {admin}"}
    for role in ROLES:
        r = requests.post(f"{url}/api/v1/staff", headers=h, timeout=10,
                          json={"username": f"st_{role}", "role": role, "password": PASSWORD, "office": "paser",
                                "full_name": FULL_NAMES[role]})
        assert r.status_code == 201, r.text
    r = requests.post(f"{url}/api/v1/devices", headers=h, json={"role": "kiosk", "name": "kios-1", "office": "paser"},
                      timeout=10)
    assert r.status_code == 201, r.text
    return LiveServer(url, server, {"Authorization": f"Bearer {r.json()['token']}"})


def stop_server(server: LiveServer) -> None:
    """Stop the server (SIGTERM, then SIGKILL)."""
    server.proc.stop(timeout=10)
