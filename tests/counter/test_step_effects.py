"""An office whose KIA steps carry other codes than the shipped file's (``terima_berkas``,
``foto_anak``, ``periksa``, ``setuju_tte``, ``cetak_kia``, ``catat_register``, ``serah``)
runs the whole KIA flow through the station: the server and the station branch on each
step's ``effect``, never on its code (issue 10). Also: the card step records first,
then prints, and a print fault leaves a record that prints again without a new one."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from station_kit import CARD_DATA, CHILD, KIA_7Y, PASSWORD, start_server, stop_server

from counter import HANDOVER, LOKET, StationClient, StationController
from counter.photo import ArrayCamera, PhotoPolicy
from printing.uri import open_printer

RENAMED = {"penerimaan": "terima_berkas", "foto": "foto_anak", "unggah_foto": "unggah_siak", "verifikasi": "periksa",
           "tte": "setuju_tte", "cetak": "cetak_kia", "register": "catat_register", "penyerahan": "serah"}


def rename_kia_steps(data_dir: Path) -> None:
    """Give the KIA service's steps other codes (and the counters that serve them)."""
    offices = data_dir / "offices"
    for other in offices.glob("*.toml"):
        if other.name != "default.toml":
            other.unlink()  # the UPTD file names the shipped codes
    path = offices / "default.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index('code = "KIA"')
    end = text.index("[[services]]", start)
    kia = text[start:end]
    for old, new in RENAMED.items():
        kia = kia.replace(f'code = "{old}"', f'code = "{new}"')
    text = text[:start] + kia + text[end:]
    text = re.sub(r'"KIA:(\w+)"', lambda m: f'"KIA:{RENAMED.get(m.group(1), m.group(1))}"', text)
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def renamed_server(tmp_path_factory):
    server = start_server(tmp_path_factory.mktemp("renamed-office"), prepare=rename_kia_steps)
    yield server
    stop_server(server)


def station(server, role, **kw):
    ctl = StationController(StationClient(server.url, timeout=10), **kw)
    assert ctl.login(server.username(role), PASSWORD), ctl.login_message
    return ctl


def test_the_full_kia_flow_runs_on_step_codes_of_the_offices_own(renamed_server, astronaut_bgr, tmp_path):
    server = renamed_server
    services = {s["code"]: s for s in server.get("/services")["services"]}
    kia_steps = [(st["code"], st["effect"]) for st in services["KIA"]["steps"]]
    assert kia_steps == [("terima_berkas", None), ("foto_anak", "photo"), ("unggah_siak", None), ("periksa", None),
                         ("setuju_tte", "tte"), ("cetak_kia", "card_print"), ("catat_register", "register"),
                         ("serah", "handover")]
    ticket = server.issue("KIA")
    slips = open_printer("dummy://")
    op = station(server, "operator", counter="1", printer=slips, camera=ArrayCamera([astronaut_bgr]),
                 photo_policy=PhotoPolicy(ratio="4x6"))
    assert op.modes[0] == LOKET
    op.call_number(ticket["number"])
    app = op.add_application("KIA", KIA_7Y, CHILD)
    assert app["step"] == "terima_berkas"
    for item in op.checklist():
        op.set_present(item["code"], True)
    assert op.submit_verification() == "forwarded"
    assert op.application["step"] == "foto_anak" and op.needs_photo()
    assert op.capture_photo().ok
    assert op.accept_photo()["step"] == "unggah_siak"
    assert slips.jobs == []
    assert op.complete_counter_step()["step"] == "periksa"
    assert len(slips.jobs) == 1  # the pickup slip, once the counter part is done
    assert op.pickup_place("KIA").startswith("Loket 5")  # the counter serving the step whose effect is handover
    op.finish()

    ver = station(server, "verifikator")
    assert ver.modes[0] == "periksa" and ver.mode_label("periksa") == "Verifikasi KIA"
    ver.take(app["id"])
    assert ver.approve()["step"] == "setuju_tte"
    tte = station(server, "pejabat_tte")
    tte.take(app["id"])
    assert tte.approve()["step"] == "cetak_kia"

    bad_spool = tmp_path / "not-a-folder"
    bad_spool.write_text("a file where the spool folder should be")
    cetak = station(server, "petugas_cetak", card_output=f"spool://{bad_spool}")
    assert cetak.modes[:2] == ("cetak_kia", "catat_register") and cetak.is_card_step()
    cetak.take(app["id"])
    assert cetak.print_card(CARD_DATA, "KIA-BLK-0900") is None  # the card did not print ...
    assert cetak.notice.kind == "error" and "sudah dicatat" in cetak.notice.text
    recorded = server.get(f"/applications/{app['id']}")
    assert recorded["card_serial"] == "KIA-BLK-0900" and recorded["step"] == "catat_register"  # ... but was recorded
    assert cetak.pending_card is not None
    cetak.card_output = f"spool://{tmp_path / 'cards'}"
    where = cetak.retry_card_print()
    assert where and Path(where).read_bytes().startswith(b"%PDF") and cetak.pending_card is None
    assert server.get(f"/applications/{app['id']}")["card_serial"] == "KIA-BLK-0900"  # no second record

    cetak.open_mode("catat_register")
    cetak.take(app["id"])
    assert cetak.register()["state"] == "ready_for_pickup"

    dist = station(server, "operator", counter="5", printer=open_printer("dummy://"))
    assert HANDOVER in dist.modes
    dist.open_mode(HANDOVER)
    assert dist.find_pickup(app["code"])["state"] == "ready_for_pickup"
    done = dist.hand_over("Siti Aminah", "Orang tua", True)
    assert done["state"] == "handed_over"
    steps = [k["step"] for k in server.get(f"/applications/{app['id']}")["kartu_kendali"]]
    assert steps == ["terima_berkas", "foto_anak", "unggah_siak", "periksa", "setuju_tte", "cetak_kia",
                     "catat_register", "serah"]


def test_effects_are_checked_when_the_office_file_is_read(tmp_path):
    from queue_server.config import OfficeConfigError, load_offices
    src = Path(__file__).resolve().parents[2] / "assets" / "offices" / "default.toml"
    text = src.read_text(encoding="utf-8")
    bad = text.replace('effect = "photo"', 'effect = "foto"', 1).replace('effect = "register"', 'effect = "photo"', 1)
    (tmp_path / "default.toml").write_text(bad, encoding="utf-8")
    with pytest.raises(OfficeConfigError) as err:
        load_offices(tmp_path)
    text = str(err.value)
    assert "services[KIA].steps[2].effect: efek 'foto' tidak dikenal" in text
    assert "services[KIA].steps[7].effect: efek 'photo' hanya untuk langkah di loket" in text
