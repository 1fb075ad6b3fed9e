"""User-facing texts of the kiosk in Bahasa Indonesia (default) and English.

Everything the kiosk says itself (buttons, titles, fault messages) lives here; texts
that come from the office file (service names, questions, checklists) come from the
server already in the requested language.
"""
from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date, get_day_names, get_month_names

from printing.text import format_duration

__all__ = ["TEXTS", "t", "month_name", "long_date", "duration", "when", "hours_summary", "LANGS"]

LANGS = ("id", "en")

TEXTS: dict[str, tuple[str, str]] = {
    "welcome_title": ("Selamat datang", "Welcome"),
    "welcome_sub": ("Ambil nomor antrean di sini. Semua layanan GRATIS.",
                    "Take a queue number here. All services are FREE."),
    "take_number": ("Ambil Nomor Antrean", "Take a Queue Number"),
    "check_status": ("Cek Status Berkas", "Check My Application"),
    "survey": ("Survei Kepuasan", "Satisfaction Survey"),
    "lang_switch": ("English", "Bahasa Indonesia"),
    "choose_service": ("Pilih layanan", "Choose a service"),
    "choose_service_sub": ("Sentuh layanan yang Anda perlukan.", "Touch the service you need."),
    "closed": ("Tutup", "Closed"),
    "quota_used_up": ("Kuota hari ini habis", "Today's quota is used up"),
    "closed_until": ("Tutup · buka lagi {when}", "Closed · opens again {when}"),
    "quota_until": ("Kuota hari ini habis · datang lagi {when}", "Today's quota is used up · come back {when}"),
    "all_closed_title": ("Layanan sedang tutup", "The office is closed now"),
    "all_full_title": ("Kuota hari ini sudah habis", "Today's quotas are used up"),
    "opens_again": ("Buka lagi {when}.", "Opens again {when}."),
    "come_back": ("Silakan datang lagi {when}.", "Please come back {when}."),
    "opening_hours": ("Jam layanan: {hours}", "Opening hours: {hours}"),
    "closed_day": ("tutup", "closed"),
    "today_at": ("hari ini pukul {time}", "today at {time}"),
    "tomorrow_at": ("besok pukul {time}", "tomorrow at {time}"),
    "day_at": ("{day} pukul {time}", "{day} at {time}"),
    "unavailable": ("Tidak tersedia", "Unavailable"),
    "back": ("Kembali", "Back"),
    "next": ("Lanjut", "Next"),
    "home": ("Beranda", "Home"),
    "yes": ("Ya", "Yes"),
    "no": ("Tidak", "No"),
    "question_of": ("Pertanyaan {i} dari {n}", "Question {i} of {n}"),
    "year": ("Tahun", "Year"),
    "month": ("Bulan", "Month"),
    "day": ("Tanggal", "Day"),
    "age_years": ("Umur {n} tahun", "Age {n} years"),
    "date_format": ("Ketik tanggal, bulan, tahun (TT-BB-TTTT)", "Type day, month, year (DD-MM-YYYY)"),
    "date_example": ("Ketik TT-BB-TTTT. Contoh: 17 Agustus 2019 → 1 7 0 8 2 0 1 9",
                     "Type DD-MM-YYYY. Example: 17 August 2019 → 1 7 0 8 2 0 1 9"),
    "date_clear": ("Hapus", "Clear"),
    "date_incomplete": ("Tanggal belum lengkap: ketik 8 angka, TT-BB-TTTT.",
                        "The date is not complete: type 8 digits, DD-MM-YYYY."),
    "date_bad_day": ("Tanggal hanya 01 sampai 31.", "The day is 01 to 31."),
    "date_bad_month": ("Bulan hanya 01 sampai 12.", "The month is 01 to 12."),
    "date_bad_no_such_day": ("Tanggal itu tidak ada pada bulan tersebut.", "That month has no such day."),
    "date_bad_future": ("Tanggal lahir tidak boleh di masa depan.", "The date of birth cannot be in the future."),
    "date_bad_too_old": ("Tahun terlalu lama. Periksa kembali tahunnya.", "That year is too long ago. Check the year."),
    "date_bad_full": ("Tanggal sudah lengkap. Tekan Lanjut, atau ⌫ untuk mengubah.",
                      "The date is complete. Tap Next, or ⌫ to change it."),
    "not_eligible_title": ("Maaf, belum bisa dilayani", "Sorry, we cannot serve this yet"),
    "not_eligible_sub": ("Anda tidak mendapat nomor antrean untuk layanan ini.",
                         "No queue number is issued for this service."),
    "priority_title": ("Layanan prioritas", "Priority service"),
    "priority_question": ("Apakah Anda lansia (60+), penyandang disabilitas, ibu hamil, membawa bayi/anak kecil, "
                          "atau korban bencana?",
                          "Are you elderly (60+), a person with a disability, pregnant, with a baby/small child, "
                          "or a victim of a disaster?"),
    "priority_note": ("Petugas akan memastikannya di loket.", "The officer will confirm this at the counter."),
    "prio_lansia": ("Lansia (60+)", "Elderly (60+)"),
    "prio_disabilitas": ("Penyandang disabilitas", "Person with a disability"),
    "prio_ibu_hamil": ("Ibu hamil", "Pregnant"),
    "prio_ibu_anak": ("Membawa bayi / anak kecil", "With a baby / small child"),
    "prio_korban_bencana": ("Korban bencana", "Victim of a disaster"),
    "prio_none": ("Tidak, antrean biasa", "No, regular queue"),
    "checklist_title": ("Siapkan persyaratan berikut", "Please have these documents ready"),
    "photo_needed": ("Anak berumur {n} tahun: PERLU pas foto.", "Child aged {n}: a photo IS needed."),
    "photo_not_needed": ("Anak berumur {n} tahun: TIDAK perlu pas foto.", "Child aged {n}: NO photo needed."),
    "print_ticket": ("Cetak Nomor Antrean", "Print My Number"),
    "issuing": ("Nomor antrean sedang dibuat…", "Creating your queue number…"),
    "printing": ("Mencetak tiket…", "Printing your ticket…"),
    "retrying": ("Server belum menjawab. Mencoba lagi otomatis ({n})…",
                 "The server has not answered. Retrying automatically ({n})…"),
    "issue_failed": ("Maaf, nomor antrean belum dapat dibuat. Silakan minta bantuan petugas.",
                     "Sorry, the queue number could not be created. Please ask an officer for help."),
    "server_down_kept": ("Server antrean tidak dapat dihubungi. Jawaban Anda tetap tersimpan.",
                         "The queue server cannot be reached. Your answers are kept."),
    "waiting_for_server": ("Menunggu server antrean… Kios mencoba lagi otomatis. Jawaban Anda tetap tersimpan.",
                           "Waiting for the queue server… The kiosk retries automatically. Your answers are kept."),
    "retry_now": ("Coba lagi", "Try again"),
    "wait_for_server": ("Tunggu di sini", "Wait here"),
    "stop_waiting": ("Berhenti menunggu", "Stop waiting"),
    "server_down": ("Server antrean tidak dapat dihubungi. Mencoba lagi otomatis…",
                    "The queue server cannot be reached. Retrying automatically…"),
    "your_number": ("Nomor antrean Anda", "Your queue number"),
    "people_ahead": ("Antrean sebelum Anda: {n}", "People ahead of you: {n}"),
    "estimated_wait": ("Perkiraan waktu tunggu: ± {t}", "Estimated wait: about {t}"),
    "take_ticket": ("Silakan ambil tiket Anda dan tunggu panggilan.", "Please take your ticket and wait to be called."),
    "printer_fault": ("Tiket tidak dapat dicetak. Nomor Anda sudah tercatat: catat atau foto layar ini. "
                      "Petugas di loket dapat mencetak ulang tiket Anda.",
                      "The ticket could not be printed. Your number is recorded: note it or take a photo of "
                      "this screen. An officer at any counter can reprint your ticket."),
    "priority_badge": ("Prioritas", "Priority"),
    "done": ("Selesai", "Done"),
    "status_title": ("Cek status / check-in booking", "Check a status / check in a booking"),
    "status_sub": ("Ketik atau pindai kode pada tiket, slip pengambilan atau bukti antrean online.",
                   "Type or scan the code on your ticket, pickup slip or online booking."),
    "status_check": ("Cek", "Check"),
    "status_clear": ("Hapus", "Clear"),
    "booking_code": ("Kode booking", "Booking code"),
    "check_in": ("Check-in: ambil nomor", "Check in: get my number"),
    "walk_in_instead": ("Ambil nomor antrean biasa", "Take a regular number"),
    "notify_offer": ("Kabari saya lewat WhatsApp/SMS", "Tell me by WhatsApp/SMS"),
    "notify_title": ("Nomor HP untuk pemberitahuan", "Mobile number for notices"),
    "notify_consent": ("Kami kirim pesan saat {n} orang lagi sebelum Anda dan saat nomor Anda dipanggil — hanya "
                       "tentang antrean ini. Dengan menyimpan nomor, Anda setuju. Bisa dihentikan di halaman "
                       "pantau antrean.",
                       "We message you when {n} people are left before you and when your number is called — "
                       "about this visit only. Saving the number is your consent. You can stop it on the "
                       "follow page."),
    "notify_save": ("Simpan", "Save"),
    "notify_cancel": ("Batal", "Cancel"),
    "notify_invalid": ("Bukan nomor HP Indonesia. Contoh: 081234567890", "Not an Indonesian mobile number. "
                                                                          "Example: 081234567890"),
    "notify_saved": ("Pemberitahuan ke {number}", "Notices to {number}"),
    "notify_remove": ("Hapus nomor", "Remove the number"),
    "status_number": ("Nomor {number}", "Number {number}"),
    "status_code_empty": ("Masukkan kode terlebih dahulu.", "Enter a code first."),
    "ikm_title": ("Survei Kepuasan Masyarakat", "Public Satisfaction Survey"),
    "ikm_sub": ("Tanpa nama. Jawaban Anda membantu kami memperbaiki layanan.",
                "Anonymous. Your answers help us improve the service."),
    "ikm_of": ("Pertanyaan {i} dari {n}", "Question {i} of {n}"),
    "ikm_thanks": ("Terima kasih atas penilaian Anda!", "Thank you for your feedback!"),
    "ikm_failed": ("Survei belum terkirim. Silakan coba lagi nanti.", "The survey was not sent. Please try again later."),
    "ikm_offer": ("Isi survei kepuasan", "Take the survey"),
    "loading": ("Memuat…", "Loading…"),
    "mode_large_text": ("Huruf besar", "Larger text"),
    "mode_high_contrast": ("Kontras tinggi", "High contrast"),
    "mode_audio_guide": ("Panduan suara", "Audio guidance"),
    "mode_on": ("✓ {name}", "✓ {name}"),
    "free": ("Semua layanan GRATIS", "All services are FREE"),
}


def t(key: str, lang: str = "id", **kw) -> str:
    """The text ``key`` in ``lang`` ("id"/"en") with ``str.format`` arguments.
    Raises KeyError for an unknown key."""
    text = TEXTS[key][1 if lang == "en" else 0]
    return text.format(**kw) if kw else text


def month_name(month: int, lang: str = "id") -> str:
    """Full month name (1..12) in ``lang`` from Babel's CLDR data, e.g. 8 → "Agustus"."""
    return get_month_names("wide", locale="en" if lang == "en" else "id")[month]


def long_date(value: date, lang: str = "id") -> str:
    """``date(2019, 8, 17)`` → "17 Agustus 2019" (en: "17 August 2019")."""
    return format_date(value, "d MMMM y", locale="en" if lang == "en" else "id")


def when(moment: datetime, now: datetime, lang: str = "id") -> str:
    """When the office opens, as a citizen reads it: "hari ini pukul 08:00", "besok pukul
    08:00" or "Senin, 7 Desember 2026 pukul 08:00" (``now`` decides today/tomorrow;
    both in the office's zone)."""
    clock = moment.strftime("%H:%M")
    days = (moment.date() - now.date()).days
    if days == 0:
        return t("today_at", lang, time=clock)
    if days == 1:
        return t("tomorrow_at", lang, time=clock)
    day = format_date(moment.date(), "EEEE, d MMMM y", locale="en" if lang == "en" else "id")
    return t("day_at", lang, day=day, time=clock)


def hours_summary(opening_hours: list[dict | None], lang: str = "id") -> str:
    """The week's hours in one line, Monday first, equal neighbours joined:
    "Senin–Kamis 08:00–15:00 · Jumat 08:00–11:30 · Sabtu–Minggu tutup".
    ``opening_hours`` as ``GET /offices`` gives it (seven ``{"opens", "closes"}`` or None)."""
    names = get_day_names("wide", locale="en" if lang == "en" else "id")  # 0 = Monday
    groups: list[list] = []
    for i, h in enumerate(opening_hours[:7]):
        text = f"{h['opens']}–{h['closes']}" if h else t("closed_day", lang)
        if groups and groups[-1][2] == text:
            groups[-1][1] = i
        else:
            groups.append([i, i, text])
    parts = []
    for first, last, text in groups:
        days = names[first] if first == last else f"{names[first]}–{names[last]}"
        parts.append(f"{days} {text}")
    return " · ".join(parts)


def duration(seconds: float, lang: str = "id") -> str:
    """Seconds as "12 menit" / "1 jam 5 menit" (rounded up to minutes; printing.text)."""
    return format_duration(seconds, lang)
