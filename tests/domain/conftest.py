"""Service objects built directly (no office file), shaped after the SOP documents."""
import pytest

from queue_server.domain.office import Choice, Condition, Question, Requirement, Service, Step, Text


def kia_service(pickup=True):
    """KIA as in SOP 000 (Kab. Paser) and 004 (Kec. Tempeh)."""
    return Service(
        code="KIA",
        name=Text("Kartu Identitas Anak", "Child identity card"),
        prefix="A",
        rules="kia",
        pickup=pickup,
        questions=(
            Question("birth_date", "date", Text("Tanggal lahir anak", "Child's date of birth")),
            Question(
                "reason", "choice", Text("Alasan permohonan", "Reason"),
                choices=(
                    Choice("baru", Text("Baru", "New")),
                    Choice("hilang", Text("Hilang", "Lost")),
                    Choice("rusak", Text("Rusak", "Damaged")),
                    Choice("pindah_datang", Text("Pindah datang", "Moved in")),
                ),
            ),
            Question(
                "never_married", "bool", Text("Anak belum pernah kawin?", "Child never married?"),
                eligible_if=True,
                ineligible_message=Text(
                    "Anak yang sudah kawin tidak mendapat KIA: silakan rekam KTP-el.",
                    "A married child does not get a KIA: please record a KTP-el.",
                ),
            ),
            Question("phone", "bool", Text("Ada nomor HP?", "Has a phone number?"), required=False),
        ),
        requirements=(
            Requirement("akta", Text("Fotokopi akta kelahiran (tunjukkan asli)", "Copy of birth certificate")),
            Requirement("kk", Text("Fotokopi KK orang tua/wali", "Copy of parents' KK")),
            Requirement(
                "foto", Text("Pas foto berwarna 4x6, 1 lembar", "Colour photo 4x6, 1 sheet"),
                when=Condition.from_mapping({"kia_variant": 2}),
                note=Text("Latar belakang merah atau biru", "Red or blue background"),
            ),
            Requirement(
                "surat_polisi", Text("Surat keterangan kehilangan dari kepolisian", "Police letter"),
                when=Condition.from_mapping({"reason": "hilang"}),
            ),
            Requirement(
                "kia_rusak", Text("KIA yang rusak", "The damaged KIA"),
                when=Condition.from_mapping({"reason": "rusak"}),
            ),
            Requirement(
                "skpwni", Text("SKPWNI", "Moving letter (SKPWNI)"),
                when=Condition.from_mapping({"reason": ["pindah_datang"]}),
            ),
        ),
        steps=(
            Step("periksa", Text("Periksa berkas", "Check documents"), "operator", "counter", 3, source="SOP 000 row 1"),
            Step("verifikasi", Text("Verifikasi", "Verify"), "verifikator", "back_office", 5, source="SOP 000 row 2"),
            Step("tte", Text("Persetujuan TTE", "TTE approval"), "pejabat_tte", "back_office", 3, source="SOP 000 row 3"),
            Step("foto", Text("Foto anak 5+", "Photo of child 5+"), "operator", "counter", 5,
                 when=Condition.from_mapping({"kia_variant": 2}), source="SOP 003 row 3"),
            Step("cetak", Text("Cetak dan register", "Print and register"), "petugas_cetak", "back_office", 6,
                 source="SOP 000 rows 4-5"),
            Step("serah", Text("Serahkan KIA", "Hand over KIA"), "petugas_distribusi", "counter", 1,
                 source="SOP 000 row 6"),
        ),
    )


def ikd_service():
    """IKD activation as in SOP 003 (Permendagri 72/2022)."""
    return Service(
        code="IKD",
        name=Text("Aktivasi IKD", "IKD activation"),
        prefix="D",
        rules="ikd",
        pickup=False,
        questions=(
            Question("ktp_el_recorded", "bool", Text("Sudah rekam KTP-el?", "KTP-el recorded?")),
            Question("age17_or_married", "bool", Text("Usia 17+ atau pernah kawin?", "17+ or (ever) married?")),
            Question(
                "has_device_and_email", "bool", Text("Punya HP Android/iOS dan email?", "Own phone and email?"),
                eligible_if=True,
                ineligible_message=Text("Bawa HP sendiri dan email aktif.", "Bring your own phone and email."),
            ),
        ),
        requirements=(Requirement("ktp_el", Text("KTP-el asli", "Original KTP-el")),),
        steps=(
            Step("aktivasi", Text("Aktivasi IKD", "IKD activation"), "operator", "counter", 5, source="SOP 003 row 4"),
        ),
    )


@pytest.fixture
def kia():
    return kia_service()


@pytest.fixture
def ikd():
    return ikd_service()
