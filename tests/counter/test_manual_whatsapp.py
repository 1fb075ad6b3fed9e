"""The hand-over counter's manual WhatsApp list (issue 14, ``wa_manual``) against a real
``loket serve`` whose office sends WhatsApp by hand: the citizen consents at the
counter, the berkas is returned incomplete, the message waits in the station with its
wa.me link, the officer opens it and marks it sent."""
from __future__ import annotations

import pytest
import requests

from counter import StationClient, StationController
from station_kit import CHILD, KIA_7Y, PASSWORD, start_server, stop_server


@pytest.fixture(scope="module")
def manual_server(tmp_path_factory):
    def prepare(data_dir):
        office = data_dir / "offices" / "default.toml"
        office.write_text(office.read_text(encoding="utf-8") + '\n[notifications]\nchannels = ["wa_manual"]\n',
                          encoding="utf-8")
    server = start_server(tmp_path_factory.mktemp("manual-wa"), prepare=prepare)
    yield server
    stop_server(server)


def test_consent_at_the_counter_then_the_message_is_sent_by_hand(manual_server):
    server = manual_server
    ticket = server.issue("KIA", dict(KIA_7Y))
    op = StationController(StationClient(server.url, timeout=10), counter="2")
    assert op.login(server.username("operator"), PASSWORD), op.login_message
    assert op.office_notifies()
    op.call_number(ticket["number"])
    app = op.add_application("KIA", dict(KIA_7Y), {**CHILD, "notify": True, "email": ""})
    assert app is not None and app["applicant"]["notify"] is True, op.notice
    r = requests.post(f"{server.url}/api/v1/applications/{app['id']}/verify", json={"present": []},
                      headers=server.token("operator"), timeout=10)
    assert r.status_code == 200 and r.json()["state"] == "returned"
    opened: list[str] = []
    op.open_url = opened.append
    op.open_mode("handover")
    [msg] = op.manual
    assert msg["kind"] == "berkas_returned" and msg["recipient"] == "+6281234567890"
    assert op.open_manual(msg["id"]) and opened == [msg["link"]]
    assert opened[0].startswith("https://wa.me/6281234567890?text=")
    done = op.manual_sent(msg["id"])
    assert done["state"] == "sent" and done["sent_by"] == server.username("operator")
    assert op.manual == [] and not op.open_manual(msg["id"])
    assert op.load_manual() == []
