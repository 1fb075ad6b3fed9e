"""The daily report from a known day built through the API (conftest ``day``): every
figure is checked against the times the day was built with."""
from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook
from pypdf import PdfReader

from queue_server import reports
from queue_server.db.models import db

DAY = "2026-11-23"


def _pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_counter_figures_are_exact(client, tokens, day):
    data = client.get(f"/api/v1/reports/daily?date={DAY}", headers=tokens["kepala"]).get_json()
    assert data["office"] == "paser" and data["date"] == DAY and data["zone"] == "WITA"
    assert data["tickets"]["per_service_hour"] == {"KIA": {"9": 3}}
    assert data["tickets"]["total"] == 3 and data["tickets"]["never_called"] == 0
    kia = data["services"][0]
    assert kia["service"] == "KIA" and kia["name"] == "Kartu Identitas Anak (KIA)"
    # waits issued -> first call: A001 5 min, A002 4 min, A003 6 min
    assert kia["wait_seconds"] == {"count": 3, "mean": 300.0, "p50": 300.0, "p90": 348.0}
    # call -> next action: A001 10 min, A003 5 min, A002 three calls each skipped after 1 min
    assert kia["service_seconds"] == {"count": 5, "mean": 216.0, "p50": 60.0, "p90": 480.0}
    assert kia["no_shows"] == 1 and data["no_shows"] == 1
    assert kia["returned"] == 1 and data["returned"] == 1


def test_lateness_per_step_and_the_step_where_files_wait(client, tokens, day):
    data = client.get(f"/api/v1/reports/daily?date={DAY}", headers=tokens["kepala"]).get_json()
    steps = {s["step"]: s for s in data["steps"]}
    assert list(steps) == ["penerimaan", "foto", "unggah_foto", "verifikasi", "tte", "cetak", "register"]  # not the pickup step
    assert steps["penerimaan"] == {"service": "KIA", "step": "penerimaan",
                                   "step_name": "Penerimaan dan penelitian berkas", "mutu_baku_seconds": 180.0, "count": 2,
                                   "mean_seconds": 210.0, "p50_seconds": 210.0, "p90_seconds": 234.0,
                                   "mean_waiting_seconds": 0.0, "late": 1, "late_share": 0.5, "waiting_now": 0,
                                   "returned": 1, "pickup_step": False}
    assert (steps["foto"]["mean_seconds"], steps["foto"]["late"]) == (420.0, 1)
    v = steps["verifikasi"]
    assert (v["mean_seconds"], v["mean_waiting_seconds"], v["late"], v["late_share"]) == (480.0, 360.0, 1, 1.0)
    tte = steps["tte"]
    assert (tte["mean_seconds"], tte["mean_waiting_seconds"], tte["late"]) == (120.0, 60.0, 0)
    assert (steps["cetak"]["mean_seconds"], steps["cetak"]["late"]) == (180.0, 0)
    assert (steps["register"]["mean_seconds"], steps["register"]["late"]) == (60.0, 0)  # equal to mutu baku: on time
    # foto and verifikasi are both always late; verifikasi is further over its mutu baku
    assert data["latest_step"] == {"service": "KIA", "step": "verifikasi", "step_name": "Verifikasi KIA", "late": 1,
                                   "count": 1, "late_share": 1.0, "waiting_now": 0}


def test_officers_uncollected_ikm_register_distribution(client, tokens, day):
    data = client.get(f"/api/v1/reports/daily?date={DAY}", headers=tokens["kepala"]).get_json()
    officers = {o["officer"]: o for o in data["officers"]}
    assert set(officers) == {"u_operator", "u_operator2", "u_verifikator", "u_pejabat_tte", "u_petugas_cetak"}
    op1 = officers["u_operator"]
    assert (op1["counters"], op1["actions"], op1["mean_seconds"]) == ("1", 3, 200.0)  # penerimaan, foto, unggah_foto (SOP 003 row 5, instant)
    assert (op1["late"], op1["late_share"]) == (1, 0.3333)
    assert (op1["counter_services"], op1["counter_mean_seconds"]) == (1, 600.0)
    op2 = officers["u_operator2"]
    assert (op2["counters"], op2["actions"], op2["mean_seconds"], op2["late_share"]) == ("2", 1, 240.0, 1.0)
    assert (op2["counter_services"], op2["counter_mean_seconds"]) == (4, 120.0)
    assert (officers["u_verifikator"]["mean_seconds"], officers["u_verifikator"]["late"]) == (120.0, 1)
    assert (officers["u_petugas_cetak"]["actions"], officers["u_petugas_cetak"]["mean_seconds"]) == (2, 60.0)
    assert data["uncollected"] == 1
    assert data["ikm"]["respondents"] == 2 and data["ikm"]["converted"] == 87.5 and data["ikm"]["category"] == "B"
    assert data["distribution"] == {"printed": 1, "by_kecamatan": {"Batu Sopang": 1}}
    [row] = data["register"]
    assert row["no"] == 1 and row["application_code"] == day["app1"]["code"]
    assert (row["nik"], row["sex"], row["variant"], row["kecamatan"]) == ("6401014106190001", "P", 2, "Batu Sopang")
    assert (row["issued_on"], row["birth_date"], row["handed_over_on"]) == (DAY, "2019-06-01", None)


def test_printing_objects(app, day):
    office = app.extensions["loket"].office("paser")
    with db.connection_context():
        rep = reports.daily_report(office, date(2026, 11, 23))
    recap = rep.recap
    assert recap.tickets == {"KIA": {9: 3}} and recap.no_shows == 1 and recap.uncollected == 1
    assert recap.ikm_score == 87.5 and recap.ikm_category == "B (Baik)" and recap.ikm_respondents == 2
    [times] = recap.times
    assert (times.wait_p50_seconds, times.wait_p90_seconds) == (300.0, 348.0)
    assert (times.service_p50_seconds, times.service_p90_seconds) == (60.0, 480.0)
    worst = recap.worst_step()
    assert (worst.step, worst.median_seconds, worst.mutu_baku_seconds) == ("verifikasi", 480.0, 300.0)
    by_name = {o.officer: o for o in recap.officers}
    assert (by_name["u_operator"].counter, by_name["u_operator"].served) == ("1", 3)
    assert by_name["u_operator"].median_service_seconds == 180.0  # 180, 420 and the instant upload
    assert [r.collected for r in rep.distribution.rows] == [False]
    assert rep.register[0].birth_date == date(2019, 6, 1)


def test_a_day_without_data(client, tokens, day):
    data = client.get("/api/v1/reports/daily?date=2026-11-22", headers=tokens["kepala"]).get_json()
    assert data["tickets"]["total"] == 0 and data["services"] == [] and data["steps"] == []
    assert data["latest_step"] is None and data["ikm"] == {"respondents": 0} and data["register"] == []
    assert data["uncollected"] == 0  # the document became ready a day later


def test_daily_pdf_and_xlsx(client, tokens, day):
    r = client.get(f"/api/v1/reports/daily?date={DAY}&format=pdf", headers=tokens["kepala"])
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert 'filename="rekap-harian-paser-2026-11-23.pdf"' in r.headers["Content-Disposition"]
    text = _pdf_text(r.data)
    assert "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Paser" in text
    assert "REKAP HARIAN PELAYANAN" in text and "Senin, 23 November 2026" in text
    assert "87.50 - B (Baik) - 2" in text
    assert "Berkas paling banyak tertahan di langkah: verifikasi (KIA) - 1 dari 1 terlambat" in text
    assert "\n5.0\n5.8\n1.0\n8.0\n" in text  # KIA waits p50/p90, service p50/p90 in minutes
    en = _pdf_text(client.get(f"/api/v1/reports/daily?date={DAY}&format=pdf&lang=en", headers=tokens["kepala"]).data)
    assert "DAILY SERVICE RECAP" in en
    r = client.get(f"/api/v1/reports/daily?date={DAY}&format=xlsx", headers=tokens["kepala"])
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(r.data))
    summary = {row[0]: row[1] for row in wb["Ringkasan"].iter_rows(min_row=2, values_only=True)}
    assert summary["Jumlah nomor antrean"] == 3 and summary["Tidak hadir saat dipanggil"] == 1
    assert summary["Mutu IKM"] == "B (Baik)" and summary["Nilai IKM (konversi)"] == 87.5
    times = list(wb["Waktu"].iter_rows(min_row=2, values_only=True))
    assert times == [("KIA", 3, 5.0, 5.8, 1.0, 8.0)]
    steps = {row[1]: row for row in wb["Langkah SOP"].iter_rows(min_row=2, values_only=True)}
    assert steps["verifikasi"][3] == 8.0 and steps["penerimaan"][7] == 0.5


def test_distribution_and_register_formats(client, tokens, day):
    h = tokens["kepala"]
    dist = client.get(f"/api/v1/reports/distribution?date={DAY}", headers=h).get_json()
    assert dist["from"] == dist["to"] == DAY
    [group] = dist["groups"]
    assert group["kecamatan"] == "Batu Sopang" and group["rows"][0]["name"] == "Nur Aisyah Putri"
    assert group["rows"][0]["collected"] is False and group["rows"][0]["printed_on"] == DAY
    text = _pdf_text(client.get(f"/api/v1/reports/distribution?date={DAY}&format=pdf", headers=h).data)
    assert "Batu Sopang" in text and "Nur Aisyah Putri" in text
    wb = load_workbook(io.BytesIO(client.get(f"/api/v1/reports/distribution?from={DAY}&to={DAY}&format=xlsx",
                                             headers=h).data))
    assert [r[0] for r in wb.active.iter_rows(min_row=2, values_only=True)] == ["Batu Sopang"]
    reg = client.get(f"/api/v1/reports/register?from=2026-11-01&to=2026-11-30", headers=h).get_json()
    assert [r["name"] for r in reg["rows"]] == ["Nur Aisyah Putri"]
    assert client.get("/api/v1/reports/register?from=2026-11-24&to=2026-11-30", headers=h).get_json()["rows"] == []
    text = _pdf_text(client.get(f"/api/v1/reports/register?date={DAY}&format=pdf", headers=h).data)
    assert "REGISTER KARTU IDENTITAS ANAK (KIA)" in text and "6401014106190001" in text
    wb = load_workbook(io.BytesIO(client.get(f"/api/v1/reports/register?date={DAY}&format=xlsx", headers=h).data))
    [row] = list(wb.active.iter_rows(min_row=2, values_only=True))
    assert row[3] == "6401014106190001" and row[5] == "P" and row[9] == 2


def test_a_file_still_at_a_step_at_the_end_of_the_day_counts_as_waiting(client, tokens, day):
    from queue_server.db.models import Application, KartuKendali

    next_morning = reports.day_bounds(client.application.extensions["loket"].office("paser"), date(2026, 11, 24))[0]
    with db.connection_context():
        app = Application.get(Application.code == day["app1"]["code"])
        n = (KartuKendali.update(ended_at=next_morning + 3600, started_at=next_morning + 600)
             .where((KartuKendali.application == app) & (KartuKendali.step == "verifikasi")).execute())
        assert n == 1
    data = client.get(f"/api/v1/reports/daily?date={DAY}", headers=tokens["kepala"]).get_json()
    v = {s["step"]: s for s in data["steps"]}["verifikasi"]
    assert (v["count"], v["waiting_now"], v["late"]) == (0, 1, 0)
    nxt = client.get("/api/v1/reports/daily?date=2026-11-24", headers=tokens["kepala"]).get_json()
    v = {s["step"]: s for s in nxt["steps"]}["verifikasi"]
    # arrived 09:15 the day before, started 00:10, ended 01:00: far over the mutu baku; 14 h 55 min waiting
    assert (v["count"], v["late"], v["mean_waiting_seconds"]) == (1, 1, (14 * 60 + 55) * 60)
