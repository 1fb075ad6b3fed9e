"""Every validation rule: a broken file in tmp_path, and the problem names file, key path and problem."""
import warnings

import pytest

from queue_server.config import OfficeConfigError, OfficeConfigWarning, load_office, loads_office

STEP1_ROLE = 'role = "operator"\npresence = "counter"\nmutu_baku_minutes = 3\n'
KIA_HEAD = 'prefix = "A"\nrules = "kia"\ndaily_quota = 50\n'
KK_STEP = 'role = "operator"\npresence = "counter"\nmutu_baku_minutes = 2.5\n'

# (id, edits, key path, fragment of the problem text, expected number of problems)
CASES = [
    # required keys and unknown keys
    ("missing-office-key", [('regency = "Kabupaten Contoh"\n', "")], "office.regency", "kunci wajib 'regency'", 1),
    ("missing-section", [('[queue]\nnormal_run = 4\n', ""), ("[opening_hours]", "[jam_buka]")],
     "jam_buka", "kunci 'jam_buka' tidak dikenal", 2),
    ("unknown-office-key", [('photo_ratio = "3x4"', 'photo_ratio = "3x4"\nkepala = "X"')],
     "office.kepala", "kunci 'kepala' tidak dikenal", 1),
    ("typo-step-key", [(STEP1_ROLE, STEP1_ROLE.replace("mutu_baku_minutes", "mutu_baku_minute"))],
     "services[KIA].steps[1].mutu_baku_minute", "maksud Anda 'mutu_baku_minutes'", 1),
    ("unknown-service-key", [(KIA_HEAD, KIA_HEAD + 'kuota = 3\n')],
     "services[KIA].kuota", "unknown key", 1),
    # types
    ("string-for-int", [('code = "1"\nnumber = 1', 'code = "1"\nnumber = "1"')],
     "counters[1].number", "harus bilangan bulat", 1),
    ("int-for-string", [('name = "Disdukcapil Kabupaten Contoh"', "name = 7")],
     "office.name", "harus berupa teks", 1),
    ("section-not-table", [('[queue]\nnormal_run = 4\n', ""), ('[office]', 'queue = 3\n[office]')],
     "queue", "harus berupa tabel", 1),
    # office fields
    ("office-code-format", [('code = "contoh"', 'code = "Kab Contoh"')], "office.code", "tidak sesuai format", 1),
    ("parent-self", [('photo_ratio = "3x4"', 'photo_ratio = "3x4"\nparent = "contoh"')],
     "office.parent", "induk dirinya sendiri", 1),
    ("pickup-bad-code", [('photo_ratio = "3x4"', 'photo_ratio = "3x4"\npickup_offices = ["UPTD 1"]')],
     "office.pickup_offices[1]", "bukan kode kantor", 1),
    ("photo-ratio", [('photo_ratio = "3x4"', 'photo_ratio = "5x7"')], "office.photo_ratio",
     "ukuran foto '5x7' tidak dikenal (unknown photo size; choose one of 2x3, 3x4, 4x6)", 1),
    # timezone
    ("timezone-unknown", [('"Asia/Jakarta"', '"Asia/Jakartaa"')], "office.timezone", "zona waktu 'Asia/Jakartaa' tidak dikenal", 1),
    ("timezone-abbreviation", [('"Asia/Jakarta"', '"WITA"')], "office.timezone", "'Asia/Makassar' untuk WITA", 1),
    ("timezone-path-like", [('"Asia/Jakarta"', '"../etc/passwd"')], "office.timezone", "tidak dikenal", 1),
    # opening hours
    ("hours-format", [('senin = "08:00-15:00"', 'senin = "8-15"')], "opening_hours.senin", "bukan \"HH:MM-HH:MM\"", 1),
    ("hours-order", [('selasa = "08:00-15:00"', 'selasa = "15:00-08:00"')], "opening_hours.selasa",
     "harus sebelum jam tutup", 1),
    ("hours-impossible", [('rabu = "08:00-15:00"', 'rabu = "08:00-24:30"')], "opening_hours.rabu",
     "jam yang tidak ada", 1),
    ("hours-missing-day", [('minggu = "tutup"\n', "")], "opening_hours.minggu", "kunci wajib 'minggu'", 1),
    ("hours-typo-day", [('jumat = "08:00-11:30"', 'jumaat = "08:00-11:30"')], "opening_hours.jumaat",
     "maksud Anda 'jumat'", 2),
    ("hours-not-string", [('kamis = "08:00-15:00"', "kamis = 8")], "opening_hours.kamis", "harus teks", 1),
    ("hours-all-closed", [(f'{d} = "08:00-15:00"', f'{d} = "tutup"') for d in ("senin", "selasa", "rabu", "kamis")]
     + [('jumat = "08:00-11:30"', 'jumat = "tutup"')], "opening_hours", "tutup setiap hari", 1),
    # queue policy
    ("queue-zero", [("normal_run = 4", "normal_run = 0")], "queue.normal_run", "harus bilangan bulat >= 1", 1),
    ("queue-bool", [("normal_run = 4", "normal_run = 4\nmax_skips = true")], "queue.max_skips", "bilangan bulat", 1),
    ("queue-unknown", [("normal_run = 4", "normal_run = 4\nprioritas = 1")], "queue.prioritas", "tidak dikenal", 1),
    # kecamatan
    ("kecamatan-format", [('code = "32.01.02"', 'code = "32.1.2"')], "kecamatan[2].code", "PP.KK.CC", 1),
    ("kecamatan-duplicate", [('code = "32.01.02"', 'code = "32.01.01"')], "kecamatan[2].code",
     "kode kecamatan '32.01.01' sudah dipakai di kecamatan[1]", 1),
    ("kecamatan-no-name", [('name = "Gunung Putri"\n', "")], "kecamatan[2].name", "kunci wajib", 1),
    # services
    ("service-code-duplicate", [('code = "KK"\nname = "Kartu Keluarga"', 'code = "KIA"\nname = "Kartu Keluarga"')],
     "services[KIA].code", "kode layanan 'KIA' sudah dipakai", None),
    ("service-code-format", [('code = "KK"\nname', 'code = "kk"\nname'), ('services = ["KK"]', 'services = ["kk"]')],
     "services[kk].code", "huruf besar", None),
    ("prefix-duplicate", [('prefix = "B"', 'prefix = "A"')], "services[KK].prefix",
     "awalan nomor 'A' sudah dipakai oleh layanan KIA", 1),
    ("prefix-too-long", [('prefix = "B"', 'prefix = "ABC"')], "services[KK].prefix", "1–2 huruf besar", 1),
    ("prefix-lowercase", [('prefix = "B"', 'prefix = "b"')], "services[KK].prefix", "tidak sesuai format", 1),
    ("quota-zero", [("daily_quota = 50", "daily_quota = 0")], "services[KIA].daily_quota", ">= 1", 1),
    ("quota-float", [("daily_quota = 50", "daily_quota = 2.5")], "services[KIA].daily_quota", "bilangan bulat", 1),
    ("rules-unknown", [('rules = "kia"', 'rules = "ktp"')], "services[KIA].rules", "aturan 'ktp' tidak dikenal", None),
    ("rules-kia-needs-birth-date", [('key = "birth_date"', 'key = "tanggal_lahir"')], "services[KIA].rules",
     "memerlukan pertanyaan 'birth_date'", 1),
    ("rules-ikd-needs-questions", [('prefix = "B"', 'prefix = "B"\nrules = "ikd"')], "services[KK].rules",
     "ktp_el_recorded, age17_or_married, has_device_and_email", 1),
    ("pickup-not-bool", [('prefix = "B"', 'prefix = "B"\npickup = "ya"')], "services[KK].pickup", "true atau false", 1),
    # steps
    ("step-role-unknown", [(STEP1_ROLE, STEP1_ROLE.replace('"operator"', '"kasir"'))], "services[KIA].steps[1].role",
     "peran 'kasir' tidak dikenal untuk langkah (unknown role; choose one of admin, operator,", 1),
    ("step-role-device", [(STEP1_ROLE, STEP1_ROLE.replace('"operator"', '"kiosk"'))], "services[KIA].steps[1].role",
     "a device role cannot perform a step", 1),
    ("step-presence", [(STEP1_ROLE, STEP1_ROLE.replace('"counter"', '"loket"'))], "services[KIA].steps[1].presence",
     "kehadiran 'loket' tidak dikenal", 1),
    ("step-minutes-negative", [("mutu_baku_minutes = 5", "mutu_baku_minutes = -1")],
     "services[KIA].steps[2].mutu_baku_minutes", "harus >= 0 menit", 1),
    ("step-minutes-nan", [("mutu_baku_minutes = 5", "mutu_baku_minutes = nan")],
     "services[KIA].steps[2].mutu_baku_minutes", "harus >= 0 menit", 1),
    ("step-minutes-string", [("mutu_baku_minutes = 5", 'mutu_baku_minutes = "5 menit"')],
     "services[KIA].steps[2].mutu_baku_minutes", "harus bilangan menit", 1),
    ("step-code-duplicate", [('code = "verifikasi"', 'code = "penerimaan"')], "services[KIA].steps[2].code",
     "langkah 'penerimaan' sudah ada di steps[1]", 1),
    ("first-step-back-office", [(KK_STEP, KK_STEP.replace('"counter"', '"back_office"'))],
     "services[KK].steps[1].presence", "langkah pertama harus di loket", None),
    # questions
    ("question-kind", [('kind = "bool"', 'kind = "ya_tidak"')], "services[KIA].questions[3].kind",
     "jenis pertanyaan 'ya_tidak' tidak dikenal", 1),
    ("question-choice-without-choices", [('kind = "bool"', 'kind = "choice"')], "services[KIA].questions[3].choices",
     "wajib punya pilihan", 1),
    ("question-choices-on-bool", [('kind = "bool"', 'kind = "bool"\nchoices = [{ value = "ya", label = "Ya" }]')],
     "services[KIA].questions[3].choices", "hanya pertanyaan jenis choice", 1),
    ("question-duplicate-key", [('key = "punya_hp"', 'key = "reason"')], "services[KIA].questions[3].key",
     "pertanyaan 'reason' sudah ada di questions[2]", 1),
    ("question-reserved-key", [('key = "punya_hp"', 'key = "kia_variant"')], "services[KIA].questions[3].key",
     "fakta turunan", 1),
    ("question-eligible-if-needs-message", [("required = false", "eligible_if = true")],
     "services[KIA].questions[3].ineligible_message", "wajib diisi bila eligible_if", 1),
    ("question-eligible-if-on-date", [('kind = "date"', 'kind = "date"\neligible_if = true\nineligible_message = "x"')],
     "services[KIA].questions[1].eligible_if", "hanya untuk pertanyaan jenis bool", 1),
    ("question-message-without-eligible-if", [("required = false", 'ineligible_message = "Tidak bisa"')],
     "services[KIA].questions[3].ineligible_message", "hanya berlaku bersama eligible_if", 1),
    ("choice-duplicate", [('{ value = "baru", label = "Baru" }', '{ value = "hilang", label = "Baru" }')],
     "services[KIA].questions[2].choices[2].value", "pilihan 'hilang' sudah ada di choices[1]", 1),
    ("choice-too-few", [('  { value = "baru", label = "Baru" },\n', "")], "services[KIA].questions[2].choices",
     "paling sedikit dua pilihan", 1),
    # conditions
    ("condition-unknown-key", [('when = { reason = ["hilang"] }', 'when = { reasn = "hilang" }')],
     "services[KIA].requirements[3].when.reasn", "maksud Anda 'reason'", 1),
    ("condition-unknown-key-lists-choices", [('when = { reason = ["hilang"] }', 'when = { alasan = "hilang" }')],
     "services[KIA].requirements[3].when.alasan", "bukan pertanyaan layanan KIA maupun fakta turunan (not a question "
     "key of this service nor a derived fact; choose one of birth_date, punya_hp, reason, kia_variant,", 1),
    ("condition-unknown-choice", [('when = { reason = ["hilang"] }', 'when = { reason = ["hilang", "rusak"] }')],
     "services[KIA].requirements[3].when.reason", "pilihan 'rusak' tidak ada di pertanyaan 'reason' "
                                                  "(no such choice; choose from baru, hilang)", 1),
    ("condition-empty-list", [('when = { reason = ["hilang"] }', "when = { reason = [] }")],
     "services[KIA].requirements[3].when.reason", "daftar nilai kosong", 1),
    ("condition-bool-question", [('when = { reason = ["hilang"] }', 'when = { punya_hp = "ya" }')],
     "services[KIA].requirements[3].when.punya_hp", "nilai harus true atau false", 1),
    ("condition-date-question", [('when = { reason = ["hilang"] }', 'when = { birth_date = "2020-01-01" }')],
     "services[KIA].requirements[3].when.birth_date", "pertanyaan tanggal", 1),
    ("condition-kia-variant-value", [("when = { kia_variant = 2 }", "when = { kia_variant = 3 }")],
     "services[KIA].requirements[2].when.kia_variant", "nilai 3 tidak valid untuk kia_variant; harus 1 atau 2", 1),
    ("condition-derived-needs-rules", [('rules = "kia"\n', "")], "services[KIA].requirements[2].when.kia_variant",
     "hanya ada bila layanan memakai rules = \"kia\"", 1),
    ("condition-ikd-fact-on-kia", [("when = { kia_variant = 2 }", "when = { ikd_eligible = true }")],
     "services[KIA].requirements[2].when.ikd_eligible", "rules = \"ikd\"", 1),
    ("condition-not-table", [("when = { kia_variant = 2 }", 'when = "kia_variant = 2"')],
     "services[KIA].requirements[2].when", "harus berupa tabel", 1),
    ("step-condition", [("mutu_baku_minutes = 5", "mutu_baku_minutes = 5\nwhen = { age_years = -1 }")],
     "services[KIA].steps[2].when.age_years", "bilangan bulat 0–150", 1),
    ("requirement-code-duplicate", [('code = "foto"', 'code = "akta"')], "services[KIA].requirements[2].code",
     "persyaratan 'akta' sudah ada di requirements[1]", 1),
    # text fields
    ("text-table-without-id", [('name = { id = "Kartu Identitas Anak", en = "Child ID card" }',
                                'name = { en = "Child ID card" }')], "services[KIA].name.id", "kunci wajib 'id'", 1),
    ("text-table-unknown-key", [('name = { id = "Kartu Identitas Anak", en = "Child ID card" }',
                                 'name = { id = "Kartu Identitas Anak", eng = "Child ID card" }')],
     "services[KIA].name.eng", "maksud Anda 'en'", 1),
    ("text-empty", [('label = "Pas foto"', 'label = "  "')], "services[KIA].requirements[2].label",
     "tidak boleh kosong", 1),
    ("text-wrong-type", [('label = "Pas foto"', "label = 4")], "services[KIA].requirements[2].label",
     "harus teks atau tabel { id", 1),
    # counters
    ("counter-unknown-service", [('services = ["KK"]', 'services = ["KK", "KTP"]')], "counters[1].services[2]",
     "layanan 'KTP' tidak ada (unknown service; choose one of KIA, KK)", 1),
    ("counter-unknown-step", [('steps = ["KIA:penyerahan"]', 'steps = ["KIA:penyerahan", "KIA:ambil"]')],
     "counters[2].steps[2]", "tidak punya langkah 'ambil'", 1),
    ("counter-back-office-step", [('steps = ["KIA:penyerahan"]', 'steps = ["KIA:penyerahan", "KIA:verifikasi"]')],
     "counters[2].steps[2]", "bukan di loket", 1),
    ("counter-step-format", [('steps = ["KIA:penyerahan"]', 'steps = ["KIA:penyerahan", "KIA-penerimaan"]')],
     "counters[2].steps[2]", "harus berbentuk \"LAYANAN:langkah\"", 1),
    ("counter-duplicate-code", [('code = "2"\nnumber = 2', 'code = "1"\nnumber = 2')], "counters[2].code",
     "kode loket '1' sudah dipakai di counters[1]", 1),
    ("counter-duplicate-number", [('code = "2"\nnumber = 2', 'code = "2"\nnumber = 1')], "counters[2].number",
     "nomor loket 1 sudah dipakai di counters[1]", 1),
    ("counter-number-zero", [('code = "2"\nnumber = 2', 'code = "2"\nnumber = 0')], "counters[2].number", ">= 1", 1),
    ("counter-int-code", [('code = "2"\nnumber = 2', "code = 2\nnumber = 2")], "counters[2].code",
     "code = \"2\"", 1),
    ("counter-serves-nothing", [('steps = ["KIA:penyerahan"]\n', "")], "counters[2]", "loket harus melayani sesuatu",
     1),
    ("first-step-not-served", [('steps = ["KIA:penerimaan"]', "steps = []")], "services[KIA].steps[1]",
     "langkah pertama 'penerimaan' tidak dilayani loket mana pun", 1),
    ("later-step-not-served", [('steps = ["KIA:penyerahan"]', 'services = ["KK"]')], "services[KIA].steps[3]",
     "langkah 'penyerahan' tidak dilayani loket", 1),
]


@pytest.mark.parametrize("edits,path,fragment,count", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_broken_file_names_file_path_and_problem(write_office, edits, path, fragment, count):
    office_file = write_office(edits, name="kantor.toml")
    with pytest.raises(OfficeConfigError) as info:
        load_office(office_file)
    problems = info.value.problems
    prefix = f"kantor.toml: {path}: "
    matching = [p for p in problems if p.startswith(prefix) and fragment in p]
    assert matching, f"no problem starting {prefix!r} containing {fragment!r} in {problems}"
    if count is not None:
        assert len(problems) == count, problems
    # Indonesian first, English in parentheses.
    assert all("(" in p and p.rstrip().endswith(")") or "?)" in p for p in matching), matching
    assert str(office_file) in str(info.value)


def test_base_file_is_valid(write_office):
    office = load_office(write_office())
    assert office.code == "contoh"


def test_all_problems_collected_in_one_error(write_office):
    office_file = write_office([
        ('"Asia/Jakarta"', '"Asia/Nowhere"'),
        ('senin = "08:00-15:00"', 'senin = "pagi"'),
        (STEP1_ROLE, STEP1_ROLE.replace('"operator"', '"kasir"')),
        ('code = "2"\nnumber = 2', 'code = "2"\nnumber = 1'),
    ])
    with pytest.raises(OfficeConfigError) as info:
        load_office(office_file)
    problems = info.value.problems
    assert [p.split(": ")[1] for p in problems] == [
        "office.timezone", "opening_hours.senin", "services[KIA].steps[1].role", "counters[2].number",
    ]
    message = str(info.value)
    assert message.startswith(f"{office_file}: 4 masalah")
    for problem in problems:
        assert f"- {problem}" in message


def test_several_problems_in_one_table_are_all_reported(write_office):
    step = STEP1_ROLE.replace('"operator"', '"kasir"').replace('"counter"', '"loket"').replace("= 3", "= -3")
    with pytest.raises(OfficeConfigError) as info:
        load_office(write_office([(STEP1_ROLE, step)]))
    paths = sorted(p.split(": ")[1] for p in info.value.problems)
    assert paths == ["services[KIA].steps[1].mutu_baku_minutes", "services[KIA].steps[1].presence",
                     "services[KIA].steps[1].role"]


def test_invalid_toml_names_file_and_line(write_office):
    with pytest.raises(OfficeConfigError) as info:
        load_office(write_office([('senin = "08:00-15:00"', "senin = 08:00-15:00")]))
    (problem,) = info.value.problems
    assert problem.startswith("office.toml: (toml): TOML tidak valid (invalid TOML:")
    assert "line" in problem


def test_missing_file(tmp_path):
    with pytest.raises(OfficeConfigError) as info:
        load_office(tmp_path / "tidak_ada.toml")
    assert info.value.problems == ["tidak_ada.toml: (berkas): berkas tidak ditemukan (file not found)"]


def test_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('[office]\nname = "Dinas Kependudukan \xe9"\n'.encode("latin-1"))
    with pytest.raises(OfficeConfigError) as info:
        load_office(path)
    assert info.value.problems[0].startswith("latin1.toml: (berkas): bukan teks UTF-8")


def test_problem_in_array_entry_that_is_not_a_table(write_office):
    with pytest.raises(OfficeConfigError) as info:
        load_office(write_office([("[office]", 'kecamatan = ["32.01.01"]\n[office]'),
                                  ('[[kecamatan]]\ncode = "32.01.01"\nname = "Cibinong"\n', ""),
                                  ('[[kecamatan]]\ncode = "32.01.02"\nname = "Gunung Putri"\n', "")]))
    assert info.value.problems == ["office.toml: kecamatan[1]: harus berupa tabel, didapat teks (string) "
                                   "(must be a table)"]


@pytest.mark.parametrize("zone", ["Asia/Jakarta", "Asia/Pontianak", "Asia/Makassar", "Asia/Jayapura"])
def test_indonesian_zones_load_without_warning(write_office, zone):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        office = load_office(write_office([('"Asia/Jakarta"', f'"{zone}"')]))
    assert office.timezone == zone
    assert office.zone_abbreviation in ("WIB", "WITA", "WIT")


def test_foreign_zone_loads_with_warning(write_office):
    with pytest.warns(OfficeConfigWarning, match=r"office\.toml: office\.timezone: zona 'Asia/Singapore' bukan"):
        office = load_office(write_office([('"Asia/Jakarta"', '"Asia/Singapore"')]))
    assert office.timezone == "Asia/Singapore"


def test_loads_office_uses_given_name(base_text):
    with pytest.raises(OfficeConfigError) as info:
        loads_office(base_text.replace('prefix = "B"', 'prefix = "A"'), "dari_admin.toml")
    assert info.value.problems[0].startswith("dari_admin.toml: services[KK].prefix: ")
    assert loads_office(base_text, "x.toml").source_file == "x.toml"


def test_timezone_warning_points_at_the_caller(write_office, base_text):
    with pytest.warns(OfficeConfigWarning) as record:
        load_office(write_office([('"Asia/Jakarta"', '"Europe/Amsterdam"')]))
        loads_office(base_text.replace('"Asia/Jakarta"', '"Europe/Amsterdam"'), "teks.toml")
    assert [w.filename for w in record] == [__file__, __file__]


def test_refusals_are_worded_by_the_office_and_name_its_own_counter(write_office):
    """Issue 11 item 16: the rule's own refusal names no counter; an office that has one
    says so in its file (``{age}`` filled in), and a code the rules do not give is named."""
    from datetime import date

    from queue_server.config import load_office
    from queue_server.domain.requirements import build_checklist

    path = write_office([('rules = "kia"\n', 'rules = "kia"\n'
                          'refusals = { kia_age_17_or_over = { id = "Usia {age} tahun: silakan ke Loket 4 '
                          '(perekaman KTP-el).", en = "Aged {age}: please go to counter 4." } }\n')])
    kia = load_office(path).service("KIA")
    refused = build_checklist(kia, {"birth_date": "2007-03-01", "reason": "baru"}, date(2026, 11, 23))
    assert refused.ineligible[0].code == "kia_age_17_or_over"
    assert refused.ineligible[0].message == "Usia 19 tahun: silakan ke Loket 4 (perekaman KTP-el)."
    assert refused.ineligible[0].message_en == "Aged 19: please go to counter 4."
    plain = build_checklist(load_office(write_office(name="plain.toml")).service("KIA"),
                            {"birth_date": "2007-03-01", "reason": "baru"}, date(2026, 11, 23))
    assert "loket" not in plain.ineligible[0].message.lower()
    with pytest.raises(OfficeConfigError) as err:
        load_office(write_office([('rules = "kia"\n', 'rules = "kia"\nrefusals = { tidak_ada = "x" }\n')],
                                 name="bad.toml"))
    assert "tidak_ada" in str(err.value) and "kia_age_17_or_over" in str(err.value)
