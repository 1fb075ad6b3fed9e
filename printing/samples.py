"""Deterministic sample documents for ``loket printer test``, ``loket card sample``,
the demo and the bench. All people and numbers are fictitious (NIKs follow the
DOMAIN.md format and agree with the sex and birth date printed: ``6401010512150003`` =
male, born 2015-12-05, first registered in 64.01.01 Tanah Grogot)."""
from __future__ import annotations

import io
import random
from datetime import date, datetime, timedelta, timezone

from PIL import Image, ImageDraw

from .model import (DailyRecap, DistributionRecap, DistributionRow, HandoverReceipt,
                    IkmInvitation, KiaCard, OfficerStat, PickupSlip, RegisterRow,
                    RejectionSlip, ServiceTimes, StepLateness, Ticket)

WITA = timezone(timedelta(hours=8), "WITA")
OFFICE = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Paser"
OFFICE_SHORT = "Disdukcapil Paser"
LONG_NAME = "Muhammad Al-Fatih Ramadhan Syahputra Nasution"
_AT = datetime(2024, 3, 4, 9, 15, tzinfo=WITA)


def _t(lang: str, id_text: str, en_text: str) -> str:
    return en_text if lang == "en" else id_text


def sample_ticket(lang: str = "id") -> Ticket:
    """A KIA ticket with three checklist items and a status QR."""
    return Ticket(OFFICE, OFFICE_SHORT, _t(lang, "Kartu Identitas Anak (KIA)", "Child ID card (KIA)"),
                  "A012", _AT, "WITA", 3, 900,
                  (_t(lang, "Fotokopi akta kelahiran (asli ditunjukkan)",
                      "Copy of the birth certificate (show the original)"),
                   _t(lang, "Kartu Keluarga orang tua/wali", "Parents'/guardian's family card (KK)"),
                   _t(lang, "Pas foto berwarna 3x4 (anak usia 5 tahun ke atas)",
                      "Colour photo 3x4 (children aged 5 and over)")),
                  "X7K2P", "http://loket.local/s/X7K2P", lang)


def sample_rejection(lang: str = "id") -> RejectionSlip:
    """A returned berkas with two missing requirements."""
    return RejectionSlip(OFFICE, OFFICE_SHORT, "KIA", "A012", _AT + timedelta(minutes=20), "WITA",
                         (_t(lang, "Fotokopi akta kelahiran", "Copy of the birth certificate"),
                          _t(lang, "Pas foto berwarna 3x4", "Colour photo 3x4")),
                         "Ni Luh Putu Ayu Ketut", "2", lang=lang)


def sample_pickup(lang: str = "id") -> PickupSlip:
    """A pickup slip at a kecamatan distribution point (SOP 001)."""
    return PickupSlip(OFFICE, OFFICE_SHORT, "KIA-2024-000123", LONG_NAME,
                      (_t(lang, "Kartu Identitas Anak", "Child ID card (KIA)"),),
                      date(2024, 3, 5), "kecamatan", "UPTD Kecamatan Tanah Grogot",
                      _AT + timedelta(minutes=25), "WITA",
                      (_t(lang, "Slip ini", "This slip"),), lang=lang)


def sample_handover(lang: str = "id") -> HandoverReceipt:
    """A hand-over to the mother."""
    return HandoverReceipt(OFFICE, OFFICE_SHORT, "KIA-2024-000123",
                           _t(lang, "Kartu Identitas Anak", "Child ID card (KIA)"), "Siti Nurhaliza",
                           _t(lang, "Ibu kandung", "Mother"), "Ni Luh Putu Ayu Ketut",
                           _AT + timedelta(days=1), "WITA", LONG_NAME, lang)


def sample_ikm(lang: str = "id") -> IkmInvitation:
    """An IKM survey invitation."""
    return IkmInvitation(OFFICE, OFFICE_SHORT, "http://loket.local/ikm/Q9K3", "Q9K3", "KIA", lang)


def sample_photo_jpeg(width: int = 300, height: int = 400) -> bytes:
    """A neutral placeholder portrait (JPEG bytes): a silhouette on a red background
    (Dukcapil pass photos use red or blue backgrounds by birth year)."""
    img = Image.new("RGB", (width, height), (190, 30, 45))
    draw = ImageDraw.Draw(img)
    cx = width // 2
    draw.ellipse([cx - width * 0.22, height * 0.18, cx + width * 0.22, height * 0.55], fill=(235, 200, 170))
    draw.ellipse([cx - width * 0.45, height * 0.6, cx + width * 0.45, height * 1.25], fill=(250, 250, 250))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return out.getvalue()


def sample_card(variant: int = 2) -> KiaCard:
    """A KIA of variant 1 (born 2021, no photo) or 2 (born 2015, photo)."""
    if variant == 1:
        nik, born, valid, name, photo = "6401014507210002", date(2021, 7, 5), date(2026, 7, 5), \
            "Ni Luh Putu Ayu Ketut", None
    else:
        nik, born, valid, name, photo = "6401010512150003", date(2015, 12, 5), date(2032, 12, 4), \
            LONG_NAME, sample_photo_jpeg()
    return KiaCard(
        nik=nik, name=name.upper(), sex="P" if variant == 1 else "L", birth_place="TANAH GROGOT",
        birth_date=born, kk_number="6401010101180003", head_of_family="AHMAD SYAHPUTRA",
        birth_certificate_number="6401-LT-05072021-0012", religion="ISLAM", nationality="WNI",
        address="JL. JENDERAL SUDIRMAN NO. 12, RT 003/RW 001, KEL. TANAH GROGOT, "
                "KEC. TANAH GROGOT",
        variant=variant, valid_until=valid, issuing_office="DISDUKCAPIL KABUPATEN PASER",
        issue_place="PASER", issue_date=date(2024, 3, 5), head_name="Dr. H. ANDI RAHMAN, S.Sos., M.Si.",
        head_nip="197001011990031001", qr_payload=f"KIA:{nik}:2024-03-05", photo_jpeg=photo,
        region_header="PROVINSI KALIMANTAN TIMUR\nKABUPATEN PASER")


_KECAMATAN = ("Tanah Grogot", "Kuaro", "Long Ikis", "Muara Komam", "Batu Sopang", "Pasir Belengkong")
_FIRST = ("Ahmad", "Siti", "Muhammad", "Nur", "Putri", "Rizky", "Dewi", "Andi", "Ni Luh", "I Made")
_LAST = ("Syahputra", "Rahmawati", "Nasution", "Hidayat", "Lestari", "Saputra", "Wulandari", "Pratama")


def sample_register(rows: int = 30, *, seed: int = 7, start: date = date(2024, 3, 1)) -> list[RegisterRow]:
    """``rows`` Register KIA lines over consecutive working days (seeded random)."""
    rng = random.Random(seed)
    out = []
    for i in range(rows):
        day = start + timedelta(days=i // 40)
        born = date(2008 + rng.randrange(16), 1 + rng.randrange(12), 1 + rng.randrange(28))
        female = rng.random() < 0.5
        dd = born.day + (40 if female else 0)
        nik = f"640101{dd:02d}{born:%m%y}{i % 9999 + 1:04d}"
        variant = 1 if (day - born).days < 5 * 365 else 2
        handed = day + timedelta(days=1) if rng.random() < 0.8 else None
        out.append(RegisterRow(i + 1, day, f"KIA-{day:%Y}-{i + 1:06d}", nik,
                               f"{rng.choice(_FIRST)} {rng.choice(_LAST)}", "P" if female else "L",
                               "Tanah Grogot", born, f"640101{rng.randrange(10**10):010d}", variant,
                               rng.choice(_KECAMATAN), handed, "Orang tua" if handed else "", ""))
    return out


def sample_daily_recap() -> DailyRecap:
    """A plausible day: tickets per service and hour, times, lateness, officers, IKM."""
    rng = random.Random(11)
    services = ("KIA", "KK", "IKD", "Akta Kelahiran")
    tickets = {s: {h: rng.randrange(2, 18) for h in range(8, 16)} for s in services}
    times = tuple(ServiceTimes.from_samples(s, [rng.uniform(120, 2400) for _ in range(40)],
                                            [rng.uniform(60, 600) for _ in range(40)]) for s in services)
    steps = (("KIA", "Verifikasi", 300), ("KIA", "Persetujuan (TTE)", 180), ("KIA", "Cetak", 300),
             ("KIA", "Register", 60), ("KIA", "Penyerahan", 60), ("KK", "Entri SIAK", 600))
    lateness = tuple(StepLateness(s, st, mb, mb * rng.uniform(0.6, 2.0), mb * rng.uniform(1.2, 3.0),
                                  40, rng.randrange(0, 25), rng.randrange(0, 9)) for s, st, mb in steps)
    officers = tuple(OfficerStat(n, str(i + 1), rng.randrange(20, 60), rng.uniform(120, 420))
                     for i, n in enumerate(("Ni Luh Putu Ayu Ketut", "Rudi Hartono", "Siti Aminah")))
    return DailyRecap(OFFICE, date(2024, 3, 4), "WITA", tickets, times, lateness, officers,
                      no_shows=7, uncollected=12, ikm_score=82.45, ikm_category="B (Baik)",
                      ikm_respondents=64)


def sample_distribution(rows: int = 40) -> DistributionRecap:
    """Printed cards for distribution by kecamatan (SOP 001)."""
    reg = sample_register(rows, seed=3)
    items = tuple(DistributionRow(r.kecamatan, r.application_code, r.name, r.nik, "KIA", r.issued_on,
                                  r.issued_on + timedelta(days=1) if i % 3 else None, i % 4 == 0)
                  for i, r in enumerate(reg))
    return DistributionRecap(OFFICE, date(2024, 3, 1), date(2024, 3, 7), items)
